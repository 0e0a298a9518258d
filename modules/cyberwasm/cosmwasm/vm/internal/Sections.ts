/**
 * The few facts of a Wasm module that cosmwasm-vm's static checks need and V8's reflection does
 * not give: table and memory limits, function type arities. Parses only the type, import,
 * function, table and memory sections (core spec 5.5); the module was validated by V8 first.
 *
 * Source: cosmwasm-vm 2.2 packages/vm/src/parsed_wasm.rs (what it collects).
 */
import { Reader } from "../../../instrument/internal/Bytes.ts"

/** Limits of a table or memory (max undefined when unbounded). */
export interface Limits {
  readonly initial: number
  readonly maximum: number | undefined
}

/** What the static checks read. */
export interface ModuleFacts {
  readonly tables: ReadonlyArray<Limits>
  readonly memories: ReadonlyArray<Limits>
  /** Defined functions (imports excluded). */
  readonly functionCount: number
  readonly maxFuncParams: number
  readonly maxFuncResults: number
  /** Sum of the parameter counts of the defined functions. */
  readonly totalFuncParams: number
}

const limits = (r: Reader): Limits => {
  const flags = r.u8()
  const initial = r.u32()
  const maximum = flags & 1 ? r.u32() : undefined
  return { initial, maximum }
}

/** Read the facts of a V8-valid module; throws WasmFormatError on a malformed section. */
export const moduleFacts = (bytes: Uint8Array): ModuleFacts => {
  const r = new Reader(bytes, 8)
  const typeParams: number[] = []
  let maxFuncParams = 0
  let maxFuncResults = 0
  let functionCount = 0
  let totalFuncParams = 0
  const tables: Limits[] = []
  const memories: Limits[] = []
  while (!r.eof()) {
    const id = r.u8()
    const size = r.u32()
    const end = r.pos + size
    const s = new Reader(bytes, r.pos, end)
    if (id === 1) {
      for (let n = s.u32(); n > 0; n--) {
        s.u8() // 0x60 (V8 refuses anything else without the GC proposal)
        const params = s.u32()
        s.bytesN(params)
        const results = s.u32()
        s.bytesN(results)
        typeParams.push(params)
        maxFuncParams = Math.max(maxFuncParams, params)
        maxFuncResults = Math.max(maxFuncResults, results)
      }
    } else if (id === 2) {
      for (let n = s.u32(); n > 0; n--) {
        s.bytesN(s.u32())
        s.bytesN(s.u32())
        const kind = s.u8()
        if (kind === 0) s.u32()
        else if (kind === 1) {
          s.u8()
          tables.push(limits(s))
        } else if (kind === 2) memories.push(limits(s))
        else {
          s.u8()
          s.u8()
        }
      }
    } else if (id === 3) {
      for (let n = s.u32(); n > 0; n--) {
        totalFuncParams += typeParams[s.u32()] ?? 0
        functionCount++
      }
    } else if (id === 4) {
      for (let n = s.u32(); n > 0; n--) {
        s.u8()
        tables.push(limits(s))
      }
    } else if (id === 5) {
      for (let n = s.u32(); n > 0; n--) memories.push(limits(s))
    }
    r.pos = end
  }
  return { tables, memories, functionCount, maxFuncParams, maxFuncResults, totalFuncParams }
}
