/**
 * ABCI socket framing: each message is an unsigned-varint length prefix followed by that many
 * bytes of protobuf (`Request` from CometBFT, `Response` from the application). Since CometBFT
 * 0.37 the prefix is an UNSIGNED varint (protoio.NewDelimitedWriter); older Tendermint used a
 * signed (zigzag) varint.
 *
 * Source: cometbft v0.38 abci/types/messages.go (WriteMessage/ReadMessage, maxMsgSize 100 MiB),
 * libs/protoio/reader.go.
 */
import { Data } from "effect"

/** CometBFT's largest accepted ABCI message (abci/types/messages.go maxMsgSize): 100 MiB. */
export const MAX_FRAME_BYTES = 104_857_600

/** A frame that cannot be read: a varint longer than 10 bytes, or a length over the limit. */
export class FrameError extends Data.TaggedError("FrameError")<{ readonly reason: string }> {
  override get message(): string { return this.reason }
}

/** Encodes `n` (0 <= n < 2^53) as an unsigned LEB128 varint. */
export const encodeUvarint = (n: number): Uint8Array => {
  const out: number[] = []
  let v = n
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
  return Uint8Array.from(out)
}

/** One length-prefixed frame around `body`. */
export const encodeFrame = (body: Uint8Array): Uint8Array => {
  const prefix = encodeUvarint(body.length)
  const out = new Uint8Array(prefix.length + body.length)
  out.set(prefix, 0)
  out.set(body, prefix.length)
  return out
}

/**
 * Incremental frame reader: feed socket chunks with `push`, get back every complete frame body
 * they finish (a chunk may hold part of a frame, several frames, or both). Throws FrameError on a
 * malformed prefix or a frame longer than `maxFrameBytes`; the reader is then unusable.
 */
export class FrameDecoder {
  private buf: Uint8Array = new Uint8Array(0)
  private readonly maxFrameBytes: number

  constructor(maxFrameBytes: number = MAX_FRAME_BYTES) {
    this.maxFrameBytes = maxFrameBytes
  }

  /** Bytes buffered and not yet part of a complete frame. */
  get pending(): number { return this.buf.length }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.buf.length === 0) this.buf = chunk
    else {
      const joined = new Uint8Array(this.buf.length + chunk.length)
      joined.set(this.buf, 0)
      joined.set(chunk, this.buf.length)
      this.buf = joined
    }
    const frames: Uint8Array[] = []
    let off = 0
    for (;;) {
      // read the varint prefix
      let len = 0
      let mul = 1
      let i = off
      let done = false
      while (i < this.buf.length) {
        const b = this.buf[i++]!
        if (i - off > 10) throw new FrameError({ reason: "malformed ABCI frame: varint length prefix longer than 10 bytes" })
        len += (b & 0x7f) * mul
        mul *= 0x80
        if ((b & 0x80) === 0) { done = true; break }
      }
      if (!done) {
        if (i - off >= 10) throw new FrameError({ reason: "malformed ABCI frame: varint length prefix longer than 10 bytes" })
        break
      }
      if (len > this.maxFrameBytes) {
        throw new FrameError({ reason: `ABCI frame of ${len} bytes exceeds the limit of ${this.maxFrameBytes} bytes` })
      }
      if (this.buf.length - i < len) break
      frames.push(this.buf.slice(i, i + len))
      off = i + len
    }
    this.buf = off === 0 ? this.buf : this.buf.slice(off)
    return frames
  }
}
