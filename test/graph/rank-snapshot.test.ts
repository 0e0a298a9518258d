/** The rank snapshot builder: CSR by target, sorted (to, from, neuron), duplicates removed. */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { RankSnapshotError, SnapshotBuilder, validateSnapshot, type RankSnapshot } from "../../modules/graph/rank/Snapshot.ts"
import { calculateRank } from "../../modules/graph/rank/RankEngine.ts"
import { loadNative } from "../../modules/graph/rank/internal/native.ts"
import { prng } from "./rankHelpers.ts"

const native = loadNative()
if (!("addon" in native)) console.log(`NOTE: native addon unavailable (${native.reason}); native link sort tests are skipped`)
/** Native-only tests: reported skipped (not passed) when the addon is not built. */
const nativeTest = "addon" in native ? test : test.skip
const dumpAll = (s: RankSnapshot) => JSON.stringify([s.particles, s.neurons, [...s.inOffsets], [...s.inFrom], [...s.inNeuron], [...s.stakes].map(String), [...s.pairCounts!], [...s.neuronLinks!]])

test("CSR layout, order and dedupe match a sort of the distinct triples", () => {
  const r = prng(3)
  const b = new SnapshotBuilder()
  const triples: Array<[number, number, number]> = []
  for (let i = 0; i < 5_000; i++) {
    const t: [number, number, number] = [Math.floor(r() * 300), Math.floor(r() * 300), Math.floor(r() * 20)]
    b.addLink(...t)
    triples.push(t)
    if (r() < 0.2) { b.addLink(...t); triples.push(t) }
  }
  b.setStake(19, 5n)
  const s = b.build(310)
  assert.is(s.particles, 310)
  assert.is(s.neurons, 20)
  assert.is(s.stakes[19], 5n)
  const distinct = [...new Set(triples.map((t) => t.join(",")))].map((x) => x.split(",").map(Number) as [number, number, number])
  distinct.sort((a, b) => a[1] - b[1] || a[0] - b[0] || a[2] - b[2])
  assert.is(s.inFrom.length, distinct.length)
  assert.is(s.inOffsets[310], distinct.length)
  let k = 0
  for (let t = 0; t < 310; t++) {
    for (let j = s.inOffsets[t]!; j < s.inOffsets[t + 1]!; j++, k++) {
      assert.equal([s.inFrom[j], t, s.inNeuron[j]], distinct[k])
    }
  }
})

test("incremental builds equal a build from scratch; earlier snapshots stay unchanged", () => {
  const r = prng(11)
  const inc = new SnapshotBuilder()
  const log: Array<[number, number, number]> = []
  const kept: Array<[RankSnapshot, string]> = []
  const dump = (s: RankSnapshot) => JSON.stringify([s.particles, s.neurons, [...s.inOffsets], [...s.inFrom], [...s.inNeuron], [...s.stakes].map(String), [...s.pairCounts!], [...s.neuronLinks!]])
  let particles = 40
  for (let round = 0; round < 12; round++) {
    // rounds of 0 to 400 links, many repeating earlier ones; particle space grows
    const k = round === 3 ? 0 : Math.floor(r() * 400)
    particles += Math.floor(r() * 30)
    for (let i = 0; i < k; i++) {
      const t: [number, number, number] = r() < 0.3 && log.length > 0
        ? log[Math.floor(r() * log.length)]!
        : [Math.floor(r() * particles), Math.floor(r() * particles), Math.floor(r() * 7)]
      inc.addLink(...t)
      log.push(t)
    }
    inc.setStake(Math.floor(r() * 7), BigInt(round + 1))
    // the particles argument may shrink below an earlier build's (never below those linked)
    const s = inc.build(round % 4 === 1 ? particles + 25 : 0)
    const fresh = new SnapshotBuilder()
    for (const t of log) fresh.addLink(...t)
    for (let u = 0; u < s.stakes.length; u++) fresh.setStake(u, s.stakes[u]!)
    assert.is(dump(s), dump(fresh.build(round % 4 === 1 ? particles + 25 : 0)), `round ${round}`)
    validateSnapshot(s) // the kept counts equal those of the links
    assert.is(inc.links, log.length)
    kept.push([s, dump(s)])
  }
  for (const [s, d] of kept) assert.is(dump(s), d)
})

test("recycled snapshots: later builds reuse their arrays and still equal a build from scratch", () => {
  const r = prng(12)
  const inc = new SnapshotBuilder()
  const log: Array<[number, number, number]> = []
  const dump = (s: RankSnapshot) => JSON.stringify([s.particles, [...s.inOffsets], [...s.inFrom], [...s.inNeuron], [...s.pairCounts!], [...s.neuronLinks!]])
  const buffers = new Set<ArrayBufferLike>()
  const pairBuffers = new Set<ArrayBufferLike>()
  let reused = 0, pairsReused = 0
  let held: [RankSnapshot, string] | undefined
  for (let round = 0; round < 10; round++) {
    const k = round % 3 === 2 ? 5 : 300
    for (let i = 0; i < k; i++) {
      // the particle space grows, so recycled pair counts must be cleared past the old count
      const space = 200 + 9 * round
      const t: [number, number, number] = r() < 0.3 && log.length > 0 ? log[Math.floor(r() * log.length)]! : [Math.floor(r() * space), Math.floor(r() * space), Math.floor(r() * 5)]
      inc.addLink(...t)
      log.push(t)
    }
    const s = inc.build()
    if (buffers.has(s.inFrom.buffer)) reused++
    buffers.add(s.inFrom.buffer)
    if (pairBuffers.has(s.pairCounts!.buffer)) pairsReused++
    pairBuffers.add(s.pairCounts!.buffer)
    const fresh = new SnapshotBuilder()
    for (const t of log) fresh.addLink(...t)
    assert.is(dump(s), dump(fresh.build()), `round ${round}`)
    // every snapshot but round 4's is handed back once "its calculation" is done; round 4's is
    // still read and must not change
    if (round === 4) held = [s, dump(s)]
    else inc.recycle(s)
  }
  assert.ok(reused >= 3, `arrays reused ${reused} times`)
  assert.ok(pairsReused >= 3, `pair count arrays reused ${pairsReused} times`)
  assert.is(dump(held![0]), held![1])
})

test("setStakes replaces the whole stake table", () => {
  const b = new SnapshotBuilder()
  b.addLink(0, 1, 2)
  b.setStake(1, 9n)
  b.setStakes(new BigUint64Array([4n, 0n, 6n]))
  assert.equal([...b.build().stakes], [4n, 0n, 6n])
})

test("empty builder gives an empty snapshot; particles/neurons may exceed those seen", () => {
  const s = new SnapshotBuilder().build(3, 2)
  assert.is(s.particles, 3)
  assert.is(s.neurons, 2)
  assert.equal([...s.inOffsets], [0, 0, 0, 0])
  assert.is(s.stakes.length, 2)
})

test("inconsistent snapshots are rejected by both engines with RankSnapshotError naming the field", async () => {
  const b = new SnapshotBuilder()
  b.setStake(0, 10n)
  b.addLink(0, 1, 0)
  b.addLink(2, 1, 0)
  const good = b.build()
  const bad: Array<[RankSnapshot, string]> = [
    [{ ...good, inOffsets: new Uint32Array([0, 0]) }, "inOffsets"],
    [{ ...good, inOffsets: new Uint32Array([0, 2, 1, 2]) }, "decreases"],
    [{ ...good, inFrom: new Uint32Array([0, 9]) }, "particle 9"],
    [{ ...good, inNeuron: new Uint32Array([0, 4]) }, "neuron 4"],
    [{ ...good, stakes: new BigUint64Array(0) }, "stakes"],
    [{ ...good, inNeuron: new Uint32Array([0]) }, "inNeuron"],
    // arrays of another element type (the native engine would read past their end)
    [{ ...good, inFrom: new Uint8Array([0, 2]) as unknown as Uint32Array }, "inFrom must be a Uint32Array"],
    [{ ...good, inOffsets: new Float64Array([0, 0, 2, 2]) as unknown as Uint32Array }, "inOffsets must be a Uint32Array"],
    [{ ...good, stakes: new Float64Array([10]) as unknown as BigUint64Array }, "stakes must be a BigUint64Array"],
    // the builder's counts, when they lie (the native engine trusts them only after checking)
    [{ ...good, pairCounts: new Uint32Array([0, 1, 0]) }, "pairCounts\\[1\\] = 1 disagrees"],
    [{ ...good, pairCounts: new Uint32Array([0, 3, 0]) }, "pairCounts\\[1\\] = 3 disagrees"],
    [{ ...good, pairCounts: new Uint32Array([1, 1, 0]) }, "pairCounts\\[0\\] = 1 disagrees"],
    [{ ...good, pairCounts: new Uint32Array([0, 2]) }, "pairCounts must be a Uint32Array"],
    [{ ...good, pairCounts: new Uint8Array([0, 2, 0]) as unknown as Uint32Array }, "pairCounts must be a Uint32Array"],
    [{ ...good, neuronLinks: new Uint32Array([5]) }, "neuronLinks\\[0\\] = 5 but neuron 0 made 2 links"],
    [{ ...good, neuronLinks: new Uint32Array([1]) }, "neuronLinks\\[0\\] = 1 but neuron 0 made 2 links"],
  ]
  for (const engine of ["auto", "fallback"] as const) {
    for (const [s, word] of bad) {
      try {
        await calculateRank(s, undefined, { engine })
        assert.unreachable(`accepted a bad snapshot (${word})`)
      } catch (e) {
        assert.instance(e, RankSnapshotError)
        assert.match((e as RankSnapshotError).message, new RegExp(word))
      }
    }
  }
  assert.equal([...good.pairCounts!], [0, 2, 0])
  assert.equal([...good.neuronLinks!], [2])
  assert.is((await calculateRank(good)).ranks.length, 3)
})



nativeTest("native first sort gives the same index as the counting sorts, byte for byte, on random logs", () => {
  const r = prng(29)
  const M = 1 << 22
  // shapes: [links, particles, neurons, duplicate share, target spread (1 = uniform, small = skewed)]
  const shapes: Array<[number, number, number, number, number]> = [
    [0, 5, 3, 0, 1], [1, 1, 1, 0, 1], [50, 4, 2, 0.5, 1], [3_000, 200, 30, 0.3, 1],
    [70_000, 3_000, M, 0.2, 1], [70_000, 3_000, 50, 0.4, 0.01], [200_000, 60_000, 1_000, 0.1, 0.3]
  ]
  for (const [l, n, m, dup, spread] of shapes) {
    const log: Array<[number, number, number]> = []
    const edge = (k: number) => { const x = r(); return x < 0.1 ? 0 : x < 0.2 ? k - 1 : Math.floor(r() * k) }
    for (let i = 0; i < l; i++) {
      log.push(r() < dup && log.length > 0 ? log[Math.floor(r() * log.length)]! : [edge(n), Math.floor(edge(n) * spread), edge(m)])
    }
    for (const threads of [1, 2, 3, 4]) {
      const js = new SnapshotBuilder({ sort: "js" })
      const nat = new SnapshotBuilder({ sort: "native", threads })
      for (const t of log) { js.addLink(...t); nat.addLink(...t) }
      js.setStake(0, 7n); nat.setStake(0, 7n)
      const a = js.build(n + 2, m), b = nat.build(n + 2, m)
      for (const f of ["inOffsets", "inFrom", "inNeuron", "pairCounts", "neuronLinks"] as const) {
        assert.ok(Buffer.from(a[f]!.buffer, a[f]!.byteOffset, a[f]!.byteLength).equals(Buffer.from(b[f]!.buffer, b[f]!.byteOffset, b[f]!.byteLength)), `${f}, ${l} links, ${threads} threads`)
      }
      validateSnapshot(b)
      if (l <= 3_000 && threads === 2) {
        // later builds merge into the natively sorted index exactly as into the other one
        for (let round = 0; round < 3; round++) {
          for (let i = 0; i < 200; i++) { const t = r() < 0.3 && log.length > 0 ? log[Math.floor(r() * log.length)]! : [edge(n), edge(n), edge(m)] as [number, number, number]; js.addLink(...t); nat.addLink(...t) }
          assert.is(dumpAll(nat.build(n + 2, m)), dumpAll(js.build(n + 2, m)), `round ${round}`)
        }
      }
    }
  }
})

nativeTest("native sortLinks rejects links out of range and counts past the arrays with a RangeError", () => {
  if (!("addon" in native)) throw new Error("unreachable: skipped without the addon")
  const { sortLinks } = native.addon
  const a = Uint32Array.of(0, 1, 2), z = Uint32Array.of(1, 2, 0), u = Uint32Array.of(0, 0, 1)
  assert.is(sortLinks(a, z, u, 3, 3, 2, 2).inFrom.length, 3)
  assert.throws(() => sortLinks(a, z, u, 3, 2, 2, 2), (e: Error) => e instanceof RangeError && /link 1 \(1 -> 2, neuron 0\) is out of range \(particles = 2/.test(e.message))
  assert.throws(() => sortLinks(a, z, u, 3, 3, 1, 2), (e: Error) => e instanceof RangeError && /link 2 .*neurons = 1/.test(e.message))
  assert.throws(() => sortLinks(a, z, u, 4, 3, 2, 2), (e: Error) => e instanceof RangeError && /count/.test(e.message))
  assert.throws(() => sortLinks(a, z, u, 1.5, 3, 2, 2), (e: Error) => e instanceof RangeError)
  assert.throws(() => sortLinks(a, z, new Float64Array(3) as unknown as Uint32Array, 3, 3, 2, 2), (e: Error) => e instanceof TypeError)
})

test.run()
