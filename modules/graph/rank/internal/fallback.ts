/**
 * Portable cyber•rank engine in TypeScript: the same integer algorithm as the native addon
 * (modules/graph-native/src/rank_*.cc), bit for bit, without BigInt in the iteration loop.
 *
 * Semantics: go-cyber x/rank/keeper/calculate_cpu.go (cyber mode) and standard PageRank
 * (pagerank mode); fixed point as in ./fixed.ts (ranks and weights u64 in 2^-63 units, damping
 * 2^-64). A u64 is held as three limbs of 21, 21 and 22 bits (stored in Uint32Arrays, computed
 * in doubles), so that a limb product is below 2^44 and sums of up to 128 such products stay exact
 * integers (< 2^53); the 128-bit row sum is carried between limbs every 128 links and at the end
 * of a row.
 */
import type { RankSnapshot } from "../Snapshot.ts"
import type { ResolvedParams } from "../RankParams.ts"
import { divRound, mulQ64, rankConstants } from "./fixed.ts"

/** The compressed in-link CSR both engines derive from a snapshot (one entry per (from, to) pair
 * with a non-zero weight). `cW` holds each weight (u64, 2^-63 units, at most 2^63) as three limbs
 * (bits 0-20, 21-41, 42-63) at 3k, 3k+1, 3k+2; `hasIn[t]` is 1 when the snapshot has any link into
 * t (go-cyber's non-dangling test); `danglingOut` lists particles whose out-stake is 0. */
export interface CompressedGraph {
  readonly cOffsets: Uint32Array
  readonly cSrc: Uint32Array
  readonly cW: Uint32Array
  readonly hasIn: Uint8Array
  readonly danglingOut: Uint32Array
}

const TWO21 = 2097152
const TWO22 = 4194304
const M21 = 0x1fffffn
const ONE_Q63 = 1n << 63n

/** A pair's weight: min(round(ls·2^63 / o), 2^63) (ties up), 0 < ls, 0 < o, u64 each. */
const weightQ63 = (ls: bigint, o: bigint): bigint => (ls >= o ? ONE_Q63 : divRound(ls << 63n, o))

const TWO26 = 67108864
const TWO52 = 4503599627370496

/** floor(r·2^k / o) and the remainder, for integers 0 ≤ r < o < 2^52 and k ≤ 22, in doubles:
 * r·2^k is exact (a power-of-two scale), q·o is taken as q·oh·2^26 + q·ol (each below 2^49) and
 * every difference is an integer below 2^53, so the remainder is exact; q is corrected until it
 * lies in [0, o). Returns q; the remainder is left in `rem`. */
let rem = 0
const divStep = (r: number, k: number, o: number, oh: number, ol: number): number => {
  const a = r * 2 ** k
  let q = Math.floor(a / o)
  let x = a - q * oh * TWO26 - q * ol
  while (x < 0) { q--; x += o }
  while (x >= o) { q++; x -= o }
  rem = x
  return q
}

/** {@link weightQ63} as limbs without BigInt, for 0 < ls < o < 2^52 (exact doubles): long
 * division gives Q = floor(ls·2^64 / o) as 21 + 21 + 22 bits, and w = floor((Q + 1) / 2). */
const weightLimbs = (ls: number, o: number, out: Uint32Array, at: number): void => {
  const oh = Math.floor(o / TWO26), ol = o - oh * TWO26
  let q1 = divStep(ls, 21, o, oh, ol)
  let q2 = divStep(rem, 21, o, oh, ol)
  const q3 = divStep(rem, 22, o, oh, ol)
  let w0 = Math.floor((q3 + 1) / 2)
  if (w0 === TWO21) { w0 = 0; q2++; if (q2 === TWO21) { q2 = 0; q1++ } }
  out[at] = w0; out[at + 1] = q2; out[at + 2] = q1
}

/** Limbs (bits 0-20, 21-41, 42-63) of a u64 bigint. */
const limbs = (x: bigint): [number, number, number] => [Number(x & M21), Number((x >> 21n) & M21), Number(x >> 42n)]

/**
 * Build the compressed graph: neudeg = links per neuron; a link's stake = stake / neudeg
 * (integer division, x/rank/keeper/calculate_cpu.go getNormalizedStake); a pair's stake = the sum
 * over its neurons; out-stake = the sum over the source's pairs; weight =
 * min(round(pairStake·2^63 / outStake), 2^63). Sums wrap modulo 2^64 as go's uint64 does.
 */
export const compress = (s: RankSnapshot): CompressedGraph => {
  const n = s.particles, m = s.neurons
  const { inOffsets, inFrom, inNeuron, stakes } = s
  const neudeg = new Uint32Array(m)
  for (let k = 0; k < inNeuron.length; k++) neudeg[inNeuron[k]!]!++
  let total = 0n
  const norm = new BigUint64Array(m)
  for (let u = 0; u < m; u++) {
    const deg = neudeg[u]!
    norm[u] = deg === 0 ? 0n : stakes[u]! / BigInt(deg)
    total += stakes[u]!
  }
  const hasIn = new Uint8Array(n)
  const cOffsets = new Uint32Array(n + 1)
  // Pair stakes as exact doubles while the total stake is below 2^53, else as u64 bigints that
  // wrap like go's uint64 (BigUint64Array stores modulo 2^64).
  const small = total < 2n ** 53n
  const normN = small ? Float64Array.from(norm, Number) : new Float64Array(0)
  const osN = small ? new Float64Array(n) : new Float64Array(0)
  const osB = small ? new BigUint64Array(0) : new BigUint64Array(n)
  /** The stake of the pair starting at link k (ending at o1), into lsN or lsB; returns the next
   * pair's start. */
  let lsN = 0, lsB = 0n
  const nextPair = (k: number, o1: number): number => {
    const f = inFrom[k]!
    if (small) {
      lsN = 0
      while (k < o1 && inFrom[k] === f) lsN += normN[inNeuron[k++]!]!
    } else {
      let ls = 0n
      while (k < o1 && inFrom[k] === f) ls += norm[inNeuron[k++]!]!
      lsB = BigInt.asUintN(64, ls)
    }
    return k
  }
  let pairs = 0
  for (let t = 0; t < n; t++) {
    const o1 = inOffsets[t + 1]!
    let k = inOffsets[t]!
    if (k < o1) hasIn[t] = 1
    while (k < o1) {
      const f = inFrom[k]!
      k = nextPair(k, o1)
      if (small) osN[f] = osN[f]! + lsN
      else osB[f] = osB[f]! + lsB
      pairs++
    }
  }
  const cSrc = new Uint32Array(pairs), cW = new Uint32Array(3 * pairs)
  let c = 0
  for (let t = 0; t < n; t++) {
    const o1 = inOffsets[t + 1]!
    let k = inOffsets[t]!
    while (k < o1) {
      const f = inFrom[k]!
      k = nextPair(k, o1)
      if (small && lsN !== 0 && lsN < osN[f]! && osN[f]! < TWO52) {
        weightLimbs(lsN, osN[f]!, cW, 3 * c)
        if (cW[3 * c] === 0 && cW[3 * c + 1] === 0 && cW[3 * c + 2] === 0) continue
        cSrc[c++] = f
        continue
      }
      const ls = small ? BigInt(lsN) : lsB, o = small ? BigInt(osN[f]!) : osB[f]!
      if (ls === 0n || o === 0n) continue
      const w = weightQ63(ls, o)
      if (w === 0n) continue
      const [w0, w1, w2] = limbs(w)
      cSrc[c] = f; cW[3 * c] = w0; cW[3 * c + 1] = w1; cW[3 * c + 2] = w2; c++
    }
    cOffsets[t + 1] = c
  }
  let dn = 0
  const dang = new Uint32Array(n)
  for (let f = 0; f < n; f++) if (small ? osN[f] === 0 : osB[f] === 0n) dang[dn++] = f
  return { cOffsets, cSrc: cSrc.slice(0, c), cW: cW.slice(0, 3 * c), hasIn, danglingOut: dang.slice(0, dn) }
}

/** Result of one calculation: ranks as u64 fixed point (2^-63 units) and the iteration count. */
export interface FallbackResult {
  readonly ranks: BigUint64Array
  readonly iterations: number
}

/**
 * One update sweep over every particle (ranks as limbs, 3 per particle):
 * next = round(round(Σ prev[src]·w / 2^63)·d / 2^64) + K (see ./fixed.ts), modulo 2^64.
 * d and K as limbs. Writes the largest |next - prev| into delta as (high, low) with
 * high = bits 21-63 and low = bits 0-20. A separate function so V8 optimizes it as a whole
 * rather than by on-stack replacement.
 */
const sweep = (
  cur: Uint32Array, nxt: Uint32Array, g: CompressedGraph, pagerank: boolean,
  d0: number, d1: number, d2: number, k0: number, k1: number, k2: number, delta: Float64Array,
): void => {
  const { cOffsets, cSrc, cW, hasIn } = g
  const n = hasIn.length
  let mh = 0, ml = 0
  for (let t = 0; t < n; t++) {
    if (!pagerank && hasIn[t] === 0) continue
    // T = a + b·2^21 + c·2^42 + e·2^63 + h·2^84 (exact; T mod 2^128 kept: h mod 2^44)
    let a = 0, b = 0, c = 0, e = 0, h = 0
    const o1 = cOffsets[t + 1]!
    for (let k = cOffsets[t]!, r = 0; k < o1; k++, r++) {
      const j = 3 * cSrc[k]!, q = 3 * k
      const p0 = cur[j]!, p1 = cur[j + 1]!, p2 = cur[j + 2]!
      const w0 = cW[q]!, w1 = cW[q + 1]!, w2 = cW[q + 2]!
      a += p0 * w0
      b += p0 * w1 + p1 * w0
      c += p0 * w2 + p1 * w1 + p2 * w0
      e += p1 * w2 + p2 * w1
      h += p2 * w2
      if ((r & 127) === 127) {
        let x = Math.floor(a / TWO21); a -= x * TWO21; b += x
        x = Math.floor(b / TWO21); b -= x * TWO21; c += x
        x = Math.floor(c / TWO21); c -= x * TWO21; e += x
        x = Math.floor(e / TWO21); e -= x * TWO21; h = (h + x) % 17592186044416 // 2^44
      }
    }
    let x = Math.floor(a / TWO21); b += x
    x = Math.floor(b / TWO21); b -= x * TWO21; c += x
    x = Math.floor(c / TWO21); c -= x * TWO21; e += x
    x = Math.floor(e / TWO21); e -= x * TWO21; h = (h + x) % 17592186044416
    // T63 = (T >> 63) + bit 62 (bit 20 of c), mod 2^64, as limbs t0, t1, t2
    let v = e + (c >= 1048576 ? 1 : 0)
    x = v >= TWO21 ? 1 : 0
    const t0 = v - x * TWO21
    v = h + x
    x = Math.floor(v / TWO21)
    const t1 = v - x * TWO21
    const t2 = x % TWO22
    // R = T63·d = a + b·2^21 + c·2^42 + e·2^63 + h·2^84
    a = t0 * d0
    b = t0 * d1 + t1 * d0
    c = t0 * d2 + t1 * d1 + t2 * d0
    e = t1 * d2 + t2 * d1
    h = t2 * d2
    x = Math.floor(a / TWO21); b += x
    x = Math.floor(b / TWO21); c += x
    x = Math.floor(c / TWO21); e += x
    x = Math.floor(e / TWO21); e -= x * TWO21; h += x
    // round(R / 2^64) = ceil(floor(R / 2^63) / 2), floor(R / 2^63) = e + h·2^21: = hb·2^21 + lo
    const hodd = h % 2
    const lo = Math.ceil((e + hodd * TWO21) / 2)
    const hb = Math.floor(h / 2)
    // + K, mod 2^64
    let y = lo + k0
    x = y >= TWO21 ? 1 : 0
    const n0 = y - x * TWO21
    const hb1 = Math.floor(hb / TWO21)
    y = hb - hb1 * TWO21 + k1 + x
    x = y >= TWO21 ? 1 : 0
    const n1 = y - x * TWO21
    const n2 = (hb1 + k2 + x) % TWO22
    const i = 3 * t
    nxt[i] = n0; nxt[i + 1] = n1; nxt[i + 2] = n2
    // |next - prev| as (xh, xl): xh = bits 21-63 (below 2^43, exact), xl = bits 0-20
    let xh = (n2 - cur[i + 2]!) * TWO21 + (n1 - cur[i + 1]!), xl = n0 - cur[i]!
    if (xl < 0) { xl += TWO21; xh -= 1 }
    if (xh < 0) { xh = -xh - 1; xl = TWO21 - xl; if (xl === TWO21) { xl = 0; xh += 1 } }
    if (xh > mh || (xh === mh && xl > ml)) { mh = xh; ml = xl }
  }
  delta[0] = mh; delta[1] = ml
}

/**
 * Run the calculation on a compressed graph. Iterates until max |new - prev| <= tolerance or
 * maxIterations; cyber mode updates only particles with in-links (others keep (1-d)/N, as
 * calculate_cpu.go's step does).
 */
export const iterate = (s: RankSnapshot, g: CompressedGraph, p: ResolvedParams): FallbackResult => {
  const n = s.particles
  const k0 = rankConstants(s, p)
  if (k0.empty) return { ranks: new BigUint64Array(n), iterations: 0 }
  let cur = new Uint32Array(3 * n)
  let nxt = new Uint32Array(3 * n)
  const [i0, i1, i2] = limbs(k0.initQ63)
  for (let i = 0; i < 3 * n; i += 3) { cur[i] = i0; cur[i + 1] = i1; cur[i + 2] = i2; nxt[i] = i0; nxt[i + 1] = i1; nxt[i + 2] = i2 }
  const { danglingOut } = g
  const delta = new Float64Array(2)
  const [d0, d1, d2] = limbs(p.dampingQ64)
  const tolH = Number(p.toleranceQ63 >> 21n), tolL = Number(p.toleranceQ63 & M21)
  const pagerank = p.modeCode === 1
  const N = BigInt(n)
  let iterations = 0
  for (;;) {
    let K = k0.constQ63
    if (pagerank) {
      // Σ over dangling particles, mod 2^64 (as the addon's u64 sum)
      let s0 = 0, s1 = 0, s2 = 0
      for (let j = 0; j < danglingOut.length; j++) {
        const x = 3 * danglingOut[j]!
        s0 += cur[x]!; s1 += cur[x + 1]!; s2 += cur[x + 2]!
      }
      const S = BigInt.asUintN(64, BigInt(s0) + (BigInt(s1) << 21n) + (BigInt(s2) << 42n))
      K = BigInt.asUintN(64, K + divRound(mulQ64(S, p.dampingQ64), N))
    }
    const [K0, K1, K2] = limbs(K)
    sweep(cur, nxt, g, pagerank, d0, d1, d2, K0, K1, K2, delta)
    const mh = delta[0]!, ml = delta[1]!
    const t = cur; cur = nxt; nxt = t
    iterations++
    if (mh < tolH || (mh === tolH && ml <= tolL)) break
    if (iterations >= p.maxIterations) break
  }
  // limbs -> u64 as (low, high) u32 halves
  const out = new BigUint64Array(n)
  const u32 = new Uint32Array(out.buffer)
  for (let i = 0; i < n; i++) {
    const a = cur[3 * i]!, b = cur[3 * i + 1]!, c = cur[3 * i + 2]!
    const bl = b % 2048 // low 11 bits of limb 1 complete the low word
    u32[2 * i] = bl * TWO21 + a
    u32[2 * i + 1] = Math.floor(b / 2048) + c * 1024
  }
  return { ranks: out, iterations }
}
