/**
 * Progress (cli/internal/Progress.ts): count / rate / time-left math and formatting, plain lines
 * at intervals in a log, one redrawn line on a terminal, the summary; then `cyberkernel package
 * install` reporting its files as it writes them, in a pipe and under a pseudo-terminal.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { strToU8, zipSync } from "fflate"
import { formatBytes, formatCount, formatDuration, Progress, progressLine, rate, summaryLine, timeLeft } from "../../cli/internal/Progress.ts"
import { cli, root } from "./cliProcess.ts"

const math = suite("progress: math and formatting")

math("rate and time left from the average so far", () => {
  assert.is(rate(500, 2000), 250)
  assert.is(rate(10, 0), 0, "no time passed: no rate")
  assert.is(timeLeft(250, 1000, 5000), 15_000, "750 left at 50/s")
  assert.is(timeLeft(1000, 1000, 5000), 0)
  assert.is(timeLeft(1200, 1000, 5000), 0, "past the total: nothing left")
  assert.is(timeLeft(0, 1000, 5000), undefined, "nothing done yet: unknown")
  assert.is(timeLeft(10, undefined, 5000), undefined, "no total: unknown")
  assert.is(timeLeft(10, 100, 0), undefined)
})

math("counts, bytes, durations", () => {
  assert.is(formatCount(283161), "283,161")
  assert.is(formatCount(999), "999")
  assert.is(formatCount(1234.6), "1,235")
  assert.is(formatBytes(512), "512 B")
  assert.is(formatBytes(1536), "1.50 KiB")
  assert.is(formatBytes(12.34 * 1024 * 1024), "12.3 MiB")
  assert.is(formatBytes(300 * 1024 ** 3), "300 GiB")
  assert.is(formatDuration(400), "<1s")
  assert.is(formatDuration(45_000), "45s")
  assert.is(formatDuration(185_000), "3m05s")
  assert.is(formatDuration(7_620_000), "2h07m")
  assert.is(formatDuration(Number.POSITIVE_INFINITY), "?")
})

math("lines: count of total, percent, rate, time left; summary", () => {
  const s = { label: "importing links", done: 12_345, total: 283_161, elapsedMs: 10_000 }
  assert.is(progressLine(s, { unit: "links" }), "importing links 12,345/283,161 links (4.4%), 1,235 links/s, 3m39s left")
  assert.is(progressLine({ ...s, total: undefined }, { unit: "txs" }), "importing links 12,345 txs, 1,235 txs/s")
  assert.is(progressLine({ ...s, done: 0, elapsedMs: 0 }, { unit: "links" }), "importing links 0/283,161 links (0.0%)")
  assert.is(progressLine({ label: "installing", done: 1024 * 1024, total: 4 * 1024 * 1024, elapsedMs: 500 }, { format: formatBytes }),
    "installing 1.00 MiB/4.00 MiB (25.0%), 2.00 MiB/s, 2s left")
  assert.is(summaryLine({ ...s, done: s.total, elapsedMs: 230_000 }, { unit: "links" }), "importing links: done, 283,161 links in 3m50s (1,231 links/s)")
  assert.is(summaryLine({ ...s, elapsedMs: 230_000 }, { unit: "links" }, "1 tx refused"), "importing links: stopped at 12,345 links of 283,161 links in 3m50s (54 links/s); 1 tx refused")
})

const out = suite("progress: output")

/** A stream double and a hand-driven clock. */
const rig = (tty: boolean) => {
  let t = 0
  const writes: string[] = []
  const stream = { isTTY: tty, write: (s: string) => writes.push(s) }
  return { writes, stream, now: () => t, advance: (ms: number) => { t += ms } }
}

out("not a TTY: a plain line per interval, none for short work, then the summary", () => {
  const r = rig(false)
  const p = new Progress({ label: "signing", total: 100, unit: "txs", stream: r.stream, now: r.now, plainIntervalMs: 5000 })
  for (let i = 0; i < 10; i++) { r.advance(400); p.add(1) }
  assert.equal(r.writes, [], "4 s in: still quiet")
  r.advance(1000); p.add(10)
  assert.equal(r.writes, ["signing 20/100 txs (20.0%), 4 txs/s, 20s left\n"])
  r.advance(1000); p.add(10)
  assert.is(r.writes.length, 1, "the next line waits a full interval")
  r.advance(5000); p.set(100)
  assert.is(r.writes.length, 2)
  assert.not.match(r.writes.join(""), "\r", "no carriage returns in a log")
  const summary = p.finish()
  assert.is(summary, "signing: done, 100 txs in 11s (9 txs/s)")
  assert.is(r.writes.at(-1), summary + "\n")
  p.finish()
  p.add(5)
  assert.is(r.writes.length, 3, "finish prints once; nothing after it")
})

out("TTY: one line redrawn in place (\\r, clear), notes above it, the summary ends the line", () => {
  const r = rig(true)
  const p = new Progress({ label: "importing links", total: 1000, unit: "links", stream: r.stream, now: r.now, ttyIntervalMs: 100 })
  r.advance(100); p.add(100)
  r.advance(50); p.add(100)
  r.advance(50); p.add(100)
  // 900 left at 1,000/s: 0.9 s shows as 1s; 700 left at 1,500/s: 0.47 s as <1s
  assert.equal(r.writes, ["\r\x1b[Kimporting links 100/1,000 links (10.0%), 1,000 links/s, 1s left", "\r\x1b[Kimporting links 300/1,000 links (30.0%), 1,500 links/s, <1s left"])
  p.note("tx refused: code 5")
  assert.equal(r.writes.slice(2), ["\r\x1b[K", "tx refused: code 5\n", "importing links 300/1,000 links (30.0%), 1,500 links/s, <1s left"])
  r.advance(800); p.set(1000)
  p.finish()
  assert.is(r.writes.at(-1), "\r\x1b[Kimporting links: done, 1,000 links in 1s (1,000 links/s)\n")
})

const install = suite("progress: package install")

const COMPONENT = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00])

/** A package zip of `n` asset files of `size` bytes plus one (never started) component. */
const packageZip = (dir: string, n: number, size: number): string => {
  const files: Record<string, Uint8Array> = {
    "pkg/manifest.json": strToU8(JSON.stringify([{ process_name: "svc", process_wasm_path: "/svc.wasm", on_exit: "None", request_networking: false, request_capabilities: [], grant_capabilities: [], public: false }])),
    "pkg/metadata.json": strToU8(JSON.stringify({ properties: { package_name: "bulk", publisher: "alice.os" } })),
    "pkg/svc.wasm": COMPONENT
  }
  for (let i = 0; i < n; i++) files[`pkg/assets/${i}.bin`] = new Uint8Array(size).fill(i & 0xff)
  const file = join(dir, "bulk.zip")
  writeFileSync(file, zipSync(files, { level: 0 }))
  return file
}

install("in a pipe: the summary line on stderr (files, bytes, time, rate); stdout keeps the result", async () => {
  const home = mkdtempSync(join(tmpdir(), "ck-progress-"))
  const zip = packageZip(home, 40, 64 * 1024)
  const r = await cli(["package", "install", zip, "--yes", "--home", home])
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^installed bulk:alice\.os \(svc\)/)
  assert.not.match(r.stdout, "installing", "progress stays off stdout")
  assert.match(r.stderr, /^installing bulk\.zip: done, 2\.50 MiB in (<1s|\d+s) \([\d.]+ [KMG]?i?B\/s\); 43 files$/m)
  assert.not.match(r.stderr, "\r", "no redraws in a pipe")
  assert.ok(existsSync(join(home, "packages", "bulk@alice.os", "pkg", "assets", "39.bin")), "the files are written")
  // JSON output: stdout is still one JSON document
  const again = await cli(["package", "install", packageZip(mkdtempSync(join(tmpdir(), "ck-progress-")), 2, 10), "--yes", "--home", mkdtempSync(join(tmpdir(), "ck-progress-")), "--output", "json"])
  assert.is(JSON.parse(again.stdout).installed, "bulk:alice.os")
})

install("on a terminal (script(1) pty): the line is drawn with \\r and cleared, the summary ends it", async () => {
  const home = mkdtempSync(join(tmpdir(), "ck-progress-"))
  const zip = packageZip(home, 8, 1024)
  const command = [process.execPath, join(root, "cli/main.ts"), "package", "install", zip, "--yes", "--home", home].map((a) => `'${a}'`).join(" ")
  const typescript = await new Promise<string>((resolve, reject) =>
    execFile("script", ["-qec", command, "/dev/null"], { cwd: root, env: { ...process.env, FORCE_COLOR: "0", CYBERKERNEL_HOME: join(tmpdir(), "ck-test-unused-home") } },
      (err, stdout) => (err ? reject(new Error(`${err.message}\n${stdout}`)) : resolve(stdout))))
  assert.match(typescript, /\r\x1b\[Kinstalling bulk\.zip \d[^\r]*\(\d+\.\d%\)[^\r]*\r\x1b\[Kinstalling bulk\.zip: done, 8\.\d+ KiB in (<1s|\d+s) \([^)]*\/s\); 11 files\r?\n/)
  assert.match(typescript, "installed bulk:alice.os")
})

math.run()
out.run()
install.run()
