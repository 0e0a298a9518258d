/**
 * The CosmWasm VM runs cw20-base, queue (iterators) and cyberpunk (Wasm-heavy crypto, debug,
 * traps) as their upstream tests expect (cw-plus contracts/cw20-base; cosmwasm
 * contracts/queue/tests/integration.rs and contracts/cyberpunk/tests/integration.rs, 2.2).
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { ProgramFailed } from "../../modules/cyberwasm/CyberWasmError.ts"
import { makeCosmWasmVm } from "../../modules/cyberwasm/cosmwasm/vm/CosmWasmVmLive.ts"
import { addr, env, fixture, info, run, TestBackend, unb64 } from "./vm-support.ts"

const test = suite("cosmwasm vm: cw20, queue, cyberpunk")
const vm = makeCosmWasmVm()
const alice = addr(1)
const bob = addr(2)
const carol = addr(4)

const cw20 = vm.analyze(fixture("cw20_base"))
const cw20Instance = (): TestBackend => {
  const be = new TestBackend()
  const { res } = run(vm, cw20.checksum, be, "instantiate", [env(), info(alice), {
    name: "Cash Token", symbol: "CASH", decimals: 9, initial_balances: [{ address: alice, amount: "1000000" }, { address: carol, amount: "5" }]
  }])
  assert.ok(res.ok, JSON.stringify(res))
  return be
}
const balance = (be: TestBackend, who: string) => unb64(run(vm, cw20.checksum, be, "query", [env(), { balance: { address: who } }]).res.ok).balance

test("cw20: instantiate, token_info, transfer, balances, all_accounts (iterator)", () => {
  const be = cw20Instance()
  assert.equal(unb64(run(vm, cw20.checksum, be, "query", [env(), { token_info: {} }]).res.ok), { name: "Cash Token", symbol: "CASH", decimals: 9, total_supply: "1000005" })
  const { res } = run(vm, cw20.checksum, be, "execute", [env(), info(alice), { transfer: { recipient: bob, amount: "1234" } }])
  assert.equal(res.ok.attributes, [{ key: "action", value: "transfer" }, { key: "from", value: alice }, { key: "to", value: bob }, { key: "amount", value: "1234" }])
  assert.is(balance(be, alice), "998766")
  assert.is(balance(be, bob), "1234")
  assert.is(balance(be, addr(9)), "0")
  const accounts = unb64(run(vm, cw20.checksum, be, "query", [env(), { all_accounts: {} }]).res.ok).accounts
  assert.equal(accounts, [alice, bob, carol].sort())
})

test("cw20: overdraft and bad recipient are contract errors; balances unchanged", () => {
  const be = cw20Instance()
  const over = run(vm, cw20.checksum, be, "execute", [env(), info(carol), { transfer: { recipient: bob, amount: "6" } }]).res
  assert.ok(/overflow/i.test(over.error), over.error)
  const bad = run(vm, cw20.checksum, be, "execute", [env(), info(alice), { transfer: { recipient: "cosmos1notanaddress", amount: "1" } }]).res
  assert.ok(typeof bad.error === "string" && bad.error.length > 0, JSON.stringify(bad))
  assert.is(balance(be, carol), "5")
  assert.is(balance(be, alice), "1000000")
})

const queue = vm.analyze(fixture("queue"))
const queueInstance = (): TestBackend => {
  const be = new TestBackend()
  assert.ok(run(vm, queue.checksum, be, "instantiate", [env(), info(alice), {}]).res.ok)
  return be
}
const enqueue = (be: TestBackend, value: number) => assert.ok(run(vm, queue.checksum, be, "execute", [env(), info(alice), { enqueue: { value } }]).res.ok)
const q = (be: TestBackend, msg: unknown) => unb64(run(vm, queue.checksum, be, "query", [env(), msg]).res.ok)

test("queue: count, sum, dequeue (push_and_pop)", () => {
  const be = queueInstance()
  assert.equal([q(be, { count: {} }), q(be, { sum: {} })], [{ count: 0 }, { sum: 0 }])
  enqueue(be, 25)
  enqueue(be, 17)
  const { res } = run(vm, queue.checksum, be, "execute", [env(), info(alice), { dequeue: {} }])
  assert.equal(unb64(res.ok.data), { value: 25 })
  assert.equal([q(be, { count: {} }), q(be, { sum: {} })], [{ count: 1 }, { sum: 17 }])
})

test("queue: push_and_reduce (nested iterators)", () => {
  const be = queueInstance()
  for (const v of [40, 15, 85, -10]) enqueue(be, v)
  assert.equal(q(be, { sum: {} }), { sum: 130 })
  assert.equal(q(be, { reducer: {} }), { counters: [[40, 85], [15, 125], [85, 0], [-10, 140]] })
})

test("queue: query_list (bounded ranges) and migrate_works", () => {
  const be = queueInstance()
  for (let i = 0; i < 0x25; i++) enqueue(be, 40)
  for (let i = 0; i < 0x19; i++) assert.ok(run(vm, queue.checksum, be, "execute", [env(), info(alice), { dequeue: {} }]).res.ok)
  assert.equal(q(be, { list: {} }), { empty: [], early: [0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f], late: [0x20, 0x21, 0x22, 0x23, 0x24] })
  const m = queueInstance()
  enqueue(m, 25)
  enqueue(m, 17)
  assert.equal(run(vm, queue.checksum, m, "migrate", [env(), {}]).res.ok.messages, [])
  assert.equal([q(m, { count: {} }), q(m, { sum: {} })], [{ count: 3 }, { sum: 303 }])
})

test("queue: open_iterators 0, 1, 321 succeed; beyond the per-call limit the call fails", () => {
  const be = queueInstance()
  for (const count of [0, 1, 321]) assert.ok(run(vm, queue.checksum, be, "query", [env(), { open_iterators: { count } }]).res.ok !== undefined)
  assert.throws(() => run(vm, queue.checksum, be, "query", [env(), { open_iterators: { count: 1025 } }]), (e: unknown) => e instanceof ProgramFailed && e.log.includes("iterators"))
})

const punk = vm.analyze(fixture("cyberpunk"))
const punkInstance = (): TestBackend => {
  const be = new TestBackend()
  assert.ok(run(vm, punk.checksum, be, "instantiate", [env(), info(alice), {}]).res.ok)
  return be
}

test("cyberpunk: argon2 in Wasm, gas as cosmwasm-vm's integration test ±20%", () => {
  const be = punkInstance()
  const { res, out } = run(vm, punk.checksum, be, "execute", [env(), info(alice), { argon2: { mem_cost: 256, time_cost: 5 } }], 1_000_000_000n)
  assert.ok(Buffer.from(res.ok.data, "base64").toString().startsWith("$argon2i$v=19$m=256,t=5,p=4$"))
  const cw = Number((out.gasUsed - BigInt(out.result.length)) * 140_000n) // without the result's deserialization
  assert.ok(Math.abs(cw - 8_635_688_250) < 8_635_688_250 * 0.2, `gas ${cw}`)
})

test("cyberpunk: debug lines reach the backend; mirror_env returns the env; unreachable traps", () => {
  const be = punkInstance()
  assert.ok(run(vm, punk.checksum, be, "execute", [env(), info(alice), { debug: {} }], 1_000_000_000n).res.ok)
  assert.is(be.debugs[0], "Hey, ho – let's go")
  assert.ok(be.debugs.includes("Round 9 done"))
  assert.is(be.debugs.at(-1), "Work completed, bye")
  assert.equal(unb64(run(vm, punk.checksum, be, "query", [env(777), { mirror_env: {} }]).res.ok), env(777))
  assert.equal(unb64(run(vm, punk.checksum, be, "execute", [env(778), info(alice), { mirror_env: {} }]).res.ok.data), env(778))
  assert.throws(() => run(vm, punk.checksum, be, "execute", [env(), info(alice), { unreachable: {} }]), (e: unknown) => e instanceof ProgramFailed && e.log.includes("RuntimeError: unreachable"))
})

test("cyberpunk: a query_chain error from the backend reaches the contract as a system error", () => {
  const be = punkInstance()
  const { res } = run(vm, punk.checksum, be, "query", [env(), { denoms: {} }])
  assert.ok(res.error.includes("Unsupported query type"), res.error)
})

test.run()
