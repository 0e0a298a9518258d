/**
 * Byte helpers of the IAVL store: Go `encoding/binary` varints (zigzag signed `PutVarint`, and
 * unsigned `PutUvarint`), unsigned lexicographic comparison, latin1 map keys, big-endian
 * integers, and node hashes as latin1 strings. sha256, compareBytes, equalBytes and concat are
 * lib/Bytes.ts's.
 *
 * Source: cosmos/iavl internal/encoding (EncodeVarint = zigzag varint, EncodeBytes = uvarint
 * length + bytes); Go encoding/binary.
 */
import { hash } from "node:crypto"
import { sha256 } from "../../lib/Bytes.ts"

/**
 * sha256 of `data` as a 32-character latin1 string (one char per byte). Node hashes are kept as
 * such strings: measured about 5x cheaper per call than a Buffer result, and about 48 bytes of
 * heap instead of about 250 for a 32-byte Uint8Array.
 */
export const sha256String = (data: Uint8Array): string => hash("sha256", data, "binary")

type Latin1Writer = { latin1Write?: (s: string, off: number, len: number) => number }

/**
 * Writes the 32 chars of hash string `h` as bytes at `off` of `buf`. Uses Buffer's own latin1
 * writer when present (about half the cost of `buf.write(h, off, 32, "latin1")`, which parses its
 * arguments on every call; this runs 2 to 3 times per node in a commit).
 */
export const writeHash: (buf: Buffer, off: number, h: string) => void =
  typeof (Buffer.prototype as Latin1Writer).latin1Write === "function"
    ? (buf, off, h) => void (buf as Latin1Writer).latin1Write!(h, off, 32)
    : (buf, off, h) => void buf.write(h, off, 32, "latin1")

/**
 * `buf` when it holds `need` bytes; otherwise a new Buffer of the next power-of-two multiple of its
 * size (at least 64 bytes) holding a copy of its first `used` bytes. For buffers written front to
 * back (Batch records, HashBatch preimages), grown geometrically so that appends stay amortized O(1).
 */
export const grown = (buf: Buffer, used: number, need: number): Buffer => {
  if (need <= buf.length) return buf
  let cap = Math.max(buf.length * 2, 64)
  while (cap < need) cap *= 2
  const next = Buffer.allocUnsafeSlow(cap)
  next.set(buf.subarray(0, used))
  return next
}

/** Copies `src` into `dst` at `off`; a loop for short arrays (TypedArray#set costs more there). */
export const copyInto = (dst: Uint8Array, off: number, src: Uint8Array): void => {
  const n = src.length
  if (n > 48) {
    dst.set(src, off)
    return
  }
  for (let i = 0; i < n; i++) dst[off + i] = src[i]!
}

/** The bytes of a latin1 hash string, as a plain Uint8Array. */
export const hashBytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "latin1"))

/** sha256 of the empty string: IAVL's empty-tree hash and rootmulti's empty CommitInfo hash. */
export const EMPTY_HASH: Uint8Array = sha256(new Uint8Array(0))

/** Writes the unsigned varint of `n` (0 <= n < 2^53) at `off`; returns the new offset. */
export const putUvarint = (buf: Uint8Array, off: number, n: number): number => {
  if (n < 0x80000000) {
    // Small integers (every height, size, nonce and length in practice): 32-bit shifts.
    while (n >= 0x80) {
      buf[off++] = (n & 0x7f) | 0x80
      n >>>= 7
    }
    buf[off++] = n
    return off
  }
  while (n >= 0x80) {
    buf[off++] = (n % 0x80) | 0x80
    n = Math.floor(n / 0x80)
  }
  buf[off++] = n
  return off
}

/** Writes Go's zigzag signed varint of a non-negative `n` (that is, the uvarint of 2n). */
export const putVarint = (buf: Uint8Array, off: number, n: number): number => putUvarint(buf, off, n * 2)

/** Bytes of the uvarint of `n`. */
export const uvarintSize = (n: number): number => {
  if (n < 0x80) return 1
  if (n < 0x4000) return 2
  if (n < 0x200000) return 3
  let s = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    s++
  }
  return s
}

/** Zigzag varint of a non-negative number as a fresh array (for proof prefixes). */
export const varintBytes = (n: number): Uint8Array => {
  const b = new Uint8Array(10)
  return b.subarray(0, putVarint(b, 0, n))
}

/**
 * A private copy of `u` as a plain Uint8Array. (Never `u.slice()`: on a Node Buffer, `slice`
 * is a view, not a copy.)
 */
export const copyBytes = (u: Uint8Array): Uint8Array => new Uint8Array(u)

/** A cursor that reads uvarints and byte slices from a record. */
export class Reader {
  off = 0
  readonly buf: Uint8Array
  constructor(buf: Uint8Array) {
    this.buf = buf
  }
  uvarint(): number {
    let n = 0
    let mul = 1
    for (;;) {
      const b = this.buf[this.off++]
      if (b === undefined) throw new RangeError("truncated varint")
      n += (b & 0x7f) * mul
      if (b < 0x80) return n
      mul *= 0x80
    }
  }
  bytes(len: number): Uint8Array {
    const end = this.off + len
    if (end > this.buf.length) throw new RangeError("truncated record")
    const out = new Uint8Array(this.buf.subarray(this.off, end))
    this.off = end
    return out
  }
  rest(): Uint8Array {
    const out = new Uint8Array(this.buf.subarray(this.off))
    this.off = this.buf.length
    return out
  }
}

/**
 * The first 6 bytes of `k` as a number (big-endian, zero-padded). If two keys' prefixes differ,
 * their order is the order of the prefixes; if equal, compare the bytes. Trees keep it on each
 * node so that most comparisons do not dereference the key array (a cache miss per level).
 */
export const keyPrefix = (k: Uint8Array): number => {
  let p = 0
  for (let i = 0; i < 6; i++) p = p * 256 + (i < k.length ? k[i]! : 0)
  return p
}

/**
 * A string whose code units are the bytes of `k` (latin1). JavaScript string order on these
 * equals unsigned byte order, so they serve as sortable Map keys.
 */
export const byteString = (k: Uint8Array): string => (latin1Slice ? latin1Slice.call(k, 0, k.length) : Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString("latin1"))

/**
 * Node's latin1 decoder, the one `Buffer#toString("latin1")` ends in, applied to the array
 * directly: no Buffer view per call (2x faster on 30–50 byte keys; every store read and write
 * makes one). Absent on a runtime without it: `Buffer#toString` then.
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string }).latin1Slice

/**
 * `buf[start, end)` as a latin1 string (one char per byte), without a view per call: how a
 * batch's 32-byte digests become node hash strings.
 */
export const latin1At = (buf: Uint8Array, start: number, end: number): string =>
  latin1Slice ? latin1Slice.call(buf, start, end) : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString("latin1", start, end)

/** Inverse of `byteString`. */
export const fromByteString = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"))

/** Writes `n` (0 <= n < 2^53) as 8 big-endian bytes at `off`. */
export const putU64 = (buf: Uint8Array, off: number, n: number): void => {
  const hi = Math.floor(n / 0x100000000)
  const lo = n >>> 0
  buf[off] = hi >>> 24
  buf[off + 1] = (hi >>> 16) & 0xff
  buf[off + 2] = (hi >>> 8) & 0xff
  buf[off + 3] = hi & 0xff
  putU32(buf, off + 4, lo)
}

/** Reads 8 big-endian bytes as a number. */
export const getU64 = (buf: Uint8Array, off: number): number => getU32(buf, off) * 0x100000000 + getU32(buf, off + 4)

/** Writes a 32-bit unsigned big-endian integer. */
export const putU32 = (buf: Uint8Array, off: number, n: number): void => {
  buf[off] = n >>> 24
  buf[off + 1] = (n >>> 16) & 0xff
  buf[off + 2] = (n >>> 8) & 0xff
  buf[off + 3] = n & 0xff
}

/** Reads a 32-bit unsigned big-endian integer. */
export const getU32 = (buf: Uint8Array, off: number): number =>
  ((buf[off]! << 24) >>> 0) + (buf[off + 1]! << 16) + (buf[off + 2]! << 8) + buf[off + 3]!

