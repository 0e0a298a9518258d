/**
 * Test double: a small persistent kvstore ABCI application on `level` (like CometBFT's
 * abci/example/kvstore). Txs are `key=value`; CheckTx rejects anything else (code 1). Keys that
 * start with `!` are write-once: CheckTx (code 2) and FinalizeBlock (code 2) reject a write to a
 * key already committed, so a tx can become invalid after a commit (recheck tests). The app hash is folded as sha256(app hash || tx)
 * over the block's successful txs (unchanged by an empty block). Commit writes the block's writes, height and app hash in one batch, so a crash
 * before Commit leaves the previous height (Info reports it).
 */
import { sha256 } from "@noble/hashes/sha2.js"
import { Level } from "level"
import {
  ExecTxResult, ResponseCheckTx, ResponseFinalizeBlock, ResponseInfo, ResponseInitChain,
  ResponsePrepareProposal, ResponseProcessProposal, ResponseProcessProposal_ProposalStatus, ResponseQuery,
  type RequestCheckTx, type RequestFinalizeBlock, type RequestInfo, type RequestInitChain,
  type RequestPrepareProposal, type RequestProcessProposal, type RequestQuery, type ResponseCommit
} from "cosmjs-types/tendermint/abci/types"
import type { AbciApplication } from "../../chain/Abci.ts"

const enc = new TextEncoder()
const dec = new TextDecoder()

const parse = (tx: Uint8Array): [string, string] | undefined => {
  const s = dec.decode(tx)
  const i = s.indexOf("=")
  return i > 0 ? [s.slice(0, i), s.slice(i + 1)] : undefined
}

/** A persistent kvstore application (test double). */
export class KvApp implements AbciApplication {
  readonly db: Level<string, string>
  /** PrepareProposal keeps at most this many txs. */
  maxTxsPerBlock = Number.MAX_SAFE_INTEGER
  /** Every call, in order, for order assertions: "info", "initChain", "finalizeBlock:3", ... */
  readonly calls: string[] = []
  /** Throw from the next call of this method (application exception tests). */
  throwOn: string | undefined
  private height = 0n
  private appHash: Uint8Array = new Uint8Array(0)
  private pending: { height: bigint; appHash: Uint8Array; writes: Array<[string, string]> } | undefined

  private constructor(db: Level<string, string>) { this.db = db }

  /** Opens (or reopens) the app's LevelDB in `dir`. */
  static async open(dir: string): Promise<KvApp> {
    const db = new Level<string, string>(dir)
    await db.open()
    const app = new KvApp(db)
    const h = await db.get("meta:height")
    const a = await db.get("meta:apphash")
    if (h !== undefined) app.height = BigInt(h)
    if (a !== undefined) app.appHash = Uint8Array.from(Buffer.from(a, "hex"))
    return app
  }

  close(): Promise<void> { return this.db.close() }

  private enter(name: string): void {
    this.calls.push(name)
    if (this.throwOn === name.split(":")[0]) { this.throwOn = undefined; throw new Error(`kvapp: injected failure in ${name}`) }
  }

  async info(_req: RequestInfo): Promise<ResponseInfo> {
    this.enter("info")
    return ResponseInfo.fromPartial({ data: "kvapp", version: "1", appVersion: 1n, lastBlockHeight: this.height, lastBlockAppHash: this.appHash })
  }

  async initChain(req: RequestInitChain): Promise<ResponseInitChain> {
    this.enter("initChain")
    this.appHash = sha256(req.appStateBytes)
    return ResponseInitChain.fromPartial({ appHash: this.appHash, validators: [] })
  }

  async checkTx(req: RequestCheckTx): Promise<ResponseCheckTx> {
    this.enter(`checkTx:${req.type}`)
    const kv = parse(req.tx)
    if (kv === undefined) return ResponseCheckTx.fromPartial({ code: 1, log: "tx must be key=value", codespace: "kv" })
    if (kv[0].startsWith("!") && (await this.db.get(`kv:${kv[0]}`)) !== undefined) {
      return ResponseCheckTx.fromPartial({ code: 2, log: `key ${kv[0]} is write-once`, codespace: "kv" })
    }
    return ResponseCheckTx.fromPartial({ code: 0, gasWanted: 1n })
  }

  async prepareProposal(req: RequestPrepareProposal): Promise<ResponsePrepareProposal> {
    this.enter(`prepareProposal:${req.height}`)
    let bytes = 0n
    const txs: Uint8Array[] = []
    for (const tx of req.txs) {
      if (bytes + BigInt(tx.length) > req.maxTxBytes || txs.length >= this.maxTxsPerBlock) break
      bytes += BigInt(tx.length)
      txs.push(tx)
    }
    return ResponsePrepareProposal.fromPartial({ txs })
  }

  async processProposal(req: RequestProcessProposal): Promise<ResponseProcessProposal> {
    this.enter(`processProposal:${req.height}`)
    const ok = req.txs.every((t) => parse(t) !== undefined)
    return ResponseProcessProposal.fromPartial({
      status: ok ? ResponseProcessProposal_ProposalStatus.ACCEPT : ResponseProcessProposal_ProposalStatus.REJECT
    })
  }

  async finalizeBlock(req: RequestFinalizeBlock): Promise<ResponseFinalizeBlock> {
    this.enter(`finalizeBlock:${req.height}`)
    if (req.height !== this.height + 1n && this.height !== 0n) {
      throw new Error(`kvapp: FinalizeBlock at ${req.height} after committed height ${this.height}`)
    }
    let h: Uint8Array = this.appHash
    const writes: Array<[string, string]> = []
    const txResults: ExecTxResult[] = []
    for (const tx of req.txs) {
      const kv = parse(tx)
      if (kv === undefined) { txResults.push(ExecTxResult.fromPartial({ code: 1, log: "tx must be key=value" })); continue }
      if (kv[0].startsWith("!") && (writes.some(([k]) => k === kv[0]) || (await this.db.get(`kv:${kv[0]}`)) !== undefined)) {
        txResults.push(ExecTxResult.fromPartial({ code: 2, log: `key ${kv[0]} is write-once` }))
        continue
      }
      writes.push(kv)
      const next = new Uint8Array(h.length + tx.length)
      next.set(h, 0); next.set(tx, h.length)
      h = sha256(next)
      txResults.push(ExecTxResult.fromPartial({ code: 0, data: enc.encode(kv[0]), gasUsed: 1n, gasWanted: 1n,
        events: [{ type: "kv", attributes: [{ key: "key", value: kv[0], index: true }] }] }))
    }
    // an empty block leaves the app hash unchanged (as create_empty_blocks=false expects)
    const appHash = h
    this.pending = { height: req.height, appHash, writes }
    return ResponseFinalizeBlock.fromPartial({ txResults, appHash, events: [], validatorUpdates: [] })
  }

  async commit(): Promise<ResponseCommit> {
    this.enter("commit")
    const p = this.pending
    if (p === undefined) throw new Error("kvapp: Commit without FinalizeBlock")
    const batch = this.db.batch()
    for (const [k, v] of p.writes) batch.put(`kv:${k}`, v)
    batch.put("meta:height", String(p.height))
    batch.put("meta:apphash", Buffer.from(p.appHash).toString("hex"))
    await batch.write()
    this.height = p.height
    this.appHash = p.appHash
    this.pending = undefined
    return { retainHeight: 0n }
  }

  async query(req: RequestQuery): Promise<ResponseQuery> {
    this.enter("query")
    const key = dec.decode(req.data)
    const v = await this.db.get(`kv:${key}`)
    return ResponseQuery.fromPartial({
      code: v === undefined ? 1 : 0, key: req.data, value: v === undefined ? new Uint8Array(0) : enc.encode(v),
      height: this.height, log: v === undefined ? "not found" : "exists"
    })
  }
}
