/** Incremental preparation of the native engine (weights kept across calculations of one
 * SnapshotBuilder's snapshots, recomputed only where inputs changed): every result is compared
 * bit for bit with a fresh calculation (the same snapshot without its lineage) and with the
 * TypeScript fallback, through a sequence of link and stake changes, for 1 and 2 threads. */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { RankSnapshotError, SnapshotBuilder, type RankSnapshot } from "../../modules/graph/rank/Snapshot.ts"
import { calculateRank, type RankResult } from "../../modules/graph/rank/RankEngine.ts"
import type { RankParams } from "../../modules/graph/rank/RankParams.ts"
import { loadNative } from "../../modules/graph/rank/internal/native.ts"
import { prng } from "./rankHelpers.ts"

const native = loadNative()
if (!("addon" in native)) console.log(`NOTE: native addon unavailable (${native.reason}); incremental preparation tests are skipped`)
const nativeTest = "addon" in native ? test : test.skip

const cyber: RankParams = { mode: "cyber", damping: "0.85", tolerance: "0.001", maxIterations: 1000 }
// several sweeps, so that the kept weights are read again after the first
const deep: RankParams = { mode: "cyber", damping: "0.85", tolerance: "0.0000000001", maxIterations: 6 }
const pagerank: RankParams = { mode: "pagerank", damping: "0.85", tolerance: "0.0000000001", maxIterations: 5 }

const same = (a: BigUint64Array, b: BigUint64Array) => a.length === b.length && a.every((x, i) => x === b[i])
const fresh = (s: RankSnapshot): RankSnapshot => {
  const { lineage: _, ...rest } = s
  return rest
}

/** A builder with `links` random links over `particles` particles by `neurons` neurons (targets
 * skewed to low numbers unless `uniform`). */
const start = (seed: number, particles: number, links: number, neurons: number, uniform = false) => {
  const r = prng(seed)
  const b = new SnapshotBuilder()
  const stakes: bigint[] = []
  for (let u = 0; u < neurons; u++) {
    stakes.push(r() < 0.1 ? 0n : BigInt(1 + Math.floor(r() * 1e12)))
    b.setStake(u, stakes[u]!)
  }
  const add = (count: number, neuron: () => number, maxParticle: number) => {
    for (let i = 0; i < count; i++) {
      const from = Math.floor(r() * maxParticle), to = Math.floor((uniform ? r() : r() * r()) * maxParticle)
      if (from !== to) b.addLink(from, to, neuron())
    }
  }
  add(links, () => Math.floor(r() * neurons), particles)
  return { b, r, add, stakes }
}

/** Calculate a builder snapshot incrementally and from scratch (native) and by the fallback;
 * all three must agree bit for bit. Returns the incremental result. */
const check = async (label: string, s: RankSnapshot, threads: number, params: RankParams = cyber): Promise<RankResult> => {
  const inc = await calculateRank(s, params, { engine: "native", threads })
  const scratch = await calculateRank(fresh(s), params, { engine: "native", threads })
  const fb = await calculateRank(fresh(s), params, { engine: "fallback", worker: false })
  assert.ok(same(inc.ranks, scratch.ranks), `${label}: incremental differs from a fresh native calculation`)
  assert.ok(same(inc.ranks, fb.ranks), `${label}: incremental differs from the fallback`)
  assert.is(inc.iterations, fb.iterations, `${label}: iterations`)
  assert.is(scratch.incremental, false)
  return inc
}

for (const threads of [1, 2]) {
  nativeTest(`sequence of link and stake changes: incremental = fresh = fallback, bit for bit (${threads} thread${threads > 1 ? "s" : ""})`, async () => {
    const { b, r, add, stakes } = start(11 + threads, 3000, 30_000, 300)
    let n = 3000, m = 300
    const build = () => b.build(n, m)
    const first = await check("first build", build(), threads)
    assert.is(first.incremental, false, "nothing kept yet: prepared from scratch")

    const again = await check("no change", build(), threads)
    assert.is(again.incremental, true)
    assert.is(again.dirtyTargets, 0)
    assert.is(again.changedSources, 0)
    assert.ok(same(again.ranks, first.ranks))

    add(40, () => 7, n) // links by one neuron: its neudeg changes, so all its pairs do
    const linked = await check("links added", build(), threads)
    assert.is(linked.incremental, true)
    assert.ok(linked.dirtyTargets! > 0 && linked.changedSources! > 0)

    // one neuron's stake up: a stale weight would leave the results unchanged
    let before = linked.ranks
    let u = 3
    while (stakes[u] === 0n) u++
    b.setStake(u, stakes[u]! * 3n + 1n)
    const up = await check("one stake up", build(), threads)
    assert.is(up.incremental, true)
    assert.not.ok(same(up.ranks, before), "the stake change must change the ranks")
    assert.ok(up.dirtyTargets! > 0 && up.dirtyTargets! < n / 4, "only the neuron's targets recomputed")

    before = up.ranks
    for (const v of [10, 11, 12]) b.setStake(v, stakes[v]! / 2n)
    const down = await check("three stakes down", build(), threads, deep)
    assert.is(down.incremental, true)

    b.setStake(u, 0n)
    const zero = await check("a stake to zero", build(), threads)
    assert.is(zero.incremental, true)
    b.setStake(u, stakes[u]! * 3n + 1n)
    const back = await check("and back", build(), threads)
    assert.is(back.incremental, true)
    assert.ok(same(back.ranks, (await calculateRank(fresh(build()), cyber, { engine: "fallback", worker: false })).ranks))

    // new particles (as sources and targets) and new neurons
    n = 3100
    add(30, () => 6, n)
    b.addLink(3050, 3099, 5)
    b.addLink(3099, 2, 5)
    const grown = await check("new particles", build(), threads, pagerank)
    assert.is(grown.incremental, true)
    m = 305
    b.setStake(303, 1_000_000n)
    b.addLink(1, 2, 303)
    b.addLink(2, 3050, 304) // neuron 304 without stake
    const neurons = await check("new neurons", build(), threads)
    assert.is(neurons.incremental, true)

    // a link appended again changes nothing
    b.addLink(1, 2, 303)
    const dup = await check("duplicate link", build(), threads, deep)
    assert.is(dup.incremental, true)
    assert.is(dup.dirtyTargets, 0)

    // every stake changed: most targets dirty, prepared from scratch
    for (let v = 0; v < m; v++) b.setStake(v, BigInt(1 + Math.floor(r() * 1e9)))
    const all = await check("every stake changed", build(), threads)
    assert.is(all.incremental, false)
    const after = await check("after a full preparation", build(), threads)
    assert.is(after.incremental, true)
  })
}

nativeTest("a stake change of one neuron changes exactly the targets a fresh calculation changes", async () => {
  const { b, stakes } = start(5, 2000, 20_000, 200)
  const base = await check("base", b.build(2000, 200), 2)
  let u = 0
  while (stakes[u] === 0n) u++
  b.setStake(u, stakes[u]! + 1_000_000_000n)
  const s = b.build(2000, 200)
  const inc = await check("one stake", s, 2)
  assert.is(inc.incremental, true)
  const scratch = await calculateRank(fresh(s), cyber, { engine: "native", threads: 2 })
  const changed = (r: RankResult) => [...r.ranks].flatMap((x, i) => (x !== base.ranks[i] ? [i] : []))
  assert.ok(changed(scratch).length > 0)
  assert.equal(changed(inc), changed(scratch))
})

nativeTest("other builders, older builds and lineages that break their promise are prepared from scratch", async () => {
  const a = start(21, 1500, 15_000, 100)
  const c = start(22, 1500, 12_000, 100)
  const a1 = a.b.build(1500, 100)
  assert.is((await check("a1", a1, 2)).incremental, false)
  const c1 = c.b.build(1500, 100)
  assert.is((await check("c1 (another builder)", c1, 2)).incremental, false)
  a.add(20, () => 4, 1500)
  const a2 = a.b.build(1500, 100)
  assert.is((await check("a2 after c1", a2, 2)).incremental, false, "the kept weights were c's")
  assert.is((await check("a1 again (older)", a1, 2)).incremental, false)
  a.add(20, () => 5, 1500)
  const a3 = a.b.build(1500, 100)
  await check("a3", a3, 2)
  // a snapshot claiming a3's lineage with another builder's links: targets with fewer links
  const liar = { ...c1, lineage: { builder: a3.lineage!.builder, generation: a3.lineage!.generation + 1 } }
  const r = await check("lying lineage", liar, 2)
  assert.is(r.incremental, false)
})

nativeTest("counts that lie are rejected on the incremental path too", async () => {
  // uniform targets: a neuron's links reach few targets, so the lies below stay on the incremental path
  const { b } = start(31, 5000, 20_000, 200, true)
  const s1 = b.build(5000, 200)
  await check("s1", s1, 2)
  const s2 = b.build(5000, 200)
  const next = (x: RankSnapshot, k: number) => ({ ...x, lineage: { builder: x.lineage!.builder, generation: x.lineage!.generation + k } })
  const pc = s2.pairCounts!.slice()
  pc[0]! += 1
  await calculateRank(next({ ...s2, pairCounts: pc }, 1), cyber, { engine: "native", threads: 2 }).then(
    () => assert.unreachable("pairCounts lie accepted"), (e) => assert.ok(e instanceof RankSnapshotError && /pairCounts\[0\]/.test(e.message), String(e)))
  const nl = s2.neuronLinks!.slice()
  nl[1]! += 1
  await calculateRank(next({ ...s2, neuronLinks: nl }, 2), cyber, { engine: "native", threads: 2 }).then(
    () => assert.unreachable("neuronLinks lie accepted"), (e) => assert.ok(e instanceof RankSnapshotError && /neuronLinks\[1\]/.test(e.message), String(e)))
  const bad = s2.inNeuron.slice()
  bad[5] = 200
  await calculateRank(next({ ...s2, inNeuron: bad }, 3), cyber, { engine: "native", threads: 2 }).then(
    () => assert.unreachable("neuron out of range accepted"), (e) => assert.ok(e instanceof RankSnapshotError && /link 5 names neuron 200/.test(e.message), String(e)))
  // the next honest builds are right (prepared from scratch when a rejected one overwrote the
  // kept buffers), and updated again after that
  await check("s3 after rejected ones", b.build(5000, 200), 2)
  assert.is((await check("s4", b.build(5000, 200), 2)).incremental, true)
})

test("a malformed lineage is rejected by both engines with RankSnapshotError", async () => {
  const s = start(41, 200, 1000, 10).b.build(200, 10)
  for (const lineage of [{ builder: -1, generation: 1 }, { builder: 1, generation: 0.5 }, { builder: 2 ** 60, generation: 1 }]) {
    for (const engine of ["auto", "fallback"] as const) {
      await calculateRank({ ...s, lineage }, cyber, { engine, worker: false }).then(
        () => assert.unreachable(`lineage ${JSON.stringify(lineage)} accepted`), (e) => assert.ok(e instanceof RankSnapshotError && /lineage/.test(e.message), String(e)))
    }
  }
})

test.run()
