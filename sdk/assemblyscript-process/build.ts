/**
 * Builds light-guest processes (wit/process-lite.wit) from AssemblyScript source into Wasm
 * components: asc (devDependency `assemblyscript`) compiles the core module, then jco's
 * wasm-tools (`componentEmbed` with the WIT, `componentNew`) make it a component. Output is cached
 * in .cache/lite/<name>-<hash>.wasm (gitignored), keyed by sources, flags, WIT and compiler
 * version; built components are never committed.
 *
 * Usage: `npx node sdk/assemblyscript-process/build.ts [example ...]`, or `await buildLite("service")`
 * from tests and benchmarks.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { sha256Parts, toHex } from "../../lib/Bytes.ts"

const root = new URL("../..", import.meta.url).pathname
const sdk = join(root, "sdk/assemblyscript-process")
const out = join(root, ".cache/lite")

/** The WIT of the light-guest world. */
export const LITE_WIT = join(root, "wit/process-lite.wit")

/**
 * asc flags: optimized, incremental GC, no start section (`_initialize` is exported and the host
 * calls it once per instance, metered), abort traps without allocating.
 */
export const ASC_FLAGS = ["-O3", "--runtime", "incremental", "--exportStart", "_initialize", "--use", "abort=sdk/assemblyscript-process/assembly/index/processAbort"]

/** Names of the example processes (files in sdk/assemblyscript-process/examples). */
export const liteExamples = (): string[] => readdirSync(join(sdk, "examples")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort()

const inputHash = (name: string): string =>
  toHex(sha256Parts([
    JSON.stringify(ASC_FLAGS),
    readFileSync(join(root, "node_modules/assemblyscript/package.json")),
    readFileSync(join(root, "node_modules/@bytecodealliance/jco/package.json")),
    readFileSync(LITE_WIT),
    ...readdirSync(join(sdk, "assembly")).sort().map((f) => readFileSync(join(sdk, "assembly", f))),
    readFileSync(join(sdk, "examples", `${name}.ts`))
  ])).slice(0, 16)

/** Build (or reuse) example `name`; the path of its component. Throws with asc's output on error. */
export const buildLite = async (name: string): Promise<string> => {
  mkdirSync(out, { recursive: true })
  const path = join(out, `${name}-${inputHash(name)}.wasm`)
  if (existsSync(path)) return path
  const asc = await import("assemblyscript/asc")
  let log = ""
  const sink = { write: (chunk: string | Uint8Array) => { log += String(chunk); return true } }
  const core = `${path}.${process.pid}.core`
  const { error } = await asc.main([join("sdk/assemblyscript-process/examples", `${name}.ts`), "-o", core, "--baseDir", root, ...ASC_FLAGS], { stdout: sink, stderr: sink })
  if (error) throw new Error(`asc failed for ${name}: ${error.message}\n${log}`)
  const { componentEmbed, componentNew } = await import("@bytecodealliance/jco")
  const embedded = await componentEmbed({ binary: readFileSync(core), witSource: readFileSync(LITE_WIT, "utf8"), world: "process-lite" })
  const component = await componentNew(embedded, [])
  rmSync(core)
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, component)
  renameSync(tmp, path)
  return path
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : liteExamples()
  for (const name of names) process.stdout.write(`${name}: ${await buildLite(name)}\n`)
}
