/**
 * The block producer waits for rank only at a publishing height, and only while the calculation
 * started a period earlier is unfinished: a runner whose jobs finish only when the test says so
 * shows FinalizeBlock going on at the non-publishing height and blocking at the publishing one.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { makeRankRunner, type RankRunner } from "../../modules/graph/RankRunner.ts"
import { quoHalfEven, linkCost, refresh } from "../../modules/graph/Bandwidth.ts"
import { block, cidOf, genesisBytes, initChain, makeGKeys, openGraphApp, Seqs, signLinks } from "./machineFixture.ts"

/** A real runner whose results are held back until `release(id)`. */
const gatedRunner = () => {
  const inner = makeRankRunner({ engine: "fallback" })
  const gates = new Map<string, { open: boolean; resolve: () => void; promise: Promise<void> }>()
  const gate = (id: string) => {
    let g = gates.get(id)
    if (!g) {
      let resolve!: () => void
      const promise = new Promise<void>((r) => (resolve = r))
      g = { open: false, resolve, promise }
      gates.set(id, g)
    }
    return g
  }
  const runner: RankRunner = {
    start: (id, job) => { gate(id); inner.start(id, job) },
    has: (id) => inner.has(id),
    result: (id) => (gate(id).open ? inner.result(id) : undefined),
    wait: async (id) => { await gate(id).promise; return inner.wait(id) },
    forget: (id) => inner.forget(id)
  }
  return { runner, started: () => [...gates.keys()], release: (id: string) => { const g = gate(id); g.open = true; g.resolve() } }
}

test("FinalizeBlock waits for the rank only at the publishing height", async () => {
  const [k] = await makeGKeys(1, "schedule key")
  const gated = gatedRunner()
  const app = await openGraphApp(undefined, gated.runner)
  await initChain(app.app, genesisBytes([{ address: k!.address, coins: [{ denom: "boot", amount: "1000000000" }] }], { params: { rank: { calculation_period: "2" } } }))
  const seqs = new Seqs(app.app)
  assert.is((await block(app.app, 1, [await signLinks(k!, [[cidOf("s a"), cidOf("s b")]], await seqs.next(k!.address))])).txResults[0]!.code, 0)
  await block(app.app, 2)
  assert.equal(gated.started(), ["rank@2"], "snapshot taken at the boundary, calculation started")
  await block(app.app, 3) // not a publishing height: no wait although the job is held back
  let settled = false
  const p4 = block(app.app, 4).then((r) => { settled = true; return r })
  await new Promise((r) => setTimeout(r, 100))
  assert.not.ok(settled, "block 4 publishes: it waits for the held-back calculation")
  gated.release("rank@2")
  const r4 = await p4
  assert.ok(r4.events.some((e) => e.type === "rank"), "rank published in block 4")
  await app.close()
})

test("integer helpers: half-even rounding, link cost, capped recovery", () => {
  assert.is(quoHalfEven(5n, 2n), 2n)
  assert.is(quoHalfEven(7n, 2n), 4n)
  assert.is(quoHalfEven(11n, 4n), 3n)
  assert.is(linkCost(250_000_000_000_000_000n, 3), 750n)
  assert.is(linkCost(333_333_333_333_333_333n, 1), 333n)
  assert.is(linkCost(500_500_000_000_000_000n, 1), 500n, "500.5 rounds to even")
  assert.equal(refresh({ remained: 10n, max: 1000n, lastUpdated: 5n }, 1000n, 8n, 100n), { remained: 40n, max: 1000n, lastUpdated: 8n })
  assert.equal(refresh({ remained: 990n, max: 1000n, lastUpdated: 0n }, 500n, 50n, 100n), { remained: 500n, max: 500n, lastUpdated: 50n })
})

test.run()
