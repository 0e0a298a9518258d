/**
 * The CosmWasm VM's interface edges with hand-written contracts (WAT): bounds-checked regions,
 * NaN canonicalisation, read-only mode, length limits, and cosmwasm-vm's static refusals with its
 * words (packages/vm/src/compatibility.rs, memory.rs, imports.rs).
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { OutOfGas } from "../../chain/ChainError.ts"
import { ProgramFailed, ProgramRejected } from "../../modules/cyberwasm/CyberWasmError.ts"
import { makeCosmWasmVm } from "../../modules/cyberwasm/cosmwasm/vm/CosmWasmVmLive.ts"
import { wat } from "../cyberwasm/fixtures/wat.ts"
import { contract, TestBackend } from "./vm-support.ts"

const test = suite("cosmwasm vm: interface edges")
const vm = makeCosmWasmVm()

const call = (bytes: Uint8Array, opts: { readOnly?: boolean; gas?: bigint; backend?: TestBackend } = {}) => {
  const { checksum } = vm.analyze(bytes)
  const readOnly = opts.readOnly ?? true
  return vm.call({ checksum, entry: readOnly ? "query" : "execute", args: readOnly ? [new Uint8Array(2), new Uint8Array(2)] : [new Uint8Array(2), new Uint8Array(2), new Uint8Array(2)], gasLimit: opts.gas ?? 1_000_000n, readOnly }, opts.backend ?? new TestBackend())
}
const fails = (bytes: Uint8Array, text: string, opts: { readOnly?: boolean } = {}) => {
  try {
    call(bytes, opts)
  } catch (e) {
    assert.instance(e, ProgramFailed)
    assert.ok((e as ProgramFailed).log.includes(text), (e as ProgramFailed).log)
    return
  }
  assert.unreachable(`expected a failure containing ${text}`)
}
const refused = (bytes: Uint8Array, text: string) => {
  try {
    vm.analyze(bytes)
  } catch (e) {
    assert.instance(e, ProgramRejected)
    assert.is((e as ProgramRejected).log, `Error calling the VM: Error during static Wasm validation: ${text}`)
    return
  }
  assert.unreachable(`expected the refusal: ${text}`)
}

test("a result region returns the bytes it points at", () => {
  const out = call(contract(`(i32.store (i32.const 100) (i32.const 0x6b6f227b)) (call $region (i32.const 100) (i32.const 4) (i32.const 4))`))
  assert.is(new TextDecoder().decode(out.result), "{\"ok")
  assert.ok(out.gasUsed >= 0n)
})

test("bad regions are contract failures with cosmwasm-vm's words, never host faults", () => {
  fails(contract(`(drop (call $db_read (i32.const 0x7ffffff0))) (i32.const 0)`), "could not be dereferenced")
  fails(contract(`(drop (call $db_read (call $region (i32.const 0) (i32.const 4) (i32.const 4)))) (i32.const 0)`), "Got a zero Wasm address in the offset")
  fails(contract(`(drop (call $db_read (call $region (i32.const 100) (i32.const 4) (i32.const 5)))) (i32.const 0)`), "Region length exceeds capacity. Length 5, capacity 4")
  fails(contract(`(drop (call $db_read (call $region (i32.const 0xfffffff0) (i32.const 0x20) (i32.const 4)))) (i32.const 0)`), "Region exceeds address space")
  fails(contract(`(drop (call $db_read (call $region (i32.const 131000) (i32.const 1000) (i32.const 1000)))) (i32.const 0)`), "Tried to access memory of region")
  fails(contract(`(i32.const 0x7fffff00)`), "could not be dereferenced")
  fails(contract(`(call $region (i32.const 131000) (i32.const 1000) (i32.const 1000))`), "Tried to access memory of region")
  fails(contract(`(drop (call $db_next (i32.const 7))) (i32.const 0)`), "Iterator 7 does not exist")
})

test("keys and values over cosmwasm-vm's limits are refused", () => {
  fails(contract(`(call $db_write (call $region (i32.const 100) (i32.const 65537) (i32.const 65537)) (call $region (i32.const 100) (i32.const 1) (i32.const 1))) (i32.const 0)`), "Key too big. Tried to write 65537 bytes to storage, limit is 65536.", { readOnly: false })
  fails(contract(`(call $db_write (call $region (i32.const 100) (i32.const 1) (i32.const 1)) (call $region (i32.const 100) (i32.const 131073) (i32.const 131073))) (i32.const 0)`), "Value too big. Tried to write 131073 bytes to storage, limit is 131072.", { readOnly: false })
  fails(contract(`(drop (call $db_read (call $region (i32.const 100) (i32.const 65537) (i32.const 65537)))) (i32.const 0)`), "Region length too big. Got 65537, limit 65536")
})

test("the result costs 1 SDK gas per byte (wasmvm's deserialization charge); too little gas left for it fails the call", () => {
  const sized = (n: number) => contract(`(call $region (i32.const 1000) (i32.const ${n}) (i32.const ${n}))`)
  const small = call(sized(10))
  const large = call(sized(5010))
  assert.is(large.gasUsed - small.gasUsed, 5_000n)
  assert.throws(() => call(sized(5010), { gas: 4_000n }), (e: unknown) => e instanceof ProgramFailed && e.log.includes("insufficient gas left to deserialize contract execution result (5010 bytes)"))
})

test("read-only calls cannot write; writable calls can, charging SDK KV gas; a host charge past the limit is OutOfGas", () => {
  const write = contract(`(i32.store (i32.const 100) (i32.const 0x41414141)) (call $db_write (call $region (i32.const 100) (i32.const 2) (i32.const 2)) (call $region (i32.const 100) (i32.const 4) (i32.const 4))) (call $region (i32.const 100) (i32.const 2) (i32.const 2))`)
  fails(write, "Must not call a writing storage function in this context.")
  const be = new TestBackend()
  const out = call(write, { readOnly: false, backend: be })
  assert.equal([...be.storage.get(new Uint8Array([0x41, 0x41]))!], [0x41, 0x41, 0x41, 0x41])
  assert.ok(out.gasUsed >= 2_000n + 30n * 6n, `write costs 2000 + 30/byte: ${out.gasUsed}`)
  assert.throws(() => call(write, { readOnly: false, gas: 1_000n }), (e: unknown) => e instanceof OutOfGas)
})

test("KV gas is the SDK's gaskv on the full key (prefix included): read, write, delete, iterator seeks", () => {
  const backend = () => Object.assign(new TestBackend(), { storageKeyPrefixLength: 33 })
  const run = (body: string, be: TestBackend, imports = "") => {
    const { checksum } = vm.analyze(contract(body, { imports }))
    return vm.call({ checksum, entry: "execute", args: [new Uint8Array(2), new Uint8Array(2), new Uint8Array(2)], gasLimit: 1_000_000n, readOnly: false }, be)
  }
  const empty = `(call $region (i32.const 100) (i32.const 0) (i32.const 0))`
  // the contract's own execution stays below one SDK gas (140,000 CW gas), so gasUsed is the KV gas alone
  const be = backend()
  assert.is(run(`(call $db_write (call $region (i32.const 100) (i32.const 2) (i32.const 2)) (call $region (i32.const 100) (i32.const 4) (i32.const 4))) ${empty}`, be).gasUsed, 2_000n + 30n * (33n + 2n + 4n))
  assert.is(run(`(drop (call $db_read (call $region (i32.const 100) (i32.const 2) (i32.const 2)))) ${empty}`, be).gasUsed, 1_000n + 3n * (33n + 2n + 4n))
  assert.is(run(`(drop (call $db_read (call $region (i32.const 200) (i32.const 3) (i32.const 3)))) ${empty}`, be).gasUsed, 1_000n + 3n * (33n + 3n))
  be.storage.set(Uint8Array.of(9), Uint8Array.of(1, 2))
  // scan (arrives at entry 1) + next (returns 1, arrives at 2) + next (returns 2, arrives at the end) + next (nothing, free)
  const scan = `(import "env" "db_scan" (func $db_scan (param i32 i32 i32) (result i32)))`
  const seeks = run(`(local $it i32) (local.set $it (call $db_scan (i32.const 0) (i32.const 0) (i32.const 1)))
    (drop (call $db_next (local.get $it))) (drop (call $db_next (local.get $it))) (drop (call $db_next (local.get $it))) ${empty}`, be, scan).gasUsed
  const entry1 = 3n * (33n + 2n + 4n)
  const entry2 = 3n * (33n + 1n + 2n)
  assert.is(seeks, 30n + entry1 + 30n + entry2 + 30n)
  // an empty key fails the call, as the SDK store's AssertValidKey does under wasmvm
  assert.throws(() => run(`(drop (call $db_read (call $region (i32.const 100) (i32.const 0) (i32.const 0)))) ${empty}`, be), (e: unknown) => e instanceof ProgramFailed && e.log.includes("key is empty"))
})

test("NaN results are canonical (cosmwasm-vm ≥ 1.5): 0/0, sqrt(-1), payload NaN + 1", () => {
  // memory[0..4) = 0 (loaded so the engine cannot fold); memory[8..12) = f32 NaN with payload
  const bytes = contract(`
    (i32.store (i32.const 8) (i32.const 0x7fa00001))
    (i64.store (i32.const 16) (i64.const 0x7ff4000000000001))
    (i32.store (i32.const 200) (i32.reinterpret_f32 (f32.div (f32.load (i32.const 0)) (f32.load (i32.const 0)))))
    (i64.store (i32.const 204) (i64.reinterpret_f64 (f64.sqrt (f64.sub (f64.load (i32.const 0)) (f64.const 1)))))
    (i32.store (i32.const 212) (i32.reinterpret_f32 (f32.add (f32.load (i32.const 8)) (f32.const 1))))
    (i64.store (i32.const 216) (i64.reinterpret_f64 (f64.mul (f64.load (i32.const 16)) (f64.const 2))))
    (i32.store (i32.const 224) (i32.reinterpret_f32 (f32.demote_f64 (f64.load (i32.const 16)))))
    (i32.store (i32.const 228) (i32.reinterpret_f32 (f32.neg (f32.load (i32.const 8)))))
    (call $region (i32.const 200) (i32.const 32) (i32.const 32))`)
  const r = Buffer.from(call(bytes).result)
  assert.is(r.readUInt32LE(0), 0x7fc00000)
  assert.is(r.readBigUInt64LE(4), 0x7ff8000000000000n)
  assert.is(r.readUInt32LE(12), 0x7fc00000)
  assert.is(r.readBigUInt64LE(16), 0x7ff8000000000000n)
  assert.is(r.readUInt32LE(24), 0x7fc00000)
  assert.is(r.readUInt32LE(28), 0xffa00001, "neg is a bit operation: its bits are kept, as in wasmer")
})

test("static checks refuse with cosmwasm-vm's text", () => {
  refused(contract("(i32.const 0)", { exports: "" }), "Wasm contract missing a required marker export: interface_version_*")
  refused(contract("(i32.const 0)", { exports: `(func (export "interface_version_7"))` }), "Wasm contract has unknown interface_version_* marker export (see https://github.com/CosmWasm/cosmwasm/blob/main/packages/vm/README.md)")
  refused(contract("(i32.const 0)", { exports: `(func (export "interface_version_8")) (func (export "interface_version_9"))` }), "Wasm contract contains more than one marker export: interface_version_*")
  refused(contract("(i32.const 0)", { memory: `(memory (export "memory") 2 10)` }), "Wasm contract memory's maximum must be unset. The host will set it for you.")
  refused(contract("(i32.const 0)", { memory: `(memory (export "memory") 513)` }), "Wasm contract memory's minimum must not exceed 512 pages.")
  refused(contract("(i32.const 0)", { imports: `(import "env" "foo" (func (param i32)))` }), "Wasm contract requires unsupported import: \"env.foo\". Required imports: {\"env.db_next\", \"env.db_read\", \"env.db_write\", \"env.foo\"}. Available imports: [\"env.abort\", \"env.db_read\", \"env.db_write\", \"env.db_remove\", \"env.addr_validate\", \"env.addr_canonicalize\", \"env.addr_humanize\", \"env.bls12_381_aggregate_g1\", \"env.bls12_381_aggregate_g2\", \"env.bls12_381_pairing_equality\", \"env.bls12_381_hash_to_g1\", \"env.bls12_381_hash_to_g2\", \"env.secp256k1_verify\", \"env.secp256k1_recover_pubkey\", \"env.secp256r1_verify\", \"env.secp256r1_recover_pubkey\", \"env.ed25519_verify\", \"env.ed25519_batch_verify\", \"env.debug\", \"env.query_chain\", \"env.db_scan\", \"env.db_next\", \"env.db_next_key\", \"env.db_value\"].".replace("env.db_value", "env.db_next_value"))
  refused(contract("(i32.const 0)", { imports: `(import "env" "debug" (func (param i32 i32)))` }), "import env.debug has signature (i32,i32) -> (), expected (i32) -> ()")
  refused(contract("(i32.const 0)", { imports: `(table 10 funcref)` }), "Wasm contract must not have unbound table section")
  refused(contract("(i32.const 0)", { imports: `(table 2501 2501 funcref)` }), "Wasm contract's first table section has a too large max limit")
  refused(contract("(memory.fill (i32.const 0) (i32.const 0) (i32.const 4)) (i32.const 0)"), "bulk memory operation (memory.copy / memory.fill) in function 7 (bulk memory operations are not supported)")
  refused(contract("(drop (i32x4.splat (i32.const 0))) (i32.const 0)"), "SIMD instruction in function 7 (SIMD is not allowed)")
  refused(contract("(i32.const 0)", { exports: `(func (export "interface_version_8")) (func (export "requires_teleport")) (func (export "requires_iterator"))` }), "Wasm contract requires unavailable capabilities: {\"teleport\"}")
  const noAlloc = wat(`(module (memory (export "memory") 1) (func (export "interface_version_8")) (func (export "deallocate") (param i32)))`)
  refused(noAlloc, "Wasm contract doesn't have required export: \"allocate\". Exports required by VM: [\"allocate\", \"deallocate\"].")
})

test("unbounded recursion stops at the instrumenter's stack budget: a failed call, the same gas every time", () => {
  const bytes = contract(`(call $deep (i32.const 0))`, { imports: `(func $deep (param $n i32) (result i32) (call $deep (i32.add (local.get $n) (i32.const 1))))` })
  const { checksum } = vm.analyze(bytes)
  const once = () => {
    try {
      vm.call({ checksum, entry: "query", args: [new Uint8Array(2), new Uint8Array(2)], gasLimit: 1_000_000n, readOnly: true }, new TestBackend())
    } catch (e) {
      assert.instance(e, ProgramFailed)
      assert.ok((e as ProgramFailed).log.includes("RuntimeError: unreachable"), (e as ProgramFailed).log)
      return (e as unknown as { gasUsed: bigint }).gasUsed
    }
    throw new Error("must fail")
  }
  const a = once()
  assert.ok(a > 0n && a < 1_000_000n)
  assert.is(once(), a)
})

test("nested contract calls (query_chain -> the same contract) share one stack budget: the depth reached is fixed", () => {
  // query: query_chain(msg) and return its answer; the backend answers by calling the contract again
  const bytes = contract(`(call $query_chain (local.get $msg))`, { imports: `(import "env" "query_chain" (func $query_chain (param i32) (result i32)))` })
  const { checksum } = vm.analyze(bytes)
  const depthReached = () => {
    let depth = 0
    let max = 0
    const be = new TestBackend()
    be.query = (request: Uint8Array, gasLimit: bigint) => {
      depth++
      max = Math.max(max, depth)
      try {
        const out = vm.call({ checksum, entry: "query", args: [new Uint8Array(2), request], gasLimit, readOnly: true }, be)
        return { result: out.result, gasUsed: out.gasUsed }
      } catch (e) {
        if (!(e instanceof ProgramFailed)) throw e
        assert.ok(e.log.includes("call stack exhausted") || e.log.includes("unreachable"), e.log)
        return { result: new TextEncoder().encode("{\"error\":{}}"), gasUsed: 0n }
      } finally {
        depth--
      }
    }
    vm.call({ checksum, entry: "query", args: [new Uint8Array(2), new Uint8Array(2)], gasLimit: 100_000_000n, readOnly: true }, be)
    return max
  }
  const a = depthReached()
  assert.ok(a > 3 && a < 100, `nesting depth ${a}`)
  assert.is(depthReached(), a)
})

test("nested contract calls share a 2,048-page memory budget: memory.grow returns -1 past it", () => {
  // grow 500 pages; on success call query_chain (the backend calls the contract again), else answer "full"
  const bytes = contract(`(if (result i32) (i32.eq (memory.grow (i32.const 500)) (i32.const -1))
      (then (i32.store (i32.const 100) (i32.const 0x6c6c7566)) (call $region (i32.const 100) (i32.const 4) (i32.const 4)))
      (else (call $query_chain (local.get $msg))))`, { imports: `(import "env" "query_chain" (func $query_chain (param i32) (result i32)))` })
  const { checksum } = vm.analyze(bytes)
  let depth = 0
  const be = new TestBackend()
  be.query = (request: Uint8Array, gasLimit: bigint) => {
    depth++
    const out = vm.call({ checksum, entry: "query", args: [new Uint8Array(2), request], gasLimit, readOnly: true }, be)
    return { result: out.result, gasUsed: out.gasUsed }
  }
  const out = vm.call({ checksum, entry: "query", args: [new Uint8Array(2), new Uint8Array(2)], gasLimit: 100_000_000n, readOnly: true }, be)
  assert.is(new TextDecoder().decode(out.result), "full")
  assert.is(depth, 4, "four instances of 502 pages fit in 2,048; the fifth cannot grow")
  // alone, a single instance grows to its own 512-page limit
  const single = contract(`(i32.store (i32.const 100) (memory.grow (i32.const 510))) (call $region (i32.const 100) (i32.const 4) (i32.const 4))`)
  const c2 = vm.analyze(single).checksum
  assert.is(Buffer.from(vm.call({ checksum: c2, entry: "query", args: [new Uint8Array(2), new Uint8Array(2)], gasLimit: 1_000_000n, readOnly: true }, new TestBackend()).result).readInt32LE(0), 2)
})

test("every call sees a fresh instance: memory and globals written by one call are gone in the next (pooled or not)", () => {
  // returns [memory[300], global $heap at entry] then scribbles over both
  const bytes = contract(`(local $r i32)
    (i32.store (i32.const 400) (i32.load (i32.const 300)))
    (i32.store (i32.const 404) (global.get $heap))
    (local.set $r (call $region (i32.const 400) (i32.const 8) (i32.const 8)))
    (i32.store (i32.const 300) (i32.const 0xdeadbeef))
    (global.set $heap (i32.const 60000))
    (local.get $r)`)
  for (const pooled of [makeCosmWasmVm(), makeCosmWasmVm({ instancePoolBytes: 0 })]) {
    const { checksum } = pooled.analyze(bytes)
    const once = () => pooled.call({ checksum, entry: "query", args: [new Uint8Array(2), new Uint8Array(2)], gasLimit: 1000n, readOnly: true }, new TestBackend())
    const a = once()
    const b = once()
    assert.equal([...a.result], [...b.result])
    assert.is(Buffer.from(a.result).readUInt32LE(0), 0)
    assert.is(a.gasUsed, b.gasUsed)
  }
})

test("the module cache is bounded (LRU by count) and a dropped module is reloaded on demand", () => {
  const small = makeCosmWasmVm({ cache: { maxEntries: 2, maxBytes: 1 << 30 } })
  const codes = [1, 2, 3].map((n) => contract(`(i32.const ${n}) (drop) (call $region (i32.const 100) (i32.const 0) (i32.const 0))`))
  const sums = codes.map((c) => small.analyze(c).checksum)
  assert.is(small.cache.size, 2)
  assert.not.ok(small.has(sums[0]!))
  assert.ok(small.has(sums[1]!) && small.has(sums[2]!))
  assert.throws(() => small.call({ checksum: sums[0]!, entry: "query", args: [new Uint8Array(2), new Uint8Array(2)], gasLimit: 1000n, readOnly: true }, new TestBackend()), (e: { _tag?: string }) => e._tag === "ProgramNotFound")
  small.load(sums[0]!, codes[0]!)
  assert.is(small.call({ checksum: sums[0]!, entry: "query", args: [new Uint8Array(2), new Uint8Array(2)], gasLimit: 1000n, readOnly: true }, new TestBackend()).result.length, 0)
})

test.run()
