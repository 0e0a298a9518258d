/**
 * `/cyberkernel/package/1`: a node hands out the package zips it publishes (docs/names.md
 * "Packages from a peer"). One request per stream:
 *
 * - request: u16 big-endian length, then the package id `name:publisher` (UTF-8, at most
 *   {@link MAX_ID_BYTES}); the asker then closes its writing side.
 * - answer: one status byte. {@link PackageStatus.ok}: u32 big-endian length, then the zip.
 *   Any other status: u16 length, then a UTF-8 reason.
 *
 * Both sides bound what they read: the server reads at most the request's few bytes and answers
 * within {@link SERVE_TIMEOUT_MS}; the asker refuses an answer longer than its `maxBytes` as soon as
 * the length arrives (before buffering it) and gives up after `timeoutMs`. The server serves only
 * what its `lookup` returns (packages/Published.ts: zips it holds whose hash the chain lists);
 * nothing here is trusted by the asker beyond framing: the caller checks the hash against the chain
 * (packages/PeerInstall.ts).
 *
 * Source: libp2p 3 streams (`send` / `onDrain` / `close`, async iteration); Hyperware's app store
 * downloads a package from its publishing node (app-store `downloads` process), here a
 * request/response protocol.
 */
import type { Multiaddr } from "@multiformats/multiaddr"
import { Data } from "effect"
import type { Libp2p } from "libp2p"
import type { Stream } from "../Libp2pTypes.ts"

/** The protocol id. */
export const PACKAGE_PROTOCOL = "/cyberkernel/package/1"
/** Most bytes of a requested package id. */
export const MAX_ID_BYTES = 256
/** Default most bytes of a package zip an asker accepts (32 MiB). */
export const DEFAULT_MAX_PACKAGE_BYTES = 32 * 1024 * 1024
/** How long the server waits for a request and writes its answer. */
export const SERVE_TIMEOUT_MS = 30_000
/** Most streams of this protocol open at once per connection. */
export const MAX_STREAMS = 4

/** Most answers a node sends at once, all peers together (each holds one zip in memory). */
export const MAX_CONCURRENT_ANSWERS = 4

/** Answer status bytes. */
export const PackageStatus = { ok: 0, notFound: 1, badRequest: 2, failed: 3, busy: 4 } as const

/** A fetch failed: the peer could not be reached, answered an error, or broke the framing or the limits. */
export class PackageFetchError extends Data.TaggedError("PackageFetchError")<{ readonly id: string; readonly peer: string; readonly reason: string }> {
  override get message(): string {
    return `package ${this.id} from ${this.peer}: ${this.reason}`
  }
}

type Chunk = Uint8Array | { subarray(): Uint8Array }
const bytesOf = (c: Chunk): Uint8Array => (c instanceof Uint8Array ? c : c.subarray())
const enc = new TextEncoder()
const dec = new TextDecoder("utf-8", { fatal: true })

/** Reads exact byte counts from a stream's chunks. */
class Reader {
  private readonly it: AsyncIterator<Chunk>
  private buf: Uint8Array = new Uint8Array(0)
  constructor(stream: Stream) {
    this.it = (stream as unknown as AsyncIterable<Chunk>)[Symbol.asyncIterator]()
  }
  /** Exactly `n` bytes into a new buffer, or undefined when the stream ends first. */
  async take(n: number): Promise<Uint8Array | undefined> {
    const out = new Uint8Array(n)
    let fill = 0
    while (fill < n) {
      if (this.buf.length === 0) {
        const r = await this.it.next()
        if (r.done === true) return undefined
        this.buf = bytesOf(r.value)
        continue
      }
      const k = Math.min(n - fill, this.buf.length)
      out.set(this.buf.subarray(0, k), fill)
      this.buf = this.buf.subarray(k)
      fill += k
    }
    return out
  }
  /** Whether anything follows (reads at most one more chunk). */
  async more(): Promise<boolean> {
    if (this.buf.length > 0) return true
    const r = await this.it.next()
    if (r.done === true) return false
    this.buf = bytesOf(r.value)
    return this.buf.length > 0 || this.more()
  }
}

// 256 KiB per send: measured on loopback, 16 MiB answers went at ~25 MiB/s in 64 KiB sends and 50-100 MiB/s in 256 KiB ones
const CHUNK = 256 * 1024
const send = async (stream: Stream, bytes: Uint8Array): Promise<void> => {
  for (let at = 0; at < bytes.length; at += CHUNK) {
    if (!stream.send(bytes.subarray(at, at + CHUNK))) await stream.onDrain()
  }
}

const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff)
const u32 = (n: number) => {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n)
  return b
}

const withTimeout = <A>(ms: number, what: string, p: Promise<A>): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))
  return Promise.race([p, t]).finally(() => clearTimeout(timer))
}

/** What a server answers for a package id: its zip, or undefined when it does not serve it. */
export type PackageLookup = (id: string) => Promise<Uint8Array | undefined>

const errorAnswer = (status: number, reason: string): Uint8Array => {
  const r = enc.encode(reason).subarray(0, 1024)
  return Uint8Array.of(status, ...u16(r.length), ...r)
}

/**
 * Serve `/cyberkernel/package/1` on `libp2p` from `lookup`. Resolves once registered; returns a
 * function that unregisters it. A malformed request is answered badRequest and the stream closed;
 * a lookup that throws is answered failed with its message. At most `maxConcurrent` answers
 * (default {@link MAX_CONCURRENT_ANSWERS}) are in flight, all peers together, and one per peer: a
 * request beyond them is answered busy at once, so memory stays bounded by maxConcurrent zips and
 * one peer cannot take every slot (a slow reader holds its slot at most {@link SERVE_TIMEOUT_MS}).
 */
export const servePackages = async (libp2p: Libp2p, lookup: PackageLookup, maxConcurrent = MAX_CONCURRENT_ANSWERS): Promise<() => Promise<void>> => {
  let inFlight = 0
  const peers = new Set<string>()
  await libp2p.handle(PACKAGE_PROTOCOL, async (stream: Stream, connection: { remotePeer: { toString(): string } }) => {
    const peer = connection.remotePeer.toString()
    if (inFlight >= maxConcurrent || peers.has(peer)) {
      try {
        await send(stream, errorAnswer(PackageStatus.busy, peers.has(peer) ? "one request per peer at a time; try again later" : `serving ${inFlight} packages already; try again later`))
        await stream.close()
      } catch (e) {
        stream.abort(e instanceof Error ? e : new Error(String(e)))
      }
      return
    }
    inFlight++
    peers.add(peer)
    try {
      await withTimeout(SERVE_TIMEOUT_MS, "package request", (async () => {
        const r = new Reader(stream)
        const len = await r.take(2)
        const n = len ? (len[0]! << 8) | len[1]! : 0
        let id: string | undefined
        if (len && n > 0 && n <= MAX_ID_BYTES) {
          const body = await r.take(n)
          try {
            id = body ? dec.decode(body) : undefined
          } catch {
            id = undefined
          }
        }
        if (id === undefined) {
          await send(stream, errorAnswer(PackageStatus.badRequest, `a request is a u16 length (1..${MAX_ID_BYTES}) and a UTF-8 package id`))
        } else {
          let zip: Uint8Array | undefined
          try {
            zip = await lookup(id)
          } catch (e) {
            await send(stream, errorAnswer(PackageStatus.failed, e instanceof Error ? e.message : String(e)))
            return
          }
          if (zip === undefined) await send(stream, errorAnswer(PackageStatus.notFound, `this node does not publish ${id.slice(0, 80)}`))
          else {
            await send(stream, Uint8Array.of(PackageStatus.ok, ...u32(zip.length)))
            await send(stream, zip)
          }
        }
      })())
      await stream.close()
    } catch (e) {
      stream.abort(e instanceof Error ? e : new Error(String(e)))
    } finally {
      inFlight--
      peers.delete(peer)
    }
  }, { maxInboundStreams: MAX_STREAMS, maxOutboundStreams: MAX_STREAMS })
  return () => libp2p.unhandle(PACKAGE_PROTOCOL)
}

/** Options of {@link fetchPackage}. */
export interface FetchOptions {
  /** Most bytes of zip accepted (default {@link DEFAULT_MAX_PACKAGE_BYTES}). */
  readonly maxBytes?: number
  /** Time limit of the whole fetch, ms (default 60 000). */
  readonly timeoutMs?: number
}

/**
 * Ask the node at `peer` (a multiaddr with `/p2p/<peer id>`: Noise checks that the listener holds
 * that key) for package `id`. Returns the zip bytes as sent; throws PackageFetchError on an
 * unreachable peer, an error answer, broken framing, an answer over `maxBytes` or a timeout.
 */
export const fetchPackage = async (libp2p: Libp2p, peer: Multiaddr, id: string, options: FetchOptions = {}): Promise<Uint8Array> => {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PACKAGE_BYTES
  const timeoutMs = options.timeoutMs ?? 60_000
  const fail = (reason: string) => new PackageFetchError({ id, peer: peer.toString(), reason })
  const idBytes = enc.encode(id)
  if (idBytes.length === 0 || idBytes.length > MAX_ID_BYTES) throw fail(`package id must be 1..${MAX_ID_BYTES} bytes`)
  const signal = AbortSignal.timeout(timeoutMs)
  let stream: Stream
  try {
    stream = await libp2p.dialProtocol(peer as never, PACKAGE_PROTOCOL, { signal })
  } catch (e) {
    throw fail(`cannot reach the peer: ${e instanceof Error ? e.message : String(e)}`)
  }
  try {
    return await withTimeout(timeoutMs, "package fetch", (async () => {
      await send(stream, Uint8Array.of(...u16(idBytes.length), ...idBytes))
      await stream.close()
      const r = new Reader(stream)
      const status = await r.take(1)
      if (!status) throw fail("the peer closed the stream without an answer")
      if (status[0] !== PackageStatus.ok) {
        const len = await r.take(2)
        const reason = len ? await r.take(Math.min((len[0]! << 8) | len[1]!, 1024)) : undefined
        let text = "(no reason)"
        try {
          if (reason) text = dec.decode(reason)
        } catch {
          text = "(reason not UTF-8)"
        }
        const kind = status[0] === PackageStatus.notFound ? "not served" : status[0] === PackageStatus.badRequest ? "bad request" : status[0] === PackageStatus.failed ? "peer failed" : status[0] === PackageStatus.busy ? "peer busy" : `status ${status[0]}`
        throw fail(`${kind}: ${text}`)
      }
      const len = await r.take(4)
      if (!len) throw fail("the answer ended before its length")
      const n = new DataView(len.buffer).getUint32(0)
      if (n > maxBytes) throw fail(`the answer is ${n} bytes, over the limit of ${maxBytes}`)
      const zip = await r.take(n)
      if (!zip) throw fail(`the answer ended before its ${n} bytes`)
      if (await r.more()) throw fail("the peer sent more bytes than the answer's length")
      return zip
    })())
  } catch (e) {
    stream.abort(e instanceof Error ? e : new Error(String(e)))
    if (e instanceof PackageFetchError) throw e
    throw fail(e instanceof Error ? e.message : String(e))
  }
}
