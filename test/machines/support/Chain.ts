/**
 * Chain harness of the machine conformance suite: the real multiplexer (chain/Application.ts)
 * over the real IAVL multistore, in memory or on LevelDB in a directory (for reopen checks), with
 * transactions built and signed (SIGN_MODE_DIRECT) from raw `Any` messages, so a suite can send
 * any body, malformed ones included, through the real ante step.
 */
import { encodeSecp256k1Pubkey } from "@cosmjs/amino"
import { fromBase64 } from "@cosmjs/encoding"
import { DirectSecp256k1Wallet, encodePubkey, makeAuthInfoBytes, makeSignDoc } from "@cosmjs/proto-signing"
import { accountFromAny } from "@cosmjs/stargate"
import { sha256 } from "@noble/hashes/sha2.js"
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query"
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service"
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { ExecTxResult, ResponseQuery } from "cosmjs-types/tendermint/abci/types"
import { Application } from "../../../chain/Application.ts"
import type { Machine } from "../../../chain/Machine.ts"
import type { TxPipeline } from "../../../chain/TxPipeline.ts"
import { MemoryStorage, openCommitMultiStore } from "../../../store/IavlMultiStore.ts"
import type { CommitMultiStore } from "../../../store/KVStore.ts"

/** Chain id of every conformance chain. */
export const CHAIN_ID = "conformance-1"
/** Fee every harness tx pays (boot), whatever its gas limit: fee effects are the same for all txs. */
export const FEE_AMOUNT = "1000000"
/** Gas limit of a tx that should never run out. */
export const PLENTY_GAS = 50_000_000
const GENESIS_SECONDS = 1_700_000_000n

/** A signing key (secp256k1, cyber prefix). */
export interface Key {
  readonly address: string
  readonly pubkey: Uint8Array
  readonly wallet: DirectSecp256k1Wallet
}

/** A deterministic key from a tag. */
export const makeKey = async (tag: string): Promise<Key> => {
  const wallet = await DirectSecp256k1Wallet.fromKey(sha256(new TextEncoder().encode(tag)), "cyber")
  const [acc] = await wallet.getAccounts()
  return { address: acc!.address, pubkey: acc!.pubkey, wallet }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")

/** A chain over the real Application; `path` selects LevelDB, otherwise memory. */
export class Chain {
  readonly app: Application
  readonly store: CommitMultiStore
  readonly machines: ReadonlyArray<Machine>
  constructor(app: Application, store: CommitMultiStore, machines: ReadonlyArray<Machine>) {
    this.app = app
    this.store = store
    this.machines = machines
  }

  /** Open the store (fresh, or an existing one at `path`) and build the app; "auth" is the tx pipeline. */
  static async open(machines: ReadonlyArray<Machine>, path?: string): Promise<Chain> {
    const namespaces = Application.namespaces()
    const store = await openCommitMultiStore(path === undefined ? { memory: new MemoryStorage(), namespaces } : { path, namespaces })
    const auth = machines.find((m) => m.name === "auth")
    if (!auth) throw new Error("conformance chain: the machine list must include auth (the tx pipeline)")
    const app = new Application({ chainId: CHAIN_ID, store, machines, pipeline: auth as unknown as TxPipeline })
    return new Chain(app, store, machines)
  }

  /** InitChain with `appState`, then an empty block 1 so queries have a version. */
  async init(appState: Record<string, unknown>): Promise<void> {
    await this.app.initChain({
      time: { seconds: GENESIS_SECONDS, nanos: 0 }, chainId: CHAIN_ID, consensusParams: undefined, validators: [],
      appStateBytes: new TextEncoder().encode(JSON.stringify(appState)), initialHeight: 1n
    })
    await this.block([])
  }

  /** Height of the last commit. */
  height(): number {
    return this.store.lastCommit().version
  }

  /** FinalizeBlock + Commit of `txs` at the next height (block time and hash from the height). */
  async block(txs: ReadonlyArray<Uint8Array>): Promise<ExecTxResult[]> {
    const height = this.height() + 1
    const hash = new Uint8Array(32)
    new DataView(hash.buffer).setUint32(0, height)
    const res = await this.app.finalizeBlock({
      txs: [...txs], decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash, height: BigInt(height),
      time: { seconds: GENESIS_SECONDS + BigInt(height) * 5n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20)
    })
    await this.app.commit()
    return res.txResults
  }

  /** One tx in its own block. */
  async tx(tx: Uint8Array): Promise<ExecTxResult> {
    return (await this.block([tx]))[0]!
  }

  /** ABCI query at the latest height. */
  query(path: string, data: Uint8Array): Promise<ResponseQuery> {
    return this.app.query({ path, data, height: 0n, prove: false })
  }

  /** Account number and sequence of `address` (both 0 when it has no account yet). */
  async account(address: string): Promise<{ accountNumber: bigint; sequence: bigint }> {
    const r = await this.query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address }).finish())
    if (r.code !== 0) return { accountNumber: 0n, sequence: 0n }
    const acc = accountFromAny(QueryAccountResponse.decode(r.value).account!)
    return { accountNumber: BigInt(acc.accountNumber), sequence: BigInt(acc.sequence) }
  }

  /** A tx of `msgs` signed by `key` at its current account number and sequence, paying FEE_AMOUNT boot. */
  async sign(key: Key, msgs: ReadonlyArray<Any>, gasLimit = PLENTY_GAS): Promise<Uint8Array> {
    const { accountNumber, sequence } = await this.account(key.address)
    const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: [...msgs], memo: "" })).finish()
    const authInfoBytes = makeAuthInfoBytes(
      [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(key.pubkey)), sequence }], [{ denom: "boot", amount: FEE_AMOUNT }], gasLimit, undefined, undefined
    )
    const { signature } = await key.wallet.signDirect(key.address, makeSignDoc(bodyBytes, authInfoBytes, CHAIN_ID, accountNumber))
    return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] }).finish()
  }

  /** Gas the tx uses (Simulate over ABCI query; signatures present, so the same as in a block). */
  async simulate(tx: Uint8Array): Promise<{ code: number; log: string; gasUsed: number }> {
    const r = await this.query("/cosmos.tx.v1beta1.Service/Simulate", SimulateRequest.encode({ txBytes: tx }).finish())
    if (r.code !== 0) return { code: r.code, log: r.log, gasUsed: 0 }
    return { code: 0, log: "", gasUsed: Number(SimulateResponse.decode(r.value).gasInfo?.gasUsed ?? 0n) }
  }

  /** App hash of the last commit, hex. */
  appHash(): string {
    return hex(this.store.lastCommit().hash)
  }

  /** Namespace roots of the last commit: name -> hex root. */
  roots(): Record<string, string> {
    return Object.fromEntries(this.store.storeRoots().map((r) => [r.name, hex(r.hash)]))
  }

  /** Every key=value (hex) of namespace `name` in the working state. */
  dump(name: string): Map<string, string> {
    return new Map([...this.store.store(name).iterate()].map(([k, v]) => [hex(k), hex(v)]))
  }

  /** Release the store (LevelDB or memory). */
  close(): Promise<void> {
    return this.store.close()
  }
}

/** Bytes that changed from `before` to `after` (keys + values of added or changed entries, keys of removed ones). */
export const bytesChanged = (before: Map<string, string>, after: Map<string, string>): number => {
  let n = 0
  for (const [k, v] of after) if (before.get(k) !== v) n += (k.length + v.length) / 2
  for (const k of before.keys()) if (!after.has(k)) n += k.length / 2
  return n
}
