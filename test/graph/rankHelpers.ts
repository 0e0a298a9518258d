/** Test helpers for cyber•rank: a seeded PRNG, random snapshots, and float64 reference
 * implementations (go-cyber's calculate_cpu.go loop and a textbook PageRank). */
import { SnapshotBuilder, type RankSnapshot } from "../../modules/graph/rank/Snapshot.ts"

/** mulberry32: a small deterministic PRNG returning floats in [0, 1). */
export const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** Options of a random snapshot. */
export interface RandomGraph {
  readonly particles: number
  readonly links: number
  readonly neurons: number
  readonly seed: number
  /** share of neurons with zero stake */
  readonly zeroStake?: number
  /** share of links appended twice */
  readonly duplicates?: number
  /** stakes up to this (bigint); default 10^12 */
  readonly maxStake?: bigint
  /** equal stakes for every neuron */
  readonly equalStake?: bigint
}

/** A random snapshot: skewed targets (many dangling particles), some zero-stake neurons and
 * duplicate link attempts. */
export const randomSnapshot = (o: RandomGraph): RankSnapshot => {
  const r = prng(o.seed)
  const b = new SnapshotBuilder()
  const maxStake = o.maxStake ?? 1_000_000_000_000n
  for (let u = 0; u < o.neurons; u++) {
    if (o.equalStake !== undefined) b.setStake(u, o.equalStake)
    else if (r() < (o.zeroStake ?? 0.1)) b.setStake(u, 0n)
    else b.setStake(u, (maxStake * BigInt(Math.floor(r() * 1_000_000))) / 1_000_000n + 1n)
  }
  for (let i = 0; i < o.links; i++) {
    const from = Math.floor(r() * o.particles)
    const to = Math.floor(r() * r() * o.particles) // skewed: low numbers get more in-links
    const neuron = Math.floor(r() * o.neurons)
    if (from === to) continue
    b.addLink(from, to, neuron)
    if (r() < (o.duplicates ?? 0.05)) b.addLink(from, to, neuron)
  }
  return b.build(o.particles, o.neurons)
}

/** go-cyber's float64 CPU algorithm (x/rank/keeper/calculate_cpu.go), straight from the snapshot. */
export const goCyberFloat = (s: RankSnapshot, damping: number, tolerance: number): { ranks: Float64Array; steps: number } => {
  const n = s.particles
  if (n === 0 || s.neurons === 0) return { ranks: new Float64Array(n), steps: 0 }
  const neudeg = new Array<number>(s.neurons).fill(0)
  for (const u of s.inNeuron) neudeg[u]!++
  const norm = (u: number) => (neudeg[u] === 0 ? 0n : s.stakes[u]! / BigInt(neudeg[u]!))
  const outStake = new Array<bigint>(n).fill(0n)
  const pairs: Array<Array<[number, bigint]>> = []
  for (let t = 0; t < n; t++) {
    const row: Array<[number, bigint]> = []
    for (let k = s.inOffsets[t]!; k < s.inOffsets[t + 1]!; ) {
      const f = s.inFrom[k]!
      let ls = 0n
      while (k < s.inOffsets[t + 1]! && s.inFrom[k] === f) ls += norm(s.inNeuron[k++]!)
      row.push([f, ls]); outStake[f]! += ls
    }
    pairs.push(row)
  }
  const defaultRank = (1 - damping) / n
  let dangling = 0
  for (let t = 0; t < n; t++) if (s.inOffsets[t] === s.inOffsets[t + 1]) dangling++
  const corr = damping * (defaultRank * (dangling / n)) + defaultRank
  let prev = new Float64Array(n).fill(defaultRank)
  let change = tolerance + 1, steps = 0
  while (change > tolerance) {
    const rank = Float64Array.from(prev)
    for (let t = 0; t < n; t++) {
      const row = pairs[t]!
      if (row.length === 0) continue
      let ksum = 0
      for (const [f, ls] of row) {
        const os = outStake[f]!
        if (ls === 0n || os === 0n) continue
        ksum = prev[f]! * (Number(ls) / Number(os)) + ksum
      }
      rank[t] = ksum * damping + corr
    }
    change = 0
    for (let i = 0; i < n; i++) change = Math.max(change, Math.abs(rank[i]! - prev[i]!))
    prev = rank; steps++
  }
  return { ranks: prev, steps }
}

/** Textbook float64 PageRank on the multigraph of distinct (from, to) pairs weighted by neuron
 * count: dangling mass spread evenly, ranks sum to 1; iterate until max change <= tolerance. */
export const pageRankFloat = (s: RankSnapshot, damping: number, tolerance: number): Float64Array => {
  const n = s.particles
  const outW = new Float64Array(n)
  for (let k = 0; k < s.inFrom.length; k++) outW[s.inFrom[k]!]! += 1
  let r = new Float64Array(n).fill(1 / n)
  for (let it = 0; it < 10_000; it++) {
    let dang = 0
    for (let i = 0; i < n; i++) if (outW[i] === 0) dang += r[i]!
    const next = new Float64Array(n)
    for (let t = 0; t < n; t++) {
      let sum = 0
      for (let k = s.inOffsets[t]!; k < s.inOffsets[t + 1]!; k++) sum += r[s.inFrom[k]!]! / outW[s.inFrom[k]!]!
      next[t] = damping * (sum + dang / n) + (1 - damping) / n
    }
    let change = 0
    for (let i = 0; i < n; i++) change = Math.max(change, Math.abs(next[i]! - r[i]!))
    r = next
    if (change <= tolerance) break
  }
  return r
}
