/**
 * CyberWasm params are chain state changed only by governance: the upload limit lowered through
 * ExecContext.execute is enforced from the next block, and by CheckTx right after the commit;
 * genesis params are written to state and exported; an ordinary account's MsgUpdateParams is
 * refused naming the gov authority; out-of-range params are typed errors.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { programOfSize } from "../cyberwasm/fixtures/wat.ts"
import { buildExamples } from "../../sdk/assemblyscript/build.ts"
import { GOV, openParamsChain, type ParamsChain } from "./paramsChain.ts"

const params = async (c: ParamsChain) => M.ChainParamsProto.decode(M.QueryParamsResponse.decode(await c.query(M.QueryPath.params)).params)
const update = (authority: string, maxCodeBytes: bigint, maxCallGas: bigint) => ({
  typeUrl: M.TypeUrl.updateParams,
  value: M.MsgUpdateParams.encode({ authority, params: M.ChainParamsProto.encode({ maxCodeBytes, maxCallGas }) })
})
const storeCode = (sender: string, code: Uint8Array) => ({ typeUrl: M.TypeUrl.storeCode, value: { sender, wasmByteCode: code } })

test("an upload limit lowered by governance holds from the next block and in CheckTx after the commit", async () => {
  const c = await openParamsChain(100_000)
  const alice = c.keys[0]!.address
  await c.next()
  assert.equal(await params(c), { maxCodeBytes: 100_000n, maxCallGas: 1_000_000n }, "genesis params in state")

  // block 2: a 2000-byte upload passes (old limit); exec then sets the limit to 1999
  c.exec.pending = [update(GOV, 1999n, 2_000_000n)]
  const r2 = await c.next([await c.sign(c.keys[0]!, [storeCode(alice, programOfSize(2000))])])
  assert.is(r2.txResults[0]!.code, 0, r2.txResults[0]!.log)
  assert.ok(c.exec.outcome?.ok, JSON.stringify(c.exec.outcome))
  assert.equal(await params(c), { maxCodeBytes: 1999n, maxCallGas: 2_000_000n })

  const over = await c.sign(c.keys[0]!, [storeCode(alice, programOfSize(2000, { fill: "b" }))])
  const checked = await c.check(over)
  assert.is(checked.code, 2, checked.log)
  assert.match(checked.log, /binary is 2000 bytes, limit 1999/)
  const r3 = await c.next([over])
  assert.is(r3.txResults[0]!.code, 2, r3.txResults[0]!.log)
  assert.is(r3.txResults[0]!.codespace, "cyberwasm")
  assert.match(r3.txResults[0]!.log, /binary is 2000 bytes, limit 1999/)
  const r4 = await c.next([await c.sign(c.keys[0]!, [storeCode(alice, programOfSize(1999, { fill: "c" }))])])
  assert.is(r4.txResults[0]!.code, 0, `a program at the new limit is stored: ${r4.txResults[0]!.log}`)
})

test("an ordinary account's cyberwasm MsgUpdateParams is refused naming the gov authority; params unchanged", async () => {
  const c = await openParamsChain(100_000)
  await c.next()
  const alice = c.keys[0]!
  const msg = { typeUrl: M.TypeUrl.updateParams, value: { authority: alice.address, params: M.ChainParamsProto.encode({ maxCodeBytes: 10n, maxCallGas: 10n }) } }
  const r = await c.next([await c.sign(alice, [msg])])
  assert.is(r.txResults[0]!.code, 4, r.txResults[0]!.log)
  assert.match(r.txResults[0]!.log, GOV)
  assert.equal(await params(c), { maxCodeBytes: 100_000n, maxCallGas: 1_000_000n })
})

test("out-of-range params through governance are InvalidRequest naming the field; nothing changes", async () => {
  const c = await openParamsChain(100_000)
  await c.next()
  for (const [code, gas, field] of [[0n, 5n, "max_code_bytes"], [10_000_000n, 5n, "max_code_bytes"], [1000n, 0n, "max_call_gas"]] as const) {
    c.exec.pending = [update(GOV, code, gas)]
    await c.next()
    assert.is(c.exec.outcome?.ok, false, `${code}/${gas} refused`)
    assert.is(c.exec.outcome?.tag, "InvalidRequest")
    assert.match(c.exec.outcome!.log!, new RegExp(`message 0.*${field}`))
  }
  assert.equal(await params(c), { maxCodeBytes: 100_000n, maxCallGas: 1_000_000n })
})

test("max_call_gas set by governance limits the next block's scheduled runs", async () => {
  const { ticker } = await buildExamples(["ticker"])
  const c = await openParamsChain(1_000_000)
  const alice = c.keys[0]!.address
  const enc = (t: string) => new TextEncoder().encode(t)
  const r1 = await c.next([await c.sign(c.keys[0]!, [storeCode(alice, ticker!)])])
  assert.is(r1.txResults[0]!.code, 0, r1.txResults[0]!.log)
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", ticker!))
  const inst = { typeUrl: M.TypeUrl.instantiate, value: { sender: alice, codeHash: hash, admin: "", input: enc("1"), reserve: 50_000_000n, label: "ticker", address: "" } }
  const r2 = await c.next([await c.sign(c.keys[0]!, [inst])])
  assert.is(r2.txResults[0]!.code, 0, r2.txResults[0]!.log)
  const runs = (r: { events: Array<{ type: string; attributes: Array<{ key: string; value: string }> }> }) =>
    r.events.filter((e) => e.type === "cyberwasm.scheduled_run").map((e) => ({
      status: e.attributes.find((a) => a.key === "status")!.value, gas: BigInt(e.attributes.find((a) => a.key === "gas_used")!.value)
    }))
  const r3 = await c.next()
  const ok = runs(r3)
  assert.is(ok.length, 1, "the ticker runs every block")
  assert.is(ok[0]!.status, "ok")
  assert.ok(ok[0]!.gas > 100n, `a run uses ${ok[0]!.gas} gas`)

  // block 4: exec lowers max_call_gas to 100 at its endBlock; block 4's own run (beginBlock) was already paid
  c.exec.pending = [update(GOV, 1_000_000n, 100n)]
  const r4 = await c.next()
  assert.ok(c.exec.outcome?.ok, JSON.stringify(c.exec.outcome))
  assert.is(runs(r4)[0]?.status, "ok")
  const r5 = await c.next()
  const limited = runs(r5)
  assert.is(limited.length, 1)
  assert.ok(limited[0]!.status !== "ok", `run at the new limit: ${JSON.stringify(limited[0], (_, v) => (typeof v === "bigint" ? String(v) : v))}`)
  assert.ok(limited[0]!.gas <= 100n, `charged at most the limit: ${limited[0]!.gas}`)
})

test.run()
