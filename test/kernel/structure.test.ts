/**
 * Structure of kernel/: no import cycle among kernel/**\/*.ts (type-only imports count: a
 * cycle of types is still a cycle of concepts), and public modules do not re-export anything
 * from an internal/ folder, so that internal/ is never the definition site of a public type.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
const KERNEL = join(ROOT, "kernel")

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    if (statSync(p).isDirectory()) return files(p)
    return p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : []
  })

/** Strip comments so that examples in docstrings are not read as imports. */
const code = (src: string): string => src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "")

/** Relative specifiers of `import ... from`, `export ... from`, `import "x"` and `import("x")`. */
const specifiers = (src: string): string[] => {
  const out: string[] = []
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g
  for (const m of code(src).matchAll(re)) out.push(m[1]!)
  return out
}

/** The import graph of kernel/ (edges to files inside kernel/ only). */
const graph = (): Map<string, string[]> => {
  const g = new Map<string, string[]>()
  for (const f of files(KERNEL)) {
    const deps = specifiers(readFileSync(f, "utf8"))
      .map((s) => resolve(dirname(f), s))
      .filter((p) => p.startsWith(KERNEL + "/") && p.endsWith(".ts"))
    g.set(f, [...new Set(deps)])
  }
  return g
}

/** Every cycle found by a depth-first search, as a list of kernel-relative paths. */
const cycles = (g: Map<string, string[]>): string[][] => {
  const found: string[][] = []
  const state = new Map<string, 1 | 2>()
  const stack: string[] = []
  const visit = (f: string): void => {
    state.set(f, 1)
    stack.push(f)
    for (const d of g.get(f) ?? []) {
      const s = state.get(d)
      if (s === 1) found.push([...stack.slice(stack.indexOf(d)), d].map((p) => relative(ROOT, p)))
      else if (s === undefined) visit(d)
    }
    stack.pop()
    state.set(f, 2)
  }
  for (const f of [...g.keys()].sort()) if (!state.has(f)) visit(f)
  return found
}

test("the cycle finder sees a cycle (self-check on a synthetic graph)", () => {
  const g = new Map([
    [`${ROOT}/a.ts`, [`${ROOT}/b.ts`]],
    [`${ROOT}/b.ts`, [`${ROOT}/c.ts`]],
    [`${ROOT}/c.ts`, [`${ROOT}/a.ts`]]
  ])
  assert.equal(cycles(g), [["a.ts", "b.ts", "c.ts", "a.ts"]])
  assert.equal(specifiers(`import type { X } from "./internal/Core.ts"\nexport { y } from '../Y.ts'\nconst w = import("./W.ts")`), [
    "./internal/Core.ts",
    "../Y.ts",
    "./W.ts"
  ])
})

test("no import cycle among kernel/**/*.ts (type-only imports included)", () => {
  const g = graph()
  assert.ok(g.size > 10, `read the kernel files (${g.size})`)
  const found = cycles(g)
  assert.equal(found, [], `import cycles:\n${found.map((c) => c.join(" -> ")).join("\n")}`)
})

test("public kernel modules re-export nothing from an internal/ folder", () => {
  const bad: string[] = []
  for (const f of files(KERNEL)) {
    if (f.split("/").includes("internal")) continue
    const src = code(readFileSync(f, "utf8"))
    // `export ... from "./internal/..."` (types or values, named or star)
    for (const m of src.matchAll(/\bexport\s+(?:type\s+)?(?:\*|\{[^}]*\})(?:\s+as\s+\w+)?\s+from\s*["']([^"']+)["']/g)) {
      if (m[1]!.split("/").includes("internal")) bad.push(`${relative(ROOT, f)}: ${m[0].replace(/\s+/g, " ")}`)
    }
    // `import { X } from "./internal/..."` then `export { X }` / `export type { X }`
    const fromInternal = new Set<string>()
    for (const m of src.matchAll(/\bimport\s+(?:type\s+)?\{([^}]*)\}\s*from\s*["']([^"']+)["']/g)) {
      if (!m[2]!.split("/").includes("internal")) continue
      for (const n of m[1]!.split(",")) {
        const name = n.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop()!.trim()
        if (name !== "") fromInternal.add(name)
      }
    }
    for (const m of src.matchAll(/\bexport\s+(?:type\s+)?\{([^}]*)\}\s*(?!\s*from)/g)) {
      for (const n of m[1]!.split(",")) {
        const name = n.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0]!.trim()
        if (fromInternal.has(name)) bad.push(`${relative(ROOT, f)}: re-exports ${name} imported from internal/`)
      }
    }
  }
  assert.equal(bad, [], `public modules re-exporting internal definitions:\n${bad.join("\n")}`)
})

test.run()
