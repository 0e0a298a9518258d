/** The rank snapshot builder: CSR by target, sorted (to, from, neuron), duplicates removed. */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { RankSnapshotError, SnapshotBuilder, validateSnapshot, type RankSnapshot } from "../../modules/graph/rank/Snapshot.ts"
import { calculateRank } from "../../modules/graph/rank/RankEngine.ts"
import { prng } from "./rankHelpers.ts"

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

test.run()
