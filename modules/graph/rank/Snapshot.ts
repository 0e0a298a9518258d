/**
 * The rank snapshot: the links and stakes one cyber•rank calculation reads, in a compact CSR
 * layout that both engines (native addon and TypeScript fallback) consume unchanged.
 *
 * Follows go-cyber's calculation context (x/rank/types/context.go: in-links per particle,
 * out-links per particle, stakes and neudegs per neuron) without its maps of maps: the links are
 * one array sorted by (to, from, neuron) and indexed by particle, 8 bytes per link.
 *
 * The graph machine keeps a {@link SnapshotBuilder} over its append-only link log (cyberlinks are
 * never removed in go-cyber) and calls {@link SnapshotBuilder.build} at each CalculationPeriod
 * boundary: counting sorts of the links added since the previous build (no comparisons) merged
 * into the kept index, about one copy of the index in all.
 */
import { Data } from "effect"
import { loadNative } from "./internal/native.ts"

/**
 * An immutable rank snapshot (all numbers are unsigned).
 *
 * - `particles` N: particle numbers are 0..N-1 (go-cyber's CidNumber).
 * - `neurons` M: neuron numbers are 0..M-1 (go-cyber's AccNumber after indexing).
 * - `inOffsets` (N+1 entries): the links into particle `to` are entries
 *   `inOffsets[to] .. inOffsets[to+1]-1` of `inFrom` / `inNeuron`.
 * - `inFrom`, `inNeuron` (L entries): source particle and linking neuron of each link, sorted by
 *   (to, from, neuron); no (from, to, neuron) triple appears twice.
 * - `stakes` (M entries): each neuron's stake (u64; go-cyber: GetTotalStakesAmpere).
 * - `pairCounts` (N entries, optional): distinct sources among the links into each particle.
 * - `neuronLinks` (M entries, optional): links made by each neuron (go-cyber's neudeg).
 *
 * The two counts are kept by {@link SnapshotBuilder} as links arrive; given both, the native
 * engine skips its counting pass over the links (docs/graph-rank.md). Both engines check them
 * against the links and reject a snapshot whose counts disagree ({@link RankSnapshotError}).
 * - `lineage` (optional): set by {@link SnapshotBuilder.build}: the builder's number and the
 *   build's number (both non-negative safe integers). It promises that a later build of the same
 *   builder holds every link of this one, each target's old links unchanged, and that the
 *   arrays are not changed after the build. The native engine then keeps the weights of the
 *   last calculation and recomputes only those of changed pairs (docs/graph-rank.md,
 *   "Incremental preparation"); a snapshot without it is prepared from scratch. Same bits either way.
 *
 * Limits: N, M < 2^32 and L < 2^32.
 */
export interface RankSnapshot {
  readonly particles: number
  readonly neurons: number
  readonly inOffsets: Uint32Array
  readonly inFrom: Uint32Array
  readonly inNeuron: Uint32Array
  readonly stakes: BigUint64Array
  readonly pairCounts?: Uint32Array
  readonly neuronLinks?: Uint32Array
  readonly lineage?: SnapshotLineage
}

/** Which builder made a snapshot and which of its builds it is (see {@link RankSnapshot}). */
export interface SnapshotLineage {
  readonly builder: number
  readonly generation: number
}

/** A snapshot whose arrays are inconsistent; `log` names the first problem found. */
export class RankSnapshotError extends Data.TaggedError("RankSnapshotError")<{ readonly log: string }> {
  override get message(): string {
    return this.log
  }
}

/**
 * Check a snapshot's shape in O(particles + links): array lengths, offsets non-decreasing from 0
 * to the link count, particle and neuron numbers in range and the optional counts equal to those
 * of the links (skipped with `{ links: false }`, for the native engine, which checks them off
 * the JavaScript thread). Throws {@link RankSnapshotError}.
 * (Order within a particle's links and uniqueness are the builder's promise and are not needed
 * for memory safety; both engines give the same bits on any well-formed snapshot.)
 */
export const validateSnapshot = (s: RankSnapshot, options: { readonly links?: boolean } = {}): void => {
  const fail = (log: string): never => { throw new RankSnapshotError({ log }) }
  const { particles: n, neurons: m, inOffsets, inFrom, inNeuron, stakes } = s
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) fail(`particles must be an integer in [0, 2^32), got ${n}`)
  if (!Number.isInteger(m) || m < 0 || m >= 2 ** 32) fail(`neurons must be an integer in [0, 2^32), got ${m}`)
  for (const [name, a] of [["inOffsets", inOffsets], ["inFrom", inFrom], ["inNeuron", inNeuron]] as const) {
    if (!(a instanceof Uint32Array)) fail(`${name} must be a Uint32Array`)
  }
  if (!(stakes instanceof BigUint64Array)) fail("stakes must be a BigUint64Array")
  if (inOffsets.length !== n + 1) fail(`inOffsets has ${inOffsets.length} entries, expected particles + 1 = ${n + 1}`)
  if (inFrom.length !== inNeuron.length) fail(`inFrom has ${inFrom.length} entries but inNeuron ${inNeuron.length}`)
  if (stakes.length !== m) fail(`stakes has ${stakes.length} entries, expected neurons = ${m}`)
  if (inOffsets[0] !== 0) fail(`inOffsets[0] must be 0, got ${inOffsets[0]}`)
  for (let t = 0; t < n; t++) if (inOffsets[t + 1]! < inOffsets[t]!) fail(`inOffsets decreases at particle ${t}`)
  if (inOffsets[n] !== inFrom.length) fail(`inOffsets ends at ${inOffsets[n]}, expected the link count ${inFrom.length}`)
  const { pairCounts, neuronLinks } = s
  if (pairCounts !== undefined && !(pairCounts instanceof Uint32Array && pairCounts.length === n)) fail(`pairCounts must be a Uint32Array of particles = ${n} entries`)
  if (neuronLinks !== undefined && !(neuronLinks instanceof Uint32Array && neuronLinks.length === m)) fail(`neuronLinks must be a Uint32Array of neurons = ${m} entries`)
  const { lineage } = s
  if (lineage !== undefined && !(Number.isSafeInteger(lineage.builder) && lineage.builder >= 0 && Number.isSafeInteger(lineage.generation) && lineage.generation >= 0)) {
    fail("lineage must hold non-negative safe integers builder and generation")
  }
  if (options.links === false) return
  for (let k = 0; k < inFrom.length; k++) {
    if (inFrom[k]! >= n) fail(`link ${k} comes from particle ${inFrom[k]}, out of range (particles = ${n})`)
    if (inNeuron[k]! >= m) fail(`link ${k} names neuron ${inNeuron[k]}, out of range (neurons = ${m})`)
  }
  if (pairCounts !== undefined) {
    for (let t = 0; t < n; t++) {
      let pairs = 0
      for (let k = inOffsets[t]!; k < inOffsets[t + 1]!; k++) if (k === inOffsets[t] || inFrom[k] !== inFrom[k - 1]) pairs++
      if (pairs !== pairCounts[t]) fail(`pairCounts[${t}] = ${pairCounts[t]} disagrees with the links of particle ${t}`)
    }
  }
  if (neuronLinks !== undefined) {
    const made = new Uint32Array(m)
    for (let k = 0; k < inNeuron.length; k++) made[inNeuron[k]!]!++
    for (let u = 0; u < m; u++) if (made[u] !== neuronLinks[u]) fail(`neuronLinks[${u}] = ${neuronLinks[u]} but neuron ${u} made ${made[u]} links`)
  }
}

/** Number of links in a snapshot. */
export const snapshotLinks = (s: RankSnapshot): number => s.inFrom.length

/** A link index: in-links per particle, sorted by (to, from, neuron), duplicates removed, and
 * the distinct sources per particle. */
interface LinkIndex {
  readonly inOffsets: Uint32Array
  readonly inFrom: Uint32Array
  readonly inNeuron: Uint32Array
  readonly pairCounts: Uint32Array
}

/**
 * Incremental snapshot builder: a stake table and a link index (CSR by target, 8 bytes per link)
 * kept across builds, plus the links appended since the last build (12 bytes per link).
 * Duplicate links may be appended (they are removed by `build`, as go-cyber's link sets do); self
 * links are kept (the graph machine rejects them before they get here).
 *
 * `build` sorts only the links appended since the previous build (counting sorts, O(new links +
 * particles + neurons)) and merges them into the kept index; the merge copies unchanged runs of
 * targets in bulk, so a build costs about one memory copy of the index (the snapshot's arrays
 * must be fresh: an earlier snapshot may still be read by a running calculation). The result is
 * the same as sorting every link from scratch.
 *
 * Many added links (the first build after a start sorts the whole log) are sorted by the native
 * addon when it is loaded (`sortLinks`, modules/graph-native/src/sort.cc: a comparison sort on
 * the same (to, from, neuron) key on several threads, byte-identical arrays); otherwise, and for
 * few links, by the counting sorts here. `options.sort` forces one of the two ("native" throws
 * at `build` when the addon is not loaded); the default is "auto".
 */
export class SnapshotBuilder {
  private readonly options: { readonly sort?: "auto" | "native" | "js"; readonly threads?: number }
  constructor(options: { readonly sort?: "auto" | "native" | "js"; readonly threads?: number } = {}) {
    this.options = options
  }

  private from = new Uint32Array(1024)
  private to = new Uint32Array(1024)
  private neuron = new Uint32Array(1024)
  private count = 0
  private total = 0
  private index: LinkIndex | undefined = undefined
  private indexReleased = false
  private spare: Spare | undefined = undefined
  private stakes = new BigUint64Array(64)
  /** links per neuron in the kept index (go-cyber's neudeg) */
  private degrees = new Uint32Array(64)
  private maxParticle = -1
  private maxNeuron = -1
  /** this builder's number (lineage) and its builds so far */
  private readonly id = nextBuilderId++
  private generation = 0

  /** Number of links appended so far (duplicates included). */
  get links(): number {
    return this.total
  }

  /** Append the cyberlink `from -> to` made by `neuron` (particle and neuron numbers, u32). */
  addLink(from: number, to: number, neuron: number): void {
    if (this.count === this.from.length) this.grow()
    this.from[this.count] = from
    this.to[this.count] = to
    this.neuron[this.count] = neuron
    this.count++
    this.total++
    if (from > this.maxParticle) this.maxParticle = from
    if (to > this.maxParticle) this.maxParticle = to
    if (neuron > this.maxNeuron) this.maxNeuron = neuron
  }

  /** Set a neuron's stake (u64, e.g. its balance of the configured denom). */
  setStake(neuron: number, stake: bigint): void {
    if (neuron >= this.stakes.length) {
      let size = this.stakes.length
      while (size <= neuron) size *= 2
      const next = new BigUint64Array(size)
      next.set(this.stakes)
      this.stakes = next
    }
    this.stakes[neuron] = stake
    if (neuron > this.maxNeuron) this.maxNeuron = neuron
  }

  /** Replace the whole stake table: neuron i gets `stakes[i]`, every other neuron 0. */
  setStakes(stakes: BigUint64Array): void {
    this.stakes = new BigUint64Array(Math.max(64, stakes.length))
    this.stakes.set(stakes)
    if (stakes.length - 1 > this.maxNeuron) this.maxNeuron = stakes.length - 1
  }

  /**
   * Freeze the current links and stakes into a {@link RankSnapshot}. `particles` may exceed the
   * largest particle number seen (particles without links); `neurons` likewise.
   */
  build(particles = 0, neurons = 0): RankSnapshot {
    const n = Math.max(particles, this.maxParticle + 1)
    const m = Math.max(neurons, this.maxNeuron + 1)
    if (this.degrees.length < m) {
      const next = new Uint32Array(Math.max(m, 2 * this.degrees.length))
      next.set(this.degrees)
      this.degrees = next
    }
    const added = this.sortAdded(n, m)
    const old = this.index
    const spare = this.spare
    this.spare = undefined
    let index: LinkIndex
    if (old === undefined) {
      index = added
      for (let k = 0; k < added.inNeuron.length; k++) this.degrees[added.inNeuron[k]!]!++
    } else index = mergeIndex(old, added, n, this.degrees, spare)
    if (old !== undefined && this.indexReleased) this.spare = spareOf(old)
    this.index = index
    this.indexReleased = false
    this.count = 0
    const stakes = new BigUint64Array(m)
    stakes.set(this.stakes.subarray(0, Math.min(m, this.stakes.length)))
    return {
      particles: n, neurons: m, inOffsets: index.inOffsets, inFrom: index.inFrom, inNeuron: index.inNeuron, stakes,
      pairCounts: index.pairCounts, neuronLinks: this.degrees.slice(0, m),
      lineage: { builder: this.id, generation: ++this.generation }
    }
  }

  /**
   * Hand back a snapshot of this builder that nothing reads any more (its calculation finished):
   * a later build may write its next index into those arrays instead of fresh memory, whose page
   * faults were most of a build's time (docs/performance.md). The snapshot must not be read
   * after this call.
   */
  recycle(snapshot: RankSnapshot): void {
    if (this.index !== undefined && snapshot.inFrom.buffer === this.index.inFrom.buffer) this.indexReleased = true
    else if (snapshot.inFrom.buffer.byteLength > (this.spare?.from.byteLength ?? 0)) {
      this.spare = spareOf(snapshot)
    }
  }

  /** The links appended since the last build as an index over `n` particles. */
  private sortAdded(n: number, m: number): LinkIndex {
    const l = this.count
    const { from, to, neuron } = this
    const mode = this.options.sort ?? "auto"
    if (mode === "native" || (mode === "auto" && l >= nativeSortMin)) {
      const native = loadNative()
      if ("addon" in native) {
        const threads = this.options.threads ?? Math.max(1, Math.min(8, native.addon.hardwareThreads))
        return native.addon.sortLinks(from, to, neuron, l, n, m, threads)
      }
      if (mode === "native") throw new Error(`SnapshotBuilder: sort "native" asked for, but ${native.reason}`)
    }
    // three stable counting sorts (LSD): by neuron, then from, then to
    const byKey = (key: Uint32Array, buckets: number, order: Uint32Array | null): Uint32Array => {
      const counts = new Uint32Array(buckets + 1)
      for (let i = 0; i < l; i++) counts[key[i]! + 1]!++
      for (let b = 0; b < buckets; b++) counts[b + 1]! += counts[b]!
      const out = new Uint32Array(l)
      if (order === null) for (let i = 0; i < l; i++) out[counts[key[i]!]!++] = i
      else for (let k = 0; k < l; k++) { const i = order[k]!; out[counts[key[i]!]!++] = i }
      return out
    }
    const order = byKey(to, n, byKey(from, n, byKey(neuron, m, null)))
    const inOffsets = new Uint32Array(n + 1)
    const pairCounts = new Uint32Array(n)
    const inFrom = new Uint32Array(l)
    const inNeuron = new Uint32Array(l)
    let w = 0
    let pf = -1, pt = -1, pn = -1
    for (let k = 0; k < l; k++) {
      const i = order[k]!
      const f = from[i]!, t = to[i]!, u = neuron[i]!
      if (f === pf && t === pt && u === pn) continue // duplicate (from, to, neuron)
      if (f !== pf || t !== pt) pairCounts[t]!++
      pf = f; pt = t; pn = u
      inFrom[w] = f
      inNeuron[w] = u
      inOffsets[t + 1]!++
      w++
    }
    for (let t = 0; t < n; t++) inOffsets[t + 1]! += inOffsets[t]!
    return {
      inOffsets,
      pairCounts,
      inFrom: w === l ? inFrom : inFrom.slice(0, w),
      inNeuron: w === l ? inNeuron : inNeuron.slice(0, w)
    }
  }

  private grow(): void {
    const size = this.from.length * 2
    const g = (a: Uint32Array) => { const b = new Uint32Array(size); b.set(a); return b }
    this.from = g(this.from)
    this.to = g(this.to)
    this.neuron = g(this.neuron)
  }
}

/** Builder numbers for snapshot lineages, in creation order within the process. */
let nextBuilderId = 1

/** Fewer added links than this are sorted in TypeScript (the counting sorts' cost is mostly the
 * particles then, and a native call would gain nothing). */
const nativeSortMin = 1 << 16

/**
 * Merge `added` (over `n` particles) into `old` (over any count whose links all target particles
 * below `n`) into fresh arrays (or views of `spare`'s buffers when they are large enough), dropping
 * triples already present. Targets without added links are copied in runs, one `set` per run
 * (their pair counts too); `degrees` (links per neuron) counts the links that were new.
 */
/** Buffers of a snapshot nothing reads any more, for the next build to write into. */
interface Spare {
  readonly from: ArrayBuffer
  readonly neuron: ArrayBuffer
  readonly pairs: ArrayBuffer | undefined
}

const spareOf = (s: { readonly inFrom: Uint32Array; readonly inNeuron: Uint32Array; readonly pairCounts?: Uint32Array }): Spare => ({
  from: s.inFrom.buffer as ArrayBuffer,
  neuron: s.inNeuron.buffer as ArrayBuffer,
  pairs: s.pairCounts?.buffer as ArrayBuffer | undefined
})

const mergeIndex = (old: LinkIndex, added: LinkIndex, n: number, degrees: Uint32Array, spare?: Spare): LinkIndex => {
  const oo = old.inOffsets, ao = added.inOffsets
  const of = old.inFrom, on = old.inNeuron, af = added.inFrom, an = added.inNeuron
  const oldN = oo.length - 1
  const at = (t: number): number => oo[t < oldN ? t : oldN]!
  const size = of.length + af.length
  const inOffsets = new Uint32Array(n + 1)
  // every target's count is written below, so a recycled array needs no clearing
  const pairCounts = spare?.pairs !== undefined && spare.pairs.byteLength >= 4 * n
    ? new Uint32Array(spare.pairs, 0, n)
    : new Uint32Array(n + (n >>> 3) + 1024).subarray(0, n)
  const op = old.pairCounts
  const reuse = spare !== undefined && spare.from.byteLength >= 4 * size && spare.neuron.byteLength >= 4 * size
  // fresh arrays get 1/8 headroom (untouched pages cost nothing until used), so that once
  // recycled they still fit the index two builds later
  const capacity = size + (size >>> 3) + 1024
  const inFrom = reuse ? new Uint32Array(spare.from, 0, size) : new Uint32Array(capacity).subarray(0, size)
  const inNeuron = reuse ? new Uint32Array(spare.neuron, 0, size) : new Uint32Array(capacity).subarray(0, size)
  let w = 0
  let t = 0
  while (t < n) {
    let t1 = t
    while (t1 < n && ao[t1] === ao[t1 + 1]) t1++
    if (t1 > t) {
      const a = at(t), b = at(t1)
      inFrom.set(of.subarray(a, b), w)
      inNeuron.set(on.subarray(a, b), w)
      const shift = w - a
      for (let x = t; x < t1; x++) inOffsets[x] = at(x) + shift
      if (t < oldN) pairCounts.set(op.subarray(t, Math.min(t1, oldN)), t)
      if (t1 > oldN) pairCounts.fill(0, Math.max(t, oldN), t1)
      w += b - a
      t = t1
      if (t === n) break
    }
    inOffsets[t] = w
    let i = at(t), j = ao[t]!
    const ie = at(t + 1), je = ao[t + 1]!
    let lf = -1, ln = -1, pairs = 0
    while (i < ie || j < je) {
      let f: number, u: number, isNew = false
      if (j >= je || (i < ie && (of[i]! < af[j]! || (of[i] === af[j] && on[i]! <= an[j]!)))) { f = of[i]!; u = on[i]!; i++ }
      else { f = af[j]!; u = an[j]!; j++; isNew = true }
      if (f === lf && u === ln) continue // already present
      if (f !== lf) pairs++
      if (isNew) degrees[u]!++
      lf = f; ln = u
      inFrom[w] = f
      inNeuron[w] = u
      w++
    }
    pairCounts[t] = pairs
    t++
  }
  inOffsets[n] = w
  return { inOffsets, inFrom: inFrom.subarray(0, w), inNeuron: inNeuron.subarray(0, w), pairCounts }
}
