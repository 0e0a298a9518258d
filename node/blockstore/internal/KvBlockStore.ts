/**
 * The BlockStore over any OrderedKv: blocks by height and hash, FinalizeBlock results by height,
 * a tx index by hash and by position, and an event-attribute index for tx_search with CometBFT's
 * kv indexer semantics. A block save and a results save are each one atomic batch that also
 * rewrites the height record, so a reopened store resumes exactly at the last completed save.
 * The tx index and the block event index are written after the results, by the Indexer (off
 * the block's critical path, as CometBFT's indexer service): `tx`, `tx_search` and
 * `block_search` see a height a moment after its results are saved, and a store reopened after
 * a crash indexes what it missed.
 *
 * Source: cometbft v0.38 store/store.go (SaveBlock), state/store.go (SaveFinalizeBlockResponse),
 * state/txindex/kv/kv.go (Index, Search); the block event index (block_search) is BlockIndex.ts,
 * the tx index writes TxIndex.ts, the indexer Indexer.ts.
 */
import { BlockStoreError } from "../BlockStoreError.ts"
import type { IndexingBlockStore } from "../IndexingBlockStore.ts"
import type { BlockMeta } from "cosmjs-types/tendermint/types/types"
import type { IndexedTx, StoredBlock, StoredBlockResults, TxSearchPage } from "../../../chain/BlockStore.ts"
import { catchUpBlockIndex, searchBlockIndex } from "./BlockIndex.ts"
import { parseTxQuery, matchesCondition, TxQueryError, type TxCondition } from "../TxQuery.ts"
import {
  decodeBlock, decodeMeta, decodeResults, decodeState, decodeTxResult, encodeBlock, encodeState,
  h16, keys, POSITION_WIDTH, positionOf, resultSlices
} from "./Codec.ts"
import { startIndexer } from "./Indexer.ts"
import { encodeResultsRecord } from "./ResultCodec.ts"
import { prefixEnd, type OrderedKv } from "./OrderedKv.ts"
import { fromHex } from "../../../lib/Bytes.ts"

/** Options of a block store. */
export interface BlockStoreOptions {
  /**
   * Index every event attribute, not only those with `index: true`. Default false: CometBFT
   * v0.38's kv indexer indexes only attributes flagged `index` (the Cosmos SDK flags its own).
   */
  readonly indexAllAttributes?: boolean
}

interface Position {
  readonly height: number
  readonly index: number
}
/** A matched position; `hash` is undefined where the index key carries none (read from `T:`). */
interface Match {
  readonly pos: Position
  readonly hash: Uint8Array | undefined
}
const posKey = (p: Position): string => `${p.height}:${p.index}`
const comparePos = (a: Position, b: Position): number => a.height - b.height || a.index - b.index

/** Open a block store on `kv`, reading its saved heights; the indexer catches up in the background. */
export const openKvBlockStore = async (kv: OrderedKv, options: BlockStoreOptions = {}): Promise<IndexingBlockStore> => {
  const all = options.indexAllAttributes === true
  const stateBytes = await kv.get(keys.state)
  const st = stateBytes === undefined ? { base: 0, height: 0, resultsHeight: 0 } : decodeState(stateBytes)
  let base = st.base
  let height = st.height
  let resultsHeight = st.resultsHeight
  // No tx index height: a store written when the tx index was saved with the results.
  const txRec = await kv.get(keys.txIndexHeight)
  const txIndexed = txRec === undefined ? resultsHeight : parseInt(new TextDecoder().decode(txRec), 16)
  if (txRec === undefined) await kv.batch([{ type: "put", key: keys.txIndexHeight, value: new TextEncoder().encode(h16(txIndexed)) }])
  // A store saved before the block event index existed is indexed now, from its saved results.
  await catchUpBlockIndex(kv, base, txIndexed, all)
  // Saves are serialized so that the height checks and the batches never interleave.
  let tail: Promise<unknown> = Promise.resolve()
  const serial = <A>(f: () => Promise<A>): Promise<A> => {
    const run = tail.then(f, f)
    tail = run.catch(() => undefined)
    return run
  }

  const meta = async (h: number): Promise<BlockMeta | undefined> => {
    if (!Number.isSafeInteger(h) || h < base || h > height || h < 1) return undefined
    const bytes = await kv.get(keys.meta(h))
    return bytes === undefined ? undefined : decodeMeta(bytes)
  }

  const block = async (h: number): Promise<StoredBlock | undefined> => {
    const m = await meta(h)
    if (m === undefined) return undefined
    const bytes = await kv.get(keys.block(h))
    return bytes === undefined ? undefined : decodeBlock(bytes, m)
  }

  // The last saved block: its results come next and need its txs (no read back).
  let last: StoredBlock | undefined

  const load = async (h: number) => {
    const [blockBytes, metaBytes, resultBytes] = await kv.getMany([keys.block(h), keys.meta(h), keys.results(h)])
    if (blockBytes === undefined || metaBytes === undefined || resultBytes === undefined) return undefined
    const r = decodeResults(h, resultBytes)
    return { height: h, txs: decodeBlock(blockBytes, decodeMeta(metaBytes)).txs, txResults: r.txResults, resultBytes: resultSlices(resultBytes), events: r.events }
  }
  const indexer = startIndexer({ kv, indexed: txIndexed, base: () => base, resultsHeight: () => resultsHeight, load, indexAllAttributes: all })

  const saveBlock = (b: StoredBlock): Promise<void> =>
    serial(async () => {
      const h = Number(b.header.height)
      if (!Number.isSafeInteger(h) || h < 1) throw new BlockStoreError({ reason: `saveBlock: invalid height ${b.header.height}` })
      if (height > 0 && h !== height + 1) {
        throw new BlockStoreError({ reason: `saveBlock: expected height ${height + 1}, got ${h}` })
      }
      if (b.hash.length !== 32) throw new BlockStoreError({ reason: `saveBlock: block hash must be 32 bytes, got ${b.hash.length}` })
      const enc = encodeBlock(b)
      const newBase = height === 0 ? h : base
      await kv.batch([
        { type: "put", key: keys.meta(h), value: enc.meta },
        { type: "put", key: keys.block(h), value: enc.block },
        { type: "put", key: keys.byHash(b.hash), value: new TextEncoder().encode(String(h)) },
        { type: "put", key: keys.state, value: encodeState(newBase, h, height === 0 ? h - 1 : resultsHeight) }
      ])
      if (height === 0) resultsHeight = h - 1
      base = newBase
      height = h
      last = b
    })

  // The results record only (what the handshake and block_results need); the indexer does the rest.
  const saveResults = (r: StoredBlockResults): Promise<void> =>
    serial(async () => {
      const h = r.height
      if (h !== resultsHeight + 1) {
        throw new BlockStoreError({ reason: `saveResults: expected results for height ${resultsHeight + 1}, got ${h}` })
      }
      const b = last !== undefined && Number(last.header.height) === h ? last : await block(h)
      if (b === undefined) throw new BlockStoreError({ reason: `saveResults: block ${h} is not saved` })
      if (b.txs.length !== r.txResults.length) {
        throw new BlockStoreError({ reason: `saveResults: block ${h} has ${b.txs.length} txs but ${r.txResults.length} results` })
      }
      const enc = encodeResultsRecord(r)
      await kv.batch([
        { type: "put", key: keys.results(h), value: enc.record },
        { type: "put", key: keys.state, value: encodeState(base, height, h) }
      ])
      resultsHeight = h
      indexer.saved({ height: h, txs: b.txs, txResults: r.txResults, resultBytes: enc.txResults, events: r.events })
    })

  const tx = async (hash: Uint8Array): Promise<IndexedTx | undefined> => {
    const bytes = await kv.get(keys.tx(hash))
    if (bytes === undefined) return undefined
    const t = decodeTxResult(bytes)
    return { hash, height: Number(t.height), index: t.index, tx: t.tx, result: t.result }
  }

  /** Positions (with tx hash) matching one condition; `heightFilter` narrows tx.height scans. */
  const positionsFor = async (c: TxCondition, query: string): Promise<Map<string, Match>> => {
    const out = new Map<string, Match>()
    if (c.key === "tx.hash") {
      const text = c.operand!.value
      if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new TxQueryError({ query, reason: `tx.hash operand is not hex: ${text}` })
      const hash = fromHex(text)
      const t = await tx(hash)
      if (t !== undefined) out.set(posKey(t), { pos: { height: t.height, index: t.index }, hash })
      return out
    }
    if (c.key === "tx.height") {
      let lo = 1
      let hi = indexer.height()
      const n = c.operand !== undefined && /^-?[0-9]+$/.test(c.operand.value) ? Number(c.operand.value) : undefined
      if (n !== undefined) {
        if (c.op === "=") (lo = Math.max(lo, n)), (hi = Math.min(hi, n))
        else if (c.op === ">") lo = Math.max(lo, n + 1)
        else if (c.op === ">=") lo = Math.max(lo, n)
        else if (c.op === "<") hi = Math.min(hi, n - 1)
        else if (c.op === "<=") hi = Math.min(hi, n)
      }
      if (lo > hi) return out
      for (const [k, v] of await kv.scan(keys.position(lo, 0), keys.position(hi + 1, 0))) {
        const pos = positionOf(k)
        if (n === undefined && c.op !== "EXISTS" && !matchesCondition(c, String(pos.height))) continue
        out.set(posKey(pos), { pos, hash: v })
      }
      return out
    }
    if (c.op === "=" && c.operand!.kind === "string") {
      const prefix = keys.eventValuePrefix(c.key, c.operand!.value)
      for (const [k, v] of await kv.scan(prefix, prefixEnd(prefix))) {
        if (k.length !== prefix.length + POSITION_WIDTH) continue
        const pos = positionOf(k)
        out.set(posKey(pos), { pos, hash: v.length === 0 ? undefined : v })
      }
      return out
    }
    const prefix = keys.eventKeyPrefix(c.key)
    for (const [k, v] of await kv.scan(prefix, prefixEnd(prefix))) {
      const value = k.slice(prefix.length, k.length - POSITION_WIDTH - 1)
      if (!matchesCondition(c, value)) continue
      const pos = positionOf(k)
      out.set(posKey(pos), { pos, hash: v.length === 0 ? undefined : v })
    }
    return out
  }

  const searchTxs = async (query: string, page: number, perPage: number, orderBy: "asc" | "desc"): Promise<TxSearchPage> => {
    const conditions = parseTxQuery(query)
    if (!Number.isSafeInteger(page) || page < 1) throw new TxQueryError({ query, reason: `page must be >= 1, got ${page}` })
    if (!Number.isSafeInteger(perPage) || perPage < 1) throw new TxQueryError({ query, reason: `per_page must be >= 1, got ${perPage}` })
    // Most selective first: hash, then string equalities, then the rest.
    const rank = (c: TxCondition) => (c.key === "tx.hash" ? 0 : c.op === "=" && c.key !== "tx.height" ? 1 : c.key === "tx.height" ? 3 : 2)
    const ordered = [...conditions].sort((a, b) => rank(a) - rank(b))
    let matched = await positionsFor(ordered[0]!, query)
    for (const c of ordered.slice(1)) {
      if (matched.size === 0) break
      if (c.key === "tx.height") {
        for (const [k, e] of matched) if (!matchesCondition(c, String(e.pos.height))) matched.delete(k)
        continue
      }
      const next = await positionsFor(c, query)
      for (const k of matched.keys()) if (!next.has(k)) matched.delete(k)
    }
    const all = [...matched.values()].sort((a, b) => comparePos(a.pos, b.pos))
    if (orderBy === "desc") all.reverse()
    const slice = all.slice((page - 1) * perPage, page * perPage)
    const missing = slice.filter((e) => e.hash === undefined)
    const posHashes = missing.length === 0 ? [] : await kv.getMany(missing.map((e) => keys.position(e.pos.height, e.pos.index)))
    const hashOf = new Map(missing.map((e, i) => [posKey(e.pos), posHashes[i]]))
    const hashes = slice.map((e) => e.hash ?? hashOf.get(posKey(e.pos)))
    const found = await kv.getMany(hashes.map((h) => (h === undefined ? keys.tx(new Uint8Array()) : keys.tx(h))))
    const txs: IndexedTx[] = []
    slice.forEach((_, i) => {
      const bytes = found[i]
      const hash = hashes[i]
      if (bytes === undefined || hash === undefined) return
      const t = decodeTxResult(bytes)
      txs.push({ hash, height: Number(t.height), index: t.index, tx: t.tx, result: t.result })
    })
    return { txs, totalCount: all.length }
  }

  return {
    height: () => height,
    base: () => base,
    resultsHeight: () => resultsHeight,
    saveBlock,
    saveResults,
    block,
    blockByHash: async (hash) => {
      const bytes = await kv.get(keys.byHash(hash))
      return bytes === undefined ? undefined : block(Number(new TextDecoder().decode(bytes)))
    },
    results: async (h) => {
      if (!Number.isSafeInteger(h) || h < base || h > resultsHeight || h < 1) return undefined
      const bytes = await kv.get(keys.results(h))
      return bytes === undefined ? undefined : decodeResults(h, bytes)
    },
    tx,
    searchTxs,
    searchBlocks: (query, page, perPage, orderBy, maxHeight) =>
      searchBlockIndex(kv, base, Math.min(indexer.height(), maxHeight ?? resultsHeight), query, page, perPage, orderBy),
    indexedHeight: () => indexer.height(),
    whenIndexed: (h) => indexer.whenIndexed(h),
    close: () => serial(async () => {
      await indexer.close()
      await kv.close()
    })
  }
}
