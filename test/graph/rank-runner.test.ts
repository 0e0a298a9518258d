/**
 * The host rank runner (modules/graph/RankRunner.ts) calculates with the rank params exactly as
 * the graph machine stores them: 18-digit sdk.Dec strings, which a float64 cannot hold, must give
 * what the engine gives on the same strings (RankParams.resolveParams converts them exactly).
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { makeRankRunner, type RankJob } from "../../modules/graph/RankRunner.ts"
import { calculateRank, toCyberRank } from "../../modules/graph/rank/RankEngine.ts"
import { SnapshotBuilder } from "../../modules/graph/rank/Snapshot.ts"

const test = suite("rank runner")

// Two particles, one link 0 -> 1: particle 0 has no in-links, so its rank is (1 - d) / 2 and its
// published value floor(rank × 1e15) moves with the 18th decimal of d.
const snapshot = (() => {
  const b = new SnapshotBuilder()
  b.setStake(0, 1n)
  b.addLink(0, 1, 0)
  return b.build(2, 1)
})()

const run = async (job: Omit<RankJob, "snapshot">) => {
  const runner = makeRankRunner({ engine: "fallback" })
  runner.start("j", { snapshot, ...job })
  return runner.wait("j")
}

test("release is called once, after the calculation, with the snapshot it read (also when it fails)", async () => {
  const runner = makeRankRunner({ engine: "fallback" })
  const released: unknown[] = []
  let doneFirst = false
  const job = { mode: "cyber" as const, damping: "0.85", tolerance: "0.001", maxIterations: 1000 }
  runner.start("ok", { ...job, snapshot: () => snapshot, release: (s) => { doneFirst = runner.result("ok") === undefined; released.push(s) } })
  await runner.wait("ok")
  assert.equal(released, [snapshot])
  assert.ok(doneFirst, "released before the result was published")
  runner.start("bad", { ...job, damping: "2", snapshot, release: (s) => released.push(s) })
  try { await runner.wait("bad"); assert.unreachable("damping 2 accepted") } catch { /* expected: RankParamsError */ }
  assert.equal(released, [snapshot, snapshot], "a failed calculation releases its snapshot too")
})

for (const damping of ["0.850000000000000001", "0.849999999999999999"]) {
  test(`damping "${damping}" is used exactly, not rounded to 0.85`, async () => {
    const job = { mode: "cyber" as const, damping, tolerance: "0.001", maxIterations: 1000 }
    const exact = await calculateRank(snapshot, job, { engine: "fallback" })
    const rounded = await calculateRank(snapshot, { ...job, damping: "0.85" }, { engine: "fallback" })
    // the case can tell the two apart at all
    assert.not.equal([...toCyberRank(exact.ranks)], [...toCyberRank(rounded.ranks)])
    const out = await run(job)
    assert.equal([...out.ranks], [...toCyberRank(exact.ranks)])
    assert.is(out.iterations, exact.iterations)
  })
}

test("a plain decimal gives the same ranks as before (0.85 / 0.001)", async () => {
  const job = { mode: "cyber" as const, damping: "0.850000000000000000", tolerance: "0.001000000000000000", maxIterations: 1000 }
  const out = await run(job)
  const ref = await calculateRank(snapshot, { ...job, damping: 0.85, tolerance: 0.001 }, { engine: "fallback" })
  assert.equal([...out.ranks], [...toCyberRank(ref.ranks)])
  assert.equal([...out.ranks], [75_000_000_000_000n, 170_624_999_999_999n])
})

test.run()
