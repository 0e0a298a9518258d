/**
 * Generates the TypeScript types of the WIT worlds with jco (`jco types`, pinned 1.34.0) and
 * checks that the committed copies are current.
 *
 * Usage:
 *   `npx node wit/generate.ts gen`   (npm run wit:gen)   writes kernel/generated/
 *   `npx node wit/generate.ts check` (npm run wit:check) generates into a temp dir and exits 1,
 *                                    naming the files, when kernel/generated/ differs (stale).
 *
 * The kernel's host types are tied to the generated ones at the type level (kernel/Wit.ts), so
 * `npm run typecheck` fails when host code and WIT disagree, and `wit:check` fails when the WIT
 * changed without regenerating.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync, cpSync, mkdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative, resolve } from "node:path"

const root = new URL("..", import.meta.url).pathname

/** One WIT world and the folder its generated types are committed in. */
export interface WitTarget {
  readonly wit: string
  readonly world: string
  readonly out: string
}

/** The worlds this repository generates types for (paths relative to the repository root). */
export const targets: ReadonlyArray<WitTarget> = [
  { wit: "wit/process.wit", world: "process-v1", out: "kernel/generated" }
]

/** jco's CLI entry (its package exports do not expose it, so it is found by path). */
const jcoBin = (): string => join(root, "node_modules/@bytecodealliance/jco/dist/jco.js")

/** Run `jco types` for one target into `outDir` (absolute). */
export const generate = (target: WitTarget, outDir: string): void => {
  execFileSync(process.execPath, [jcoBin(), "types", resolve(root, target.wit), "-n", target.world, "-o", outDir, "-q"], {
    stdio: ["ignore", "ignore", "pipe"]
  })
}

const listFiles = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir).flatMap((name) => {
      const p = join(dir, name)
      return statSync(p).isDirectory() ? listFiles(p).map((f) => join(name, f)) : [name]
    }).sort()
    : []

/**
 * Paths (relative to the target's out folder) that differ between the committed generated types
 * and a fresh generation: changed, missing or extra files. Empty when current.
 */
export const staleFiles = (target: WitTarget): string[] => {
  const tmp = mkdtempSync(join(tmpdir(), "wit-check-"))
  try {
    generate(target, tmp)
    const committed = resolve(root, target.out)
    const fresh = listFiles(tmp)
    const old = listFiles(committed)
    const all = [...new Set([...fresh, ...old])].sort()
    return all.filter((f) => {
      const a = join(tmp, f)
      const b = join(committed, f)
      if (!existsSync(a) || !existsSync(b)) return true
      return !readFileSync(a).equals(readFileSync(b))
    })
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

const main = (mode: string | undefined): number => {
  if (mode === "gen") {
    for (const t of targets) {
      const out = join(root, t.out)
      const tmp = mkdtempSync(join(tmpdir(), "wit-gen-"))
      try {
        generate(t, tmp)
        rmSync(out, { recursive: true, force: true })
        mkdirSync(out, { recursive: true })
        cpSync(tmp, out, { recursive: true })
      } finally {
        rmSync(tmp, { recursive: true, force: true })
      }
      process.stdout.write(`generated ${relative(root, out)} from ${t.wit} (world ${t.world})\n`)
    }
    return 0
  }
  if (mode === "check") {
    let bad = 0
    for (const t of targets) {
      const stale = staleFiles(t)
      if (stale.length > 0) {
        bad++
        process.stderr.write(
          `stale WIT types: ${t.out} differs from \`jco types ${t.wit}\` in: ${stale.join(", ")}; run \`npm run wit:gen\`\n`
        )
      } else process.stdout.write(`${t.out} is current with ${t.wit}\n`)
    }
    return bad === 0 ? 0 : 1
  }
  process.stderr.write("usage: node wit/generate.ts gen|check\n")
  return 2
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv[2])
