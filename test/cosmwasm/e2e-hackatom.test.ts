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
import { fromHex, toUtf8 } from "@cosmjs/encoding"
import { calculateFee, GasPrice } from "@cosmjs/stargate"
import { MsgExecuteContractResponse, MsgInstantiateContractResponse } from "cosmjs-types/cosmwasm/wasm/v1/tx"
import { ALL_CAPABILITIES } from "../../modules/cyberwasm/cosmwasm/vm/Analyze.ts"
import { at, checksumOf, classicAddress, instantiate2Address, eventsOf, refused, fixture, requiredCapabilities, startWasmNode, waitHeight, type WasmNode } from "./e2e-support.ts"

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
  assert.equal(eventsOf(up.events, "store_code"), [at([["code_checksum", checksum], ["code_id", "1"], ["required_capability", ""]])])
  assert.equal(up.logs, [], "CosmJS parses the raw log of an SDK 0.50 chain (empty) into no logs")

  const plain = await n.client.signAndBroadcast(n.alice, [storeMsg(n.alice, hackatom)], "auto")
  assert.is(plain.code, 0, plain.rawLog)
  assert.equal(eventsOf(plain.events, "store_code"), [at([["code_checksum", checksum], ["code_id", "2"], ["required_capability", ""]])])

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
  assert.equal(eventsOf(r.events, "instantiate"), [at([["_contract_address", contract], ["code_id", "1"]])])
  assert.equal(eventsOf(r.events, "wasm"), [at([["_contract_address", contract], ["Let the", "hacking begin"]])])
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
  assert.is((await n.client.queryContractRaw(contract, toUtf8("no such key")))?.length ?? 0, 0, "no value (wasmd answers empty data)")
  const history = await n.client.getContractCodeHistory(contract)
  assert.equal(history.map((h) => ({ ...h })), [{ operation: "Init", codeId: 1, msg }])
})

test("execute: only the verifier releases; release sends the contract's funds to the beneficiary, returns data F00BAA", async () => {
  // alice is not the verifier: HackError::Unauthorized, wrapped as wasmd's ErrExecuteFailed (wasm 5)
  await refused(n.client.signAndBroadcast(n.alice, [execMsg(n.alice, contract, { release: {} })], fee(2_000_000)), 5, "wasm", "Unauthorized: execute wasm contract failed")
  assert.equal(await n.client.getBalance(contract, "boot"), { denom: "boot", amount: "123456" }, "nothing moved")

  assert.equal(await n.client.getBalance(n.bob, "boot"), { denom: "boot", amount: "0" })
  const r = await n.client.signAndBroadcast(n.fred, [execMsg(n.fred, contract, { release: {} })], "auto")
  assert.is(r.code, 0, r.rawLog)
  assert.is(Buffer.from(MsgExecuteContractResponse.decode(r.msgResponses[0]!.value).data).toString("hex"), "f00baa")
  assert.equal(eventsOf(r.events, "execute"), [at([["_contract_address", contract]])])
  assert.equal(eventsOf(r.events, "wasm"), [at([["_contract_address", contract], ["action", "release"], ["destination", n.bob]])])
  assert.equal(eventsOf(r.events, "wasm-hackatom"), [at([["_contract_address", contract], ["action", "release"]])])
  const transfers = eventsOf(r.events, "transfer").map((a) => Object.fromEntries(a))
  assert.ok(transfers.some((t) => t.recipient === n.bob && t.sender === contract && t.amount === "123456boot"), `the release's transfer event: ${JSON.stringify(transfers)}`)
  assert.equal(await n.client.getBalance(n.bob, "boot"), { denom: "boot", amount: "123456" })
  assert.equal(await n.client.getBalance(contract, "boot"), { denom: "boot", amount: "0" })

  // CosmJS's execute path (simulate, sign, broadcast) with funds: the contract holds them again
  const again = await n.client.execute(n.fred, contract, { release: {} }, "auto", "", [{ denom: "boot", amount: "7" }])
  assert.equal(eventsOf(again.events, "wasm-hackatom"), [at([["_contract_address", contract], ["action", "release"]])])
  assert.equal(await n.client.getBalance(n.bob, "boot"), { denom: "boot", amount: "123463" }, "the 7 sent with the call went on to the beneficiary")

  // nothing left to release: a BankMsg::Send without coins is no message at all (wasmd EncodeBankMsg)
  assert.equal(await n.client.getBalance(contract, "boot"), { denom: "boot", amount: "0" })
  const empty = await n.client.execute(n.fred, contract, { release: {} }, "auto")
  assert.equal(eventsOf(empty.events, "wasm-hackatom"), [at([["_contract_address", contract], ["action", "release"]])])
  assert.equal(eventsOf(empty.events, "transfer").map((a) => Object.fromEntries(a)).filter((t) => t.sender === contract), [])
})

test("migrate (admin only) changes the verifier; the admin is updated, then cleared and nobody can migrate", async () => {
  await refused(n.client.signAndBroadcast(n.fred, [{
    typeUrl: "/cosmwasm.wasm.v1.MsgMigrateContract",
    value: { sender: n.fred, contract, codeId: 2n, msg: toUtf8(JSON.stringify({ verifier: n.fred })) }
  }], fee(2_000_000)), 4, "sdk", "can not migrate: unauthorized")

  const m = await n.client.migrate(n.alice, contract, 2, { verifier: n.bob }, "auto")
  assert.equal(eventsOf(m.events, "migrate"), [at([["code_id", "2"], ["_contract_address", contract]])])
  assert.equal(eventsOf(m.events, "wasm"), [], "hackatom's migrate returns no attributes, so no wasm event")
  assert.equal(await n.client.queryContractSmart(contract, { verifier: {} }), { verifier: n.bob })
  assert.is((await n.client.getContract(contract)).codeId, 2)
  const history = await n.client.getContractCodeHistory(contract)
  assert.equal(history.map((h) => [h.operation, h.codeId, h.msg]), [["Init", 1, { verifier: n.fred, beneficiary: n.bob }], ["Migrate", 2, { verifier: n.bob }]])

  const up = await n.client.updateAdmin(n.alice, contract, n.fred, "auto")
  assert.equal(eventsOf(up.events, "update_contract_admin"), [at([["_contract_address", contract], ["new_admin_address", n.fred]])])
  assert.is((await n.client.getContract(contract)).admin, n.fred)
  await refused(n.client.signAndBroadcast(n.alice, [{ typeUrl: "/cosmwasm.wasm.v1.MsgClearAdmin", value: { sender: n.alice, contract } }], fee(500_000)), 4, "sdk", "can not modify contract: unauthorized")

  const cleared = await n.client.clearAdmin(n.fred, contract, "auto")
  assert.equal(eventsOf(cleared.events, "update_contract_admin"), [at([["_contract_address", contract], ["new_admin_address", ""]])])
  assert.is((await n.client.getContract(contract)).admin, undefined)
  await refused(n.client.signAndBroadcast(n.fred, [{
    typeUrl: "/cosmwasm.wasm.v1.MsgMigrateContract",
    value: { sender: n.fred, contract, codeId: 1n, msg: toUtf8(JSON.stringify({ verifier: n.fred })) }
  }], fee(2_000_000)), 4, "sdk", "can not migrate: unauthorized")
  assert.equal(await n.client.queryContractSmart(contract, { verifier: {} }), { verifier: n.bob }, "unchanged")
})

test("instantiate2: the address is CosmJS's instantiate2Address; the same salt twice is refused as wasmd does", async () => {
  const salt = toUtf8("cyberkernel salt")
  const expected = instantiate2Address(fromHex(checksum), n.alice, salt, "cyber")
  const msg = { verifier: n.alice, beneficiary: n.bob }
  const r = await n.client.instantiate2(n.alice, 1, salt, msg, "predictable", "auto")
  assert.is(r.contractAddress, expected)
  assert.equal(eventsOf(r.events, "instantiate"), [at([["_contract_address", expected], ["code_id", "1"]])])
  const info = await n.client.getContract(expected)
  assert.is(info.admin, undefined, "no admin given")
  assert.is(info.label, "predictable")
  // the first contract migrated to code 2: wasmd moves it to code 2's secondary index
  assert.equal(await n.client.getContracts(1), [expected])
  assert.equal(await n.client.getContracts(2), [classicAddress(1n, 1n)])
  await refused(n.client.signAndBroadcast(n.alice, [{
    typeUrl: "/cosmwasm.wasm.v1.MsgInstantiateContract2",
    value: { sender: n.alice, admin: "", codeId: 1n, label: "again", msg: toUtf8(JSON.stringify(msg)), funds: [], salt, fixMsg: false }
  }], fee(2_000_000)), 15, "wasm", "contract address already exists, try a different combination of creator, checksum and salt: duplicate")
  // a classic instantiate after it takes instance number 2: instance ids are global and only the
  // classic generator draws one (wasmd ClassicAddressGenerator)
  const third = await n.client.signAndBroadcast(n.alice, [{
    typeUrl: "/cosmwasm.wasm.v1.MsgInstantiateContract",
    value: { sender: n.alice, admin: "", codeId: 2n, label: "third", msg: toUtf8(JSON.stringify(msg)), funds: [] }
  }], "auto")
  assert.is(third.code, 0, third.rawLog)
  assert.is(MsgInstantiateContractResponse.decode(third.msgResponses[0]!.value).address, classicAddress(2n, 2n))
  assert.equal(await n.client.getContracts(2), [classicAddress(1n, 1n), classicAddress(2n, 2n)], "in the order they joined code 2")
})

test("cpu_loop ends out of gas at its limit (code 11): CheckTx admits it at its 1M gas cap, the block runs it and takes the fee; the node keeps producing blocks and serving the contract", async () => {
  const limit = 3_000_000
  const h0 = await n.client.getHeight()
  const before = BigInt((await n.client.getBalance(n.fred, "boot")).amount)
  const res = await n.client.signAndBroadcast(n.fred, [execMsg(n.fred, contract, { cpu_loop: {} })], fee(limit))
  assert.is(res.code, 11, res.rawLog)
  assert.match(res.rawLog ?? "", /out of gas/)
  assert.ok(res.gasUsed >= BigInt(limit), `gas used ${res.gasUsed}`)
  const after = BigInt((await n.client.getBalance(n.fred, "boot")).amount)
  assert.is(before - after, BigInt(fee(limit).amount[0]!.amount), "the fee for the whole limit was paid")
  // the same loop with a limit under the cap is refused at admission and costs nothing
  await refused(n.client.signAndBroadcast(n.fred, [execMsg(n.fred, contract, { cpu_loop: {} })], fee(600_000)), 11, "sdk", /out of gas/)
  assert.is(BigInt((await n.client.getBalance(n.fred, "boot")).amount), after)
  await waitHeight(n, h0 + 2)
  assert.equal(await n.client.queryContractSmart(contract, { verifier: {} }), { verifier: n.bob })
  const ok = await n.client.sendTokens(n.fred, n.bob, [{ denom: "boot", amount: "1" }], "auto")
  assert.is(ok.code, 0, ok.rawLog)
})

test("uploads refused with wasmd's errors: a corrupted module, a module without the interface marker; nothing stored", async () => {
  const codesBefore = (await n.client.getCodes()).length
  const truncated = hackatom.slice(0, Math.floor(hackatom.length / 2))
  await refused(n.client.signAndBroadcast(n.alice, [storeMsg(n.alice, truncated)], fee(20_000_000)), 2, "wasm",
    /^Error calling the VM: Error during static Wasm validation: Wasm bytecode could not be deserialized\. .+: create wasm contract failed$/)
  // a valid module with one memory and no exports: cosmwasm-vm check_interface_version
  const noMarker = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01])
  await refused(n.client.signAndBroadcast(n.alice, [storeMsg(n.alice, noMarker)], fee(2_000_000)), 2, "wasm",
    "Error calling the VM: Error during static Wasm validation: Wasm contract missing a required marker export: interface_version_*: create wasm contract failed")
  // a gzip whose content is not Wasm
  const { gzipSync } = await import("fflate")
  await refused(n.client.signAndBroadcast(n.alice, [storeMsg(n.alice, gzipSync(toUtf8("not a wasm module")))], fee(2_000_000)), 2, "wasm", /create wasm contract failed$/)
  assert.is((await n.client.getCodes()).length, codesBefore)
})

/**
 * A minimal module that passes cosmwasm-vm's checks up to the capabilities: one memory,
 * interface_version_8, allocate/deallocate, and `requires_<cap>` exports for `caps`.
 */
const moduleRequiring = (caps: ReadonlyArray<string>): Uint8Array => {
  const enc = new TextEncoder()
  const vec = (items: ReadonlyArray<ReadonlyArray<number>>) => [items.length, ...items.flat()]
  const leb = (v: number): number[] => (v < 0x80 ? [v] : [(v & 0x7f) | 0x80, ...leb(v >>> 7)])
  const section = (id: number, body: ReadonlyArray<number>) => [id, ...leb(body.length), ...body]
  const name = (s: string) => [s.length, ...enc.encode(s)]
  const exports = [["memory", 0x02, 0], ["interface_version_8", 0x00, 2], ["allocate", 0x00, 0], ["deallocate", 0x00, 1], ...caps.map((c) => [`requires_${c}`, 0x00, 2])] as Array<[string, number, number]>
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 1, 0x7f, 1, 0x7f], [0x60, 1, 0x7f, 0], [0x60, 0, 0]])),
    ...section(3, vec([[0], [1], [2]])),
    ...section(5, vec([[0x00, 0x01]])),
    ...section(7, vec(exports.map(([n, kind, index]) => [...name(n), kind, index]))),
    ...section(10, vec([[4, 0, 0x20, 0x00, 0x0b], [2, 0, 0x0b], [2, 0, 0x0b]]))
  ])
}

test("a module requiring a capability the chain does not offer is refused at upload with wasmd's text", async () => {
  const wasm = moduleRequiring(["iterator", "teleport", "levitation"])
  assert.equal(requiredCapabilities(wasm), ["iterator", "levitation", "teleport"])
  await refused(n.client.signAndBroadcast(n.alice, [storeMsg(n.alice, wasm)], fee(2_000_000)), 2, "wasm", 'Error calling the VM: Error during static Wasm validation: Wasm contract requires unavailable capabilities: {"levitation", "teleport"}: create wasm contract failed')
  // the same module asking only for what is offered is accepted (the checks before this one pass)
  const ok = await n.client.signAndBroadcast(n.alice, [storeMsg(n.alice, moduleRequiring(["iterator"]))], fee(5_000_000))
  assert.is(ok.code, 0, ok.rawLog)
  assert.equal(eventsOf(ok.events, "store_code")[0]!.filter(([k]) => k === "required_capability"), [["required_capability", "iterator"]])
})

test("hackatom_42 (cosmwasm 2.2 build): accepted when the chain offers every capability it requires, else refused with wasmd's text", async () => {
  const wasm = fixture("hackatom_42")
  const required = requiredCapabilities(wasm)
  const missing = required.filter((c) => !ALL_CAPABILITIES.includes(c))
  const store = n.client.signAndBroadcast(n.alice, [storeMsg(n.alice, wasm)], fee(40_000_000))
  if (missing.length > 0) {
    await refused(store, 2, "wasm", `Wasm contract requires unavailable capabilities: {${missing.map((c) => JSON.stringify(c)).join(", ")}}: create wasm contract failed`)
    return
  }
  // every capability offered (cosmwasm_1_1 .. cosmwasm_2_2): it uploads and runs
  const r = await store
  assert.is(r.code, 0, r.rawLog)
  const attrs = eventsOf(r.events, "store_code")[0]!
  assert.equal(attrs.filter(([k]) => k === "required_capability").map(([, v]) => v), required)
  const id = Number(attrs.find(([k]) => k === "code_id")![1])
  const inst = await n.client.instantiate(n.alice, id, { verifier: n.fred, beneficiary: n.bob }, "h42", "auto", { admin: n.alice, funds: [{ denom: "boot", amount: "5" }] })
  assert.equal(await n.client.queryContractSmart(inst.contractAddress, { verifier: {} }), { verifier: n.fred })
  const rel = await n.client.execute(n.fred, inst.contractAddress, { release: {} }, "auto")
  assert.equal(eventsOf(rel.events, "wasm-hackatom"), [at([["_contract_address", inst.contractAddress], ["action", "release"]])])
})

test("simulating cpu_loop (CosmJS's \"auto\" fee) ends out of gas too; the node stays responsive", async () => {
  // a simulation has no fee-bound gas limit: the node must still bound a contract call
  const sim = n.client.simulate(n.fred, [execMsg(n.fred, contract, { cpu_loop: {} })], "").then(
    () => "simulated to an end",
    (e: Error) => e.message
  )
  const outcome = await Promise.race([sim, new Promise<string>((r) => setTimeout(() => r("no answer within 60 s"), 60_000))])
  assert.match(outcome, /out of gas/)
  const h = await n.client.getHeight()
  await waitHeight(n, h + 1)
})

test.run()
