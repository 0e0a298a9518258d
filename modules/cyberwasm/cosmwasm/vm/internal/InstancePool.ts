/**
 * Idle contract instances, reset to their just-instantiated state before reuse. A Wasm
 * instance's state is its linear memory, its mutable globals and its table; contracts cannot
 * change the table (table.set/grow are refused at upload), so zeroing the memory, writing the
 * active data segments again and restoring the globals gives the state `new WebAssembly.Instance`
 * gives: the contract sees a fresh instance, as cosmwasm-vm's memory model requires. An instance
 * whose memory grew, or that faulted on the host's side, is never reused (memory cannot shrink).
 *
 * Imports forward to the call's Environment through `holder`, so one instance serves many calls.
 * Nested calls of the same code (a contract querying itself) take another instance. Bounded by
 * the idle instances' linear-memory bytes, least recently used dropped first. Rust contracts
 * (every fixture) grow their memory in every call, so for them each call still instantiates; the
 * pool serves contracts that stay within their initial memory.
 */
import { DEPTH_EXPORT, FAULT_EXPORT, GAS_EXPORT, MEM_LIMIT_EXPORT } from "../../../instrument/Instrument.ts"
import type { AnalyzedContract } from "../Analyze.ts"

/** Default bound of idle instances' memory. */
export const DEFAULT_INSTANCE_POOL_BYTES = 128 * 1024 * 1024

/** An instance and the handles a call needs. */
export interface PooledInstance {
  readonly exports: Record<string, unknown>
  readonly memory: WebAssembly.Memory
  readonly gas: WebAssembly.Global
  readonly depth: WebAssembly.Global
  readonly fault: WebAssembly.Global
  /** Page limit of memory.grow (set per call). */
  readonly memLimit: WebAssembly.Global
  /** The current call's import functions (undefined between calls). */
  readonly holder: { fns: Readonly<Record<string, (...args: number[]) => unknown>> | undefined }
  readonly globals: ReadonlyArray<readonly [WebAssembly.Global, number | bigint]>
  readonly initialBytes: number
}

const create = (contract: AnalyzedContract): PooledInstance => {
  const holder: PooledInstance["holder"] = { fns: undefined }
  const env: Record<string, (a: number, b: number, c: number, d: number) => unknown> = {}
  for (const name of contract.program.importNames) {
    env[name] = (a, b, c, d) => holder.fns![name]!(a, b, c, d)
  }
  const exports = new WebAssembly.Instance(contract.module, { env }).exports as Record<string, unknown>
  const memory = exports.memory as WebAssembly.Memory
  const globals = contract.program.mutableGlobals.map((g) => {
    const global = exports[g.exportName] as WebAssembly.Global
    return [global, global.value as number | bigint] as const
  })
  return {
    exports,
    memory,
    gas: exports[GAS_EXPORT] as WebAssembly.Global,
    depth: exports[DEPTH_EXPORT] as WebAssembly.Global,
    fault: exports[FAULT_EXPORT] as WebAssembly.Global,
    memLimit: exports[MEM_LIMIT_EXPORT] as WebAssembly.Global,
    holder,
    globals,
    initialBytes: memory.buffer.byteLength
  }
}

const reset = (contract: AnalyzedContract, inst: PooledInstance): void => {
  const bytes = new Uint8Array(inst.memory.buffer)
  bytes.fill(0)
  for (const seg of contract.program.dataSegments) bytes.set(seg.bytes, seg.offset)
  for (const [global, value] of inst.globals) global.value = value
  inst.depth.value = 0
  inst.fault.value = 0
}

/** Idle instances by compiled contract (a module evicted from the cache leaves with the LRU). */
export class InstancePool {
  private readonly idle = new Map<AnalyzedContract, PooledInstance[]>()
  private bytes = 0
  private readonly maxBytes: number
  constructor(maxBytes: number) {
    this.maxBytes = maxBytes
  }

  /** An instance of `contract` in its just-instantiated state. */
  take(contract: AnalyzedContract): PooledInstance {
    const inst = this.idle.get(contract)?.pop()
    if (!inst) return create(contract)
    this.bytes -= inst.initialBytes
    reset(contract, inst)
    return inst
  }

  /** Return an instance after its call; kept when its memory did not grow and the pool has room. */
  give(contract: AnalyzedContract, inst: PooledInstance): void {
    if (inst.memory.buffer.byteLength !== inst.initialBytes || inst.initialBytes > this.maxBytes) return
    const instances = this.idle.get(contract) ?? []
    this.idle.delete(contract)
    this.idle.set(contract, instances)
    instances.push(inst)
    this.bytes += inst.initialBytes
    for (const [k, list] of this.idle) {
      if (this.bytes <= this.maxBytes) break
      const dropped = list.shift()
      if (dropped) this.bytes -= dropped.initialBytes
      if (list.length === 0) this.idle.delete(k)
    }
  }
}
