/**
 * Go's math/rand (v1) generator `rand.New(rand.NewSource(seed))`, reimplemented from its
 * published algorithm so that cosmos/iavl's TestTreeHash vector can be replayed here.
 *
 * The source is an additive lagged Fibonacci generator (length 607, tap 273) whose seeding XORs
 * a "cooked" table: the generator state after 7.8e12 steps from srand(1) (Go's gen_cooked.go).
 * Rather than embedding that table we compute it: the sequence obeys s[t] = s[t-607] + s[t-273]
 * (mod 2^64), so the state after N steps follows from x^N mod (x^607 - x^334 - 1) over Z/2^64
 * (polynomial jump-ahead), which takes a few seconds instead of 7.8e12 steps.
 */
const LEN = 607
const TAP = 273
const M = 2147483647
const MASK64 = (1n << 64n) - 1n
const MASK63 = (1n << 63n) - 1n

const seedrand = (x: number): number => {
  const hi = Math.trunc(x / 44488)
  const lo = x % 44488
  let r = 48271 * lo - 3399 * hi
  if (r < 0) r += M
  return r
}

/** Initial register of gen_cooked.go's srand(1) (shifts 20 and 10). */
const cookedSeedVector = (): bigint[] => {
  const vec: bigint[] = new Array(LEN)
  let x = 1
  for (let i = -20; i < LEN; i++) {
    x = seedrand(x)
    if (i >= 0) {
      let u = BigInt(x) << 20n
      x = seedrand(x)
      u ^= BigInt(x) << 10n
      x = seedrand(x)
      u ^= BigInt(x)
      vec[i] = u
    }
  }
  return vec
}

/** (a * b) mod (x^607 - x^334 - 1), coefficients mod 2^64. */
const mulMod = (a: bigint[], b: bigint[]): bigint[] => {
  const prod: bigint[] = new Array(2 * LEN - 1).fill(0n)
  for (let i = 0; i < LEN; i++) {
    const ai = a[i]!
    if (ai === 0n) continue
    for (let j = 0; j < LEN; j++) {
      const bj = b[j]!
      if (bj !== 0n) prod[i + j] = (prod[i + j]! + ai * bj) & MASK64
    }
  }
  return reduce(prod)
}

/** Reduces using x^607 = x^334 + 1, from the top degree down. */
const reduce = (p: bigint[]): bigint[] => {
  for (let d = p.length - 1; d >= LEN; d--) {
    const c = p[d]!
    if (c === 0n) continue
    p[d] = 0n
    p[d - LEN + 334] = (p[d - LEN + 334]! + c) & MASK64
    p[d - LEN] = (p[d - LEN]! + c) & MASK64
  }
  return p.slice(0, LEN)
}

/** x^n mod P. */
const xPow = (n: bigint): bigint[] => {
  let result: bigint[] = new Array(LEN).fill(0n)
  result[0] = 1n
  let base: bigint[] = new Array(LEN).fill(0n)
  base[1] = 1n
  while (n > 0n) {
    if (n & 1n) result = mulMod(result, base)
    base = mulMod(base, base)
    n >>= 1n
  }
  return result
}

let cooked: bigint[] | undefined

/** Go's rngCooked table (64-bit values, as unsigned bigints), computed by jump-ahead. */
export const rngCooked = (): bigint[] => {
  if (cooked !== undefined) return cooked
  const vec0 = cookedSeedVector()
  // u[k] = s[k - 607]; the initial window u[0..606] maps to register index (940 - k) mod 607.
  const window = Array.from({ length: LEN }, (_, k) => vec0[(940 - k) % LEN]!)
  const N = 7_800_000_000_000n
  let poly = xPow(N) // u[N] = s[N - 607]
  const out: bigint[] = new Array(LEN)
  for (let step = 0; step < LEN; step++) {
    const t = N - 607n + BigInt(step) // step index written last into register i
    const i = Number((((333n - t) % 607n) + 607n) % 607n)
    let acc = 0n
    for (let j = 0; j < LEN; j++) acc += poly[j]! * window[j]!
    out[i] = acc & MASK64
    // multiply by x
    const shifted = [0n, ...poly]
    poly = reduce(shifted)
  }
  cooked = out
  return out
}

/** Go's *rand.Rand over rand.NewSource(seed): Int63, Int31n, Intn, Float64, Read. */
export class GoRand {
  private readonly vec: bigint[] = new Array(LEN)
  private tap = 0
  private feed = LEN - TAP
  private readVal = 0n
  private readPos = 0

  constructor(seed: number) {
    const table = rngCooked()
    let s = seed % M
    if (s < 0) s += M
    if (s === 0) s = 89482311
    let x = s
    for (let i = -20; i < LEN; i++) {
      x = seedrand(x)
      if (i >= 0) {
        let u = BigInt(x) << 40n
        x = seedrand(x)
        u ^= BigInt(x) << 20n
        x = seedrand(x)
        u ^= BigInt(x)
        u ^= table[i]!
        this.vec[i] = u & MASK64
      }
    }
  }

  uint64(): bigint {
    if (--this.tap < 0) this.tap += LEN
    if (--this.feed < 0) this.feed += LEN
    const x = (this.vec[this.feed]! + this.vec[this.tap]!) & MASK64
    this.vec[this.feed] = x
    return x
  }

  int63(): bigint {
    return this.uint64() & MASK63
  }

  int31(): number {
    return Number(this.int63() >> 32n)
  }

  int31n(n: number): number {
    if ((n & (n - 1)) === 0) return this.int31() & (n - 1)
    const max = 2147483647 - (2147483648 % n)
    let v = this.int31()
    while (v > max) v = this.int31()
    return v % n
  }

  intn(n: number): number {
    if (n > 2147483647) throw new RangeError("intn above 2^31-1 is not implemented")
    return this.int31n(n)
  }

  float64(): number {
    for (;;) {
      const f = Number(this.int63()) / 2 ** 63
      if (f !== 1) return f
    }
  }

  read(p: Uint8Array): void {
    let pos = this.readPos
    let val = this.readVal
    for (let n = 0; n < p.length; n++) {
      if (pos === 0) {
        val = this.int63()
        pos = 7
      }
      p[n] = Number(val & 0xffn)
      val >>= 8n
      pos--
    }
    this.readPos = pos
    this.readVal = val
  }
}
