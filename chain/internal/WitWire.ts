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
  private readonly r: BinaryReader
  readonly record: string
  constructor(bytes: Uint8Array, record: string) {
    this.r = new BinaryReader(bytes)
    this.record = record
  }

  /** True while bytes are left. */
  more(): boolean {
    return this.r.pos < this.r.len
  }

  /** The next tag (field number << 3 | wire type). */
  tag(): number {
    return this.varint32("(tag)")
  }

  /** A varint of at most 32 bits (tags, lengths, u32), read without BigInt: the hot path. */
  private varint32(field: string): number {
    const buf = this.r.buf
    const len = this.r.len
    let pos = this.r.pos
    let v = 0
    for (let shift = 0; ; shift += 7) {
      if (pos >= len) throw new WireError(`${this.record}.${field}: truncated varint`)
      const b = buf[pos++]!
      if (shift === 28 && b > 0x0f) throw new WireError(`${this.record}.${field}: varint exceeds 32 bits`)
      v += (b & 0x7f) * 2 ** shift
      if (b < 0x80) break
    }
    this.r.pos = pos
    return v
  }

  private varint64(field: string): void {
    const start = this.r.pos
    let end = start
    while (end < this.r.len && end - start < 10 && (this.r.buf[end]! & 0x80) !== 0) end++
    if (end >= this.r.len || end - start >= 10) throw new WireError(`${this.record}.${field}: truncated or overlong varint`)
  }

  /** Length-delimited bytes (a view, no copy), length checked against the bytes left. */
  bytes(field: string): Uint8Array {
    const len = this.varint32(field)
    if (len > this.r.len - this.r.pos) throw new WireError(`${this.record}.${field}: length ${len} exceeds the ${this.r.len - this.r.pos} bytes left`)
    const start = this.r.pos
    this.r.pos += len
    return this.r.buf.subarray(start, start + len)
  }

  /** A UTF-8 string; invalid UTF-8 is rejected. */
  string(field: string): string {
    const b = this.bytes(field)
    // addresses, denoms and amounts are short ASCII: read as latin1 (identical on ASCII) without
    // the validating decoder, the larger share of a cross-machine call's decode
    if (b.length <= 128) {
      let ascii = true
      for (let i = 0; i < b.length; i++) {
        if (b[i]! >= 0x80) {
          ascii = false
          break
        }
      }
      if (ascii) return Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1")
    }
    try {
      return utf8.decode(b)
    } catch {
      throw new WireError(`${this.record}.${field}: invalid UTF-8`)
    }
  }

  bool(field: string): boolean {
    this.varint64(field)
    const v = this.r.uint64()
    if (v > 1n) throw new WireError(`${this.record}.${field}: bool must be 0 or 1, got ${v}`)
    return v === 1n
  }

  u32(field: string): number {
    return this.varint32(field)
  }

  s32(field: string): number {
    this.varint64(field)
    const v = this.r.int64()
    if (v < -0x80000000n || v > 0x7fffffffn) throw new WireError(`${this.record}.${field}: ${v} does not fit s32`)
    return Number(v)
  }

  u64(field: string): bigint {
    this.varint64(field)
    return this.r.uint64()
  }

  s64(field: string): bigint {
    this.varint64(field)
    return this.r.int64()
  }

  /** A nested record (length-delimited), read by its own codec. */
  nested<T>(codec: RecordCodec<T>, field: string): T {
    return codec.read(new WireReader(this.bytes(field), codec.record))
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
    const w = BinaryWriter.create()
    write(m, w)
    return w.finish()
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

/** Write a nested record as a length-delimited field with tag `tag`. */
export const writeNested = <T>(w: BinaryWriter, tag: number, codec: RecordCodec<T>, m: T): void => {
  w.uint32(tag).fork()
  codec.write(m, w)
  w.ldelim()
}
