import { test } from "uvu"
import * as assert from "uvu/assert"
import { spawnSync } from "node:child_process"
import { processId } from "../../kernel/Address.ts"
import { makeKernel } from "../../kernel/Kernel.ts"
import { SendFailed } from "../../kernel/KernelError.ts"
import { request, response } from "../../kernel/Message.ts"
import type { PendingRequest, ProcessContext } from "../../kernel/Process.ts"

const slow = processId("slow", "test", "sys")
const client = processId("client", "test", "sys")
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length

test("a timeout fires, and the late response is dropped and counted", async () => {
  const k = makeKernel({ node: "alice.os" })
  const held: Array<[ProcessContext, PendingRequest]> = []
  k.spawn({ id: slow, public: true, process: { onRequest: (ctx) => void held.push([ctx, ctx.pending()!]) } })
  const c = k.spawn({ id: client, process: {} })
  const started = performance.now()
  try {
    await c.request(k.address(slow), request(new Uint8Array([1]), 30))
    assert.unreachable("expected a timeout")
  } catch (e) {
    assert.instance(e, SendFailed)
    assert.is((e as SendFailed).kind, "timeout")
    assert.equal((e as SendFailed).error.target, k.address(slow))
  }
  assert.ok(performance.now() - started >= 29, "fired no earlier than its deadline")
  assert.is(k.stats().timeouts, 1)
  const [ctx, pending] = held[0]!
  ctx.respondTo(pending, response(new Uint8Array([2])))
  assert.is(k.stats().droppedResponses, 1, "late response dropped and counted")
  ctx.respondTo(pending, response(new Uint8Array([3])))
  assert.is(k.stats().droppedResponses, 2, "duplicate response dropped and counted")
  assert.is(k.stats().outstanding, 0)
  k.shutdown()
})

test("timeouts fire in deadline order from one timer, not a timer per request", async () => {
  const k = makeKernel({ node: "alice.os" })
  k.spawn({ id: slow, public: true, process: {} })
  const c = k.spawn({ id: client, process: {} })
  const before = timers()
  const order: number[] = []
  const waits: Array<Promise<void>> = []
  const delays = [60, 20, 40, 20, 80]
  for (let rep = 0; rep < 200; rep++) {
    delays.forEach((d, i) => {
      waits.push(c.request(k.address(slow), request(new Uint8Array(), d)).then(
        () => assert.unreachable(),
        () => {
          if (rep === 0) order.push(i)
        }
      ))
    })
  }
  assert.is(k.stats().outstanding, 1000)
  assert.ok(timers() - before <= 1, `expected one host timer, got ${timers() - before}`)
  await Promise.all(waits)
  assert.equal(order, [1, 3, 2, 0, 4])
  assert.is(k.stats().timeouts, 1000)
  k.shutdown()
})

test("a response cancels its timeout; cancelled entries are compacted away", async () => {
  const k = makeKernel({ node: "alice.os" })
  k.spawn({ id: slow, public: true, process: { onRequest: (ctx) => ctx.respond(response()) } })
  const c = k.spawn({ id: client, process: {} })
  for (let i = 0; i < 10_000; i++) await c.request(k.address(slow), request(new Uint8Array(), 25))
  const s = k.stats()
  assert.is(s.outstanding, 0)
  assert.ok(s.timerHeapSize <= 2100, `heap holds ${s.timerHeapSize} cancelled entries`)
  await sleep(40)
  assert.is(k.stats().timeouts, 0, "answered requests never time out")
  assert.is(k.stats().droppedResponses, 0)
  k.shutdown()
  assert.is(k.stats().timerHeapSize, 0)
})

test("answered requests do not keep the process alive; a pending timeout does", () => {
  const kernelUrl = new URL("../../kernel/Kernel.ts", import.meta.url).href
  const script = (answer: boolean) => `
    import { makeKernel } from ${JSON.stringify(kernelUrl)}
    const k = makeKernel({ node: "alice.os" })
    const id = { processName: "p", packageName: "t", publisherNode: "sys" }
    k.spawn({ id, public: true, process: { onRequest: (ctx) => { if (${answer}) ctx.respond({ inherit: false, body: new Uint8Array(), capabilities: [] }) } } })
    const c = k.spawn({ id: { ...id, processName: "c" }, process: {} })
    c.request(k.address(id), { inherit: false, body: new Uint8Array(), capabilities: [], expectsResponse: ${answer ? 60_000 : 300} })
      .then(() => console.log("answered"), (e) => console.log(e.kind))`
  for (const [answer, out, maxMs] of [[true, "answered", 10_000], [false, "timeout", 10_000]] as const) {
    const t = performance.now()
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script(answer)], { encoding: "utf8" })
    const ms = performance.now() - t
    assert.is(r.stdout.trim(), out, r.stderr)
    assert.ok(ms < maxMs, `exited after ${ms.toFixed(0)} ms`)
    if (!answer) assert.ok(ms >= 300, "waited for the timeout")
  }
})

test("failPending fails only a request addressed to the caller: another process holding the handle cannot fail it", async () => {
  const k = makeKernel({ node: "alice.os" })
  const other = processId("other", "test", "sys")
  const held: Array<[ProcessContext, PendingRequest]> = []
  let otherCtx: ProcessContext | undefined
  k.spawn({ id: slow, public: true, process: { onRequest: (ctx) => void held.push([ctx, ctx.pending()!]) } })
  k.spawn({ id: other, public: true, process: { onRequest: (ctx) => void (otherCtx = ctx) } })
  const c = k.spawn({ id: client, process: {} })
  await c.request(k.address(other), request(new Uint8Array([0]), 1000)).catch(() => undefined)
  const first = c.request(k.address(slow), request(new Uint8Array([1]), 2000))
  while (held.length === 0) await sleep(1)
  const [ctx, pending] = held[0]!
  // a process that got hold of slow's handle (in-process JS can share values) acts only as itself
  otherCtx!.failPending(pending, "offline")
  ctx.respondTo(pending, response(new Uint8Array([7])))
  assert.equal([...(await first).response.body], [7], "the request was answered, not failed by the other process")
  // its own target fails it at once, with the kind given
  const second = c.request(k.address(slow), request(new Uint8Array([2]), 2000))
  while (held.length === 1) await sleep(1)
  held[1]![0].failPending(held[1]![1], "offline")
  try {
    await second
    assert.unreachable("expected offline")
  } catch (e) {
    assert.instance(e, SendFailed)
    assert.is((e as SendFailed).kind, "offline")
  }
  k.shutdown()
})

test.run()
