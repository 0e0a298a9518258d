/**
 * Pipelined delivery to light guests (LiteOptions.pipeline): several messages in flight per
 * process on its worker. Per-pair order and contexts hold; `send-response` answers the request
 * being handled; a trap fails exactly the requests handed to the guilty instance (offline), and
 * a bystander on the same worker with its own requests in flight answers them all.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import type { ProcessId } from "../../kernel/Address.ts"
import { request } from "../../kernel/Message.ts"
import { LitePool } from "../../kernel/userspace/LitePool.ts"
import type { UserspaceExit } from "../../kernel/userspace/UserspaceProcess.ts"
import { bytes, liteProgram, text } from "./lite-setup.ts"
import { pid, removeHome, startNode } from "./setup.ts"

test("pipeline 16: 2,000 pipelined pairs between two light processes keep order; each answer goes to its own request", async () => {
  const node = await startNode()
  const pool = new LitePool({ workers: 1 })
  try {
    const program = await liteProgram()
    node.kernel.spawn({ id: pid("a"), process: pool.process(program, { pipeline: 16 }), public: true })
    node.kernel.spawn({ id: pid("b"), process: pool.process(program, { pipeline: 16 }), public: true })
    let report!: (v: any) => void
    const done = new Promise<any>((r) => (report = r))
    node.kernel.spawn({ id: pid("driver"), process: { onRequest: (_c, _s, req) => report(JSON.parse(text(req.body))) }, public: true })
    const client = node.kernel.spawn({ id: pid("client"), process: {} })
    const to = (p: ProcessId) => ({ node: client.our.node, process: p })
    const started = await client.request(to(pid("a")), request(bytes("pingpong alice.os@b:demo:sys 2000 50 alice.os@driver:demo:sys"), 10_000))
    assert.equal(JSON.parse(text(started.response.body)), { sent: true })
    assert.equal(await done, { pairs: 2000, bad: 0 })
    // 200 requests from the client at once: each gets the answer to its own body.
    const pending = Promise.all(Array.from({ length: 200 }, (_, i) =>
      client.request(to(pid("b")), request(bytes(`ping ${i}`), 10_000)).then((r) => JSON.parse(text(r.response.body)).pong as number)))
    // Up to 16 of them are on b's worker at once (one at a time without `pipeline`).
    let settled = false
    void pending.finally(() => (settled = true))
    let most = 0
    while (!settled) {
      most = Math.max(most, pool.stats().find((s) => s.process === "alice.os@b:demo:sys")!.inFlight)
      await new Promise((r) => setImmediate(r))
    }
    assert.ok(most > 1 && most <= 16, `in flight at most ${most}`)
    assert.equal(await pending, Array.from({ length: 200 }, (_, i) => i))
    // State writes stay in order too.
    const counts = await Promise.all(Array.from({ length: 50 }, () =>
      client.request(to(pid("b")), request(bytes("incr"), 10_000)).then((r) => JSON.parse(text(r.response.body)).count as number)))
    assert.equal(counts, Array.from({ length: 50 }, (_, i) => i + 1))
  } finally {
    await pool.close()
    await node.stop()
    await removeHome(node.home)
  }
})

test("pipeline 8: a trap fails only the requests handed to the guilty instance; the bystander on its worker answers all", async () => {
  const crashes: Array<{ id: ProcessId; error: unknown }> = []
  const node = await startNode(undefined, { onCrash: (id, error) => crashes.push({ id, error }) })
  const pool = new LitePool({ workers: 1 })
  try {
    const program = await liteProgram()
    node.kernel.spawn({ id: pid("guilty"), process: pool.process(program, { pipeline: 8 }), public: true })
    node.kernel.spawn({ id: pid("bystander"), process: pool.process(program, { pipeline: 8 }), public: true })
    const client = node.kernel.spawn({ id: pid("client"), process: {} })
    const ask = (p: string, body: string) =>
      client.request({ node: client.our.node, process: pid(p) }, request(bytes(body), 10_000)).then(
        (r) => JSON.parse(text(r.response.body)),
        (e: { error?: { kind?: string } }) => `failed: ${e.error?.kind ?? String(e)}`
      )
    const asks = [
      ask("guilty", "ping 1"), ask("bystander", "ping 1"), ask("guilty", "ping 2"), ask("bystander", "ping 2"),
      ask("guilty", "trap"), ask("bystander", "ping 3"), ask("guilty", "ping 3"), ask("bystander", "ping 4"), ask("guilty", "ping 4")
    ]
    assert.equal(await Promise.all(asks), [
      { pong: 1 }, { pong: 1 }, { pong: 2 }, { pong: 2 },
      "failed: offline", { pong: 3 }, "failed: offline", { pong: 4 }, "failed: offline"
    ])
    assert.is(crashes.length, 1)
    assert.is(crashes[0]!.id.processName, "guilty")
    assert.is((crashes[0]!.error as UserspaceExit).kind, "trap")
    assert.not.ok(node.kernel.has(pid("guilty")))
    assert.equal(await ask("bystander", "incr"), { count: 1 })
  } finally {
    await pool.close()
    await node.stop()
    await removeHome(node.home)
  }
})

for (const pipeline of [1, 8]) {
  test(`pipeline ${pipeline} + restart: requests handed to an instance that traps fail offline at once (not at their 60 s deadline); the restarted run serves`, async () => {
    const crashes: ProcessId[] = []
    const node = await startNode(undefined, { onCrash: (id) => crashes.push(id) })
    const pool = new LitePool({ workers: 1 })
    try {
      const program = await liteProgram()
      node.kernel.spawn({ id: pid("guilty"), process: pool.process(program, { pipeline }), public: true, onExit: { tag: "restart", val: { initialMs: 10, maxMs: 10 } } })
      const client = node.kernel.spawn({ id: pid("client"), process: {} })
      const ask = (body: string) =>
        client.request({ node: client.our.node, process: pid("guilty") }, request(bytes(body), 60_000)).then(
          (r) => JSON.parse(text(r.response.body)),
          (e: { error?: { kind?: string } }) => `failed: ${e.error?.kind ?? String(e)}`
        )
      assert.equal(await ask("ping 1"), { pong: 1 })
      const asks = [ask("trap"), ask("ping 2"), ask("ping 3")]
      const got = await Promise.all(asks)
      // The trap's own request fails offline; the ones behind it either were handed to the dead
      // instance (offline) or waited for the restart (answered): none waits for its deadline.
      assert.is(got[0], "failed: offline")
      for (const [i, g] of got.slice(1).entries()) assert.ok(g === "failed: offline" || (g as { pong: number }).pong === i + 2, JSON.stringify(g))
      if (pipeline > 1) assert.equal(got.slice(1), ["failed: offline", "failed: offline"])
      assert.equal(crashes.map((c) => c.processName), ["guilty"])
      assert.equal(await ask("ping 4"), { pong: 4 })
    } finally {
      await pool.close()
      await node.stop()
      await removeHome(node.home)
    }
  })
}

test.run()
