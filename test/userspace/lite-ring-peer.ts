/**
 * Peer thread of test/userspace/lite-ring.test.ts and of the transport rows of
 * bench/userspace.bench.ts: echoes every record of ring `in` back on ring `out` (sleeping with
 * Atomics.waitAsync between bursts, after polling up to `spin` times) until `in` is closed and
 * drained; or, with `port: true`, echoes every postMessage back. `transport` (main thread) runs
 * round trips against such a peer. Imported outside a worker with no peer data, it does nothing.
 */
import { parentPort, Worker, workerData } from "node:worker_threads"
import { LiteRing, type RingShape } from "../../kernel/userspace/internal/LiteRing.ts"

interface PeerData {
  readonly ringTest: true
  readonly in: SharedArrayBuffer
  readonly out: SharedArrayBuffer
  readonly shape: RingShape
  readonly spin?: number
  readonly port?: boolean
}

/** Wait until `ring` has a record or is closed: poll up to `spin` times, then Atomics.waitAsync. */
export const ready = async (ring: LiteRing, spin: number): Promise<void> => {
  for (let k = 0; k < spin; k++) if (ring.size > 0 || ring.closed) return
  const w = ring.wait()
  if (w !== undefined) await w
}

const echo = async (d: PeerData): Promise<void> => {
  const port = parentPort!
  if (d.port === true) return void port.on("message", (m: Uint8Array | "stop") => (m === "stop" ? port.close() : port.postMessage(m)))
  const inRing = new LiteRing(d.in, d.shape)
  const outRing = new LiteRing(d.out, d.shape)
  // a pending Atomics.waitAsync does not keep a thread alive: a port listener does (as in LiteWorker.ts)
  port.on("message", () => undefined)
  for (;;) {
    for (let r = inRing.pop(); r !== undefined; r = inRing.pop()) {
      if (r instanceof Error) throw r
      // the ring never fills past what the other side sent, so a refused push is a bug
      if (!outRing.push(r)) throw new Error("echo ring full")
    }
    if (inRing.closed && inRing.size === 0) break
    await ready(inRing, d.spin ?? 0)
  }
  port.postMessage("done")
}

if (parentPort !== null && (workerData as PeerData | undefined)?.ringTest === true) void echo(workerData as PeerData)

/**
 * Round trips per second between this thread and a fresh peer thread: `pairs` 16-byte records,
 * `window` in flight at once, over two rings (`mode` "ring", polling `spin` times before
 * sleeping) or over postMessage (`mode` "port"). Throws if an answer comes back out of order.
 */
export const transport = async (mode: "ring" | "port", pairs: number, window: number, spin = 0): Promise<number> => {
  const shape: RingShape = { slots: 256, bytes: 1 << 16, maxRecord: 1024 }
  const a = LiteRing.create(shape)
  const b = LiteRing.create(shape)
  const peer = new Worker(new URL("./lite-ring-peer.ts", import.meta.url), { workerData: { ringTest: true, in: a.buffer, out: b.buffer, shape, spin, port: mode === "port" } })
  await new Promise((r) => peer.once("online", r))
  const rec = (n: number) => new Uint8Array(new Uint32Array([n, n, n, n]).buffer)
  const num = (r: Uint8Array) => new Uint32Array(r.buffer, r.byteOffset, 1)[0]!
  let sent = 0
  let got = 0
  const t0 = performance.now()
  if (mode === "port") {
    await new Promise<void>((resolve, reject) => {
      peer.on("message", (r: Uint8Array) => {
        if (num(r) !== got++) reject(new Error("out of order"))
        if (got === pairs) return resolve()
        if (sent < pairs) peer.postMessage(rec(sent++))
      })
      while (sent < Math.min(window, pairs)) peer.postMessage(rec(sent++))
    })
  } else {
    while (got < pairs) {
      while (sent < pairs && sent - got < window) if (!a.push(rec(sent))) break; else sent++
      for (let r = b.pop(); r !== undefined; r = b.pop()) {
        if (r instanceof Error || num(r) !== got++) throw new Error("out of order")
      }
      if (got < pairs && (sent === pairs || sent - got >= window)) await ready(b, spin)
    }
  }
  const rate = (pairs * 1000) / (performance.now() - t0)
  a.close()
  await peer.terminate()
  return rate
}
