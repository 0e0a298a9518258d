/**
 * A cw20 token end to end (issue 13 acceptance): the published cw20_base build (cw-plus
 * cw20-base 0.10.0-soon4, test/fixtures/cosmwasm) on a node started by the CLI with CyberWasm
 * enabled, through SigningCosmWasmClient: upload (requires the `iterator` capability), instantiate
 * with initial balances, transfers (events as the contract and wasmd emit them), a refused
 * overdraw and zero transfer, and the balance / token_info / all_accounts queries.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { toUtf8 } from "@cosmjs/encoding"
import { calculateFee, GasPrice } from "@cosmjs/stargate"
import { at, checksumOf, classicAddress, eventsOf, fixture, refused, startWasmNode, type WasmNode } from "./e2e-support.ts"

const cw20 = fixture("cw20_base")
const fee = (gas: number) => calculateFee(gas, GasPrice.fromString("0.01boot"))

let n: WasmNode
let token = ""
const balance = async (address: string) => ((await n.client.queryContractSmart(token, { balance: { address } })) as { balance: string }).balance

test.before(async () => {
  n = await startWasmNode()
  const sent = await n.client.sendTokens(n.alice, n.fred, [{ denom: "boot", amount: "50000000" }], "auto")
  assert.is(sent.code, 0, sent.rawLog)
})

test.after(async () => {
  await n?.stop()
})

test("upload cw20_base: the iterator capability is reported; instantiate with initial balances", async () => {
  const up = await n.client.upload(n.alice, cw20, "auto")
  assert.is(up.checksum, checksumOf(cw20))
  assert.equal(eventsOf(up.events, "store_code"), [at([["code_checksum", up.checksum], ["code_id", String(up.codeId)], ["required_capability", "iterator"]])])
  const init = {
    name: "Cyber Token",
    symbol: "CYB",
    decimals: 6,
    initial_balances: [{ address: n.alice, amount: "1000000" }, { address: n.fred, amount: "500" }],
    mint: { minter: n.alice, cap: "2000000" }
  }
  const r = await n.client.instantiate(n.alice, up.codeId, init, "cw20", "auto", { admin: n.alice })
  token = r.contractAddress
  assert.is(token, classicAddress(BigInt(up.codeId), 1n))
  assert.equal(eventsOf(r.events, "instantiate"), [at([["_contract_address", token], ["code_id", String(up.codeId)]])])
  assert.equal(eventsOf(r.events, "wasm"), [], "cw20-base's instantiate returns no attributes")
  assert.equal(await n.client.queryContractSmart(token, { token_info: {} }), { name: "Cyber Token", symbol: "CYB", decimals: 6, total_supply: "1000500" })
  assert.equal(await n.client.queryContractSmart(token, { minter: {} }), { minter: n.alice, cap: "2000000" })
  assert.is(await balance(n.alice), "1000000")
  assert.is(await balance(n.fred), "500")
  assert.is(await balance(n.bob), "0")
})

test("transfer: balances move, the wasm event carries the contract's attributes in order", async () => {
  const r = await n.client.execute(n.alice, token, { transfer: { recipient: n.bob, amount: "1234" } }, "auto")
  assert.equal(eventsOf(r.events, "execute"), [at([["_contract_address", token]])])
  assert.equal(eventsOf(r.events, "wasm"), [at([["_contract_address", token], ["action", "transfer"], ["from", n.alice], ["to", n.bob], ["amount", "1234"]])])
  assert.is(await balance(n.alice), String(1000000 - 1234))
  assert.is(await balance(n.bob), "1234")
  // several transfers in one transaction, executed in order
  const msgs = [n.bob, n.fred, n.bob].map((recipient, i) => ({
    typeUrl: "/cosmwasm.wasm.v1.MsgExecuteContract",
    value: { sender: n.alice, contract: token, msg: toUtf8(JSON.stringify({ transfer: { recipient, amount: String(10 + i) } })), funds: [] }
  }))
  const many = await n.client.signAndBroadcast(n.alice, msgs, "auto")
  assert.is(many.code, 0, many.rawLog)
  assert.equal(eventsOf(many.events, "wasm").map((e) => e.at(-1)), [["msg_index", "0"], ["msg_index", "1"], ["msg_index", "2"]], "one wasm event per message, in order")
  assert.is(await balance(n.bob), String(1234 + 10 + 12))
  assert.is(await balance(n.fred), String(500 + 11))
  assert.equal(await n.client.queryContractSmart(token, { token_info: {} }), { name: "Cyber Token", symbol: "CYB", decimals: 6, total_supply: "1000500" }, "transfers keep the supply")
  const all = (await n.client.queryContractSmart(token, { all_accounts: {} })) as { accounts: string[] }
  assert.equal(all.accounts, [n.alice, n.bob, n.fred].sort(), "all_accounts iterates the balances in key order (db_scan / db_next)")
})

test("an overdraw and a zero transfer are refused with the contract's error; nothing moves; a failed message fails its whole tx", async () => {
  const transfer = (sender: string, amount: string) => ({
    typeUrl: "/cosmwasm.wasm.v1.MsgExecuteContract",
    value: { sender, contract: token, msg: toUtf8(JSON.stringify({ transfer: { recipient: n.bob, amount } })), funds: [] }
  })
  await refused(n.client.signAndBroadcast(n.fred, [transfer(n.fred, "100000")], fee(2_000_000)), 5, "wasm", /Cannot Sub with 511 and 100000: execute wasm contract failed$/)
  await refused(n.client.signAndBroadcast(n.fred, [transfer(n.fred, "0")], fee(2_000_000)), 5, "wasm", /Invalid zero amount: execute wasm contract failed$/)
  // first message fine, second overdraws: the tx fails and the first transfer is undone
  await refused(n.client.signAndBroadcast(n.fred, [transfer(n.fred, "100"), transfer(n.fred, "100000")], fee(4_000_000)), 5, "wasm", /message index: 1: .*Cannot Sub with 411 and 100000|Cannot Sub with 411 and 100000/)
  assert.is(await balance(n.fred), "511")
  assert.is(await balance(n.bob), "1256")
})

test("mint by the minter only, up to the cap", async () => {
  const m = await n.client.execute(n.alice, token, { mint: { recipient: n.bob, amount: "44" } }, "auto")
  assert.equal(eventsOf(m.events, "wasm"), [at([["_contract_address", token], ["action", "mint"], ["to", n.bob], ["amount", "44"]])])
  assert.is(await balance(n.bob), "1300")
  const mint = (sender: string, recipient: string, amount: string) => ({
    typeUrl: "/cosmwasm.wasm.v1.MsgExecuteContract",
    value: { sender, contract: token, msg: toUtf8(JSON.stringify({ mint: { recipient, amount } })), funds: [] }
  })
  await refused(n.client.signAndBroadcast(n.fred, [mint(n.fred, n.fred, "1")], fee(2_000_000)), 5, "wasm", /Unauthorized: execute wasm contract failed$/)
  await refused(n.client.signAndBroadcast(n.alice, [mint(n.alice, n.fred, "1000000")], fee(2_000_000)), 5, "wasm", /Minting cannot exceed the cap: execute wasm contract failed$/)
  assert.equal(((await n.client.queryContractSmart(token, { token_info: {} })) as { total_supply: string }).total_supply, "1000544")
})

test.run()
