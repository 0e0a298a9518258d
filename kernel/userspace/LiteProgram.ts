/**
 * A loaded light-guest program: a component of the process-lite world (wit/process-lite.wit),
 * transpiled by jco (Build.ts `transpileComponent`), whose main core module is metered with the
 * CyberWasm instrumenter (modules/cyberwasm/instrument/Instrument.ts, with the process-lite
 * imports as its foreign ABI) and compiled once on the kernel thread. Every worker of the pool
 * (LitePool.ts) gets the compiled modules once and instantiates them per process: compile once
 * per package version, instantiate many.
 *
 * Metering gives each instance deterministic fuel (`__cw_gas`, reset before each call) and a
 * memory cap (`__cw_mem_limit`: `memory.grow` past it returns -1, so the guest traps on its own),
 * so a runaway or a memory bomb ends only its own process while the worker keeps running others.
 */
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { type ForeignAbi, instrument } from "../../modules/cyberwasm/instrument/Instrument.ts"
import { defaultLimits } from "../../modules/cyberwasm/instrument/Limits.ts"
import type { Transpiled } from "./Build.ts"
import { limitMemory } from "./Program.ts"

/** A light-guest program ready to run as processes (cloneable to workers). */
export interface LiteProgram {
  /** Unique per load: workers cache the program's modules under it. */
  readonly key: string
  /** The jco-generated ES module exporting `instantiate`. */
  readonly modulePath: string
  /** Compiled core modules by file name; the main one is metered. */
  readonly modules: Readonly<Record<string, WebAssembly.Module>>
  /** Linear memory cap of one instance, in 64 KiB pages. */
  readonly maxPages: number
}

/** Options of `loadLiteProgram`. */
export interface LiteProgramOptions {
  /** Linear memory cap of one instance in bytes (default 16 MiB). */
  readonly memoryLimitBytes?: number
}

const I32 = 0x7f
const sig = (params: number, results = 0) => ({ params: Array(params).fill(I32), results: Array(results).fill(I32) })

/** The core imports and exports of the process-lite world, flattened (canonical ABI). */
export const LITE_ABI: ForeignAbi = {
  module: "cyberkernel:process-lite/host@0.1.0",
  imports: new Map([
    ["print-to-terminal", sig(3)],
    ["our", sig(1)],
    ["get-state", sig(1)],
    ["set-state", sig(2)],
    ["clear-state", sig(0)],
    ["save-capabilities", sig(2)],
    ["drop-capabilities", sig(2)],
    ["send-request", sig(10)],
    ["send-response", sig(4)]
  ]),
  exports: [
    { name: "init", ...sig(2), required: true },
    { name: "handle", ...sig(9), required: true },
    { name: "cabi_realloc", ...sig(4, 1), required: true },
    { name: "_initialize", ...sig(0), required: false }
  ],
  hostCalled: ["init", "handle", "cabi_realloc", "_initialize"]
}

let loads = 0

/**
 * Whether transpiled component `t` is of the process-lite world: one of its core modules imports
 * the process-lite host interface (`LITE_ABI.module`). A process-v1 component imports
 * `cyberkernel:process/...` instead. The node's installer uses this to pick the host.
 */
export const isLiteComponent = async (t: Transpiled): Promise<boolean> => {
  for (const name of await readdir(t.dir)) {
    if (!name.endsWith(".wasm")) continue
    const m = new WebAssembly.Module(new Uint8Array(await readFile(join(t.dir, name))))
    if (WebAssembly.Module.imports(m).some((i) => i.module === LITE_ABI.module)) return true
  }
  return false
}

/**
 * Load a transpiled process-lite component: meter its main core module (the one exporting
 * `handle`), cap every memory at `memoryLimitBytes`, compile. Throws ProgramRejected (from the
 * instrumenter) naming what is outside the allowed feature set or ABI.
 */
export const loadLiteProgram = async (t: Transpiled, options: LiteProgramOptions = {}): Promise<LiteProgram> => {
  const maxPages = Math.max(1, Math.floor((options.memoryLimitBytes ?? 16 * 1024 * 1024) / 65536))
  const modules: Record<string, WebAssembly.Module> = {}
  for (const name of (await readdir(t.dir)).sort()) {
    if (!name.endsWith(".wasm")) continue
    const bytes = new Uint8Array(await readFile(join(t.dir, name)))
    const main = WebAssembly.Module.exports(new WebAssembly.Module(bytes)).some((e) => e.name === "handle")
    const code = main
      ? instrument(bytes, { ...defaultLimits, maxPages, maxTreePages: maxPages }, { abi: LITE_ABI, dirtyTracking: false }).code
      : limitMemory(bytes, maxPages)
    modules[name] = new WebAssembly.Module(code as Uint8Array<ArrayBuffer>)
  }
  return { key: `${t.dir}#${++loads}`, modulePath: t.modulePath, modules, maxPages }
}
