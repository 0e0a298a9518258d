/** Graphs for the cyber•rank benchmarks: a Graph500-style R-MAT generator and the Debian
 * dependency graph file written by scripts/debian-graph.ts. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { SnapshotBuilder, type RankSnapshot } from "../modules/graph/rank/Snapshot.ts"

/** xorshift128+ -> float in [0,1): fast, seeded. */
const rng = (seed: number) => {
  let s0 = (seed * 0x9e3779b1) >>> 0 || 1, s1 = 0x6d2b79f5 ^ seed, s2 = 0x1b873593, s3 = 0xcc9e2d51
  return () => {
    const t = s0 ^ (s0 << 11)
    s0 = s1; s1 = s2; s2 = s3
    s3 = (s3 ^ (s3 >>> 19) ^ t ^ (t >>> 8)) >>> 0
    return s3 / 4294967296
  }
}

/**
 * R-MAT (Graph500 parameters a=.57 b=.19 c=.19 d=.05): 2^scale particles, edgeFactor·2^scale link
 * attempts (self links dropped), vertex numbers randomly permuted as Graph500 does; each link gets
 * a random neuron of `neurons`, each neuron a random stake in [1, 10^12].
 */
export const rmatSnapshot = (scale: number, edgeFactor: number, neurons: number, seed = 1): RankSnapshot => {
  const n = 2 ** scale, m = edgeFactor * n
  const r = rng(seed)
  const perm = new Uint32Array(n)
  for (let i = 0; i < n; i++) perm[i] = i
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); const t = perm[i]!; perm[i] = perm[j]!; perm[j] = t }
  const b = new SnapshotBuilder()
  for (let u = 0; u < neurons; u++) b.setStake(u, BigInt(1 + Math.floor(r() * 1e12)))
  const A = 0.57, AB = 0.76, ABC = 0.95
  for (let e = 0; e < m; e++) {
    let from = 0, to = 0
    for (let bit = 0; bit < scale; bit++) {
      const x = r()
      from <<= 1; to <<= 1
      if (x < A) { /* top-left */ } else if (x < AB) to |= 1
      else if (x < ABC) from |= 1
      else { from |= 1; to |= 1 }
    }
    if (from === to) continue
    b.addLink(perm[from]!, perm[to]!, Math.floor(r() * neurons))
  }
  return b.build(n, neurons)
}

/** The Debian graph written by `npx node scripts/debian-graph.ts` (see that script). */
export const debianSnapshot = (path: string): { snapshot: RankSnapshot; names: string[] } => {
  const g = JSON.parse(readFileSync(path, "utf8")) as { packages: string[]; maintainers: string[]; links: number[] }
  const b = new SnapshotBuilder()
  for (let u = 0; u < g.maintainers.length; u++) b.setStake(u, 1_000_000_000n)
  for (let i = 0; i < g.links.length; i += 3) b.addLink(g.links[i]!, g.links[i + 1]!, g.links[i + 2]!)
  return { snapshot: b.build(g.packages.length, g.maintainers.length), names: g.packages }
}

/** A snapshot with the counts a SnapshotBuilder keeps (pairs per particle, links per neuron),
 * computed from its links: what the graph machine hands the engine. */
export const withCounts = (s: RankSnapshot): RankSnapshot => {
  const pairCounts = new Uint32Array(s.particles)
  const neuronLinks = new Uint32Array(s.neurons)
  for (let t = 0; t < s.particles; t++) {
    for (let k = s.inOffsets[t]!; k < s.inOffsets[t + 1]!; k++) if (k === s.inOffsets[t] || s.inFrom[k] !== s.inFrom[k - 1]) pairCounts[t]!++
  }
  for (let k = 0; k < s.inNeuron.length; k++) neuronLinks[s.inNeuron[k]!]!++
  return { ...s, pairCounts, neuronLinks }
}

/** {@link rmatSnapshot}, cached as raw arrays in bench/out/ so repeated runs skip generation. */
export const cachedRmatSnapshot = (scale: number, edgeFactor: number, neurons: number, seed = 1): RankSnapshot => {
  const path = new URL(`./out/rmat-${scale}-${edgeFactor}-${neurons}-${seed}.bin`, import.meta.url).pathname
  if (existsSync(path)) {
    const buf = readFileSync(path)
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
    const head = new Uint32Array(ab, 0, 4)
    const n = head[0]!, m = head[1]!, L = head[2]!
    let o = 16
    const take = (count: number) => { const a = new Uint32Array(ab, o, count); o += count * 4; return a }
    const inOffsets = take(n + 1), inFrom = take(L), inNeuron = take(L)
    o = Math.ceil(o / 8) * 8
    const stakes = new BigUint64Array(ab, o, m)
    return withCounts({ particles: n, neurons: m, inOffsets, inFrom, inNeuron, stakes })
  }
  const s = rmatSnapshot(scale, edgeFactor, neurons, seed)
  const L = s.inFrom.length
  let size = 16 + 4 * (s.particles + 1 + 2 * L)
  const stakeAt = Math.ceil(size / 8) * 8
  size = stakeAt + 8 * s.neurons
  const out = new Uint8Array(size)
  const u32 = new Uint32Array(out.buffer, 0, (stakeAt) / 4)
  u32.set([s.particles, s.neurons, L, 0], 0)
  u32.set(s.inOffsets, 4)
  u32.set(s.inFrom, 4 + s.particles + 1)
  u32.set(s.inNeuron, 4 + s.particles + 1 + L)
  new BigUint64Array(out.buffer, stakeAt, s.neurons).set(s.stakes)
  mkdirSync(new URL("./out/", import.meta.url).pathname, { recursive: true })
  writeFileSync(path, out)
  return s
}
