/**
 * A single-producer/single-consumer ring of byte records over shared memory, for batches
 * between two threads of the light-guest pool (issue 16 item 3). One thread pushes, one thread pops; the
 * positions are 32-bit counters in an Int32Array read and written with Atomics, the records are
 * copied into and out of a byte area of the same SharedArrayBuffer, so nothing is cloned or
 * posted. The consumer sleeps with `Atomics.waitAsync` (its event loop keeps running) and the
 * producer wakes it with `Atomics.notify` only when it sleeps.
 *
 * Bounds: at most `slots` records and `bytes` bytes of payload are in the ring at once, and one
 * record is at most `maxRecord` bytes. `push` returns false past any bound, and the caller sends
 * the message another way (the kernel thread): a full ring loses and blocks nothing.
 *
 * Records are described by a separate table of (start, length) pairs, one per slot, so a record
 * whose description is corrupt (a length past the bounds, a start outside the written bytes) is
 * reported alone as a RingRecordError by `pop`, the records after it are read as usual, and no
 * read leaves the ring's memory. Limits of that check: a wrong description that stays within
 * the written bytes yields those bytes (never bytes outside the ring), and one whose end lies
 * past the next record's start also costs that record (another RingRecordError); the bytes of
 * a corrupt record are released when a later good record is popped. Only host code writes a
 * ring (guests have no access to it), so these are faults, not guest attacks. Payload bytes are opaque here (canonical LiteWire bytes in the
 * worker); the source of a message is never taken from a record by this module.
 *
 * Use: the pool's `ring` transport carries kernel <-> worker batches through a pair of these
 * (LiteLink.ts); tested on its own in test/userspace/lite-ring.test.ts (two threads).
 */

/** Int32 indexes of the control words (producer and consumer words on separate 64-byte lines). */
const DTAIL = 0
const PUB = 1
const DHEAD = 16
const TAKEN = 17
const SLEEP = 18
const CLOSED = 19
const CTRL_INTS = 32

/** Sizes of a ring: records (`slots`, a power of two), payload bytes (`bytes`, a power of two) and the largest record. */
export interface RingShape {
  readonly slots: number
  readonly bytes: number
  readonly maxRecord: number
}

/** Default shape: 4,096 records, 1 MiB of payload, records up to 64 KiB (larger messages take the kernel path). */
export const DEFAULT_RING: RingShape = { slots: 4096, bytes: 1 << 20, maxRecord: 64 * 1024 }

/** A record whose description in the ring is out of bounds: that record is lost, the ring goes on. */
export class RingRecordError extends Error {
  readonly _tag = "RingRecordError"
  /** The record's position (records popped before it). */
  readonly index: number
  constructor(index: number, reason: string) {
    super(`ring record ${index}: ${reason}`)
    this.index = index
  }
}

/**
 * A ring shape that cannot be built (`slots` or `maxRecord` below 1, `slots` or `bytes` not a
 * power of two, a record larger than the ring). `slots` must divide 2^32 so that a record's
 * table entry (its 32-bit counter mod `slots`) stays distinct from the entries of the records
 * still in the ring when the counters wrap.
 */
export class RingShapeError extends Error {
  readonly _tag = "RingShapeError"
}

/** Throws RingShapeError when a ring of shape `s` cannot be built. */
export const checkShape = (s: RingShape): void => {
  const ok = Number.isInteger(s.slots) && s.slots >= 1 && s.slots <= 1 << 24 && (s.slots & (s.slots - 1)) === 0 &&
    Number.isInteger(s.bytes) && s.bytes >= 8 && s.bytes <= 1 << 30 && (s.bytes & (s.bytes - 1)) === 0 &&
    Number.isInteger(s.maxRecord) && s.maxRecord >= 1 && s.maxRecord <= s.bytes
  if (!ok) throw new RingShapeError(`bad ring shape ${JSON.stringify(s)}`)
}

/** Bytes of shared memory a ring of shape `s` takes. */
export const ringBytes = (s: RingShape): number => CTRL_INTS * 4 + s.slots * 8 + s.bytes

/**
 * One end of a ring. Both ends are made over the same SharedArrayBuffer (`LiteRing.create` on
 * one thread, `new LiteRing(buffer, shape)` on the other); only one thread may call `push` and
 * only one may call `pop`/`wait`.
 */
export class LiteRing {
  readonly buffer: SharedArrayBuffer
  readonly shape: RingShape
  readonly #ctrl: Int32Array
  readonly #desc: Int32Array
  readonly #data: Uint8Array

  /** A ring of `shape` over `buffer` (made by `create`); throws RingShapeError on a bad shape or a buffer of the wrong size. */
  constructor(buffer: SharedArrayBuffer, shape: RingShape = DEFAULT_RING) {
    checkShape(shape)
    if (buffer.byteLength !== ringBytes(shape)) throw new RingShapeError(`ring buffer of ${buffer.byteLength} bytes, shape needs ${ringBytes(shape)}`)
    this.buffer = buffer
    this.shape = shape
    this.#ctrl = new Int32Array(buffer, 0, CTRL_INTS)
    this.#desc = new Int32Array(buffer, CTRL_INTS * 4, shape.slots * 2)
    this.#data = new Uint8Array(buffer, CTRL_INTS * 4 + shape.slots * 8, shape.bytes)
  }

  /** A new empty ring of `shape`. */
  static create(shape: RingShape = DEFAULT_RING): LiteRing {
    checkShape(shape)
    return new LiteRing(new SharedArrayBuffer(ringBytes(shape)), shape)
  }

  /** Records in the ring now. */
  get size(): number {
    return (Atomics.load(this.#ctrl, PUB) - Atomics.load(this.#ctrl, TAKEN)) >>> 0
  }

  /**
   * Producer: copy `payload` in as one record. False when the ring is closed, holds `slots`
   * records, lacks room for the bytes, or the payload is over `maxRecord`: nothing was written.
   */
  push(payload: Uint8Array): boolean {
    const c = this.#ctrl
    const { slots, bytes, maxRecord } = this.shape
    const len = payload.length
    if (len > maxRecord || Atomics.load(c, CLOSED) !== 0) return false
    const pub = Atomics.load(c, PUB)
    if (((pub - Atomics.load(c, TAKEN)) >>> 0) >= slots) return false
    const tail = Atomics.load(c, DTAIL) >>> 0
    const pos = tail & (bytes - 1)
    // a record never wraps: it starts at 0 when it does not fit before the end
    const start = (pos + len > bytes ? tail + (bytes - pos) : tail) >>> 0
    const head = Atomics.load(c, DHEAD) >>> 0
    if (((start + len - head) >>> 0) > bytes) return false
    this.#data.set(payload, start & (bytes - 1))
    const d = (pub >>> 0) % slots * 2
    this.#desc[d] = start | 0
    this.#desc[d + 1] = len
    Atomics.store(c, DTAIL, (start + len) | 0)
    Atomics.store(c, PUB, (pub + 1) | 0)
    if (Atomics.load(c, SLEEP) !== 0) Atomics.notify(c, PUB)
    return true
  }

  /**
   * Consumer: the oldest record (a copy), undefined when the ring is empty, or a RingRecordError
   * when its description is out of bounds (that record is skipped; the next `pop` reads on).
   */
  pop(): Uint8Array | RingRecordError | undefined {
    const c = this.#ctrl
    const { slots, bytes, maxRecord } = this.shape
    const taken = Atomics.load(c, TAKEN)
    if (Atomics.load(c, PUB) === taken) return undefined
    const d = (taken >>> 0) % slots * 2
    const start = this.#desc[d]! >>> 0
    const len = this.#desc[d + 1]!
    const head = Atomics.load(c, DHEAD) >>> 0
    const written = (Atomics.load(c, DTAIL) - head) >>> 0
    const off = (start - head) >>> 0
    const pos = start & (bytes - 1)
    let out: Uint8Array | RingRecordError
    if (len < 0 || len > maxRecord) out = new RingRecordError(taken >>> 0, `length ${len} outside [0, ${maxRecord}]`)
    else if (off > written || off + len > written) out = new RingRecordError(taken >>> 0, `bytes [${off}, ${off + len}) outside the ${written} written`)
    else if (pos + len > bytes) out = new RingRecordError(taken >>> 0, `record crosses the end of the ring`)
    else {
      out = this.#data.slice(pos, pos + len)
      Atomics.store(c, DHEAD, (start + len) | 0)
    }
    Atomics.store(c, TAKEN, (taken + 1) | 0)
    return out
  }

  /**
   * Consumer: undefined when a record is ready (or the ring is closed), else a promise that
   * settles when the producer pushes or closes. Never blocks the thread (`Atomics.waitAsync`).
   */
  wait(): Promise<void> | undefined {
    const c = this.#ctrl
    Atomics.store(c, SLEEP, 1)
    const seen = Atomics.load(c, PUB)
    if (seen !== Atomics.load(c, TAKEN) || Atomics.load(c, CLOSED) !== 0) {
      Atomics.store(c, SLEEP, 0)
      return undefined
    }
    const r = Atomics.waitAsync(c, PUB, seen)
    if (!r.async) {
      Atomics.store(c, SLEEP, 0)
      return undefined
    }
    return r.value.then(() => {
      Atomics.store(c, SLEEP, 0)
    })
  }

  /** Either end: no more pushes; a waiting consumer wakes. Records already in stay readable. */
  close(): void {
    Atomics.store(this.#ctrl, CLOSED, 1)
    Atomics.notify(this.#ctrl, PUB)
  }

  /** Whether `close` was called at either end. */
  get closed(): boolean {
    return Atomics.load(this.#ctrl, CLOSED) !== 0
  }

  /** @internal Tests only: overwrite the description of the oldest record in the ring (a corrupt ring). */
  corruptOldestForTest(start: number, len: number): void {
    this.corruptForTest(Atomics.load(this.#ctrl, TAKEN) >>> 0, start, len)
  }

  /** @internal Tests only: overwrite the description of the record at `index` (a corrupt ring). */
  corruptForTest(index: number, start: number, len: number): void {
    const d = (index >>> 0) % this.shape.slots * 2
    this.#desc[d] = start | 0
    this.#desc[d + 1] = len | 0
  }
}
