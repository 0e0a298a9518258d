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

interface Outcome { readonly file: string; readonly passed: number; readonly failed: number; readonly ms: number }

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
      resolve({ file, passed, failed, ms })
    })
  })

const queue = [...files]
const outcomes: Outcome[] = []
await Promise.all(
  Array.from({ length: Math.max(1, concurrency) }, async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) outcomes.push(await runFile(f))
  })
)
const passed = outcomes.reduce((a, o) => a + o.passed, 0)
const failed = outcomes.reduce((a, o) => a + o.failed, 0)
process.stdout.write(`${passed} passed, ${failed} failed\n`)
process.exitCode = failed === 0 && files.length > 0 ? 0 : 1
