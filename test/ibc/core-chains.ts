/**
 * Two in-process chains for IBC core tests: each a real Application (auth, bank, ibc with the
 * test-double client and the echo app) over the real IAVL multistore, with the app hash and block
 * time of every committed height recorded, so a "header" of height h+1 (root = app hash after h,
 * as a CometBFT header carries it) can be given to the other chain's client, and proofs come from
 * `store/ibc/key` ABCI queries with prove = true exactly as a relayer fetches them.
 */
import { encodeSecp256k1Pubkey } from "@cosmjs/amino"
import { fromBase64 } from "@cosmjs/encoding"
import { DirectSecp256k1Wallet, encodePubkey, makeAuthInfoBytes, makeSignDoc } from "@cosmjs/proto-signing"
import { accountFromAny } from "@cosmjs/stargate"
import { sha256 } from "@noble/hashes/sha2.js"
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query"
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { Any as AnyCodec } from "cosmjs-types/google/protobuf/any"
import { MsgUpdateClient } from "cosmjs-types/ibc/core/client/v1/tx"
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { Application } from "../../chain/Application.ts"
import type { Machine } from "../../chain/Machine.ts"
import type { TxPipeline } from "../../chain/TxPipeline.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { IbcMachine, type IbcConfig } from "../../modules/ibc/Ibc.ts"
import { revisionOf } from "../../modules/ibc/core/Height.ts"
import type { Height } from "../../modules/ibc/LightClient.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import type { CommitMultiStore } from "../../store/KVStore.ts"
import { echoApp, merkleProofFromOps, testClientRoute, testHeader, type EchoLog } from "./core-support.ts"

const GENESIS_SECONDS = 1_700_000_000n
const enc = new TextEncoder()
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

/** A signing key (secp256k1, cyber prefix). */
export interface Key {
  readonly address: string
  readonly pubkey: Uint8Array
  readonly wallet: DirectSecp256k1Wallet
}

/** A deterministic key from a tag. */
export const makeKey = async (tag: string): Promise<Key> => {
  const wallet = await DirectSecp256k1Wallet.fromKey(sha256(enc.encode(tag)), "cyber")
  const [acc] = await wallet.getAccounts()
  return { address: acc!.address, pubkey: acc!.pubkey, wallet }
}

/** One chain. */
export class IbcChain {
  readonly chainId: string
  readonly app: Application
  readonly store: CommitMultiStore
  readonly ibc: IbcMachine
  readonly log: EchoLog
  /** App hash and block time (ns) of each committed height. */
  readonly appHashes = new Map<number, Uint8Array>()
  readonly times = new Map<number, bigint>()
  /** Seconds between blocks. */
  blockSeconds = 5n
  /** A second, independent app of the same chain fed every block; block() throws on any divergence. */
  twin: IbcChain | undefined
  /** Blocks compared with the twin. */
  twinBlocks = 0

  private constructor(chainId: string, app: Application, store: CommitMultiStore, ibc: IbcMachine, log: EchoLog) {
    this.chainId = chainId
    this.app = app
    this.store = store
    this.ibc = ibc
    this.log = log
  }

  /**
   * Extra machines (constructed per chain) may be given; auth, bank and ibc always run. `apps` adds
   * applications (e.g. ICS-20 transfer) besides the echo apps; `more` adds a port router (CyberWasm
   * program ports) and grants.
   */
  static async open(
    chainId: string, extra: (ibc: IbcMachine) => Machine[] = () => [], apps: NonNullable<IbcConfig["apps"]> = () => [],
    more: Pick<IbcConfig, "ports" | "grants"> = {}
  ): Promise<IbcChain> {
    const store = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: Application.namespaces() })
    const log: EchoLog = { events: [] }
    const ibc = new IbcMachine({ lightClients: [testClientRoute], apps: (core) => [echoApp(core, log), echoApp(core, log, "echo2"), ...apps(core)], ...more })
    const auth = new AuthMachine({ minGasPrices: "0.0001boot" })
    const app = new Application({ chainId, store, machines: [auth, new BankMachine(), ibc, ...extra(ibc)], pipeline: auth as unknown as TxPipeline })
    return new IbcChain(chainId, app, store, ibc, log)
  }

  /** InitChain funding `funded` (and `ibc` genesis if given), then block 1. */
  async init(funded: ReadonlyArray<string>, ibcGenesis?: unknown): Promise<void> {
    const appState = {
      auth: { accounts: [] },
      bank: { balances: funded.map((address) => ({ address, coins: [{ denom: "boot", amount: "1000000000000000" }] })) },
      ...(ibcGenesis === undefined ? {} : { ibc: ibcGenesis })
    }
    const init = {
      time: { seconds: GENESIS_SECONDS, nanos: 0 }, chainId: this.chainId, consensusParams: undefined, validators: [],
      appStateBytes: enc.encode(JSON.stringify(appState)), initialHeight: 1n
    }
    await this.app.initChain(init)
    await this.twin?.app.initChain(init)
    await this.block([])
  }

  height(): number {
    return this.store.lastCommit().version
  }

  /** This chain's IBC height at block `h` (revision from the chain id). */
  ibcHeight(h: number = this.height()): Height {
    return { revisionNumber: revisionOf(this.chainId), revisionHeight: BigInt(h) }
  }

  private nextSeconds = GENESIS_SECONDS

  /** FinalizeBlock + Commit of `txs`. */
  async block(txs: ReadonlyArray<Uint8Array>): Promise<ExecTxResult[]> {
    const height = this.height() + 1
    this.nextSeconds += this.blockSeconds
    const hash = new Uint8Array(32)
    new DataView(hash.buffer).setUint32(0, height)
    const req = {
      txs: [...txs], decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash, height: BigInt(height),
      time: { seconds: this.nextSeconds, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20)
    }
    const res = await this.app.finalizeBlock(req)
    await this.app.commit()
    if (this.twin) {
      const t = await this.twin.app.finalizeBlock(req)
      await this.twin.app.commit()
      const view = (r: typeof res) => JSON.stringify([hex(r.appHash), r.txResults.map((x) => [x.code, x.codespace, String(x.gasUsed), hex(x.data), x.log])])
      if (view(t) !== view(res)) throw new Error(`twin diverged at height ${height}: ${view(res)} vs ${view(t)}`)
      if (hex(this.twin.store.lastCommit().hash) !== hex(this.store.lastCommit().hash)) throw new Error(`twin committed app hash differs at height ${height}`)
      this.twinBlocks++
    }
    this.appHashes.set(height, this.store.lastCommit().hash)
    this.times.set(height, this.nextSeconds * 1_000_000_000n)
    return res.txResults
  }

  /** Sign `msgs` with `key` and run them in one block; returns the tx result. */
  async tx(key: Key, msgs: ReadonlyArray<Any>): Promise<ExecTxResult> {
    return (await this.block([await this.sign(key, msgs)]))[0]!
  }

  async account(address: string): Promise<{ accountNumber: bigint; sequence: bigint }> {
    const r = await this.app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address }).finish(), height: 0n, prove: false })
    if (r.code !== 0) return { accountNumber: 0n, sequence: 0n }
    const acc = accountFromAny(QueryAccountResponse.decode(r.value).account!)
    return { accountNumber: BigInt(acc.accountNumber), sequence: BigInt(acc.sequence) }
  }

  /** A tx of `msgs` signed by `key`; `sequenceOffset` signs ahead of the committed sequence (several txs of one block). */
  async sign(key: Key, msgs: ReadonlyArray<Any>, gasLimit = 50_000_000, sequenceOffset = 0n): Promise<Uint8Array> {
    const acct = await this.account(key.address)
    const { accountNumber } = acct
    const sequence = acct.sequence + sequenceOffset
    const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: [...msgs], memo: "" })).finish()
    const authInfoBytes = makeAuthInfoBytes([{ pubkey: encodePubkey(encodeSecp256k1Pubkey(key.pubkey)), sequence }], [{ denom: "boot", amount: "1000000" }], gasLimit, undefined, undefined)
    const { signature } = await key.wallet.signDirect(key.address, makeSignDoc(bodyBytes, authInfoBytes, this.chainId, accountNumber))
    return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] }).finish()
  }

  /** gRPC query at the latest height; throws with the log on a non-zero code. */
  async query(path: string, data: Uint8Array): Promise<Uint8Array> {
    const r = await this.app.query({ path, data, height: 0n, prove: false })
    if (r.code !== 0) throw new Error(`query ${path}: code ${r.code} ${r.codespace}: ${r.log}`)
    return r.value
  }

  /** Raw query answer (code, codespace, log) at the latest height. */
  rawQuery(path: string, data: Uint8Array) {
    return this.app.query({ path, data, height: 0n, prove: false })
  }

  /** `abci_query store/ibc/key` with prove at `height`: value and the ibc-go MerkleProof bytes. */
  async prove(path: string, height: number): Promise<{ value: Uint8Array; proof: Uint8Array }> {
    const r = await this.app.query({ path: "store/ibc/key", data: enc.encode(path), height: BigInt(height), prove: true })
    if (r.code !== 0) throw new Error(`store query ${path}: code ${r.code}: ${r.log}`)
    return { value: r.value, proof: merkleProofFromOps(r.proofOps!.ops) }
  }

  /** The header a relayer would give for height h (h committed): root = app hash after h-1, time of h. */
  header(h: number) {
    return testHeader(this.ibcHeight(h), this.times.get(h)!, this.appHashes.get(h - 1)!)
  }

  /** RelayChain.proofFor over the test-double client (see {@link proofFrom}). */
  proofFor(clientIdOnDst: string, path: string, signer: string) {
    return proofFrom(this, clientIdOnDst, path, signer)
  }

  /** Every key=value (hex) of the ibc namespace in the working state. */
  dump(): Map<string, string> {
    return new Map([...this.store.store("ibc").iterate()].map(([k, v]) => [hex(k), hex(v)]))
  }
}

/** MsgUpdateClient of `clientId` on the destination with `src`'s header at `h`. */
export const updateClientMsg = (src: IbcChain, clientId: string, h: number, signer: string): Any => ({
  typeUrl: "/ibc.core.client.v1.MsgUpdateClient",
  value: MsgUpdateClient.encode({ clientId, clientMessage: AnyCodec.fromPartial(src.header(h)), signer }).finish()
})

/**
 * A proof of `path` on `src` as of its latest state: `src` makes one more (empty) block so a
 * header carries that state's app hash; returns the update message for `dst`'s client, the proof
 * and the proof height.
 */
export const proofFrom = async (src: IbcChain, clientIdOnDst: string, path: string, signer: string): Promise<{ update: Any; proof: Uint8Array; proofHeight: Height; value: Uint8Array }> => {
  const state = src.height()
  await src.block([])
  const { value, proof } = await src.prove(path, state)
  return { update: updateClientMsg(src, clientIdOnDst, state + 1, signer), proof, proofHeight: src.ibcHeight(state + 1), value }
}

/** Throw with the log unless the result is code 0. */
export const ok = (r: ExecTxResult, what: string): ExecTxResult => {
  if (r.code !== 0) throw new Error(`${what}: code ${r.code} (${r.codespace}): ${r.log}`)
  return r
}
