/**
 * Worker thread of the LevelDB backend (Backend.ts): applies packed commit batches (Batch.ts) to
 * the store's LevelDB, one at a time in arrival order, so the per-operation cost of building a
 * LevelDB batch (about 2 to 4 µs per put in `level`'s JavaScript layer and the native call) is
 * off the block's thread. It opens the same database as the main thread with classic-level's
 * `multithreading` (one shared LevelDB handle), so main-thread reads see each batch once it lands.
 *
 * Messages in: `{ id, buf, length }` (buf transferred) and `{ close: true }`.
 * Messages out: `{ ready: true }` | `{ fatal }` after open, `{ id, error?, buf? }` per batch, `{ closed: true }`.
 * A batch that landed hands its ArrayBuffer back (`buf`, transferred): the LevelDB batch copied
 * every key and value, and the block thread builds its next batch in it (no fresh pages to fault in).
 */
import { parentPort, workerData } from "node:worker_threads"
import { Level } from "level"
import { DEL } from "./Batch.ts"

const { path, sync } = workerData as { path: string; sync: boolean }
const port = parentPort!
const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: "view", valueEncoding: "view", multithreading: true } as never)

let queue = Promise.resolve()
try {
  await db.open()
  port.postMessage({ ready: true })
} catch (e) {
  port.postMessage({ fatal: e instanceof Error ? e.message : String(e) })
}

port.on("message", (m: { id: number; buf: Uint8Array; length: number } | { close: true }) => {
  if ("close" in m) {
    queue = queue.then(() => db.close()).then(() => port.postMessage({ closed: true }))
    return
  }
  queue = queue.then(async () => {
    try {
      const batch = db.batch()
      // The packed layout of Batch.ts read in place: one Buffer view per key and value, no
      // per-operation object (this loop runs once per node written).
      const buf = m.buf
      const ab = buf.buffer as ArrayBuffer
      const base = buf.byteOffset
      const dv = new DataView(ab, base, buf.byteLength)
      for (let off = 0; off < m.length;) {
        const kind = buf[off]!
        const klen = dv.getUint32(off + 1, true)
        const vlen = dv.getUint32(off + 5, true)
        off += 9
        const key = Buffer.from(ab, base + off, klen)
        off += klen
        if (kind === DEL) batch.del(key)
        else batch.put(key, Buffer.from(ab, base + off, vlen))
        off += vlen
      }
      await batch.write({ sync })
      port.postMessage({ id: m.id, buf: ab }, [ab])
    } catch (e) {
      port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) })
    }
  })
})
