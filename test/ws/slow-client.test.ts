/**
 * A websocket client that subscribes and then stops reading (its socket paused) while blocks of
 * large txs arrive: the node cuts it once its unsent messages pass the limits, its memory stays
 * bounded (measured, with a generous bound: unbounded, the 150 blocks here would queue about
 * 200 MB for that client; the same run without the slow client grows about 43 MB, block store and
 * app caches), and it goes on making blocks and serving another subscriber.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { rawClient, startStack } from "./fixtures/stack.ts"

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void
const MB = 1024 * 1024
const used = () => {
  const m = process.memoryUsage()
  return m.heapUsed + m.external + m.arrayBuffers
}

test("a client that stops reading is cut; memory stays bounded; others are served", async () => {
  // max_response_bytes also bounds what one client may have unsent: 8 MiB here (default 32 MiB)
  const stack = await startStack({ maxResponseBytes: 8 * MB })
  try {
    const slow = await rawClient(stack.wsUrl)
    slow.call("subscribe", { query: "tm.event='NewBlock'" }, "nb")
    slow.call("subscribe", { query: "tm.event='Tx'" }, "tx")
    await slow.next((m) => m.id === "nb")
    await slow.next((m) => m.id === "tx")
    slow.ws.pause()
    const other = await rawClient(stack.wsUrl)
    other.call("subscribe", { query: "tm.event='NewBlockHeader'" }, "h")
    await other.next((m) => m.id === "h")

    gc()
    const base = used()
    let peak = 0
    const value = "v".repeat(256 * 1024)
    const BLOCKS = 150
    for (let i = 0; i < BLOCKS; i++) {
      assert.is(await stack.broadcast(`a${i}=${value}`), 0)
      assert.is(await stack.broadcast(`b${i}=${value}`), 0)
      const h = await stack.produce()
      const header = await other.next((m) => m.id === "h")
      assert.is(header.result.data.value.header.height, String(h))
      if (i % 10 === 9) {
        gc()
        peak = Math.max(peak, used() - base)
      }
    }
    slow.ws.resume()
    assert.is(await slow.waitClose(), 1006, "cut by the node (no close frame)")
    const delivered = slow.inbox.length
    process.stdout.write(`slow client: ${delivered} events read before the cut; node memory growth peak ${(peak / MB).toFixed(1)} MB over ${BLOCKS} blocks of 2 x 256 KiB txs\n`)
    assert.ok(delivered < BLOCKS * 3, "it was cut before everything was queued")
    assert.ok(peak < 100 * MB, `memory grew by ${(peak / MB).toFixed(1)} MB`)
    // The node goes on: another block reaches the other subscriber.
    const h = await stack.produce()
    assert.is((await other.next((m) => m.id === "h")).result.data.value.header.height, String(h))
    other.ws.close()
  } finally {
    await stack.close()
  }
})

test.run()
