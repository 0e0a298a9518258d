/**
 * In-worker routing between light guests (LitePool.ts, internal/LiteWorker.ts): requests between
 * two light processes of one worker are handled inside the worker with the kernel's semantics.
 * The route needs what the kernel needs (a private target's messaging capability), closes at
 * once when that capability is dropped, and keeps deadlines and per-process metering; a trapping
 * receiver fails only the requests handed to it, `offline` at once.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { MESSAGING } from "../../capabilities/Capability.ts"
import type { ProcessId } from "../../kernel/Address.ts"
import { request } from "../../kernel/Message.ts"
import { LitePool, type LiteStats } from "../../kernel/userspace/LitePool.ts"
import type { UserspaceExit } from "../../kernel/userspace/UserspaceProcess.ts"
import { bytes, liteProgram, text } from "./lite-setup.ts"
import { pid, removeHome, startNode } from "./setup.ts"

type Node = Awaited<ReturnType<typeof startNode>>

/** A node, a one-worker pool, a client and a driver that collects what guests report. */
const world = async (onCrash?: (id: ProcessId, error: unknown) => void) => {
  const node = await startNode(undefined, onCrash === undefined ? undefined : { onCrash })
  const pool = new LitePool({ workers: 1 })
  const program = await liteProgram()
  const reports: any[] = []
  let waiting: Array<() => void> = []
  node.kernel.spawn({
    id: pid("driver"),
    public: true,
    process: {
      onRequest: (_c, _s, req) => {
        reports.push(JSON.parse(text(req.body)))
        for (const w of waiting) w()
        waiting = []
      }
    }
  })
  const client = node.kernel.spawn({ id: pid("client"), process: {} })
  const ask = (p: string, body: string): Promise<any> =>
    client.request({ node: client.our.node, process: pid(p) }, request(bytes(body), 10_000)).then((r) => JSON.parse(text(r.response.body)))
  /** The next report (in arrival order). */
  let read = 0
  const next = async (): Promise<any> => {
    while (reports.length <= read) await new Promise<void>((r) => waiting.push(r))
    return reports[read++]
  }
  const stats = (p: string): LiteStats => pool.stats().find((s) => s.process === `alice.os@${p}:demo:sys`)!
  const spawn = (p: string, isPublic: boolean) => node.kernel.spawn({ id: pid(p), process: pool.process(program), public: isPublic })
  const close = async (n: Node = node) => {
    await pool.close()
    await n.stop()
    await removeHome(n.home)
  }
  return { node, pool, ask, next, stats, spawn, close }
}

const DRIVER = "alice.os@driver:demo:sys"

test("in-worker route: after the first admitted request, 2,000 pipelined pairs run inside the worker, in order, metered per process", async () => {
  const w = await world()
  try {
    w.spawn("a", true)
    w.spawn("b", true)
    assert.equal(await w.ask("a", `pingpong alice.os@b:demo:sys 2000 50 ${DRIVER}`), { sent: true })
    assert.equal(await w.next(), { pairs: 2000, bad: 0 })
    const b = w.stats("b")
    assert.is(b.received, 2000)
    assert.is(b.sent, 2000)
    // The first 50 (sent before the route was granted) went through the kernel; the rest did not.
    assert.ok(b.local >= 1900, `handled in the worker: ${b.local}`)
    assert.ok(w.stats("a").local >= 1900)
    assert.ok(b.fuel > 0 && b.cpuMs > 0)
  } finally {
    await w.close()
  }
})

test("attack: a guest without the messaging capability cannot reach a private process through the worker, even next to one that can", async () => {
  const w = await world()
  try {
    w.spawn("holder", true)
    w.spawn("intruder", true)
    w.spawn("secret", false)
    w.node.kernel.grant(pid("holder"), [{ issuer: pid("secret"), params: MESSAGING }])
    w.node.kernel.grant(pid("client"), [{ issuer: pid("secret"), params: MESSAGING }])
    // The holder warms its route to the private process.
    assert.equal(await w.ask("holder", `pingpong alice.os@secret:demo:sys 300 10 ${DRIVER}`), { sent: true })
    assert.equal(await w.next(), { pairs: 300, bad: 0 })
    const before = w.stats("secret")
    assert.ok(before.local > 0)
    // The intruder on the same worker: every request refused (offline), none reaches the target.
    assert.equal(await w.ask("intruder", `pingpong alice.os@secret:demo:sys 300 10 ${DRIVER}`), { sent: true })
    assert.equal(await w.next(), { pairs: 300, bad: 300 })
    assert.equal(await w.ask("intruder", `relay alice.os@secret:demo:sys 5000 ${DRIVER} incr`), { sent: true })
    assert.equal(await w.next(), { error: "offline" })
    assert.is(w.stats("secret").received, before.received)
    assert.equal(await w.ask("secret", "incr"), { count: 1 })
  } finally {
    await w.close()
  }
})

test("attack: dropping the messaging capability closes the in-worker route at once; in-flight pairs after it fail offline", async () => {
  const w = await world()
  try {
    w.spawn("holder", true)
    w.spawn("secret", false)
    const cap = { issuer: w.node.kernel.address(pid("secret")), params: MESSAGING }
    w.node.kernel.grant(pid("holder"), [cap])
    assert.equal(await w.ask("holder", `pingpong alice.os@secret:demo:sys 200 10 ${DRIVER}`), { sent: true })
    assert.equal(await w.next(), { pairs: 200, bad: 0 })
    assert.ok(w.stats("secret").local > 0)
    // Drop while a long run is in flight: it stops part way (the rest are refused).
    assert.equal(await w.ask("holder", `pingpong alice.os@secret:demo:sys 100000 10 ${DRIVER}`), { sent: true })
    while (w.stats("secret").received < 2000) await new Promise((r) => setTimeout(r, 1))
    w.node.kernel.drop(pid("holder"), [cap])
    const r = await w.next()
    assert.is(r.pairs, 100_000)
    assert.ok(r.bad > 90_000, `refused after the drop: ${r.bad}`)
    const reached = w.stats("secret").received
    assert.equal(await w.ask("holder", `pingpong alice.os@secret:demo:sys 100 10 ${DRIVER}`), { sent: true })
    assert.equal(await w.next(), { pairs: 100, bad: 100 })
    assert.is(w.stats("secret").received, reached)
    // Granted again: admitted through the kernel, then routed in the worker again.
    w.node.kernel.grant(pid("holder"), [cap])
    assert.equal(await w.ask("holder", `pingpong alice.os@secret:demo:sys 100 10 ${DRIVER}`), { sent: true })
    assert.equal(await w.next(), { pairs: 100, bad: 0 })
  } finally {
    await w.close()
  }
})

test("in-worker deadlines and failures: an unanswered request times out; a trapping receiver fails only its own request, offline at once; neighbours keep serving", async () => {
  const crashes: Array<{ id: ProcessId; error: unknown }> = []
  const w = await world((id, error) => crashes.push({ id, error }))
  try {
    w.spawn("a", true)
    w.spawn("b", true)
    w.spawn("c", true)
    // warm the routes a -> b and c -> a
    for (const body of ["ping 1", "ping 2"]) {
      assert.equal(await w.ask("a", `relay alice.os@b:demo:sys 5000 ${DRIVER} ${body}`), { sent: true })
      assert.equal(await w.next(), { pong: Number(body.slice(5)) })
    }
    assert.ok(w.stats("b").local >= 1)
    // A 10-minute deadline first, then a 300 ms one: the shorter one times out first.
    assert.equal(await w.ask("a", `relay alice.os@b:demo:sys 600000 ${DRIVER} silent`), { sent: true })
    assert.equal(await w.ask("a", `relay alice.os@b:demo:sys 300 ${DRIVER} silent`), { sent: true })
    assert.equal(await w.next(), { error: "timeout" })
    const t0 = performance.now()
    assert.equal(await w.ask("a", `relay alice.os@b:demo:sys 60000 ${DRIVER} trap`), { sent: true })
    // the trap's own request, and the unanswered 10-minute one handed to b earlier
    assert.equal([await w.next(), await w.next()], [{ error: "offline" }, { error: "offline" }])
    // offline at once, not at the 60 s deadline (a generous bound for a loaded machine)
    assert.ok(performance.now() - t0 < 30_000)
    assert.is(crashes.length, 1)
    assert.is(crashes[0]!.id.processName, "b")
    assert.is((crashes[0]!.error as UserspaceExit).kind, "trap")
    assert.not.ok(w.node.kernel.has(pid("b")))
    // a and c are untouched; a's state survives; c reaches a inside the worker.
    assert.equal(await w.ask("a", "incr"), { count: 1 })
    assert.equal(await w.ask("c", `relay alice.os@a:demo:sys 5000 ${DRIVER} incr`), { sent: true })
    assert.equal(await w.next(), { count: 2 })
    assert.equal(await w.ask("c", `relay alice.os@a:demo:sys 5000 ${DRIVER} incr`), { sent: true })
    assert.equal(await w.next(), { count: 3 })
    assert.ok(w.stats("a").local >= 1)
    // b is gone: a's requests to it fail offline through the kernel.
    assert.equal(await w.ask("a", `relay alice.os@b:demo:sys 5000 ${DRIVER} ping 3`), { sent: true })
    assert.equal(await w.next(), { error: "offline" })
  } finally {
    await w.close()
  }
})

test.run()
