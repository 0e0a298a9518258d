/**
 * Shared setup of the light-guest tests: the example process (sdk/assemblyscript-process/examples/
 * service.ts) built from AssemblyScript source into a component (asc, jco componentEmbed +
 * componentNew; cached under .cache/lite/), transpiled by jco and loaded (metered, compiled once).
 */
import { transpileComponent } from "../../kernel/userspace/Build.ts"
import { type LiteProgram, loadLiteProgram } from "../../kernel/userspace/LiteProgram.ts"
import { buildLite } from "../../sdk/assemblyscript-process/build.ts"

const loaded = new Map<number, Promise<LiteProgram>>()

/** The example light program, each instance's memory capped at `memoryLimitBytes` (default 16 MiB). */
export const liteProgram = (memoryLimitBytes = 16 * 1024 * 1024): Promise<LiteProgram> => {
  let p = loaded.get(memoryLimitBytes)
  if (p === undefined) {
    p = buildLite("service").then((path) => transpileComponent(path)).then((t) => loadLiteProgram(t, { memoryLimitBytes }))
    loaded.set(memoryLimitBytes, p)
  }
  return p
}

const dec = new TextDecoder()
const enc = new TextEncoder()
export const text = (b: Uint8Array): string => dec.decode(b)
export const bytes = (s: string): Uint8Array => enc.encode(s)
