/**
 * cyber•rank parameters and their exact integer form.
 *
 * Defaults follow go-cyber x/rank/types/params.go (DampingFactor 0.85, Tolerance 0.001). The
 * `mode` param is ours: "cyber" is go-cyber's algorithm (x/rank/keeper/calculate_cpu.go),
 * "pagerank" is standard PageRank (dangling mass redistributed, ranks sum to 1), which go-cyber's
 * own upgrade notes list as the fix for the cyber mode's deviations.
 */
import { Data } from "effect"

/** Which algorithm: go-cyber's ("cyber") or standard PageRank ("pagerank"). */
export type RankMode = "cyber" | "pagerank"

/**
 * Rank parameters as the graph machine stores them (governance-changeable).
 * - `damping` in (0, 1), default 0.85.
 * - `tolerance` > 0: iterate until the largest absolute change of a rank is at most this
 *   (ranks are fractions of 1), default 0.001.
 * - `maxIterations`: a hard cap so a calculation always ends (default 1000; go-cyber has none).
 */
export interface RankParams {
  readonly mode: RankMode
  readonly damping: number
  readonly tolerance: number
  readonly maxIterations: number
}

/** go-cyber's defaults (x/rank/types/params.go) in cyber mode. */
export const defaultRankParams: RankParams = { mode: "cyber", damping: 0.85, tolerance: 0.001, maxIterations: 1000 }

/** A bad rank parameter, named in `log`. */
export class RankParamsError extends Data.TaggedError("RankParamsError")<{ readonly log: string }> {
  override get message(): string {
    return this.log
  }
}

/** Ranks are unsigned 64-bit fixed point with this many fractional bits (rank 1.0 = 2^60). */
export const RANK_FRACTION_BITS = 60
/** 2^60 as a bigint: the fixed-point value of rank 1.0. */
export const RANK_ONE = 1n << 60n

/**
 * The exact integer form both engines read; computed once in TypeScript so the native addon and
 * the fallback see the same numbers.
 * - `modeCode`: 0 cyber, 1 pagerank.
 * - `dampingQ32`: round(damping × 2^32).
 * - `toleranceQ60`: round(tolerance × 2^60), at least 1.
 */
export interface ResolvedParams {
  readonly modeCode: 0 | 1
  readonly dampingQ32: number
  readonly toleranceQ60: bigint
  readonly maxIterations: number
}

/** Check and convert params to their integer form; throws {@link RankParamsError}. */
export const resolveParams = (p: RankParams): ResolvedParams => {
  if (p.mode !== "cyber" && p.mode !== "pagerank") throw new RankParamsError({ log: `rank mode must be "cyber" or "pagerank", got ${String(p.mode)}` })
  if (!(p.damping > 0 && p.damping < 1)) throw new RankParamsError({ log: `damping must be in (0, 1), got ${p.damping}` })
  if (!(p.tolerance > 0 && p.tolerance < 1)) throw new RankParamsError({ log: `tolerance must be in (0, 1), got ${p.tolerance}` })
  if (!Number.isInteger(p.maxIterations) || p.maxIterations < 1) throw new RankParamsError({ log: `maxIterations must be a positive integer, got ${p.maxIterations}` })
  const dampingQ32 = Math.round(p.damping * 2 ** 32)
  const tol = BigInt(Math.round(p.tolerance * 2 ** RANK_FRACTION_BITS))
  return { modeCode: p.mode === "cyber" ? 0 : 1, dampingQ32, toleranceQ60: tol < 1n ? 1n : tol, maxIterations: p.maxIterations }
}
