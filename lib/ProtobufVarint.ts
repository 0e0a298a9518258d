/**
 * Correct 64-bit varints for cosmjs-types' protobuf writer.
 *
 * cosmjs-types 0.11 (varint.js `writeVarint64`, reached by `BinaryWriter.int64`, `uint64` and
 * `sint64`) writes a value in [2^31, 2^32) wrongly: `int64FromString` keeps the low word as a
 * signed 32-bit number, `int64Length` sizes it as 5 bytes, but `writeVarint64` stops at once on the
 * negative low word and writes one byte, leaving four zero bytes. 2^31 becomes `00 00 00 00 00`,
 * which the decoders read as 0 followed by a stray field 0; so a BaseAccount with sequence 2^31
 * reads back with sequence 0 (its replay protection gone), and a Timestamp in 2038 reads back as
 * 1970. Every u64/i64 field is affected: account numbers and sequences, heights, IBC sequences
 * and revision heights, gas figures, Timestamp seconds.
 *
 * Importing this module (once, for its effect) replaces `writeVarint64` on the varint module
 * object that `BinaryWriter` looks it up on at every call, with one that reads the low word as
 * unsigned. Values outside [2^31, 2^32) (hi word nonzero, or lo below 2^31) are written exactly
 * as before, so only the broken range changes: to the protobuf encoding (Base 128 varints,
 * protobuf.dev/programming-guides/encoding) that Go's and every other protobuf library write.
 *
 * Source: cosmjs-types 0.11 varint.js (writeVarint64, int64FromString, newBits) and binary.js.
 */
import { createRequire } from "node:module"

interface Bits { lo: number; hi: number }
interface VarintModule { writeVarint64: (val: Bits, buf: Uint8Array, pos: number) => void }

const writeVarint64 = (val: Bits, buf: Uint8Array, pos: number): void => {
  let lo = val.lo >>> 0
  let hi = val.hi >>> 0
  while (hi !== 0) {
    buf[pos++] = (lo & 127) | 128
    lo = ((lo >>> 7) | (hi << 25)) >>> 0
    hi >>>= 7
  }
  while (lo > 127) {
    buf[pos++] = (lo & 127) | 128
    lo >>>= 7
  }
  buf[pos] = lo
}

/** True once cosmjs-types' writer encodes 64-bit varints correctly in every range. */
export const correctVarint64: boolean = (() => {
  // The CommonJS exports object itself: an ESM import of it would be a read-only namespace.
  const varint = createRequire(import.meta.url)("cosmjs-types/varint") as VarintModule
  varint.writeVarint64 = writeVarint64
  return true
})()
