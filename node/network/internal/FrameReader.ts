/**
 * Splits a byte stream into frames of the kernel protocol: each frame is a 5-byte header (u32
 * big-endian payload length, u8 kind) and the payload. The length is checked against the limit
 * as soon as the header is read, before any payload is buffered, so an oversized frame costs
 * the reader 5 bytes. A payload is copied once, into its own buffer.
 */

/** Frame kinds on `/cyberkernel/kernel/1`. */
export const FrameKind = { hello: 1, data: 2 } as const

/** Header bytes before each payload. */
export const HEADER_BYTES = 5

/** Why a byte stream is not a valid frame sequence. */
export type FramingViolation = { readonly kind: "oversized"; readonly length: number } | { readonly kind: "bad-kind"; readonly value: number }

/** The header of a payload of `length` bytes and kind `kind`. */
export const frameHeader = (kind: number, length: number): Uint8Array => {
  const h = new Uint8Array(HEADER_BYTES)
  new DataView(h.buffer).setUint32(0, length)
  h[4] = kind
  return h
}

/** Incremental frame decoder; `push` returns a violation and stops decoding at the first one. */
export class FrameReader {
  private readonly maxPayload: number
  private readonly onFrame: (kind: number, payload: Uint8Array) => void
  private readonly header = new Uint8Array(HEADER_BYTES)
  private headerFill = 0
  private payload: Uint8Array | undefined
  private payloadFill = 0
  private kind = 0
  private failed = false

  constructor(maxPayload: number, onFrame: (kind: number, payload: Uint8Array) => void) {
    this.maxPayload = maxPayload
    this.onFrame = onFrame
  }

  /** Feed bytes; frames complete in them are handed to `onFrame` in order. */
  push(chunk: Uint8Array): FramingViolation | undefined {
    if (this.failed) return undefined
    let at = 0
    while (at < chunk.length) {
      if (this.payload === undefined) {
        const take = Math.min(HEADER_BYTES - this.headerFill, chunk.length - at)
        this.header.set(chunk.subarray(at, at + take), this.headerFill)
        this.headerFill += take
        at += take
        if (this.headerFill < HEADER_BYTES) break
        this.headerFill = 0
        const length = new DataView(this.header.buffer).getUint32(0)
        const kind = this.header[4]!
        if (kind !== FrameKind.hello && kind !== FrameKind.data) return this.fail({ kind: "bad-kind", value: kind })
        if (length > this.maxPayload) return this.fail({ kind: "oversized", length })
        this.kind = kind
        this.payload = new Uint8Array(length)
        this.payloadFill = 0
      }
      const take = Math.min(this.payload.length - this.payloadFill, chunk.length - at)
      this.payload.set(chunk.subarray(at, at + take), this.payloadFill)
      this.payloadFill += take
      at += take
      if (this.payloadFill === this.payload.length) {
        const done = this.payload
        this.payload = undefined
        this.onFrame(this.kind, done)
        if (this.failed) return undefined
      }
    }
    return undefined
  }

  /** Stop decoding (the stream was cut off); later pushes are ignored. */
  stop(): void {
    this.failed = true
  }

  private fail(v: FramingViolation): FramingViolation {
    this.failed = true
    return v
  }
}
