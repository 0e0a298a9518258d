/**
 * Loader of the cyber•rank native addon (modules/graph-native, built by `npm install`).
 * Never throws: when the addon is missing or fails to load, `loadNative()` returns the reason.
 */
import { createRequire } from "node:module"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** Input of the addon's `calculate`: a snapshot plus the integers of ./fixed.ts. */
export interface NativeInput {
  readonly particles: number
  readonly neurons: number
  readonly inOffsets: Uint32Array
  readonly inFrom: Uint32Array
  readonly inNeuron: Uint32Array
  readonly stakes: BigUint64Array
  /** both or neither (RankSnapshot's counts): the engine then skips its counting pass and
   * checks them while preparing */
  readonly pairCounts?: Uint32Array
  readonly neuronLinks?: Uint32Array
  readonly modeCode: 0 | 1
  readonly dampingQ64: bigint
  readonly toleranceQ63: bigint
  readonly maxIterations: number
  readonly initQ63: bigint
  readonly constQ63: bigint
  readonly empty: boolean
  readonly threads: number
  readonly isa?: "scalar" | "avx2" | "avx512"
  /** renumber particles by out-degree before iterating (same bits, better cache use) */
  readonly relabel?: boolean
  /** the snapshot's lineage (both or neither): lets the engine update the weights it kept */
  readonly lineageBuilder?: number
  readonly lineageGeneration?: number
}

/** Output of the addon's `calculate` (times measured inside the addon, in ms). */
export interface NativeOutput {
  readonly ranks: BigUint64Array
  /** floor(rank × 10^15 / 2^63) per particle: go-cyber's published unit */
  readonly published: BigUint64Array
  readonly iterations: number
  readonly prepareMs: number
  readonly iterateMs: number
  readonly compressedLinks: number
  readonly maxDelta: bigint
  readonly isa: string
  readonly threads: number
  /** ms spent writing the ranks and published values out */
  readonly outputMs: number
  /** ms from the start of the preparation to the end of each step: counting pass (0 when the
   * snapshot's counts were used), offsets, stake pass, reciprocals, weight pass (the same as the
   * reciprocals' end when the weights were computed in the first sweep) */
  readonly prepareSteps: ReadonlyArray<number>
  /** prepared by updating the weights kept from an earlier build of the same builder */
  readonly incremental: boolean
  /** when incremental: targets whose pairs were recomputed, sources whose out-stake changed */
  readonly dirtyTargets: number
  readonly changedSources: number
}

/** The addon's exports (src/rank_napi.cc, registered in src/rank_module.cc). */
export interface NativeAddon {
  /** Runs on the libuv pool and std::threads; resolves with the ranks. */
  readonly calculate: (input: NativeInput) => Promise<NativeOutput>
  /** Rank Merkle hashing off the JavaScript thread: full = every level (level k has
   * floor(n / 2^k) hashes, level 0 first); otherwise the subtree roots, leftmost first. */
  readonly merkleLevels: (values: BigUint64Array, full: boolean) => Promise<Uint8Array>
  /** The link index of the links `i < count` (from[i] -> to[i] by neuron[i]) over `particles`
   * targets, sorted by (to, from, neuron), duplicates removed, with the distinct sources per
   * target: the same arrays as SnapshotBuilder's counting sorts (src/sort.cc). Synchronous, on
   * `threads` std::threads. Throws RangeError naming the first link out of range. */
  readonly sortLinks: (
    from: Uint32Array, to: Uint32Array, neuron: Uint32Array, count: number, particles: number, neurons: number, threads: number
  ) => { readonly inOffsets: Uint32Array; readonly inFrom: Uint32Array; readonly inNeuron: Uint32Array; readonly pairCounts: Uint32Array }
  /** STREAM triad bandwidth in bytes/s (bench only; blocks the calling thread). */
  readonly streamTriad: (megabytesPerArray: number, threads: number, repetitions: number) => number
  /** "avx512" | "avx2" | "scalar": the widest unit this CPU offers. */
  readonly bestIsa: () => string
  readonly hardwareThreads: number
}

const addonPath = fileURLToPath(new URL("../../../graph-native/build/Release/graph_native.node", import.meta.url))
const failurePath = fileURLToPath(new URL("../../../graph-native/build/BUILD_FAILED.txt", import.meta.url))

let cached: { addon: NativeAddon } | { reason: string } | undefined

/** Load the addon once; `{ reason }` says why it is not available. */
export const loadNative = (): { addon: NativeAddon } | { reason: string } => {
  if (cached !== undefined) return cached
  if (process.env.CYBERKERNEL_RANK_ENGINE === "fallback") return (cached = { reason: "CYBERKERNEL_RANK_ENGINE=fallback" })
  if (!existsSync(addonPath)) {
    const why = existsSync(failurePath) ? readFileSync(failurePath, "utf8").split("\n")[0] : "not built (run npm install)"
    return (cached = { reason: `native addon ${why}` })
  }
  try {
    const addon = createRequire(import.meta.url)(addonPath) as NativeAddon
    return (cached = { addon })
  } catch (e) {
    return (cached = { reason: `native addon failed to load: ${(e as Error).message}` })
  }
}
