import { test } from "uvu"
import * as assert from "uvu/assert"
import type { ProcessId } from "../../kernel/Address.ts"
import { request } from "../../kernel/Message.ts"
import { LitePool } from "../../kernel/userspace/LitePool.ts"
import { UserspaceExit } from "../../kernel/userspace/UserspaceProcess.ts"
import { bytes, liteProgram, text } from "./lite-setup.ts"
import { pid, removeHome, startNode } from "./setup.ts"

const ask = async (client: { request: Function; our: { node: string } }, target: ProcessId, body: string, timeoutMs = 10_000): Promise<any> => {
  const r = await client.request({ node: client.our.node, process: target }, request(bytes(body), timeoutMs))
  return JSON.parse(text(r.response.body))
}

test("a light guest built from AssemblyScript serves requests and keeps state", async () => {
  const node = await startNode()
  const pool = new LitePool({ workers: 2 })
  const program = await liteProgram()
  node.kernel.spawn({ id: pid("lite"), process: pool.process(program), public: true })
  const client = node.kernel.spawn({ id: pid("client"), process: {} })
  assert.equal(await ask(client, pid("lite"), "ping 7"), { pong: 7 })
  assert.equal(await ask(client, pid("lite"), "incr"), { count: 1 })
  assert.equal(await ask(client, pid("lite"), "incr"), { count: 2 })
  assert.equal(await ask(client, pid("lite"), "nonsense"), { error: "unknown command" })
  const stats = pool.stats()
  assert.is(stats.length, 1)
  assert.is(stats[0]!.process, "alice.os@lite:demo:sys")
  assert.is(stats[0]!.received, 4)
  assert.ok(stats[0]!.fuel > 0 && stats[0]!.memoryBytes > 0)
  // Many host calls in one call, within the per-call bound: all made, the process keeps serving.
  assert.equal(await ask(client, pid("lite"), "flood 1000"), { flooded: 1000 })
  assert.equal(await ask(client, pid("lite"), "incr"), { count: 3 })
  await pool.close()
  await node.stop()
  await removeHome(node.home)
})


for (const workers of [1, 2]) {
  test(`per-pair order: 2,000 pipelined pairs between two light processes on ${workers} worker(s), contexts and bodies in order`, async () => {
    const node = await startNode()
    const pool = new LitePool({ workers })
    const program = await liteProgram()
    node.kernel.spawn({ id: pid("a"), process: pool.process(program), public: true })
    node.kernel.spawn({ id: pid("b"), process: pool.process(program), public: true })
    assert.is(new Set(pool.stats().map((s) => s.worker)).size, workers)
    let report!: (v: any) => void
    const done = new Promise<any>((r) => (report = r))
    node.kernel.spawn({ id: pid("driver"), process: { onRequest: (_c, _s, req) => report(JSON.parse(text(req.body))) }, public: true })
    const client = node.kernel.spawn({ id: pid("client"), process: {} })
    assert.equal(await ask(client, pid("a"), "pingpong alice.os@b:demo:sys 2000 50 alice.os@driver:demo:sys"), { sent: true })
    assert.equal(await done, { pairs: 2000, bad: 0 })
    const b = pool.stats().find((s) => s.process === "alice.os@b:demo:sys")!
    assert.is(b.received, 2000)
    assert.is(b.sent, 2000)
    await pool.close()
    await node.stop()
    await removeHome(node.home)
  })
}

for (const [op, kind] of [["spin", "cpu"], ["bomb", "memory"], ["trap", "trap"], ["flood 100000", "trap"], ["badptr", "trap"]] as const) {
  test(`${op}: ends only the guilty light process (${kind}); its worker's other processes keep serving`, async () => {
    const crashes: Array<{ id: ProcessId; error: unknown }> = []
    const node = await startNode(undefined, { onCrash: (id, error) => crashes.push({ id, error }) })
    // One worker: the guilty process and the bystander share it.
    const pool = new LitePool({ workers: 1 })
    const program = await liteProgram(8 * 1024 * 1024)
    // Fuel low enough to end a spin fast, and high enough for 10,000+ host calls in the flood.
    const options = { fuel: op === "spin" ? 50_000_000 : 2_000_000_000 }
    node.kernel.spawn({ id: pid("guilty"), process: pool.process(program, options), public: true })
    node.kernel.spawn({ id: pid("bystander"), process: pool.process(program, options), public: true })
    const client = node.kernel.spawn({ id: pid("client"), process: {} })
    assert.equal(await ask(client, pid("bystander"), "incr"), { count: 1 })
    const doomed = client.request(node.kernel.address(pid("guilty")), request(bytes(op), 30_000)).then(() => undefined, (e: unknown) => e)
    assert.equal(await ask(client, pid("bystander"), "ping 2"), { pong: 2 })
    const e = await doomed
    assert.is((e as { _tag: string })._tag, "SendFailed")
    assert.is(crashes.length, 1)
    assert.equal(crashes[0]!.id, pid("guilty"))
    const err = crashes[0]!.error as UserspaceExit
    assert.instance(err, UserspaceExit)
    assert.is(err.kind, kind, err.reason)
    // A pointer outside linear memory, handed to the host: refused by the canonical-ABI binding.
    if (op === "badptr") assert.match(err.reason, /outside linear memory/)
    assert.not.ok(node.kernel.has(pid("guilty")))
    // Same worker, same instance: its state survived the neighbour's end.
    assert.equal(await ask(client, pid("bystander"), "incr"), { count: 2 })
    assert.is(pool.threads().length, 1)
    console.log(`  ${op}: ${err.reason}`)
    await pool.close()
    await node.stop()
    await removeHome(node.home)
  })
}

test("a worker lost to a fault: its processes restart under their on-exit policies, the others end", async () => {
  const crashes: Array<{ id: ProcessId; error: unknown }> = []
  const node = await startNode(undefined, { onCrash: (id, error) => crashes.push({ id, error }) })
  const pool = new LitePool({ workers: 1 })
  const program = await liteProgram()
  node.kernel.spawn({ id: pid("phoenix"), process: pool.process(program), public: true, onExit: { tag: "restart", val: { initialMs: 10, maxMs: 100 } } })
  node.kernel.spawn({ id: pid("mortal"), process: pool.process(program), public: true })
  const client = node.kernel.spawn({ id: pid("client"), process: {} })
  assert.equal(await ask(client, pid("phoenix"), "incr"), { count: 1 })
  assert.equal(await ask(client, pid("mortal"), "ping 1"), { pong: 1 })
  await pool.threads()[0]!.terminate()
  for (let i = 0; crashes.length < 2 && i < 200; i++) await new Promise((r) => setTimeout(r, 10))
  assert.equal(crashes.map((c) => c.id.processName).sort(), ["mortal", "phoenix"])
  for (const c of crashes) assert.is((c.error as UserspaceExit).kind, "worker")
  assert.not.ok(node.kernel.has(pid("mortal")))
  // The restarted process runs on a fresh worker, with its kernel-kept state.
  let answer: unknown
  for (let i = 0; i < 100; i++) {
    try {
      answer = await ask(client, pid("phoenix"), "incr", 1000)
      break
    } catch {
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  assert.equal(answer, { count: 2 })
  assert.is(pool.threads().length, 1)
  await pool.close()
  await node.stop()
  await removeHome(node.home)
})

test.run()
