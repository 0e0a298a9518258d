/**
 * Length-prefixed frames (unsigned varint length, then the bytes) over a libp2p 3 stream, with a
 * per-read size limit checked on the prefix, before any body is buffered.
 */
import type { Libp2p } from "libp2p"
import { SyncProtocolError } from "../SyncProtocol.ts"

/** A libp2p 3 stream (the top-level @libp2p/interface is gossipsub's 2.x copy, so the type is taken from libp2p). */
export type Stream = Awaited<ReturnType<Libp2p["dialProtocol"]>>

type Chunk = Uint8Array | { subarray(): Uint8Array }

const bytesOf = (c: Chunk): Uint8Array => (c instanceof Uint8Array ? c : c.subarray())

/** Reads frames from one stream; `next` resolves undefined at a clean end of the stream. */
export class FrameReader {
  private readonly it: AsyncIterator<Chunk>
  private buf: Uint8Array = new Uint8Array(0)
  private done = false

  constructor(stream: Stream) {
    this.it = (stream as unknown as AsyncIterable<Chunk>)[Symbol.asyncIterator]()
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false
    const r = await this.it.next()
    if (r.done === true) { this.done = true; return false }
    const c = bytesOf(r.value)
    if (this.buf.length === 0) this.buf = c
    else {
      const n = new Uint8Array(this.buf.length + c.length)
      n.set(this.buf); n.set(c, this.buf.length)
      this.buf = n
    }
    return true
  }

  /** The next frame, or undefined when the stream ended between frames. */
  async next(maxBytes: number): Promise<Uint8Array | undefined> {
    let len = 0, shift = 0, i = 0
    for (;;) {
      if (i >= this.buf.length) {
        if (!(await this.fill())) {
          if (this.buf.length === 0) return undefined
          throw new SyncProtocolError({ reason: "stream ended inside a frame length" })
        }
        continue
      }
      const b = this.buf[i++]!
      len += (b & 0x7f) * 2 ** shift
      shift += 7
      if ((b & 0x80) === 0) break
      if (shift > 35) throw new SyncProtocolError({ reason: "frame length prefix too long" })
    }
    if (len > maxBytes) throw new SyncProtocolError({ reason: `frame of ${len} bytes is over the limit of ${maxBytes}` })
    while (this.buf.length - i < len) {
      if (!(await this.fill())) throw new SyncProtocolError({ reason: `stream ended inside a frame (${this.buf.length - i} of ${len} bytes)` })
    }
    const out = this.buf.slice(i, i + len)
    this.buf = this.buf.subarray(i + len)
    return out
  }
}

const varint = (n: number): Uint8Array => {
  const out: number[] = []
  while (n >= 0x80) { out.push((n % 0x80) | 0x80); n = Math.floor(n / 0x80) }
  out.push(n)
  return Uint8Array.from(out)
}

/** Write one frame; waits for the stream to drain when its buffer is full. */
export const writeFrame = async (stream: Stream, body: Uint8Array): Promise<void> => {
  const prefix = varint(body.length)
  const frame = new Uint8Array(prefix.length + body.length)
  frame.set(prefix); frame.set(body, prefix.length)
  if (!stream.send(frame)) await stream.onDrain()
}
