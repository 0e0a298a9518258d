// Unit tests of the Graph, Programs and Governance API routes (node/ui/api/{graph,programs,gov}.ts):
// the rank history's bounds, the routes' parameter bounds, and how a refused query reaches the
// client. The routes against a real node: test/ui/dashboard.test.ts (test/ui/pages/*.ts).
import { suite } from "uvu"
import * as assert from "uvu/assert"
import type { RequestQuery, ResponseQuery } from "cosmjs-types/tendermint/abci/types"
import { validateParams } from "../../node/ui/Dashboard.ts"
import { gov, govProposal } from "../../node/ui/api/gov.ts"
import { graph, graphNeuron, graphParticle, rankHistoryOf } from "../../node/ui/api/graph.ts"
import { MAX_POINTS, MAX_WATCHED, RankHistory } from "../../node/ui/api/graphHistory.ts"
import { program, programs } from "../../node/ui/api/programs.ts"
import { ApiError, type ApiContext, type ApiRoute } from "../../node/ui/api/Route.ts"
import { QueryRankResponse, QuerySearchResponse } from "../../modules/graph/Messages.ts"

const test = suite("dashboard API: graph, programs, gov")

test("rank history: one point per change, bounded points per particle and bounded particles", () => {
  const h = new RankHistory()
  h.record("QmA", 1, 5n)
  assert.equal(h.points("QmA"), [], "an unwatched particle records nothing")
  h.watch("QmA")
  h.record("QmA", 1, 5n)
  h.record("QmA", 2, 5n)
  h.record("QmA", 3, 7n)
  h.record("QmA", 2, 9n)
  assert.equal(h.points("QmA"), [{ height: 1, rank: "5" }, { height: 3, rank: "7" }], "unchanged and older reads add nothing")
  for (let i = 0; i < MAX_POINTS + 10; i++) h.record("QmA", 10 + i, BigInt(100 + i))
  const pts = h.points("QmA")
  assert.is(pts.length, MAX_POINTS)
  assert.equal(pts[pts.length - 1], { height: 10 + MAX_POINTS + 9, rank: String(100 + MAX_POINTS + 9) }, "the newest kept, the oldest dropped")
  for (let i = 0; i < MAX_WATCHED + 5; i++) h.watch(`QmP${i}`)
  assert.is(h.watched().length, MAX_WATCHED)
  assert.equal(h.points("QmA"), [], "the least recently asked particle is dropped first")
  h.watch("QmP10")
  assert.is(h.watched()[MAX_WATCHED - 1], "QmP10", "asking again makes it the most recent")
})

const refused = (f: () => unknown, param: string) => {
  try {
    f()
    assert.unreachable(`${param} must be refused`)
  } catch (e) {
    assert.instance(e, ApiError)
    assert.is((e as ApiError).param, param)
    assert.is((e as ApiError).status, 400)
  }
}
const q = (o: Record<string, string>) => new URLSearchParams(o)

test("parameters are bounded and checked before any query runs", () => {
  refused(() => validateParams(graphParticle, q({})), "cid")
  refused(() => validateParams(graphParticle, q({ cid: "Qm" + "a".repeat(127) })), "cid")
  refused(() => validateParams(graphParticle, q({ cid: "../etc/passwd" })), "cid")
  refused(() => validateParams(graphParticle, q({ cid: "QmA", limit: "1000" })), "limit")
  refused(() => validateParams(graph, q({ top: "-1" })), "top")
  refused(() => validateParams(graphNeuron, q({ address: "not an address" })), "address")
  refused(() => validateParams(programs, q({ key: "abc" })), "key")
  refused(() => validateParams(programs, q({ key: "00".repeat(33) })), "key")
  refused(() => validateParams(program, q({ address: "x".repeat(101) })), "address")
  refused(() => validateParams(govProposal, q({ id: "0" })), "id")
  refused(() => validateParams(govProposal, q({ id: "1".repeat(20) })), "id")
  refused(() => validateParams(gov, q({ key: "00" })), "key")
  assert.equal(validateParams(graphParticle, q({ cid: "QmfGqo6YdYdreCzawZLYGhDLW6SgYCwf3nfPodbVJ1bcmk", limit: "100" })), { cid: "QmfGqo6YdYdreCzawZLYGhDLW6SgYCwf3nfPodbVJ1bcmk", limit: "100" })
})

/** A context whose app answers `answer(path)` (a unit-test double of the node's Application). */
const fakeCtx = (answer: (req: RequestQuery) => Partial<ResponseQuery>): ApiContext => ({
  app: { query: async (req: RequestQuery) => ({ code: 0, log: "", info: "", index: 0n, key: new Uint8Array(), value: new Uint8Array(), height: 7n, codespace: "", ...answer(req) }) }
}) as unknown as ApiContext

const run = async (route: ApiRoute, ctx: ApiContext, params: Record<string, string>) => {
  try {
    return { ok: true as const, value: await route.handle(ctx, validateParams(route, q(params))) }
  } catch (e) {
    return { ok: false as const, error: e as ApiError }
  }
}

test("a refused query is a typed error: not found is 404, other refusals 400 with the chain's log", async () => {
  const missing = fakeCtx(() => ({ code: 38, log: "particle not found: QmX" }))
  const r1 = await run(graphParticle, missing, { cid: "QmX" })
  assert.not.ok(r1.ok)
  if (!r1.ok) {
    assert.is(r1.error.status, 404)
    assert.is(r1.error.code, "NotFound")
    assert.match(r1.error.message, /particle not found: QmX/)
  }
  const bad = fakeCtx(() => ({ code: 7, log: "invalid address \"cyber1zz\"" }))
  const r2 = await run(program, bad, { address: "cyber1zzzzzzzz" })
  assert.not.ok(r2.ok)
  if (!r2.ok) assert.equal([r2.error.status, r2.error.code], [400, "QueryFailed"])
  const r3 = await run(govProposal, fakeCtx(() => ({ code: 38, log: "proposal 9 doesn't exist: not found" })), { id: "9" })
  assert.not.ok(r3.ok)
  if (!r3.ok) assert.is(r3.error.status, 404)
})

test("a machine that is not active: overview routes answer {unavailable} (no failed request), detail routes a 404", async () => {
  const off = fakeCtx((req) => ({ code: 6, log: `unknown query path ${req.path}` }))
  for (const [route, machine] of [[graph, "graph"], [programs, "cyberwasm"], [gov, "gov"]] as const) {
    const r = await run(route, off, {})
    assert.ok(r.ok, route.name)
    assert.match(String((r as { value: { unavailable: string } }).value.unavailable), new RegExp(`the ${machine} machine is not active`))
  }
  const d = await run(program, off, { address: "cyber1zzzzzzzz" })
  assert.not.ok(d.ok)
  if (!d.ok) assert.equal([d.error.status, d.error.code], [404, "MachineOff"])
})

test("graph-particle records the rank history of asked particles only, and the graph route refreshes them", async () => {
  let rank = 10n
  const ctx = fakeCtx((req) => {
    if (req.path.endsWith("/Rank")) return { value: QueryRankResponse.encode({ rank }).finish(), height: rank }
    if (req.path.endsWith("/Search") || req.path.endsWith("/Backlinks") || req.path.endsWith("/Top")) return { value: QuerySearchResponse.encode({ result: [], total: 0 }).finish() }
    return { value: new Uint8Array() }
  })
  const r = await run(graphParticle, ctx, { cid: "QmA" })
  assert.ok(r.ok)
  assert.equal((r as { value: { history: unknown } }).value.history, [{ height: 10, rank: "10" }])
  rank = 12n
  assert.ok((await run(graph, ctx, {})).ok)
  assert.equal(rankHistoryOf(ctx).points("QmA"), [{ height: 10, rank: "10" }, { height: 12, rank: "12" }])
  assert.equal(rankHistoryOf(ctx).watched(), ["QmA"])
  assert.equal(rankHistoryOf(fakeCtx(() => ({}))).watched(), [], "one history per node")
})

test.run()
