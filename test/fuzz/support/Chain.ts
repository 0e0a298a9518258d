/**
 * The chain the tx and message fuzzers attack: the node's real machine set (auth, bank, graph,
 * cyberwasm as node/Machines.ts loads them, kernel capabilities), the real multiplexer over the
 * in-memory IAVL multistore, two funded secp256k1 keys, and a signer that builds SIGN_MODE_DIRECT
 * TxRaw bytes for arbitrary `Any` messages with CosmJS (makeSignDoc + DirectSecp256k1Wallet).
 */
import { DirectSecp256k1Wallet, makeAuthInfoBytes, makeSignDoc } from "@cosmjs/proto-signing"
import { encodePubkey } from "@cosmjs/proto-signing"
import { encodeSecp256k1Pubkey } from "@cosmjs/amino"
import { sha256 } from "@noble/hashes/sha2.js"
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { CheckTxType, type ResponseCheckTx } from "cosmjs-types/tendermint/abci/types"
import { createHash } from "node:crypto"
import { Application } from "../../../chain/Application.ts"
import { makeKernel } from "../../../kernel/Kernel.ts"
import { defaultConfig } from "../../../node/config/ConfigFile.ts"
import { makeGenesis } from "../../../node/home/Genesis.ts"
import { ed25519FromSeed } from "../../../node/home/ValidatorKey.ts"
import { loadMachines } from "../../../node/Machines.ts"
import { registerMachines } from "../../../node/Node.ts"
import { MemoryStorage, openCommitMultiStore } from "../../../store/IavlMultiStore.ts"
import type { MultiStore } from "../../../store/KVStore.ts"

export const CHAIN_ID = "fuzz-1"

/** A funded key. */
export interface FuzzKey {
  readonly address: string
  readonly wallet: DirectSecp256k1Wallet
  readonly pubkey: Any
  readonly accountNumber: bigint
}

/** Chain under attack. */
export class FuzzChain {
  readonly app: Application
  readonly namespaces: ReadonlyArray<string>
  readonly keys: ReadonlyArray<FuzzKey>
  private height: number
  private readonly shutdown: () => void
  /** Next sequence per address in the check state. */
  readonly sequences = new Map<string, bigint>()

  private constructor(app: Application, namespaces: ReadonlyArray<string>, keys: ReadonlyArray<FuzzKey>, height: number, shutdown: () => void) {
    this.app = app
    this.namespaces = namespaces
    this.keys = keys
    this.height = height
    this.shutdown = shutdown
  }

  static async start(): Promise<FuzzChain> {
    const config = {
      ...defaultConfig,
      modules: {
        ...defaultConfig.modules,
        graph: { ...defaultConfig.modules.graph, enabled: true },
        cyberwasm: { ...defaultConfig.modules.cyberwasm, enabled: true }
      }
    }
    const set = await loadMachines(config)
    const kernel = makeKernel({ node: "fuzz" })
    const namespaces = Application.namespaces()
    const store = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces })
    let app: Application | undefined
    registerMachines(kernel, set, () => app!)
    app = new Application({ chainId: CHAIN_ID, store, machines: set.machines.map((m) => m.machine), pipeline: set.pipeline, bech32Prefix: "cyber" })
    const wallets = await Promise.all([1, 2].map((i) => DirectSecp256k1Wallet.fromKey(sha256(new TextEncoder().encode(`fuzz key ${i}`)), "cyber")))
    const accounts = await Promise.all(wallets.map(async (w) => (await w.getAccounts())[0]!))
    const genesis = makeGenesis({
      chainId: CHAIN_ID,
      genesisTime: "2026-01-01T00:00:00Z",
      validator: ed25519FromSeed(new Uint8Array(32).fill(9)),
      validatorName: "fuzz",
      accounts: accounts.map((a) => ({ address: a.address, coins: [{ denom: "boot", amount: "1000000000000" }, { denom: "hydrogen", amount: "1000000000" }] }))
    })
    await app.initChain({
      time: { seconds: 1_767_225_600n, nanos: 0 }, chainId: CHAIN_ID, validators: [],
      appStateBytes: new TextEncoder().encode(JSON.stringify(genesis.app_state)), initialHeight: 1n
    })
    // Account numbers in genesis order after the module accounts: read them back.
    const keys: FuzzKey[] = []
    for (const [i, a] of accounts.entries()) {
      keys.push({ address: a.address, wallet: wallets[i]!, pubkey: encodePubkey(encodeSecp256k1Pubkey(a.pubkey)), accountNumber: 0n })
    }
    const chain = new FuzzChain(app, namespaces, keys, 0, () => kernel.shutdown())
    await chain.block([])
    const { QueryAccountRequest, QueryAccountResponse } = await import("cosmjs-types/cosmos/auth/v1beta1/query")
    const { BaseAccount } = await import("cosmjs-types/cosmos/auth/v1beta1/auth")
    const fixed: FuzzKey[] = []
    for (const k of keys) {
      const res = await app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address: k.address }).finish(), height: 0n, prove: false })
      if (res.code !== 0) throw new Error(`genesis account ${k.address} missing: ${res.log}`)
      const acc = BaseAccount.decode(QueryAccountResponse.decode(res.value).account!.value)
      fixed.push({ ...k, accountNumber: acc.accountNumber })
    }
    ;(chain as { keys: ReadonlyArray<FuzzKey> }).keys = fixed
    return chain
  }

  /** CheckTx (new). */
  checkTx(tx: Uint8Array): Promise<ResponseCheckTx> {
    return this.app.checkTx({ tx, type: CheckTxType.NEW })
  }

  /** An empty or full block, committed; resets the check state to the committed state. */
  async block(txs: Uint8Array[]): Promise<void> {
    this.height++
    await this.app.finalizeBlock({
      txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32).fill(this.height & 0xff),
      height: BigInt(this.height), time: { seconds: 1_767_225_600n + BigInt(this.height) * 5n, nanos: 0 },
      nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20)
    })
    await this.app.commit()
    this.sequences.clear()
  }

  /**
   * sha256 over every key/value of every namespace of the check state (white-box: reads the
   * Application's private check-state branch, which no query reaches; queries read the last commit).
   */
  checkStateDigest(): string {
    const check = (this.app as unknown as { checkState?: MultiStore }).checkState
    if (!check) return "none"
    const h = createHash("sha256")
    for (const ns of this.namespaces) {
      h.update(`[${ns}]`)
      for (const [k, v] of check.store(ns).iterate()) {
        h.update(String(k.length)).update(k).update(String(v.length)).update(v)
      }
    }
    return h.digest("hex")
  }

  /** Sign `messages` as `key` with its current check-state sequence (SIGN_MODE_DIRECT). */
  async sign(key: FuzzKey, messages: Any[], opts: { gas?: bigint; fee?: string; memo?: string; sequence?: bigint } = {}): Promise<Uint8Array> {
    const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages, memo: opts.memo ?? "" })).finish()
    const sequence = opts.sequence ?? this.sequences.get(key.address) ?? (await this.sequenceOf(key.address))
    const gas = opts.gas ?? 2_000_000n
    const authInfoBytes = makeAuthInfoBytes([{ pubkey: key.pubkey, sequence }], [{ denom: "boot", amount: opts.fee ?? String(gas / 50n) }], Number(gas), undefined, undefined)
    const { signature } = await key.wallet.signDirect(key.address, makeSignDoc(bodyBytes, authInfoBytes, CHAIN_ID, Number(key.accountNumber)))
    return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [Buffer.from(signature.signature, "base64")] }).finish()
  }

  /** Record that a tx of `address` was admitted to the check state. */
  admitted(address: string): void {
    this.sequences.set(address, (this.sequences.get(address) ?? 0n) + 1n)
  }

  private async sequenceOf(address: string): Promise<bigint> {
    const { QueryAccountRequest, QueryAccountResponse } = await import("cosmjs-types/cosmos/auth/v1beta1/query")
    const { BaseAccount } = await import("cosmjs-types/cosmos/auth/v1beta1/auth")
    const res = await this.app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address }).finish(), height: 0n, prove: false })
    const seq = res.code === 0 ? BaseAccount.decode(QueryAccountResponse.decode(res.value).account!.value).sequence : 0n
    this.sequences.set(address, seq)
    return seq
  }

  close(): void {
    this.shutdown()
  }
}
