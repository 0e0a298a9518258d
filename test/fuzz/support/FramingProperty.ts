/**
 * Properties of an ABCI frame reader (modules/consensus/abci/Framing.ts FrameDecoder), written
 * against a small structural interface so the same properties run on the real decoder and on the
 * planted-bug copy (test/fuzz/fixtures/BuggyFraming.ts).
 */
import fc from "fast-check"
import { encodeFrame, encodeUvarint } from "../../../modules/consensus/abci/Framing.ts"
import { bytesUpTo, concat } from "./Fuzz.ts"

/** What the properties need of a frame reader. */
export interface FrameReader {
  push(chunk: Uint8Array): Uint8Array[]
  readonly pending: number
}

/** A frame reader constructor with a frame limit. */
export type FrameReaderFactory = (maxFrameBytes: number) => FrameReader

/** True for the typed framing refusal (matched by tag, so the test-only copy's class counts too). */
export const isFrameError = (e: unknown): boolean => typeof e === "object" && e !== null && (e as { _tag?: unknown })._tag === "FrameError"

const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

/** Split `bytes` at the (sorted, deduplicated) cut points. */
export const chunked = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Uint8Array[] => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let prev = 0
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(prev, p))
    prev = p
  }
  return out
}

/** Frame bodies: mostly short, some across the one-byte/two-byte varint boundary, some large. */
const body = fc.oneof(
  { weight: 4, arbitrary: bytesUpTo(40) },
  { weight: 3, arbitrary: fc.integer({ min: 120, max: 140 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })) },
  { weight: 1, arbitrary: fc.integer({ min: 16_370, max: 16_400 }).map((n) => new Uint8Array(n).fill(n & 0xff)) }
)

/**
 * Round trip: any sequence of valid frames, cut into chunks at arbitrary points (including
 * empty chunks), comes out as exactly the same bodies, with nothing left buffered; a typed
 * FrameError or any other exception fails the property.
 */
export const roundTripProperty = (make: FrameReaderFactory) =>
  fc.property(fc.array(body, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 24 }), (bodies, cuts) => {
    const stream = concat(...bodies.map(encodeFrame))
    const reader = make(1 << 20)
    const got: Uint8Array[] = []
    for (const c of chunked(stream, cuts)) got.push(...reader.push(c))
    if (got.length !== bodies.length) throw new Error(`got ${got.length} frames, sent ${bodies.length}`)
    bodies.forEach((b, i) => {
      if (!eq(b, got[i]!)) throw new Error(`frame ${i} differs (${b.length} bytes sent, ${got[i]!.length} received)`)
    })
    if (reader.pending !== 0) throw new Error(`${reader.pending} bytes left buffered`)
  })

/**
 * Garbage: arbitrary bytes in arbitrary chunks either yield frames or a typed FrameError; after
 * every push the reader buffers at most one incomplete frame (limit + 10-byte prefix), so a
 * hostile peer cannot make it buffer without bound.
 */
export const garbageProperty = (make: FrameReaderFactory, max = 256) =>
  fc.property(
    fc.oneof(bytesUpTo(2048), fc.array(fc.constantFrom(0x80, 0xff, 0x81, 0x00, 0x7f), { maxLength: 40 }).map((a) => Uint8Array.from(a))),
    fc.array(fc.nat(), { maxLength: 16 }),
    (bytes, cuts) => {
      const reader = make(max)
      try {
        for (const c of chunked(bytes, cuts)) {
          for (const f of reader.push(c)) if (f.length > max) throw new Error(`frame of ${f.length} bytes over the limit ${max}`)
          if (reader.pending > max + 10) throw new Error(`${reader.pending} bytes buffered with a ${max}-byte limit`)
        }
      } catch (e) {
        if (!isFrameError(e)) throw e
      }
    }
  )

/**
 * Oversized and malformed prefixes: a length above the limit, or a varint of 11+ bytes, is
 * refused with FrameError as soon as the prefix is complete, whatever the chunking.
 */
export const oversizedProperty = (make: FrameReaderFactory, max = 1000) =>
  fc.property(
    fc.oneof(
      fc.integer({ min: max + 1, max: Number.MAX_SAFE_INTEGER }).map((n) => encodeUvarint(n)),
      fc.integer({ min: 11, max: 30 }).map((n) => new Uint8Array(n).fill(0x80)),
      fc.integer({ min: 0, max: 10 }).map((n) => concat(new Uint8Array(10).fill(0xff), new Uint8Array(n).fill(0x01)))
    ),
    bytesUpTo(64),
    fc.array(fc.nat(), { maxLength: 8 }),
    (prefix, tail, cuts) => {
      const reader = make(max)
      for (const c of chunked(concat(prefix, tail), cuts)) {
        try {
          reader.push(c)
        } catch (e) {
          if (isFrameError(e)) return
          throw e
        }
      }
      throw new Error(`prefix ${Buffer.from(prefix).toString("hex")} was not refused`)
    }
  )
