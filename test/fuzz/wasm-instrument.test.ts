/**
 * Fuzzer of the CyberWasm upload validator and instrumenter (modules/cyberwasm/instrument,
 * public function `instrument`): random valid programs from a small structured generator (i32
 * expression trees with locals, loads/stores, blocks, loops, branches, calls, memory.grow, compiled
 * from WebAssembly text with binaryen), the same programs with forbidden features spliced in,
 * byte mutations of generated and fixture programs, and random bytes behind a Wasm header. The
 * instrumenter must either return a module that `WebAssembly.validate` accepts (and that
 * instantiates and runs under a gas budget, failing only with a Wasm trap) or throw the typed
 * ProgramRejected (a chain error, code != 1); never a raw exception. See docs/fuzzing.md.
 */
import { test } from "uvu"
import fc from "fast-check"
import { isChainError } from "../../chain/ChainError.ts"
import { instrument } from "../../modules/cyberwasm/instrument/Instrument.ts"
import { program, wat } from "../cyberwasm/fixtures/wat.ts"
import { bytesUpTo, concat, fuzz, mutated, printTotals } from "./support/Fuzz.ts"

const FILE = "test/fuzz/wasm-instrument.test.ts"

/** An i32 expression tree in WebAssembly text, over locals $a $b (params) and $x (local). */
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.integer().map((n) => `(i32.const ${n})`),
    fc.constantFrom("(local.get $a)", "(local.get $b)", "(local.get $x)", "(memory.size)", "(global.get $g)"),
    fc.tuple(fc.constantFrom("add", "sub", "mul", "and", "or", "xor", "shl", "shr_u", "shr_s", "rotl", "eq", "ne", "lt_s", "gt_u", "div_u", "rem_s"), tie("e"), tie("e"))
      .map(([op, l, r]) => `(i32.${op} ${l} ${r})`),
    fc.tuple(fc.constantFrom("eqz", "clz", "ctz", "popcnt", "extend8_s"), tie("e")).map(([op, v]) => `(i32.${op} ${v})`),
    fc.tuple(fc.constantFrom("i32.load", "i32.load8_u", "i32.load16_s"), fc.integer({ min: 0, max: 70000 }), tie("e"))
      .map(([op, off, a]) => `(${op} offset=${off} (i32.and ${a} (i32.const 65535)))`),
    fc.tuple(tie("e"), tie("e"), tie("e")).map(([c, t, f]) => `(if (result i32) ${c} (then ${t}) (else ${f}))`),
    fc.tuple(tie("e"), tie("e")).map(([v, c]) => `(block $blk (result i32) (drop (br_if $blk ${v} ${c})) (i32.const 7))`),
    fc.tuple(tie("e"), tie("e")).map(([a, v]) => `(block (result i32) (i32.store (i32.and ${a} (i32.const 65532)) ${v}) (i32.const 1))`),
    tie("e").map((n) => `(block (result i32) (local.set $x (i32.and ${n} (i32.const 31))) (loop $l (local.set $x (i32.sub (local.get $x) (i32.const 1))) (br_if $l (i32.gt_s (local.get $x) (i32.const 0)))) (local.get $x))`),
    fc.tuple(tie("e"), tie("e")).map(([a, b]) => `(call $helper ${a} ${b})`),
    tie("e").map((n) => `(memory.grow (i32.and ${n} (i32.const 3)))`),
    fc.tuple(tie("e"), tie("e")).map(([v, sel]) => `(select ${v} (i32.const 0) ${sel})`),
    tie("e").map((v) => `(block (result i32) (global.set $g ${v}) (global.get $g))`)
  )
})).e

/** Extra module fields: more functions, a table, data, and (with low weight) features the validator forbids. */
const extra = fc.array(fc.oneof(
  { weight: 6, arbitrary: expr.map((e) => `(func (param i32) (result i32) (local i32) ${e.replaceAll("$a", "0").replaceAll("$b", "0").replaceAll("$x", "1").replaceAll("local.get 0", "local.get 0")})`) },
  { weight: 2, arbitrary: fc.constant(`(table 4 funcref) (elem (i32.const 0) $helper)`) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 16 }).map((b) => `(data (i32.const 16) "${[...b].map((x) => "\\" + x.toString(16).padStart(2, "0")).join("")}")`) },
  { weight: 1, arbitrary: fc.constantFrom(
    `(func $f (result f32) (f32.const 1))`,
    `(start $helper0)`,
    `(import "env" "abort" (func))`,
    `(import "cyberkernel:program/host" "nope" (func))`,
    `(global $h (mut f64) (f64.const 0))`,
    `(func (result v128) (v128.const i32x4 0 0 0 0))`,
    `(memory $m2 1)`,
    `(table 100000 funcref)`,
    `(export "__cw_gas" (func $helper))`,
    `(func (param i32) (result i32) (local.get 0) (i32.atomic.load (i32.const 0)) (drop))`
  ) }
), { maxLength: 3 })

/** A generated program: the fixture skeleton (memory, cabi_realloc, cyberwasm_dispatch) around a random body. */
const generated: fc.Arbitrary<Uint8Array> = fc.tuple(expr, expr, extra, fc.constantFrom("(memory (export \"memory\") 1)", "(memory (export \"memory\") 1)", "(memory (export \"memory\") 1 4)", "(memory (export \"memory\") 1 4)", "(memory (export \"memory\") 0 1)", "(memory (export \"memory\") 300)"))
  .map(([body, helper, fields, memory]) => {
    const local = `(local $x i32) (local.set $x (i32.const 3))`
    const bodyWithLocals = `${local} ${body.replaceAll("$a", "0").replaceAll("$b", "1")}`
    const helperFn = `(func $helper (param $a i32) (param $b i32) (result i32) (local $x i32) ${helper.replaceAll("(call $helper", "(i32.add")})`
    const helper0 = `(func $helper0)`
    const text = fields.join("\n")
    try {
      return program(bodyWithLocals.replaceAll("(local.get 0)", "(local.get 0)"), `(global $g2 i32 (i32.const 0)) ${helperFn} ${helper0} ${text}`, memory)
    } catch {
      return undefined as unknown as Uint8Array
    }
  })
  .filter((b) => b !== undefined)

const fixtures = [
  program("(i32.add (i32.const 1) (i32.const 2))"),
  program("(loop $l (br_if $l (i32.const 0))) (i32.const 0)"),
  wat(`(module (memory (export "memory") 1) (func (export "cyberwasm_dispatch") (param i32 i32) (result i32) (i32.const 0)))`)
]

const input: fc.Arbitrary<{ kind: string; bytes: Uint8Array }> = fc.oneof(
  { weight: 4, arbitrary: generated.map((bytes) => ({ kind: "generated", bytes })) },
  { weight: 3, arbitrary: generated.chain((b) => mutated(b, fixtures)).map((bytes) => ({ kind: "mutated generated", bytes })) },
  { weight: 2, arbitrary: fc.constantFrom(...fixtures).chain((b) => mutated(b, fixtures)).map((bytes) => ({ kind: "mutated fixture", bytes })) },
  { weight: 1, arbitrary: bytesUpTo(64).map((b) => ({ kind: "header + random", bytes: concat(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), b) })) },
  { weight: 1, arbitrary: bytesUpTo(64).map((bytes) => ({ kind: "random", bytes })) }
)

const outcomes = new Map<string, number>()
const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1)

test("instrument: a module WebAssembly.validate accepts and that runs metered, or ProgramRejected (never code 1 / raw)", async () => {
  await fuzz(FILE, "instrument", fc.property(input, ({ kind, bytes }) => {
    let p
    try {
      p = instrument(bytes)
    } catch (e) {
      if (!isChainError(e)) throw new Error(`${kind}: raw ${e instanceof Error ? e.stack : String(e)} from instrument(${Buffer.from(bytes).toString("hex")})`)
      if (e.code === 1) throw new Error(`${kind}: code 1 from instrument: ${e.log}`)
      count(`${kind}: rejected`)
      return
    }
    if (!WebAssembly.validate(p.code as Uint8Array<ArrayBuffer>)) throw new Error(`${kind}: instrumented module does not validate; input ${Buffer.from(bytes).toString("hex")}`)
    count(`${kind}: accepted`)
    // Run it: with no host imports needed and a small gas budget, it ends with a result or a Wasm trap (out of gas included).
    if (p.imports.length > 0) return
    // (Instantiation itself may trap: a data segment beyond a 0-page memory is valid Wasm.)
    try {
      const ex = new WebAssembly.Instance(new WebAssembly.Module(p.code as Uint8Array<ArrayBuffer>), {}).exports as Record<string, unknown>
      ;(ex.__cw_gas as WebAssembly.Global).value = 100_000n
      ;(ex.cyberwasm_dispatch as ((a: number, b: number) => number) | undefined)?.(0, 0)
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw new Error(`${kind}: running the instrumented program threw ${e instanceof Error ? e.stack : String(e)}`)
      count(`${kind}: accepted, trapped`)
    }
  }), 300)
})

test.after(() => {
  process.stdout.write(`  outcomes: ${[...outcomes].sort().map(([k, n]) => `${k} ${n}`).join(", ")}\n`)
  printTotals(FILE)
})
test.run()
