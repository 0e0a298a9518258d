/**
 * Fixed-point constants shared by both engines (computed once, here, so native and fallback read
 * identical integers). Ranks are u64 with 2^-60 scale; weights and damping u32 with 2^-32 scale.
 *
 * mulQ32(x, w) = (x >> 32)·w + (((x mod 2^32)·w) >> 32): x·w/2^32 truncated, computed without
 * 128-bit products; every engine uses exactly this formula.
 */
import type { RankSnapshot } from "../Snapshot.ts"
import type { ResolvedParams } from "../RankParams.ts"

/** mulQ32 on bigints (see module doc). */
export const mulQ32 = (x: bigint, w: bigint): bigint => (x >> 32n) * w + (((x & 0xffffffffn) * w) >> 32n)

/**
 * Per-calculation constants.
 * - `initQ60`: every particle's starting rank ((1-d)/N in cyber mode, 1/N in pagerank mode).
 * - `constQ60`: added to d·Σ in each update: cyber mode go-cyber's defaultRankWithCorrection
 *   ((1-d)/N + d·(1-d)/N·D/N, D = particles without in-links, x/rank/keeper/calculate_cpu.go);
 *   pagerank mode (1-d)/N (the dangling share is added per iteration).
 * - `danglingIn`: D.
 * - `empty`: true when go-cyber returns no ranks (no particles, or cyber mode and no neurons):
 *   the engines then return zeros and 0 iterations.
 */
export interface RankConstants {
  readonly initQ60: bigint
  readonly constQ60: bigint
  readonly danglingIn: number
  readonly empty: boolean
}

/** Compute {@link RankConstants} for a snapshot. */
export const rankConstants = (s: RankSnapshot, p: ResolvedParams): RankConstants => {
  const n = s.particles
  let danglingIn = 0
  for (let t = 0; t < n; t++) if (s.inOffsets[t] === s.inOffsets[t + 1]) danglingIn++
  if (n === 0 || (p.modeCode === 0 && s.neurons === 0)) return { initQ60: 0n, constQ60: 0n, danglingIn, empty: true }
  const N = BigInt(n)
  const d = BigInt(p.dampingQ32)
  const teleport = ((0x100000000n - d) << 28n) / N
  if (p.modeCode === 0) {
    const correction = (mulQ32(teleport, d) * BigInt(danglingIn)) / N
    return { initQ60: teleport, constQ60: teleport + correction, danglingIn, empty: false }
  }
  return { initQ60: (1n << 60n) / N, constQ60: teleport, danglingIn, empty: false }
}
