/**
 * Graph params are chain state changed only by governance: MsgUpdateParams run by a holder of
 * `authority.execute` (ExecContext.execute) changes the rank period from the next block (not in the
 * block that changes it, whose rank schedule was already awaited); go-cyber's rank message changes
 * damping, and a node restarted meanwhile recomputes the pending rank with the params it was
 * snapshotted with; an ordinary account's MsgUpdateParams in a tx is refused, params unchanged.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import {
  decText, GRAPH_PARAMS_QUERY, MSG_UPDATE_PARAMS_URL, MSG_UPDATE_RANK_PARAMS_URL, MsgUpdateParams, MsgUpdateRankParams, QueryParamsResponse,
  QueryRankParamsResponse, RANK_PARAMS_QUERY, type ParamsProto
} from "../../modules/graph/ParamsMessages.ts"
import { MSG_CYBERLINK_URL, MsgCyberlink } from "../../modules/graph/Messages.ts"
import { cidOf } from "../registry/registryChain.ts"
import { GOV, openParamsChain, type ParamsChain } from "./paramsChain.ts"

const params = async (c: ParamsChain): Promise<ParamsProto> => QueryParamsResponse.decode(await c.query(GRAPH_PARAMS_QUERY)).params!
const link = (neuron: string, from: string, to: string) => ({ typeUrl: MSG_CYBERLINK_URL, value: MsgCyberlink.fromPartial({ neuron, links: [{ from, to }] }) })
const withPeriod = (p: ParamsProto, period: bigint) => ({
  typeUrl: MSG_UPDATE_PARAMS_URL,
  value: MsgUpdateParams.encode({ authority: GOV, params: { ...p, rank: { ...p.rank!, calculationPeriod: period } } }).finish()
})

test("a rank period set by governance takes effect from the next block", async () => {
  const c = await openParamsChain()
  const published: number[] = []
  const run = async (txs?: Uint8Array[]) => {
    const r = await c.next(txs)
    if (r.events.some((e) => e.type === "rank")) published.push(c.height())
    return r
  }
  const r1 = await run([await c.sign(c.keys[0]!, [link(c.keys[0]!.address, cidOf("a"), cidOf("b"))])])
  assert.is(r1.txResults[0]!.code, 0, r1.txResults[0]!.log)
  for (let h = 2; h <= 5; h++) await run() // snapshot at 4, due at 8 with period 4
  const before = await params(c)
  assert.is(before.rank!.calculationPeriod, 4n)

  // block 6: exec (ending before graph) sets period 6; 6 % 6 = 0 would publish here if it applied at once
  c.exec.pending = [withPeriod(before, 6n)]
  await run()
  assert.ok(c.exec.outcome?.ok, JSON.stringify(c.exec.outcome))
  assert.is((await params(c)).rank!.calculationPeriod, 6n, "Params query shows the new period after the block")
  for (let h = 7; h <= 12; h++) await run()
  assert.equal(published, [12], "published at 12 (new period), not at 6 (same block) nor 8 (old period)")
})

test("go-cyber's rank MsgUpdateParams changes damping; a restart recomputes the pending rank with its snapshot's params", async () => {
  const scenario = async (restart: boolean): Promise<string> => {
    let c = await openParamsChain()
    const r1 = await c.next([await c.sign(c.keys[0]!, [link(c.keys[0]!.address, cidOf("a"), cidOf("b")), link(c.keys[0]!.address, cidOf("b"), cidOf("c"))])])
    assert.is(r1.txResults[0]!.code, 0, r1.txResults[0]!.log)
    for (let h = 2; h <= 4; h++) await c.next() // snapshot at 4 with damping 0.85
    c.exec.pending = [{
      typeUrl: MSG_UPDATE_RANK_PARAMS_URL,
      value: MsgUpdateRankParams.encode({ authority: GOV, params: { calculationPeriod: 4n, dampingFactor: "500000000000000000", tolerance: "1000000000000000", mode: "", maxIterations: 0 } }).finish()
    }]
    await c.next() // 5
    assert.ok(c.exec.outcome?.ok, JSON.stringify(c.exec.outcome))
    const rank = QueryRankParamsResponse.decode(await c.query(RANK_PARAMS_QUERY)).params!
    assert.is(rank.dampingFactor, "500000000000000000", "go-cyber's Params query carries LegacyDec wire text")
    assert.is((await params(c)).rank!.mode, "cyber", "mode kept: go-cyber's message does not carry it")
    if (restart) {
      await c.store.close()
      c = await openParamsChain(100_000, c.memory, false)
    }
    let root = ""
    for (let h = 6; h <= 8; h++) {
      const r = await c.next()
      const e = r.events.find((x) => x.type === "rank")
      if (e) root = e.attributes.find((a) => a.key === "root")!.value
    }
    assert.ok(root !== "", "published at 8")
    return `${root} ${Buffer.from(c.store.workingHash()).toString("hex")}`
  }
  const straight = await scenario(false)
  assert.is(await scenario(true), straight, "rank root and app hash at 8 equal with and without a restart after the damping change")
})

test("an ordinary account's graph MsgUpdateParams in a tx is refused naming the gov authority; params unchanged", async () => {
  const c = await openParamsChain()
  await c.next()
  const before = await params(c)
  const alice = c.keys[0]!
  const own = { ...before, rank: { ...before.rank!, calculationPeriod: 2n } }
  const r = await c.next([await c.sign(alice, [{ typeUrl: MSG_UPDATE_PARAMS_URL, value: MsgUpdateParams.fromPartial({ authority: alice.address, params: own }) }])])
  assert.is(r.txResults[0]!.code, 4, r.txResults[0]!.log)
  assert.match(r.txResults[0]!.log, GOV)
  // naming the gov account as authority needs its signature: the ante refuses
  const r2 = await c.next([await c.sign(alice, [{ typeUrl: MSG_UPDATE_PARAMS_URL, value: MsgUpdateParams.fromPartial({ authority: GOV, params: own }) }])])
  assert.ok(r2.txResults[0]!.code !== 0, "signed by another account than the authority")
  assert.equal(await params(c), before)
})

test("invalid params through governance are a typed error naming the message and field; nothing changes", async () => {
  const c = await openParamsChain()
  await c.next()
  const before = await params(c)
  c.exec.pending = [{
    typeUrl: MSG_UPDATE_PARAMS_URL,
    value: MsgUpdateParams.encode({ authority: GOV, params: { ...before, rank: { ...before.rank!, dampingFactor: "1500000000000000000" } } }).finish()
  }]
  await c.next()
  assert.is(c.exec.outcome?.ok, false)
  assert.is(c.exec.outcome?.tag, "InvalidRequest")
  assert.match(c.exec.outcome!.log!, /message 0/)
  assert.match(c.exec.outcome!.log!, /damping must be in \(0, 1\)/)
  assert.equal(await params(c), before)
  assert.is(decText(850000000000000000n), "0.85")
})

test.run()
