/**
 * Test harness for the auth and bank machines: the real multiplexer (chain/Application.ts) over
 * the real IAVL multistore in memory, CosmJS wallets (DirectSecp256k1HdWallet) and CosmJS's own
 * offline SigningStargateClient to build and sign transactions exactly as a wallet does, and a
 * CosmJS QueryClient (auth + bank extensions) reading through ABCI Query.
 */
import { DirectSecp256k1HdWallet, type EncodeObject } from "@cosmjs/proto-signing"
import { makeCosmoshubPath, QueryClient, setupAuthExtension, setupBankExtension, SigningStargateClient, type StdFee } from "@cosmjs/stargate"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { CheckTxType, type ExecTxResult, type ResponseCheckTx } from "cosmjs-types/tendermint/abci/types"
import { Application } from "../../../chain/Application.ts"
import { CAPABILITIES_NAMESPACE, grantCapability, type Grant } from "../../../chain/Capabilities.ts"
import { GasMeter } from "../../../chain/Gas.ts"
import { Executor } from "../../../chain/internal/Executor.ts"
import type { BlockContext, ChainCall } from "../../../chain/Machine.ts"
import { Router } from "../../../chain/Router.ts"
import type { Machine } from "../../../chain/Machine.ts"
import { MemoryStorage, openCommitMultiStore } from "../../../store/IavlMultiStore.ts"
import type { CommitMultiStore } from "../../../store/KVStore.ts"
import { AuthMachine } from "../../../modules/auth/Auth.ts"
import type { AuthConfig } from "../../../modules/auth/AuthConfig.ts"
import { BankMachine } from "../../../modules/bank/Bank.ts"
import type { BankConfig } from "../../../modules/bank/BankConfig.ts"

export const CHAIN_ID = "cyber-test-1"
export const MNEMONIC =
  "surround miss nominee dream gap cross assault thank captain prosper drop duty group candy wealth weather scale put"

/** Calls allowed between machines in tests: caller machine -> "target.method" (unconstrained). */
export const DEFAULT_GRANTS: ReadonlyArray<string> = [
  "auth->bank.send", "bank->auth.ensure-account", "mint->bank.mint", "mint->bank.burn", "mint->bank.send"
]

/**
 * Genesis grants from `"caller->target.method"` texts: the machine principal `machine:<caller>`
 * holds `target.method` without constraints (`*` for every method).
 */
export const grantsFromText = (grants: ReadonlyArray<string>): Grant[] =>
  grants.map((g) => {
    const m = /^([a-z0-9-]+)->([a-z0-9-]+)\.([a-z0-9*-]+)$/.exec(g)
    if (!m) throw new Error(`bad grant text ${g}`)
    return { principal: `machine:${m[1]}`, capability: { interface: m[2]!, method: m[3]!, constraints: [] } }
  })

export interface ChainOptions {
  readonly balances?: ReadonlyArray<{ address: string; coins: Array<{ denom: string; amount: string }> }>
  readonly auth?: Partial<AuthConfig>
  readonly bank?: Partial<BankConfig>
  readonly extraMachines?: ReadonlyArray<Machine>
  /** Grants as `"caller->target.method"` texts; default: what the machines ask for (Machine.grants). */
  readonly grants?: ReadonlyArray<string>
  readonly genesis?: Record<string, unknown>
}

/** A running chain over the real Application. */
export class TestChain {
  readonly app: Application
  readonly store: CommitMultiStore
  readonly auth: AuthMachine
  readonly bank: BankMachine
  height = 0
  constructor(app: Application, store: CommitMultiStore, auth: AuthMachine, bank: BankMachine) {
    this.app = app
    this.store = store
    this.auth = auth
    this.bank = bank
  }

  static async start(opts: ChainOptions = {}): Promise<TestChain> {
    const auth = new AuthMachine({ minGasPrices: "0.01boot", ...opts.auth })
    const bank = new BankMachine(opts.bank)
    const machines: Machine[] = [auth, bank, ...(opts.extraMachines ?? [])]
    const store = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: Application.namespaces() })
    const app = new Application({ chainId: CHAIN_ID, store, machines, pipeline: auth })
    const appState: Record<string, unknown> = { ...(opts.genesis ?? { auth: { accounts: [] }, bank: { balances: opts.balances ?? [] } }) }
    if (opts.grants) appState.capabilities = { grants: grantsFromText(opts.grants) }
    await app.initChain({
      time: { seconds: 1_700_000_000n, nanos: 0 }, chainId: CHAIN_ID, consensusParams: undefined, validators: [],
      appStateBytes: new TextEncoder().encode(JSON.stringify(appState)), initialHeight: 1n
    })
    const chain = new TestChain(app, store, auth, bank)
    await chain.block([]) // height 1: genesis state committed, queries have a version to read
    return chain
  }

  /** CheckTx (new). */
  checkTx(tx: Uint8Array): Promise<ResponseCheckTx> {
    return this.app.checkTx({ tx, type: CheckTxType.NEW })
  }

  /** One block with `txs`, committed. Returns the tx results. */
  async block(txs: ReadonlyArray<Uint8Array>): Promise<ExecTxResult[]> {
    this.height++
    const hash = new Uint8Array(32)
    hash[0] = this.height
    const res = await this.app.finalizeBlock({
      txs: [...txs], decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash, height: BigInt(this.height),
      time: { seconds: 1_700_000_000n + BigInt(this.height) * 5n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20)
    })
    await this.app.commit()
    return res.txResults
  }

  /** Raw ABCI query at the latest height. */
  async query(path: string, data: Uint8Array) {
    return this.app.query({ path, data, height: 0n, prove: false })
  }

  /** A CosmJS QueryClient with auth + bank extensions reading through ABCI Query. */
  queryClient() {
    const comet = {
      abciQuery: async (p: { path: string; data: Uint8Array; height?: number; prove?: boolean }) => {
        const r = await this.app.query({ path: p.path, data: p.data, height: BigInt(p.height ?? 0), prove: false })
        return { key: r.key, value: r.value, height: Number(r.height), code: r.code, codespace: r.codespace, log: r.log, index: 0, proof: undefined, info: "" }
      }
    }
    // The QueryClient only calls abciQuery on its comet client.
    return QueryClient.withExtensions(comet as never, setupAuthExtension, setupBankExtension)
  }

  /** App hash of the last commit (hex). */
  appHash(): string {
    return Buffer.from(this.store.lastCommit().hash).toString("hex")
  }
}

/** Wallet with `n` accounts (HD paths m/44'/118'/0'/0/i) and the cyber prefix. */
export const makeWallet = async (n = 3): Promise<{ wallet: DirectSecp256k1HdWallet; addresses: string[] }> => {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "cyber", hdPaths: Array.from({ length: n }, (_, i) => makeCosmoshubPath(i)) })
  const addresses = (await wallet.getAccounts()).map((a) => a.address)
  return { wallet, addresses }
}

/** Sign with CosmJS's offline SigningStargateClient (SIGN_MODE_DIRECT), as a wallet would. */
export const signTx = async (
  wallet: DirectSecp256k1HdWallet,
  signer: string,
  msgs: EncodeObject[],
  fee: StdFee,
  data: { accountNumber: number; sequence: number; chainId?: string },
  memo = ""
): Promise<Uint8Array> => {
  const client = await SigningStargateClient.offline(wallet)
  const raw = await client.sign(signer, msgs, fee, memo, { accountNumber: BigInt(data.accountNumber), sequence: data.sequence, chainId: data.chainId ?? CHAIN_ID })
  return TxRaw.encode(raw).finish()
}

/** A MsgSend encode object. */
export const msgSend = (from: string, to: string, amount: string, denom = "boot"): EncodeObject => ({
  typeUrl: "/cosmos.bank.v1beta1.MsgSend",
  value: { fromAddress: from, toAddress: to, amount: [{ denom, amount }] }
})

/** A fee paying `amount` boot for `gas`. */
export const fee = (amount: string, gas = "200000"): StdFee => ({ amount: [{ denom: "boot", amount }], gas })

/** Passing test counter printed at the end (the line CI reads). */
export const summary = { passed: 0, failed: 0 }

/** A block context for direct executor calls in tests. */
export const testBlock: BlockContext = { chainId: CHAIN_ID, height: 2, time: { seconds: 0n, nanos: 0 }, proposer: new Uint8Array(), blockHash: new Uint8Array(32) }

/** A machine with no behaviour, only a name (stands for a calling machine such as "mint"). */
export const stubMachine = (name: string): Machine => ({
  name, version: "0.0.0", msgTypeUrls: [], queryPrefixes: [],
  signers: () => [], handle: () => ({ typeUrl: "", value: new Uint8Array() }),
  query: () => new Uint8Array(), initGenesis: () => {}, exportGenesis: () => ({})
})

/**
 * Run a cross-machine call by `principal` (e.g. "machine:mint") in a branch of the chain's working
 * state, after granting `grants` (Grant objects, or "caller->target.method" texts) in that branch;
 * the branch (grants included) is written only when the call succeeds. Stub machines stand in for
 * callers the chain does not load.
 */
export const callAs = (
  chain: TestChain, grants: ReadonlyArray<string | Grant>, principal: string, call: ChainCall,
  opts: { readonly gas?: number; readonly signers?: ReadonlyArray<string> } = {}
): Uint8Array => {
  const loaded = chain.app.router.machines
  const stubs = ["mint", "graph"].filter((n) => !loaded.some((m) => m.name === n)).map(stubMachine)
  const router = new Router([...loaded, ...stubs])
  const branch = chain.store.branch()
  const caps = branch.store(CAPABILITIES_NAMESPACE)
  for (const g of grants) for (const x of typeof g === "string" ? grantsFromText([g]) : [g]) grantCapability(caps, x)
  const exec = new Executor(router, testBlock, branch, new GasMeter(opts.gas ?? Number.MAX_SAFE_INTEGER), { bech32Prefix: "cyber", signers: opts.signers ?? [] })
  const out = exec.call(principal, call, 1, false)
  branch.write()
  return out
}
