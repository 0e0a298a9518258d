/**
 * Code and instance management: compiled modules per code hash, live instances per program
 * within a memory budget, and the persistence of linear memory as 64 KiB pages.
 *
 * Persistence (issue 5 "Persistent memory"): after a successful call only the pages the call
 * marked dirty are written (`0x03 addr page`, absent = zero page), plus the mutable globals, and
 * the program's memory root advances: root' = sha256(root || u32 pages || (u32 index ||
 * sha256(page))* || sha256(globals)). The cost of a call is proportional to the pages it wrote,
 * never to the program's total memory. A cached instance is reused only while its root equals the
 * root in the store being executed against; when another branch (CheckTx, a discarded tx) moved
 * it, it is moved back by re-reading the pages written since (`align`), else reloaded from the
 * stored pages. A failed call re-reads the pages it dirtied (`rollback`), so a trap never leaks
 * memory and costs what it touched, not the program's size.
 *
 * Each page is an IAVL leaf of the cyberwasm namespace, hence provable with ICS-23 against the
 * app hash; the root chain commits to the memory's history in the program record.
 */
import { createHash } from "node:crypto"
import type { KVStore } from "../../../store/KVStore.ts"
import { ProgramNotFound } from "../CyberWasmError.ts"
import { instrument, type InstrumentedProgram } from "../instrument/Instrument.ts"
import type { ProgramLimits } from "../instrument/Limits.ts"
import { Keys, type ProgramInfo } from "../State.ts"
import { LiveInstance, PAGE_SIZE } from "./LiveInstance.ts"

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")
const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash("sha256")
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}
const u32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, v)
  return b
}
const isZero = (b: Uint8Array): boolean => {
  const w = new BigUint64Array(b.buffer, b.byteOffset, b.byteLength >>> 3)
  for (let i = 0; i < w.length; i++) if (w[i] !== 0n) return false
  return true
}

/** A compiled program: validation result plus the V8 module. */
export interface CompiledCode {
  readonly program: InstrumentedProgram
  readonly module: WebAssembly.Module
}

/** Code cache + instance cache + page persistence. One per machine (per node). */
export class ProgramRuntime {
  private readonly limits: ProgramLimits
  private readonly cacheBytes: number
  private readonly maxInstances: number
  private readonly codes = new Map<string, CompiledCode>()
  private readonly instances = new Map<string, LiveInstance>()
  /** Counters for tests and benchmarks. */
  readonly stats = { instantiations: 0, reloads: 0, reverts: 0, rollbacks: 0, pagesWritten: 0, pagesRestored: 0 }

  constructor(limits: ProgramLimits, cacheBytes: number, maxInstances = 1_000) {
    this.limits = limits
    this.cacheBytes = cacheBytes
    this.maxInstances = maxInstances
  }

  /** Validate + instrument + compile `bytes` (cached by code hash). Throws ProgramRejected. */
  compile(bytes: Uint8Array): CompiledCode {
    const program = instrument(bytes, this.limits)
    const key = hex(program.hash)
    const cached = this.codes.get(key)
    if (cached) return cached
    const compiled = { program, module: new WebAssembly.Module(program.code as Uint8Array<ArrayBuffer>) }
    this.codes.set(key, compiled)
    return compiled
  }

  /** The compiled code stored under `hash`; ProgramNotFound when none. */
  code(store: KVStore, hash: Uint8Array): CompiledCode {
    const cached = this.codes.get(hex(hash))
    if (cached) return cached
    const bytes = store.get(Keys.code(hash))
    if (!bytes) throw new ProgramNotFound({ log: `no code with hash ${hex(hash)}` })
    return this.compile(bytes)
  }

  /**
   * The live instance of `info` matching the store. A cached instance at another root is moved
   * back by re-reading only the pages written since `info`'s root when that root is in its recent
   * history (a CheckTx or a discarded tx ran on it); otherwise it is reloaded from all stored pages.
   */
  instance(store: KVStore, info: ProgramInfo, raw: Uint8Array): LiveInstance {
    const cached = this.instances.get(info.address)
    if (cached && (cached.active > 0 || (equal(cached.program.hash, info.codeHash) && this.align(store, info, raw, cached)))) {
      this.instances.delete(info.address)
      this.instances.set(info.address, cached)
      return cached
    }
    const inst = this.restore(store, info, raw, this.code(store, info.codeHash))
    this.stats.reloads++
    this.put(info.address, inst)
    return inst
  }

  /** Bring `inst` to `info`'s root through its history; false when it cannot (reload instead). */
  private align(store: KVStore, info: ProgramInfo, raw: Uint8Array, inst: LiveInstance): boolean {
    if (equal(inst.root, info.memoryRoot)) return inst.pages() === info.pages
    if (inst.pages() !== info.pages) return false
    const pages = new Set<number>()
    for (let i = inst.history.length - 1; i >= 0; i--) {
      const step = inst.history[i]!
      for (const p of step.pages) pages.add(p)
      if (equal(step.from, info.memoryRoot)) {
        if (!this.reread(store, raw, inst, [...pages].sort((a, b) => a - b), info.pages)) return false
        inst.history = inst.history.slice(0, i)
        inst.root = info.memoryRoot
        this.stats.reverts++
        return true
      }
    }
    return false
  }

  /** Re-read `pages` and the globals of `inst` from `store`; false when globals were never stored. */
  private reread(store: KVStore, raw: Uint8Array, inst: LiveInstance, pages: ReadonlyArray<number>, count: number): boolean {
    const globals = store.get(Keys.globals(raw))
    if (!globals || globals.length !== inst.readGlobals().length) return false
    const mem = inst.memory()
    for (const p of pages) {
      if (p >= count) return false
      const page = store.get(Keys.page(raw, p))
      if (page) mem.set(page, p * PAGE_SIZE)
      else mem.fill(0, p * PAGE_SIZE, (p + 1) * PAGE_SIZE)
      this.stats.pagesRestored++
    }
    inst.writeGlobals(globals)
    inst.clearDirty()
    return true
  }

  /**
   * Undo a failed call on `inst`: re-read the pages it dirtied and the globals from `store` (the
   * state before the call). Drops the instance instead when memory grew or nothing was stored yet.
   */
  rollback(store: KVStore, info: ProgramInfo, raw: Uint8Array, inst: LiveInstance): void {
    if (inst.active > 0) return
    if (inst.pages() === info.pages && equal(inst.root, info.memoryRoot) && this.reread(store, raw, inst, inst.dirtyPages(), info.pages)) {
      this.stats.rollbacks++
      return
    }
    if (this.instances.get(info.address) === inst) this.instances.delete(info.address)
  }

  /** A new instance of `code` for a program being created (data segments only, all pages dirty). */
  create(info: ProgramInfo, code: CompiledCode): LiveInstance {
    const inst = new LiveInstance(code.program, code.module)
    this.stats.instantiations++
    inst.markDirty(0, inst.pages() * PAGE_SIZE)
    inst.root = info.memoryRoot
    this.put(info.address, inst)
    return inst
  }

  /**
   * An instance of `code` holding the program's stored memory (for upgrades: the new code over
   * the old memory). Globals carry over when the mutable-global layout is the same. With
   * `applyData` (upgrades) the new code's active data segments, its static data, are written over
   * the restored memory.
   */
  restore(store: KVStore, info: ProgramInfo, raw: Uint8Array, code: CompiledCode, applyData = false): LiveInstance {
    const inst = new LiveInstance(code.program, code.module)
    this.stats.instantiations++
    inst.growTo(info.pages)
    const mem = inst.memory()
    for (let p = 0; p < info.pages; p++) {
      const page = store.get(Keys.page(raw, p))
      if (page) {
        mem.set(page, p * PAGE_SIZE)
        this.stats.pagesRestored++
      } else mem.fill(0, p * PAGE_SIZE, (p + 1) * PAGE_SIZE)
    }
    const globals = store.get(Keys.globals(raw))
    if (globals && globals.length === inst.readGlobals().length) inst.writeGlobals(globals)
    inst.clearDirty()
    if (applyData) {
      for (const seg of code.program.dataSegments) {
        mem.set(seg.bytes, seg.offset)
        inst.markDirty(seg.offset, seg.bytes.length)
      }
    }
    inst.root = info.memoryRoot
    return inst
  }

  /** Install `inst` as the live instance of `address` (e.g. after an upgrade). */
  put(address: string, inst: LiveInstance): void {
    this.instances.delete(address)
    this.instances.set(address, inst)
    this.trim()
  }

  /** Forget the live instance (after a failed call; it is reloaded from pages on next use). */
  drop(address: string): void {
    const inst = this.instances.get(address)
    if (inst && inst.active === 0) this.instances.delete(address)
  }

  /** Whether a live instance is cached (tests). */
  cached(address: string): LiveInstance | undefined {
    return this.instances.get(address)
  }

  /**
   * What `persist` would write, without writing: dirty pages, and among them the pages that are
   * new to the state (no stored page before, non-zero now), which grow it by a whole page each.
   */
  persistCost(store: KVStore, raw: Uint8Array, inst: LiveInstance): { readonly written: number; readonly created: number } {
    const dirty = inst.dirtyPages()
    const mem = inst.memory()
    let created = 0
    for (const p of dirty) {
      if (store.has(Keys.page(raw, p))) continue
      if (!isZero(mem.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE))) created++
    }
    return { written: dirty.length, created }
  }

  /**
   * Write the dirty pages and globals of `inst` into `store` and advance the memory root in
   * `info` (mutated). Returns the number of pages written.
   */
  persist(store: KVStore, info: ProgramInfo, raw: Uint8Array, inst: LiveInstance): number {
    const dirty = inst.dirtyPages()
    const globals = inst.readGlobals()
    const oldGlobals = store.get(Keys.globals(raw))
    const globalsChanged = !oldGlobals || !equal(oldGlobals, globals)
    const pages = inst.pages()
    if (dirty.length === 0 && !globalsChanged && pages === info.pages) {
      inst.root = info.memoryRoot
      return 0
    }
    const mem = inst.memory()
    const parts: Uint8Array[] = [info.memoryRoot, u32(pages)]
    for (const p of dirty) {
      const page = mem.slice(p * PAGE_SIZE, (p + 1) * PAGE_SIZE)
      if (isZero(page)) store.delete(Keys.page(raw, p))
      else store.set(Keys.page(raw, p), page)
      parts.push(u32(p), sha256(page))
    }
    if (globalsChanged) store.set(Keys.globals(raw), globals)
    parts.push(sha256(globals))
    inst.history.push({ from: info.memoryRoot, pages: dirty })
    if (inst.history.length > 16) inst.history.shift()
    info.memoryRoot = sha256(...parts)
    info.pages = pages
    inst.clearDirty()
    inst.root = info.memoryRoot
    this.stats.pagesWritten += dirty.length
    return dirty.length
  }

  private trim(): void {
    let bytes = 0
    for (const inst of this.instances.values()) bytes += inst.pages() * PAGE_SIZE
    let count = this.instances.size
    for (const [address, inst] of this.instances) {
      if (bytes <= this.cacheBytes && count <= this.maxInstances) break
      if (inst.active > 0) continue
      this.instances.delete(address)
      bytes -= inst.pages() * PAGE_SIZE
      count--
    }
  }
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0
