/**
 * CosmWasm VM benchmark (issue 13). Run: `npx node bench/cosmwasm-vm.bench.ts`. Results go to
 * docs/performance.md ("CosmWasm VM").
 *
 * cw20-base transfers per second through the VM (instrumented module: gas per segment and stack
 * depth, bounds-checked regions, SDK KV gas, a fresh instance per call) against the same
 * contract in a bare `WebAssembly.Instance` (uninstrumented, minimal `env` imports over a Map, a
 * fresh instance per call as CosmWasm's memory model requires), same run, as a ratio; and the
 * time of instance creation alone, which both pay on every call.
 */
import { fromBech32, toBech32 } from "@cosmjs/encoding"
import { makeCosmWasmVm } from "../modules/cyberwasm/cosmwasm/vm/CosmWasmVmLive.ts"
import { addr, env, fixture, info, json, TestBackend } from "../test/cosmwasm/vm-support.ts"

const wasm = fixture("cw20_base")
const alice = addr(1)
const bob = addr(2)
const instantiateMsg = { name: "Cash Token", symbol: "CASH", decimals: 9, initial_balances: [{ address: alice, amount: "1000000000000" }] }
const transferArgs = [env(), info(alice), { transfer: { recipient: bob, amount: "1" } }].map(json)

const time = (f: () => void, minMs = 1000): number => {
  for (let i = 0; i < 50; i++) f()
  let n = 0
  const t0 = performance.now()
  let t = t0
  while (t - t0 < minMs) {
    f()
    n++
    t = performance.now()
  }
  return n / ((t - t0) / 1000)
}
const best = (f: () => void, rounds = 5): number => Math.max(...Array.from({ length: rounds }, () => time(f)))

// ---- through the VM ----
const vm = makeCosmWasmVm()
const { checksum } = vm.analyze(wasm)
const backend = new TestBackend()
const init = vm.call({ checksum, entry: "instantiate", args: [env(), info(alice), instantiateMsg].map(json), gasLimit: 10_000_000n, readOnly: false }, backend)
if (!new TextDecoder().decode(init.result).startsWith("{\"ok\"")) throw new Error("instantiate failed")
let gasUsed = 0n
const viaVm = () => {
  const out = vm.call({ checksum, entry: "execute", args: transferArgs, gasLimit: 10_000_000n, readOnly: false }, backend)
  gasUsed = out.gasUsed
}

// ---- bare: the original module, minimal imports ----
const bare = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>)
const kv = new Map<string, Uint8Array>()
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const bareCall = (reuse?: WebAssembly.Instance): ((entry: string, args: Uint8Array[]) => Uint8Array) => {
  let ex: { memory: WebAssembly.Memory; allocate: (n: number) => number; deallocate: (p: number) => void } & Record<string, (...a: number[]) => number>
  const mem = () => new DataView(ex.memory.buffer)
  const read = (ptr: number) => {
    const v = mem()
    return new Uint8Array(ex.memory.buffer, v.getUint32(ptr, true), v.getUint32(ptr + 8, true)).slice()
  }
  const write = (data: Uint8Array) => {
    const ptr = ex.allocate(data.length) >>> 0
    new Uint8Array(ex.memory.buffer, mem().getUint32(ptr, true), data.length).set(data)
    mem().setUint32(ptr + 8, data.length, true)
    return ptr
  }
  const unsupported = () => {
    throw new Error("unsupported import in the bare baseline")
  }
  const imports = {
    env: {
      db_read: (k: number) => {
        const v = kv.get(hex(read(k)))
        return v ? write(v) : 0
      },
      db_write: (k: number, v: number) => void kv.set(hex(read(k)), read(v)),
      db_remove: (k: number) => void kv.delete(hex(read(k))),
      addr_validate: () => 0,
      addr_canonicalize: (s: number, d: number) => {
        const data = fromBech32(new TextDecoder().decode(read(s))).data
        new Uint8Array(ex.memory.buffer, mem().getUint32(d, true), data.length).set(data)
        mem().setUint32(d + 8, data.length, true)
        return 0
      },
      addr_humanize: (s: number, d: number) => {
        const data = new TextEncoder().encode(toBech32("cosmos", read(s)))
        new Uint8Array(ex.memory.buffer, mem().getUint32(d, true), data.length).set(data)
        mem().setUint32(d + 8, data.length, true)
        return 0
      },
      debug: () => {},
      abort: unsupported, query_chain: unsupported, db_scan: unsupported, db_next: unsupported,
      secp256k1_verify: unsupported, secp256k1_recover_pubkey: unsupported, ed25519_verify: unsupported, ed25519_batch_verify: unsupported
    }
  }
  return (entry, args) => {
    const inst = reuse ?? new WebAssembly.Instance(bare, imports)
    ex = inst.exports as typeof ex
    const res = ex[entry]!(...args.map(write)) >>> 0
    const out = read(res)
    ex.deallocate(res)
    return out
  }
}
const fresh = bareCall()
const initBare = fresh("instantiate", [env(), info(alice), instantiateMsg].map(json))
if (!new TextDecoder().decode(initBare).startsWith("{\"ok\"")) throw new Error("bare instantiate failed")
const viaBare = () => void fresh("execute", transferArgs)

// instance creation alone (the share of a call both pay)
const instrumented = vm.cache.get(checksum)!.module
const stubs = (m: WebAssembly.Module) => ({ env: Object.fromEntries(WebAssembly.Module.imports(m).map((i) => [i.name, () => 0])) })
const newInstrumented = () => void new WebAssembly.Instance(instrumented, stubs(instrumented))
const newBare = () => void new WebAssembly.Instance(bare, stubs(bare))

// alternate the two so that load from other processes hits both alike; best of 7 rounds each
let vmRate = 0
let bareRate = 0
for (let round = 0; round < 7; round++) {
  vmRate = Math.max(vmRate, time(viaVm))
  bareRate = Math.max(bareRate, time(viaBare))
}
console.log(`cw20 transfer through the VM: ${vmRate.toFixed(0)} /s (gas used ${gasUsed} SDK gas per transfer)`)
console.log(`cw20 transfer, bare instance per call: ${bareRate.toFixed(0)} /s`)
console.log(`ratio VM / bare: ${(vmRate / bareRate).toFixed(2)}`)
const ni = best(newInstrumented)
const nb = best(newBare)
console.log(`instance creation alone: instrumented ${(1000 / ni).toFixed(3)} ms, bare ${(1000 / nb).toFixed(3)} ms`)
