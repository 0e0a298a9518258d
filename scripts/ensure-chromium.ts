/**
 * Make sure a Chromium the dashboard tests can drive is installed: `$CHROMIUM_PATH`, else
 * Debian's `/usr/bin/chromium` (or `chromium-browser`); when none is there and `apt-get` is
 * available with root rights (CI starts from a fresh Debian/Ubuntu machine with root apt), runs
 * `apt-get install -y chromium` (after `apt-get update` if the first try fails). Resolves with the
 * executable path; rejects with a ChromiumMissing error saying why it could not install one, so
 * the ui tests fail with that message instead of passing silently.
 *
 * Usage: `npx node scripts/ensure-chromium.ts` (prints the path; exit 1 with the reason).
 * Called by scripts/test.ts before the test/ui suite and by test/ui/harness.ts.
 */
import { spawnSync } from "node:child_process"
import { accessSync, constants } from "node:fs"
import { Data } from "effect"

/** Chromium could not be found or installed; `reason` says what was tried. */
export class ChromiumMissing extends Data.TaggedError("ChromiumMissing")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The first installed Chromium (`$CHROMIUM_PATH` first), or undefined. */
export const findChromium = (): string | undefined => {
  const env = process.env.CHROMIUM_PATH
  if (env !== undefined && env !== "") return executable(env) ? env : undefined
  return CANDIDATES.find(executable)
}

const run = (cmd: string, args: ReadonlyArray<string>): { ok: boolean; out: string } => {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 15 * 60_000 })
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`.trim().split("\n").slice(-5).join("\n") }
}

/** Find Chromium, installing Debian's `chromium` with apt-get when missing (see module doc). */
export const ensureChromium = (): string => {
  const found = findChromium()
  if (found !== undefined) return found
  if (process.env.CHROMIUM_PATH) throw new ChromiumMissing({ reason: `CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable file` })
  const apt = run("sh", ["-c", "command -v apt-get"])
  if (!apt.ok) throw new ChromiumMissing({ reason: "Chromium is not installed (/usr/bin/chromium) and apt-get is not available to install it: install Chromium and set CHROMIUM_PATH" })
  const root = typeof process.getuid === "function" && process.getuid() === 0
  const sudo = !root && run("sudo", ["-n", "true"]).ok
  if (!root && !sudo) throw new ChromiumMissing({ reason: "Chromium is not installed (/usr/bin/chromium) and installing it needs root: run `sudo apt-get install -y chromium`" })
  const aptGet = (...args: string[]) => (root ? run("apt-get", args) : run("sudo", ["-n", "apt-get", ...args]))
  process.stderr.write("Chromium missing: apt-get install -y chromium (once; the dashboard tests drive it)\n")
  let install = aptGet("install", "-y", "chromium")
  if (!install.ok) {
    const update = aptGet("update")
    if (!update.ok) throw new ChromiumMissing({ reason: `apt-get update failed, so Chromium could not be installed:\n${update.out}` })
    install = aptGet("install", "-y", "chromium")
  }
  const after = findChromium()
  if (!install.ok || after === undefined) throw new ChromiumMissing({ reason: `apt-get install chromium failed:\n${install.out}` })
  return after
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.stdout.write(`${ensureChromium()}\n`)
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`)
    process.exitCode = 1
  }
}
