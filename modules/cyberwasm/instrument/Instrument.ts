/**
 * Upload validation and metering instrumentation of CyberWasm programs.
 *
 * `instrument(bytes, limits)` checks a core Wasm module against the deterministic feature set and
 * the limits (modules/cyberwasm/instrument/Limits.ts), then rewrites it so that it meters itself:
 * - full structural validation is V8's (`WebAssembly.validate` / `new WebAssembly.Module`, the
 *   engine that will run it); the instrumenter then decodes every section and every instruction
 *   against a whitelist, so anything outside the deterministic set is refused by name:
 *   floats (f32/f64 types, constants, loads/stores, arithmetic, conversions: refused, the
 *   simplest deterministic policy, docs/cyberwasm.md), SIMD (v128, 0xFD), threads (shared memory,
 *   0xFE atomics), reference types beyond one funcref table (table.*, ref.*), tail calls,
 *   exceptions, multi-memory, memory64, passive data (memory.init, data.drop), a start function,
 *   and imports outside the syscall table (wit/program.wit) or with the wrong signature;
 * - gas: a mutable i64 global `__cw_gas` (metering points, CostTable.ts) decremented at the entry
 *   of every straight-line segment by the segment's cost, trapping (unreachable) below zero;
 *   memory.grow / memory.copy / memory.fill go through injected helpers charging per page/byte;
 * - stack: a mutable i32 global `__cw_depth` raised by the callee's frame weight around every
 *   call of a defined function (call_indirect: the largest weight), trapping above
 *   `maxStackWeight`, so the limit does not depend on the host's native stack;
 * - persistence: every store marks the 64 KiB page(s) it writes in a second one-page memory
 *   `__cw_dirty` (one byte per page), so the runtime writes only dirty pages after a call;
 *   mutable globals are exported as `__cw_g<index>` so the runtime can save and restore them;
 * - the memory maximum is clamped to `maxPages`.
 * Added indices never shift the program's own: new types, functions, globals and the dirty
 * memory are appended after the existing ones.
 *
 * Source: WebAssembly core spec 2.0 (binary format, section 5); multi-memory proposal (memarg
 * flag bit 6); wasm-instrument (paritytech) gas_metering and stack_height for the approach.
 */
import { sha256 } from "../../../lib/Bytes.ts"
import { ProgramRejected } from "../CyberWasmError.ts"
import { coreSignature, HOST_MODULE, hostByCoreName, hostSignatures, type HostName, I32, I64 } from "../HostAbi.ts"
import { BULK_COST_FLAT, BULK_COST_PER_64_BYTES, GROW_COST_PER_PAGE, instructionCost } from "./CostTable.ts"
import { Reader, WasmFormatError, Writer } from "./internal/Bytes.ts"
import { defaultLimits, FRAME_BASE_WEIGHT, type ProgramLimits } from "./Limits.ts"

/** A mutable global of the program, saved and restored by the runtime. */
export interface PersistedGlobal {
  readonly index: number
  /** f32/f64 only with `floats: "canonicalize"` (CosmWasm contracts). */
  readonly type: "i32" | "i64" | "f32" | "f64"
  /** Export name in the instrumented module. */
  readonly exportName: string
}

/** The result of a successful upload check. */
export interface InstrumentedProgram {
  /** The instrumented module's bytes (what the runtime compiles). */
  readonly code: Uint8Array
  /** sha256 of the uploaded (original) bytes: the code hash. */
  readonly hash: Uint8Array
  readonly mutableGlobals: ReadonlyArray<PersistedGlobal>
  /** Initial memory in pages, and the clamped maximum. */
  readonly initialPages: number
  readonly maxPages: number
  /** The stack weight limit compiled into the code. */
  readonly maxStackWeight: number
  /** Host functions imported, in import order (empty with a foreign `abi`). */
  readonly imports: ReadonlyArray<HostName>
  /** Field names of the imported functions, in import order (the program's or the `abi`'s names). */
  readonly importNames: ReadonlyArray<string>
  readonly hasInit: boolean
  readonly hasUpgrade: boolean
  /** Exports `_initialize` (AssemblyScript's explicit start), run once before init. */
  readonly hasInitialize: boolean
  /** Active data segments (constant offset, bytes): the code's static data, re-applied on upgrade. */
  readonly dataSegments: ReadonlyArray<{ readonly offset: number; readonly bytes: Uint8Array }>
  /**
   * Frame weight of each exported function the host calls (entry points, `cabi_realloc`,
   * `_initialize`): the runtime adds it to the stack-weight counter before calling in, since calls
   * from the host are not instrumented call sites.
   */
  readonly exportWeights: Readonly<Record<string, number>>
}

/** Export name of the injected gas counter (mutable i64 global, metering points left). */
export const GAS_EXPORT = "__cw_gas"
/** Export name of the injected stack-weight counter (mutable i32 global). */
export const DEPTH_EXPORT = "__cw_depth"
/** Export name of the injected memory.grow page limit (mutable i32 global, set per call by the runtime). */
export const MEM_LIMIT_EXPORT = "__cw_mem_limit"
/** Export name of the injected host-fault flag (mutable i32 global: 1 when memory.grow failed within its limit). */
export const FAULT_EXPORT = "__cw_fault"
/** Export name of the injected dirty-page map (memory 1, one byte per 64 KiB page). */
export const DIRTY_EXPORT = "__cw_dirty"

const reject = (log: string): never => {
  throw new ProgramRejected({ log: `program rejected: ${log}` })
}

const valTypeName = (t: number): string =>
  ({ 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref" } as Record<number, string>)[t] ??
    `0x${t.toString(16)}`

/** Refuse a value type outside {i32, i64} (and f32, f64 when `floats`), naming the feature. */
const checkValType = (t: number, where: string, floats = false): void => {
  if (t === I32 || t === I64) return
  if (floats && (t === F32 || t === F64)) return
  if (t === 0x7d || t === 0x7c) reject(`floating point type ${valTypeName(t)} in ${where} (floats are not allowed)`)
  if (t === 0x7b) reject(`SIMD type v128 in ${where} (SIMD is not allowed)`)
  reject(`value type ${valTypeName(t)} in ${where} (only i32 and i64 are allowed)`)
}

interface FuncType {
  readonly params: number[]
  readonly results: number[]
}

const F32 = 0x7d
const F64 = 0x7c

const sameTypes = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => a.length === b.length && a.every((x, i) => x === b[i])

/** Float opcodes of the single-byte space (loads/stores, consts, compares, arithmetic, conversions). */
const isFloatOp = (op: number): boolean =>
  op === 0x2a || op === 0x2b || op === 0x38 || op === 0x39 || op === 0x43 || op === 0x44 ||
  (op >= 0x5b && op <= 0x66) || (op >= 0x8b && op <= 0xa6) || (op >= 0xa8 && op <= 0xab) || (op >= 0xae && op <= 0xbf)

/** Bytes written by a store opcode (0 when `op` is not a store). */
const storeSize = (op: number): number =>
  ({ 0x36: 4, 0x37: 8, 0x38: 4, 0x39: 8, 0x3a: 1, 0x3b: 2, 0x3c: 1, 0x3d: 2, 0x3e: 4 } as Record<number, number>)[op] ?? 0
const storeIsI64 = (op: number): boolean => op === 0x37 || op === 0x3c || op === 0x3d || op === 0x3e

/**
 * Validate `bytes` and return the instrumented program. Throws ProgramRejected with a log that
 * names the first problem (feature, import, limit or format).
 */
export const instrument = (bytes: Uint8Array, limits: ProgramLimits = defaultLimits, options: InstrumentOptions = {}): InstrumentedProgram => {
  if (bytes.length > limits.maxCodeBytes) reject(`binary is ${bytes.length} bytes, limit ${limits.maxCodeBytes}`)
  try {
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)
  } catch (e) {
    reject(`not a valid Wasm module: ${(e as Error).message}`)
  }
  const floats = options.floats === "canonicalize"
  const dirtyTracking = options.dirtyTracking ?? true
  if (floats && dirtyTracking) throw new Error("instrument: floats need dirtyTracking: false (the dirty marks have no float scratch locals)")
  try {
    return rewrite(bytes, limits, dirtyTracking, floats, options.abi, options.cost ?? instructionCost, options.bulkMemory ?? true, options.splitAtBrIf ?? false, options.growCostPerPage ?? GROW_COST_PER_PAGE)
  } catch (e) {
    if (e instanceof WasmFormatError) reject(`malformed binary: ${e.message}`)
    throw e
  }
}

/** Options of `instrument`. */
export interface InstrumentOptions {
  /**
   * Inject the dirty-page marks (default true). The runtime needs them; false only measures the
   * cost of gas and stack metering alone (bench/cyberwasm.bench.ts).
   */
  readonly dirtyTracking?: boolean
  /**
   * Floating point: "refuse" (default, programs) or "canonicalize": f32/f64 types and
   * instructions are allowed and every arithmetic result that may be NaN (add, sub, mul, div,
   * sqrt, min, max, ceil, floor, trunc, nearest, demote, promote) is replaced by the canonical
   * NaN (f32 0x7fc00000, f64 0x7ff8000000000000) when it is a NaN, so NaN bits never depend on
   * the CPU (what wasmer's `canonicalize_nans(true)` does for cosmwasm-vm ≥ 1.5). Bit-exact
   * operations (abs, neg, copysign, loads, stores, reinterpret) keep their bits, as in wasmer.
   * Needs `dirtyTracking: false`.
   */
  readonly floats?: "refuse" | "canonicalize"
  /**
   * A foreign host interface instead of the program syscall table (CosmWasm's `env` imports):
   * imports are checked against it and the program's entry exports are not required.
   */
  readonly abi?: ForeignAbi
  /** Metering points of one instruction by opcode (default CostTable.ts `instructionCost`). */
  readonly cost?: (op: number) => number
  /** Allow memory.copy / memory.fill (default true, metered); false refuses them as cosmwasm-vm does. */
  readonly bulkMemory?: boolean
  /**
   * Also end a metered segment after `br_if` (default false), so the instructions after a taken
   * `br_if` are not charged: the charge points of wasmer's metering middleware (cosmwasm-vm),
   * whose totals contracts' gas expectations assume.
   */
  readonly splitAtBrIf?: boolean
  /** Points per page grown by memory.grow (default CostTable.ts GROW_COST_PER_PAGE). */
  readonly growCostPerPage?: number
}

/** A core function signature as value-type bytes (0x7f i32, 0x7e i64, 0x7d f32, 0x7c f64). */
export interface CoreSignature {
  readonly params: ReadonlyArray<number>
  readonly results: ReadonlyArray<number>
}

/** A host interface other than the program syscall table (option `abi` of `instrument`). */
export interface ForeignAbi {
  /** The only import module allowed. */
  readonly module: string
  /** Allowed import names and their exact signatures. */
  readonly imports: ReadonlyMap<string, CoreSignature>
  /** Exports checked for their signature when present (and required when `required`). */
  readonly exports: ReadonlyArray<CoreSignature & { readonly name: string; readonly required: boolean }>
  /** Exports the host calls: their frame weights are returned in `exportWeights`. */
  readonly hostCalled: ReadonlyArray<string>
}

/**
 * Stack weight reserved per function for the values the instrumentation itself pushes (gas and
 * depth checks, dirty marks) on top of the program's operand stack.
 */
const STACK_SCRATCH_WEIGHT = 4

const rewrite = (
  bytes: Uint8Array,
  limits: ProgramLimits,
  dirtyTracking: boolean,
  floats: boolean,
  abi: ForeignAbi | undefined,
  cost: (op: number) => number,
  bulkMemory: boolean,
  splitAtBrIf: boolean,
  growCostPerPage: number
): InstrumentedProgram => {
  const r = new Reader(bytes)
  const magic = r.bytesN(4)
  const version = r.bytesN(4)
  if (magic[0] !== 0 || magic[1] !== 0x61 || magic[2] !== 0x73 || magic[3] !== 0x6d || version[0] !== 1) reject("not a core Wasm module (version 1)")

  const raw = new Map<number, Uint8Array>()
  while (!r.eof()) {
    const id = r.u8()
    const size = r.u32()
    const body = r.bytesN(size)
    if (id === 0) continue // custom sections are dropped
    if (id === 8) reject("a start function is not allowed (export `_initialize` instead; it runs metered before init)")
    if (id === 13) reject("exception handling (tag section) is not allowed")
    if (id > 12) reject(`unknown section ${id}`)
    raw.set(id, body)
  }

  // ---- types ----
  const types: FuncType[] = []
  const typeSec = raw.get(1)
  if (typeSec) {
    const t = new Reader(typeSec)
    const n = t.u32()
    for (let i = 0; i < n; i++) {
      const form = t.u8()
      if (form !== 0x60) reject(`type ${i} is not a function type (GC types are not allowed)`)
      const params: number[] = []
      const results: number[] = []
      for (let k = t.u32(); k > 0; k--) params.push(t.u8())
      for (let k = t.u32(); k > 0; k--) results.push(t.u8())
      for (const v of [...params, ...results]) checkValType(v, `function type ${i}`, floats)
      types.push({ params, results })
    }
  }
  const typeOf = (i: number): FuncType => types[i] ?? reject(`type index ${i} out of range`)

  // ---- imports: only host functions of the syscall table with their exact core signature ----
  const imports: HostName[] = []
  const importNames: string[] = []
  const funcTypes: number[] = []
  const importSec = raw.get(2)
  if (importSec) {
    const t = new Reader(importSec)
    for (let n = t.u32(); n > 0; n--) {
      const mod = t.name()
      const field = t.name()
      const kind = t.u8()
      if (kind !== 0) reject(`import ${mod}.${field} is not a function (programs import only host functions)`)
      const ti = t.u32()
      if (abi) {
        if (mod !== abi.module) reject(`import ${mod}.${field} is not supported (module must be "${abi.module}")`)
        const want = abi.imports.get(field) ?? reject(`import ${mod}.${field} is not supported`)
        const got = typeOf(ti)
        if (!sameTypes(want.params, got.params) || !sameTypes(want.results, got.results)) {
          reject(`import ${mod}.${field} has signature (${got.params.map(valTypeName)}) -> (${got.results.map(valTypeName)}), expected (${want.params.map(valTypeName)}) -> (${want.results.map(valTypeName)})`)
        }
        importNames.push(field)
        funcTypes.push(ti)
        continue
      }
      if (mod !== HOST_MODULE) reject(`import ${mod}.${field} is not in the CyberWasm syscall table (module must be "${HOST_MODULE}")`)
      const host = hostByCoreName.get(field) ?? reject(`import ${mod}.${field} is not in the CyberWasm syscall table`)
      const want = coreSignature(hostSignatures[host])
      const got = typeOf(ti)
      if (!sameTypes(want.params, got.params) || !sameTypes(want.results, got.results)) {
        reject(`import ${mod}.${field} has signature (${got.params.map(valTypeName)}) -> (${got.results.map(valTypeName)}), expected (${want.params.map(valTypeName)}) -> (${want.results.map(valTypeName)})`)
      }
      imports.push(host)
      importNames.push(field)
      funcTypes.push(ti)
    }
  }
  const importedFuncs = importNames.length

  // ---- functions ----
  const funcSec = raw.get(3)
  let definedFuncs = 0
  if (funcSec) {
    const t = new Reader(funcSec)
    definedFuncs = t.u32()
    if (definedFuncs > limits.maxFunctions) reject(`${definedFuncs} functions, limit ${limits.maxFunctions}`)
    for (let i = 0; i < definedFuncs; i++) {
      const ti = t.u32()
      typeOf(ti)
      funcTypes.push(ti)
    }
  }

  // ---- table: at most one funcref table within the size limit ----
  const tableSec = raw.get(4)
  let tableMin = 0
  if (tableSec) {
    const t = new Reader(tableSec)
    const n = t.u32()
    if (n > 1) reject(`${n} tables (at most one funcref table)`)
    if (n === 1) {
      const ref = t.u8()
      if (ref !== 0x70) reject(`table of ${valTypeName(ref)} (only funcref)`)
      const flags = t.u8()
      if (flags > 1) reject("table64 / shared tables are not allowed")
      const min = t.u32()
      if (min > limits.maxTableSize) reject(`table of ${min} entries, limit ${limits.maxTableSize}`)
      if (flags === 1 && t.u32() < min) reject(`table maximum below its minimum ${min}`)
      tableMin = min
    }
  }

  // ---- memory: exactly one, not shared, not 64-bit, within the page limits ----
  const memSec = raw.get(5) ?? reject("the program defines no memory (export a memory named \"memory\")")
  let initialPages = 0
  let maxPages = 0
  {
    const t = new Reader(memSec)
    const n = t.u32()
    if (n !== 1) reject(`${n} memories (exactly one)`)
    const flags = t.u8()
    if (flags === 2 || flags === 3) reject("shared memory (threads) is not allowed")
    if (flags > 3) reject("memory64 is not allowed")
    initialPages = t.u32()
    const declaredMax = flags === 1 ? t.u32() : limits.maxPages
    if (flags === 1 && declaredMax < initialPages) reject(`memory maximum ${declaredMax} below its initial ${initialPages} pages`)
    if (initialPages > limits.maxInitialPages) reject(`initial memory of ${initialPages} pages, limit ${limits.maxInitialPages}`)
    maxPages = Math.min(declaredMax, limits.maxPages)
    if (maxPages < initialPages) reject(`memory maximum ${maxPages} below its initial ${initialPages} pages`)
  }

  // ---- globals ----
  const globalSec = raw.get(6)
  const globalsOut = new Writer()
  const mutableGlobals: PersistedGlobal[] = []
  let globalCount = 0
  if (globalSec) {
    const t = new Reader(globalSec)
    globalCount = t.u32()
    if (globalCount > limits.maxGlobals) reject(`${globalCount} globals, limit ${limits.maxGlobals}`)
    for (let i = 0; i < globalCount; i++) {
      const start = t.pos
      const vt = t.u8()
      checkValType(vt, `global ${i}`, floats)
      const mut = t.u8()
      for (;;) {
        const op = t.u8()
        if (op === 0x0b) break
        if (op === 0x41) t.skipSigned(32)
        else if (op === 0x42) t.skipSigned(64)
        else if (floats && op === 0x43) t.bytesN(4)
        else if (floats && op === 0x44) t.bytesN(8)
        else if (op === 0x23) t.u32()
        else reject(`global ${i} initializer uses opcode 0x${op.toString(16)} (only integer constants)`)
      }
      globalsOut.bytes(globalSec.subarray(start, t.pos))
      if (mut === 1) mutableGlobals.push({ index: i, type: vt === I32 ? "i32" : vt === I64 ? "i64" : vt === F32 ? "f32" : "f64", exportName: `__cw_g${i}` })
    }
  }
  const gasGlobal = globalCount
  const depthGlobal = globalCount + 1
  const memLimitGlobal = globalCount + 2
  const faultGlobal = globalCount + 3
  globalsOut.bytes(Uint8Array.of(I64, 1, 0x42, 0, 0x0b, I32, 1, 0x41, 0, 0x0b))
  // page limit of memory.grow (set per call by the runtime: the call tree's budget), host-fault flag
  globalsOut.u8(I32).u8(1).u8(0x41).s32(maxPages).u8(0x0b).bytes(Uint8Array.of(I32, 1, 0x41, 0, 0x0b))

  // ---- exports ----
  const exportsOut = new Writer()
  let exportCount = 0
  const exported = new Map<string, { kind: number; index: number }>()
  const exportSec = raw.get(7)
  if (exportSec) {
    const t = new Reader(exportSec)
    for (let n = t.u32(); n > 0; n--) {
      const start = t.pos
      const name = t.name()
      const kind = t.u8()
      const index = t.u32()
      if (name.startsWith("__cw")) reject(`export "${name}" uses the reserved prefix __cw`)
      exported.set(name, { kind, index })
      exportsOut.bytes(exportSec.subarray(start, t.pos))
      exportCount++
    }
  }
  const mem = exported.get("memory")
  if (!mem || mem.kind !== 2 || mem.index !== 0) reject("the program must export its memory as \"memory\"")
  const checkExport = (name: string, params: number[], results: number[], required: boolean): boolean => {
    const e = exported.get(name)
    if (!e) return required ? reject(`missing export ${name}`) : false
    if (e.kind !== 0) reject(`export ${name} is not a function`)
    const ft = typeOf(funcTypes[e.index] ?? reject(`export ${name} refers to function ${e.index} out of range`))
    if (!sameTypes(ft.params, params) || !sameTypes(ft.results, results)) {
      reject(`export ${name} has signature (${ft.params.map(valTypeName)}) -> (${ft.results.map(valTypeName)}), expected (${params.map(valTypeName)}) -> (${results.map(valTypeName)})`)
    }
    return true
  }
  if (abi) for (const e of abi.exports) checkExport(e.name, [...e.params], [...e.results], e.required)
  else {
    checkExport("cyberwasm_dispatch", [I32, I32], [I32], true)
    checkExport("cabi_realloc", [I32, I32, I32, I32], [I32], true)
  }
  const hasInit = !abi && checkExport("cyberwasm_init", [I32, I32], [I32], false)
  const hasUpgrade = !abi && checkExport("cyberwasm_upgrade", [I32, I32], [I32], false)
  const hasInitialize = !abi && checkExport("_initialize", [], [], false)
  const addExport = (name: string, kind: number, index: number) => {
    exportsOut.name(name).u8(kind).u32(index)
    exportCount++
  }
  addExport(GAS_EXPORT, 3, gasGlobal)
  addExport(DEPTH_EXPORT, 3, depthGlobal)
  addExport(MEM_LIMIT_EXPORT, 3, memLimitGlobal)
  addExport(FAULT_EXPORT, 3, faultGlobal)
  // a foreign guest without dirty tracking needs no dirty-page memory (one memory instantiates faster)
  const dirtyMemory = dirtyTracking || !abi
  if (dirtyMemory) addExport(DIRTY_EXPORT, 2, 1)
  for (const g of mutableGlobals) addExport(g.exportName, 3, g.index)

  // ---- helper functions appended after the program's own ----
  const totalFuncs = importedFuncs + definedFuncs
  const fMark = totalFuncs
  const fCopy = totalFuncs + 1
  const fFill = totalFuncs + 2
  const fGrow = totalFuncs + 3
  const tMark = types.length // (i32 i32) -> ()
  const tBulk = types.length + 1 // (i32 i32 i32) -> ()
  const tGrow = types.length + 2 // (i32) -> (i32)

  // ---- frame weights ----
  const codeSec = raw.get(10)
  const bodies: Array<{ start: number; end: number; locals: number }> = []
  if (definedFuncs > 0 && !codeSec) reject("function section without code section")
  if (codeSec) {
    const t = new Reader(codeSec)
    const n = t.u32()
    if (n !== definedFuncs) reject(`code section has ${n} bodies for ${definedFuncs} functions`)
    for (let i = 0; i < n; i++) {
      const size = t.u32()
      const start = t.pos
      const b = new Reader(codeSec, start, start + size)
      let locals = typeOf(funcTypes[importedFuncs + i]!).params.length
      for (let g = b.u32(); g > 0; g--) {
        const count = b.u32()
        const vt = b.u8()
        checkValType(vt, `locals of function ${importedFuncs + i}`, floats)
        locals += count
        if (locals > limits.maxLocals) reject(`function ${importedFuncs + i} has more than ${limits.maxLocals} params and locals`)
      }
      bodies.push({ start, end: start + size, locals })
      t.pos = start + size
    }
  }
  const emit = new Emitter(gasGlobal, depthGlobal, limits.maxStackWeight, memLimitGlobal, faultGlobal)
  const funcType = (f: number): FuncType => typeOf(funcTypes[f] ?? reject(`call of function ${f} out of range`))
  const bodyEnv = (i: number, weight: (f: number) => number, maxWeight: number, heights: number[]): BodyEnv => ({
    emit, importedFuncs, totalFuncs, weight, maxWeight, fCopy, fFill, fGrow, types: types.length, funcIndex: importedFuncs + i, dirtyTracking, floats, cost, bulkMemory, splitAtBrIf,
    typeOf, funcType, results: funcType(importedFuncs + i).results.length, heights
  })
  // pass 1: the maximum operand stack height of every function (part of its frame weight)
  const heights = bodies.map((b, i) => {
    const h = [0]
    instrumentBody(codeSec!, b, funcType(importedFuncs + i).params.length, bodyEnv(i, () => 0, 0, h))
    return h[0]!
  })
  const weight = (f: number): number =>
    f < importedFuncs ? FRAME_BASE_WEIGHT : FRAME_BASE_WEIGHT + bodies[f - importedFuncs]!.locals + (floats ? 5 : 3) + heights[f - importedFuncs]! + STACK_SCRATCH_WEIGHT
  const maxWeight = bodies.reduce((m, _b, i) => Math.max(m, weight(importedFuncs + i)), FRAME_BASE_WEIGHT)
  bodies.forEach((_b, i) => {
    const w = weight(importedFuncs + i)
    if (w > limits.maxStackWeight) reject(`function ${importedFuncs + i} has a frame weight of ${w} (params + locals + operand stack), over the stack limit ${limits.maxStackWeight}`)
  })

  const codeOut = new Writer().u32(definedFuncs + 4)
  bodies.forEach((b, i) => {
    const body = instrumentBody(codeSec!, b, funcType(importedFuncs + i).params.length, bodyEnv(i, weight, maxWeight, [0]))
    codeOut.sized(body)
  })
  for (const h of emit.helpers(fMark, growCostPerPage, dirtyMemory)) codeOut.sized(h)

  // ---- assemble ----
  const out = new Writer().bytes(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0))
  const section = (id: number, body: Uint8Array) => out.u8(id).sized(body)
  const typesOut = new Writer().u32(types.length + 3)
  if (typeSec) {
    const t = new Reader(typeSec)
    t.u32()
    typesOut.bytes(typeSec.subarray(t.pos))
  }
  typesOut.bytes(Uint8Array.of(0x60, 2, I32, I32, 0, 0x60, 3, I32, I32, I32, 0, 0x60, 1, I32, 1, I32))
  section(1, typesOut.finish())
  if (importSec) section(2, importSec)
  const funcsOut = new Writer().u32(definedFuncs + 4)
  for (let i = importedFuncs; i < totalFuncs; i++) funcsOut.u32(funcTypes[i]!)
  funcsOut.u32(tMark).u32(tBulk).u32(tBulk).u32(tGrow)
  section(3, funcsOut.finish())
  if (tableSec) section(4, tableSec)
  if (dirtyMemory) section(5, new Writer().u32(2).u8(1).u32(initialPages).u32(maxPages).u8(1).u32(1).u32(1).finish())
  else section(5, new Writer().u32(1).u8(1).u32(initialPages).u32(maxPages).finish())
  section(6, new Writer().u32(globalCount + 4).bytes(globalsOut.finish()).finish())
  section(7, new Writer().u32(exportCount).bytes(exportsOut.finish()).finish())
  const elemSec = raw.get(9)
  if (elemSec) section(9, elemSec)
  const dataCount = raw.get(12)
  if (dataCount) section(12, dataCount)
  section(10, codeOut.finish())
  const dataSec = raw.get(11)
  if (dataSec) section(11, dataSec)

  const dataSegments: Array<{ offset: number; bytes: Uint8Array }> = []
  if (dataSec) {
    const t = new Reader(dataSec)
    for (let n = t.u32(); n > 0; n--) {
      const mode = t.u32()
      if (mode === 1) reject("passive data segments are not allowed")
      if (mode === 2 && t.u32() !== 0) reject("data segment for another memory")
      if (mode > 2) reject(`data segment mode ${mode}`)
      if (t.u8() !== 0x41) reject("data segment offset must be an i32.const")
      const offset = Number(t.s64()) >>> 0
      if (t.u8() !== 0x0b) reject("data segment offset must be a single i32.const")
      const bytes = t.bytesN(t.u32()).slice()
      const memoryBytes = initialPages * 65536
      if (offset + bytes.length > memoryBytes) {
        reject(`data segment ${dataSegments.length} [${offset}, ${offset + bytes.length}) lies outside the initial memory of ${initialPages} pages (${memoryBytes} bytes)`)
      }
      dataSegments.push({ offset, bytes })
    }
  }
  if (elemSec) checkElements(elemSec, tableSec !== undefined, tableMin, totalFuncs)
  const code = out.finish()
  try {
    new WebAssembly.Module(code as Uint8Array<ArrayBuffer>)
  } catch (e) {
    reject(`instrumentation produced an invalid module (a bug, please report): ${(e as Error).message}`)
  }
  return {
    code,
    hash: sha256(bytes),
    mutableGlobals,
    initialPages,
    maxPages,
    maxStackWeight: limits.maxStackWeight,
    imports,
    importNames,
    hasInit,
    hasUpgrade,
    hasInitialize,
    dataSegments,
    exportWeights: Object.fromEntries(
      (abi ? abi.hostCalled : ["cyberwasm_dispatch", "cyberwasm_init", "cyberwasm_upgrade", "cabi_realloc", "_initialize"]).flatMap((name) => {
        const e = exported.get(name)
        return e && e.kind === 0 ? [[name, weight(e.index)] as const] : []
      })
    )
  }
}

/**
 * Active element segments of table 0 with a constant offset, inside the table's minimum size
 * (the instantiation-time check, done at upload). Passive and declarative segments and
 * expression-encoded ones belong to reference types and are refused.
 */
const checkElements = (sec: Uint8Array, hasTable: boolean, tableMin: number, totalFuncs: number): void => {
  const t = new Reader(sec)
  const n = t.u32()
  if (n > 0 && !hasTable) reject("element segments without a table")
  for (let i = 0; i < n; i++) {
    const flags = t.u32()
    if (flags !== 0 && flags !== 2) reject(`element segment ${i} uses encoding ${flags} (only active funcref segments of table 0; passive, declarative and expression segments need reference types)`)
    if (flags === 2) {
      if (t.u32() !== 0) reject(`element segment ${i} targets another table`)
    }
    if (t.u8() !== 0x41) reject(`element segment ${i} offset must be an i32.const`)
    const offset = Number(t.s64()) >>> 0
    if (t.u8() !== 0x0b) reject(`element segment ${i} offset must be a single i32.const`)
    if (flags === 2 && t.u8() !== 0x00) reject(`element segment ${i} is not of function references`)
    const count = t.u32()
    for (let k = 0; k < count; k++) if (t.u32() >= totalFuncs) reject(`element segment ${i} refers to function out of range`)
    if (offset + count > tableMin) reject(`element segment ${i} [${offset}, ${offset + count}) lies outside the table of ${tableMin} entries`)
  }
}

interface BodyEnv {
  readonly emit: Emitter
  readonly importedFuncs: number
  readonly totalFuncs: number
  readonly weight: (f: number) => number
  readonly maxWeight: number
  readonly fCopy: number
  readonly fFill: number
  readonly fGrow: number
  readonly types: number
  readonly funcIndex: number
  readonly dirtyTracking: boolean
  /** Floats allowed, NaN results canonicalised (two more scratch locals: f32, f64). */
  readonly floats: boolean
  readonly cost: (op: number) => number
  readonly bulkMemory: boolean
  readonly splitAtBrIf: boolean
  readonly typeOf: (typeIndex: number) => FuncType
  readonly funcType: (funcIndex: number) => FuncType
  /** Result count of the function (the implicit outer block). */
  readonly results: number
  /** Out: [0] receives the function's maximum operand stack height. */
  readonly heights: number[]
}

/** Rewrite one function body: locals + scratch locals, metered segments, marks, depth. */
const instrumentBody = (sec: Uint8Array, b: { start: number; end: number; locals: number }, params: number, env: BodyEnv): Uint8Array => {
  const r = new Reader(sec, b.start, b.end)
  const out = new Writer()
  const groups = r.u32()
  out.u32(groups + (env.floats ? 4 : 2))
  for (let g = 0; g < groups; g++) {
    const s = r.pos
    r.u32()
    r.u8()
    out.bytes(sec.subarray(s, r.pos))
  }
  out.u32(2).u8(I32).u32(1).u8(I64)
  if (env.floats) out.u32(1).u8(F32).u32(1).u8(F64)
  const sF32 = b.locals + 3
  const sF64 = b.locals + 4
  const sA = b.locals // scratch i32 (address)
  const sV32 = b.locals + 1 // scratch i32 (value)
  const sV64 = b.locals + 2 // scratch i64 (value)
  void params

  const { emit } = env
  let seg = new Writer()
  let cost = 0
  const flush = () => {
    if (cost > 0) emit.charge(out, cost)
    out.bytes(seg.finish())
    seg = new Writer()
    cost = 0
  }
  const where = () => `function ${env.funcIndex}`
  const blockType = (): { params: number; results: number } => {
    const bt = r.bytes[r.pos]!
    if (bt === 0x40 || bt === I32 || bt === I64 || (env.floats && (bt === F32 || bt === F64))) {
      r.pos++
      return { params: 0, results: bt === 0x40 ? 0 : 1 }
    }
    if (bt === 0x7d || bt === 0x7c || bt === 0x7b || bt === 0x70 || bt === 0x6f) checkValType(bt, `a block type in ${where()}`)
    const ft = env.typeOf(Number(r.s64()))
    return { params: ft.params.length, results: ft.results.length }
  }
  // Operand stack height (values, each one slot): tracked exactly on reachable code and bounded
  // above on unreachable code (pops never go below the enclosing block's entry height).
  const control: Array<{ entry: number; params: number; results: number }> = [{ entry: 0, params: 0, results: env.results }]
  let height = 0
  let maxHeight = 0
  const stack = (pops: number, pushes: number) => {
    const floor = control[control.length - 1]!.entry
    height = Math.max(floor, height - pops) + pushes
    if (height > maxHeight) maxHeight = height
  }
  const unreachableRest = () => {
    height = control[control.length - 1]!.entry
  }
  let depth = 0
  while (r.pos < r.end) {
    const start = r.pos
    const op = r.u8()
    if (isFloatOp(op)) {
      if (!env.floats) reject(`floating point instruction 0x${op.toString(16)} in ${where()} (floats are not allowed)`)
      if (op !== 0x2a && op !== 0x2b && op !== 0x38 && op !== 0x39) {
        cost += env.cost(op)
        floatOp(op, r, seg, sec.subarray(start, r.pos), stack, sF32, sF64)
        continue
      }
    }
    cost += env.cost(op)
    switch (op) {
      case 0x02: case 0x03: case 0x04: { // block loop if
        const bt = blockType()
        stack(op === 0x04 ? 1 : 0, 0)
        const entry = Math.max(control[control.length - 1]!.entry, height - bt.params)
        control.push({ entry, params: bt.params, results: bt.results })
        height = entry + bt.params
        depth++
        seg.bytes(sec.subarray(start, r.pos))
        flush()
        continue
      }
      case 0x05: { // else
        const c = control[control.length - 1]!
        height = c.entry + c.params
        seg.u8(op)
        flush()
        continue
      }
      case 0x0b: // end
        seg.u8(op)
        flush()
        if (depth === 0) {
          if (r.pos !== r.end) reject(`code after the end of ${where()}`)
          env.heights[0] = maxHeight
          return out.finish()
        }
        {
          const c = control.pop()!
          height = c.entry
          stack(0, c.results)
        }
        depth--
        continue
      case 0x00: case 0x0f: // unreachable return
        unreachableRest()
        seg.u8(op)
        flush()
        continue
      case 0x0c: // br
        r.u32()
        unreachableRest()
        seg.bytes(sec.subarray(start, r.pos))
        flush()
        continue
      case 0x0e: { // br_table
        for (let n = r.u32(); n > 0; n--) r.u32()
        r.u32()
        unreachableRest()
        seg.bytes(sec.subarray(start, r.pos))
        flush()
        continue
      }
      case 0x10: { // call
        const f = r.u32()
        const ft = env.funcType(f)
        stack(ft.params.length, ft.results.length)
        if (f >= env.importedFuncs && f < env.totalFuncs) {
          const w = env.weight(f)
          emit.depthEnter(seg, w)
          seg.bytes(sec.subarray(start, r.pos))
          emit.depthLeave(seg, w)
        } else seg.bytes(sec.subarray(start, r.pos))
        continue
      }
      case 0x11: { // call_indirect
        const ft = env.typeOf(r.u32())
        stack(ft.params.length + 1, ft.results.length)
        const table = r.u32()
        if (table !== 0) reject(`call_indirect on table ${table} in ${where()}`)
        emit.depthEnter(seg, env.maxWeight)
        seg.bytes(sec.subarray(start, r.pos))
        emit.depthLeave(seg, env.maxWeight)
        continue
      }
      case 0x01: case 0x0d: case 0x1a: case 0x1b: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24:
        if (op === 0x0d || op >= 0x20) r.u32()
        // nop, br_if, drop, select, local.get/set/tee, global.get/set
        stack(...(({ 0x01: [0, 0], 0x0d: [1, 0], 0x1a: [1, 0], 0x1b: [3, 1], 0x20: [0, 1], 0x21: [1, 0], 0x22: [1, 1], 0x23: [0, 1], 0x24: [1, 0] } as Record<number, [number, number]>)[op]!))
        seg.bytes(sec.subarray(start, r.pos))
        if (op === 0x0d && env.splitAtBrIf) flush()
        continue
      case 0x1c: { // select t*
        for (let n = r.u32(); n > 0; n--) checkValType(r.u8(), `select in ${where()}`, env.floats)
        stack(3, 1)
        seg.bytes(sec.subarray(start, r.pos))
        continue
      }
      case 0x3f: // memory.size
        if (r.u8() !== 0) reject(`memory.size on another memory in ${where()}`)
        stack(0, 1)
        seg.bytes(sec.subarray(start, r.pos))
        continue
      case 0x40: // memory.grow -> metered helper
        if (r.u8() !== 0) reject(`memory.grow on another memory in ${where()}`)
        stack(1, 1)
        seg.u8(0x10).u32(env.fGrow)
        continue
      case 0x41:
        r.skipSigned(32)
        stack(0, 1)
        seg.bytes(sec.subarray(start, r.pos))
        continue
      case 0x42:
        r.skipSigned(64)
        stack(0, 1)
        seg.bytes(sec.subarray(start, r.pos))
        continue
      case 0xfc: {
        const sub = r.u32()
        if ((sub === 10 || sub === 11) && !env.bulkMemory) reject(`bulk memory operation (memory.copy / memory.fill) in ${where()} (bulk memory operations are not supported)`)
        if (sub === 10 || sub === 11) stack(3, 0)
        if (sub === 10) {
          if (r.u8() !== 0 || r.u8() !== 0) reject(`memory.copy between memories in ${where()}`)
          seg.u8(0x10).u32(env.fCopy)
        } else if (sub === 11) {
          if (r.u8() !== 0) reject(`memory.fill on another memory in ${where()}`)
          seg.u8(0x10).u32(env.fFill)
        } else if (sub <= 7 && env.floats) {
          stack(1, 1)
          seg.bytes(sec.subarray(start, r.pos))
        } else if (sub <= 7) reject(`floating point instruction 0xfc ${sub} (trunc_sat) in ${where()} (floats are not allowed)`)
        else if (sub === 8 || sub === 9) reject(`passive data (memory.init / data.drop) in ${where()} is not allowed`)
        else reject(`table instruction 0xfc ${sub} in ${where()} (reference types are not allowed)`)
        continue
      }
      case 0xfd:
        reject(`SIMD instruction in ${where()} (SIMD is not allowed)`)
        continue
      case 0xfe:
        reject(`atomic instruction in ${where()} (threads are not allowed)`)
        continue
      default:
        break
    }
    if (op >= 0x28 && op <= 0x3e) { // loads and stores
      const align = r.u32()
      if (align & 0x40) reject(`multi-memory access in ${where()}`)
      const offset = r.u32()
      const size = storeSize(op)
      stack(size > 0 ? 2 : 1, size > 0 ? 0 : 1)
      if (size > 0 && env.dirtyTracking) emit.markStore(seg, storeIsI64(op) ? sV64 : sV32, sA, offset, size)
      seg.bytes(sec.subarray(start, r.pos))
      continue
    }
    if ((op >= 0x45 && op <= 0x5a) || (op >= 0x67 && op <= 0x8a) || op === 0xa7 || op === 0xac || op === 0xad || (op >= 0xc0 && op <= 0xc4)) {
      // eqz and unary ops and conversions keep the height; comparisons and binary ops pop one
      const unary = op === 0x45 || op === 0x50 || (op >= 0x67 && op <= 0x69) || (op >= 0x79 && op <= 0x7b) || op >= 0xa7
      stack(unary ? 1 : 2, 1)
      seg.u8(op)
      continue
    }
    if (op === 0x12 || op === 0x13) reject(`tail call in ${where()} is not allowed`)
    if (op >= 0x06 && op <= 0x0a) reject(`exception handling in ${where()} is not allowed`)
    if (op >= 0x25 && op <= 0x26) reject(`table.get / table.set in ${where()} (reference types are not allowed)`)
    if (op >= 0xd0 && op <= 0xd6) reject(`reference instruction 0x${op.toString(16)} in ${where()} (reference types are not allowed)`)
    reject(`instruction 0x${op.toString(16)} in ${where()} is not in the deterministic feature set`)
  }
  return reject(`${where()} has no end`)
}

/**
 * One float instruction besides loads and stores (only with `floats`): copied, its stack effect
 * tracked, and a NaN result of an arithmetic op replaced by the canonical NaN:
 * `local.tee s; const NaN; local.get s; local.get s; eq; select` (s == s is false only for NaN).
 */
const floatOp = (
  op: number,
  r: Reader,
  seg: Writer,
  head: Uint8Array,
  stack: (pops: number, pushes: number) => void,
  sF32: number,
  sF64: number
): void => {
  if (op === 0x43 || op === 0x44) { // f32.const f64.const
    seg.bytes(head).bytes(r.bytesN(op === 0x43 ? 4 : 8))
    stack(0, 1)
    return
  }
  const binary = (op >= 0x5b && op <= 0x66) || (op >= 0x92 && op <= 0x98) || (op >= 0xa0 && op <= 0xa6)
  stack(binary ? 2 : 1, 1)
  seg.bytes(head)
  if ((op >= 0x8d && op <= 0x97) || op === 0xb6) {
    seg.u8(0x22).u32(sF32).u8(0x43).bytes(Uint8Array.of(0, 0, 0xc0, 0x7f)).u8(0x20).u32(sF32).u8(0x20).u32(sF32).u8(0x5b).u8(0x1b)
    stack(0, 3)
    stack(4, 1)
  } else if ((op >= 0x9b && op <= 0xa5) || op === 0xbb) {
    seg.u8(0x22).u32(sF64).u8(0x44).bytes(Uint8Array.of(0, 0, 0, 0, 0, 0, 0xf8, 0x7f)).u8(0x20).u32(sF64).u8(0x20).u32(sF64).u8(0x61).u8(0x1b)
    stack(0, 3)
    stack(4, 1)
  }
}

/** Writes the injected instruction sequences. */
class Emitter {
  private readonly gas: number
  private readonly depth: number
  private readonly maxDepth: number
  private readonly memLimit: number
  private readonly fault: number
  constructor(gas: number, depth: number, maxDepth: number, memLimit: number, fault: number) {
    this.gas = gas
    this.depth = depth
    this.maxDepth = maxDepth
    this.memLimit = memLimit
    this.fault = fault
  }
  /** gas -= cost; if gas < 0 unreachable */
  charge(w: Writer, cost: number): void {
    w.u8(0x23).u32(this.gas).u8(0x42).s64(BigInt(cost)).u8(0x7d).u8(0x24).u32(this.gas)
    w.u8(0x23).u32(this.gas).u8(0x42).u8(0).u8(0x53).u8(0x04).u8(0x40).u8(0x00).u8(0x0b)
  }
  /** depth += w; if depth > max unreachable */
  depthEnter(s: Writer, weight: number): void {
    s.u8(0x23).u32(this.depth).u8(0x41).s32(weight).u8(0x6a).u8(0x24).u32(this.depth)
    s.u8(0x23).u32(this.depth).u8(0x41).s32(this.maxDepth).u8(0x4b).u8(0x04).u8(0x40).u8(0x00).u8(0x0b)
  }
  depthLeave(s: Writer, weight: number): void {
    s.u8(0x23).u32(this.depth).u8(0x41).s32(weight).u8(0x6b).u8(0x24).u32(this.depth)
  }
  /** Stack [addr, value] -> marks the pages of [addr+offset, addr+offset+size) -> [addr, value]. */
  markStore(s: Writer, sV: number, sA: number, offset: number, size: number): void {
    s.u8(0x21).u32(sV).u8(0x22).u32(sA)
    s.u8(0x41).s32(offset | 0).u8(0x6a).u8(0x41).u8(16).u8(0x76).u8(0x41).u8(1).u8(0x3a).u8(0x40).u8(1).u8(0)
    if (size > 1) s.u8(0x20).u32(sA).u8(0x41).s32((offset + size - 1) | 0).u8(0x6a).u8(0x41).u8(16).u8(0x76).u8(0x41).u8(1).u8(0x3a).u8(0x40).u8(1).u8(0)
    s.u8(0x20).u32(sA).u8(0x20).u32(sV)
  }
  /** gas -= f(local 0 or local 2); trap below zero (inside a helper). */
  private chargeDynamic(w: Writer, local: number, shift: number, mul: number, flat: number): void {
    w.u8(0x23).u32(this.gas).u8(0x20).u32(local).u8(0xad) // i64.extend_i32_u
    if (shift > 0) w.u8(0x42).s64(BigInt(shift)).u8(0x88) // i64.shr_u
    w.u8(0x42).s64(BigInt(mul)).u8(0x7e) // i64.mul
    if (flat > 0) w.u8(0x42).s64(BigInt(flat)).u8(0x7c) // i64.add
    w.u8(0x7d).u8(0x24).u32(this.gas)
    w.u8(0x23).u32(this.gas).u8(0x42).u8(0).u8(0x53).u8(0x04).u8(0x40).u8(0x00).u8(0x0b)
  }
  /** Bodies of the helpers mark(d, n), copy(d, s, n), fill(d, v, n), grow(delta). */
  helpers(fMark: number, growCostPerPage: number, dirtyMemory: boolean): Uint8Array[] {
    const mark = new Writer().u32(0)
    if (!dirtyMemory) mark.u8(0x0b) // no dirty-page memory: marking is a no-op
    else {
      mark.bytes(Uint8Array.of(0x20, 1, 0x45, 0x04, 0x40, 0x0f, 0x0b)) // if n == 0 return
      mark.bytes(Uint8Array.of(0x20, 0, 0x41, 16, 0x76, 0x41, 1)) // start page, value 1
      mark.bytes(Uint8Array.of(0x20, 0, 0x20, 1, 0x6a, 0x41, 1, 0x6b, 0x41, 16, 0x76)) // end page
      mark.bytes(Uint8Array.of(0x20, 0, 0x41, 16, 0x76, 0x6b, 0x41, 1, 0x6a)) // count = end - start + 1
      mark.bytes(Uint8Array.of(0xfc, 11, 1, 0x0b)) // memory.fill (memory 1)
    }
    const bulk = (sub: number, tail: number[]) => {
      const w = new Writer().u32(0)
      this.chargeDynamic(w, 2, 6, BULK_COST_PER_64_BYTES, BULK_COST_FLAT)
      w.u8(0x20).u8(0).u8(0x20).u8(2).u8(0x10).u32(fMark)
      w.bytes(Uint8Array.of(0x20, 0, 0x20, 1, 0x20, 2, 0xfc, sub, ...tail, 0x0b))
      return w.finish()
    }
    const grow = new Writer().u32(1).u32(1).u8(I32)
    this.chargeDynamic(grow, 0, 0, growCostPerPage, 0)
    // if size + delta > limit (as i64): return -1, deterministically
    grow.bytes(Uint8Array.of(0x3f, 0, 0xad, 0x20, 0, 0xad, 0x7c)).u8(0x23).u32(this.memLimit).bytes(Uint8Array.of(0xad, 0x56, 0x04, 0x40, 0x41, 0x7f, 0x0f, 0x0b))
    // within the limit a failed grow is the host's (out of memory): flag it and trap (a node fault)
    grow.bytes(Uint8Array.of(0x20, 0, 0x40, 0, 0x22, 1, 0x41, 0x7f, 0x46, 0x04, 0x40, 0x41, 1)).u8(0x24).u32(this.fault).bytes(Uint8Array.of(0x00, 0x0b, 0x20, 1, 0x0b))
    return [mark.finish(), bulk(10, [0, 0]), bulk(11, [0]), grow.finish()]
  }
}
