/**
 * A commit's database batch packed into one growable byte buffer: no object, key array or value
 * array per operation. Node records are encoded straight into it (`putNode`), so the commit
 * path allocates a few large buffers instead of three small objects per IAVL node, and the whole
 * batch moves to the LevelDB writer thread as one transferable ArrayBuffer.
 *
 * Layout, one operation after the other: kind (1 byte: 0 put, 1 del), u32 key length, u32 value
 * length (0 for del), key bytes, value bytes. Lengths are little-endian (read by `ops`).
 */
import type { Node } from "./Node.ts"
import { copyInto, grown, putU32, putU64, putUvarint, uvarintSize, writeHash } from "./encoding.ts"

/** Operation kinds in the packed stream. */
export const PUT = 0
export const DEL = 1

/** One operation read back from a packed batch: views into its buffer (valid until reused). */
export interface PackedOp {
  readonly kind: number
  readonly key: Uint8Array
  readonly value: Uint8Array
}

/** Reads the operations of a packed batch buffer (`buf` holds `end` used bytes). */
export function* ops(buf: Uint8Array, end: number): IterableIterator<PackedOp> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  let off = 0
  while (off < end) {
    const kind = buf[off]!
    const klen = dv.getUint32(off + 1, true)
    const vlen = dv.getUint32(off + 5, true)
    off += 9
    const key = buf.subarray(off, off + klen)
    off += klen
    yield { kind, key, value: buf.subarray(off, off + vlen) }
    off += vlen
  }
}

/** Builder of a packed batch. */
export class Batch {
  /** Backing bytes; `length` of them are used. Its own ArrayBuffer (not Node's pool), so it can be transferred. */
  buf: Buffer
  length = 0
  /** Number of operations. */
  count = 0
  private dv: DataView

  /**
   * A batch of about `capacity` bytes to start with. `spare`, a buffer of an earlier batch that
   * has landed, is used instead of a fresh one when it holds at least 4/5 of `capacity` (the
   * caller's headroom over the last batch) and at most 4 times it: its pages are already
   * mapped, while a fresh buffer's first touch faults in every 4 KiB page on the block's thread
   * (measured here: 150 to 200 ms for 46 MiB, the batch of 100k writes).
   */
  constructor(capacity = 1 << 16, spare?: Buffer) {
    // A fresh one has its own ArrayBuffer (transferable, not Node's pool), not zeroed.
    this.buf = spare !== undefined && spare.length * 5 >= capacity * 4 && spare.length <= capacity * 4 ? spare : Buffer.allocUnsafeSlow(capacity)
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
  }

  /** Reserves an operation with a key of `klen` and a value of `vlen` bytes; returns the key offset. */
  private op(kind: number, klen: number, vlen: number): number {
    const need = this.length + 9 + klen + vlen
    if (need > this.buf.length) {
      this.buf = grown(this.buf, this.length, need)
      this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
    }
    const off = this.length
    this.buf[off] = kind
    this.dv.setUint32(off + 1, klen, true)
    this.dv.setUint32(off + 5, vlen, true)
    this.length = need
    this.count++
    return off + 9
  }

  put(key: Uint8Array, value: Uint8Array): void {
    const off = this.op(PUT, key.length, value.length)
    copyInto(this.buf, off, key)
    copyInto(this.buf, off + key.length, value)
  }

  del(key: Uint8Array): void {
    const off = this.op(DEL, key.length, 0) // may replace this.buf: reserve first
    copyInto(this.buf, off, key)
  }

  /** `prefix` + u64 `version` of the last node key written by `putNode` (shared by a commit's nodes). */
  private stem: Uint8Array = new Uint8Array(0)
  private stemPrefix: Uint8Array | undefined = undefined
  private stemVersion = -1

  /** `del` of `prefix` + u64 `version` + u32 `nonce` (a node key). */
  delNode(prefix: Uint8Array, version: number, nonce: number): void {
    const off = this.op(DEL, prefix.length + 12, 0)
    this.writeNodeKey(off, prefix, version, nonce)
  }

  private writeNodeKey(off: number, prefix: Uint8Array, version: number, nonce: number): void {
    const b = this.buf
    copyInto(b, off, prefix)
    putU64(b, off + prefix.length, version)
    putU32(b, off + prefix.length + 8, nonce)
  }

  /**
   * Puts the record of persisted node `n` under `prefix` + (version, nonce), encoded in
   * place (the layout Node.ts `decodeNode` reads): height(1) uvarint(size) uvarint(len key) key hash(32),
   * then the value (leaf) or uvarint(lv) uvarint(ln) uvarint(rv) uvarint(rn) (inner).
   * Returns the offset of the hash bytes in `buf`: when `n` is not hashed yet they are left
   * unwritten, for the caller to fill before the batch is written (HashBatch.ts `saveTree`).
   */
  putNode(prefix: Uint8Array, n: Node): number {
    const key = n.key
    const klen = key.length
    const leaf = n.height === 0
    const vlen = 1 + uvarintSize(n.size) + uvarintSize(klen) + klen + 32 +
      (leaf ? n.value!.length : uvarintSize(n.lv) + uvarintSize(n.ln) + uvarintSize(n.rv) + uvarintSize(n.rn))
    const koff = this.op(PUT, prefix.length + 12, vlen)
    // Every node a commit writes carries the working version: build prefix + version once.
    if (prefix !== this.stemPrefix || n.version !== this.stemVersion) {
      this.stem = new Uint8Array(prefix.length + 8)
      this.stem.set(prefix)
      putU64(this.stem, prefix.length, n.version)
      this.stemPrefix = prefix
      this.stemVersion = n.version
    }
    const b = this.buf
    const stem = this.stem
    const sl = stem.length
    for (let i = 0; i < sl; i++) b[koff + i] = stem[i]!
    putU32(b, koff + sl, n.nonce)
    let off = koff + sl + 4
    b[off] = n.height
    off = putUvarint(b, off + 1, n.size)
    off = putUvarint(b, off, klen)
    copyInto(b, off, key)
    off += klen
    const hashAt = off
    if (n.hash !== undefined) writeHash(b, off, n.hash)
    off += 32
    if (leaf) {
      copyInto(b, off, n.value!)
    } else {
      off = putUvarint(b, off, n.lv)
      off = putUvarint(b, off, n.ln)
      off = putUvarint(b, off, n.rv)
      putUvarint(b, off, n.rn)
    }
    return hashAt
  }
}
