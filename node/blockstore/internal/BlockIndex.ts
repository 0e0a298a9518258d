/**
 * The block event index behind block_search, as CometBFT's kv block indexer: every height with
 * saved results answers `block.height`, and each attribute (with `index: true`, or all of them
 * with `indexAllAttributes`) of the height's FinalizeBlock events is indexed under its composite
 * key `type.key`. Kept in the same LevelDB as the blocks (keys `BE:`), written in the batch that
 * saves the height's results; a store written before this index existed is indexed on open.
 *
 * Source: cometbft v0.38 state/indexer/block/kv/kv.go (Index, indexEvents, Search),
 * rpc/core/blocks.go (BlockSearch).
 */
import type { Event } from "cosmjs-types/tendermint/abci/types"
import type { BlockSearchPage } from "../../../chain/BlockStore.ts"
import { matchesCondition, parseTxQuery, TxQueryError, type TxCondition } from "../TxQuery.ts"
import { decodeResultEvents, h16, HEIGHT_WIDTH, keys } from "./Codec.ts"
import { prefixEnd, type KvOp, type OrderedKv } from "./OrderedKv.ts"

const MARK = new Uint8Array([1])

/** `type.key` / value pairs of a height's events that go into the index. */
const indexed = (events: ReadonlyArray<Event>, all: boolean): Array<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = []
  for (const ev of events) {
    if (ev.type === "") continue
    for (const a of ev.attributes) {
      if (a.key === "" || (!a.index && !all)) continue
      const composite = `${ev.type}.${a.key}`
      // block.height is reserved (CometBFT refuses it); a NUL would make index keys ambiguous
      if (composite === "block.height" || composite.includes("\u0000") || a.value.includes("\u0000")) continue
      out.push([composite, a.value] as const)
    }
  }
  return out
}

/** The writes indexing one height's FinalizeBlock events (with the index height record). */
export const blockIndexOps = (height: number, events: ReadonlyArray<Event>, all: boolean): KvOp[] => {
  const ops: KvOp[] = indexed(events, all).map(([k, v]) => ({ type: "put", key: keys.blockEvent(k, v, height), value: MARK }))
  ops.push({ type: "put", key: keys.blockIndexHeight, value: new TextEncoder().encode(h16(height)) })
  return ops
}

/** Heights per batch when indexing an existing store on open. */
const REINDEX_BATCH = 500

/**
 * Bring the index up to `resultsHeight`: a store saved before the index existed (no index height
 * record) is indexed from `base` out of its saved results, in batches. Returns the heights indexed.
 */
export const catchUpBlockIndex = async (kv: OrderedKv, base: number, resultsHeight: number, all: boolean): Promise<number> => {
  const rec = await kv.get(keys.blockIndexHeight)
  let from = rec === undefined ? Math.max(base, 1) : parseInt(new TextDecoder().decode(rec), 16) + 1
  const start = from
  while (from <= resultsHeight) {
    const to = Math.min(resultsHeight, from + REINDEX_BATCH - 1)
    const hs = Array.from({ length: to - from + 1 }, (_, i) => from + i)
    const found = await kv.getMany(hs.map(keys.results))
    const ops: KvOp[] = []
    hs.forEach((h, i) => {
      const bytes = found[i]
      if (bytes !== undefined) ops.push(...blockIndexOps(h, decodeResultEvents(bytes), all))
    })
    ops.push({ type: "put", key: keys.blockIndexHeight, value: new TextEncoder().encode(h16(to)) })
    await kv.batch(ops)
    from = to + 1
  }
  return Math.max(0, resultsHeight - start + 1)
}

const heightOf = (key: string): number => parseInt(key.slice(key.length - HEIGHT_WIDTH), 16)

/** Narrow [lo, hi] by an integer comparison on block.height; false when it cannot (then filter). */
const narrow = (c: TxCondition, range: { lo: number; hi: number }): boolean => {
  if (c.op === "EXISTS") return true
  if (c.operand === undefined || c.operand.kind !== "number" || !/^-?[0-9]+$/.test(c.operand.value) || c.op === "CONTAINS") return false
  const n = Number(c.operand.value)
  if (!Number.isSafeInteger(n)) return false
  if (c.op === "=") (range.lo = Math.max(range.lo, n)), (range.hi = Math.min(range.hi, n))
  else if (c.op === ">") range.lo = Math.max(range.lo, n + 1)
  else if (c.op === ">=") range.lo = Math.max(range.lo, n)
  else if (c.op === "<") range.hi = Math.min(range.hi, n - 1)
  else range.hi = Math.min(range.hi, n)
  return true
}

/** Heights in [lo, hi] whose indexed attributes satisfy one condition. */
const heightsFor = async (kv: OrderedKv, c: TxCondition, lo: number, hi: number): Promise<Set<number>> => {
  const out = new Set<number>()
  const exact = c.op === "=" && c.operand!.kind === "string"
  const prefix = exact ? keys.blockEventValuePrefix(c.key, c.operand!.value) : keys.blockEventKeyPrefix(c.key)
  for (const [k] of await kv.scan(prefix, prefixEnd(prefix))) {
    const h = heightOf(k)
    if (h < lo || h > hi) continue
    if (exact) {
      if (k.length === prefix.length + HEIGHT_WIDTH) out.add(h)
      continue
    }
    if (matchesCondition(c, k.slice(prefix.length, k.length - HEIGHT_WIDTH - 1))) out.add(h)
  }
  return out
}

/**
 * Search the index: `block.height` conditions narrow the height range (answered without reading
 * the index when they are the only ones), attribute conditions intersect. Heights are in
 * [base, upTo]; the page is cut after sorting in `orderBy` order.
 */
export const searchBlockIndex = async (
  kv: OrderedKv, base: number, upTo: number, query: string, page: number, perPage: number, orderBy: "asc" | "desc"
): Promise<BlockSearchPage> => {
  const conditions = parseTxQuery(query)
  if (!Number.isSafeInteger(page) || page < 1) throw new TxQueryError({ query, reason: `page must be >= 1, got ${page}` })
  if (!Number.isSafeInteger(perPage) || perPage < 1) throw new TxQueryError({ query, reason: `per_page must be >= 1, got ${perPage}` })
  const txKey = conditions.find((c) => c.key === "tx.hash" || c.key === "tx.height")
  if (txKey !== undefined) {
    throw new TxQueryError({ query, reason: `${txKey.key} is a tx_search key; block_search takes block.height and FinalizeBlock event attributes` })
  }
  const range = { lo: Math.max(base, 1), hi: upTo }
  const heightFilters: TxCondition[] = []
  const attrs: TxCondition[] = []
  for (const c of conditions) {
    if (c.key !== "block.height") attrs.push(c)
    else if (!narrow(c, range)) heightFilters.push(c)
  }
  const skip = (page - 1) * perPage
  if (range.lo > range.hi) return { heights: [], totalCount: 0 }
  if (attrs.length === 0 && heightFilters.length === 0) {
    // a pure height range: counted, never listed
    const total = range.hi - range.lo + 1
    const n = Math.max(0, Math.min(perPage, total - skip))
    const heights = Array.from({ length: n }, (_, i) => (orderBy === "asc" ? range.lo + skip + i : range.hi - skip - i))
    return { heights, totalCount: total }
  }
  let found: Set<number> | undefined
  for (const c of attrs) {
    const next = await heightsFor(kv, c, range.lo, range.hi)
    found = found === undefined ? next : new Set([...found].filter((h) => next.has(h)))
    if (found.size === 0) return { heights: [], totalCount: 0 }
  }
  const keep = (h: number) => heightFilters.every((c) => matchesCondition(c, String(h)))
  if (found === undefined) {
    // only height filters (CONTAINS, a string '='...): walk the range keeping one page, not the list
    const heights: number[] = []
    let total = 0
    for (let i = 0; i <= range.hi - range.lo; i++) {
      const h = orderBy === "asc" ? range.lo + i : range.hi - i
      if (!keep(h)) continue
      if (total >= skip && heights.length < perPage) heights.push(h)
      total++
    }
    return { heights, totalCount: total }
  }
  const all = [...found].filter(keep).sort((a, b) => a - b)
  if (orderBy === "desc") all.reverse()
  return { heights: all.slice(skip, skip + perPage), totalCount: all.length }
}
