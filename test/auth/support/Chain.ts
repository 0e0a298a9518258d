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
import type { ChainAuthority } from "../../../chain/ChainAuthority.ts"
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

/** Calls allowed between machines in tests: caller -> "target.method". */
export const DEFAULT_GRANTS: ReadonlyArray<string> = [
  "auth->bank.send", "bank->auth.ensureAccount", "mint->bank.mint", "mint->bank.burn", "mint->bank.send"
]

/** An authority over a fixed grant list. */
export const grantAuthority = (grants: ReadonlyArray<string>): ChainAuthority => {
  const set = new Set(grants)
  return { mayCall: (caller, target, method) => set.has(`${caller}->${target}.${method}`) || set.has(`${caller}->${target}.*`) }
}

export interface ChainOptions {
  readonly balances?: ReadonlyArray<{ address: string; coins: Array<{ denom: string; amount: string }> }>
  readonly auth?: Partial<AuthConfig>
  readonly bank?: Partial<BankConfig>
  readonly extraMachines?: ReadonlyArray<Machine>
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
    const store = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: machines.map((m) => m.name) })
    const app = new Application({ chainId: CHAIN_ID, store, machines, pipeline: auth, authority: grantAuthority(opts.grants ?? DEFAULT_GRANTS) })
    const appState = opts.genesis ?? { auth: { accounts: [] }, bank: { balances: opts.balances ?? [] } }
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
