/**
 * cyber•rank incremental preparation (weights kept across calculations of one SnapshotBuilder's
 * snapshots): the full cyber-mode calculation with go-cyber's defaults after a period with
 * nothing changed, with 10,000 links added and 1% of neurons' stakes changed, against the same
 * calculation from scratch and an earlier engine, interleaved round by round, in units of one
 * ordinary sweep measured in the same rounds.
 *
 * Usage: npx node bench/rank-incremental.bench.ts --baseline DIR [--scale 20] [--rounds 4] [--threads 2]
 * DIR holds the earlier modules/graph/rank and modules/graph-native (built) and a node_modules
 * link (docs/performance.md, "cyber•rank", has the commands).
 *
 * Scenarios per round (each a new build of the same builder, then the three calculations):
 * - "no change": built again with no link or stake change;
 * - "one neuron's stake changed", "1,000 links by one neuron": changes that stay local;
 * - "links by few": 10,000 random links made by 100 neurons (1%), and 1% of neurons (another
 *   random 100) get a new stake;
 * - "links by many": 10,000 random links by random neurons (most neurons' neudeg changes, so most
 *   pairs' stakes do), and 1% of neurons' stakes changed.
 * Every incremental result is checked bit for bit against the calculation from scratch.
 */
import { parseArgs } from "node:util"
import { calculateRank, type RankResult } from "../modules/graph/rank/RankEngine.ts"
import type { RankParams } from "../modules/graph/rank/RankParams.ts"
import { SnapshotBuilder, type RankSnapshot } from "../modules/graph/rank/Snapshot.ts"
import { cachedRmatSnapshot } from "./rankGraphs.ts"

const { values: a } = parseArgs({
  options: { baseline: { type: "string" }, scale: { type: "string", default: "20" }, rounds: { type: "string", default: "4" }, threads: { type: "string", default: "2" } },
})
if (a.baseline === undefined) throw new Error("--baseline DIR is required (see the header)")
type Calculate = (s: RankSnapshot, p: RankParams, o: object) => Promise<RankResult>
const baseCalculate = ((await import(`${a.baseline}/modules/graph/rank/RankEngine.ts`)) as { calculateRank: Calculate }).calculateRank
const s = cachedRmatSnapshot(Number(a.scale), 16, 10_000)
const threads = Number(a.threads)
console.log(`R-MAT scale ${a.scale}: ${s.particles} particles, ${s.inFrom.length} links, ${s.neurons} neurons; ${threads} threads`)

const b = new SnapshotBuilder()
for (let t = 0; t < s.particles; t++) for (let k = s.inOffsets[t]!; k < s.inOffsets[t + 1]!; k++) b.addLink(s.inFrom[k]!, t, s.inNeuron[k]!)
const stakes = s.stakes.slice()
for (let u = 0; u < s.neurons; u++) b.setStake(u, stakes[u]!)
let x = 0x2545f491
const rnd = (k: number) => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % k }
const fresh = (v: RankSnapshot): RankSnapshot => { const { lineage: _, ...rest } = v; return rest }
const same = (p: BigUint64Array, q: BigUint64Array) => p.length === q.length && p.every((y, i) => y === q[i])

const goCyber: RankParams = { mode: "cyber", damping: "0.85", tolerance: "0.001", maxIterations: 1000 }
const run = (iterations: number): RankParams => ({ mode: "cyber", damping: 0.85, tolerance: 1e-17, maxIterations: iterations })
const o = { engine: "native" as const, threads }
const wall = async (f: () => Promise<RankResult>): Promise<[RankResult, number]> => { const t = performance.now(); const r = await f(); return [r, performance.now() - t] }

const change = (neuron: () => number, links = 10_000, share = 100) => {
  for (let i = 0; i < links; i++) {
    const f = rnd(s.particles), t = rnd(s.particles)
    if (f !== t) b.addLink(f, t, neuron())
  }
  for (let i = 0; i < s.neurons / share; i++) {
    const u = rnd(s.neurons)
    stakes[u] = stakes[u]! / 2n + BigInt(rnd(1_000_000))
    b.setStake(u, stakes[u]!)
  }
}
const few = Array.from({ length: s.neurons / 100 }, () => rnd(s.neurons))
const scenarios: Array<[string, () => void]> = [
  ["no change", () => {}],
  ["one neuron's stake changed", () => change(() => 0, 0, s.neurons)],
  ["1,000 links by one neuron", () => change(() => few[0]!, 1_000, Infinity)],
  ["10k links by 1% of neurons, 1% stakes changed", () => change(() => few[rnd(few.length)]!)],
  ["10k links by random neurons, 1% stakes changed", () => change(() => rnd(s.neurons))],
]
type Row = { inc: number[]; scratch: number[]; base: number[]; prep: number[]; dirty: number; chg: number; incremental: boolean }
const rows = new Map<string, Row>(scenarios.map(([name]) => [name, { inc: [], scratch: [], base: [], prep: [], dirty: 0, chg: 0, incremental: false }]))
const sweeps: number[] = []

let prev = b.build(s.particles, s.neurons)
await calculateRank(prev, goCyber, o) // the first calculation prepares from scratch and keeps its weights
for (let r = 0; r < Number(a.rounds); r++) {
  const one = await calculateRank(fresh(prev), run(1), o)
  const eight = await calculateRank(fresh(prev), run(8), o)
  sweeps.push((eight.iterateMs - one.iterateMs) / 7)
  for (const [name, apply] of scenarios) {
    apply()
    const snap = b.build(s.particles, s.neurons)
    b.recycle(prev)
    prev = snap
    const row = rows.get(name)!
    // the incremental one first: it updates from the previous build's kept weights
    const [inc, ti] = await wall(() => calculateRank(snap, goCyber, o))
    const [scr, ts] = await wall(() => calculateRank(snap, goCyber, { ...o, incremental: false }))
    const [, tb] = await wall(() => baseCalculate(fresh(snap), goCyber, o))
    if (!same(inc.ranks, scr.ranks)) throw new Error(`${name}: incremental result differs from the calculation from scratch`)
    row.inc.push(ti); row.scratch.push(ts); row.base.push(tb); row.prep.push(inc.prepareMs)
    row.dirty = inc.dirtyTargets ?? 0; row.chg = inc.changedSources ?? 0; row.incremental = inc.incremental ?? false
  }
}
const f1 = (v: number) => v.toFixed(1)
const med = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)]!
console.log(`\nordinary sweep ms per round: ${sweeps.map(f1).join(", ")} (median ${f1(med(sweeps))})`)
console.log("\n| scenario | incremental? dirty targets / changed sources | full calc ms: incremental / from scratch / before, per round | full / sweep (same round), incremental | from scratch | before | incremental / before |")
console.log("|---|---|---|---|---|---|---|")
for (const [name, row] of rows) {
  const per = row.inc.map((v, i) => `${f1(v)} / ${f1(row.scratch[i]!)} / ${f1(row.base[i]!)}`).join("; ")
  const ratio = (v: number[]) => v.map((y, i) => (y / sweeps[i]!).toFixed(1)).join(", ")
  const vsBase = row.inc.map((v, i) => (v / row.base[i]!).toFixed(2)).join(", ")
  console.log(`| ${name} | ${row.incremental ? "yes" : "no"} ${row.dirty} / ${row.chg} | ${per} | ${ratio(row.inc)} | ${ratio(row.scratch)} | ${ratio(row.base)} | ${vsBase} |`)
}
