/**
 * The BlockStore over any OrderedKv: blocks by height and hash, FinalizeBlock results by height,
 * a tx index by hash and by position, and an event-attribute index for tx_search with CometBFT's
 * kv indexer semantics. Every save is one atomic batch that also rewrites the height record, so
 * a reopened store resumes exactly at the last completed save.
 *
 * Source: cometbft v0.38 store/store.go (SaveBlock), state/txindex/kv/kv.go (Index, Search);
 * the block event index (block_search) is BlockIndex.ts.
 */
import { BlockStoreError } from "../BlockStoreError.ts"
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import type { BlockMeta } from "cosmjs-types/tendermint/types/types"
import type { BlockStore, IndexedTx, StoredBlock, StoredBlockResults, TxSearchPage } from "../../../chain/BlockStore.ts"
import { blockIndexOps, catchUpBlockIndex, searchBlockIndex } from "./BlockIndex.ts"
import { parseTxQuery, matchesCondition, TxQueryError, type TxCondition } from "../TxQuery.ts"
import {
  decodeBlock, decodeMeta, decodeResults, decodeState, decodeTxResult, encodeBlock, encodeResults, encodeState,
  encodeTxResult, keys, POSITION_WIDTH, positionOf
} from "./Codec.ts"
import { prefixEnd, type KvOp, type OrderedKv } from "./OrderedKv.ts"
import { fromHex, sha256 } from "../../../lib/Bytes.ts"

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
const posKey = (p: Position): string => `${p.height}:${p.index}`
const comparePos = (a: Position, b: Position): number => a.height - b.height || a.index - b.index

/** Open a block store on `kv`, reading its saved heights. */
export const openKvBlockStore = async (kv: OrderedKv, options: BlockStoreOptions = {}): Promise<BlockStore> => {
  const stateBytes = await kv.get(keys.state)
  const st = stateBytes === undefined ? { base: 0, height: 0, resultsHeight: 0 } : decodeState(stateBytes)
  let base = st.base
  let height = st.height
  let resultsHeight = st.resultsHeight
  // A store saved before the block event index existed is indexed now, from its saved results.
  await catchUpBlockIndex(kv, base, resultsHeight, options.indexAllAttributes === true)
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
    })

  const indexedAttributes = (result: ExecTxResult): Array<readonly [string, string]> => {
    const out: Array<readonly [string, string]> = []
    for (const ev of result.events) {
      if (ev.type === "") continue
      for (const a of ev.attributes) {
        if (a.key === "" || (!a.index && options.indexAllAttributes !== true)) continue
        const composite = `${ev.type}.${a.key}`
        // A NUL inside a composite key would make index keys ambiguous; such attributes are skipped.
        if (composite.includes("\u0000")) continue
        // tx.hash and tx.height are reserved (CometBFT refuses them); they are never indexed from events.
        if (composite === "tx.hash" || composite === "tx.height") continue
        out.push([composite, a.value] as const)
      }
    }
    return out
  }

  const saveResults = (r: StoredBlockResults): Promise<void> =>
    serial(async () => {
      const h = r.height
      if (h !== resultsHeight + 1) {
        throw new BlockStoreError({ reason: `saveResults: expected results for height ${resultsHeight + 1}, got ${h}` })
      }
      const b = await block(h)
      if (b === undefined) throw new BlockStoreError({ reason: `saveResults: block ${h} is not saved` })
      if (b.txs.length !== r.txResults.length) {
        throw new BlockStoreError({ reason: `saveResults: block ${h} has ${b.txs.length} txs but ${r.txResults.length} results` })
      }
      const ops: KvOp[] = [{ type: "put", key: keys.results(h), value: encodeResults(r) }]
      const hashes = b.txs.map(sha256)
      const existing = await kv.getMany(hashes.map(keys.tx))
      b.txs.forEach((tx, i) => {
        const result = r.txResults[i]!
        const hash = hashes[i]!
        // As CometBFT's kv indexer: a failed duplicate never hides an earlier successful tx.
        const prior = existing[i]
        if (prior !== undefined && result.code !== 0 && decodeTxResult(prior).result.code === 0) return
        ops.push({ type: "put", key: keys.tx(hash), value: encodeTxResult({ height: BigInt(h), index: i, tx, result }) })
        ops.push({ type: "put", key: keys.position(h, i), value: hash })
        for (const [k, v] of indexedAttributes(result)) ops.push({ type: "put", key: keys.event(k, v, h, i), value: hash })
      })
      ops.push(...blockIndexOps(h, r.events, options.indexAllAttributes === true))
      ops.push({ type: "put", key: keys.state, value: encodeState(base, height, h) })
      await kv.batch(ops)
      resultsHeight = h
    })

  const tx = async (hash: Uint8Array): Promise<IndexedTx | undefined> => {
    const bytes = await kv.get(keys.tx(hash))
    if (bytes === undefined) return undefined
    const t = decodeTxResult(bytes)
    return { hash, height: Number(t.height), index: t.index, tx: t.tx, result: t.result }
  }

  /** Positions (with tx hash) matching one condition; `heightFilter` narrows tx.height scans. */
  const positionsFor = async (c: TxCondition, query: string): Promise<Map<string, { pos: Position; hash: Uint8Array }>> => {
    const out = new Map<string, { pos: Position; hash: Uint8Array }>()
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
      let hi = resultsHeight
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
        out.set(posKey(pos), { pos, hash: v })
      }
      return out
    }
    const prefix = keys.eventKeyPrefix(c.key)
    for (const [k, v] of await kv.scan(prefix, prefixEnd(prefix))) {
      const value = k.slice(prefix.length, k.length - POSITION_WIDTH - 1)
      if (!matchesCondition(c, value)) continue
      const pos = positionOf(k)
      out.set(posKey(pos), { pos, hash: v })
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
    const found = await kv.getMany(slice.map((e) => keys.tx(e.hash)))
    const txs: IndexedTx[] = []
    slice.forEach((e, i) => {
      const bytes = found[i]
      if (bytes === undefined) return
      const t = decodeTxResult(bytes)
      txs.push({ hash: e.hash, height: Number(t.height), index: t.index, tx: t.tx, result: t.result })
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
      searchBlockIndex(kv, base, Math.min(resultsHeight, maxHeight ?? resultsHeight), query, page, perPage, orderBy),
    close: () => serial(() => kv.close())
  }
}
