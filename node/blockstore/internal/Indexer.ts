/**
 * The tx indexer: indexes each height after its results are saved, off the block's critical
 * path, as CometBFT's IndexerService does after a block is committed. Serial (heights in order,
 * one batch each, the index height record in the same batch), never waits on the saver (a save
 * only records the new results height and, while fewer than `maxPending` heights wait, hands over
 * what it already has in memory), bounded (past `maxPending` the indexer reads the height back
 * from the store), and caught up on open from the saved results: a crash between a results batch
 * and its index batch loses no index entry.
 *
 * Source: cometbft v0.38 state/txindex/indexer_service.go (OnStart: index each committed block),
 * node/node.go (createAndStartIndexerService, catch-up of blocks missing from the indexer).
 */
import { h16, keys } from "./Codec.ts"
import type { OrderedKv } from "./OrderedKv.ts"
import { indexOps, type IndexJob } from "./TxIndex.ts"

/** Configuration of an indexer. */
export interface IndexerConfig {
  readonly kv: OrderedKv
  /** Highest height already indexed. */
  readonly indexed: number
  /** Lowest height kept by the store (heights below are never indexed). */
  readonly base: () => number
  /** Highest height with saved results: the indexer's target. */
  readonly resultsHeight: () => number
  /** The saved block and results of a height, read back (undefined when either is missing). */
  readonly load: (height: number) => Promise<IndexJob | undefined>
  readonly indexAllAttributes: boolean
  /** Heights whose jobs are kept in memory while waiting (default 8). */
  readonly maxPending?: number
}

/** The running indexer. */
export interface Indexer {
  /** Highest height whose txs and block events are indexed. */
  readonly height: () => number
  /** A height's results were saved: index it (and anything before it) soon. Never waits. */
  readonly saved: (job: IndexJob) => void
  /** Resolves once `height` is indexed; rejects if indexing failed or the indexer closed first. */
  readonly whenIndexed: (height: number) => Promise<void>
  /** Index what is saved, then stop (an indexing error is swallowed: catch-up on open redoes it). */
  readonly close: () => Promise<void>
}

/** Start an indexer; it catches up at once to `resultsHeight()`. */
export const startIndexer = (cfg: IndexerConfig): Indexer => {
  const maxPending = cfg.maxPending ?? 8
  const pending = new Map<number, IndexJob>()
  const waiters: Array<{ height: number; resolve: () => void; reject: (e: unknown) => void }> = []
  let indexed = cfg.indexed
  let running: Promise<void> | undefined
  let closed = false

  const settle = (error?: unknown): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!
      if (w.height <= indexed) (waiters.splice(i, 1), w.resolve())
      else if (error !== undefined) (waiters.splice(i, 1), w.reject(error))
    }
  }

  const drain = async (): Promise<void> => {
    for (;;) {
      // heights below the store's base are never indexed
      if (indexed + 1 < cfg.base()) indexed = cfg.base() - 1
      const h = indexed + 1
      if (h > cfg.resultsHeight()) return
      const job = pending.get(h) ?? (await cfg.load(h))
      const ops = job === undefined
        ? [{ type: "put" as const, key: keys.txIndexHeight, value: new TextEncoder().encode(h16(h)) }]
        : await indexOps(cfg.kv, job, cfg.indexAllAttributes)
      await cfg.kv.batch(ops)
      pending.delete(h)
      indexed = h
      settle()
    }
  }

  const kick = (): Promise<void> => {
    // started on a later turn of the event loop: none of the work runs inside the saver's call
    running ??= new Promise<void>((resolve) => setImmediate(resolve)).then(drain).then(
      () => { running = undefined },
      (e: unknown) => {
        running = undefined
        settle(e)
      }
    )
    return running
  }

  kick()
  return {
    height: () => indexed,
    saved: (job) => {
      if (closed) return
      if (job.height > indexed && pending.size < maxPending) pending.set(job.height, job)
      void kick()
    },
    whenIndexed: (height) => {
      if (height <= indexed) return Promise.resolve()
      if (closed) return Promise.reject(new Error(`block store closed before height ${height} was indexed`))
      const p = new Promise<void>((resolve, reject) => waiters.push({ height, resolve, reject }))
      void kick()
      return p
    },
    close: async () => {
      closed = true
      await kick()
      pending.clear()
      settle(new Error("block store closed"))
    }
  }
}
