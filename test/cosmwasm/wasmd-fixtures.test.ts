// Real contracts (test/fixtures/cosmwasm, published upstream builds) through the real VM and the
// wasmd layer inside the Application (auth, bank, cyberwasm), signed with CosmJS: hackatom's
// release and migrate, burner as a migration target, reflect_2_0 moving only its own funds (even
// through a submessage, a stargate message or another contract), replier's execution order and
// data forwarding against wasmd's own expectations (keeper_test.go TestMultipleReplies), and
// cw20_base transfers.
import { readFileSync } from "node:fs"
import { gzipSync } from "fflate"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { MsgExecuteContractResponse, MsgInstantiateContractResponse, MsgStoreCodeResponse } from "cosmjs-types/cosmwasm/wasm/v1/tx"
import { QuerySmartContractStateRequest, QuerySmartContractStateResponse } from "cosmjs-types/cosmwasm/wasm/v1/query"
import { SimulateRequest } from "cosmjs-types/cosmos/tx/v1beta1/service"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { makeCosmWasmVm } from "../../modules/cyberwasm/cosmwasm/vm/CosmWasmVmLive.ts"
import { attr, b64, fakeChain } from "./wasmd-support.ts"

const test = suite("wasmd layer with real contracts")
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/cosmwasm/${name}.wasm`, import.meta.url)))
const enc = new TextEncoder()
const U = "/cosmwasm.wasm.v1."

const { chain, addresses, tx, balance, sign } = await fakeChain(makeCosmWasmVm(), 4)
const [alice, bob, carol, dave] = addresses as [string, string, string, string]
const responses = (r: { data: Uint8Array }) => TxMsgData.decode(r.data).msgResponses
const ok = <R extends { code: number; log: string }>(r: R): R => {
  assert.is(r.code, 0, r.log)
  return r
}
const store = async (name: string, gzip = false) => {
  const r = ok(await tx(alice, [{ typeUrl: `${U}MsgStoreCode`, value: { sender: alice, wasmByteCode: gzip ? gzipSync(fixture(name)) : fixture(name) } }], 40_000_000))
  return MsgStoreCodeResponse.decode(responses(r)[0]!.value).codeId
}
const instantiate = async (codeId: bigint, msg: unknown, o: { sender?: string; admin?: string; funds?: Array<{ denom: string; amount: string }> } = {}) => {
  const r = ok(await tx(o.sender ?? alice, [{ typeUrl: `${U}MsgInstantiateContract`, value: { sender: o.sender ?? alice, admin: o.admin ?? "", codeId, label: "fixture", msg: enc.encode(JSON.stringify(msg)), funds: o.funds ?? [] } }]))
  return MsgInstantiateContractResponse.decode(responses(r)[0]!.value).address
}
const execute = (sender: string, contract: string, msg: unknown, funds: Array<{ denom: string; amount: string }> = []) =>
  tx(sender, [{ typeUrl: `${U}MsgExecuteContract`, value: { sender, contract, msg: enc.encode(JSON.stringify(msg)), funds } }])
const smart = async (contract: string, msg: unknown) => {
  const r = await chain.query(`${U}Query/SmartContractState`, QuerySmartContractStateRequest.encode({ address: contract, queryData: enc.encode(JSON.stringify(msg)) }).finish())
  assert.is(r.code, 0, r.log)
  return JSON.parse(new TextDecoder().decode(QuerySmartContractStateResponse.decode(r.value).data))
}

let hackatomCode = 0n
let hackatom = ""

test("hackatom: gzip upload, instantiate with funds, query verifier, release by the verifier pays the beneficiary", async () => {
  hackatomCode = await store("hackatom", true)
  hackatom = await instantiate(hackatomCode, { verifier: alice, beneficiary: bob }, { admin: alice, funds: [{ denom: "milk", amount: "100" }] })
  assert.equal(await smart(hackatom, { verifier: {} }), { verifier: alice })
  const refused = await execute(carol, hackatom, { release: {} })
  assert.is(refused.code, 5)
  assert.match(refused.log, "Unauthorized")
  const before = await balance(bob, "milk")
  const r = ok(await execute(alice, hackatom, { release: {} }))
  assert.is(await balance(bob, "milk"), before + 100n)
  assert.is(await balance(hackatom, "milk"), 0n)
  assert.is(attr(r, "wasm", "action"), "release")
  assert.equal([...MsgExecuteContractResponse.decode(responses(r)[0]!.value).data], [0xf0, 0x0b, 0xaa])
  const transfer = r.events.find((e) => e.type === "transfer" && e.attributes.some((a) => a.value === bob))
  assert.ok(transfer, "the bank's transfer event of the contract's send")
})

test("hackatom: an endless loop runs out of gas (code 11) and the node keeps going", async () => {
  const r = await execute(alice, hackatom, { cpu_loop: {} })
  assert.is(r.code, 11, r.log)
  assert.equal(await smart(hackatom, { verifier: {} }), { verifier: alice })
  // releasing an empty balance is a send of no coins: no message at all (wasmd EncodeBankMsg)
  ok(await execute(alice, hackatom, { release: {} }))
})

test("migrate: hackatom -> hackatom (admin only), then to burner, which pays out the contract's funds", async () => {
  const m = (sender: string, codeId: bigint, msg: unknown) => ({ typeUrl: `${U}MsgMigrateContract`, value: { sender, contract: hackatom, codeId, msg: enc.encode(JSON.stringify(msg)) } })
  assert.is((await tx(bob, [m(bob, hackatomCode, { verifier: bob })])).code, 4)
  ok(await tx(alice, [m(alice, hackatomCode, { verifier: carol })]))
  assert.equal(await smart(hackatom, { verifier: {} }), { verifier: carol })
  ok(await execute(dave, hackatom, {}, [{ denom: "milk", amount: "7" }]).then(() => tx(dave, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: dave, toAddress: hackatom, amount: [{ denom: "milk", amount: "7" }] } }])))
  const burner = await store("burner")
  const payoutBefore = await balance(dave, "milk")
  ok(await tx(alice, [m(alice, burner, { payout: dave, delete: 10 })]))
  assert.is(await balance(hackatom, "milk"), 0n)
  assert.is(await balance(dave, "milk"), payoutBefore + 7n)
  const direct = await tx(alice, [{ typeUrl: `${U}MsgInstantiateContract`, value: { sender: alice, admin: "", codeId: burner, label: "x", msg: enc.encode("{}"), funds: [] } }])
  assert.is(direct.code, 4, "burner refuses instantiation")
})

test("cosmwasm 2.2 migrate: hackatom -> hackatom_42 runs migrate(env, msg, info); hackatom_42 -> hackatom_42 (same cw_migrate_version) skips the call as wasmd does", async () => {
  const v1 = await instantiate(hackatomCode, { verifier: alice, beneficiary: bob }, { admin: alice })
  const code42 = await store("hackatom_42")
  const m = (codeId: bigint, verifier: string) => ({ typeUrl: `${U}MsgMigrateContract`, value: { sender: alice, contract: v1, codeId, msg: enc.encode(JSON.stringify({ verifier })) } })
  const first = ok(await tx(alice, [m(code42, bob)]))
  assert.is(attr(first, "migrate", "code_id"), code42.toString())
  assert.equal(await smart(v1, { verifier: {} }), { verifier: bob })
  const same = ok(await tx(alice, [m(code42, carol)]))
  assert.is(attr(same, "migrate", "code_id"), code42.toString())
  assert.equal(await smart(v1, { verifier: {} }), { verifier: bob }, "not updated: migrate was not called")
})

test("reflect_2_0 moves only its own funds: reflected bank send works; an `any` MsgSend from a victim, and a wasm execute releasing another contract's funds, are refused", async () => {
  const reflectCode = await store("reflect_2_0")
  const reflect = await instantiate(reflectCode, {}, { funds: [{ denom: "milk", amount: "50" }] })
  const bank = (to: string, amount: string) => ({ bank: { send: { to_address: to, amount: [{ denom: "milk", amount }] } } })
  const carolBefore = await balance(carol, "milk")
  ok(await execute(alice, reflect, { reflect_msg: { msgs: [bank(carol, "20")] } }))
  assert.is(await balance(carol, "milk"), carolBefore + 20n)
  assert.is((await execute(bob, reflect, { reflect_msg: { msgs: [bank(bob, "1")] } })).code, 5, "only the owner")
  const aliceBefore = await balance(alice, "milk")
  const steal = MsgSend.encode({ fromAddress: alice, toAddress: bob, amount: [{ denom: "milk", amount: "100" }] }).finish()
  const stolen = await execute(alice, reflect, { reflect_msg: { msgs: [{ any: { type_url: "/cosmos.bank.v1beta1.MsgSend", value: Buffer.from(steal).toString("base64") } }] } })
  assert.is(stolen.code, 4, stolen.log)
  assert.is(await balance(alice, "milk") , aliceBefore - 0n, "the victim keeps its funds (the fee is in boot)")
  // a second hackatom whose verifier is alice: the reflect contract is not the verifier, so release fails
  const victim = await instantiate(hackatomCode, { verifier: alice, beneficiary: bob }, { funds: [{ denom: "milk", amount: "30" }] })
  const viaContract = await execute(alice, reflect, { reflect_msg: { msgs: [{ wasm: { execute: { contract_addr: victim, msg: b64({ release: {} }), funds: [] } } }] } })
  assert.is(viaContract.code, 5)
  assert.is(await balance(victim, "milk"), 30n)
  // a submessage failing with reply_on error: rolled back, the reply is recorded, the tx succeeds
  const sub = { id: 42, msg: bank(bob, "1000000"), gas_limit: null, reply_on: "error" }
  ok(await execute(alice, reflect, { reflect_sub_msg: { msgs: [sub] } }))
  const reply = await smart(reflect, { sub_msg_result: { id: 42 } })
  assert.is(reply.id, 42)
  assert.equal(reply.result, { error: "codespace: sdk, code: 5" })
  assert.is(await balance(reflect, "milk"), 30n)
  // a failing submessage without reply rolls back the whole tx, including the send before it
  const all = await execute(alice, reflect, { reflect_sub_msg: { msgs: [{ id: 1, msg: bank(carol, "5"), gas_limit: null, reply_on: "never" }, { id: 2, msg: bank(bob, "1000000"), gas_limit: null, reply_on: "never" }] } })
  assert.is(all.code, 5)
  assert.is(all.codespace, "sdk")
  assert.is(await balance(reflect, "milk"), 30n)
  // its chain query through the bank (all_balances)
  const q = await smart(reflect, { chain: { request: { bank: { all_balances: { address: reflect } } } } })
  assert.equal(JSON.parse(Buffer.from(q.data, "base64").toString()).amount, [{ denom: "milk", amount: "30" }])
})

// wasmd x/wasm/keeper/keeper_test.go repliesTestScenarios
type R = { msg_id: number; set_data_in_exec_and_reply: boolean; return_order_in_reply: boolean; exec_error: boolean; reply_error: boolean; reply_on_never: boolean; messages: R[] }
const leaf = (id: number): R => ({ msg_id: id, set_data_in_exec_and_reply: true, return_order_in_reply: false, exec_error: false, reply_error: false, reply_on_never: false, messages: [] })
const template = (): R => ({ ...leaf(1), messages: [{ ...leaf(2), messages: [leaf(3)] }, { ...leaf(4), messages: [leaf(5)] }] })
const scenarios: Array<[string, (t: R) => void, number[]]> = [
  ["depth-first order of message handling", (t) => { t.return_order_in_reply = true }, [0xee, 0x1, 0xee, 0x2, 0xee, 0x3, 0xbb, 0x2, 0xbb, 0x1, 0xee, 0x4, 0xee, 0x5, 0xbb, 0x4, 0xbb, 0x1]],
  ["data set by the last submessage", () => {}, [0xa, 0x6, 0xa, 0x2, 0xee, 0x5, 0xbb, 0x4, 0xbb, 0x1]],
  ["data set by the last submessage that overrides it", (t) => { t.messages[1]!.reply_on_never = true }, [0xa, 0x6, 0xa, 0x2, 0xee, 0x3, 0xbb, 0x2, 0xbb, 0x1]],
  ["data forwarding", (t) => { t.messages[1]!.set_data_in_exec_and_reply = false }, [0xbb, 0x1]],
  ["error handling when execute fails", (t) => { t.messages[0]!.messages[0]!.exec_error = true; t.return_order_in_reply = true }, [0xee, 0x1, 0xee, 0x2, 0xbb, 0x2, 0xbb, 0x1, 0xee, 0x4, 0xee, 0x5, 0xbb, 0x4, 0xbb, 0x1]],
  ["error handling when reply fails", (t) => { t.messages[0]!.reply_error = true; t.return_order_in_reply = true }, [0xee, 0x1, 0xbb, 0x1, 0xee, 0x4, 0xee, 0x5, 0xbb, 0x4, 0xbb, 0x1]]
]

test("replier: execution order, data forwarding and rollback equal wasmd's TestMultipleReplies expectations", async () => {
  const code = await store("replier")
  const replier = await instantiate(code, {}, { funds: [{ denom: "milk", amount: "100" }] })
  for (const [name, change, expected] of scenarios) {
    const t = template()
    change(t)
    const r = await execute(bob, replier, t)
    assert.is(r.code, 0, `${name}: ${r.log}`)
    assert.equal([...MsgExecuteContractResponse.decode(responses(r)[0]!.value).data], expected, name)
  }
})

test("replier nested 20 deep succeeds; 60 deep without replies is refused with code 30 (max call depth), with replies each reply sees the error; the node keeps going", async () => {
  const code = await store("replier")
  const replier = await instantiate(code, {})
  const nest = (depth: number, never: boolean): R => ({ ...leaf(depth), set_data_in_exec_and_reply: false, reply_on_never: never, messages: depth > 1 ? [nest(depth - 1, never)] : [] })
  ok(await execute(bob, replier, nest(20, true)))
  const r = await execute(bob, replier, nest(60, true))
  assert.is(r.code, 30, r.log)
  // with replies, each level's reply receives the error of the level below (wasmd): the tx succeeds, 32 levels ran
  const replied = ok(await execute(bob, replier, nest(60, false)))
  assert.is(replied.events.filter((e) => e.type === "execute").length, 32)
  ok(await execute(bob, replier, nest(2, true)))
})

test("cw20_base: instantiate with balances, transfer, balance queries", async () => {
  const code = await store("cw20_base")
  const token = await instantiate(code, { name: "Cyber Token", symbol: "CYB", decimals: 6, initial_balances: [{ address: alice, amount: "1000" }], mint: null })
  ok(await execute(alice, token, { transfer: { recipient: bob, amount: "250" } }))
  assert.equal(await smart(token, { balance: { address: alice } }), { balance: "750" })
  assert.equal(await smart(token, { balance: { address: bob } }), { balance: "250" })
  const over = await execute(bob, token, { transfer: { recipient: carol, amount: "251" } })
  assert.is(over.code, 5)
  assert.equal(await smart(token, { token_info: {} }), { name: "Cyber Token", symbol: "CYB", decimals: 6, total_supply: "1000" })
})

// last: the simulated tx is signed with the next sequence, which no block consumes
test("simulating an endless loop (CosmJS's \"auto\" fee) ends out of gas at the simulation cap", async () => {
  const looper = await instantiate(hackatomCode, { verifier: alice, beneficiary: bob })
  const bytes = await sign(alice, [{ typeUrl: `${U}MsgExecuteContract`, value: { sender: alice, contract: looper, msg: enc.encode('{"cpu_loop":{}}'), funds: [] } }], 0)
  const r = await chain.query("/cosmos.tx.v1beta1.Service/Simulate", SimulateRequest.encode({ txBytes: bytes }).finish())
  assert.is(r.code, 11, r.log)
  assert.match(r.log, "out of gas")
})

test.run()
