/**
 * Peer thread of test/userspace/lite-ring.test.ts: pops records from ring `in` and pushes each
 * back unchanged on ring `out` (an echo), sleeping with Atomics.waitAsync between bursts, until
 * `in` is closed and drained. Imported outside a worker (the test runner lists it), it does nothing.
 */
import { parentPort, workerData } from "node:worker_threads"
import { LiteRing, type RingShape } from "../../kernel/userspace/internal/LiteRing.ts"

const echo = async (d: { readonly in: SharedArrayBuffer; readonly out: SharedArrayBuffer; readonly shape: RingShape }): Promise<void> => {
  const inRing = new LiteRing(d.in, d.shape)
  const outRing = new LiteRing(d.out, d.shape)
  // a pending Atomics.waitAsync does not keep a thread alive: a port listener does (as in LiteWorker.ts)
  parentPort!.on("message", () => undefined)
  for (;;) {
    for (let r = inRing.pop(); r !== undefined; r = inRing.pop()) {
      if (r instanceof Error) throw r
      // the test's ring never fills past what it sent, so a refused push is a bug
      if (!outRing.push(r)) throw new Error("echo ring full")
    }
    if (inRing.closed && inRing.size === 0) break
    const w = inRing.wait()
    if (w !== undefined) await w
  }
  parentPort!.postMessage("done")
}

if (parentPort !== null && workerData?.ringTest === true) void echo(workerData)
