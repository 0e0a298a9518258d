import { suite } from "uvu"
import * as assert from "uvu/assert"
import { ProgramRejected } from "../../modules/cyberwasm/CyberWasmError.ts"
import { instructionCost } from "../../modules/cyberwasm/instrument/CostTable.ts"
import { instrument } from "../../modules/cyberwasm/instrument/Instrument.ts"
import { defaultLimits } from "../../modules/cyberwasm/instrument/Limits.ts"
import { program, wat } from "./fixtures/wat.ts"
import { buildExamples } from "../../sdk/assemblyscript/build.ts"

const test = suite("cyberwasm instrument")

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const run = (bytes: Uint8Array, gas: bigint): { ex: any; result?: number; error?: Error } => {
  const p = instrument(bytes)
  const ex = new WebAssembly.Instance(new WebAssembly.Module(p.code as Uint8Array<ArrayBuffer>), {}).exports as any
  ex.__cw_gas.value = gas
  try {
    return { ex, result: ex.cyberwasm_dispatch(0, 0) }
  } catch (e) {
    return { ex, error: e as Error }
  }
}

const rejects = (bytes: Uint8Array, pattern: RegExp) => {
  try {
    instrument(bytes)
  } catch (e) {
    assert.instance(e, ProgramRejected)
    assert.match((e as ProgramRejected).log, pattern)
    return
  }
  assert.unreachable(`expected rejection matching ${pattern}`)
}

test("a straight-line function is charged exactly its cost-table sum", () => {
  const { ex, result } = run(program("(i32.add (i32.const 1) (i32.const 2))"), 1000n)
  assert.is(result, 3)
  // i32.const, i32.const, i32.add, end
  const expected = 3 * instructionCost(0x41) - instructionCost(0x41) + instructionCost(0x6a) + instructionCost(0x0b)
  assert.is(ex.__cw_gas.value, 1000n - BigInt(expected))
})

test("instrumentation is deterministic and keeps the program's indices", () => {
  const bytes = program("(global.set $g (i32.const 7)) (i32.const 0)")
  const a = instrument(bytes)
  const b = instrument(bytes)
  assert.equal(a.code, b.code)
  assert.equal(a.hash, b.hash)
  assert.equal(a.mutableGlobals, [{ index: 0, type: "i32", exportName: "__cw_g0" }])
  const { ex } = run(bytes, 100n)
  assert.is(ex.__cw_g0.value, 7)
})

test("an infinite loop runs out of gas and traps", () => {
  const { ex, error } = run(program("(loop $l (br $l)) (i32.const 0)"), 1_000_000n)
  assert.ok(error, "expected a trap")
  assert.ok(ex.__cw_gas.value < 0n)
})

test("deep recursion stops at the deterministic stack limit, not the host stack", () => {
  const { ex, error } = run(program("(call $rec (i32.const 1000000))", `(func $rec (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0)) (else (call $rec (i32.sub (local.get $n) (i32.const 1))))))`), 1_000_000_000n)
  assert.ok(error, "expected a trap")
  assert.not.instance(error, RangeError)
  assert.ok(ex.__cw_depth.value > defaultLimits.maxStackWeight)
  assert.ok(ex.__cw_gas.value > 0n)
})

test("shallow recursion passes and restores the depth counter", () => {
  const { ex, result } = run(program("(call $rec (i32.const 100))", `(func $rec (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0)) (else (i32.add (i32.const 1) (call $rec (i32.sub (local.get $n) (i32.const 1)))))))`), 1_000_000n)
  assert.is(result, 100)
  assert.is(ex.__cw_depth.value, 0)
})

test("memory bomb: growth stops at the page limit and every page is charged", () => {
  const bytes = program(`(local $n i32) (loop $l (if (i32.ne (memory.grow (i32.const 64)) (i32.const -1)) (then (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $l)))) (local.get $n)`)
  const { ex, result, error } = run(bytes, 1_000_000_000n)
  assert.is(error, undefined)
  assert.is(result, Math.floor((defaultLimits.maxPages - 1) / 64))
  assert.ok(ex.__cw_gas.value < 1_000_000_000n - 10_000n * BigInt(defaultLimits.maxPages - 64))
  const small = run(bytes, 100_000n)
  assert.ok(small.error, "a small gas limit stops the bomb")
})

test("stores and memory.fill/copy mark exactly the pages they write", () => {
  const { ex } = run(program(`(i32.store (i32.const 65534) (i32.const -1))
    (memory.fill (i32.const 196608) (i32.const 7) (i32.const 10))
    (memory.copy (i32.const 327680) (i32.const 0) (i32.const 65537)) (i32.const 0)`, "", "(memory (export \"memory\") 8)"), 10_000_000n)
  const dirty = [...new Uint8Array(ex.__cw_dirty.buffer).subarray(0, 8)]
  assert.equal(dirty, [1, 1, 0, 1, 0, 1, 1, 0])
})

test("oversized binary is refused", () => {
  const big = wat(`(module (memory (export "memory") 40) (data (i32.const 0) "${"a".repeat(defaultLimits.maxCodeBytes + 10)}")
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
    (func (export "cyberwasm_dispatch") (param i32 i32) (result i32) (i32.const 0)))`)
  rejects(big, new RegExp(`binary is \\d+ bytes, limit ${defaultLimits.maxCodeBytes}`))
})

test("float instructions and types are refused", () => {
  rejects(program("(drop (f64.add (f64.const 1) (f64.const 2))) (i32.const 0)"), /floating point/)
  rejects(program("(i32.const 0)", "(func $f (param f32))"), /floating point type f32/)
  rejects(program("(i32.const 0)", "(global $h (mut f64) (f64.const 0))"), /floating point type f64/)
  rejects(program("(i32.trunc_f64_s (f64.const 1))"), /floating point/)
})

test("SIMD and threads are refused", () => {
  rejects(program("(i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))"), /SIMD/)
  rejects(program("(i32.atomic.load (i32.const 0))", "", "(memory (export \"memory\") 1 1 shared)"), /shared memory/)
})

test("imports outside the syscall table or with a wrong signature are refused", () => {
  rejects(wat(`(module (import "env" "abort" (func (param i32 i32 i32 i32))) (memory (export "memory") 1)
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
    (func (export "cyberwasm_dispatch") (param i32 i32) (result i32) (i32.const 0)))`), /env\.abort is not in the CyberWasm syscall table/)
  rejects(wat(`(module (import "cyberwasm" "steal_keys" (func)) (memory (export "memory") 1)
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
    (func (export "cyberwasm_dispatch") (param i32 i32) (result i32) (i32.const 0)))`), /steal_keys is not in the CyberWasm syscall table/)
  rejects(wat(`(module (import "cyberwasm" "sha256" (func (param i32 i32))) (memory (export "memory") 1)
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
    (func (export "cyberwasm_dispatch") (param i32 i32) (result i32) (i32.const 0)))`), /cyberwasm\.sha256 has signature \(i32,i32\) -> \(\), expected \(i32,i32,i32\) -> \(\)/)
  // the right signature is accepted
  instrument(wat(`(module (import "cyberwasm" "sha256" (func (param i32 i32 i32))) (import "cyberwasm" "block_height" (func (result i64)))
    (memory (export "memory") 1)
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
    (func (export "cyberwasm_dispatch") (param i32 i32) (result i32) (i32.const 0)))`))
})

test("limits: initial pages, start function, missing exports, reserved names", () => {
  rejects(program("(i32.const 0)", "", "(memory (export \"memory\") 257)"), /initial memory of 257 pages, limit 256/)
  rejects(program("(i32.const 0)", "(func $s) (start $s)"), /start function/)
  rejects(wat(`(module (memory (export "memory") 1) (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))`), /missing export cyberwasm_dispatch/)
  rejects(program("(i32.const 0)", "(global (export \"__cw_gas\") i32 (i32.const 0))"), /reserved prefix/)
  rejects(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5]), /not a valid Wasm module/)
  const p = instrument(program("(i32.const 0)", "", "(memory (export \"memory\") 2)"))
  assert.is(p.initialPages, 2)
  assert.is(p.maxPages, defaultLimits.maxPages)
})

test("instrumentation preserves semantics: compiled AssemblyScript workloads give the same results", async () => {
  const { compute } = await buildExamples(["compute"])
  const imports = { cyberwasm: { abort: () => { throw new Error("abort") } } }
  const plain = new WebAssembly.Instance(new WebAssembly.Module(compute! as Uint8Array<ArrayBuffer>), imports).exports as any
  const metered = new WebAssembly.Instance(new WebAssembly.Module(instrument(compute!).code as Uint8Array<ArrayBuffer>), imports).exports as any
  plain._initialize()
  metered.__cw_gas.value = 1n << 62n
  metered._initialize()
  for (const n of [0, 1, 7, 1000, 100_000]) {
    assert.is(metered.mix(n), plain.mix(n), `mix(${n})`)
    assert.is(metered.sieve(n), plain.sieve(n), `sieve(${n})`)
  }
  const used = (1n << 62n) - metered.__cw_gas.value
  const again = new WebAssembly.Instance(new WebAssembly.Module(instrument(compute!).code as Uint8Array<ArrayBuffer>), imports).exports as any
  again.__cw_gas.value = 1n << 62n
  again._initialize()
  for (const n of [0, 1, 7, 1000, 100_000]) {
    again.mix(n)
    again.sieve(n)
  }
  assert.is((1n << 62n) - again.__cw_gas.value, used, "the same work costs the same gas")
})

test.run()
