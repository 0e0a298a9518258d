/**
 * A live, instrumented program instance: its linear memory is the program's storage. Wraps the
 * V8 instance with the injected exports (gas and depth counters, dirty-page map, mutable globals)
 * and runs entry points with a points budget.
 *
 * Plain code (block hot path). Source: issue 5 "Persistent memory"; instrument/Instrument.ts for
 * the injected exports.
 */
import { OutOfGas } from "../../../chain/ChainError.ts"
import { isNodeFault, NodeFault } from "../../../chain/internal/TxResult.ts"
import { ProgramFailed } from "../CyberWasmError.ts"
import type { HostName } from "../HostAbi.ts"
import { DEPTH_EXPORT, DIRTY_EXPORT, FAULT_EXPORT, GAS_EXPORT, type InstrumentedProgram, MEM_LIMIT_EXPORT } from "../instrument/Instrument.ts"
import { FRAME_BASE_WEIGHT } from "../instrument/Limits.ts"
import { buildImports, HostError, type HostImpl, liftResult } from "./HostBridge.ts"

/** Bytes in one Wasm page (the unit of persistence). */
export const PAGE_SIZE = 65536

/** Result of an entry point: ok data or the program's error string. */
export type EntryResult = { readonly ok: true; readonly data: Uint8Array } | { readonly ok: false; readonly error: string }

/** A live instance of one program. */
export class LiveInstance {
  readonly program: InstrumentedProgram
  private readonly exports: Record<string, WebAssembly.ExportValue>
  private readonly mem: WebAssembly.Memory
  private readonly dirty: WebAssembly.Memory
  private readonly gasGlobal: WebAssembly.Global
  private readonly depthGlobal: WebAssembly.Global
  private readonly memLimitGlobal: WebAssembly.Global
  private readonly faultGlobal: WebAssembly.Global
  private readonly globals: ReadonlyArray<WebAssembly.Global>
  /** The host the imports call into; the engine swaps it per frame. */
  host: HostImpl | undefined
  /** Memory commitment this instance's memory and globals correspond to (see PageStore). */
  root: Uint8Array = new Uint8Array(32)
  /**
   * Recent persisted steps, oldest first: the root before each step and the pages it wrote, so the
   * instance can be moved back to an earlier root by re-reading only those pages (ProgramRuntime).
   */
  history: Array<{ readonly from: Uint8Array; readonly pages: ReadonlyArray<number> }> = []
  /** Whether the program may be re-entered (set by `allow_reentry` for the current call). */
  reentryAllowed = false
  /** Frames of this program on the current call stack. */
  active = 0

  constructor(program: InstrumentedProgram, module: WebAssembly.Module) {
    this.program = program
    const imports = buildImports(program.imports as HostName[], () => {
      if (!this.host) throw new ProgramFailed({ log: "host function called outside an execution" })
      return this.host
    }, {
      memory: () => new Uint8Array(this.mem.buffer),
      alloc: (len) => this.weighted("cabi_realloc", () => (this.exports.cabi_realloc as (a: number, b: number, c: number, d: number) => number)(0, 0, 1, len)),
      markDirty: (ptr, len) => this.markDirty(ptr, len)
    })
    const instance = new WebAssembly.Instance(module, { cyberwasm: imports as Record<string, Function> })
    this.exports = instance.exports
    this.mem = instance.exports.memory as WebAssembly.Memory
    this.dirty = instance.exports[DIRTY_EXPORT] as WebAssembly.Memory
    this.gasGlobal = instance.exports[GAS_EXPORT] as WebAssembly.Global
    this.depthGlobal = instance.exports[DEPTH_EXPORT] as WebAssembly.Global
    this.memLimitGlobal = instance.exports[MEM_LIMIT_EXPORT] as WebAssembly.Global
    this.faultGlobal = instance.exports[FAULT_EXPORT] as WebAssembly.Global
    this.globals = program.mutableGlobals.map((g) => instance.exports[g.exportName] as WebAssembly.Global)
  }

  /** Current memory view. */
  memory(): Uint8Array {
    return new Uint8Array(this.mem.buffer)
  }
  /** Memory size in pages. */
  pages(): number {
    return this.mem.buffer.byteLength >>> 16
  }
  /** Grow memory to `pages` (restore path). */
  growTo(pages: number): void {
    const have = this.pages()
    if (pages > have) this.mem.grow(pages - have)
  }
  gas(): bigint {
    return this.gasGlobal.value as bigint
  }
  setGas(points: bigint): void {
    this.gasGlobal.value = points
  }
  depth(): number {
    return this.depthGlobal.value as number
  }
  setDepth(d: number): void {
    this.depthGlobal.value = d
  }
  /** Pages `memory.grow` may reach in the current call (the call tree's memory budget). */
  memLimit(): number {
    return this.memLimitGlobal.value as number
  }
  setMemLimit(pages: number): void {
    this.memLimitGlobal.value = pages
  }
  /** Charge host points; throws OutOfGas when the budget is exceeded. */
  charge(points: bigint, what: string): void {
    const left = (this.gasGlobal.value as bigint) - points
    this.gasGlobal.value = left
    if (left < 0n) throw new OutOfGas({ log: `out of gas in program host call ${what}` })
  }

  markDirty(ptr: number, len: number): void {
    if (len <= 0) return
    const d = new Uint8Array(this.dirty.buffer)
    const first = ptr >>> 16
    const last = Math.min((ptr + len - 1) >>> 16, 65535)
    for (let p = first; p <= last; p++) d[p] = 1
  }
  /** Indices of pages written since the last `clearDirty`, ascending. */
  dirtyPages(): number[] {
    const d = new Uint8Array(this.dirty.buffer)
    const out: number[] = []
    const n = this.pages()
    for (let p = 0; p < n; p++) if (d[p] !== 0) out.push(p)
    return out
  }
  clearDirty(): void {
    new Uint8Array(this.dirty.buffer).fill(0)
  }

  /** Mutable globals, canonical bytes (i32: 4 LE, i64: 8 LE, in global index order). */
  readGlobals(): Uint8Array {
    const out = new Uint8Array(this.program.mutableGlobals.reduce((n, g) => n + (g.type === "i32" ? 4 : 8), 0))
    const v = new DataView(out.buffer)
    let o = 0
    this.program.mutableGlobals.forEach((g, i) => {
      if (g.type === "i32") {
        v.setInt32(o, this.globals[i]!.value as number, true)
        o += 4
      } else {
        v.setBigInt64(o, this.globals[i]!.value as bigint, true)
        o += 8
      }
    })
    return out
  }
  writeGlobals(bytes: Uint8Array): void {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    let o = 0
    this.program.mutableGlobals.forEach((g, i) => {
      if (g.type === "i32") {
        this.globals[i]!.value = v.getInt32(o, true)
        o += 4
      } else {
        this.globals[i]!.value = v.getBigInt64(o, true)
        o += 8
      }
    })
  }

  /** Run `_initialize` (AssemblyScript's explicit start) if exported. Traps classify as in `invoke`. */
  initialize(): void {
    const f = this.exports._initialize as (() => void) | undefined
    if (f) this.guard("_initialize", () => this.weighted("_initialize", () => f()))
  }

  /**
   * Call exported function `name` from the host with its frame weight added to the stack-weight
   * counter (host calls into Wasm are not instrumented call sites). Refuses deterministically,
   * before entering, when the weight would pass the limit. On a trap the counter is left as it
   * was at the trap (the engine resets it per frame).
   */
  private weighted<T>(name: string, run: () => T): T {
    const w = this.program.exportWeights[name] ?? FRAME_BASE_WEIGHT
    const before = this.depth()
    const limit = this.program.maxStackWeight
    if (before + w > limit) throw new ProgramFailed({ log: `stack limit exceeded: entering ${name} needs weight ${before + w}, over ${limit} (shared by the whole call tree)` })
    this.setDepth(before + w)
    const out = run()
    this.setDepth(before)
    return out
  }

  /**
   * Run entry point `entry` with `input`. The caller has set the gas and depth counters. Returns
   * the entry's result; a trap throws OutOfGas (budget exhausted) or ProgramFailed (the reason).
   */
  invoke(entry: string, input: Uint8Array): EntryResult {
    const f = this.exports[entry] as ((ptr: number, len: number) => number) | undefined
    if (!f) throw new ProgramFailed({ log: `program has no entry point ${entry}` })
    return this.guard(entry, () => {
      const alloc = this.exports.cabi_realloc as (a: number, b: number, c: number, d: number) => number
      const ptr = this.weighted("cabi_realloc", () => alloc(0, 0, 1, input.length))
      const m = this.memory()
      if ((ptr >>> 0) + input.length > m.length) throw new ProgramFailed({ log: `cabi_realloc returned ${ptr}, out of bounds` })
      m.set(input, ptr >>> 0)
      this.markDirty(ptr >>> 0, input.length)
      const ret = this.weighted(entry, () => f(ptr, input.length))
      return liftResult(this.memory(), ret)
    })
  }

  /**
   * Classify what `run` threw. Deterministic outcomes: chain errors from host calls pass through;
   * out of gas (the counter is below zero); the stack-weight limit; a Wasm trap
   * (`WebAssembly.RuntimeError`) or a host function's refusal (HostError) -> ProgramFailed.
   * Anything else (the host's native stack or heap ran out, an engine bug) depends on this host,
   * not on the chain: a NodeFault, which stops block execution (chain/internal/TxResult.ts).
   */
  private guard<T>(entry: string, run: () => T): T {
    try {
      return run()
    } catch (e) {
      if (typeof e === "object" && e !== null && "codespace" in e) throw e // chain errors from host calls
      if (e instanceof NodeFault) throw e
      if ((this.faultGlobal.value as number) !== 0) {
        this.faultGlobal.value = 0
        throw new NodeFault(`program ${entry}: memory.grow failed within its limit (the host is out of memory)`, -1, { cause: e })
      }
      if ((this.gasGlobal.value as bigint) < 0n) throw new OutOfGas({ log: `out of gas in program ${entry}` })
      const limit = this.program.maxStackWeight
      if ((this.depthGlobal.value as number) > limit) {
        throw new ProgramFailed({ log: `program ${entry}: stack limit exceeded (call depth weight over ${limit})` })
      }
      if (e instanceof WebAssembly.RuntimeError || e instanceof HostError) {
        throw new ProgramFailed({ log: `program ${entry} trapped: ${e.message}` })
      }
      throw new NodeFault(`program ${entry}: ${isNodeFault(e) ? "the host ran out of stack or memory" : "unexpected host error"}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, -1, { cause: e })
    }
  }
}
