/**
 * Builds the example programs with the AssemblyScript compiler (devDependency `assemblyscript`)
 * into .cache/cyberwasm/<name>.wasm (gitignored). A build is skipped when the cached output's
 * recorded input hash (sources + flags + compiler version) matches.
 *
 * Usage: `npm run sdk:build` (all examples), or `await buildExamples(["counter"])` from tests and
 * benchmarks (the compiler runs in-process through its API, loaded once).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { sha256Parts, toHex } from "../../lib/Bytes.ts"

const root = new URL("../..", import.meta.url).pathname
const sdk = join(root, "sdk/assemblyscript")
const out = join(root, ".cache/cyberwasm")

/** asc flags: optimized, incremental GC, explicit start (metered `_initialize`), abort routed to the host. */
export const ASC_FLAGS = ["-O3", "--runtime", "incremental", "--exportStart", "_initialize", "--use", "abort=sdk/assemblyscript/assembly/index/cyberwasmAbort"]

/** Names of the example programs (files in sdk/assemblyscript/examples). */
export const examples = (): string[] => readdirSync(join(sdk, "examples")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort()

const inputHash = (name: string): string => {
  return toHex(sha256Parts([
    JSON.stringify(ASC_FLAGS),
    readFileSync(join(root, "node_modules/assemblyscript/package.json")),
    ...readdirSync(join(sdk, "assembly")).sort().map((f) => readFileSync(join(sdk, "assembly", f))),
    readFileSync(join(sdk, "examples", `${name}.ts`))
  ]))
}

/** Build (or reuse) the named examples; returns their wasm bytes by name. Throws with asc's output on error. */
export const buildExamples = async (names: ReadonlyArray<string>): Promise<Record<string, Uint8Array>> => {
  mkdirSync(out, { recursive: true })
  const result: Record<string, Uint8Array> = {}
  for (const name of names) {
    const wasm = join(out, `${name}.wasm`)
    const stamp = join(out, `${name}.hash`)
    const hash = inputHash(name)
    if (!(existsSync(wasm) && existsSync(stamp) && readFileSync(stamp, "utf8") === hash)) {
      const asc = await import("assemblyscript/asc")
      let log = ""
      const sink = { write: (chunk: string | Uint8Array) => { log += String(chunk); return true } }
      const tmp = `${wasm}.${process.pid}.tmp`
      const { error } = await asc.main([join("sdk/assemblyscript/examples", `${name}.ts`), "-o", tmp, "--baseDir", root, ...ASC_FLAGS], { stdout: sink, stderr: sink })
      if (error) throw new Error(`asc failed for ${name}: ${error.message}\n${log}`)
      renameSync(tmp, wasm)
      writeFileSync(stamp, hash)
    }
    result[name] = readFileSync(wasm)
  }
  return result
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const built = await buildExamples(examples())
  for (const [name, bytes] of Object.entries(built)) process.stdout.write(`${name}: ${bytes.length} bytes -> .cache/cyberwasm/${name}.wasm\n`)
}
