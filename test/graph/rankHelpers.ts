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

/** Stake 10^x with x uniform in [0, orders): neuron stakes spread over `orders` orders of magnitude. */
const spreadStake = (r: () => number, orders: number): bigint => BigInt(Math.floor(10 ** (r() * orders)))

/**
 * A hub fed by many tiny weights: `sources` particles each make one big-stake link (a "whale"
 * neuron, stake `whale`, split over all its links) to a private target and one small-stake link
 * (its own neuron, stake 10^x, x uniform in [0, orders)) to the hub, particle 0. Each hub weight is
 * then about 10^x / (whale / sources): 10^-15 to 10^-6 with the defaults, where 2^-32 units lose
 * them. The targets link back to random sources so that rank circulates.
 */
export const hubSnapshot = (o: { readonly sources: number; readonly seed: number; readonly orders?: number; readonly whale?: bigint }): RankSnapshot => {
  const r = prng(o.seed)
  const b = new SnapshotBuilder()
  const S = o.sources
  // particles: 0 hub, 1..S sources, S+1..2S targets
  b.setStake(0, o.whale ?? 10n ** 18n)
  for (let i = 1; i <= S; i++) {
    b.addLink(i, S + i, 0)
    b.setStake(i, spreadStake(r, o.orders ?? 9))
    b.addLink(i, 0, i)
    b.addLink(S + i, 1 + Math.floor(r() * S), i)
  }
  b.addLink(0, 1, 0)
  return b.build(2 * S + 1, S + 1)
}

/** A random graph whose neuron stakes spread over `orders` orders of magnitude (10^0 .. 10^orders),
 * with targets skewed towards low particle numbers (a few particles take most links). */
export const skewedStakeSnapshot = (o: { readonly particles: number; readonly links: number; readonly neurons: number; readonly seed: number; readonly orders: number }): RankSnapshot => {
  const r = prng(o.seed)
  const b = new SnapshotBuilder()
  for (let u = 0; u < o.neurons; u++) b.setStake(u, spreadStake(r, o.orders))
  for (let i = 0; i < o.links; i++) {
    const from = Math.floor(r() * o.particles)
    const to = Math.floor(r() * r() * r() * o.particles)
    // a neuron's link count falls with its number, so big and small stakes meet on the same pairs
    const neuron = Math.floor(r() * r() * o.neurons)
    if (from !== to) b.addLink(from, to, neuron)
  }
  return b.build(o.particles, o.neurons)
}

/** A chain 0 → 1 → … → length-1 (one neuron), plus `side` random links by a second neuron with a
 * stake `ratio` times smaller, so most chain weights are just below 1 and side weights tiny. */
export const chainSnapshot = (o: { readonly length: number; readonly side: number; readonly seed: number; readonly ratio?: bigint }): RankSnapshot => {
  const r = prng(o.seed)
  const b = new SnapshotBuilder()
  const big = 10n ** 15n
  b.setStake(0, big * BigInt(o.length))
  b.setStake(1, (big * BigInt(o.side)) / (o.ratio ?? 10n ** 7n) + 1n)
  for (let i = 0; i + 1 < o.length; i++) b.addLink(i, i + 1, 0)
  for (let i = 0; i < o.side; i++) {
    const from = Math.floor(r() * o.length), to = Math.floor(r() * o.length)
    if (from !== to) b.addLink(from, to, 1)
  }
  return b.build(o.length, 2)
}

/** R-MAT (Graph500 parameters a=.57 b=.19 c=.19 d=.05) on 2^scale particles, particle numbers
 * permuted, each link by a random neuron; neuron stakes spread over `orders` orders of magnitude. */
export const rmatSnapshot = (o: { readonly scale: number; readonly edgeFactor: number; readonly neurons: number; readonly seed: number; readonly orders: number }): RankSnapshot => {
  const r = prng(o.seed)
  const n = 2 ** o.scale
  const perm = new Uint32Array(n)
  for (let i = 0; i < n; i++) perm[i] = i
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); const t = perm[i]!; perm[i] = perm[j]!; perm[j] = t }
  const b = new SnapshotBuilder()
  for (let u = 0; u < o.neurons; u++) b.setStake(u, spreadStake(r, o.orders))
  for (let e = 0; e < o.edgeFactor * n; e++) {
    let from = 0, to = 0
    for (let bit = 0; bit < o.scale; bit++) {
      const x = r()
      from <<= 1; to <<= 1
      if (x < 0.57) { /* top-left quadrant */ } else if (x < 0.76) to |= 1
      else if (x < 0.95) from |= 1
      else { from |= 1; to |= 1 }
    }
    if (from !== to) b.addLink(perm[from]!, perm[to]!, Math.floor(r() * o.neurons))
  }
  return b.build(n, o.neurons)
}

/**
 * Largest error of fixed-point ranks against a float64 reference, relative to
 * max(reference, floor): relative for ranks above `floor`, absolute (in units of floor) below.
 * Returns the error and the particle where it occurs.
 */
export const worstRelativeError = (ranks: ArrayLike<bigint>, reference: Float64Array, floor: number): { error: number; particle: number } => {
  let error = 0, particle = -1
  for (let i = 0; i < reference.length; i++) {
    const got = Number(ranks[i]!) / 2 ** 63 // determinism-ok: test comparison only
    const e = Math.abs(got - reference[i]!) / Math.max(reference[i]!, floor)
    if (e > error) { error = e; particle = i }
  }
  return { error, particle }
}

/** Particle numbers by descending rank, ties by number. */
export const topOrder = (values: ArrayLike<number | bigint>, k: number): number[] =>
  Array.from({ length: values.length }, (_, i) => i)
    .sort((a, b) => (values[b]! > values[a]! ? 1 : values[b]! < values[a]! ? -1 : a - b))
    .slice(0, k)

/**
 * The fixed-point algorithm of docs/graph-rank.md ("Fixed-point format") written directly in
 * BigInt from the snapshot, as the specification the engines must match bit for bit: weights
 * min(round(ls·2^63 / os), 2^63), T = Σ prev·w mod 2^128, next = round(round(T / 2^63)·d / 2^64)
 * + K mod 2^64, every rounding to nearest with ties up. Slow; for small graphs.
 */
export const fixedReference = (s: RankSnapshot, p: { readonly modeCode: 0 | 1; readonly dampingQ64: bigint; readonly toleranceQ63: bigint; readonly maxIterations: number }): { ranks: bigint[]; iterations: number } => {
  const n = s.particles
  const M64 = (1n << 64n) - 1n, M128 = (1n << 128n) - 1n
  const rnd = (x: bigint, sh: bigint) => (x >> sh) + ((x >> (sh - 1n)) & 1n)
  const div = (a: bigint, b: bigint) => (2n * a + b) / (2n * b)
  if (n === 0 || (p.modeCode === 0 && s.neurons === 0)) return { ranks: new Array<bigint>(n).fill(0n), iterations: 0 }
  const neudeg = new Array<bigint>(s.neurons).fill(0n)
  for (const u of s.inNeuron) neudeg[u]! += 1n
  const norm = (u: number) => (neudeg[u] === 0n ? 0n : s.stakes[u]! / neudeg[u]!)
  const rows: Array<Array<[number, bigint]>> = []
  const os = new Array<bigint>(n).fill(0n)
  for (let t = 0; t < n; t++) {
    const row: Array<[number, bigint]> = []
    for (let k = s.inOffsets[t]!; k < s.inOffsets[t + 1]!; ) {
      const f = s.inFrom[k]!
      let ls = 0n
      while (k < s.inOffsets[t + 1]! && s.inFrom[k] === f) ls += norm(s.inNeuron[k++]!)
      ls &= M64
      row.push([f, ls]); os[f] = (os[f]! + ls) & M64
    }
    rows.push(row)
  }
  const w = rows.map((row) => row.map(([f, ls]): [number, bigint] => [f, ls === 0n || os[f] === 0n ? 0n : ls >= os[f]! ? 1n << 63n : div(ls << 63n, os[f]!)]))
  const N = BigInt(n), d = p.dampingQ64
  let D = 0n
  for (let t = 0; t < n; t++) if (rows[t]!.length === 0) D++
  const teleport = div((1n << 64n) - d, 2n * N)
  const init = p.modeCode === 0 ? teleport : div(1n << 63n, N)
  const K0 = p.modeCode === 0 ? div(((1n << 64n) - d) * ((N << 64n) + d * D), (N * N) << 65n) : teleport
  let prev = new Array<bigint>(n).fill(init)
  let iterations = 0
  for (;;) {
    let K = K0
    if (p.modeCode === 1) {
      let S = 0n
      for (let f = 0; f < n; f++) if (os[f] === 0n) S += prev[f]!
      K = (K + div(rnd((S & M64) * d, 64n), N)) & M64
    }
    const next = [...prev]
    let maxDelta = 0n
    for (let t = 0; t < n; t++) {
      if (p.modeCode === 0 && rows[t]!.length === 0) continue
      let T = 0n
      for (const [f, wt] of w[t]!) T += prev[f]! * wt
      const T63 = rnd(T & M128, 63n) & M64
      next[t] = (rnd(T63 * d, 64n) + K) & M64
      const delta = next[t]! > prev[t]! ? next[t]! - prev[t]! : prev[t]! - next[t]!
      if (delta > maxDelta) maxDelta = delta
    }
    prev = next
    iterations++
    if (maxDelta <= p.toleranceQ63 || iterations >= p.maxIterations) break
  }
  return { ranks: prev, iterations }
}
