/**
 * cyber•rank engine: one calculation of go-cyber's rank (x/rank/keeper/calculate_cpu.go) or of
 * standard PageRank over a {@link RankSnapshot}, in integer fixed point (ranks u64 in 2^-63 units),
 * by the native addon (modules/graph-native: SIMD, threads, off the JavaScript thread) or the
 * portable TypeScript fallback; both give the same bits.
 *
 * Usage: `const { ranks, iterations } = await calculateRank(snapshot, params)`; publish with
 * {@link toCyberRank} (go-cyber's rank × 1e15 as uint64) and commit with RankMerkleTree.
 */
import { Context, Effect, Layer } from "effect"
import { Worker } from "node:worker_threads" // determinism-ok: runs the fallback off the block path; bytes in, bytes out
import { RankSnapshotError, validateSnapshot, type RankSnapshot } from "./Snapshot.ts"
import { defaultRankParams, resolveParams, type RankParams, type RankParamsError } from "./RankParams.ts"
import { rankConstants } from "./internal/fixed.ts"
import { compress, iterate } from "./internal/fallback.ts"
import { loadNative, type NativeAddon, type NativeInput, type NativeOutput } from "./internal/native.ts"

/** Which engine ran a calculation. */
export type EngineKind = "native" | "fallback"

/**
 * Options of one calculation.
 * - `engine`: "auto" (native when built, else fallback; default), "native" (fails if not built),
 *   "fallback".
 * - `threads`: native worker threads (default {@link defaultThreads}: the hardware threads); the
 *   result does not depend on it.
 * - `isa`: force the native vector unit ("scalar" | "avx2" | "avx512"; default the widest).
 * - `worker`: run the fallback in a worker thread so the event loop stays free (default: when the
 *   snapshot has at least 100,000 links).
 * - `relabel`: native only; renumber particles by out-degree before iterating (same bits; costs
 *   one more pass and 8 bytes per link while preparing, pays off when many iterations run).
 * - `incremental`: native only; when the snapshot has a lineage (SnapshotBuilder), update the
 *   weights kept from the previous calculation instead of preparing from scratch (default true;
 *   same bits; not with `relabel`). docs/graph-rank.md, "Incremental preparation".
 */
export interface RankOptions {
  readonly engine?: "auto" | EngineKind
  readonly threads?: number
  readonly isa?: "scalar" | "avx2" | "avx512"
  readonly worker?: boolean
  readonly relabel?: boolean
  readonly incremental?: boolean
}

/**
 * Result of one calculation.
 * - `ranks`: one u64 per particle, rank × 2^63 (see docs/graph-rank.md).
 * - `published`: the same ranks in go-cyber's published unit, floor(rank × 10^15)
 *   ({@link toCyberRank}; computed off the JavaScript thread by the native engine).
 * - `iterations`: number of update sweeps run.
 * - `prepareMs` / `iterateMs`: time to build the compressed graph / to iterate (wall clock,
 *   informational only, never state). The native engine computes the weights in its first sweep
 *   (unless relabelling), so that sweep's weight pass counts in `iterateMs`.
 * - `prepareSteps` (native only): ms from the start of the preparation to the end of each of its
 *   steps (counting pass, offsets, stake pass, reciprocals, weight pass; see
 *   modules/graph-native/src/rank_prepare.cc `compress`; when incremental, rank_update.cc `update`'s: degrees, dirty
 *   targets, new layout, out-stakes and reciprocals), for benchmarks.
 * - `incremental` (native only): the preparation updated the weights kept from the previous
 *   calculation of the same builder's snapshots; `dirtyTargets` / `changedSources`: how many
 *   targets' pairs and sources' out-stakes it recomputed (0 when not incremental).
 */
export interface RankResult {
  readonly ranks: BigUint64Array
  readonly published: BigUint64Array
  readonly iterations: number
  readonly engine: EngineKind
  readonly isa: string
  readonly threads: number
  readonly prepareMs: number
  readonly iterateMs: number
  readonly prepareSteps?: ReadonlyArray<number>
  readonly incremental?: boolean
  readonly dirtyTargets?: number
  readonly changedSources?: number
}

/** The native engine is not built or not loadable (engine "native" was required). */
export class NativeUnavailable extends Error {
  readonly _tag = "NativeUnavailable"
}

/** Which engine "auto" uses here, and why not native when it falls back. */
export const rankEngineStatus = (): { engine: "native"; isa: string; threads: number } | { engine: "fallback"; reason: string } => {
  const n = loadNative()
  return "addon" in n ? { engine: "native", isa: n.addon.bestIsa(), threads: defaultThreads() } : { engine: "fallback", reason: n.reason }
}

/** Default native thread count: the hardware threads (the result is the same for every count). */
export const defaultThreads = (): number => {
  const n = loadNative()
  return "addon" in n ? Math.max(1, n.addon.hardwareThreads) : 1
}

let announced = false
/** Print once per process which engine cyber•rank uses (called by the first auto calculation). */
export const announceRankEngine = (log: (line: string) => void = (l) => void process.stderr.write(l + "\n")): void => {
  if (announced) return
  announced = true
  const s = rankEngineStatus()
  if (s.engine === "fallback") log(`cyber•rank: using the portable TypeScript engine (${s.reason}); same results, slower`)
}

const runFallbackInline = (s: RankSnapshot, params: RankParams): RankResult => {
  const p = resolveParams(params)
  const t0 = performance.now() // determinism-ok: timing for reports only, never state
  const g = compress(s)
  const t1 = performance.now() // determinism-ok: as above
  const r = iterate(s, g, p)
  const t2 = performance.now() // determinism-ok: as above
  return { ranks: r.ranks, published: toCyberRank(r.ranks), iterations: r.iterations, engine: "fallback", isa: "js", threads: 1, prepareMs: t1 - t0, iterateMs: t2 - t1 }
}

const runFallbackWorker = (s: RankSnapshot, params: RankParams): Promise<RankResult> =>
  new Promise((resolve, reject) => {
    const w = new Worker(new URL("./internal/fallbackWorker.ts", import.meta.url), { workerData: { snapshot: s, params } })
    w.once("message", (m: RankResult) => { resolve(m); void w.terminate() })
    w.once("error", reject)
  })

/**
 * Compute ranks for a snapshot. Rejects with RankParamsError for bad params, RankSnapshotError for
 * an inconsistent snapshot, and {@link NativeUnavailable} when engine "native" is required but not
 * available.
 */
export const calculateRank = async (snapshot: RankSnapshot, params: RankParams = defaultRankParams, options: RankOptions = {}): Promise<RankResult> => {
  const p = resolveParams(params)
  const engine = options.engine ?? "auto"
  if (engine !== "fallback") {
    const n = loadNative()
    if ("addon" in n) {
      validateSnapshot(snapshot, { links: false })
      const k = rankConstants(snapshot, p)
      const threads = Math.max(1, options.threads ?? defaultThreads())
      const out = await nativeCall(n.addon, {
        particles: snapshot.particles, neurons: snapshot.neurons, inOffsets: snapshot.inOffsets, inFrom: snapshot.inFrom,
        inNeuron: snapshot.inNeuron, stakes: snapshot.stakes,
        ...(snapshot.pairCounts !== undefined && snapshot.neuronLinks !== undefined ? { pairCounts: snapshot.pairCounts, neuronLinks: snapshot.neuronLinks } : {}), ...p, initQ63: k.initQ63, constQ63: k.constQ63, empty: k.empty,
        threads, relabel: options.relabel ?? false, ...(options.isa !== undefined ? { isa: options.isa } : {}),
        ...(snapshot.lineage !== undefined && options.incremental !== false ? { lineageBuilder: snapshot.lineage.builder, lineageGeneration: snapshot.lineage.generation } : {}),
      })
      return {
        ranks: out.ranks, published: out.published, iterations: out.iterations, engine: "native", isa: out.isa, threads, prepareMs: out.prepareMs, iterateMs: out.iterateMs, prepareSteps: out.prepareSteps,
        incremental: out.incremental, dirtyTargets: out.dirtyTargets, changedSources: out.changedSources,
      }
    }
    if (engine === "native") throw new NativeUnavailable(`cyber•rank native engine unavailable: ${n.reason}`)
    announceRankEngine()
  }
  validateSnapshot(snapshot)
  const useWorker = options.worker ?? snapshot.inFrom.length >= 100_000
  return useWorker ? runFallbackWorker(snapshot, params) : runFallbackInline(snapshot, params)
}

const nativeCall = async (addon: NativeAddon, input: NativeInput): Promise<NativeOutput> => {
  try {
    return await addon.calculate(input)
  } catch (e) {
    const msg = (e as Error).message
    throw /^(link \d+|inOffsets|inFrom|inNeuron|stakes|pairCounts|neuronLinks)/.test(msg) ? new RankSnapshotError({ log: msg }) : e
  }
}

/** Exported for the worker entry (internal/fallbackWorker.ts). */
export const calculateFallbackSync = runFallbackInline

/**
 * go-cyber's published form: floor(rank × 1e15) as uint64 (x/rank/types/rank.go NewRank). From
 * our 2^-63 fixed point: floor(q × 10^15 / 2^63).
 */
export const toCyberRank = (ranks: BigUint64Array): BigUint64Array => {
  const out = new BigUint64Array(ranks.length)
  const E15 = 1_000_000_000_000_000n
  for (let i = 0; i < ranks.length; i++) out[i] = (ranks[i]! * E15) >> 63n
  return out
}

/** Rank as a float64 fraction (for display and comparisons only, never state). */
export const rankToNumber = (q: bigint): number => Number(q) / 2 ** 63 // determinism-ok: display only

/** The rank engine as an Effect service; Layers pick the backend. */
export class RankEngine extends Context.Service<RankEngine, {
  readonly calculate: (snapshot: RankSnapshot, params: RankParams) => Effect.Effect<RankResult, RankParamsError | RankSnapshotError | NativeUnavailable>
}>()("cyberkernel/graph/RankEngine") {
  /** Native when built, else fallback (announced once). */
  static readonly auto: Layer.Layer<RankEngine> = Layer.succeed(RankEngine, RankEngine.of({ calculate: (s, p) => wrap(s, p, { engine: "auto" }) }))
  /** Always the TypeScript fallback. */
  static readonly fallback: Layer.Layer<RankEngine> = Layer.succeed(RankEngine, RankEngine.of({ calculate: (s, p) => wrap(s, p, { engine: "fallback" }) }))
}

const wrap = (s: RankSnapshot, p: RankParams, o: RankOptions) =>
  Effect.tryPromise({ try: () => calculateRank(s, p, o), catch: (e) => e as RankParamsError | RankSnapshotError | NativeUnavailable })
