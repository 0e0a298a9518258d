/**
 * Test double of the wasmd layer for the VM unit tests (test/cosmwasm/vm-*.test.ts): an in-memory
 * contract store, a bank querier answering `query_chain` as wasmd's QueryRequest/SystemResult
 * JSON, and helpers to call entry points with cosmwasm-std's Env / MessageInfo JSON.
 */
import { toBech32 } from "@cosmjs/encoding"
import { readFileSync } from "node:fs"
import { wat } from "../cyberwasm/fixtures/wat.ts"
import { MemoryKVStore } from "../../modules/cyberwasm/internal/MemoryKVStore.ts"
import type { CosmWasmVm, EntryPoint, VmBackend, VmOutcome } from "../../modules/cyberwasm/cosmwasm/Vm.ts"

export const PREFIX = "cosmos"
export const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/cosmwasm/${name}.wasm`, import.meta.url)))
export const addr = (seed: number, len = 20): string => toBech32(PREFIX, new Uint8Array(len).fill(seed), 1023)
export const CONTRACT = addr(0xcc, 32)

const enc = new TextEncoder()
const dec = new TextDecoder()
export const json = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v))
export const parse = (b: Uint8Array): any => JSON.parse(dec.decode(b))
export const b64 = (s: string): string => Buffer.from(s).toString("base64")
export const unb64 = (s: string): any => JSON.parse(Buffer.from(s, "base64").toString())

/** cosmwasm-std Env JSON (1.x and 2.x). */
export const env = (height = 12345) => ({
  block: { height, time: "1571797419879305533", chain_id: "cosmos-testnet-14002" },
  transaction: { index: 3 },
  contract: { address: CONTRACT }
})
export const info = (sender: string, funds: Array<{ denom: string; amount: string }> = []) => ({ sender, funds })

/** A backend over an in-memory store with bank balances; records debug lines and queries. */
export class TestBackend implements VmBackend {
  readonly storage = new MemoryKVStore()
  readonly bech32Prefix = PREFIX
  readonly balances = new Map<string, Array<{ denom: string; amount: string }>>()
  readonly debugs: string[] = []
  readonly queries: unknown[] = []
  queryGas = 17n
  query(request: Uint8Array, gasLimit: bigint): { result: Uint8Array; gasUsed: bigint } {
    const q = parse(request)
    this.queries.push(q)
    const gasUsed = this.queryGas > gasLimit ? gasLimit : this.queryGas
    if (q.bank?.all_balances) return { result: json({ ok: { ok: b64(JSON.stringify({ amount: this.balances.get(q.bank.all_balances.address) ?? [] })) } }), gasUsed }
    if (q.bank?.balance) {
      const c = (this.balances.get(q.bank.balance.address) ?? []).find((x) => x.denom === q.bank.balance.denom) ?? { denom: q.bank.balance.denom, amount: "0" }
      return { result: json({ ok: { ok: b64(JSON.stringify({ amount: c })) } }), gasUsed }
    }
    return { result: json({ error: { unsupported_request: { kind: Object.keys(q)[0] ?? "?" } } }), gasUsed }
  }
  debug(message: string): void {
    this.debugs.push(message)
  }
}

/** Call `entry` with JSON args; returns the parsed ContractResult and the outcome. */
export const run = (
  vm: CosmWasmVm,
  checksum: Uint8Array,
  backend: VmBackend,
  entry: EntryPoint,
  args: ReadonlyArray<unknown>,
  gasLimit = 5_000_000n
): { res: any; out: VmOutcome } => {
  const out = vm.call({ checksum, entry, args: args.map(json), gasLimit, readOnly: entry === "query" }, backend)
  return { res: parse(out.result), out }
}

/**
 * A minimal hand-written contract (WAT): bump allocator, `$region(offset, capacity, length)`,
 * `query(env, msg)` and `execute(env, info, msg)` running `body` with locals `$env` and `$msg`
 * (region pointers); `imports`, `memory`, `exports` replace those parts.
 */
export const contract = (body: string, opts: { imports?: string; memory?: string; exports?: string; entry?: string } = {}): Uint8Array => wat(`(module
  (import "env" "db_read" (func $db_read (param i32) (result i32)))
  (import "env" "db_write" (func $db_write (param i32 i32)))
  (import "env" "db_next" (func $db_next (param i32) (result i32)))
  ${opts.imports ?? ""}
  ${opts.memory ?? `(memory (export "memory") 2)`}
  (global $heap (mut i32) (i32.const 4096))
  ${opts.exports ?? `(func (export "interface_version_8"))`}
  (func $alloc (export "allocate") (param $size i32) (result i32) (local $p i32)
    (local.set $p (global.get $heap))
    (i32.store (local.get $p) (i32.add (local.get $p) (i32.const 12)))
    (i32.store offset=4 (local.get $p) (local.get $size))
    (i32.store offset=8 (local.get $p) (i32.const 0))
    (global.set $heap (i32.add (local.get $p) (i32.add (local.get $size) (i32.const 12))))
    (local.get $p))
  (func (export "deallocate") (param i32))
  (func $region (param $off i32) (param $cap i32) (param $len i32) (result i32) (local $p i32)
    (local.set $p (call $alloc (i32.const 0)))
    (i32.store (local.get $p) (local.get $off))
    (i32.store offset=4 (local.get $p) (local.get $cap))
    (i32.store offset=8 (local.get $p) (local.get $len))
    (local.get $p))
  (func $run (param $env i32) (param $msg i32) (result i32) ${body})
  (func (export "${opts.entry ?? "query"}") (param i32 i32) (result i32) (call $run (local.get 0) (local.get 1)))
  (func (export "execute") (param i32 i32 i32) (result i32) (call $run (local.get 1) (local.get 2)))
)`)

