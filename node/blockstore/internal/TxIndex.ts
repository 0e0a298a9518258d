/**
 * The writes of one height's tx index, as CometBFT's kv tx indexer: each tx under its hash
 * (`X:`, a tendermint.abci.TxResult), its position (`T:`, value the hash) and one key per indexed
 * event attribute (`E:`, the position in the key; empty value, see below); plus the height's
 * block event index (BlockIndex.ts) and the index height record.
 *
 * `E:` keys written before the indexer ran after Commit carry the tx hash as value; newer ones
 * are empty (27 attributes of a MsgSend made that 864 bytes per tx) and a search resolves the
 * hash of a page's positions through `T:`. Both read the same.
 *
 * Source: cometbft v0.38 state/txindex/kv/kv.go (Index, indexEvents; a failed tx never replaces
 * an earlier successful one with the same hash), state/txindex/indexer_service.go.
 */
import type { Event, ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { sha256, toHex } from "../../../lib/Bytes.ts"
import { blockIndexOps } from "./BlockIndex.ts"
import { decodeTxResult, encodeIndexedTx, h16, keys } from "./Codec.ts"
import type { KvOp, OrderedKv } from "./OrderedKv.ts"

/** One height to index: its txs, their results (decoded and as encoded) and the block events. */
export interface IndexJob {
  readonly height: number
  readonly txs: ReadonlyArray<Uint8Array>
  readonly txResults: ReadonlyArray<ExecTxResult>
  /** Each tx result's ExecTxResult encoding (reused inside the stored TxResult). */
  readonly resultBytes: ReadonlyArray<Uint8Array>
  readonly events: ReadonlyArray<Event>
}

const EMPTY = new Uint8Array(0)
const enc = new TextEncoder()
/** Txs between yields to the event loop while building a height's writes. */
const CHUNK = 64

/**
 * The `E:` key prefixes (`E:type.key NUL value NUL`) of a tx's indexed attributes, each once: a
 * MsgSend repeats 4 of its 27 (the sender in message and transfer events of fee and send).
 */
const indexedAttributes = (result: ExecTxResult, all: boolean): Set<string> => {
  const out = new Set<string>()
  for (const ev of result.events) {
    if (ev.type === "") continue
    for (const a of ev.attributes) {
      if (a.key === "" || (!a.index && !all)) continue
      const composite = `${ev.type}.${a.key}`
      // A NUL inside a composite key would make index keys ambiguous; such attributes are skipped.
      if (composite.includes("\u0000")) continue
      // tx.hash and tx.height are reserved (CometBFT refuses them); they are never indexed from events.
      if (composite === "tx.hash" || composite === "tx.height") continue
      out.add(keys.eventValuePrefix(composite, a.value))
    }
  }
  return out
}

/**
 * Tx indexes (in this height) that must not be indexed: failed txs whose hash already names a
 * successful tx, earlier in this height or in the index. Reads only the failed txs' hashes.
 */
const hiddenFailures = async (kv: OrderedKv, job: IndexJob, hashes: ReadonlyArray<Uint8Array>): Promise<Set<number>> => {
  const hidden = new Set<number>()
  const failed: number[] = []
  job.txResults.forEach((r, i) => { if (r.code !== 0) failed.push(i) })
  if (failed.length === 0) return hidden
  const prior = await kv.getMany(failed.map((i) => keys.tx(hashes[i]!)))
  const okHere = new Set<string>()
  let next = 0
  for (let i = 0; i < hashes.length; i++) {
    if (job.txResults[i]!.code === 0) { okHere.add(toHex(hashes[i]!)); continue }
    const p = prior[next++]
    if (okHere.has(toHex(hashes[i]!)) || (p !== undefined && decodeTxResult(p).result?.code === 0)) hidden.add(i)
  }
  return hidden
}

/**
 * All writes indexing `job`: tx index, block event index and both index height records (one
 * atomic batch, so a crash leaves a height fully indexed or not at all). Yields to the event loop
 * every CHUNK txs so that RPC requests are served meanwhile.
 */
export const indexOps = async (kv: OrderedKv, job: IndexJob, all: boolean): Promise<KvOp[]> => {
  const h = job.height
  const hashes = job.txs.map(sha256)
  const hidden = await hiddenFailures(kv, job, hashes)
  const ops: KvOp[] = []
  for (let i = 0; i < job.txs.length; i++) {
    if (i > 0 && i % CHUNK === 0) await new Promise<void>((resolve) => setImmediate(resolve))
    if (hidden.has(i)) continue
    const hash = hashes[i]!
    ops.push({ type: "put", key: keys.tx(hash), value: encodeIndexedTx(h, i, job.txs[i]!, job.resultBytes[i]!) })
    const position = keys.position(h, i)
    ops.push({ type: "put", key: position, value: hash })
    // E: keys end with the position's 24 hex digits, as T: keys do
    const suffix = position.slice(keys.positionPrefix.length)
    for (const prefix of indexedAttributes(job.txResults[i]!, all)) ops.push({ type: "put", key: prefix + suffix, value: EMPTY })
  }
  ops.push(...blockIndexOps(h, job.events, all))
  ops.push({ type: "put", key: keys.txIndexHeight, value: enc.encode(h16(h)) })
  return ops
}
