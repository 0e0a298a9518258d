import { test } from "uvu"
import * as assert from "uvu/assert"
import { formatAddress } from "../../kernel/Address.ts"
import { request } from "../../kernel/Message.ts"
import type { Request } from "../../kernel/Message.ts"
import { userspaceProcess } from "../../kernel/userspace/UserspaceProcess.ts"
import { ask, json, parse, pid, removeHome, serviceProgram, startNode } from "./setup.ts"

test("a componentize-js component answers requests, keeps state, echoes blobs", async () => {
  const node = await startNode()
  const program = await serviceProgram()
  node.kernel.spawn({ id: pid("svc"), process: userspaceProcess(program), public: true })
  const client = node.kernel.spawn({ id: pid("client"), process: {} })
  assert.equal(await ask(client, pid("svc"), { op: "ping", n: 7 }), { pong: 7 })
  assert.equal(await ask(client, pid("svc"), { op: "incr" }), { count: 1 })
  assert.equal(await ask(client, pid("svc"), { op: "incr" }), { count: 2 })
  const r = await client.request(node.kernel.address(pid("svc")), request(json({ op: "blob" }), 10_000), { mime: "x/y", bytes: Uint8Array.of(1, 2, 3) })
  assert.equal(parse(r.response.body), { had: true })
  assert.equal([...r.blob!.bytes], [1, 2, 3])
  assert.is(r.blob!.mime, "x/y")
  await node.stop()
  await removeHome(node.home)
})

test("two userspace processes exchange 10,000 request/response pairs in order", async () => {
  const node = await startNode()
  const program = await serviceProgram()
  node.kernel.spawn({ id: pid("a"), process: userspaceProcess(program), public: true })
  node.kernel.spawn({ id: pid("b"), process: userspaceProcess(program), public: true })
  let done!: (v: unknown) => void
  const result = new Promise((r) => (done = r))
  const driver = node.kernel.spawn({
    id: pid("driver"),
    public: true,
    process: { onRequest: (_ctx, _source, req: Request) => done(parse(req.body)) }
  })
  const t0 = performance.now()
  await driver.send(node.kernel.address(pid("a")), request(json({
    op: "pingpong", target: formatAddress(node.kernel.address(pid("b"))), n: 10_000, batch: 500,
    reportTo: formatAddress(driver.our)
  })))
  assert.equal(await result, { pairs: 10_000, bad: 0 })
  console.log(`  10,000 pipelined pairs in ${((performance.now() - t0) / 1000).toFixed(2)} s`)
  await node.stop()
  await removeHome(node.home)
})

test("a private userspace process is reached only with its messaging capability", async () => {
  const node = await startNode()
  const program = await serviceProgram()
  node.kernel.spawn({ id: pid("secret"), process: userspaceProcess(program), public: false })
  node.kernel.spawn({ id: pid("caller"), process: userspaceProcess(program), public: true })
  const client = node.kernel.spawn({ id: pid("client"), process: {} })
  const target = formatAddress(node.kernel.address(pid("secret")))
  // Without the capability the userspace caller gets an offline send error.
  assert.equal(await ask(client, pid("caller"), { op: "call", target, body: { op: "ping", n: 1 } }), { error: "offline" })
  node.kernel.grant(pid("caller"), [{ issuer: pid("secret"), params: '"messaging"' }])
  assert.equal(await ask(client, pid("caller"), { op: "call", target, body: { op: "ping", n: 1 } }), { pong: 1 })
  // A native sender too: refused, then allowed.
  try {
    await ask(client, pid("secret"), { op: "ping", n: 2 })
    assert.unreachable()
  } catch (e) {
    assert.is((e as { _tag: string })._tag, "CapabilityNotHeld")
  }
  node.kernel.grant(pid("client"), [{ issuer: pid("secret"), params: '"messaging"' }])
  assert.equal(await ask(client, pid("secret"), { op: "ping", n: 2 }), { pong: 2 })
  await node.stop()
  await removeHome(node.home)
})

test("a component uses kv and timer, and finds its state again after a node restart", async () => {
  const node = await startNode()
  const program = await serviceProgram()
  const client = node.kernel.spawn({ id: pid("client"), process: {} })
  const start = (n: typeof node) => n.kernel.spawn({ id: pid("svc"), process: userspaceProcess(program, { state: n.runtime.state }), public: true })
  start(node)
  // kv: open the package database (svc gets its read/write capabilities), then set/get.
  const opened = await ask(client, pid("svc"), { op: "call", target: "alice.os@kv:distro:sys", body: { op: "open", db: "main" } })
  assert.equal(opened, { ok: { db: "demo:sys/main" } })
  assert.equal(await ask(client, pid("svc"), { op: "kv-set", key: "k", value: "v1" }), { ok: { ok: true } })
  assert.equal(await ask(client, pid("svc"), { op: "kv-get", key: "k" }), { ok: { value: "v1" } })
  const t0 = performance.now()
  assert.equal(await ask(client, pid("svc"), { op: "sleep", ms: 50 }), { slept: 50, ok: true })
  assert.ok(performance.now() - t0 >= 45)
  assert.equal(await ask(client, pid("svc"), { op: "incr" }), { count: 1 })
  assert.equal(await ask(client, pid("svc"), { op: "incr" }), { count: 2 })
  await node.stop()

  const again = await startNode(node.home)
  start(again)
  const client2 = again.kernel.spawn({ id: pid("client"), process: {} })
  assert.equal(await ask(client2, pid("svc"), { op: "count" }), { count: 2 })
  // kv data survived; the capability is issued again by open (capabilities of installed
  // packages persist through the package registry: test/userspace/packages.test.ts).
  await ask(client2, pid("svc"), { op: "call", target: "alice.os@kv:distro:sys", body: { op: "open", db: "main" } })
  assert.equal(await ask(client2, pid("svc"), { op: "kv-get", key: "k" }), { ok: { value: "v1" } })
  await again.stop()
  await removeHome(node.home)
})

test("spawn, our-capabilities, get/set-on-exit and print-to-terminal from a component", async () => {
  const node = await startNode()
  const program = await serviceProgram()
  const printed: string[] = []
  const options = {
    resolveProgram: (_caller: unknown, path: string) => (path === "/service.wasm" ? program : undefined),
    print: (_a: unknown, _v: number, m: string) => void printed.push(m)
  }
  node.kernel.spawn({ id: pid("parent"), process: userspaceProcess(program, options), public: true, grants: [{ issuer: pid("timer", "distro"), params: '"messaging"' }] })
  const client = node.kernel.spawn({ id: pid("client"), process: {} })
  assert.equal(await ask(client, pid("parent"), { op: "caps" }), { caps: ['"messaging"'] })
  assert.equal(await ask(client, pid("parent"), { op: "spawn", name: "kid", path: "/service.wasm", withCap: true }), {
    spawned: { processName: "kid", packageName: "demo", publisherNode: "sys" }
  })
  assert.equal(await ask(client, pid("kid"), { op: "ping", n: 3 }), { pong: 3 })
  assert.ok(node.kernel.hasCapability(pid("kid"), { issuer: pid("timer", "distro"), params: '"messaging"' }))
  assert.equal(await ask(client, pid("parent"), { op: "spawn", name: "kid", path: "/service.wasm" }), { error: "name-taken" })
  assert.equal(await ask(client, pid("parent"), { op: "spawn", name: "ghost", path: "/nope.wasm" }), { error: "no-file-at-path" })
  assert.equal(await ask(client, pid("parent"), { op: "on-exit" }), { onExit: "none" })
  assert.equal(await ask(client, pid("parent"), { op: "on-exit", set: true }), { onExit: "restart" })
  assert.equal(printed, ["on-exit asked", "on-exit asked"])
  await node.stop()
  await removeHome(node.home)
})

test.run()
