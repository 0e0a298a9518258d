/**
 * Generates the TypeScript host types of the CyberWasm program world (wit/program.wit, world
 * `program-v1`) with jco (`jco types`, pinned 1.34.0: 1.35's preview2-shim no longer preopens `/`,
 * see TOOLCHAIN.md) into modules/cyberwasm/generated/, and checks that the committed copy is current.
 *
 * Usage:
 *   `npx node modules/cyberwasm/cli/wit.ts gen`   (npm run wit:gen-program)
 *   `npx node modules/cyberwasm/cli/wit.ts check` (npm run wit:check-program): exits 1 naming the
 *                                                 stale files when the generated types differ.
 *
 * The runtime's import table (modules/cyberwasm/runtime/HostAbi.ts) is typed by the generated
 * interface, so `npm run typecheck` fails when host and WIT disagree.
 */
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const root = new URL("../../..", import.meta.url).pathname
const WIT = "wit/program.wit"
const WORLD = "program-v1"
const OUT = "modules/cyberwasm/generated"

const generate = (outDir: string): void => {
  const jco = join(root, "node_modules/@bytecodealliance/jco/dist/jco.js")
  execFileSync(process.execPath, [jco, "types", join(root, WIT), "-n", WORLD, "-o", outDir, "-q"], { stdio: ["ignore", "ignore", "pipe"] })
}

const list = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? list(join(dir, n)).map((f) => join(n, f)) : [n])).sort()
    : []

/** Files of the committed generated folder that differ from a fresh generation (empty when current). */
export const staleProgramTypes = (): string[] => {
  const tmp = mkdtempSync(join(tmpdir(), "cw-wit-"))
  try {
    generate(tmp)
    const out = join(root, OUT)
    const all = [...new Set([...list(tmp), ...list(out)])].sort()
    return all.filter((f) => {
      const a = join(tmp, f)
      const b = join(out, f)
      return !existsSync(a) || !existsSync(b) || !readFileSync(a).equals(readFileSync(b))
    })
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

const main = (mode: string | undefined): number => {
  if (mode === "gen") {
    const tmp = mkdtempSync(join(tmpdir(), "cw-wit-"))
    try {
      generate(tmp)
      rmSync(join(root, OUT), { recursive: true, force: true })
      mkdirSync(join(root, OUT), { recursive: true })
      cpSync(tmp, join(root, OUT), { recursive: true })
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
    process.stdout.write(`generated ${OUT} from ${WIT} (world ${WORLD})\n`)
    return 0
  }
  if (mode === "check") {
    const stale = staleProgramTypes()
    if (stale.length === 0) {
      process.stdout.write(`${OUT} is current with ${WIT}\n`)
      return 0
    }
    process.stderr.write(`stale WIT types: ${OUT} differs from \`jco types ${WIT}\` in: ${stale.join(", ")}; run \`npm run wit:gen-program\`\n`)
    return 1
  }
  process.stderr.write("usage: node modules/cyberwasm/cli/wit.ts gen|check\n")
  return 2
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv[2])
