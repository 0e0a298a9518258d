/**
 * cyber•rank preparation against iteration, before and after in one run: the snapshot build (the
 * link index: in-links per particle, sorted) and the native engine's preparation (stake split,
 * weights, compressed CSR), interleaved with an earlier version so load hits both alike.
 *
 * Usage: npx node bench/rank-prepare.bench.ts --baseline DIR [--scale 20] [--added 10000,100000] [--native-only | --build-only]
 * DIR holds the earlier modules/graph/rank and modules/graph-native (built) and a node_modules
 * link (docs/performance.md, "cyber•rank", has the commands).
 *
 * Snapshot build: both builders keep their index and merge the links added since the last build
 * (`--added` of them, random); with a baseline from before the incremental builder, "before"
 * sorts every link each time. (The baseline for issue 15 item 5's second step, commit d4417ae,
 * is incremental already; the builder since keeps pair and link counts while merging.) Native: preparation, one ordinary sweep and the full
 * calculation with go-cyber's defaults, best of 5 each (see below).
 */
import { parseArgs } from "node:util"
import { calculateRank, type RankResult } from "../modules/graph/rank/RankEngine.ts"
import type { RankParams } from "../modules/graph/rank/RankParams.ts"
import { SnapshotBuilder, type RankSnapshot } from "../modules/graph/rank/Snapshot.ts"
import { cachedRmatSnapshot } from "./rankGraphs.ts"

const { values: a } = parseArgs({
  options: {
    baseline: { type: "string" },
    scale: { type: "string", default: "20" },
    added: { type: "string", default: "10000,100000" },
    "native-only": { type: "boolean", default: false },
    "build-only": { type: "boolean", default: false },
  },
})
if (a.baseline === undefined) throw new Error("--baseline DIR is required (see the header)")
type Calculate = (s: RankSnapshot, p: RankParams, o: object) => Promise<RankResult>
type Builder = { addLink(f: number, t: number, u: number): void; setStake(u: number, s: bigint): void; build(n?: number, m?: number): RankSnapshot; recycle?(s: RankSnapshot): void }
const base = {
  calculate: ((await import(`${a.baseline}/modules/graph/rank/RankEngine.ts`)) as { calculateRank: Calculate }).calculateRank,
  Builder: ((await import(`${a.baseline}/modules/graph/rank/Snapshot.ts`)) as { SnapshotBuilder: new () => Builder }).SnapshotBuilder,
}
const ms = (x: number) => x.toFixed(1)
const s = cachedRmatSnapshot(Number(a.scale), 16, 10_000)
const L = s.inFrom.length
console.log(`R-MAT scale ${a.scale}: ${s.particles} particles, ${L} links, ${s.neurons} neurons`)

const fill = (b: Builder) => {
  for (let t = 0; t < s.particles; t++) for (let k = s.inOffsets[t]!; k < s.inOffsets[t + 1]!; k++) b.addLink(s.inFrom[k]!, t, s.inNeuron[k]!)
  for (let u = 0; u < s.neurons; u++) b.setStake(u, s.stakes[u]!)
}
let x = 0x9e3779b9
const rnd = (k: number) => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % k }
const timed = <T>(f: () => T): [T, number] => { const t0 = performance.now(); const r = f(); return [r, performance.now() - t0] }

if (!a["native-only"]) {
// Both builders get the same links and the same schedule: runs 0-2 with fresh arrays, runs 3-5
// handing each snapshot back once built (its calculation done), as the graph machine does.
console.log("\n| snapshot build | before ms, fresh arrays | after ms, fresh arrays | after / before | before ms, recycled | after ms, recycled | after / before |")
console.log("|---|---|---|---|---|---|---|")
const old = new base.Builder()
fill(old)
const inc = new SnapshotBuilder()
fill(inc)
// The first build sorts the whole log: "after" with the native link sort when the addon is
// loaded (src/sort.cc), also timed with the TypeScript counting sorts forced and with 1 thread.
const first1 = new SnapshotBuilder({ threads: 1 })
fill(first1)
const firstJs = new SnapshotBuilder({ sort: "js" })
fill(firstJs)
const [, firstBefore] = timed(() => old.build(s.particles, s.neurons))
const [sFirst, first] = timed(() => inc.build(s.particles, s.neurons))
const [sJs, firstJsMs] = timed(() => firstJs.build(s.particles, s.neurons))
const [, firstOne] = timed(() => first1.build(s.particles, s.neurons))
for (const f of ["inOffsets", "inFrom", "inNeuron", "pairCounts"] as const) {
  if (!Buffer.from(sFirst[f]!.buffer, 0, sFirst[f]!.byteLength).equals(Buffer.from(sJs[f]!.buffer, 0, sJs[f]!.byteLength))) throw new Error(`first index differs (${f})`)
}
console.log(`| first build (no index yet) | ${ms(firstBefore)} | ${ms(first)} | ${(first / firstBefore).toFixed(2)} | | | |`)
console.log(`| first build, after with the TypeScript sort forced | ${ms(firstBefore)} | ${ms(firstJsMs)} | ${(firstJsMs / firstBefore).toFixed(2)} | | | |`)
console.log(`| first build, after with 1 native thread | ${ms(firstBefore)} | ${ms(firstOne)} | ${(firstOne / firstBefore).toFixed(2)} | | | |`)
{
  // the same links appended in a random order, as a log holds them (targets scattered)
  const perm = new Uint32Array(L)
  for (let i = 0; i < L; i++) perm[i] = i
  for (let i = L - 1; i > 0; i--) { const j = rnd(i + 1); const t = perm[i]!; perm[i] = perm[j]!; perm[j] = t }
  const tf = new Uint32Array(L), tt = new Uint32Array(L), tu = new Uint32Array(L)
  let k = 0
  for (let t = 0; t < s.particles; t++) for (let j = s.inOffsets[t]!; j < s.inOffsets[t + 1]!; j++) { const p = perm[k++]!; tf[p] = s.inFrom[j]!; tt[p] = t; tu[p] = s.inNeuron[j]! }
  const shuffled = <B extends Builder>(b: B): B => { for (let i = 0; i < L; i++) b.addLink(tf[i]!, tt[i]!, tu[i]!); for (let u = 0; u < s.neurons; u++) b.setStake(u, s.stakes[u]!); return b }
  const ob = shuffled(new base.Builder()), nb = shuffled(new SnapshotBuilder()), jb = shuffled(new SnapshotBuilder({ sort: "js" }))
  const [, tb] = timed(() => ob.build(s.particles, s.neurons))
  const [, tn] = timed(() => nb.build(s.particles, s.neurons))
  const [, tj] = timed(() => jb.build(s.particles, s.neurons))
  console.log(`| first build, log in random order | ${ms(tb)} | ${ms(tn)} | ${(tn / tb).toFixed(2)} | | | |`)
  console.log(`| first build, random order, after with the TypeScript sort forced | ${ms(tb)} | ${ms(tj)} | ${(tj / tb).toFixed(2)} | | | |`)
}
for (const k of a.added!.split(",").map(Number)) {
  let before = Infinity, after = Infinity, beforeR = Infinity, afterR = Infinity
  for (let r = 0; r < 6; r++) {
    for (let i = 0; i < k; i++) { const f = rnd(s.particles), t = rnd(s.particles), u = rnd(s.neurons); old.addLink(f, t, u); inc.addLink(f, t, u) }
    const [sb, tb] = timed(() => old.build(s.particles, s.neurons))
    const [sa, ta] = timed(() => inc.build(s.particles, s.neurons))
    const bytes = (v: Uint32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)
    for (const f of ["inOffsets", "inFrom", "inNeuron"] as const) if (!bytes(sb[f]).equals(bytes(sa[f]))) throw new Error(`incremental index differs (${f})`)
    if (r < 3) { before = Math.min(before, tb); after = Math.min(after, ta) }
    else { beforeR = Math.min(beforeR, tb); afterR = Math.min(afterR, ta) }
    if (r >= 2) { old.recycle?.(sb); inc.recycle(sa) }
  }
  console.log(`| ${k} links added | ${ms(before)} | ${ms(after)} | ${(after / before).toFixed(2)} | ${ms(beforeR)} | ${ms(afterR)} | ${(afterR / beforeR).toFixed(2)} |`)
}
}

// Native engine. "sweep" is one ordinary iteration: (iterate time of an 8-iteration run − that of
// a 1-iteration run) / 7, since the engine now computes the weights in its first sweep. "full"
// is the wall time of one calculateRank call with go-cyber's defaults (cyber mode, tolerance
// 0.001: one iteration on this graph), as bench/rank-igraph.ts times it.
if (a["build-only"]) process.exit(0)
const run = (iterations: number): RankParams => ({ mode: "cyber", damping: 0.85, tolerance: 1e-17, maxIterations: iterations })
const goCyber: RankParams = { mode: "cyber", damping: "0.85", tolerance: "0.001", maxIterations: 1000 }
const reps = 5
console.log("\n| native | before: prepare ms | sweep ms | full calc ms | full / sweep | after: prepare ms | sweep ms | full calc ms | full / sweep | prepare after / before | full after / before |")
console.log("|---|---|---|---|---|---|---|---|---|---|---|")
const steps: string[] = []
for (const threads of [1, 2]) {
  const o = { engine: "native" as const, threads }
  const best = () => ({ prep: Infinity, one: Infinity, eight: Infinity, full: Infinity, iterations: 0 })
  const b = best(), n = best()
  let stepBest: ReadonlyArray<number> = [], stepSum = Infinity
  for (let r = 0; r < reps; r++) {
    for (const [calc, m] of [[base.calculate, b], [calculateRank, n]] as const) {
      const one = await calc(s, run(1), o)
      const eight = await calc(s, run(8), o)
      const t = performance.now()
      const full = await calc(s, goCyber, o)
      m.full = Math.min(m.full, performance.now() - t)
      m.iterations = full.iterations
      m.prep = Math.min(m.prep, one.prepareMs, eight.prepareMs, full.prepareMs)
      m.one = Math.min(m.one, one.iterateMs)
      m.eight = Math.min(m.eight, eight.iterateMs)
      const st = full.prepareSteps
      if (calc === calculateRank && st !== undefined && full.prepareMs < stepSum) { stepSum = full.prepareMs; stepBest = st }
    }
  }
  const sweep = (m: ReturnType<typeof best>) => Math.max(1e-9, (m.eight - m.one) / 7)
  const sb = sweep(b), sn = sweep(n)
  console.log(`| ${threads} thread${threads > 1 ? "s" : ""} (${n.iterations} it.) | ${ms(b.prep)} | ${ms(sb)} | ${ms(b.full)} | ${(b.full / sb).toFixed(1)} | ${ms(n.prep)} | ${ms(sn)} | ${ms(n.full)} | ${(n.full / sn).toFixed(1)} | ${(n.prep / b.prep).toFixed(2)} | ${(n.full / b.full).toFixed(2)} |`)
  const d = stepBest.map((v, i) => v - (i > 0 ? stepBest[i - 1]! : 0))
  if (d.length === 5) steps.push(`| ${threads} | ${d.map(ms).join(" | ")} | ${ms(n.full - n.prep)} |`)
}
console.log("\nAfter, steps of the best full calculation's preparation (ms): counting pass (0: the snapshot's counts used), offsets and per-neuron stakes, stake pass, out-stake reciprocals, weight pass (0: in the first sweep); then the rest of the call (first sweep with the weights, results)")
console.log("| threads | counting | offsets | stake pass | reciprocals | weight pass | rest of the call |\n|---|---|---|---|---|---|---|")
for (const row of steps) console.log(row)
