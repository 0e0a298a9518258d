/**
 * Runtime of the generated machine-interface codecs (chain/generated/*.ts, made by wit/chain.ts):
 * protobuf records over cosmjs-types' BinaryWriter / BinaryReader, with bounds checks that turn
 * every malformed input into InvalidRequest (code 18) naming the record and the field.
 *
 * Wire rule (chain/Interface.ts): field number = 1-based position of the field in its WIT record;
 * string / list<u8> length-delimited (wire type 2), bool / u32 / u64 varint (wire type 0), nested
 * record length-delimited, list<T> repeated, option<T> written only when present, other scalars
 * and lists omitted when default (proto3), nested non-optional records always written.
 * Decoding never allocates more than the input: every length is checked against the bytes left
 * before anything is read, and lists grow one element per encoded element. Unknown fields and
 * wrong wire types are rejected (a request is checked against capabilities: no ambiguity).
 *
 * Source: protobuf encoding spec (https://protobuf.dev/programming-guides/encoding/);
 * cosmjs-types binary.ts.
 */
import "../../lib/ProtobufAlloc.ts"
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { InvalidRequest, isChainError } from "../ChainError.ts"
import type { Codec } from "../Interface.ts"

/** A record codec: whole-buffer encode/decode plus the nested forms used inside other records. */
export interface RecordCodec<T> extends Codec<T> {
  /** WIT record name (kebab-case), used in error messages. */
  readonly record: string
  /** Append the fields of `m` (no length prefix) to `w`. */
  write(m: T, w: BinaryWriter): void
  /** Read the fields of one record from `r` (the whole reader). */
  read(r: WireReader): T
}

/** Thrown inside decoding; turned into InvalidRequest by {@link RecordCodec.decode}. */
class WireError extends Error {}

/**
 * A bounds-checked protobuf reader over one record's bytes. Each read names its WIT field so a
 * failure says which record and field were malformed.
 */
export class WireReader {
  private readonly buf: Uint8Array
  private pos = 0
  private len: number
  private wide: BinaryReader | undefined
  record: string
  constructor(bytes: Uint8Array, record: string) {
    this.buf = bytes
    this.len = bytes.length
    this.record = record
  }

  /** True while bytes are left. */
  more(): boolean {
    return this.pos < this.len
  }

  /** The next tag (field number << 3 | wire type). */
  tag(): number {
    return this.varint32("(tag)")
  }

  /** A varint of at most 32 bits (tags, lengths, u32), read without BigInt: the hot path. */
  private varint32(field: string): number {
    const buf = this.buf
    const len = this.len
    let pos = this.pos
    let v = 0
    for (let shift = 0; ; shift += 7) {
      if (pos >= len) throw new WireError(`${this.record}.${field}: truncated varint`)
      const b = buf[pos++]!
      if (shift === 28 && b > 0x0f) throw new WireError(`${this.record}.${field}: varint exceeds 32 bits`)
      v += (b & 0x7f) * 2 ** shift
      if (b < 0x80) break
    }
    this.pos = pos
    return v
  }

  /** cosmjs-types' reader at this position for 64-bit varints (made once per record, rarely used). */
  private varint64(field: string): BinaryReader {
    const start = this.pos
    let end = start
    while (end < this.len && end - start < 10 && (this.buf[end]! & 0x80) !== 0) end++
    if (end >= this.len || end - start >= 10) throw new WireError(`${this.record}.${field}: truncated or overlong varint`)
    const r = (this.wide ??= new BinaryReader(this.buf))
    r.pos = start
    return r
  }
  private done64(r: BinaryReader): void {
    this.pos = r.pos
  }

  /** Length-delimited bytes (a view, no copy), length checked against the bytes left. */
  bytes(field: string): Uint8Array {
    const len = this.varint32(field)
    if (len > this.len - this.pos) throw new WireError(`${this.record}.${field}: length ${len} exceeds the ${this.len - this.pos} bytes left`)
    const start = this.pos
    this.pos += len
    return this.buf.subarray(start, start + len)
  }

  /** A UTF-8 string; invalid UTF-8 is rejected. */
  string(field: string): string {
    const len = this.varint32(field)
    if (len > this.len - this.pos) throw new WireError(`${this.record}.${field}: length ${len} exceeds the ${this.len - this.pos} bytes left`)
    const buf = this.buf
    const start = this.pos
    const end = start + len
    this.pos = end
    // addresses, denoms and amounts are short ASCII: built from the char codes (identical to UTF-8
    // on ASCII) without a Buffer view or the validating decoder
    if (len <= 128) {
      let i = start
      while (i < end && buf[i]! < 0x80) i++
      if (i === end) return len <= 16 ? asciiShort(buf, start, end) : latin1(buf, start, len)
    }
    try {
      return utf8.decode(buf.subarray(start, end))
    } catch {
      throw new WireError(`${this.record}.${field}: invalid UTF-8`)
    }
  }

  bool(field: string): boolean {
    const r = this.varint64(field)
    const v = r.uint64()
    this.done64(r)
    if (v > 1n) throw new WireError(`${this.record}.${field}: bool must be 0 or 1, got ${v}`)
    return v === 1n
  }

  u32(field: string): number {
    return this.varint32(field)
  }

  s32(field: string): number {
    const r = this.varint64(field)
    const v = r.int64()
    this.done64(r)
    if (v < -0x80000000n || v > 0x7fffffffn) throw new WireError(`${this.record}.${field}: ${v} does not fit s32`)
    return Number(v)
  }

  u64(field: string): bigint {
    const r = this.varint64(field)
    const v = r.uint64()
    this.done64(r)
    return v
  }

  s64(field: string): bigint {
    const r = this.varint64(field)
    const v = r.int64()
    this.done64(r)
    return v
  }

  /**
   * A nested record (length-delimited), read by its own codec in place: this reader bounded to the
   * record's bytes and named after it (what a reader over a copy of those bytes would report).
   */
  nested<T>(codec: RecordCodec<T>, field: string): T {
    const len = this.varint32(field)
    if (len > this.len - this.pos) throw new WireError(`${this.record}.${field}: length ${len} exceeds the ${this.len - this.pos} bytes left`)
    const outerLen = this.len
    const outerRecord = this.record
    const end = this.pos + len
    this.len = end
    this.record = codec.record
    const out = codec.read(this)
    if (this.pos !== end) throw new WireError(`${codec.record}: read past its end`)
    this.len = outerLen
    this.record = outerRecord
    return out
  }

  /** Reject a tag no field of this record has (unknown field or wrong wire type). */
  reject(tag: number, fields: ReadonlyArray<string>): never {
    const n = tag >>> 3
    const name = fields[n - 1]
    throw new WireError(name === undefined
      ? `${this.record}: unknown field number ${n}`
      : `${this.record}.${name}: wrong wire type ${tag & 7}`)
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** ASCII bytes [start, end) as a string, up to 16 (denoms, amounts): no Buffer object. */
const asciiShort = (b: Uint8Array, start: number, end: number): string => {
  let out = ""
  for (let i = start; i < end; i++) out += String.fromCharCode(b[i]!)
  return out
}
/** Latin1 (= ASCII here) bytes as a string through Buffer's native slice. */
const latin1 = (b: Uint8Array, start: number, len: number): string => Buffer.from(b.buffer, b.byteOffset + start, len).toString("latin1")

const u64Max = (1n << 64n) - 1n
/** Check a u64 before encoding (BinaryWriter would silently wrap). */
export const checkU64 = (record: string, field: string, v: bigint): bigint => {
  if (v < 0n || v > u64Max) throw new InvalidRequest({ log: `${record}.${field}: ${v} does not fit u64` })
  return v
}
/** Check a u32 before encoding. */
export const checkU32 = (record: string, field: string, v: number): number => {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new InvalidRequest({ log: `${record}.${field}: ${v} does not fit u32` })
  return v
}

/** Build a record codec from its generated `write` and `read`. */
export const recordCodec = <T>(record: string, write: (m: T, w: BinaryWriter) => void, read: (r: WireReader) => T): RecordCodec<T> => ({
  record,
  write,
  read,
  encode(m: T): Uint8Array {
    // the pooled writer gives the bytes cosmjs-types' writer gives; it hands anything it does not
    // cover (non-ASCII text, a 64-bit value that is no u64 bigint) back to that writer
    const w = pooled.busy ? undefined : pooled
    if (w !== undefined) {
      w.start()
      try {
        write(m, w as unknown as BinaryWriter)
        return w.finish()
      } catch (e) {
        if (e !== NOT_COVERED) throw e
      } finally {
        w.busy = false
      }
    }
    const slow = BinaryWriter.create()
    write(m, slow)
    return slow.finish()
  },
  decode(bytes: Uint8Array): T {
    try {
      return read(new WireReader(bytes, record))
    } catch (e) {
      if (isChainError(e)) throw e
      throw new InvalidRequest({ log: `malformed ${record}: ${e instanceof WireError ? e.message : String((e as Error).message ?? e)}` })
    }
  }
})

/** Thrown by {@link PooledWriter} for a value it leaves to cosmjs-types' writer. */
const NOT_COVERED = new Error("not covered by the pooled writer")

/**
 * The subset of cosmjs-types' BinaryWriter that generated `write` functions use (uint32, string,
 * bytes, bool, uint64, fork, ldelim), writing straight into one reused buffer instead of a list of
 * operations and a fresh buffer per record: a cross-machine call encodes a request and a response
 * on every call of the block's hot path. Same bytes as BinaryWriter for what it covers: varints
 * of `value >>> 0`, ASCII text (other text goes through the slow path), bytes, bool as 0/1, u64
 * bigints in range, length prefixes as varints. `finish` returns an exact-size copy.
 */
class PooledWriter {
  busy = false
  private buf = new Uint8Array(1024)
  private pos = 0
  private readonly forks: number[] = []
  start(): void {
    this.busy = true
    this.pos = 0
    this.forks.length = 0
  }
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n))
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
  }
  private varint(v: number): void {
    this.room(5)
    const buf = this.buf
    let pos = this.pos
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80
      v >>>= 7
    }
    buf[pos++] = v
    this.pos = pos
  }
  uint32(value: number): this {
    this.varint(value >>> 0)
    return this
  }
  bool(value: boolean): this {
    this.room(1)
    this.buf[this.pos++] = value ? 1 : 0
    return this
  }
  uint64(value: bigint): this {
    if (typeof value !== "bigint" || value < 0n || value > U64_MAX) throw NOT_COVERED
    if (value <= 0xffffffffn) {
      this.varint(Number(value))
      return this
    }
    this.room(10)
    let v = value
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80
      v >>= 7n
    }
    this.buf[this.pos++] = Number(v)
    return this
  }
  bytes(value: Uint8Array): this {
    if (!(value instanceof Uint8Array)) throw NOT_COVERED
    const len = value.length
    this.varint(len)
    this.room(len)
    this.buf.set(value, this.pos)
    this.pos += len
    return this
  }
  string(value: string): this {
    if (typeof value !== "string") throw NOT_COVERED
    const len = value.length
    this.room(len + 5)
    // length first (ASCII: one byte per char), then the chars; a non-ASCII char means the whole
    // record goes to the slow path (its UTF-8 rules for lone surrogates are cosmjs-types' own)
    this.varint(len)
    const buf = this.buf
    let pos = this.pos
    for (let i = 0; i < len; i++) {
      const c = value.charCodeAt(i)
      if (c >= 0x80) throw NOT_COVERED
      buf[pos++] = c
    }
    this.pos = pos
    return this
  }
  fork(): this {
    // one byte reserved for the length; ldelim widens it when the record is longer
    this.room(1)
    this.forks.push(this.pos)
    this.pos++
    return this
  }
  ldelim(): this {
    const at = this.forks.pop()!
    const len = this.pos - at - 1
    const size = len < 0x80 ? 1 : len < 0x4000 ? 2 : len < 0x200000 ? 3 : len < 0x10000000 ? 4 : 5
    if (size > 1) {
      this.room(size - 1)
      this.buf.copyWithin(at + size, at + 1, this.pos)
      this.pos += size - 1
    }
    let v = len
    let p = at
    while (v > 0x7f) {
      this.buf[p++] = (v & 0x7f) | 0x80
      v >>>= 7
    }
    this.buf[p] = v
    return this
  }
  finish(): Uint8Array {
    // a new Uint8Array of a small size lives on V8's heap; slice() would make an ArrayBuffer
    const n = this.pos
    const out = new Uint8Array(n)
    if (n <= 64) for (let i = 0; i < n; i++) out[i] = this.buf[i]!
    else out.set(this.buf.subarray(0, n))
    return out
  }
}
const U64_MAX = (1n << 64n) - 1n
const pooled = new PooledWriter()

/** Write a nested record as a length-delimited field with tag `tag`. */
export const writeNested = <T>(w: BinaryWriter, tag: number, codec: RecordCodec<T>, m: T): void => {
  w.uint32(tag).fork()
  codec.write(m, w)
  w.ldelim()
}
