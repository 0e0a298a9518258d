/**
 * A contract moves only its own funds (issue 13 acceptance), end to end: the published reflect
 * build (CosmWasm/cosmwasm contracts/reflect 2.0, test/fixtures/cosmwasm/reflect_2_0.wasm) on a
 * node started by the CLI, driven by SigningCosmWasmClient. reflect dispatches whatever CosmosMsgs
 * its owner hands it: a bank send of its own coins goes through; a `CosmosMsg::Any` MsgSend naming
 * someone else's account as sender is refused (wasmd: "contract doesn't have permission"), also as
 * a submessage, and nothing moves; a failing submessage with reply_on error is rolled back and its
 * redacted error reaches reply.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { toBase64 } from "@cosmjs/encoding"
import { calculateFee, GasPrice } from "@cosmjs/stargate"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { fixture, refused, startWasmNode, type WasmNode } from "./e2e-support.ts"

const fee = (gas: number) => calculateFee(gas, GasPrice.fromString("0.01boot"))
let n: WasmNode
let reflect = ""
const balance = async (a: string) => (await n.client.getBalance(a, "boot")).amount
const anySend = (from: string, to: string, amount: string) => ({
  any: { type_url: "/cosmos.bank.v1beta1.MsgSend", value: toBase64(MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom: "boot", amount }] }).finish()) }
})
const execute = (msg: unknown) => ({
  typeUrl: "/cosmwasm.wasm.v1.MsgExecuteContract",
  value: { sender: n.alice, contract: reflect, msg: new TextEncoder().encode(JSON.stringify(msg)), funds: [] }
})

test.before(async () => {
  n = await startWasmNode()
  const up = await n.client.upload(n.alice, fixture("reflect_2_0"), "auto")
  reflect = (await n.client.instantiate(n.alice, up.codeId, {}, "reflect", "auto", { admin: n.alice, funds: [{ denom: "boot", amount: "1000" }] })).contractAddress
})

test.after(async () => {
  await n?.stop()
})

test("reflect sends its own coins (BankMsg and a `any` MsgSend from itself)", async () => {
  assert.equal(await n.client.queryContractSmart(reflect, { owner: {} }), { owner: n.alice })
  await n.client.execute(n.alice, reflect, { reflect_msg: { msgs: [{ bank: { send: { to_address: n.bob, amount: [{ denom: "boot", amount: "300" }] } } }] } }, "auto")
  assert.is(await balance(n.bob), "300")
  await n.client.execute(n.alice, reflect, { reflect_msg: { msgs: [anySend(reflect, n.bob, "200")] } }, "auto")
  assert.is(await balance(n.bob), "500")
  assert.is(await balance(reflect), "500")
})

test("reflect cannot send the owner's coins: a MsgSend naming another sender is refused, directly and as a submessage", async () => {
  const aliceBefore = await balance(n.alice)
  await refused(n.client.signAndBroadcast(n.alice, [execute({ reflect_msg: { msgs: [anySend(n.alice, n.bob, "1000")] } })], fee(2_000_000)), 4, "sdk", /unauthorized/)
  const sub = { id: 7, payload: "", msg: anySend(n.alice, n.bob, "1000"), gas_limit: null, reply_on: "always" }
  // with reply_on always the refusal goes to reply (the submessage rolled back), as wasmd does
  const r = await n.client.signAndBroadcast(n.alice, [execute({ reflect_sub_msg: { msgs: [sub] } })], fee(2_000_000))
  assert.is(r.code, 0, r.rawLog)
  const reply = (await n.client.queryContractSmart(reflect, { sub_msg_result: { id: 7 } })) as { id: number; result: { error?: string } }
  assert.match(reply.result.error ?? "", /^codespace: \w+, code: \d+$/, JSON.stringify(reply))
  assert.is(await balance(n.bob), "500", "nothing moved to bob")
  assert.is(await balance(reflect), "500")
  assert.ok(BigInt(await balance(n.alice)) <= BigInt(aliceBefore), "alice lost no coins to the contract's messages (fees only)")
})

test("a failing submessage with reply_on error is rolled back; reply gets the redacted error", async () => {
  const sub = { id: 9, payload: "", msg: { bank: { send: { to_address: n.bob, amount: [{ denom: "boot", amount: "999999" }] } } }, gas_limit: null, reply_on: "error" }
  await n.client.execute(n.alice, reflect, { reflect_sub_msg: { msgs: [sub] } }, "auto")
  const reply = (await n.client.queryContractSmart(reflect, { sub_msg_result: { id: 9 } })) as { id: number; result: { error?: string } }
  assert.is(reply.id, 9)
  assert.match(reply.result.error ?? "", /^codespace: \w+, code: \d+$/, JSON.stringify(reply))
  assert.is(await balance(reflect), "500")
  assert.is(await balance(n.bob), "500")
})

test.run()
