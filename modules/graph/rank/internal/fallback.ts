/**
 * Portable cyber•rank engine in TypeScript: the same integer algorithm as the native addon
 * (modules/graph-native/src/rank.cc), bit for bit, without BigInt in the iteration loop.
 *
 * Semantics: go-cyber x/rank/keeper/calculate_cpu.go (cyber mode) and standard PageRank
 * (pagerank mode); fixed point as in ./fixed.ts. A u64 rank is held as two u32 halves
 * (little-endian pairs in one Uint32Array, so the result is a BigUint64Array view for free);
 * products are split into 16-bit pieces so that every double stays an exact integer (< 2^53).
 */
import type { RankSnapshot } from "../Snapshot.ts"
import type { ResolvedParams } from "../RankParams.ts"
import { mulQ32, rankConstants } from "./fixed.ts"

/** The compressed in-link CSR both engines derive from a snapshot (one entry per (from, to) pair
 * with a non-zero weight). `cW` are weights in 2^-32 units; `hasIn[t]` is 1 when the snapshot has
 * any link into t (go-cyber's non-dangling test); `danglingOut` lists particles whose out-stake is 0. */
export interface CompressedGraph {
  readonly cOffsets: Uint32Array
  readonly cSrc: Uint32Array
  readonly cW: Uint32Array
  readonly hasIn: Uint8Array
  readonly danglingOut: Uint32Array
}

const TWO32 = 4294967296
const TWO16 = 65536

/**
 * Build the compressed graph: neudeg = links per neuron; a link's stake = stake / neudeg
 * (integer division, x/rank/keeper/calculate_cpu.go getNormalizedStake); a pair's stake = the sum
 * over its neurons; out-stake = the sum over the source's pairs; weight =
 * min(floor(pairStake·2^32 / outStake), 2^32-1). Sums wrap modulo 2^64 as go's uint64 does.
 */
export const compress = (s: RankSnapshot): CompressedGraph => {
  const n = s.particles, m = s.neurons, L = s.inFrom.length
  const { inOffsets, inFrom, inNeuron, stakes } = s
  const neudeg = new Uint32Array(m)
  for (let k = 0; k < L; k++) neudeg[inNeuron[k]!]!++
  let total = 0n
  const norm = new BigUint64Array(m)
  for (let u = 0; u < m; u++) {
    const deg = neudeg[u]!
    norm[u] = deg === 0 ? 0n : stakes[u]! / BigInt(deg)
    total += stakes[u]!
  }
  const small = total < 2n ** 53n
  const hasIn = new Uint8Array(n)
  const cOffsets = new Uint32Array(n + 1)
  let cSrc = new Uint32Array(0), cW = new Uint32Array(0)
  let c = 0
  let isDangling: (f: number) => boolean
  if (small) {
    // every sum is an exact double below 2^53
    const normN = new Float64Array(m)
    for (let u = 0; u < m; u++) normN[u] = Number(norm[u]!)
    const os = new Float64Array(n)
    let pairs = 0
    for (let t = 0; t < n; t++) {
      const o1 = inOffsets[t + 1]!
      let k = inOffsets[t]!
      if (k < o1) hasIn[t] = 1
      while (k < o1) {
        const f = inFrom[k]!
        let ls = 0
        while (k < o1 && inFrom[k] === f) ls += normN[inNeuron[k++]!]!
        os[f] = os[f]! + ls
        pairs++
      }
    }
    cSrc = new Uint32Array(pairs); cW = new Uint32Array(pairs)
    for (let t = 0; t < n; t++) {
      const o1 = inOffsets[t + 1]!
      let k = inOffsets[t]!
      while (k < o1) {
        const f = inFrom[k]!
        let ls = 0
        while (k < o1 && inFrom[k] === f) ls += normN[inNeuron[k++]!]!
        const o = os[f]!
        if (ls === 0 || o === 0) continue
        let w: number
        if (ls >= o) w = TWO32 - 1
        else if (o < 2 ** 21) {
          const x = ls * TWO32
          w = Math.floor(x / o)
          if (w * o > x) w--
          else if ((w + 1) * o <= x) w++
        } else w = Number((BigInt(ls) << 32n) / BigInt(o))
        if (w === 0) continue
        cSrc[c] = f; cW[c++] = w
      }
      cOffsets[t + 1] = c
    }
    isDangling = (f) => os[f] === 0
  } else {
    // u64 sums wrapping like go's uint64 (BigUint64Array stores modulo 2^64)
    const os = new BigUint64Array(n)
    let pairs = 0
    for (let t = 0; t < n; t++) {
      const o1 = inOffsets[t + 1]!
      let k = inOffsets[t]!
      if (k < o1) hasIn[t] = 1
      while (k < o1) {
        const f = inFrom[k]!
        let ls = 0n
        while (k < o1 && inFrom[k] === f) ls += norm[inNeuron[k++]!]!
        os[f] = os[f]! + BigInt.asUintN(64, ls)
        pairs++
      }
    }
    cSrc = new Uint32Array(pairs); cW = new Uint32Array(pairs)
    for (let t = 0; t < n; t++) {
      const o1 = inOffsets[t + 1]!
      let k = inOffsets[t]!
      while (k < o1) {
        const f = inFrom[k]!
        let ls = 0n
        while (k < o1 && inFrom[k] === f) ls += norm[inNeuron[k++]!]!
        ls = BigInt.asUintN(64, ls)
        const o = os[f]!
        if (ls === 0n || o === 0n) continue
        const q = (ls << 32n) / o
        const w = q >= 0xffffffffn ? TWO32 - 1 : Number(q)
        if (w === 0) continue
        cSrc[c] = f; cW[c++] = w
      }
      cOffsets[t + 1] = c
    }
    isDangling = (f) => os[f] === 0n
  }
  let dn = 0
  const dang = new Uint32Array(n)
  for (let f = 0; f < n; f++) if (isDangling(f)) dang[dn++] = f
  return { cOffsets, cSrc: cSrc.slice(0, c), cW: cW.slice(0, c), hasIn, danglingOut: dang.slice(0, dn) }
}

/** Result of one calculation: ranks as u64 fixed point (2^-60 units) and the iteration count. */
export interface FallbackResult {
  readonly ranks: BigUint64Array
  readonly iterations: number
}

/**
 * One update sweep over every particle: next = mulQ32(Σ mulQ32(prev[src], w), d) + K, K = (Kh, Kl)
 * as u32 halves. Writes the largest |next - prev| into delta as (high, low) u32 halves. A separate
 * function so V8 optimizes it as a whole rather than by on-stack replacement.
 */
const sweep = (
  cur: Uint32Array, nxt: Uint32Array, g: CompressedGraph, pagerank: boolean,
  dh: number, dl: number, Kh: number, Kl: number, delta: Float64Array,
): void => {
  const { cOffsets, cSrc, cW, hasIn } = g
  const n = hasIn.length
  let mh = 0, ml = 0
  for (let t = 0; t < n; t++) {
    if (!pagerank && hasIn[t] === 0) continue
    // T = Σ mulQ32(prev[src], w) held as a·2^16 + b
    let a = 0, b = 0
    const o1 = cOffsets[t + 1]!
    for (let k = cOffsets[t]!, r = 0; k < o1; k++, r++) {
      const src = cSrc[k]!, w = cW[k]!
      const wh = w >>> 16, wl = w & 0xffff
      const h = cur[2 * src + 1]!, l = cur[2 * src]!
      a += h * wh
      b += h * wl + Math.floor((l * wh + Math.floor((l * wl) / TWO16)) / TWO16)
      if ((r & 63) === 63) { const c = Math.floor(b / TWO16); a += c; b -= c * TWO16 }
    }
    let c = Math.floor(b / TWO16); a += c; b -= c * TWO16
    const Th = Math.floor(a / TWO16)
    const Tl = (a - Th * TWO16) * TWO16 + b
    // R = mulQ32(T, d) = Th·d + hi32(Tl·d), held as ra·2^16 + rb
    let ra = Th * dh
    let rb = Th * dl + Math.floor((Tl * dh + Math.floor((Tl * dl) / TWO16)) / TWO16)
    c = Math.floor(rb / TWO16); ra += c; rb -= c * TWO16
    const Rh = Math.floor(ra / TWO16)
    let lo = (ra - Rh * TWO16) * TWO16 + rb + Kl
    let hi = Rh + Kh
    if (lo >= TWO32) { lo -= TWO32; hi += 1 }
    nxt[2 * t] = lo; nxt[2 * t + 1] = hi
    // |new - prev| as (xh, xl)
    let xh = hi - cur[2 * t + 1]!, xl = lo - cur[2 * t]!
    if (xh < 0 || (xh === 0 && xl < 0)) { xh = -xh; xl = -xl }
    if (xl < 0) { xl += TWO32; xh -= 1 }
    if (xh > mh || (xh === mh && xl > ml)) { mh = xh; ml = xl }
  }
  delta[0] = mh; delta[1] = ml
}

const split = (x: bigint): [number, number] => [Number(x >> 32n), Number(x & 0xffffffffn)]

/**
 * Run the calculation on a compressed graph. Iterates until max |new - prev| <= tolerance or
 * maxIterations; cyber mode updates only particles with in-links (others keep (1-d)/N, as
 * calculate_cpu.go's step does).
 */
export const iterate = (s: RankSnapshot, g: CompressedGraph, p: ResolvedParams): FallbackResult => {
  const n = s.particles
  const k0 = rankConstants(s, p)
  if (k0.empty) return { ranks: new BigUint64Array(n), iterations: 0 }
  const out = new BigUint64Array(n)
  let cur = new Uint32Array(out.buffer)
  let nxt = new Uint32Array(2 * n)
  const [ih, il] = split(k0.initQ60)
  for (let i = 0; i < n; i++) { cur[2 * i] = il; cur[2 * i + 1] = ih; nxt[2 * i] = il; nxt[2 * i + 1] = ih }
  const { danglingOut } = g
  const delta = new Float64Array(2)
  const d = p.dampingQ32, dh = Math.floor(d / TWO16), dl = d % TWO16
  const [tolH, tolL] = split(p.toleranceQ60)
  const pagerank = p.modeCode === 1
  const N = BigInt(n), D = BigInt(d)
  let iterations = 0
  for (;;) {
    let K = k0.constQ60
    if (pagerank) {
      let sh = 0, sl = 0
      for (let j = 0; j < danglingOut.length; j++) {
        const x = danglingOut[j]!
        sh += cur[2 * x + 1]!; sl += cur[2 * x]!
        if ((j & 0xfffff) === 0xfffff) { const c = Math.floor(sl / TWO32); sh += c; sl -= c * TWO32 }
      }
      K += mulQ32((BigInt(sh) << 32n) + BigInt(sl), D) / N
    }
    const [Kh, Kl] = split(K)
    sweep(cur, nxt, g, pagerank, dh, dl, Kh, Kl, delta)
    const mh = delta[0]!, ml = delta[1]!
    const t = cur; cur = nxt; nxt = t
    iterations++
    if (mh < tolH || (mh === tolH && ml <= tolL)) break
    if (iterations >= p.maxIterations) break
  }
  if (cur.buffer !== out.buffer) new Uint32Array(out.buffer).set(cur)
  return { ranks: out, iterations }
}
