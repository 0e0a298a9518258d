/**
 * Bank MsgUpdateParams (cosmjs-types, SDK x/bank): governance turns sends of a denom off and on
 * through ExecContext.execute, honored from the next message; an ordinary account is refused
 * naming the gov authority; duplicate send_enabled denoms are InvalidRequest.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { Params } from "cosmjs-types/cosmos/bank/v1beta1/bank"
import { QueryParamsResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { MsgUpdateParams } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { GOV, openParamsChain, type ParamsChain } from "./paramsChain.ts"

const params = async (c: ParamsChain): Promise<Params> => QueryParamsResponse.decode(await c.query("/cosmos.bank.v1beta1.Query/Params")).params!
const update = (authority: string, p: Params) => ({ typeUrl: "/cosmos.bank.v1beta1.MsgUpdateParams", value: MsgUpdateParams.encode({ authority, params: p }).finish() })
const send = (from: string, to: string, denom: string) =>
  ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: from, toAddress: to, amount: [{ denom, amount: "5" }] } })

test("governance disables sends by default but keeps volt enabled; honored in the next block; then re-enabled", async () => {
  const c = await openParamsChain()
  const [alice, bob] = [c.keys[0]!, c.keys[1]!]
  await c.next()
  c.exec.pending = [update(GOV, { defaultSendEnabled: false, sendEnabled: [{ denom: "volt", enabled: true }] })]
  await c.next()
  assert.ok(c.exec.outcome?.ok, JSON.stringify(c.exec.outcome))
  assert.equal(await params(c), { defaultSendEnabled: false, sendEnabled: [{ denom: "volt", enabled: true }] })
  const boot = await c.next([await c.sign(alice, [send(alice.address, bob.address, "boot")])])
  assert.is(boot.txResults[0]!.code, 5, boot.txResults[0]!.log)
  assert.is(boot.txResults[0]!.codespace, "bank")
  const volt = await c.next([await c.sign(alice, [send(alice.address, bob.address, "volt")])])
  assert.is(volt.txResults[0]!.code, 0, volt.txResults[0]!.log)
  c.exec.pending = [update(GOV, { defaultSendEnabled: true, sendEnabled: [] })]
  await c.next()
  const again = await c.next([await c.sign(alice, [send(alice.address, bob.address, "boot")])])
  assert.is(again.txResults[0]!.code, 0, again.txResults[0]!.log)
})

test("an ordinary account's bank MsgUpdateParams is refused naming the gov authority; duplicates are InvalidRequest", async () => {
  const c = await openParamsChain()
  const alice = c.keys[0]!
  await c.next()
  const before = await params(c)
  const r = await c.next([await c.sign(alice, [{ typeUrl: "/cosmos.bank.v1beta1.MsgUpdateParams", value: { authority: alice.address, params: { defaultSendEnabled: false, sendEnabled: [] } } }])])
  assert.is(r.txResults[0]!.code, 4, r.txResults[0]!.log)
  assert.match(r.txResults[0]!.log, `invalid authority; expected ${GOV}`)
  c.exec.pending = [update(GOV, { defaultSendEnabled: true, sendEnabled: [{ denom: "volt", enabled: false }, { denom: "volt", enabled: true }] })]
  await c.next()
  assert.is(c.exec.outcome?.tag, "InvalidRequest")
  assert.match(c.exec.outcome!.log!, /message 0.*duplicate send enabled parameter found: 'volt'/)
  assert.equal(await params(c), before)
})

test.run()
