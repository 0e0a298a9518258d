/**
 * Fixed-point constants shared by both engines (computed once, here, so native and fallback read
 * identical integers). Ranks and weights are u64 in 2^-63 units (rank 1.0 = 2^63); damping is u64
 * in 2^-64 units. See docs/graph-rank.md "Fixed-point format".
 *
 * One update of a particle t, in every engine:
 *   T   = Σ prev[src]·w             exact, modulo 2^128 (2^-126 units; below 2^127 unless go's
 *                                   uint64 stake sums wrapped)
 *   T63 = roundShr(T, 63) mod 2^64  (2^-63 units)
 *   next = roundShr(T63·d, 64) + K  mod 2^64
 * where roundShr(x, s) = (x >> s) + bit s-1 of x: x / 2^s rounded to nearest, ties up.
 */
import type { RankSnapshot } from "../Snapshot.ts"
import type { ResolvedParams } from "../RankParams.ts"

/** x / 2^s rounded to nearest, ties up (bigints, s ≥ 1). */
export const roundShr = (x: bigint, s: bigint): bigint => (x >> s) + ((x >> (s - 1n)) & 1n)

/** round(x·d / 2^64) for u64 x and a Q64 damping d (< 2^64, so no overflow). */
export const mulQ64 = (x: bigint, d: bigint): bigint => roundShr(x * d, 64n)

/** round(a / b), ties up (bigints, b > 0). */
export const divRound = (a: bigint, b: bigint): bigint => (2n * a + b) / (2n * b)

/**
 * Per-calculation constants (2^-63 units).
 * - `initQ63`: every particle's starting rank ((1-d)/N in cyber mode, 1/N in pagerank mode).
 * - `constQ63`: added to d·Σ in each update: cyber mode go-cyber's defaultRankWithCorrection
 *   ((1-d)/N + d·((1-d)/N·D/N), D = particles without in-links, x/rank/keeper/calculate_cpu.go);
 *   pagerank mode (1-d)/N (the dangling share is added per iteration).
 * - `danglingIn`: D.
 * - `empty`: true when go-cyber returns no ranks (no particles, or cyber mode and no neurons):
 *   the engines then return zeros and 0 iterations.
 * Each is the exact rational value rounded once to nearest (ties up).
 */
export interface RankConstants {
  readonly initQ63: bigint
  readonly constQ63: bigint
  readonly danglingIn: number
  readonly empty: boolean
}

/** Compute {@link RankConstants} for a snapshot. */
export const rankConstants = (s: RankSnapshot, p: ResolvedParams): RankConstants => {
  const n = s.particles
  let danglingIn = 0
  for (let t = 0; t < n; t++) if (s.inOffsets[t] === s.inOffsets[t + 1]) danglingIn++
  if (n === 0 || (p.modeCode === 0 && s.neurons === 0)) return { initQ63: 0n, constQ63: 0n, danglingIn, empty: true }
  const N = BigInt(n)
  const d = p.dampingQ64
  const oneMinusD = (1n << 64n) - d // (1-d)·2^64
  const teleport = divRound(oneMinusD, 2n * N) // (1-d)/N · 2^63
  if (p.modeCode === 0) {
    // (1-d)/N·(1 + d·D/N) · 2^63 = oneMinusD·(2^64·N + d·D) / (2^65·N²), rounded once
    const D = BigInt(danglingIn)
    const exact = divRound(oneMinusD * ((N << 64n) + d * D), (N * N) << 65n)
    return { initQ63: teleport, constQ63: exact, danglingIn, empty: false }
  }
  return { initQ63: divRound(1n << 63n, N), constQ63: teleport, danglingIn, empty: false }
}
