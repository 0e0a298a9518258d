/**
 * The asking side of `/cyberkernel/sync/1`: one stream to a peer, requests sent one at a time
 * (each waits for its answer), every answer bounded by SyncProtocol.ts's limits and checked for
 * its kind. Nothing a peer sends is trusted here beyond its framing: blocks are verified by the
 * Syncer before use.
 */
import { multiaddr } from "@multiformats/multiaddr"
import type { Libp2p } from "libp2p"
import { FrameReader, writeFrame, type Stream } from "./internal/Frames.ts"
import {
  decodeResponse, encodeRequest, MAX_RESPONSE_BYTES, SYNC_PROTOCOL, SyncProtocolError, type SyncBlock, type SyncRequest,
  type SyncResponse, type SyncStatus
} from "./SyncProtocol.ts"

/** Per-request time limit, milliseconds. */
export const REQUEST_TIMEOUT_MS = 30_000

/** A connection to one sync server. */
export class SyncClient {
  private lock: Promise<unknown> = Promise.resolve()
  private stream: Stream | undefined
  private reader: FrameReader | undefined
  private readonly libp2p: Libp2p
  /** The address dialled. */
  readonly peer: string
  private constructor(libp2p: Libp2p, peer: string) {
    this.libp2p = libp2p
    this.peer = peer
  }

  /** Dial `address` (a multiaddr, with or without /p2p/<id>) and open a sync stream. */
  static async connect(libp2p: Libp2p, address: string): Promise<SyncClient> {
    const c = new SyncClient(libp2p, address)
    await c.open()
    return c
  }

  private async open(): Promise<{ stream: Stream; reader: FrameReader }> {
    if (this.stream !== undefined && this.reader !== undefined) return { stream: this.stream, reader: this.reader }
    const stream = await this.libp2p.dialProtocol(multiaddr(this.peer) as never, SYNC_PROTOCOL, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
    this.stream = stream
    this.reader = new FrameReader(stream)
    return { stream, reader: this.reader }
  }

  /** Forget a failed stream: the next request dials again (the peer restarted, the connection dropped). */
  private drop(): void {
    this.stream?.abort(new Error("sync request failed"))
    this.stream = undefined
    this.reader = undefined
  }

  private request(req: SyncRequest): Promise<SyncResponse> {
    const run = this.lock.then(async () => {
      let stream: Stream, reader: FrameReader
      try {
        ({ stream, reader } = await this.open())
        await writeFrame(stream, encodeRequest(req))
      } catch (e) {
        this.drop()
        throw e
      }
      let timer: ReturnType<typeof setTimeout> | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SyncProtocolError({ reason: `no answer from ${this.peer} within ${REQUEST_TIMEOUT_MS} ms` })), REQUEST_TIMEOUT_MS)
      })
      try {
        let res: SyncResponse
        try {
          const frame = await Promise.race([reader.next(MAX_RESPONSE_BYTES), timeout])
          if (frame === undefined) throw new SyncProtocolError({ reason: `${this.peer} closed the sync stream` })
          res = decodeResponse(frame)
        } catch (e) {
          this.drop()
          throw e
        }
        if (res._tag === "Error") throw new SyncProtocolError({ reason: `${this.peer} answered error ${res.code}: ${res.message}` })
        return res
      } finally {
        clearTimeout(timer)
      }
    })
    this.lock = run.catch(() => undefined)
    return run
  }

  /** The peer's chain id, height, app hash, base and genesis hash. */
  async status(): Promise<SyncStatus> {
    const r = await this.request({ _tag: "Status" })
    if (r._tag !== "Status") throw new SyncProtocolError({ reason: `expected a status answer, got ${r._tag}` })
    return r.status
  }

  /** The peer's canonical genesis JSON bytes. */
  async genesis(): Promise<Uint8Array> {
    const r = await this.request({ _tag: "Genesis" })
    if (r._tag !== "Genesis") throw new SyncProtocolError({ reason: `expected a genesis answer, got ${r._tag}` })
    return r.json
  }

  /**
   * Blocks from `from` (at most up to `to`; the server may answer fewer). Each must have the
   * height asked, in order; an empty answer is an error.
   */
  async blocks(from: number, to: number): Promise<ReadonlyArray<SyncBlock>> {
    const r = await this.request({ _tag: "Blocks", from, to })
    if (r._tag !== "Blocks") throw new SyncProtocolError({ reason: `expected a blocks answer, got ${r._tag}` })
    if (r.blocks.length === 0) throw new SyncProtocolError({ reason: `${this.peer} answered no blocks for ${from}..${to}` })
    if (r.blocks.length > to - from + 1) throw new SyncProtocolError({ reason: `${this.peer} answered ${r.blocks.length} blocks for ${from}..${to}` })
    r.blocks.forEach((b, i) => {
      if (b.block.header.height !== BigInt(from + i)) throw new SyncProtocolError({ reason: `${this.peer} answered block ${b.block.header.height} at position of ${from + i}` })
    })
    return r.blocks
  }

  /** Close the stream. */
  async close(): Promise<void> {
    const stream = this.stream
    this.stream = undefined
    this.reader = undefined
    await stream?.close().catch(() => stream.abort(new Error("close failed")))
  }
}
