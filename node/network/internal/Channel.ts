/**
 * One kernel-protocol stream to a peer: writes frames in order with the stream's backpressure
 * (frames wait in a bounded queue while the stream needs a drain), reads frames through a
 * FrameReader. The transport (node/network/KernelTransport.ts) owns the hello and the policy.
 */
import type { PeerId, Stream } from "../Libp2pTypes.ts"
import { frameHeader, FrameReader, HEADER_BYTES, type FramingViolation } from "./FrameReader.ts"

/** Frames up to this size are batched per tick (copied once); a batch is written once it reaches it. */
const BATCH_BYTES = 64 * 1024
/** Frames over this size skip the batch (no copy): header and payload are written as they are. */
const DIRECT_BYTES = 16 * 1024

/** Channel events the transport handles. */
export interface ChannelEvents {
  readonly frame: (kind: number, payload: Uint8Array) => void
  readonly violation: (v: FramingViolation) => void
  readonly closed: () => void
}

/** A framed stream. */
export class Channel {
  readonly stream: Stream
  /** The Noise-authenticated remote peer. */
  readonly remote: PeerId
  /** `remote` as text. */
  readonly peerId: string
  readonly outbound: boolean
  /** The authenticated node name, set once the hello passed. */
  name: string | undefined
  private readonly reader: FrameReader
  private readonly queue: Array<{ kind: number; payload: Uint8Array; done: () => void; fail: (e: Error) => void }> = []
  private queuedBytes = 0
  private readonly maxQueuedBytes: number
  private draining = false
  private closedFlag = false

  constructor(stream: Stream, remote: PeerId, outbound: boolean, maxPayload: number, maxQueuedBytes: number, events: ChannelEvents) {
    this.stream = stream
    this.remote = remote
    this.peerId = remote.toString()
    this.outbound = outbound
    this.maxQueuedBytes = maxQueuedBytes
    this.reader = new FrameReader(maxPayload, events.frame)
    stream.addEventListener("message", (evt) => {
      const data = evt.data
      if (data instanceof Uint8Array) {
        const v = this.reader.push(data)
        if (v) events.violation(v)
      } else {
        for (const chunk of data) {
          const v = this.reader.push(chunk)
          if (v) {
            events.violation(v)
            break
          }
        }
      }
    })
    stream.addEventListener("remoteCloseWrite", () => {
      void stream.close().catch(() => undefined)
    })
    stream.addEventListener("close", () => {
      if (this.closedFlag) return
      this.closedFlag = true
      this.reader.stop()
      for (const q of this.queue.splice(0)) q.fail(new Error("stream closed"))
      events.closed()
    })
  }

  /** Whether the stream can still carry frames. */
  get open(): boolean {
    return !this.closedFlag && this.stream.writeStatus === "writable"
  }

  /**
   * Queue a frame; resolves once it is on its way: in this tick's batch or the stream's write
   * buffer. Rejects when the stream is closed or when more than `maxQueuedBytes` already wait
   * for a drain.
   */
  write(kind: number, payload: Uint8Array): Promise<void> {
    if (!this.open) return Promise.reject(new Error("stream closed"))
    if (!this.draining) {
      try {
        this.put(kind, payload)
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)))
      }
      return Promise.resolve()
    }
    if (this.queuedBytes + payload.length > this.maxQueuedBytes) {
      return Promise.reject(new Error(`send queue full (${this.queuedBytes} bytes wait for the peer to read)`))
    }
    this.queuedBytes += payload.length
    return new Promise((done, fail) => this.queue.push({ kind, payload, done, fail }))
  }

  /** Stop reading and reset the stream (the peer is cut off or refused). */
  abort(reason: string): void {
    this.reader.stop()
    this.batch.length = 0
    this.batchBytes = 0
    this.stream.abort(new Error(reason))
  }

  // Frames written in one tick go out as one stream write: each `send` becomes its own yamux
  // frame and Noise message, which dominates the cost of small frames.
  private readonly batch: Array<Uint8Array> = []
  private batchBytes = 0
  private batchScheduled = false

  private put(kind: number, payload: Uint8Array): void {
    if (payload.length > DIRECT_BYTES) {
      this.flushBatch()
      this.stream.send(frameHeader(kind, payload.length))
      if (!this.stream.send(payload)) this.waitDrain()
      return
    }
    this.batch.push(frameHeader(kind, payload.length), payload)
    this.batchBytes += HEADER_BYTES + payload.length
    if (this.batchBytes >= BATCH_BYTES) this.flushBatch()
    else if (!this.batchScheduled) {
      this.batchScheduled = true
      queueMicrotask(() => {
        this.batchScheduled = false
        try {
          this.flushBatch()
        } catch {
          // the stream closed meanwhile: its close event reports the loss
        }
      })
    }
  }

  private flushBatch(): void {
    if (this.batchBytes === 0) return
    const buf = new Uint8Array(this.batchBytes)
    let at = 0
    for (const piece of this.batch) {
      buf.set(piece, at)
      at += piece.length
    }
    this.batch.length = 0
    this.batchBytes = 0
    if (!this.stream.send(buf)) this.waitDrain()
  }

  private waitDrain(): void {
    this.draining = true
    this.stream.onDrain().then(() => this.flush(), () => undefined)
  }

  private flush(): void {
    this.draining = false
    while (this.queue.length > 0 && !this.draining) {
      const q = this.queue.shift()!
      this.queuedBytes -= q.payload.length
      try {
        this.put(q.kind, q.payload)
        q.done()
      } catch (e) {
        q.fail(e instanceof Error ? e : new Error(String(e)))
      }
    }
  }
}
