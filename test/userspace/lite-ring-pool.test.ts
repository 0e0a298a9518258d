/**
 * The `ring` transport of the light-guest pool (LitePool `transport: "ring"`,
 * internal/LiteLink.ts): batches between the kernel thread and each worker cross through a pair
 * of shared-memory rings, with postMessage kept for the batches a ring cannot take, in send order.
 * Across two workers, pairs keep their order with and without pipelining; most batches go through
 * the rings; a full ring falls back to postMessage without reordering; a corrupt ring record is
 * lost alone; a worker fault and deadlines behave as with postMessage.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import type { ProcessId } from "../../kernel/Address.ts"
import { request } from "../../kernel/Message.ts"
import { RingRecordError, type RingShape } from "../../kernel/userspace/internal/LiteRing.ts"
import { LitePool } from "../../kernel/userspace/LitePool.ts"
import type { UserspaceExit } from "../../kernel/userspace/UserspaceProcess.ts"
import { bytes, liteProgram, text } from "./lite-setup.ts"
import { pid, removeHome, startNode } from "./setup.ts"

/** Run `pingpong` of `pairs` pairs, `window` in flight, from x to y (each on its own worker of a ring pool). */
const pingpong = async (pipeline: number, pairs: number, window: number, ringShape?: RingShape) => {
  const node = await startNode()
  const pool = new LitePool({ workers: 2, transport: "ring", ...(ringShape !== undefined ? { ringShape } : {}) })
  try {
    const program = await liteProgram()
    node.kernel.spawn({ id: pid("x"), process: pool.process(program, { pipeline }), public: true })
    node.kernel.spawn({ id: pid("y"), process: pool.process(program, { pipeline }), public: true })
    let report!: (v: any) => void
    const done = new Promise<any>((r) => (report = r))
    node.kernel.spawn({ id: pid("driver"), process: { onRequest: (_c, _s, req) => report(JSON.parse(text(req.body))) }, public: true })
    const client = node.kernel.spawn({ id: pid("client"), process: {} })
    assert.is(pool.poolWorkers().length, 2, "x and y on two workers")
    const started = await client.request({ node: client.our.node, process: pid("x") }, request(bytes(`pingpong alice.os@y:demo:sys ${pairs} ${window} alice.os@driver:demo:sys`), 60_000))
    assert.equal(JSON.parse(text(started.response.body)), { sent: true })
    assert.equal(await done, { pairs, bad: 0 })
    const counts = pool.poolWorkers().map((w) => w.link!.send.counts)
    return { counts, errors: pool.linkErrors() }
  } finally {
    await pool.close()
    await node.stop()
    await removeHome(node.home)
  }
}

test("ring transport: 2,000 cross-worker pairs one at a time keep order, batches through the rings", async () => {
  const { counts, errors } = await pingpong(1, 2000, 1)
  const ring = counts.reduce((n, c) => n + c.ring, 0)
  const posted = counts.reduce((n, c) => n + c.posted, 0)
  assert.ok(ring >= 4000, `${ring} kernel->worker batches through the rings (${posted} posted)`)
  assert.ok(posted < ring / 10, `${posted} posted, ${ring} through the rings`)
  assert.is(errors, 0)
})

test("ring transport, pipeline 16: 3,000 cross-worker pairs with 50 in flight keep order", async () => {
  const { counts, errors } = await pingpong(16, 3000, 50)
  const ring = counts.reduce((n, c) => n + c.ring, 0)
  const posted = counts.reduce((n, c) => n + c.posted, 0)
  assert.ok(ring > posted * 10, `${ring} through the rings, ${posted} posted`)
  assert.is(errors, 0)
})

test("ring full: with rings of 2 records of at most 1 KiB, batches overflow to postMessage and 3,000 pipelined pairs still keep order", async () => {
  const { counts, errors } = await pingpong(16, 3000, 100, { slots: 2, bytes: 2048, maxRecord: 1024 })
  const ring = counts.reduce((n, c) => n + c.ring, 0)
  const posted = counts.reduce((n, c) => n + c.posted, 0)
  assert.ok(ring > 100 && posted > 100, `${ring} through the rings, ${posted} posted`)
  assert.is(errors, 0)
})

test("a bad transport or ring shape is refused when the pool is made", () => {
  assert.throws(() => new LitePool({ workers: 1, transport: "pigeon" as "ring" }), (e: Error) => e instanceof RangeError)
  assert.throws(() => new LitePool({ workers: 1, transport: "ring", ringShape: { slots: 3, bytes: 1 << 16, maxRecord: 1 << 10 } }), (e: Error) => e.name === "Error" && /bad ring shape/.test(e.message))
})

/** A node, a two-worker ring pool, a client and a driver that collects what guests report. */
const world = async () => {
  const crashes: Array<{ id: ProcessId; error: unknown }> = []
  const node = await startNode(undefined, { onCrash: (id, error) => crashes.push({ id, error }) })
  const pool = new LitePool({ workers: 2, transport: "ring" })
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
  const ask = (p: string, body: string, timeoutMs = 10_000): Promise<any> =>
    client.request({ node: client.our.node, process: pid(p) }, request(bytes(body), timeoutMs)).then((r) => JSON.parse(text(r.response.body)))
  let read = 0
  const next = async (): Promise<any> => {
    while (reports.length <= read) await new Promise<void>((r) => waiting.push(r))
    return reports[read++]
  }
  const close = async () => {
    await pool.close()
    await node.stop()
    await removeHome(node.home)
  }
  return { node, pool, program, crashes, ask, next, close }
}

const DRIVER = "alice.os@driver:demo:sys"

test("ring transport: cross-worker deadlines fire (guest and native requesters)", async () => {
  const w = await world()
  try {
    w.node.kernel.spawn({ id: pid("x"), process: w.pool.process(w.program), public: true })
    w.node.kernel.spawn({ id: pid("y"), process: w.pool.process(w.program), public: true })
    assert.is(w.pool.poolWorkers().length, 2)
    assert.equal(await w.ask("x", `relay alice.os@y:demo:sys 5000 ${DRIVER} ping 1`), { sent: true })
    assert.equal(await w.next(), { pong: 1 })
    const t0 = performance.now()
    assert.equal(await w.ask("x", `relay alice.os@y:demo:sys 300 ${DRIVER} silent`), { sent: true })
    assert.equal(await w.next(), { error: "timeout" })
    assert.ok(performance.now() - t0 >= 250, "not before the deadline")
    const failed = await w.ask("y", "silent", 300).then(() => "answered", (e: unknown) => (e as { kind?: string }).kind)
    assert.is(failed, "timeout")
    // both still serve
    assert.equal(await w.ask("y", "ping 2"), { pong: 2 })
    assert.equal(await w.ask("x", `relay alice.os@y:demo:sys 5000 ${DRIVER} ping 3`), { sent: true })
    assert.equal(await w.next(), { pong: 3 })
    assert.is(w.pool.linkErrors(), 0)
  } finally {
    await w.close()
  }
})

/** Waits (up to 3 s) for `n` crashes, checks each ended with kind `worker`, and returns the crashed process names, sorted. */
const workerCrashes = async (w: Awaited<ReturnType<typeof world>>, n: number): Promise<string[]> => {
  for (let i = 0; w.crashes.length < n && i < 300; i++) await new Promise((r) => setTimeout(r, 10))
  for (const c of w.crashes) assert.is((c.error as UserspaceExit).kind, "worker")
  return w.crashes.map((c) => c.id.processName).sort()
}

/** `incr` to a process that is restarting: retried every 20 ms (100 tries) until it answers. */
const askRestarted = async (w: Awaited<ReturnType<typeof world>>, name: string): Promise<unknown> => {
  for (let i = 0; i < 100; i++) {
    try {
      return await w.ask(name, "incr", 1000)
    } catch {
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  return undefined
}

test("ring transport: a worker lost to a fault ends or restarts its processes; a request to it from the other worker fails offline; the other worker serves on", async () => {
  const w = await world()
  try {
    w.node.kernel.spawn({ id: pid("phoenix"), process: w.pool.process(w.program), public: true, onExit: { tag: "restart", val: { initialMs: 10, maxMs: 100 } } })
    w.node.kernel.spawn({ id: pid("x"), process: w.pool.process(w.program), public: true })
    w.node.kernel.spawn({ id: pid("mortal"), process: w.pool.process(w.program), public: true })
    // phoenix and mortal on worker 0, x on worker 1
    const [w0] = w.pool.threads()
    assert.equal(await w.ask("phoenix", "incr"), { count: 1 })
    assert.equal(await w.ask("x", `relay alice.os@mortal:demo:sys 60000 ${DRIVER} ping 1`), { sent: true })
    assert.equal(await w.next(), { pong: 1 })
    // x waits on mortal (60 s deadline); mortal's worker dies
    assert.equal(await w.ask("x", `relay alice.os@mortal:demo:sys 60000 ${DRIVER} silent`), { sent: true })
    const t0 = performance.now()
    await w0!.terminate()
    assert.equal(await w.next(), { error: "offline" })
    assert.ok(performance.now() - t0 < 30_000, "offline at once, not at the deadline")
    assert.equal(await workerCrashes(w, 2), ["mortal", "phoenix"])
    assert.not.ok(w.node.kernel.has(pid("mortal")))
    assert.equal(await askRestarted(w, "phoenix"), { count: 2 })
    // x (worker 1) reaches the restarted phoenix on its fresh worker, over the new worker's rings
    assert.equal(await w.ask("x", `relay alice.os@phoenix:demo:sys 5000 ${DRIVER} incr`), { sent: true })
    assert.equal(await w.next(), { count: 3 })
    assert.is(w.pool.threads().length, 2)
    assert.ok(w.pool.poolWorkers().every((p) => p.link !== undefined && p.link.send.counts.ring > 0))
  } finally {
    await w.close()
  }
})

test("attack: a corrupt record in a worker's ring loses that batch alone and ends that worker as a fault; its process restarts, the other worker serves on", async () => {
  const w = await world()
  try {
    w.node.kernel.spawn({ id: pid("phoenix"), process: w.pool.process(w.program), public: true, onExit: { tag: "restart", val: { initialMs: 10, maxMs: 100 } } })
    w.node.kernel.spawn({ id: pid("x"), process: w.pool.process(w.program), public: true })
    assert.equal(await w.ask("phoenix", "incr"), { count: 1 })
    const pw = w.pool.poolWorkers()[0]!
    const link = pw.link!
    // Hold the kernel thread from the moment the request's batch is pushed until the worker's
    // answer is in the worker -> kernel ring, then corrupt that record's description. Whether the
    // kernel's drain got there first depends on timing, so try a few times.
    let corrupted = false
    let lost: unknown
    for (let attempt = 0; attempt < 40 && !corrupted; attempt++) {
      const before = link.send.counts.ring
      const answer = w.ask("phoenix", `ping ${attempt}`, 2000).then((r) => r, (e: { kind?: string }) => e.kind)
      for (let i = 0; i < 100; i++) {
        await new Promise((r) => setImmediate(r))
        if (link.send.counts.ring === before) continue
        const t = performance.now()
        while (link.receive.ring.size === 0 && performance.now() - t < 300) { /* hold the thread */ }
        if (link.receive.ring.size > 0) {
          link.receive.ring.corruptOldestForTest(0, 1 << 30)
          corrupted = true
        }
        break
      }
      const got = await answer
      if (corrupted) lost = got
    }
    assert.ok(corrupted, "a record was corrupted before the kernel drained it")
    assert.is(pw.linkErrors, 1)
    assert.ok(pw.lastLinkError instanceof RingRecordError, String(pw.lastLinkError))
    assert.ok(lost === "offline" || lost === "timeout", `the request whose answer was lost: ${JSON.stringify(lost)}`)
    assert.equal(await workerCrashes(w, 1), ["phoenix"])
    assert.ok(pw.dead)
    assert.equal(await askRestarted(w, "phoenix"), { count: 2 })
    assert.equal(await w.ask("x", "ping 9"), { pong: 9 })
  } finally {
    await w.close()
  }
})

test("a kernel -> worker ring record that is no batch ends that worker as a fault; its process restarts", async () => {
  const w = await world()
  try {
    w.node.kernel.spawn({ id: pid("phoenix"), process: w.pool.process(w.program), public: true, onExit: { tag: "restart", val: { initialMs: 10, maxMs: 100 } } })
    w.node.kernel.spawn({ id: pid("x"), process: w.pool.process(w.program), public: true })
    assert.equal(await w.ask("phoenix", "incr"), { count: 1 })
    const pw = w.pool.poolWorkers()[0]!
    // a record whose description is sound but whose bytes are no batch (count 2^32-1, then nothing)
    assert.ok(pw.link!.send.ring.push(new Uint8Array([255, 255, 255, 255])))
    assert.equal(await workerCrashes(w, 1), ["phoenix"])
    assert.match((w.crashes[0]!.error as UserspaceExit).reason, /lite batch/)
    assert.equal(await askRestarted(w, "phoenix"), { count: 2 })
    assert.equal(await w.ask("x", "ping 9"), { pong: 9 })
  } finally {
    await w.close()
  }
})

test.run()
