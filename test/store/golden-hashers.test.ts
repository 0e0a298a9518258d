/**
 * The golden vectors (golden.test.ts) with each way of hashing: node by node with node:crypto
 * (CYBERKERNEL_STORE_HASH=js, in a child process: the choice is made once per process) and
 * batched through the native addon (the default where it is built; golden.test.ts itself runs
 * with it). Where the addon is missing, the test names say so instead of passing as native.
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { hasherInfo } from "../../store/internal/NativeHash.ts"

const t = suite("golden, both hashers")
const root = fileURLToPath(new URL("../..", import.meta.url))
const info = hasherInfo()
const native = info.kind === "native"

if (!native) console.log(`golden-hashers: the native addon is MISSING (${info.reason}): golden runs with node:crypto only`)

const child = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", env: { ...process.env, ...env }, timeout: 240_000 })

const kind = (env: Record<string, string>): { kind: string; reason?: string; appHash: string } => {
  const r = child(["test/store/support/hasherKind.ts"], env)
  assert.is(r.status, 0, r.stderr)
  return JSON.parse(r.stdout.trim().split("\n").pop()!)
}

t("CYBERKERNEL_STORE_HASH=js: the child hashes with node:crypto, and golden.test.ts passes there", () => {
  const js = kind({ CYBERKERNEL_STORE_HASH: "js" })
  assert.is(js.kind, "js")
  assert.is(js.reason, "CYBERKERNEL_STORE_HASH=js")
  const r = child(["node_modules/uvu/bin.js", "test/store", "^golden.test.ts$"], { CYBERKERNEL_STORE_HASH: "js" })
  assert.is(r.status, 0, r.stdout + r.stderr)
  assert.match(r.stdout, /Passed:\s+\S*3/)
})

t(native ? "default: the native addon hashes (golden.test.ts runs with it), same app hash as node:crypto" : `default: ADDON MISSING (${info.reason}): node:crypto hashes everywhere, nothing native was checked`, () => {
  const def = kind({ CYBERKERNEL_STORE_HASH: "" })
  assert.is(def.kind, info.kind)
  assert.is(def.appHash, kind({ CYBERKERNEL_STORE_HASH: "js" }).appHash)
})

t.run()
