import { test } from "uvu"
import * as assert from "uvu/assert"
import { symlink, writeFile, mkdir } from "node:fs/promises"
import { join } from "node:path"
import { request } from "../../kernel/Message.ts"
import type { ProcessContext, Reply } from "../../kernel/Process.ts"
import { kvCapability } from "../../runtime/Kv.ts"
import { body, decodeAnswer, runtimeId } from "../../runtime/Module.ts"
import { pid, removeHome, startNode } from "./setup.ts"

const call = async (ctx: ProcessContext, module: string, b: unknown, blob?: { bytes: Uint8Array }): Promise<ReturnType<typeof decodeAnswer> & { blob?: Uint8Array }> => {
  const r: Reply = await ctx.request({ node: ctx.our.node, process: runtimeId(module) }, request(body(b), 5000), blob)
  return { ...decodeAnswer(r.response.body), ...(r.blob ? { blob: r.blob.bytes } : {}) }
}

test("kv: capabilities shared from one package to another allow exactly the granted access", async () => {
  const node = await startNode()
  const owner = node.kernel.spawn({ id: pid("owner", "alpha"), process: {} })
  const reader = node.kernel.spawn({ id: pid("reader", "beta"), process: {} })
  assert.equal(await call(owner, "kv", { op: "open", db: "main" }), { ok: { db: "alpha:sys/main" } })
  assert.equal(await call(owner, "kv", { op: "set", db: "main", key: "a", value: "1" }), { ok: true })
  // beta has nothing yet.
  assert.is((await call(reader, "kv", { op: "get", db: "main", key: "a", package: "alpha:sys" })).error?.tag, "CapabilityNotHeld")
  // alpha shares only read: attached to a message, saved by the receiver.
  const read = owner.capabilities().find((c) => c.params === kvCapability("read", "alpha:sys", "main"))!
  node.kernel.spawn({ id: pid("inbox", "beta"), process: { onRequest: (ctx, _s, req) => ctx.saveCapabilities(req.capabilities) }, public: true })
  await owner.send(node.kernel.address(pid("inbox", "beta")), request(body({}), undefined, { capabilities: [read] }))
  await new Promise((r) => setImmediate(r))
  const saved = node.kernel.capabilitiesOf(pid("inbox", "beta"))
  node.kernel.grant(pid("reader", "beta"), saved.map((c) => ({ issuer: c.issuer, params: c.params })))
  assert.equal(await call(reader, "kv", { op: "get", db: "main", key: "a", package: "alpha:sys" }), { ok: { value: "1" } })
  assert.is((await call(reader, "kv", { op: "set", db: "main", key: "a", value: "2", package: "alpha:sys" })).error?.tag, "CapabilityNotHeld")
  // Transactions apply atomically on commit.
  const { ok } = await call(owner, "kv", { op: "begin", db: "main" })
  const tx = (ok as { tx: number }).tx
  await call(owner, "kv", { op: "set", db: "main", key: "b", value: "2", tx })
  await call(owner, "kv", { op: "delete", db: "main", key: "a", tx })
  assert.equal(await call(owner, "kv", { op: "get", db: "main", key: "b" }), { ok: { value: null } })
  assert.equal(await call(owner, "kv", { op: "commit", tx }), { ok: { applied: 2 } })
  assert.equal(await call(owner, "kv", { op: "get", db: "main", key: "b" }), { ok: { value: "2" } })
  assert.equal(await call(owner, "kv", { op: "get", db: "main", key: "a" }), { ok: { value: null } })
  // Bad requests name the field.
  const bad = await call(owner, "kv", { op: "set", db: "main", key: 3, value: "x" })
  assert.is(bad.error?.tag, "InvalidRequest")
  assert.match(bad.error!.message, /key/)
  await node.stop()
  await removeHome(node.home)
})

test("vfs: reads and writes inside a drive; escapes by .., absolute paths and links are refused", async () => {
  const node = await startNode()
  const app = node.kernel.spawn({ id: pid("app", "alpha"), process: {} })
  const other = node.kernel.spawn({ id: pid("other", "beta"), process: {} })
  assert.equal(await call(app, "vfs", { op: "create-drive", drive: "files" }), { ok: { drive: "alpha:sys/files" } })
  assert.equal(await call(app, "vfs", { op: "write", drive: "files", path: "dir/a.txt" }, { bytes: Uint8Array.of(104, 105) }), { ok: { written: 2 } })
  const r = await call(app, "vfs", { op: "read", drive: "files", path: "dir/a.txt" })
  assert.equal([...r.blob!], [104, 105])
  assert.equal(await call(app, "vfs", { op: "list", drive: "files", path: "dir" }), { ok: { entries: ["a.txt"] } })
  assert.is((await call(other, "vfs", { op: "read", drive: "files", path: "dir/a.txt", package: "alpha:sys" })).error?.tag, "CapabilityNotHeld")
  // A secret outside the drive, and a link to it planted inside.
  await writeFile(join(node.home, "secret"), "s")
  const drive = join(node.home, "vfs", "alpha@sys", "files")
  await symlink(join(node.home, "secret"), join(drive, "link"))
  await mkdir(join(node.home, "outside"), { recursive: true })
  await symlink(join(node.home, "outside"), join(drive, "dirlink"))
  for (const path of ["../../../secret", "dir/../../secret", "/etc/passwd", "link", "dirlink/x", "./dir/a.txt", "dir//a.txt", "a\\..\\b"]) {
    for (const op of ["read", "write"]) {
      const res = await call(app, "vfs", { op, drive: "files", path }, { bytes: Uint8Array.of(1) })
      assert.is(res.error?.tag, "PathRefused", `${op} ${path}: ${JSON.stringify(res)}`)
    }
  }
  await node.stop()
  await removeHome(node.home)
})

test("timer pops in deadline order; state module keeps each caller's own state", async () => {
  const node = await startNode()
  const a = node.kernel.spawn({ id: pid("a"), process: {} })
  const order: number[] = []
  await Promise.all([60, 20, 40].map((ms) => call(a, "timer", { op: "set-timer", ms }).then(() => order.push(ms))))
  assert.equal(order, [20, 40, 60])
  assert.is((await call(a, "timer", { op: "set-timer", ms: -1 })).error?.tag, "InvalidRequest")
  await call(a, "state", { op: "set", state: Buffer.from("hi").toString("base64") })
  const b = node.kernel.spawn({ id: pid("b"), process: {} })
  assert.equal(await call(b, "state", { op: "get" }), { ok: { state: null } })
  assert.equal(await call(a, "state", { op: "get" }), { ok: { state: Buffer.from("hi").toString("base64") } })
  await node.stop()
  await removeHome(node.home)
})

test.run()
