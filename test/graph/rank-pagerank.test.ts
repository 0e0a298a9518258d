/** Standard-PageRank mode: on equal stakes it agrees with a textbook float64 PageRank within 1e-9
 * and its ranks sum to 1 (up to the documented truncation). */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { calculateRank, rankToNumber } from "../../modules/graph/rank/RankEngine.ts"
import { SnapshotBuilder } from "../../modules/graph/rank/Snapshot.ts"
import { pageRankFloat, prng, randomSnapshot } from "./rankHelpers.ts"

const params = { mode: "pagerank" as const, damping: 0.85, tolerance: 1e-13, maxIterations: 1000 }

test("equal stakes, one neuron: agrees with float64 PageRank within 1e-9", async () => {
  for (const [n, l, seed] of [[2, 1, 1], [10, 25, 2], [300, 1_500, 3], [5_000, 30_000, 4], [40_000, 200_000, 5]] as const) {
    const s = randomSnapshot({ particles: n, links: l, neurons: 1, seed, equalStake: 1_000_000_000n, duplicates: 0.1 })
    const r = await calculateRank(s, params)
    const f = pageRankFloat(s, 0.85, 1e-14)
    let sum = 0
    for (let i = 0; i < n; i++) {
      const got = rankToNumber(r.ranks[i]!)
      sum += got
      assert.ok(Math.abs(got - f[i]!) <= 1e-9, `n=${n} particle ${i}: ${got} vs ${f[i]}`)
    }
    assert.ok(Math.abs(sum - 1) < 1e-6, `n=${n}: ranks sum to ${sum}`)
  }
})

test("equal stakes, many neurons each linking once: parallel links by different neurons count twice", async () => {
  const r = prng(77)
  const b1 = new SnapshotBuilder(), b2 = new SnapshotBuilder()
  b1.setStake(0, 500n)
  let u = 0
  for (let i = 0; i < 400; i++) {
    const from = Math.floor(r() * 100), to = Math.floor(r() * 100)
    if (from === to) continue
    b1.addLink(from, to, 0)
    b2.setStake(u, 7n)
    b2.addLink(from, to, u++)
  }
  const s1 = b1.build(100), s2 = b2.build(100)
  const a = await calculateRank(s1, params)
  const f = pageRankFloat(s1, 0.85, 1e-14)
  const b = await calculateRank(s2, params)
  const f2 = pageRankFloat(s2, 0.85, 1e-14)
  let differ = false
  for (let i = 0; i < 100; i++) {
    assert.ok(Math.abs(rankToNumber(a.ranks[i]!) - f[i]!) <= 1e-9)
    assert.ok(Math.abs(rankToNumber(b.ranks[i]!) - f2[i]!) <= 1e-9)
    if (Math.abs(f[i]! - f2[i]!) > 1e-6) differ = true
  }
  assert.ok(differ, "the two graphs differ (multiplicity matters)")
})

test("dangling mass is redistributed: a star into one sink", async () => {
  const b = new SnapshotBuilder()
  b.setStake(0, 9_000n) // split over 9 links: 1000 each (go-cyber divides stake by link count)
  for (let i = 1; i < 10; i++) b.addLink(i, 0, 0)
  const s = b.build(10)
  const r = await calculateRank(s, params)
  const f = pageRankFloat(s, 0.85, 1e-14)
  for (let i = 0; i < 10; i++) assert.ok(Math.abs(rankToNumber(r.ranks[i]!) - f[i]!) <= 1e-9)
})

test.run()
