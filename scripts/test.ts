/**
 * Test driver: runs every `test/**\/*.test.ts` file in its own Node process (uvu suites),
 * two at a time, sums uvu's per-file totals and ends with the line CI reads:
 * `N passed, N failed`. A file that exits non-zero without a uvu summary counts as one failure.
 *
 * Usage: `npm test [-- substring ...]` runs only files whose path contains a substring.
 */
import { spawn } from "node:child_process"
import { readdirSync, statSync } from "node:fs"
import { join, relative } from "node:path"

const root = new URL("..", import.meta.url).pathname
const filters = process.argv.slice(2)
const concurrency = Number(process.env.TEST_CONCURRENCY ?? 2)
/** A file still running after this many seconds is killed and counted as failed (a hang must not stall CI). */
const fileTimeoutS = Number(process.env.TEST_FILE_TIMEOUT_S ?? 300)

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (name === "fixtures" || name === "node_modules") return []
    return statSync(path).isDirectory() ? walk(path) : name.endsWith(".test.ts") ? [path] : []
  })

const files = walk(join(root, "test"))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort()

// The dashboard suite drives Chromium: install it first where missing (scripts/ensure-chromium.ts);
// when that is impossible the ui tests fail with the reason (their harness asks again).
if (files.some((f) => f.startsWith("test/ui/"))) {
  const { ensureChromium } = await import("./ensure-chromium.ts")
  try {
    process.stdout.write(`chromium: ${ensureChromium()}\n`)
  } catch (e) {
    process.stdout.write(`chromium: ${(e as Error).message} (the test/ui files will fail)\n`)
  }
}

interface Outcome { readonly file: string; readonly passed: number; readonly failed: number; readonly ms: number; readonly tail: string }

const runFile = (file: string): Promise<Outcome> =>
  new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, [file], { cwd: root, env: { ...process.env, FORCE_COLOR: "0" } })
    let out = ""
    child.stdout.on("data", (d) => { out += d })
    child.stderr.on("data", (d) => { out += d })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, fileTimeoutS * 1000)
    child.on("close", (code) => {
      clearTimeout(timer)
      if (timedOut) out += `\n[test driver] killed after ${fileTimeoutS} s (TEST_FILE_TIMEOUT_S)\n`
      const total = [...out.matchAll(/Total:\s+(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0)
      const passed = [...out.matchAll(/Passed:\s+(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0)
      const skipped = [...out.matchAll(/Skipped:\s+(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0)
      let failed = Math.max(0, total - passed - skipped)
      if ((code !== 0 || timedOut) && failed === 0) failed = 1
      const ms = performance.now() - started
      const mark = failed === 0 ? "ok  " : "FAIL"
      process.stdout.write(`${mark} ${file} (${passed} passed, ${failed} failed, ${(ms / 1000).toFixed(1)} s)\n`)
      if (failed > 0) process.stdout.write(out.split("\n").map((l) => `     | ${l}`).join("\n") + "\n")
      resolve({ file, passed, failed, ms, tail: failed > 0 ? failureTail(out) : "" })
    })
  })

/**
 * The part of a failed file's output that names the failure: uvu's `FAIL` block (test name,
 * assertion message, first stack lines), else the last lines. Printed again just above the totals
 * so that a log cut in the middle still shows why each file failed.
 */
const failureTail = (out: string): string => {
  const lines = out.replace(/\x1b\[[0-9;]*m/g, "").split("\n")
  const at = lines.findIndex((l) => /^\s*FAIL\s/.test(l) || l.includes("✘"))
  const picked = at >= 0 ? lines.slice(at, at + 24) : lines.slice(-24)
  return picked.filter((l) => l.trim() !== "").map((l) => `     | ${l.slice(0, 300)}`).join("\n")
}

const queue = [...files]
const outcomes: Outcome[] = []
await Promise.all(
  Array.from({ length: Math.max(1, concurrency) }, async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) outcomes.push(await runFile(f))
  })
)
const passed = outcomes.reduce((a, o) => a + o.passed, 0)
const failed = outcomes.reduce((a, o) => a + o.failed, 0)
for (const o of outcomes.filter((o) => o.failed > 0)) process.stdout.write(`failed: ${o.file}\n${o.tail}\n`)
process.stdout.write(`${passed} passed, ${failed} failed\n`)
process.exitCode = failed === 0 && files.length > 0 ? 0 : 1
