// Memory as a deterministic count over the call stack (maxTreePages) and the price of state
// growth: a page new to the state costs 30 gas per byte (wasmd's WriteCostPerByte), a rewrite
// `pageWriteGas`, and a call that cannot pay for its new pages persists nothing.
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { defaultLimits } from "../../modules/cyberwasm/instrument/Limits.ts"
import { defaultParams } from "../../modules/cyberwasm/Params.ts"
import { TestEnv } from "../../modules/cyberwasm/TestEnv.ts"
import { wat } from "./fixtures/wat.ts"

/**
 * Grower. Input `[0, n]`: memory.grow(n), then one byte written into each new page; returns the
 * grow result (i32 LE). Input `[1, len] + address + calleeInput`: calls the address and returns
 * its data, or err(its error).
 */
const grower = wat(`(module
 (import "cyberwasm" "call" (func $call (param i32 i32 i32 i32 i32)))
 (memory (export "memory") 1)
 (global $bump (mut i32) (i32.const 4096))
 (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
  (local.set $p (global.get $bump))
  (global.set $bump (i32.add (global.get $bump) (i32.add (local.get 3) (i32.const 8))))
  (local.get $p))
 (func (export "cyberwasm_dispatch") (param $p i32) (param $n i32) (result i32) (local $old i32) (local $i i32) (local $a i32)
  (global.set $bump (i32.const 4096))
  (if (i32.eqz (i32.load8_u (local.get $p)))
   (then
    (local.set $old (memory.grow (i32.load8_u (i32.add (local.get $p) (i32.const 1)))))
    (if (i32.ne (local.get $old) (i32.const -1))
     (then
      (local.set $i (local.get $old))
      (block $done (loop $l
       (br_if $done (i32.ge_u (local.get $i) (memory.size)))
       (i32.store8 (i32.mul (local.get $i) (i32.const 65536)) (i32.const 7))
       (local.set $i (i32.add (local.get $i) (i32.const 1)))
       (br $l)))))
    (i32.store (i32.const 200) (local.get $old))
    (i32.store8 (i32.const 64) (i32.const 0)) (i32.store (i32.const 68) (i32.const 200)) (i32.store (i32.const 72) (i32.const 4))
    (return (i32.const 64))))
  (local.set $a (i32.load8_u (i32.add (local.get $p) (i32.const 1))))
  (call $call (i32.add (local.get $p) (i32.const 2)) (local.get $a)
              (i32.add (i32.add (local.get $p) (i32.const 2)) (local.get $a)) (i32.sub (i32.sub (local.get $n) (i32.const 2)) (local.get $a))
              (i32.const 80))
  (i32.store8 (i32.const 64) (i32.load8_u (i32.const 80))) (i32.store (i32.const 68) (i32.load (i32.const 84))) (i32.store (i32.const 72) (i32.load (i32.const 88)))
  (i32.const 64))
)`)

const test = suite("cyberwasm memory limits and pricing")
const enc = (s: string) => new TextEncoder().encode(s)
const grow = (n: number) => new Uint8Array([0, n])
const via = (target: string, input: Uint8Array) => new Uint8Array([1, target.length, ...enc(target), ...input])
const i32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getInt32(0, true)
const PAGE_PRICE = 30 * 65536

test("a page new to the state costs 30 gas per byte; a rewrite costs pageWriteGas; a call that cannot pay persists nothing", () => {
  assert.is(defaultParams.stateGasPerByte, 30)
  const env = new TestEnv()
  const p = env.deploy(env.upload(grower), { gas: 50_000_000 })
  // the program's page 0 is zero until its first call writes it: that call grows the state by a page
  const first = env.tryCall(p, grow(0), { gas: 50_000_000 })
  assert.ok(first.ok && first.gasUsed >= PAGE_PRICE, `first write of page 0: ${first.gasUsed}`)
  const rewrite = env.tryCall(p, grow(0), { gas: 50_000_000 })
  assert.ok(rewrite.ok, rewrite.error)
  assert.ok(rewrite.gasUsed < 20_000, `a call rewriting page 0 only: ${rewrite.gasUsed}`)
  const one = env.tryCall(p, grow(1), { gas: 50_000_000 })
  assert.ok(one.ok, one.error)
  assert.is(i32(one.data), 1)
  assert.ok(one.gasUsed - rewrite.gasUsed >= PAGE_PRICE, `one new page: ${one.gasUsed - rewrite.gasUsed} gas`)
  assert.ok(one.gasUsed - rewrite.gasUsed < PAGE_PRICE + 20_000)
  assert.is(env.info(p).pages, 2)
  // four new pages with gas for three: out of gas, nothing persisted, memory as before
  const short = env.tryCall(p, grow(4), { gas: 3 * PAGE_PRICE + 10_000 })
  assert.is(short.ok, false)
  assert.is(short.code, 11, short.error)
  assert.match(short.error, /persisting 5 pages \(4 new to the state\)/)
  assert.is(env.info(p).pages, 2)
  assert.equal(env.storedPages(p), [0, 1])
  // 64 MiB of growth costs what wasmd would charge for 64 MiB written: about 2 G gas
  assert.ok(1024 * PAGE_PRICE > 2_000_000_000)
})

test("the programs on one call stack share maxTreePages: memory.grow returns -1 and nested calls are refused past it, the same every time", () => {
  const env = new TestEnv({ params: { limits: { ...defaultLimits, maxTreePages: 4 } } })
  const code = env.upload(grower)
  const [a, b, c] = [env.deploy(code), env.deploy(code), env.deploy(code)]
  // alone, a program grows to the tree's budget and no further
  assert.is(i32(env.call(a, grow(3), { gas: 50_000_000 })), 1)
  assert.is(i32(env.call(a, grow(1), { gas: 50_000_000 })), -1)
  assert.is(env.info(a).pages, 4)
  // a (4 pages) calling b (1 page) would hold 5 pages: refused, a gets the error
  const refused = env.tryCall(a, via(b, grow(0)), { gas: 50_000_000 })
  assert.is(refused.ok, false)
  assert.match(refused.error, /the call stack would hold 5 memory pages, over the limit 4/)
  // b (1 page) calling c (1 page): c may grow to 4 - 1 = 3 pages, not 4
  assert.is(i32(env.call(b, via(c, grow(3)), { gas: 50_000_000 })), -1)
  assert.is(i32(env.call(b, via(c, grow(2)), { gas: 50_000_000 })), 1)
  assert.is(env.info(c).pages, 3)
  // alone again, c can grow to the full budget
  assert.is(i32(env.call(c, grow(1), { gas: 50_000_000 })), 3)
})

test.run()
