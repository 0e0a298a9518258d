/**
 * One direction of the kernel <-> worker link of the light-guest pool (LitePoolWorker.ts,
 * LiteWorker.ts) with the `ring` transport: each batch (LiteWire.ts) is copied into a
 * shared-memory ring (LiteRing.ts) instead of being posted, and postMessage stays as the
 * fallback for a batch the ring cannot take: one with cloned items (`rest`: compiled modules,
 * start state, grants, exits, ...), one over the ring's record bound, or a full ring.
 *
 * Order: batches are handled in the order they were sent, whichever way each went. The rule that
 * keeps it: once a batch went by postMessage, every later batch also goes by postMessage until the
 * receiver has taken that one (a shared counter of posted batches taken, `TAKEN_POSTS`). So ring
 * records are never pushed while a posted batch is on its way, and every record in the ring when
 * a posted batch arrives was pushed before it: the receiver drains the ring first, then hands on
 * the posted batch, then counts it taken. A record is pushed before the postMessage that follows
 * it (sequentially consistent Atomics, then the post), so the drain sees it.
 *
 * Faults: a record whose description in the ring is corrupt comes out of `LiteRing.pop` as a
 * RingRecordError; that record alone is lost (reported to `onError`), and the batches after it
 * are handled as usual. Only host code writes a ring (guests never see it). A batch that does not
 * unpack (RangeError) is the receiver's to report, as for a posted one.
 *
 * Source: issue 16 item 3, design (B) of docs/userspace.md "Shared-memory ring transport".
 */
import { LiteRing, type RingShape } from "./LiteRing.ts"
import type { LiteBatch } from "./LiteWire.ts"

/** Shape of each link ring: 1,024 batches, 4 MiB of bytes, a batch up to 1 MiB (larger ones are posted). */
export const LINK_RING: RingShape = { slots: 1024, bytes: 4 << 20, maxRecord: 1 << 20 }

/** Int32 index of the receiver's count of posted batches taken (a 64-byte line of its own). */
const TAKEN_POSTS = 0
const CTRL_BYTES = 64

/** What both ends of one link direction share (passed to the worker in `workerData`). */
export interface LinkShared {
  readonly ring: SharedArrayBuffer
  readonly ctrl: SharedArrayBuffer
  readonly shape: RingShape
}

/** Shared memory for a new link direction of ring shape `shape` (default LINK_RING). */
export const newLink = (shape: RingShape = LINK_RING): LinkShared => ({
  ring: LiteRing.create(shape).buffer,
  ctrl: new SharedArrayBuffer(CTRL_BYTES),
  shape
})

/** How many batches a sender sent each way (for tests and stats). */
export interface LinkCounts {
  ring: number
  posted: number
}

/** The sending end: `send` pushes a batch into the ring, or posts it (`post`) when it must. */
export class LinkSender {
  readonly ring: LiteRing
  readonly counts: LinkCounts = { ring: 0, posted: 0 }
  readonly #ctrl: Int32Array
  readonly #post: (batch: LiteBatch) => void

  /** `post` sends a batch by postMessage (with `batch.buf` in the transfer list). Throws RingShapeError on a bad `shared`. */
  constructor(shared: LinkShared, post: (batch: LiteBatch) => void) {
    this.ring = new LiteRing(shared.ring, shared.shape)
    this.#ctrl = new Int32Array(shared.ctrl)
    this.#post = post
  }

  /** Send one batch; returns which way it went. */
  send(batch: LiteBatch): "ring" | "posted" {
    // A posted batch not yet taken: this one must follow it, so it is posted too.
    if (batch.rest.length === 0 && Atomics.load(this.#ctrl, TAKEN_POSTS) === (this.counts.posted | 0)) {
      const used = batch.bytes ?? batch.buf.byteLength
      if (this.ring.push(new Uint8Array(batch.buf, 0, used))) {
        this.counts.ring++
        return "ring"
      }
    }
    this.counts.posted++
    this.#post(batch)
    return "posted"
  }

  /** No more ring pushes (the peer is gone); a sleeping receiver wakes and stops. */
  close(): void {
    this.ring.close()
  }
}

/**
 * The receiving end: `posted` takes a batch that came by postMessage, `start` drains the ring as
 * records arrive (Atomics.waitAsync, so the thread's event loop runs meanwhile). `onItems` gets
 * the items of every batch in send order; `onError` a ring record that was corrupt (a
 * RingRecordError) or a batch that does not unpack (a RangeError): that batch alone is lost.
 */
export class LinkReceiver<T> {
  readonly ring: LiteRing
  readonly #ctrl: Int32Array
  readonly #unpack: (batch: LiteBatch) => T[]
  readonly #onItems: (items: T[]) => void
  readonly #onError: (e: Error) => void
  #running = false

  /**
   * `unpack` turns a batch into its items (LiteWire.ts; throws RangeError on a malformed one),
   * `onItems` takes them. Throws RingShapeError on a bad `shared`.
   */
  constructor(shared: LinkShared, unpack: (batch: LiteBatch) => T[], onItems: (items: T[]) => void, onError: (e: Error) => void) {
    this.ring = new LiteRing(shared.ring, shared.shape)
    this.#ctrl = new Int32Array(shared.ctrl)
    this.#unpack = unpack
    this.#onItems = onItems
    this.#onError = onError
  }

  /** Hand on every record in the ring now, oldest first. */
  drain(): void {
    for (;;) {
      const r = this.ring.pop()
      if (r === undefined) return
      if (r instanceof Uint8Array) this.#hand({ buf: r.buffer as ArrayBuffer, rest: [] })
      else this.#onError(r)
    }
  }

  /** A batch that came by postMessage: the ring records sent before it first, then it. */
  posted(batch: LiteBatch): void {
    this.drain()
    try {
      this.#hand(batch)
    } finally {
      Atomics.add(this.#ctrl, TAKEN_POSTS, 1)
    }
  }

  #hand(batch: LiteBatch): void {
    let items: T[]
    try {
      items = this.#unpack(batch)
    } catch (e) {
      this.#onError(e instanceof Error ? e : new Error(String(e)))
      return
    }
    this.#onItems(items)
  }

  /** Drain the ring whenever records arrive, until the ring is closed and empty. */
  start(): void {
    if (this.#running) return
    this.#running = true
    const loop = async (): Promise<void> => {
      for (;;) {
        this.drain()
        const wait = this.ring.wait()
        if (wait !== undefined) await wait
        else if (this.ring.closed && this.ring.size === 0) return
      }
    }
    void loop().finally(() => {
      this.#running = false
    })
  }

  /** No more pushes into this ring; the drain loop ends once it is empty. */
  close(): void {
    this.ring.close()
  }
}
