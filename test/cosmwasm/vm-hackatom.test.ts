/**
 * The CosmWasm VM runs hackatom (cosmwasm contracts/hackatom 1.4, wasmd's test build) as
 * contracts/hackatom/tests/integration.rs expects, through the VM's own interface with a test
 * double of the wasmd layer (vm-support.ts). Upload checks: hackatom_42's capabilities, a
 * corrupted module.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { OutOfGas } from "../../chain/ChainError.ts"
import { ProgramFailed, ProgramRejected } from "../../modules/cyberwasm/CyberWasmError.ts"
import { makeCosmWasmVm } from "../../modules/cyberwasm/cosmwasm/vm/CosmWasmVmLive.ts"
import { ALL_CAPABILITIES } from "../../modules/cyberwasm/cosmwasm/vm/Analyze.ts"
import { addr, CONTRACT, env, fixture, info, parse, run, TestBackend, unb64 } from "./vm-support.ts"

const test = suite("cosmwasm vm: hackatom")

const vm = makeCosmWasmVm()
const code = vm.analyze(fixture("hackatom"))
const verifier = addr(1)
const beneficiary = addr(2)
const creator = addr(3)
const CONFIG_KEY = new TextEncoder().encode("config")

const instantiated = (): TestBackend => {
  const be = new TestBackend()
  const { res } = run(vm, code.checksum, be, "instantiate", [env(), info(creator, [{ denom: "earth", amount: "1000" }]), { verifier, beneficiary }])
  assert.equal(res, { ok: { messages: [], attributes: [{ key: "Let the", value: "hacking begin" }], events: [], data: null } })
  return be
}

const failure = (f: () => unknown): ProgramFailed => {
  try {
    f()
  } catch (e) {
    if (e instanceof ProgramFailed) return e
    throw e
  }
  throw new Error("expected the call to fail")
}

test("analyze: checksum, no capabilities, entry points; the module is cached", () => {
  assert.is(Buffer.from(code.checksum).toString("hex"), "3f4cd47c39c57fe1733fb41ed176eebd9d5c67baf5df8a1eeda1455e758f8514")
  assert.equal(code.requiredCapabilities, [])
  assert.equal(code.entryPoints, ["instantiate", "execute", "migrate", "sudo", "query"])
  assert.ok(vm.has(code.checksum))
})

test("proper_initialization: state stored, debug line, funder = sender", () => {
  const be = instantiated()
  assert.equal(parse(be.storage.get(CONFIG_KEY)!), { verifier, beneficiary, funder: creator })
  assert.equal(be.debugs, ["here we go 🚀"])
})

test("instantiate_and_query: verifier; a wrong query message is a parse error", () => {
  const be = instantiated()
  const { res } = run(vm, code.checksum, be, "query", [env(), { verifier: {} }])
  assert.equal(unb64(res.ok), { verifier })
  const bad = run(vm, code.checksum, be, "query", [env(), { release: {} }]).res
  assert.ok(bad.error.includes("Error parsing"), bad.error)
})

test("fails_on_bad_init", () => {
  const { res } = run(vm, code.checksum, new TestBackend(), "instantiate", [env(), info(creator), { release: {} }])
  assert.ok(res.error.includes("Error parsing"), res.error)
})

test("execute_release_works: bank send of the balance read through query_chain, attributes, data", () => {
  const be = instantiated()
  be.balances.set(CONTRACT, [{ denom: "earth", amount: "1000" }])
  const { res, out } = run(vm, code.checksum, be, "execute", [env(), info(verifier), { release: {} }])
  assert.equal(res.ok.messages, [{ id: 0, msg: { bank: { send: { to_address: beneficiary, amount: [{ denom: "earth", amount: "1000" }] } } }, gas_limit: null, reply_on: "never" }])
  assert.equal(res.ok.attributes, [{ key: "action", value: "release" }, { key: "destination", value: beneficiary }])
  assert.is(Buffer.from(res.ok.data, "base64").toString("hex"), "f00baa")
  assert.equal(be.queries, [{ bank: { all_balances: { address: CONTRACT } } }])
  assert.ok(out.gasUsed > be.queryGas, "the query's gas is part of the call's")
})

test("execute_release_fails_for_wrong_sender: Unauthorized, state unchanged", () => {
  const be = instantiated()
  const { res } = run(vm, code.checksum, be, "execute", [env(), info(beneficiary), { release: {} }])
  assert.ok(res.error.includes("Unauthorized"), res.error)
  assert.equal(parse(be.storage.get(CONFIG_KEY)!), { verifier, beneficiary, funder: creator })
})

test("migrate_verifier", () => {
  const be = instantiated()
  const other = addr(9)
  const { res } = run(vm, code.checksum, be, "migrate", [env(), { verifier: other }])
  assert.equal(res.ok.messages, [])
  assert.equal(unb64(run(vm, code.checksum, be, "query", [env(), { verifier: {} }]).res.ok), { verifier: other })
})

test("sudo_can_steal_tokens", () => {
  const be = instantiated()
  const recipient = addr(7)
  const { res } = run(vm, code.checksum, be, "sudo", [env(), { steal_funds: { recipient, amount: [{ denom: "gold", amount: "700" }] } }])
  assert.equal(res.ok.messages, [{ id: 0, msg: { bank: { send: { to_address: recipient, amount: [{ denom: "gold", amount: "700" }] } } }, gas_limit: null, reply_on: "never" }])
})

test("querier_callbacks_work: other_balance through query_chain", () => {
  const be = instantiated()
  const rich = addr(5)
  be.balances.set(rich, [{ denom: "gold", amount: "10000" }])
  assert.equal(unb64(run(vm, code.checksum, be, "query", [env(), { other_balance: { address: rich } }]).res.ok), { amount: [{ denom: "gold", amount: "10000" }] })
  assert.equal(unb64(run(vm, code.checksum, be, "query", [env(), { other_balance: { address: addr(6) } }]).res.ok), { amount: [] })
})

test("cpu_loop, storage_loop, memory_loop: OutOfGas", () => {
  for (const msg of [{ cpu_loop: {} }, { storage_loop: {} }, { memory_loop: {} }]) {
    const be = instantiated()
    assert.throws(() => run(vm, code.checksum, be, "execute", [env(), info(creator), msg], 20_000n), (e: unknown) => e instanceof OutOfGas, JSON.stringify(msg))
  }
})

test("memory bomb: memory_loop with ample gas stops at the 32 MiB limit, a failed call with the same gas every time", () => {
  const be = instantiated()
  const a = failure(() => run(vm, code.checksum, be, "execute", [env(), info(creator), { memory_loop: {} }], 10_000_000n))
  const b = failure(() => run(vm, code.checksum, be, "execute", [env(), info(creator), { memory_loop: {} }], 10_000_000n))
  assert.ok(a.log.includes("RuntimeError: unreachable"), a.log)
  const gas = (e: ProgramFailed) => (e as unknown as { gasUsed: bigint }).gasUsed
  assert.ok(gas(a) > 0n && gas(a) < 10_000_000n)
  assert.is(gas(a), gas(b))
})

/** CW gas of a call without wasmvm's result deserialization (1 SDK gas per result byte), as cosmwasm-vm measures it. */
const cwGas = (out: { gasUsed: bigint; result: Uint8Array }): number => Number((out.gasUsed - BigInt(out.result.length)) * 140_000n)

test("execute_allocate_large_memory: 48 pages grow; 1600 pages fail inside the contract; gas as cosmwasm-vm's ±20%", () => {
  const be = instantiated()
  const ok = run(vm, code.checksum, be, "execute", [env(), info(creator), { allocate_large_memory: { pages: 48 } }])
  const before = Buffer.from(ok.res.ok.data, "base64").readUInt32BE(0)
  assert.ok(before >= 17 && before < 64, `pages before: ${before}`)
  // contracts/hackatom/tests/integration.rs (2.2): 9,470,400 and 9,553,320 CW gas, ±20%
  assert.ok(Math.abs(cwGas(ok.out) - 9_470_400) < 9_470_400 * 0.2, `gas ${cwGas(ok.out)}`)
  const big = run(vm, code.checksum, be, "execute", [env(), info(creator), { allocate_large_memory: { pages: 1600 } }])
  assert.equal(big.res, { error: "Generic error: memory.grow failed" })
  assert.ok(Math.abs(cwGas(big.out) - 9_553_320) < 9_553_320 * 0.2, `gas ${cwGas(big.out)}`)
})

test("execute_panic: the contract's panic message and location, as a failed call", () => {
  const be = instantiated()
  const e = failure(() => run(vm, code.checksum, be, "execute", [env(), info(creator), { panic: {} }]))
  assert.ok(e.log.includes("Aborted: panicked at 'This page intentionally faulted'"), e.log)
  assert.ok(e.log.includes("contract.rs:"), e.log)
  assert.ok((e as unknown as { gasUsed: bigint }).gasUsed > 0n)
})

test("user_errors_in_api_calls: canonicalize errors come back as user errors; 3-byte humanize is valid on wasmd", () => {
  // hackatom 1.4 expects addr_humanize([aa bb cc]) to fail, as cosmwasm-vm 1.x's MockApi did
  // (fixed 20-byte canonical addresses). wasmd's humanize (x/wasm/keeper/api.go) only applies
  // sdk.VerifyAddressFormat (1..255 bytes), so on wasmd — and here — the empty and too long
  // inputs are user errors and the contract then panics at its unwrap_err on the 3-byte one.
  const be = instantiated()
  const e = failure(() => run(vm, code.checksum, be, "execute", [env(), info(creator), { user_errors_in_api_calls: {} }]))
  assert.ok(e.log.includes("Aborted: panicked at") && e.log.includes("unwrap_err()"), e.log)
})

test("gas determinism: the same call twice uses the same gas", () => {
  const a = instantiated()
  const b = instantiated()
  a.balances.set(CONTRACT, [{ denom: "earth", amount: "5" }])
  b.balances.set(CONTRACT, [{ denom: "earth", amount: "5" }])
  const x = run(vm, code.checksum, a, "execute", [env(), info(verifier), { release: {} }])
  const y = run(vm, code.checksum, b, "execute", [env(), info(verifier), { release: {} }])
  assert.is(x.out.gasUsed, y.out.gasUsed)
  assert.equal(x.res, y.res)
  // a fresh VM (cold cache, recompiled) charges the same
  const vm2 = makeCosmWasmVm()
  vm2.load(code.checksum, fixture("hackatom"))
  const c = instantiated()
  c.balances.set(CONTRACT, [{ denom: "earth", amount: "5" }])
  assert.is(run(vm2, code.checksum, c, "execute", [env(), info(verifier), { release: {} }]).out.gasUsed, x.out.gasUsed)
})

test("read-only calls refuse writes with cosmwasm-vm's error", () => {
  const be = instantiated()
  const e = failure(() => vm.call({ checksum: code.checksum, entry: "migrate", args: [env(), { verifier: addr(8) }].map((v) => new TextEncoder().encode(JSON.stringify(v))), gasLimit: 1_000_000n, readOnly: true }, be))
  assert.ok(e.log.includes("Must not call a writing storage function in this context."), e.log)
  assert.equal(parse(be.storage.get(CONFIG_KEY)!).verifier, verifier)
})

test("a missing entry point and a wrong argument count fail the call", () => {
  const be = instantiated()
  assert.ok(failure(() => run(vm, code.checksum, be, "reply", [env(), {}])).log.includes("Missing export reply"))
  assert.ok(failure(() => run(vm, code.checksum, be, "query", [env()])).log.includes("arguments"))
})

test("hackatom_42 (cosmwasm 2.2) is refused without cosmwasm_2_2, with wasmd's text; accepted with every capability", () => {
  const without = makeCosmWasmVm({ capabilities: ALL_CAPABILITIES.filter((c) => c !== "cosmwasm_2_2") })
  try {
    without.analyze(fixture("hackatom_42"))
    assert.unreachable("must be refused")
  } catch (e) {
    assert.instance(e, ProgramRejected)
    assert.is((e as ProgramRejected).log, "Error calling the VM: Error during static Wasm validation: Wasm contract requires unavailable capabilities: {\"cosmwasm_2_2\"}")
  }
  const minimal = makeCosmWasmVm({ capabilities: ["iterator"] })
  assert.throws(() => minimal.analyze(fixture("hackatom_42")), (e: ProgramRejected) =>
    e.log.endsWith("{\"cosmwasm_1_1\", \"cosmwasm_1_2\", \"cosmwasm_1_3\", \"cosmwasm_1_4\", \"cosmwasm_2_0\", \"cosmwasm_2_1\", \"cosmwasm_2_2\"}"))
  // stored code is recompiled without a new capability check (cosmwasm-vm's cache does not re-check)
  without.load(Buffer.from("2feba100604422ad2ebcbf431d9fe9e298c723a8bd5b87cb6028daa3db379cdb", "hex"), fixture("hackatom_42"))
  assert.ok(without.has(Buffer.from("2feba100604422ad2ebcbf431d9fe9e298c723a8bd5b87cb6028daa3db379cdb", "hex")))
  const full = vm.analyze(fixture("hackatom_42"))
  assert.equal(full.requiredCapabilities, ["cosmwasm_1_1", "cosmwasm_1_2", "cosmwasm_1_3", "cosmwasm_1_4", "cosmwasm_2_0", "cosmwasm_2_1", "cosmwasm_2_2"])
})

test("hackatom_42 runs: instantiate and query", () => {
  const c = vm.analyze(fixture("hackatom_42"))
  const be = new TestBackend()
  const { res } = run(vm, c.checksum, be, "instantiate", [env(), info(creator), { verifier, beneficiary }])
  assert.ok(res.ok, JSON.stringify(res))
  assert.equal(unb64(run(vm, c.checksum, be, "query", [env(), { verifier: {} }]).res.ok), { verifier })
})

test("a corrupted module is refused with a static validation error; the VM keeps working", () => {
  const bytes = fixture("hackatom").slice()
  const mid = bytes.length >> 1
  bytes.set([bytes[mid]! ^ 0xff, bytes[mid + 1]! ^ 0xff], mid)
  assert.throws(() => vm.analyze(bytes), (e: unknown) => e instanceof ProgramRejected && e.log.startsWith("Error calling the VM: Error during static Wasm validation: "))
  assert.throws(() => vm.analyze(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1])), (e: unknown) => e instanceof ProgramRejected)
  assert.throws(() => vm.load(code.checksum.slice().reverse(), fixture("hackatom")), (e: unknown) => e instanceof ProgramRejected && e.log.includes("Hash doesn't match"))
  instantiated()
})

test.run()
