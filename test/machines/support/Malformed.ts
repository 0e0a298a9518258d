/**
 * Malformed variants of a valid protobuf body, for the conformance suite: empty, random bytes
 * (seeded, reproducible), truncations that a decoder must refuse (cut inside a length-delimited
 * field), and wrong field types (a field re-sent with another wire type, a string field holding
 * invalid UTF-8, a length prefix far past the end). Source: protobuf encoding spec (wire types).
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { concatBytes } from "../../../lib/Bytes.ts"

/** One malformed body; `mustFail` when no decoder may accept it as a valid message. */
export interface Malformed {
  readonly label: string
  readonly bytes: Uint8Array
  readonly mustFail: boolean
}

/** A top-level field of an encoded message: number, wire type and its byte range (tag included). */
interface Field {
  readonly num: number
  readonly wire: number
  readonly start: number
  /** Start of the payload (after tag and, for LEN, the length prefix). */
  readonly payload: number
  readonly end: number
}

const fieldsOf = (bytes: Uint8Array): Field[] => {
  const r = new BinaryReader(bytes)
  const out: Field[] = []
  try {
    while (r.pos < r.len) {
      const start = r.pos
      const tag = r.uint32()
      const wire = tag & 7
      let payload = r.pos
      if (wire === 2) {
        const len = r.uint32()
        payload = r.pos
        r.pos += len
      } else r.skipType(wire)
      if (r.pos > r.len) break
      out.push({ num: tag >>> 3, wire, start, payload, end: r.pos })
    }
  } catch {
    // a sample that is not a protobuf message: only the generic variants apply
  }
  return out
}

/** Seeded xorshift32 bytes (test data only). */
export const randomBytes = (seed: number, n: number): Uint8Array => {
  let x = seed | 1
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/** The malformed variants of `sample` (a valid encoded body). */
export const malformedVariants = (sample: Uint8Array): Malformed[] => {
  const out: Malformed[] = [
    ...(sample.length > 0 ? [{ label: "empty body", bytes: new Uint8Array(), mustFail: true }] : []),
    { label: "1 random byte", bytes: randomBytes(7, 1), mustFail: false },
    { label: "17 random bytes", bytes: randomBytes(17, 17), mustFail: false },
    { label: "256 random bytes", bytes: randomBytes(256, 256), mustFail: false }
  ]
  const fields = fieldsOf(sample)
  const cut = fields.find((f) => f.wire === 2 && f.end - f.payload >= 2)
  if (cut) {
    const mid = cut.payload + Math.floor((cut.end - cut.payload) / 2)
    out.push({ label: `truncated inside field ${cut.num}`, bytes: sample.slice(0, mid), mustFail: true })
  }
  const last = fields.at(-1)
  if (last?.wire === 2 && last.end - last.payload >= 1) {
    out.push({ label: "last byte cut", bytes: sample.slice(0, sample.length - 1), mustFail: true })
  }
  const seen = new Set<number>()
  for (const f of fields) {
    if (seen.has(f.num)) continue
    seen.add(f.num)
    const before = sample.slice(0, f.start)
    const after = sample.slice(f.end)
    if (f.wire === 2) {
      out.push({ label: `field ${f.num} sent as a varint`, bytes: concatBytes(before, BinaryWriter.create().uint32((f.num << 3) | 0).uint64(1n).finish(), after), mustFail: false })
      out.push({ label: `field ${f.num} holding invalid UTF-8`, bytes: concatBytes(before, BinaryWriter.create().uint32((f.num << 3) | 2).bytes(Uint8Array.of(0xff, 0xfe, 0xc3)).finish(), after), mustFail: false })
      out.push({
        label: `field ${f.num} length prefix past the end`,
        bytes: concatBytes(before, BinaryWriter.create().uint32((f.num << 3) | 2).uint32(0x7fffffff).finish(), Uint8Array.of(1, 2, 3)),
        mustFail: true
      })
    } else {
      out.push({ label: `field ${f.num} sent as bytes`, bytes: concatBytes(before, BinaryWriter.create().uint32((f.num << 3) | 2).string("abc").finish(), after), mustFail: false })
      out.push({ label: `field ${f.num} = 2^64-1`, bytes: concatBytes(before, BinaryWriter.create().uint32((f.num << 3) | 0).uint64(18446744073709551615n).finish(), after), mustFail: false })
    }
  }
  return out
}
