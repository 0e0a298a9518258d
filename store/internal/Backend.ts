/**
 * The small persistence interface under the IAVL multistore, with two implementations:
 * LevelDB through `level` 10 (classic-level: `getSync` lets the block path load nodes without
 * awaiting; batches are applied by a writer thread, writerWorker.ts) and a Map-backed double for
 * unit tests (which can also refuse a write, to simulate a crash before the commit batch lands,
 * and land writes late, as the writer thread does).
 *
 * Every commit is ONE `write(batch)` call: LevelDB applies a batch atomically, so a crash leaves
 * either the old or the new version. Batches land in the order they were written.
 */
import { resolve } from "node:path"
import { Worker } from "node:worker_threads"
import { Level } from "level"
import { type Batch, DEL, ops } from "./Batch.ts"
import { byteString, copyBytes, fromByteString } from "./encoding.ts"

/** Ordered byte-keyed storage. */
export interface Backend {
  /** Synchronous point read (used to load IAVL nodes on the block path). Sees landed batches only. */
  getSync(key: Uint8Array): Uint8Array | undefined
  /** Keys with gte <= key < lt, ascending. */
  keys(gte: Uint8Array, lt: Uint8Array): AsyncIterable<Uint8Array>
  /**
   * Apply every operation of `batch` atomically; resolves when it has landed. The batch's
   * buffer may be handed to another thread: do not use `batch` afterwards.
   */
  write(batch: Batch): Promise<void>
  /**
   * True when `write` runs off the calling thread and a commit may return before its batch lands
   * (IavlMultiStore then awaits it at the start of the next commit, and in `close`).
   */
  readonly pipelined: boolean
  /**
   * The buffer of the last batch that landed, handed back for the next batch (Batch's `spare`),
   * then forgotten; undefined when there is none. Its bytes are no longer read by anyone.
   */
  takeSpare(): Buffer | undefined
  /** Waits for every written batch, then closes. */
  close(): Promise<void>
}

/** Resolved paths of the LevelDB stores open in this process (LevelDB's lock, within a process). */
const openPaths = new Set<string>()

/**
 * A LevelDB backend at `path` (created when missing). With `sync`, every batch is fsynced
 * before it resolves (survives power loss, slower); without, a batch is atomic and survives a
 * process crash, but the last batches may be lost on power loss (LevelDB `sync: false`).
 * Batches are applied by a worker thread sharing the database handle (classic-level
 * `multithreading`); a second open of the same path in this process is refused, as LevelDB's
 * lock refuses it from another process.
 */
export const openLevelBackend = async (path: string, sync = false): Promise<Backend> => {
  const location = resolve(path)
  if (openPaths.has(location)) throw new Error(`LevelDB at ${location} is already open in this process`)
  openPaths.add(location)
  const db = new Level<Uint8Array, Uint8Array>(location, { keyEncoding: "view", valueEncoding: "view", multithreading: true } as never)
  try {
    await db.open()
  } catch (e) {
    openPaths.delete(location)
    throw e
  }
  const worker = new Worker(new URL("./writerWorker.ts", import.meta.url), { workerData: { path: location, sync } })
  worker.unref()
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>()
  let nextId = 0
  let dead: Error | undefined
  let onClosed: (() => void) | undefined
  let spare: Buffer | undefined
  const fail = (e: Error): void => {
    dead ??= e
    for (const p of pending.values()) p.reject(e)
    pending.clear()
    worker.unref()
  }
  const ready = new Promise<void>((res, rej) => {
    worker.on("message", (m: { ready?: true; fatal?: string; closed?: true; id?: number; error?: string; buf?: ArrayBuffer }) => {
      if (m.ready) return res()
      if (m.fatal !== undefined) return rej(new Error(`LevelDB writer thread: ${m.fatal}`))
      if (m.closed) return onClosed?.()
      const p = pending.get(m.id!)
      if (p === undefined) return
      pending.delete(m.id!)
      if (pending.size === 0) worker.unref()
      if (m.buf !== undefined) spare = Buffer.from(m.buf)
      if (m.error === undefined) p.resolve()
      else p.reject(new Error(m.error))
    })
    worker.on("error", (e) => {
      rej(e)
      fail(e)
    })
    worker.on("exit", (code) => fail(new Error(`LevelDB writer thread exited (code ${code})`)))
  })
  try {
    await ready
  } catch (e) {
    await worker.terminate()
    await db.close()
    openPaths.delete(location)
    throw e
  }
  let closed = false
  /** The last batch written: batches land in order, so when it settles every earlier one has. */
  let lastWrite: Promise<void> = Promise.resolve()
  return {
    getSync: (key) => db.getSync(key),
    keys: (gte, lt) => db.keys({ gte, lt }),
    pipelined: !sync,
    takeSpare: () => {
      const s = spare
      spare = undefined
      return s
    },
    write: (batch) => {
      if (dead !== undefined) return Promise.reject(dead)
      const id = ++nextId
      // The worker keeps the process alive while a batch is on its way.
      if (pending.size === 0) worker.ref()
      const landed = new Promise<void>((res, rej) => pending.set(id, { resolve: res, reject: rej }))
      worker.postMessage({ id, buf: batch.buf, length: batch.length }, [batch.buf.buffer as ArrayBuffer])
      lastWrite = landed
      return landed
    },
    close: async () => {
      if (closed) return
      closed = true
      await lastWrite.catch(() => undefined)
      if (dead === undefined) {
        worker.ref()
        await new Promise<void>((res) => {
          onClosed = res
          worker.postMessage({ close: true })
        })
      }
      await worker.terminate()
      await db.close()
      openPaths.delete(location)
    }
  }
}

/**
 * Map-backed storage for tests. `open()` gives a Backend over the same Map (close and reopen
 * keep the data); `failWrites` makes every later `write` call reject without touching the Map;
 * `pipelined` makes writes land on a later macrotask and lets commits return before (as the
 * LevelDB writer thread does).
 */
export class MemoryStorage {
  readonly data = new Map<string, Uint8Array>()
  failWrites = false
  pipelined = false
  /** Number of batches applied. */
  writes = 0

  open(): Backend {
    const data = this.data
    let last: Promise<void> = Promise.resolve()
    let spare: Buffer | undefined
    const apply = (buf: Buffer, length: number, refused: boolean): void => {
      if (refused) throw new Error("simulated crash: batch not written")
      for (const op of ops(buf, length)) {
        if (op.kind === DEL) data.delete(byteString(op.key))
        else data.set(byteString(op.key), copyBytes(op.value))
      }
      this.writes++
      // Recycled as the writer thread does; the next batch overwrites it (the Map holds copies).
      spare = buf
    }
    return {
      getSync: (key) => data.get(byteString(key)),
      keys: (gte, lt) => {
        const lo = byteString(gte)
        const hi = byteString(lt)
        const ks = [...data.keys()].filter((k) => k >= lo && k < hi).sort()
        return (async function* () {
          for (const k of ks) yield fromByteString(k)
        })()
      },
      pipelined: this.pipelined,
      takeSpare: () => {
        const s = spare
        spare = undefined
        return s
      },
      write: (batch) => {
        const buf = batch.buf
        const length = batch.length
        const refused = this.failWrites
        if (!this.pipelined) return (async () => apply(buf, length, refused))()
        last = last.then(() => new Promise<void>((res, rej) => setImmediate(() => {
          try {
            apply(buf, length, refused)
            res()
          } catch (e) {
            rej(e)
          }
        })))
        return last
      },
      close: async () => {
        await last.catch(() => undefined)
      }
    }
  }
}
