/**
 * Lowers the typed host functions (the WIT-generated `HostFunctions` shape) to core Wasm imports
 * with the canonical ABI flattening of wit/program.wit: reads (ptr, len) arguments out of the
 * program's memory and writes list/option/result returns through `retptr`, allocating with the
 * program's `cabi_realloc`. Host writes into program memory mark their pages dirty.
 *
 * A host function signals the `err` case of a result<..., string> by throwing `HostError`; any
 * other exception (out of gas, abort, a refused operation) propagates through the program as a
 * trap and fails the call.
 *
 * Source: Component Model CanonicalABI.md (lift/lower of list, option, result; MAX_FLAT_RESULTS).
 */
import { ProgramFailed } from "../CyberWasmError.ts"
import { coreName, type HostFunctions, type HostName, hostSignatures } from "../HostAbi.ts"

/** The host implementation a program runs against: one function per WIT host function. */
export type HostImpl = { readonly [K in HostName]: HostFunctions[K] }

/** Thrown by a host function to return `err(message)` to the program. */
export class HostError extends Error {}

/** Access to a live program's memory for lowering and lifting. */
export interface GuestAccess {
  /** A current view of linear memory (re-taken after any growth). */
  memory(): Uint8Array
  /** Allocate `len` bytes in the program (its `cabi_realloc`), returning the pointer. */
  alloc(len: number): number
  /** Mark pages [ptr, ptr+len) dirty. */
  markDirty(ptr: number, len: number): void
}

const utf8 = new TextDecoder("utf-8", { fatal: false })
const encoder = new TextEncoder()

const read = (g: GuestAccess, ptr: number, len: number): Uint8Array => {
  const m = g.memory()
  const p = ptr >>> 0
  const n = len >>> 0
  if (p + n > m.length) throw new ProgramFailed({ log: `host call read out of bounds: [${p}, ${p + n}) beyond ${m.length} bytes of memory` })
  return m.slice(p, p + n)
}

const writeU32 = (g: GuestAccess, ptr: number, v: number): void => {
  const m = g.memory()
  const p = ptr >>> 0
  if (p + 4 > m.length) throw new ProgramFailed({ log: `host call write out of bounds at ${p}` })
  new DataView(m.buffer, m.byteOffset).setUint32(p, v >>> 0, true)
  g.markDirty(p, 4)
}

const writeU8 = (g: GuestAccess, ptr: number, v: number): void => {
  const m = g.memory()
  const p = ptr >>> 0
  if (p + 1 > m.length) throw new ProgramFailed({ log: `host call write out of bounds at ${p}` })
  m[p] = v
  g.markDirty(p, 1)
}

/** Copy `data` into a fresh allocation; returns its pointer. */
const lowerBytes = (g: GuestAccess, data: Uint8Array): number => {
  const ptr = g.alloc(data.length)
  const m = g.memory()
  if ((ptr >>> 0) + data.length > m.length) throw new ProgramFailed({ log: `cabi_realloc returned ${ptr}, out of bounds for ${data.length} bytes` })
  m.set(data, ptr >>> 0)
  g.markDirty(ptr >>> 0, data.length)
  return ptr
}

const writeList = (g: GuestAccess, at: number, data: Uint8Array): void => {
  const ptr = lowerBytes(g, data)
  writeU32(g, at, ptr)
  writeU32(g, at + 4, data.length)
}

/**
 * Core import functions for module "cyberwasm", one per name in `names`, each calling
 * `host()[name]` at call time (so one instance can serve successive calls with fresh contexts).
 */
export const buildImports = (names: ReadonlyArray<HostName>, host: () => HostImpl, guest: GuestAccess): Record<string, Function> => {
  const out: Record<string, Function> = {}
  for (const name of names) {
    const sig = hostSignatures[name]
    out[coreName(name)] = (...args: Array<number | bigint>): number | bigint | undefined => {
      const vals: unknown[] = []
      let i = 0
      for (const p of sig.params) {
        if (p === "u64") vals.push(BigInt.asUintN(64, args[i++] as bigint))
        else if (p === "string") {
          const bytes = read(guest, args[i] as number, args[i + 1] as number)
          i += 2
          vals.push(utf8.decode(bytes))
        } else if (p === "bytes") {
          vals.push(read(guest, args[i] as number, args[i + 1] as number))
          i += 2
        } else if (p === "bool") vals.push(args[i++] !== 0)
        else if (p === "u8") vals.push((args[i++] as number) & 0xff)
        else vals.push((args[i++] as number) >>> 0)
      }
      const fn = host()[name] as (...a: unknown[]) => unknown
      const retptr = args[i] as number
      switch (sig.result) {
        case "void":
          fn(...vals)
          return undefined
        case "bool":
          return fn(...vals) ? 1 : 0
        case "u64":
          return BigInt.asIntN(64, fn(...vals) as bigint)
        case "s64":
          return BigInt.asIntN(64, fn(...vals) as bigint)
        case "string":
          writeList(guest, retptr, encoder.encode(fn(...vals) as string))
          return undefined
        case "bytes":
          writeList(guest, retptr, fn(...vals) as Uint8Array)
          return undefined
        case "option-bytes": {
          const r = fn(...vals) as Uint8Array | undefined
          writeU8(guest, retptr, r === undefined ? 0 : 1)
          if (r !== undefined) writeList(guest, retptr + 4, r)
          return undefined
        }
        case "result-bytes":
        case "result-void": {
          let r: unknown
          try {
            r = fn(...vals)
          } catch (e) {
            if (!(e instanceof HostError)) throw e
            writeU8(guest, retptr, 1)
            writeList(guest, retptr + 4, encoder.encode(e.message))
            return undefined
          }
          writeU8(guest, retptr, 0)
          if (sig.result === "result-bytes") writeList(guest, retptr + 4, r as Uint8Array)
          return undefined
        }
      }
    }
  }
  return out
}

/** Read an export's result<list<u8>, string> area at `ret`: ok bytes, or the error string. */
export const liftResult = (memory: Uint8Array, ret: number): { ok: true; data: Uint8Array } | { ok: false; error: string } => {
  const p = ret >>> 0
  if (p + 12 > memory.length) throw new ProgramFailed({ log: `entry point returned result pointer ${p} out of bounds` })
  const view = new DataView(memory.buffer, memory.byteOffset)
  const disc = memory[p]!
  const ptr = view.getUint32(p + 4, true)
  const len = view.getUint32(p + 8, true)
  if (ptr + len > memory.length) throw new ProgramFailed({ log: `entry point returned bytes [${ptr}, ${ptr + len}) out of bounds` })
  const data = memory.slice(ptr, ptr + len)
  if (disc === 0) return { ok: true, data }
  if (disc === 1) return { ok: false, error: utf8.decode(data) }
  throw new ProgramFailed({ log: `entry point returned result discriminant ${disc}` })
}
