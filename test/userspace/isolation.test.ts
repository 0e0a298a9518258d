import { test } from "uvu"
import * as assert from "uvu/assert"
import type { ProcessId } from "../../kernel/Address.ts"
import { request } from "../../kernel/Message.ts"
import { UserspaceExit, userspaceProcess } from "../../kernel/userspace/UserspaceProcess.ts"
import { ask, json, pid, removeHome, serviceProgram, startNode } from "./setup.ts"

const crashes: Array<{ id: ProcessId; error: unknown }> = []

for (const [op, kind] of [["spin", "cpu"], ["bomb", "memory"], ["trap", "trap"]] as const) {
  test(`${op}: ends only the guilty process (${kind}); the node keeps serving`, async () => {
    crashes.length = 0
    const node = await startNode(undefined, { onCrash: (id, error) => crashes.push({ id, error }) })
    const program = await serviceProgram(32 * 1024 * 1024)
    const limits = { cpuLimitMs: op === "spin" ? 500 : 5000, heapLimitMb: 32 }
    node.kernel.spawn({ id: pid("guilty"), process: userspaceProcess(program, limits), public: true })
    node.kernel.spawn({ id: pid("bystander"), process: userspaceProcess(program, limits), public: true })
    const client = node.kernel.spawn({ id: pid("client"), process: {} })
    assert.equal(await ask(client, pid("bystander"), { op: "ping", n: 1 }), { pong: 1 })
    const t0 = performance.now()
    // Settled into a value at once: a trap can end the process before the next line runs.
    const doomed = client.request(node.kernel.address(pid("guilty")), request(json({ op }), 30_000)).then(
      () => undefined,
      (e: unknown) => e
    )
    // While the guilty process runs, the bystander and a runtime module keep answering.
    assert.equal(await ask(client, pid("bystander"), { op: "ping", n: 2 }), { pong: 2 })
    const e = await doomed
    assert.is((e as { _tag: string })._tag, "SendFailed")
    assert.is((e as { error: { kind: string } }).error.kind, "offline")
    const ms = performance.now() - t0
    assert.is(crashes.length, 1)
    assert.equal(crashes[0]!.id, pid("guilty"))
    const err = crashes[0]!.error as UserspaceExit
    assert.instance(err, UserspaceExit)
    assert.is(err.kind, kind, err.reason)
    assert.not.ok(node.kernel.has(pid("guilty")))
    assert.equal(await ask(client, pid("bystander"), { op: "ping", n: 3 }), { pong: 3 })
    console.log(`  ${op}: ended after ${ms.toFixed(0)} ms: ${err.reason}`)
    await node.stop()
    await removeHome(node.home)
  })
}

test("a trapping process with on-exit restart comes back and serves", async () => {
  const node = await startNode()
  const program = await serviceProgram()
  node.kernel.spawn({
    id: pid("phoenix"),
    process: userspaceProcess(program),
    public: true,
    onExit: { tag: "restart", val: { initialMs: 10, maxMs: 100 } }
  })
  const client = node.kernel.spawn({ id: pid("client"), process: {} })
  assert.equal(await ask(client, pid("phoenix"), { op: "incr" }), { count: 1 })
  await client.request(node.kernel.address(pid("phoenix")), request(json({ op: "trap" }), 2000)).catch(() => undefined)
  // The crashed request gets no answer; after the backoff the process serves again, state kept.
  for (let i = 0; ; i++) {
    try {
      assert.equal(await ask(client, pid("phoenix"), { op: "incr" }, 2000), { count: 2 })
      break
    } catch (e) {
      if (i > 5) throw e
    }
  }
  await node.stop()
  await removeHome(node.home)
})

test.run()
