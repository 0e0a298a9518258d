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
 * - `damping` in (0, 1), default "0.85": a decimal string (as go-cyber's sdk.Dec params; converted
 *   exactly) or a number.
 * - `tolerance` in (0, 1): iterate until the largest absolute change of a rank is at most this
 *   (ranks are fractions of 1), default "0.001"; decimal string or number.
 * - `maxIterations`: a hard cap so a calculation always ends (default 1000; go-cyber has none).
 */
export interface RankParams {
  readonly mode: RankMode
  readonly damping: number | string
  readonly tolerance: number | string
  readonly maxIterations: number
}

/** go-cyber's defaults (x/rank/types/params.go) in cyber mode. */
export const defaultRankParams: RankParams = { mode: "cyber", damping: "0.85", tolerance: "0.001", maxIterations: 1000 }

/** A bad rank parameter, named in `log`. */
export class RankParamsError extends Data.TaggedError("RankParamsError")<{ readonly log: string }> {
  override get message(): string {
    return this.log
  }
}

/** Ranks are unsigned 64-bit fixed point with this many fractional bits (rank 1.0 = 2^63; every
 * rank stays below 2, see docs/graph-rank.md "Fixed-point format"). */
export const RANK_FRACTION_BITS = 63
/** 2^63 as a bigint: the fixed-point value of rank 1.0. */
export const RANK_ONE = 1n << 63n

/**
 * The exact integer form both engines read; computed once in TypeScript so the native addon and
 * the fallback see the same numbers.
 * - `modeCode`: 0 cyber, 1 pagerank.
 * - `dampingQ64`: round(damping × 2^64) (half up; exact from the decimal text, and from a number
 *   through its shortest decimal text, so 0.85 and "0.85" give the same integer).
 * - `toleranceQ63`: round(tolerance × 2^63), at least 1 (rank units).
 */
export interface ResolvedParams {
  readonly modeCode: 0 | 1
  readonly dampingQ64: bigint
  readonly toleranceQ63: bigint
  readonly maxIterations: number
}

/**
 * round(x × 2^bits) (half up) for x in (0, 1), from its decimal text: a string "d.ddd", or a
 * number through ECMAScript's shortest round-trip text (which may carry an exponent, "1e-12").
 * Exact rational arithmetic, so the result is the same on every machine. Undefined when x is not
 * a decimal in (0, 1).
 */
const toFixed = (x: number | string, bits: number): bigint | undefined => {
  const text = typeof x === "string" ? x : Number.isFinite(x) ? String(x) : ""
  const m = /^(\d+)(?:\.(\d{1,400}))?(?:e([+-]\d{1,3}))?$/.exec(text)
  if (m === null || (typeof x === "string" && (m[3] !== undefined || (m[2] ?? "").length > 36))) return undefined
  const frac = m[2] ?? ""
  const exp = Number(m[3] || "0") - frac.length
  let num = BigInt(m[1]! + frac), den = 1n
  if (exp >= 0) num *= 10n ** BigInt(exp)
  else den = 10n ** BigInt(-exp)
  if (num <= 0n || num >= den) return undefined
  return ((num << BigInt(bits + 1)) + den) / (2n * den)
}

/** Check and convert params to their integer form; throws {@link RankParamsError}. */
export const resolveParams = (p: RankParams): ResolvedParams => {
  if (p.mode !== "cyber" && p.mode !== "pagerank") throw new RankParamsError({ log: `rank mode must be "cyber" or "pagerank", got ${String(p.mode)}` })
  const d = toFixed(p.damping, 64)
  if (d === undefined || d === 0n || d >= 1n << 64n) throw new RankParamsError({ log: `damping must be a decimal in (0, 1), got ${String(p.damping)}` })
  const tol = toFixed(p.tolerance, RANK_FRACTION_BITS)
  if (tol === undefined) throw new RankParamsError({ log: `tolerance must be a decimal in (0, 1), got ${String(p.tolerance)}` })
  if (!Number.isInteger(p.maxIterations) || p.maxIterations < 1 || p.maxIterations >= 2 ** 32) throw new RankParamsError({ log: `maxIterations must be an integer in [1, 2^32), got ${p.maxIterations}` })
  return { modeCode: p.mode === "cyber" ? 0 : 1, dampingQ64: d, toleranceQ63: tol < 1n ? 1n : tol, maxIterations: p.maxIterations }
}
