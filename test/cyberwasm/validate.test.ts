// Upload validation instantiates nothing and still refuses every module that could fail at
// instantiation for a structural reason (segments out of bounds, limits, imports, exports, start),
// with ProgramRejected (cyberwasm code 2) naming the reason; what it accepts instantiates.
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { ProgramRejected } from "../../modules/cyberwasm/CyberWasmError.ts"
import { instrument } from "../../modules/cyberwasm/instrument/Instrument.ts"
import { defaultLimits, type ProgramLimits } from "../../modules/cyberwasm/instrument/Limits.ts"
import { LiveInstance } from "../../modules/cyberwasm/runtime/LiveInstance.ts"
import { TestEnv } from "../../modules/cyberwasm/TestEnv.ts"
import { program, wat } from "./fixtures/wat.ts"

const test = suite("cyberwasm upload validation")

const REALLOC = `(func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))`
const DISPATCH = `(func (export "cyberwasm_dispatch") (param i32 i32) (result i32) (i32.const 0))`
/** A module with the required exports around `extra` (memory declared by `memory`). */
const mod = (extra: string, memory = `(memory (export "memory") 1)`) => wat(`(module ${memory} ${REALLOC} ${DISPATCH} ${extra})`)
/** The same with `imports` first (the text format wants imports before definitions). */
const withImport = (imports: string) => wat(`(module ${imports} (memory (export "memory") 1) ${REALLOC} ${DISPATCH})`)

const rejects = (bytes: Uint8Array, pattern: RegExp, limits: ProgramLimits = defaultLimits) => {
  try {
    instrument(bytes, limits)
  } catch (e) {
    assert.instance(e, ProgramRejected)
    assert.is((e as ProgramRejected).code, 2)
    assert.match((e as ProgramRejected).log, pattern)
    return
  }
  assert.unreachable(`expected rejection matching ${pattern}`)
}

/** Accepted, and instantiates as the runtime does it. */
const instantiates = (bytes: Uint8Array) => {
  const p = instrument(bytes)
  const inst = new LiveInstance(p, new WebAssembly.Module(p.code as Uint8Array<ArrayBuffer>))
  assert.ok(inst.pages() >= p.initialPages)
}

test("a data segment out of bounds of the initial memory is refused at upload (it used to fail at instantiation with code 1)", () => {
  const bad = mod(`(data (i32.const 65530) "0123456789")`)
  // V8 alone accepts it: only instantiation would fail
  assert.ok(WebAssembly.validate(bad as Uint8Array<ArrayBuffer>))
  rejects(bad, /data segment 0 \[65530, 65540\) lies outside the initial memory of 1 pages/)
  rejects(mod(`(data (i32.const -1) "x")`), /data segment 0 \[4294967295, 4294967296\) lies outside/)
  rejects(mod(`(data (i32.const 0) "x")`, `(memory (export "memory") 0)`), /lies outside the initial memory of 0 pages/)
  // the last byte of memory is in bounds
  instantiates(mod(`(data (i32.const 65535) "x")`))
  // through the machine: a typed error with code 2, and nothing stored
  const env = new TestEnv()
  try {
    env.upload(bad)
    assert.unreachable("upload accepted")
  } catch (e) {
    assert.instance(e, ProgramRejected)
    assert.is((e as ProgramRejected).code, 2)
  }
})

test("element segments: out of the table's bounds, passive or declarative, refused", () => {
  const fns = `(func $a) (func $b)`
  rejects(mod(`(table 1 funcref) ${fns} (elem (i32.const 0) $a $b)`), /element segment 0 \[0, 2\) lies outside the table of 1 entries/)
  rejects(mod(`(table 2 funcref) ${fns} (elem (i32.const 1) $a $b)`), /lies outside the table of 2 entries/)
  rejects(mod(`(table 2 funcref) ${fns} (elem func $a)`), /element segment 0 uses encoding 1/)
  instantiates(mod(`(table 2 funcref) ${fns} (elem (i32.const 0) $a $b)`))
})

test("memory and table limits over the machine's maxima", () => {
  rejects(mod("", `(memory (export "memory") 257)`), /initial memory of 257 pages, limit 256/)
  rejects(mod("(table 10001 funcref)"), /table of 10001 entries, limit 10000/)
  rejects(mod("", `(memory (export "memory") 2 1)`), /maximum|not a valid Wasm module/)
  const p = instrument(mod("", `(memory (export "memory") 1 65536)`))
  assert.is(p.maxPages, defaultLimits.maxPages) // a larger declared maximum is clamped
  rejects(mod("", `(memory (export "memory") 1 1 shared)`), /shared memory|not a valid Wasm module/)
})

test("imports outside the host ABI or with the wrong signature", () => {
  rejects(withImport(`(import "env" "abort" (func (param i32)))`), /import env\.abort is not in the CyberWasm syscall table/)
  rejects(withImport(`(import "cyberwasm" "no_such_function" (func))`), /import cyberwasm\.no_such_function is not in the CyberWasm syscall table/)
  rejects(withImport(`(import "cyberwasm" "block_height" (func (result i32)))`), /import cyberwasm\.block_height has signature \(\) -> \(i32\), expected \(\) -> \(i64\)/)
  rejects(wat(`(module (import "cyberwasm" "memory" (memory 1)) ${REALLOC} ${DISPATCH})`), /is not a function/)
  rejects(withImport(`(import "cyberwasm" "g" (global i32))`), /is not a function/)
  instantiates(withImport(`(import "cyberwasm" "block_height" (func (result i64)))`))
})

test("required exports: missing or ill-typed; memory not exported; a start function", () => {
  rejects(wat(`(module (memory (export "memory") 1) ${REALLOC})`), /missing export cyberwasm_dispatch/)
  rejects(wat(`(module (memory (export "memory") 1) ${DISPATCH})`), /missing export cabi_realloc/)
  rejects(wat(`(module (memory (export "memory") 1) ${REALLOC} (func (export "cyberwasm_dispatch") (param i32) (result i32) (i32.const 0)))`), /export cyberwasm_dispatch has signature \(i32\) -> \(i32\)/)
  rejects(wat(`(module (memory 1) ${REALLOC} ${DISPATCH})`), /must export its memory as "memory"/)
  rejects(wat(`(module (memory (export "memory") 1) ${REALLOC} (global (export "cyberwasm_dispatch") i32 (i32.const 0)))`), /export cyberwasm_dispatch is not a function/)
  rejects(mod(`(func (export "cyberwasm_init") (result i32) (i32.const 0))`), /export cyberwasm_init has signature/)
  rejects(mod(`(func $s) (start $s)`), /a start function is not allowed/)
  rejects(mod(`(func (export "__cw_gas"))`), /reserved prefix __cw/)
})

test("too many functions, globals, locals; a frame heavier than the stack limit", () => {
  const small: ProgramLimits = { ...defaultLimits, maxFunctions: 3, maxGlobals: 2, maxLocals: 8, maxStackWeight: 400 }
  rejects(mod(`(func) (func)`), /4 functions, limit 3/, small)
  rejects(mod(`(global i32 (i32.const 0)) (global i32 (i32.const 0)) (global i32 (i32.const 0))`), /3 globals, limit 2/, small)
  rejects(program("(i32.const 0)", `(func (param i32 i32) (local i64 i64 i64 i64 i64 i64 i64))`), /more than 8 params and locals/, small)
  // the operand stack counts in the frame weight: 500 values live at once
  const deep = `(func (result i32) ${"(i32.const 1) ".repeat(500)} ${"i32.add ".repeat(499)})`
  rejects(mod(deep), /frame weight of \d+ \(params \+ locals \+ operand stack\), over the stack limit 400/, small)
  const p = instrument(mod(deep))
  assert.ok(p.exportWeights.cyberwasm_dispatch! < 100)
})

test("floats, SIMD and passive data stay refused (the deterministic feature set)", () => {
  rejects(program("(i32.const 0)", `(func (result f32) (f32.const 1))`), /floating point/)
  rejects(program("(i32.const 0)", `(func (drop (v128.const i32x4 0 0 0 0)))`), /SIMD/)
  rejects(mod(`(data "passive")`), /passive data segments are not allowed/)
})

test.run()
