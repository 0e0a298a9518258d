/**
 * A loaded userspace program: a transpiled component (kernel/userspace/Build.ts) whose core
 * Wasm modules are compiled once on the kernel thread and shared with every worker that runs
 * it (WebAssembly.Module is cloneable to workers), so a new process compiles nothing.
 *
 * The per-process Wasm memory limit is enforced by giving each memory the core modules define a
 * maximum (the memory section's limits rewritten before compiling): `memory.grow` past it fails
 * inside the guest, which traps (StarlingMonkey aborts on out-of-memory).
 */
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import type { Transpiled } from "./Build.ts"

/** A program ready to run as processes. */
export interface Program {
  /** The generated ES module exporting `instantiate`. */
  readonly modulePath: string
  /** Compiled core modules by file name. */
  readonly modules: Readonly<Record<string, WebAssembly.Module>>
  /** The Wasm memory maximum the modules were compiled with, in 64 KiB pages. */
  readonly maxPages: number
}

const readLeb = (b: Uint8Array, at: number): [number, number] => {
  let v = 0
  let shift = 0
  let i = at
  for (;;) {
    const x = b[i++]!
    v += (x & 0x7f) * 2 ** shift
    if ((x & 0x80) === 0) return [v, i]
    shift += 7
  }
}

const leb = (v: number): number[] => {
  const out: number[] = []
  do {
    let x = v % 128
    v = Math.floor(v / 128)
    if (v > 0) x |= 0x80
    out.push(x)
  } while (v > 0)
  return out
}

/**
 * Rewrite the memory section (id 5) of core module `bytes` so that every 32-bit memory has a
 * maximum of at most `maxPages` pages (or its minimum, when that is larger). Other sections are
 * copied as they are. Throws on a malformed module.
 */
export const limitMemory = (bytes: Uint8Array, maxPages: number): Uint8Array => {
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error("not a core Wasm module")
  const parts: Uint8Array[] = [bytes.subarray(0, 8)]
  let at = 8
  while (at < bytes.length) {
    const id = bytes[at]!
    const [size, body] = readLeb(bytes, at + 1)
    const end = body + size
    if (id !== 5) {
      parts.push(bytes.subarray(at, end))
      at = end
      continue
    }
    let [count, p] = readLeb(bytes, body)
    const out: number[] = [...leb(count)]
    while (count-- > 0) {
      const flags = bytes[p++]!
      if (flags > 3) throw new Error("memory64 is not supported for userspace processes")
      let min: number
      ;[min, p] = readLeb(bytes, p)
      let max = maxPages
      if (flags & 1) {
        let m: number
        ;[m, p] = readLeb(bytes, p)
        max = Math.min(m, maxPages)
      }
      // A memory cannot start above its maximum: the initial size (wizer's snapshot) wins.
      max = Math.max(min, max)
      out.push(flags | 1, ...leb(min), ...leb(max))
    }
    parts.push(Uint8Array.of(5, ...leb(out.length), ...out))
    at = end
  }
  const total = parts.reduce((n, x) => n + x.length, 0)
  const result = new Uint8Array(total)
  let o = 0
  for (const x of parts) {
    result.set(x, o)
    o += x.length
  }
  return result
}

/**
 * Load a transpiled component: compile each core module with its memories capped at
 * `memoryLimitBytes` (default 256 MiB). Compiles once; every process of the program shares it.
 */
export const loadProgram = async (t: Transpiled, memoryLimitBytes = 256 * 1024 * 1024): Promise<Program> => {
  const maxPages = Math.max(1, Math.floor(memoryLimitBytes / 65536))
  const modules: Record<string, WebAssembly.Module> = {}
  for (const name of await readdir(t.dir)) {
    if (!name.endsWith(".wasm")) continue
    const bytes = await readFile(join(t.dir, name))
    modules[name] = new WebAssembly.Module(limitMemory(bytes, maxPages) as Uint8Array<ArrayBuffer>)
  }
  return { modulePath: t.modulePath, modules, maxPages }
}
