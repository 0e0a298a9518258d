/**
 * CosmWasm end to end (issue 13 acceptance): the published hackatom build (test/fixtures/cosmwasm)
 * on a node started by the CLI with the CyberWasm machine enabled at `init`, driven by CosmJS's
 * SigningCosmWasmClient as a wasmd user drives it. Expected values are wasmd's: event types and
 * attribute order (x/wasm/keeper/keeper.go, events.go), error codes and texts (x/wasm/types/errors.go,
 * cosmwasm-vm compatibility.rs), contract addresses (BuildContractAddressClassic / Predictable),
 * and hackatom's own answers (CosmWasm/cosmwasm contracts/hackatom v1.4.0 src/contract.rs).
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { instantiate2Address } from "@cosmjs/cosmwasm-stargate"
import { fromHex, toUtf8 } from "@cosmjs/encoding"
import { calculateFee, GasPrice, type DeliverTxResponse } from "@cosmjs/stargate"
import { MsgExecuteContractResponse, MsgInstantiateContractResponse } from "cosmjs-types/cosmwasm/wasm/v1/tx"
import { checksumOf, classicAddress, codespaceOf, eventsOf, fixture, requiredCapabilities, startWasmNode, waitHeight, type WasmNode } from "./e2e-support.ts"

const hackatom = fixture("hackatom")
const checksum = checksumOf(hackatom)
const fee = (gas: number) => calculateFee(gas, GasPrice.fromString("0.01boot"))
const DEPOSIT = [{ denom: "boot", amount: "123456" }]

let n: WasmNode
let contract = ""

const execMsg = (sender: string, contract: string, msg: unknown, funds: Array<{ denom: string; amount: string }> = []) => ({
  typeUrl: "/cosmwasm.wasm.v1.MsgExecuteContract",
  value: { sender, contract, msg: toUtf8(JSON.stringify(msg)), funds }
})
const storeMsg = (sender: string, wasmByteCode: Uint8Array) => ({ typeUrl: "/cosmwasm.wasm.v1.MsgStoreCode", value: { sender, wasmByteCode } })
const failed = async (r: DeliverTxResponse, code: number, codespace: string, log: RegExp | string) => {
  assert.is(r.code, code, `code ${r.code}: ${r.rawLog}`)
  assert.is(await codespaceOf(n, r.transactionHash), codespace, r.rawLog)
  if (typeof log === "string") assert.ok((r.rawLog ?? "").includes(log), `raw log ${JSON.stringify(r.rawLog)} should contain ${JSON.stringify(log)}`)
  else assert.match(r.rawLog ?? "", log)
}

test.before(async () => {
  n = await startWasmNode()
  // fred verifies hackatom's release and needs fees; bob only receives
  const sent = await n.client.sendTokens(n.alice, n.fred, [{ denom: "boot", amount: "50000000" }], "auto")
  assert.is(sent.code, 0, sent.rawLog)
})

test.after(async () => {
  await n?.stop()
})

test("upload: CosmJS gzips the code; a plain MsgStoreCode stores the same checksum; store_code events as wasmd", async () => {
  const up = await n.client.upload(n.alice, hackatom, "auto")
  assert.is(up.codeId, 1)
  assert.is(up.checksum, checksum)
  // wasmd keeper.create: checksum, code_id, then one required_capability per capability ("" when none)
  assert.equal(eventsOf(up.events, "store_code"), [[["code_checksum", checksum], ["code_id", "1"], ["required_capability", ""]]])
  assert.equal(up.logs, [], "CosmJS parses the raw log of an SDK 0.50 chain (empty) into no logs")

  const plain = await n.client.signAndBroadcast(n.alice, [storeMsg(n.alice, hackatom)], "auto")
  assert.is(plain.code, 0, plain.rawLog)
  assert.equal(eventsOf(plain.events, "store_code"), [[["code_checksum", checksum], ["code_id", "2"], ["required_capability", ""]]])

  const details = await n.client.getCodeDetails(1)
  assert.is(details.id, 1)
  assert.is(details.creator, n.alice)
  assert.is(details.checksum, checksum)
  assert.equal(Buffer.from(details.data).equals(Buffer.from(hackatom)), true, "the Code query returns the original (unzipped) Wasm")
  const codes = await n.client.getCodes()
  assert.equal(codes.map((c) => [c.id, c.creator, c.checksum]), [[1, n.alice, checksum], [2, n.alice, checksum]])
})

test("instantiate with funds and an admin: wasmd's classic address, events, balances, contract info and history", async () => {
  const msg = { verifier: n.fred, beneficiary: n.bob }
  const before = BigInt((await n.client.getBalance(n.alice, "boot")).amount)
  const r = await n.client.instantiate(n.alice, 1, msg, "hackatom", "auto", { funds: DEPOSIT, admin: n.alice })
  contract = r.contractAddress
  assert.is(contract, classicAddress(1n, 1n), "code 1, instance 1 (wasmd BuildContractAddressClassic)")
  assert.equal(eventsOf(r.events, "instantiate"), [[["_contract_address", contract], ["code_id", "1"]]])
  assert.equal(eventsOf(r.events, "wasm"), [[["_contract_address", contract], ["Let the", "hacking begin"]]])
  const transfers = eventsOf(r.events, "transfer").map((a) => Object.fromEntries(a))
  assert.ok(transfers.some((t) => t.recipient === contract && t.sender === n.alice && t.amount === "123456boot"), `the funds' transfer event: ${JSON.stringify(transfers)}`)

  assert.equal(await n.client.getBalance(contract, "boot"), { denom: "boot", amount: "123456" })
  const after = BigInt((await n.client.getBalance(n.alice, "boot")).amount)
  assert.ok(before - after >= 123456n, "the deposit left the sender")

  const info = await n.client.getContract(contract)
  assert.equal({ ...info }, { address: contract, codeId: 1, creator: n.alice, admin: n.alice, label: "hackatom", ibcPortId: undefined })
  assert.equal(await n.client.getContracts(1), [contract])
  assert.equal(await n.client.getContracts(2), [])
  assert.equal(await n.client.queryContractSmart(contract, { verifier: {} }), { verifier: n.fred })
  const raw = await n.client.queryContractRaw(contract, toUtf8("config"))
  assert.ok(raw, "state under the contract's key \"config\"")
  assert.equal(JSON.parse(Buffer.from(raw!).toString("utf8")), { verifier: n.fred, beneficiary: n.bob, funder: n.alice })
  assert.is(await n.client.queryContractRaw(contract, toUtf8("no such key")), null)
  const history = await n.client.getContractCodeHistory(contract)
  assert.equal(history.map((h) => ({ ...h })), [{ operation: "Init", codeId: 1, msg }])
})

test("execute: only the verifier releases; release sends the contract's funds to the beneficiary, returns data F00BAA", async () => {
  // alice is not the verifier: HackError::Unauthorized, wrapped as wasmd's ErrExecuteFailed (wasm 5)
  const refused = await n.client.signAndBroadcast(n.alice, [execMsg(n.alice, contract, { release: {} })], fee(2_000_000))
  await failed(refused, 5, "wasm", "Unauthorized: execute wasm contract failed")
  assert.equal(await n.client.getBalance(contract, "boot"), { denom: "boot", amount: "123456" }, "nothing moved")

  assert.equal(await n.client.getBalance(n.bob, "boot"), { denom: "boot", amount: "0" })
  const r = await n.client.signAndBroadcast(n.fred, [execMsg(n.fred, contract, { release: {} })], "auto")
  assert.is(r.code, 0, r.rawLog)
  assert.is(Buffer.from(MsgExecuteContractResponse.decode(r.msgResponses[0]!.value).data).toString("hex"), "f00baa")
  assert.equal(eventsOf(r.events, "execute"), [[["_contract_address", contract]]])
  assert.equal(eventsOf(r.events, "wasm"), [[["_contract_address", contract], ["action", "release"], ["destination", n.bob]]])
  assert.equal(eventsOf(r.events, "wasm-hackatom"), [[["_contract_address", contract], ["action", "release"]]])
  const transfers = eventsOf(r.events, "transfer").map((a) => Object.fromEntries(a))
  assert.ok(transfers.some((t) => t.recipient === n.bob && t.sender === contract && t.amount === "123456boot"), `the release's transfer event: ${JSON.stringify(transfers)}`)
  assert.equal(await n.client.getBalance(n.bob, "boot"), { denom: "boot", amount: "123456" })
  assert.equal(await n.client.getBalance(contract, "boot"), { denom: "boot", amount: "0" })

  // CosmJS's execute path (simulate, sign, broadcast) with funds: the contract holds them again
  const again = await n.client.execute(n.fred, contract, { release: {} }, "auto", "", [{ denom: "boot", amount: "7" }])
  assert.equal(eventsOf(again.events, "wasm-hackatom"), [[["_contract_address", contract], ["action", "release"]]])
  assert.equal(await n.client.getBalance(n.bob, "boot"), { denom: "boot", amount: "123463" }, "the 7 sent with the call went on to the beneficiary")
})

test("migrate (admin only) changes the verifier; the admin is updated, then cleared and nobody can migrate", async () => {
  const byFred = await n.client.signAndBroadcast(n.fred, [{
    typeUrl: "/cosmwasm.wasm.v1.MsgMigrateContract",
    value: { sender: n.fred, contract, codeId: 2n, msg: toUtf8(JSON.stringify({ verifier: n.fred })) }
  }], fee(2_000_000))
  await failed(byFred, 4, "sdk", "can not migrate: unauthorized")

  const m = await n.client.migrate(n.alice, contract, 2, { verifier: n.bob }, "auto")
  assert.equal(eventsOf(m.events, "migrate"), [[["code_id", "2"], ["_contract_address", contract]]])
  assert.equal(eventsOf(m.events, "wasm"), [], "hackatom's migrate returns no attributes, so no wasm event")
  assert.equal(await n.client.queryContractSmart(contract, { verifier: {} }), { verifier: n.bob })
  assert.is((await n.client.getContract(contract)).codeId, 2)
  const history = await n.client.getContractCodeHistory(contract)
  assert.equal(history.map((h) => [h.operation, h.codeId, h.msg]), [["Init", 1, { verifier: n.fred, beneficiary: n.bob }], ["Migrate", 2, { verifier: n.bob }]])

  const up = await n.client.updateAdmin(n.alice, contract, n.fred, "auto")
  assert.equal(eventsOf(up.events, "update_contract_admin"), [[["_contract_address", contract], ["new_admin_address", n.fred]]])
  assert.is((await n.client.getContract(contract)).admin, n.fred)
  const byAlice = await n.client.signAndBroadcast(n.alice, [{ typeUrl: "/cosmwasm.wasm.v1.MsgClearAdmin", value: { sender: n.alice, contract } }], fee(500_000))
  await failed(byAlice, 4, "sdk", "can not modify contract: unauthorized")

  const cleared = await n.client.clearAdmin(n.fred, contract, "auto")
  assert.equal(eventsOf(cleared.events, "update_contract_admin"), [[["_contract_address", contract], ["new_admin_address", ""]]])
  assert.is((await n.client.getContract(contract)).admin, undefined)
  const afterClear = await n.client.signAndBroadcast(n.fred, [{
    typeUrl: "/cosmwasm.wasm.v1.MsgMigrateContract",
    value: { sender: n.fred, contract, codeId: 1n, msg: toUtf8(JSON.stringify({ verifier: n.fred })) }
  }], fee(2_000_000))
  await failed(afterClear, 4, "sdk", "can not migrate: unauthorized")
  assert.equal(await n.client.queryContractSmart(contract, { verifier: {} }), { verifier: n.bob }, "unchanged")
})

test("instantiate2: the address is CosmJS's instantiate2Address; the same salt twice is refused as wasmd does", async () => {
  const salt = toUtf8("cyberkernel salt")
  const expected = instantiate2Address(fromHex(checksum), n.alice, salt, "cyber")
  const msg = { verifier: n.alice, beneficiary: n.bob }
  const r = await n.client.instantiate2(n.alice, 1, salt, msg, "predictable", "auto")
  assert.is(r.contractAddress, expected)
  assert.equal(eventsOf(r.events, "instantiate"), [[["_contract_address", expected], ["code_id", "1"]]])
  const info = await n.client.getContract(expected)
  assert.is(info.admin, undefined, "no admin given")
  assert.is(info.label, "predictable")
  assert.equal(await n.client.getContracts(1), [classicAddress(1n, 1n), expected], "ContractsByCode lists both instances of code 1, in creation order")
  const twice = await n.client.signAndBroadcast(n.alice, [{
    typeUrl: "/cosmwasm.wasm.v1.MsgInstantiateContract2",
    value: { sender: n.alice, admin: "", codeId: 1n, label: "again", msg: toUtf8(JSON.stringify(msg)), funds: [], salt, fixMsg: false }
  }], fee(2_000_000))
  await failed(twice, 15, "wasm", "contract address already exists, try a different combination of creator, checksum and salt: duplicate")
  // a classic instantiate after it takes instance number 2: instance ids are global and only the
  // classic generator draws one (wasmd ClassicAddressGenerator)
  const third = await n.client.signAndBroadcast(n.alice, [{
    typeUrl: "/cosmwasm.wasm.v1.MsgInstantiateContract",
    value: { sender: n.alice, admin: "", codeId: 2n, label: "third", msg: toUtf8(JSON.stringify(msg)), funds: [] }
  }], "auto")
  assert.is(third.code, 0, third.rawLog)
  assert.is(MsgInstantiateContractResponse.decode(third.msgResponses[0]!.value).address, classicAddress(2n, 2n))
})

test("cpu_loop ends out of gas at its limit (code 11); the node keeps producing blocks and serving the contract", async () => {
  const limit = 3_000_000
  const h0 = await n.client.getHeight()
  const r = await n.client.signAndBroadcast(n.fred, [execMsg(n.fred, contract, { cpu_loop: {} })], fee(limit))
  await failed(r, 11, "sdk", /out of gas/)
  assert.is(r.gasWanted, BigInt(limit))
  assert.ok(r.gasUsed >= BigInt(limit), `gas used ${r.gasUsed} reaches the limit ${limit}`)
  await waitHeight(n, Math.max(h0, r.height) + 2)
  assert.equal(await n.client.queryContractSmart(contract, { verifier: {} }), { verifier: n.bob })
  const ok = await n.client.sendTokens(n.fred, n.bob, [{ denom: "boot", amount: "1" }], "auto")
  assert.is(ok.code, 0, ok.rawLog)
})

test("uploads refused with wasmd's errors: a corrupted module, a module without the interface marker; nothing stored", async () => {
  const codesBefore = (await n.client.getCodes()).length
  const truncated = hackatom.slice(0, Math.floor(hackatom.length / 2))
  const r1 = await n.client.signAndBroadcast(n.alice, [storeMsg(n.alice, truncated)], fee(20_000_000))
  await failed(r1, 2, "wasm", /Error calling the VM: .+: create wasm contract failed/)
  // a valid module with one memory and no exports: cosmwasm-vm check_interface_version
  const noMarker = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01])
  const r2 = await n.client.signAndBroadcast(n.alice, [storeMsg(n.alice, noMarker)], fee(2_000_000))
  await failed(r2, 2, "wasm", "Error calling the VM: Error during static Wasm validation: Wasm contract missing a required marker export: interface_version_*: create wasm contract failed")
  // a gzip whose content is not Wasm
  const { gzipSync } = await import("fflate")
  const r3 = await n.client.signAndBroadcast(n.alice, [storeMsg(n.alice, gzipSync(toUtf8("not a wasm module")))], fee(2_000_000))
  assert.is(r3.code, 2, r3.rawLog)
  assert.is((await n.client.getCodes()).length, codesBefore)
})

test("hackatom_42 (cosmwasm 2.2 capabilities): refused at upload with wasmd's text naming what the chain lacks, or runs when all are offered", async () => {
  const wasm = fixture("hackatom_42")
  const required = requiredCapabilities(wasm)
  assert.ok(required.includes("cosmwasm_2_2"), `requires ${required}`)
  const r = await n.client.signAndBroadcast(n.alice, [storeMsg(n.alice, wasm)], fee(30_000_000))
  if (r.code === 0) {
    // every capability is offered: then the contract must also work
    const id = Number(eventsOf(r.events, "store_code")[0]!.find(([k]) => k === "code_id")![1])
    assert.equal(eventsOf(r.events, "store_code")[0]!.filter(([k]) => k === "required_capability").map(([, v]) => v), required)
    const inst = await n.client.instantiate(n.alice, id, { verifier: n.fred, beneficiary: n.bob }, "h42", "auto", { admin: n.alice })
    assert.equal(await n.client.queryContractSmart(inst.contractAddress, { verifier: {} }), { verifier: n.fred })
    console.log(`hackatom_42 accepted: the chain offers ${required.join(", ")}`)
    return
  }
  const m = /Error calling the VM: Error during static Wasm validation: Wasm contract requires unavailable capabilities: \{(.*)\}: create wasm contract failed/.exec(r.rawLog ?? "")
  assert.ok(m, `wasmd's text: ${r.rawLog}`)
  assert.is(r.code, 2)
  const missing = [...m![1]!.matchAll(/"([^"]+)"/g)].map((x) => x[1]!)
  assert.ok(missing.length > 0)
  assert.equal([...missing].sort(), missing, "sorted, as cosmwasm-vm's BTreeSet prints them")
  for (const c of missing) assert.ok(required.includes(c), `${c} is one hackatom_42 requires`)
  console.log(`hackatom_42 refused; missing capabilities: ${missing.join(", ")}`)
})

test.run()
