/**
 * cyber•rank preparation against iteration, before and after in one run: the snapshot build (the
 * link index: in-links per particle, sorted) and the native engine's preparation (stake split,
 * weights, compressed CSR), interleaved with an earlier version so load hits both alike.
 *
 * Usage: npx node bench/rank-prepare.bench.ts --baseline DIR [--scale 20] [--added 10000,100000]
 * DIR holds the earlier modules/graph/rank and modules/graph-native (built) and a node_modules
 * link (docs/performance.md, "cyber•rank", has the commands).
 *
 * Snapshot build: before, every calculation sorted all links (LinkLog built a fresh
 * SnapshotBuilder); after, the builder keeps its index and merges the links added since the last
 * build (`--added` of them, random). Native: best of 5 calculations of 4 iterations each.
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
  },
})
if (a.baseline === undefined) throw new Error("--baseline DIR is required (see the header)")
type Calculate = (s: RankSnapshot, p: RankParams, o: object) => Promise<RankResult>
type Builder = { addLink(f: number, t: number, u: number): void; setStake(u: number, s: bigint): void; build(n?: number, m?: number): RankSnapshot }
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

console.log("\n| snapshot build | before ms (all links sorted) | after ms (index kept, added links merged) | after / before | after, snapshots recycled (as the graph machine does) | after / before |")
console.log("|---|---|---|---|---|---|")
const old = new base.Builder()
fill(old)
const inc = new SnapshotBuilder()
fill(inc)
const [, first] = timed(() => inc.build(s.particles, s.neurons))
console.log(`| first build (no index yet) | – | ${ms(first)} | – |`)
for (const k of a.added!.split(",").map(Number)) {
  let before = Infinity, after = Infinity, recycled = Infinity
  for (let r = 0; r < 6; r++) {
    for (let i = 0; i < k; i++) { const f = rnd(s.particles), t = rnd(s.particles), u = rnd(s.neurons); old.addLink(f, t, u); inc.addLink(f, t, u) }
    const [sb, tb] = timed(() => old.build(s.particles, s.neurons))
    const [sa, ta] = timed(() => inc.build(s.particles, s.neurons))
    const bytes = (v: Uint32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)
    for (const f of ["inOffsets", "inFrom", "inNeuron"] as const) if (!bytes(sb[f]).equals(bytes(sa[f]))) throw new Error(`incremental index differs (${f})`)
    before = Math.min(before, tb)
    // runs 0-2 fresh arrays; 3-5 hand each snapshot back once built (its calculation done)
    if (r < 3) after = Math.min(after, ta)
    else { recycled = Math.min(recycled, ta); inc.recycle(sa) }
    if (r === 2) inc.recycle(sa)
  }
  console.log(`| ${k} links added | ${ms(before)} | ${ms(after)} | ${(after / before).toFixed(2)} | ${ms(recycled)} | ${(recycled / before).toFixed(2)} |`)
}

const four: RankParams = { mode: "cyber", damping: 0.85, tolerance: 1e-17, maxIterations: 4 }
console.log("\n| native | before: prepare ms | ms / iteration | prepare / iteration | after: prepare ms | ms / iteration | prepare / iteration | prepare after / before |")
console.log("|---|---|---|---|---|---|---|---|")
for (const threads of [1, 2]) {
  const o = { engine: "native" as const, threads }
  let pb = Infinity, ib = Infinity, pa = Infinity, ia = Infinity
  for (let r = 0; r < 5; r++) {
    const b = await base.calculate(s, four, o)
    pb = Math.min(pb, b.prepareMs); ib = Math.min(ib, b.iterateMs / b.iterations)
    const n = await calculateRank(s, four, o)
    pa = Math.min(pa, n.prepareMs); ia = Math.min(ia, n.iterateMs / n.iterations)
  }
  console.log(`| ${threads} thread${threads > 1 ? "s" : ""} | ${ms(pb)} | ${ms(ib)} | ${(pb / ib).toFixed(1)} | ${ms(pa)} | ${ms(ia)} | ${(pa / ia).toFixed(1)} | ${(pa / pb).toFixed(2)} |`)
}
