/**
 * Test double of the wasmd layer for the VM unit tests (test/cosmwasm/vm-*.test.ts): an in-memory
 * contract store, a bank querier answering `query_chain` as wasmd's QueryRequest/SystemResult
 * JSON, and helpers to call entry points with cosmwasm-std's Env / MessageInfo JSON.
 */
import { toBech32 } from "@cosmjs/encoding"
import { readFileSync } from "node:fs"
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
