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
 * they finish (a chunk may hold part of a frame, several frames, or both). Chunks are kept in a
 * list and each frame is copied out once, so a large frame arriving in many chunks costs
 * linear time. Throws FrameError on a malformed prefix or a frame longer than `maxFrameBytes`;
 * the reader is then unusable.
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number
  private chunks: Uint8Array[] = []
  /** Offset of unread data in chunks[0]. */
  private off = 0
  /** Unread bytes in all chunks. */
  private total = 0
  /** Length of the frame being read, or -1 while reading a prefix. */
  private need = -1

  constructor(maxFrameBytes: number = MAX_FRAME_BYTES) {
    this.maxFrameBytes = maxFrameBytes
  }

  /** Bytes buffered and not yet part of a complete frame. */
  get pending(): number { return this.total }

  /** Reads the varint prefix if complete: returns [length, prefix bytes] or undefined. */
  private peekPrefix(): [number, number] | undefined {
    let len = 0
    let mul = 1
    let n = 0
    let ci = 0
    let i = this.off
    while (ci < this.chunks.length) {
      const c = this.chunks[ci]!
      for (; i < c.length; i++) {
        const b = c[i]!
        n++
        if (n > 10) throw new FrameError({ reason: "malformed ABCI frame: varint length prefix longer than 10 bytes" })
        len += (b & 0x7f) * mul
        mul *= 0x80
        if ((b & 0x80) === 0) return [len, n]
      }
      ci++
      i = 0
    }
    if (n >= 10) throw new FrameError({ reason: "malformed ABCI frame: varint length prefix longer than 10 bytes" })
    return undefined
  }

  /** Consumes `n` bytes; copies them out when `copy`. */
  private take(n: number, copy: boolean): Uint8Array {
    const first = this.chunks[0]
    if (first !== undefined && first.length - this.off >= n) {
      const out = copy ? first.slice(this.off, this.off + n) : first
      this.off += n
      this.total -= n
      if (this.off === first.length) { this.chunks.shift(); this.off = 0 }
      return out
    }
    const out = new Uint8Array(copy ? n : 0)
    let filled = 0
    while (filled < n) {
      const c = this.chunks[0]!
      const k = Math.min(n - filled, c.length - this.off)
      if (copy) out.set(c.subarray(this.off, this.off + k), filled)
      filled += k
      this.off += k
      if (this.off === c.length) { this.chunks.shift(); this.off = 0 }
    }
    this.total -= n
    return out
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk)
      this.total += chunk.length
    }
    const frames: Uint8Array[] = []
    for (;;) {
      if (this.need < 0) {
        const p = this.peekPrefix()
        if (p === undefined) break
        if (p[0] > this.maxFrameBytes) {
          throw new FrameError({ reason: `ABCI frame of ${p[0]} bytes exceeds the limit of ${this.maxFrameBytes} bytes` })
        }
        this.take(p[1], false)
        this.need = p[0]
      }
      if (this.total < this.need) break
      frames.push(this.need === 0 ? new Uint8Array(0) : this.take(this.need, true))
      this.need = -1
    }
    return frames
  }
}
