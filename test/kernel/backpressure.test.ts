import { test } from "uvu"
import * as assert from "uvu/assert"
import { processId } from "../../kernel/Address.ts"
import { makeKernel } from "../../kernel/Kernel.ts"
import { MailboxFull, SendFailed } from "../../kernel/KernelError.ts"
import { request } from "../../kernel/Message.ts"

const sink = processId("sink", "test", "sys")
const flooder = processId("flooder", "test", "sys")
const mute = processId("mute", "test", "sys")

test("a flood of 1e6 sends into a slow receiver keeps memory and queues bounded", async () => {
  const capacity = 256
  const k = makeKernel({ node: "alice.os", mailboxCapacity: capacity })
  let received = 0
  k.spawn({
    id: sink,
    public: true,
    process: {
      onRequest() {
        received++
        // Slow: every 64th message waits for the event loop to turn.
        if (received % 64 === 0) return new Promise<void>((r) => setImmediate(r))
      }
    }
  })
  k.spawn({ id: mute, public: true, process: {} })
  const c = k.spawn({ id: flooder, process: {} })
  const to = k.address(sink)
  const req = request(new Uint8Array(16))
  // A timed request started during the flood must still time out (timers are not starved).
  let timedOutAt = 0
  const started = performance.now()
  const timed = c.request(k.address(mute), request(new Uint8Array(), 50)).catch((e) => {
    assert.instance(e, SendFailed)
    timedOutAt = performance.now() - started
  })
  const heapBefore = process.memoryUsage().heapUsed
  let maxQueued = 0
  let maxHeap = 0
  const N = 1_000_000
  for (let i = 0; i < N; i++) {
    const r = c.send(to, req)
    if (r !== undefined) await r
    if ((i & 8191) === 0) {
      const m = k.mailbox(sink)
      maxQueued = Math.max(maxQueued, m.queued + m.blocked)
      maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed - heapBefore)
    }
  }
  while (received < N) await new Promise((r) => setImmediate(r))
  const floodMs = performance.now() - started
  await timed
  assert.ok(maxQueued <= capacity + 1, `queue reached ${maxQueued}`)
  assert.ok(maxHeap < 48 * 1024 * 1024, `heap grew ${(maxHeap / 1048576).toFixed(1)} MiB`)
  assert.ok(
    timedOutAt > 0 && timedOutAt < floodMs,
    `the 50 ms timeout fired after ${timedOutAt.toFixed(0)} ms, the flood took ${floodMs.toFixed(0)} ms`
  )
  k.shutdown()
})

test("a sender that does not await is stopped with MailboxFull, not buffered without bound", async () => {
  const k = makeKernel({ node: "alice.os", mailboxCapacity: 16, maxBlockedSends: 32 })
  k.spawn({ id: sink, public: true, process: { onRequest: () => new Promise<void>((r) => setTimeout(r, 1)) } })
  const c = k.spawn({ id: flooder, process: {} })
  const to = k.address(sink)
  let accepted = 0
  let refused = 0
  const pending: Array<Promise<void>> = []
  for (let i = 0; i < 100_000; i++) {
    try {
      const r = c.send(to, request(new Uint8Array(8)))
      if (r !== undefined) pending.push(r)
      accepted++
    } catch (e) {
      assert.instance(e, MailboxFull)
      refused++
    }
  }
  assert.is(accepted, 16 + 32)
  assert.is(refused, 100_000 - 48)
  const m = k.mailbox(sink)
  assert.ok(m.queued <= 16 && m.blocked <= 32)
  await Promise.all(pending)
  k.shutdown()
})

test.run()
