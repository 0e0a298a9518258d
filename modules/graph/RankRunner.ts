/**
 * The host-side rank runner: starts a cyber•rank calculation off the block path (the rank
 * engine's native addon threads, or its fallback in a worker) and hands the machine the result
 * once it is ready. The graph machine holds one (constructor option) and only calls `start`
 * (from endBlock), `result` (synchronous, from endBlock) and `wait` (from the async
 * prepareBlock); it never looks at time, so what it publishes does not depend on how fast the
 * calculation ran.
 *
 * Usage: `new GraphMachine({ runner: makeRankRunner({ threads: 2 }) })`.
 */
import { calculateRank, toCyberRank, type RankOptions } from "./rank/RankEngine.ts"
import { RankMerkleTree } from "./rank/RankMerkleTree.ts"
import type { RankSnapshot } from "./rank/Snapshot.ts"

/**
 * One calculation: a snapshot and the rank params (decimals as strings, as stored). `snapshot`
 * may be a function: the runner then builds it after the current block has returned (the graph
 * machine passes one over its append-only link log, so the O(links) CSR build is off the block
 * path too).
 */
export interface RankJob {
  readonly snapshot: RankSnapshot | (() => RankSnapshot)
  readonly mode: "cyber" | "pagerank"
  readonly damping: string
  readonly tolerance: string
  readonly maxIterations: number
  /** Called once the calculation no longer reads the snapshot (done or failed), e.g. to recycle
   * its arrays (SnapshotBuilder.recycle). */
  readonly release?: (snapshot: RankSnapshot) => void
}

/** A finished calculation in go-cyber's published form. */
export interface RankOutcome {
  /** rank × 1e15 per particle (go-cyber's published uint64). */
  readonly ranks: BigUint64Array
  /** Full rank Merkle tree over `ranks` (proofs available). */
  readonly tree: RankMerkleTree
  readonly root: Uint8Array
  readonly iterations: number
}

/** Starts calculations and hands back their results by id. */
export interface RankRunner {
  /** Start `job` under `id` unless one with that id is running or done. Returns at once. */
  start(id: string, job: RankJob): void
  /** True when a job with this id was started (running or done). */
  has(id: string): boolean
  /** The result if the job has finished, else undefined. Throws the job's error if it failed. */
  result(id: string): RankOutcome | undefined
  /** Resolves when the job has finished (rejects with its error). Throws if no such job. */
  wait(id: string): Promise<RankOutcome>
  /** Drop a job's result. */
  forget(id: string): void
}

/** A runner over the rank engine (modules/graph/rank); `options` are the engine's (threads, engine). */
export const makeRankRunner = (options: RankOptions = {}): RankRunner => {
  const jobs = new Map<string, { promise: Promise<RankOutcome>; done?: RankOutcome; error?: unknown }>()
  return {
    start(id, job) {
      if (jobs.has(id)) return
      const entry: { promise: Promise<RankOutcome>; done?: RankOutcome; error?: unknown } = { promise: Promise.resolve(undefined as never) }
      entry.promise = (async () => {
        // The decimal strings as stored: the engine converts them exactly (RankParams.resolveParams);
        // a Number would round an 18-digit sdk.Dec such as "0.850000000000000001" to 0.85.
        const params = { mode: job.mode, damping: job.damping, tolerance: job.tolerance, maxIterations: job.maxIterations }
        if (typeof job.snapshot === "function") await new Promise((resolve) => setImmediate(resolve)) // determinism-ok: host glue; only defers the build past the block
        const snapshot = typeof job.snapshot === "function" ? job.snapshot() : job.snapshot
        const r = await calculateRank(snapshot, params, options).finally(() => job.release?.(snapshot))
        const ranks = toCyberRank(r.ranks)
        const tree = await RankMerkleTree.build(ranks, true)
        return { ranks, tree, root: tree.root(), iterations: r.iterations }
      })()
      entry.promise.then((v) => (entry.done = v), (e) => (entry.error = e))
      jobs.set(id, entry)
    },
    has: (id) => jobs.has(id),
    result(id) {
      const e = jobs.get(id)
      if (e?.error !== undefined) throw e.error
      return e?.done
    },
    wait(id) {
      const e = jobs.get(id)
      if (!e) return Promise.reject(new Error(`no rank job ${id}`))
      return e.promise
    },
    forget(id) {
      jobs.delete(id)
    }
  }
}
