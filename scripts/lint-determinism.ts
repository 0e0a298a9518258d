/**
 * Determinism lint for chain-plane machine code (a "CyberRS for TypeScript").
 *
 * Machine code (chain/ and the machines under modules/) must not read the host clock, host
 * randomness, timers or host I/O, must not compute with floating point, and must not let object
 * key order reach state. This lint parses those files with the TypeScript compiler and its type
 * checker and reports:
 *   - `Date`, `performance`, `Math.random`, timers (`setTimeout`, `setInterval`, `setImmediate`),
 *     `process.hrtime`/`process.env`, random bytes (`randomBytes`, `randomUUID`, `getRandomValues`);
 *   - imports of host I/O modules (fs, net, http(s), child_process, os, worker_threads, dgram, dns);
 *   - floating point: non-integer numeric literals, float `Math.*` functions, `parseFloat`,
 *     `toFixed`, and `/` on `number` operands unless wrapped in `Math.floor`/`Math.trunc` or
 *     truncated with `| 0` / `>>> 0`;
 *   - unordered sources: `for ... in`, `Object.keys` / `values` / `entries`, `JSON.stringify`.
 * A line may opt out with a trailing comment `// determinism-ok: <reason>`.
 *
 * Usage: `npm run lint` (whole scope) or `npx node scripts/lint-determinism.ts file.ts ...`.
 * Exit code 1 when anything is reported.
 */
import { readdirSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import ts from "typescript"

const root = new URL("..", import.meta.url).pathname

/** Folders holding machine code, and node-plane parts inside them that are not machine code. */
const SCOPE = ["chain", "modules", "plugins"]
const EXCLUDE = [
  /^modules\/consensus\//, // block production and the ABCI server: node plane
  /^modules\/graph-native\//, // native addon build glue
  /^modules\/graph\/rank\/internal\/(native|fallbackWorker)\.ts$/, // host glue of the off-block rank runner (addon loading, worker thread)
  /^modules\/auth\/(VerifierPool|internal\/verifierWorker)\.ts$/, // parallel signature pre-verification: node plane, fills a cache only
  /^plugins\/evm\/internal\/(Bridge|Worker)\.ts$/, // host glue: the EVM worker thread and the blocking channel to it
  /^plugins\/evm\/internal\/Queries\.ts$/, // JSON query answers for the Ethereum RPC, never state
  /^plugins\/evm\/rpc\//, // the Ethereum JSON-RPC service: node plane
  /\/cli\//,
  /\.test\.ts$/
]

const IO_MODULES = new Set(["fs", "fs/promises", "net", "http", "https", "http2", "child_process", "os", "worker_threads", "dgram", "dns", "readline", "cluster"])
const FLOAT_MATH = new Set(["sqrt", "pow", "log", "log2", "log10", "log1p", "exp", "expm1", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "cbrt", "hypot", "fround", "random"])
const RANDOM = new Set(["randomBytes", "randomUUID", "getRandomValues", "randomInt", "randomFillSync", "randomFill"])
const TIMERS = new Set(["setTimeout", "setInterval", "setImmediate"])

/** One finding. */
export interface Finding {
  readonly file: string
  readonly line: number
  readonly rule: string
  readonly text: string
}

const walk = (dir: string): string[] => {
  let out: string[] = []
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return out
  }
  for (const name of names) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out = out.concat(walk(p))
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(p)
  }
  return out
}

/** The files in scope (repo-relative paths). */
export const scopeFiles = (): string[] =>
  SCOPE.flatMap((d) => walk(join(root, d)))
    .map((f) => relative(root, f))
    .filter((f) => !EXCLUDE.some((re) => re.test(f)))
    .sort()

const isTruncated = (node: ts.Node): boolean => {
  let p = node.parent
  while (p && ts.isParenthesizedExpression(p)) p = p.parent
  if (!p) return false
  if (ts.isCallExpression(p)) {
    const t = p.expression.getText()
    return t === "Math.floor" || t === "Math.trunc" || t === "Math.ceil"
  }
  if (ts.isBinaryExpression(p)) {
    const k = p.operatorToken.kind
    return k === ts.SyntaxKind.BarToken || k === ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken || k === ts.SyntaxKind.GreaterThanGreaterThanToken
  }
  return false
}

/** Lint the given files (absolute or repo-relative); returns findings, sorted. */
export const lintFiles = (files: ReadonlyArray<string>): Finding[] => {
  const abs = files.map((f) => (f.startsWith("/") ? f : join(root, f)))
  const program = ts.createProgram(abs, {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true, noEmit: true, strict: true, skipLibCheck: true, types: ["node"]
  })
  const checker = program.getTypeChecker()
  const findings: Finding[] = []
  for (const file of abs) {
    const sf = program.getSourceFile(file)
    if (!sf) continue
    const lines = sf.text.split("\n")
    const report = (node: ts.Node, rule: string) => {
      const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line
      if (/determinism-ok:/.test(lines[line] ?? "")) return
      findings.push({ file: relative(root, file), line: line + 1, rule, text: node.getText(sf).slice(0, 80) })
    }
    const isNumber = (e: ts.Expression) => {
      const t = checker.getTypeAtLocation(e)
      return (t.flags & ts.TypeFlags.NumberLike) !== 0
    }
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const spec = node.moduleSpecifier.text.replace(/^node:/, "")
        if (IO_MODULES.has(spec)) report(node, `host I/O module "${node.moduleSpecifier.text}"`)
      } else if (ts.isIdentifier(node)) {
        const name = node.text
        const parent = node.parent
        const isPropertyName = parent && ts.isPropertyAccessExpression(parent) && parent.name === node
        const isDeclName = parent && (ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === node
        if (!isPropertyName && !isDeclName && !(parent && ts.isImportSpecifier(parent))) {
          if (name === "Date" || name === "performance") report(node, `host clock (${name})`)
          if (TIMERS.has(name)) report(node, `timer (${name})`)
          if (RANDOM.has(name)) report(node, `host randomness (${name})`)
          if (name === "parseFloat") report(node, "floating point (parseFloat)")
        }
      } else if (ts.isPropertyAccessExpression(node)) {
        const obj = node.expression.getText(sf)
        const prop = node.name.text
        if (obj === "Math" && FLOAT_MATH.has(prop)) report(node, prop === "random" ? "host randomness (Math.random)" : `floating point (Math.${prop})`)
        if (obj === "process" && (prop === "hrtime" || prop === "env")) report(node, `host state (process.${prop})`)
        if (obj === "Object" && (prop === "keys" || prop === "values" || prop === "entries")) report(node, `unordered source (Object.${prop}: key order)`)
        if (obj === "JSON" && prop === "stringify") report(node, "non-canonical encoding (JSON.stringify)")
        if (obj === "Number" && prop === "parseFloat") report(node, "floating point (Number.parseFloat)")
        if (prop === "toFixed" || prop === "toPrecision") report(node, `floating point (${prop})`)
        if (RANDOM.has(prop)) report(node, `host randomness (${prop})`)
      } else if (ts.isNumericLiteral(node)) {
        const v = Number(node.text.replace(/_/g, ""))
        if (!Number.isInteger(v)) report(node, "floating point (non-integer literal)")
      } else if (ts.isForInStatement(node)) {
        report(node, "unordered source (for...in: key order)")
      } else if (ts.isBinaryExpression(node)) {
        const k = node.operatorToken.kind
        if ((k === ts.SyntaxKind.SlashToken || k === ts.SyntaxKind.SlashEqualsToken) && isNumber(node.left) && isNumber(node.right) && !isTruncated(node)) {
          report(node, "floating point (number division: use bigint, or Math.floor / | 0 on integers)")
        }
      }
      ts.forEachChild(node, visit)
    }
    visit(sf)
  }
  return findings.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1))
}

const isMain = process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]
if (isMain) {
  const args = process.argv.slice(2)
  const files = args.length > 0 ? args : scopeFiles()
  const findings = lintFiles(files)
  for (const f of findings) process.stdout.write(`${f.file}:${f.line}: ${f.rule}: ${f.text}\n`)
  process.stdout.write(`determinism lint: ${files.length} files, ${findings.length} findings\n`)
  process.exitCode = findings.length > 0 ? 1 : 0
}
