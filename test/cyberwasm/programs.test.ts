// Acceptance tests of issue 5 with AssemblyScript example programs (sdk/assemblyscript/examples),
// compiled once into .cache/cyberwasm (npm run sdk:build warms the cache).
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { OutOfGas } from "../../chain/ChainError.ts"
import { CallRefused, ProgramFailed, ProgramFrozen, ProgramRejected } from "../../modules/cyberwasm/CyberWasmError.ts"
import { TestEnv } from "../../modules/cyberwasm/TestEnv.ts"
import { buildExamples } from "../../sdk/assemblyscript/build.ts"
import { program } from "./fixtures/wat.ts"

const wasm = await buildExamples(["counter", "counter_v2", "counter_bad_upgrade", "registry", "bomb", "relay", "token"])
const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)
const u64 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true)

const test = suite("cyberwasm programs")

test("registry keeps its heap hash map across 1,000 calls and a node restart, with no storage calls", () => {
  const env = new TestEnv()
  const reg = env.deploy(wasm.registry!)
  for (let i = 0; i < 1000; i++) assert.is(dec(env.call(reg, enc(`set:name${i}=value${i * 7}`))), "ok")
  assert.is(dec(env.call(reg, enc("count"))), "1000")
  assert.is(dec(env.call(reg, enc("get:name123"))), "value861")
  const bob = env.account("bob")
  assert.is(dec(env.call(reg, enc("set:name5=stolen"), { sender: bob })), "taken")
  const pagesBefore = env.storedPages(reg)
  env.restart()
  assert.is(env.machine.runtime.cached(reg), undefined)
  assert.is(dec(env.call(reg, enc("get:name999"))), "value6993")
  assert.is(dec(env.call(reg, enc("count"))), "1000")
  assert.is(env.machine.runtime.stats.reloads, 1)
  assert.equal(env.storedPages(reg), pagesBefore)
})

const stateOf = (env: TestEnv, address: string) => {
  const i = env.info(address)
  return { root: Buffer.from(i.memoryRoot).toString("hex"), pages: i.pages, stored: env.storedPages(address).length }
}

test("infinite loop, memory bomb, deep recursion, abort and error: clear errors, state unchanged except gas", () => {
  const env = new TestEnv()
  const bomb = env.deploy(wasm.bomb!)
  assert.is(dec(env.call(bomb, enc("write"))), "1")
  const before = stateOf(env, bomb)
  const cases: Array<[string, new (...a: never[]) => Error, RegExp]> = [
    ["loop", OutOfGas, /out of gas/],
    ["alloc", ProgramFailed, /trapped|abort/],
    ["recurse", ProgramFailed, /stack limit exceeded/],
    ["abort", ProgramFailed, /aborted: deliberate abort/],
    ["err", ProgramFailed, /program returned error: deliberate error/]
  ]
  for (const [input, type, pattern] of cases) {
    const r = env.tryCall(bomb, enc(input), { gas: 5_000_000 })
    assert.not.ok(r.ok, input)
    assert.instance((env as unknown as { lastError: unknown }).lastError, type, input)
    assert.match(r.error, pattern, input)
    assert.ok(r.gasUsed > 0, `${input} still charges gas`)
    if (input === "loop") assert.is(r.gasUsed, 5_000_000)
    assert.equal(stateOf(env, bomb), before, `${input} leaves memory unchanged`)
  }
  // the chain goes on: the counter continues from the last successful call
  assert.is(dec(env.call(bomb, enc("write"))), "2")
})

test("a discarded branch (CheckTx, simulation) and a failed call cost what they touched: no full reload", () => {
  const env = new TestEnv()
  const big = env.deploy(program(`(i64.store (i32.const 1024) (i64.add (i64.load (i32.const 1024)) (i64.const 1)))
    (if (i32.eq (local.get 1) (i32.const 4)) (then (unreachable)))
    (i32.store (i32.const 16) (i32.const 0)) (i32.store (i32.const 20) (i32.const 1024)) (i32.store (i32.const 24) (i32.const 8)) (i32.const 16)`, "", `(memory (export "memory") 256)`))
  for (let i = 0; i < 3; i++) env.call(big, enc(""))
  const stats = env.machine.runtime.stats
  const reloads = stats.reloads
  // each simulation starts from the committed state, moving the live instance back first
  for (let i = 0; i < 3; i++) assert.is(u64(env.simulate(big, enc("")).data), 4n)
  assert.is(u64(env.call(big, enc(""))), 4n, "the discarded branches left no trace")
  assert.is(stats.reverts, 3)
  const before = stateOf(env, big)
  const failed = env.tryCall(big, enc("trap"))
  assert.not.ok(failed.ok)
  assert.is(stats.rollbacks, 1)
  assert.equal(stateOf(env, big), before)
  assert.is(u64(env.call(big, enc(""))), 5n)
  assert.is(stats.reloads, reloads, "never reloaded all 256 pages")
})

test("invalid code is refused at upload with a clear error", () => {
  const env = new TestEnv()
  assert.throws(() => env.upload(program("(drop (f32.const 1.5)) (i32.const 0)")), (e: unknown) => e instanceof ProgramRejected && /floating point/.test(e.log))
  assert.throws(() => env.upload(program("(drop (v128.const i32x4 0 0 0 0)) (i32.const 0)")), (e: unknown) => e instanceof ProgramRejected && /SIMD/.test(e.log))
  assert.is(env.store.size, 0)
})

test("upgrade keeps memory; a failing upgrade handler leaves the old code", () => {
  const env = new TestEnv()
  const c = env.deploy(wasm.counter!)
  for (let i = 0; i < 3; i++) env.call(c, enc("inc"))
  assert.is(dec(env.upgrade(c, wasm.counter_v2!)), "upgraded at 3")
  assert.is(u64(env.call(c, enc("inc"))), 13n)
  const v2 = Buffer.from(env.info(c).codeHash).toString("hex")
  // the bad version's handler fails (its AssemblyScript globals do not line up with v2's either: see
  // docs/cyberwasm.md "Upgrades"); either way the upgrade is refused as a whole
  assert.throws(() => env.upgrade(c, wasm.counter_bad_upgrade!), (e: unknown) => e instanceof ProgramFailed && /cyberwasm_upgrade|refuses to upgrade/.test(e.log))
  assert.is(Buffer.from(env.info(c).codeHash).toString("hex"), v2)
  assert.is(u64(env.call(c, enc("inc"))), 23n)
  const mallory = env.account("mallory")
  assert.throws(() => env.upgrade(c, wasm.counter_v2!, new Uint8Array(), mallory), /not the admin/)
})

test("sync calls: two programs call each other; reentrancy refused unless opted in; depth limit", () => {
  const env = new TestEnv()
  const a = env.deploy(wasm.relay!)
  const b = env.deploy(wasm.relay!)
  assert.is(dec(env.call(a, enc(`${b}|hello`))), "hello<")
  const refused = env.tryCall(a, enc(`${b},${a}|x`))
  assert.not.ok(refused.ok)
  assert.match(refused.error, /reentrant call into .* refused/)
  assert.is(dec(env.call(a, enc(`${b},${a},${b}|Rx`))), "Rx<<<")
  const ten = Array.from({ length: 9 }, (_, i) => (i % 2 === 0 ? b : a)).join(",")
  assert.is(dec(env.call(a, enc(`${ten}|Rdeep`))), "Rdeep" + "<".repeat(9))
  const eleven = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? b : a)).join(",")
  const deep = env.tryCall(a, enc(`${eleven}|Rdeep`))
  assert.not.ok(deep.ok)
  assert.match(deep.error, /call depth limit 10/)
  // a call to a bad address or a missing program comes back as an error the caller can handle
  assert.match(env.tryCall(a, enc("nonsense|x")).error, /error: invalid address "nonsense"/)
  assert.match(env.tryCall(a, enc(`${env.alice}|x`)).error, /error: no program at/)
  void CallRefused
})

test("upgrade of a fixed-layout program: memory kept byte for byte, failing handler keeps old code", () => {
  const env = new TestEnv()
  const prog = (inc: number, upgrade: string) => program(`(i64.store (i32.const 256) (i64.add (i64.load (i32.const 256)) (i64.const ${inc})))
    (i32.store (i32.const 512) (i32.const 0)) (i32.store (i32.const 516) (i32.const 256)) (i32.store (i32.const 520) (i32.const 8)) (i32.const 512)`,
    `(func (export "cyberwasm_upgrade") (param i32 i32) (result i32) ${upgrade})`)
  const c = env.deploy(prog(1, "(i32.const 512)"))
  for (let i = 0; i < 5; i++) env.call(c, enc(""))
  env.upgrade(c, prog(100, "(i32.store (i32.const 512) (i32.const 0)) (i32.store (i32.const 516) (i32.const 0)) (i32.store (i32.const 520) (i32.const 0)) (i32.const 512)"))
  assert.is(u64(env.call(c, enc(""))), 105n)
  const before = env.info(c)
  assert.throws(() => env.upgrade(c, prog(1000, "(i64.store (i32.const 256) (i64.const 0)) (unreachable)")), /cyberwasm_upgrade trapped/)
  assert.equal(env.info(c), before)
  assert.is(u64(env.call(c, enc(""))), 205n)
})

test("token: transfers between accounts, refused overdraft leaves balances unchanged", () => {
  const env = new TestEnv()
  const bob = env.account("bob")
  const t = env.deploy(wasm.token!, { input: enc("1000") })
  assert.is(dec(env.call(t, enc(`transfer ${bob} 300`))), "ok")
  assert.is(dec(env.call(t, enc(`balance ${env.alice}`))), "700")
  const r = env.tryCall(t, enc(`transfer ${env.alice} 301`), { sender: bob })
  assert.match(r.error, /insufficient balance: 300 < 301/)
  assert.is(dec(env.call(t, enc(`balance ${bob}`))), "300")
  assert.is(dec(env.call(t, enc("supply"))), "1000")
  assert.is(env.eventsOf("cyberwasm.transfer").length, 1)
})

test("the live-instance cache is bounded; evicted instances reload from their pages", () => {
  const env = new TestEnv({ params: { maxLiveInstances: 3 } })
  const hash = env.upload(wasm.counter!)
  const programs = Array.from({ length: 6 }, () => env.deploy(hash))
  for (let round = 1n; round <= 3n; round++) for (const p of programs) assert.is(u64(env.call(p, enc("inc"))), round)
  assert.ok(env.machine.runtime.stats.reloads >= 12, `reloads ${env.machine.runtime.stats.reloads}`)
})

test("frozen programs refuse calls", () => {
  const env = new TestEnv()
  const c = env.deploy(wasm.counter!, { reserve: 10n })
  env.advance(20)
  const r = env.tryCall(c, enc("inc"))
  assert.not.ok(r.ok)
  assert.instance((env as unknown as { lastError: unknown }).lastError, ProgramFrozen)
  env.deposit(c, 1_000n)
  assert.is(u64(env.call(c, enc("inc"))), 1n)
})

test.run()
