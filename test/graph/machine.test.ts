/**
 * Graph machine: MsgCyberlink through the real multiplexer (CosmJS-signed txs), particles and
 * link numbering, and every bad input rejected with a typed error and the graph namespace
 * unchanged.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { CID } from "multiformats/cid"
import { QuerySearchRequest, QuerySearchResponse, QueryGraphStatsResponse, StringRequest, MsgCyberlink } from "../../modules/graph/Messages.ts"
import { validateParticle } from "../../modules/graph/Graph.ts"
import { block, cidOf, dump, genesisBytes, initChain, makeGKeys, openGraphApp, Seqs, signLinks } from "./machineFixture.ts"

const A = cidOf("a"), B = cidOf("b"), C = cidOf("c"), D = cidOf("d")

const setup = async () => {
  const keys = await makeGKeys(3)
  const fund = (volt: string) => [{ denom: "boot", amount: "1000000000" }, ...(volt === "0" ? [] : [{ denom: "volt", amount: volt }])]
  const app = await openGraphApp()
  await initChain(app.app, genesisBytes(
    [{ address: keys[0]!.address, coins: fund("1000") }, { address: keys[1]!.address, coins: fund("1000") }, { address: keys[2]!.address, coins: fund("0") }],
    { params: { stake_denom: "volt", rank: { calculation_period: "1000" }, bandwidth: { desirable_bandwidth: "4000", adjust_price_period: "1000" } } }
  ))
  return { keys, app, seqs: new Seqs(app.app) }
}

test("MsgCyberlink round-trips with go-cyber's field numbers", () => {
  const bytes = MsgCyberlink.encode({ neuron: "cyber1x", links: [{ from: A, to: B }] }).finish()
  // neuron = field 1 (0x0a), links = field 2 (0x12) holding Link {from = 1, to = 2}
  assert.is(bytes[0], 0x0a)
  assert.is(bytes[9], 0x12)
  assert.equal(MsgCyberlink.decode(bytes), { neuron: "cyber1x", links: [{ from: A, to: B }] })
})

test("CIDs: v0 accepted, v1 refused with code 7, garbage with code 5", () => {
  validateParticle(A)
  const v1 = CID.parse(A).toV1().toString()
  assert.throws(() => validateParticle(v1), (e: any) => e.code === 7 && e.codespace === "graph")
  assert.throws(() => validateParticle("not-a-cid"), (e: any) => e.code === 5)
})

test("links are numbered, counted and searchable; bad inputs leave the graph unchanged", async () => {
  const { keys, app, seqs } = await setup()
  const [k1, k2, k3] = keys as [typeof keys[0], typeof keys[0], typeof keys[0]]
  const ok = await block(app.app, 1, [await signLinks(k1, [[A, B], [A, C]], await seqs.next(k1.address))])
  assert.is(ok.txResults[0]!.code, 0, ok.txResults[0]!.log)
  const stats = QueryGraphStatsResponse.decode((await app.app.query({ path: "/cyber.graph.v1beta1.Query/GraphStats", data: new Uint8Array(), height: 0n, prove: false })).value)
  assert.equal(stats, { cyberlinks: 2n, particles: 3n })
  // particle numbers from 0 in first-appearance order, from before to
  const g = app.store.store("graph")
  for (const [cid, n] of [[A, 0n], [B, 1n], [C, 2n]] as const) {
    assert.is(Buffer.from(g.get(Uint8Array.from([0x01, ...new TextEncoder().encode(cid)]))!).readBigUInt64BE(), n)
  }
  const search = QuerySearchResponse.decode((await app.app.query({ path: "/cyber.rank.v1beta1.Query/Search", data: QuerySearchRequest.encode({ particle: A }).finish(), height: 0n, prove: false })).value)
  assert.equal(search.result.map((r) => r.particle).sort(), [B, C].sort())
  assert.is(search.total, 2)

  const cases: Array<[string, typeof k1, ReadonlyArray<readonly [string, string]>, string, number]> = [
    ["invalid CID", k1, [[A, "QmNotACid"]], "graph", 5],
    ["CIDv1", k1, [[A, CID.parse(D).toV1().toString()]], "graph", 7],
    ["empty links", k1, [], "graph", 3],
    ["self link", k1, [[A, A]], "graph", 4],
    ["duplicate in one message", k1, [[C, D], [C, D]], "graph", 2],
    ["duplicate of a stored link", k1, [[A, B]], "graph", 2],
    ["neuron without stake", k3, [[C, D]], "graph", 8],
    ["not enough bandwidth", k2, Array.from({ length: 9 }, (_, i) => [cidOf(`x${i}`), cidOf(`y${i}`)] as const), "bandwidth", 2]
  ]
  let height = 2
  for (const [what, key, links, codespace, code] of cases) {
    const before = dump(app.store, "graph")
    const res = await block(app.app, height++, [await signLinks(key, links, await seqs.next(key.address))])
    const r = res.txResults[0]!
    assert.is(r.codespace, codespace, `${what}: ${r.log}`)
    assert.is(r.code, code, `${what}: ${r.log}`)
    assert.ok(r.log.length > 10, `${what}: log names the problem: ${r.log}`)
    assert.equal(dump(app.store, "graph"), before, `${what}: graph state unchanged`)
  }
  // the same neuron may link the same pair as another neuron
  const res = await block(app.app, height++, [await signLinks(k2, [[A, B]], await seqs.next(k2.address))])
  assert.is(res.txResults[0]!.code, 0, res.txResults[0]!.log)
  const back = QuerySearchResponse.decode((await app.app.query({ path: "/cyber.rank.v1beta1.Query/Backlinks", data: QuerySearchRequest.encode({ particle: B }).finish(), height: 0n, prove: false })).value)
  assert.equal(back.result.map((r) => r.particle), [A])
  const unknown = await app.app.query({ path: "/cyber.rank.v1beta1.Query/Rank", data: StringRequest.encode({ value: D }).finish(), height: 0n, prove: false })
  assert.is(unknown.codespace, "graph")
  assert.is(unknown.code, 6)
  await app.close()
})

test.run()
