/**
 * The kernel's RemoteTransport (kernel/Transport.ts) on libp2p: protocol `/cyberkernel/kernel/1`,
 * one long-lived stream per peer pair carrying length-prefixed frames (a 5-byte header: u32
 * big-endian length, u8 kind; then the payload), so frames keep their order.
 *
 * A stream opens with a hello each way (kind 1, payload = the node name in UTF-8). The listener
 * resolves the name in the PeerDirectory and refuses the peer unless the name's `~net-key` is
 * the key Noise authenticated; the dialer reaches `/p2p/<peer id of ~net-key>` (so Noise refuses
 * another key) and checks that the answering hello names the node it dialed. Only then do data
 * frames (kind 2) pass, each handed to the kernel with the authenticated name.
 *
 * Hostile peers: a frame longer than `maxFrameBytes` (checked from its header), an unknown frame
 * kind, a data frame before the hello, a second hello, or more frames than the per-peer token
 * bucket allows cuts the peer off: its streams are reset, its connections closed, and it is
 * refused for `cutOffMs` (the connection gater reads the same guard). Other peers are untouched;
 * payloads are the kernel's to schema-check.
 *
 * Dials are bounded (`dialTimeoutMs` each, one dial per name at a time); after a failed dial a name
 * backs off exponentially (250 ms doubling to `reconnectMaxMs`) and sends fail as `offline` at once
 * meanwhile. A lost channel the kernel was using is redialled in the background on the same
 * schedule, so a restarted peer gets its channel back without the kernel asking.
 *
 * Source: Hyperware kernel/src/net (one authenticated ordered channel per peer, handshake naming
 * both sides); libp2p 3 Stream (`send` / `onDrain` backpressure).
 */
import type { Libp2p } from "libp2p"
import type { Connection, PeerId, Stream } from "./Libp2pTypes.ts"
import { TransportError, type RemoteTransport } from "../../kernel/Transport.ts"
import { dialAddressOf, type PeerDirectory } from "./PeerDirectory.ts"
import { netKeyOfPeerId } from "./PeerIdentity.ts"
import type { PeerStats } from "./PeerStats.ts"
import { Channel } from "./internal/Channel.ts"
import { FrameKind } from "./internal/FrameReader.ts"
import { DROP_BURST, type PeerGuard } from "./internal/PeerGuard.ts"

/** The libp2p protocol id of kernel frames. */
export const KERNEL_PROTOCOL = "/cyberkernel/kernel/1"

/** Limits of the kernel protocol (`[p2p]` in config.toml; docs/network.md). */
export interface KernelLimits {
  /** Largest frame payload, bytes (sent or accepted). */
  readonly maxFrameBytes: number
  /** Sustained frames per second one peer may send before it is cut off. */
  readonly peerFramesPerSecond: number
  /** Frames a peer may send in a burst above the sustained rate. */
  readonly peerFrameBurst: number
  /** How long a cut-off peer is refused, milliseconds. */
  readonly cutOffMs: number
  /** Bound on one dial (connect + Noise + protocol), milliseconds. */
  readonly dialTimeoutMs: number
  /** How long a peer has to send its hello, milliseconds. */
  readonly helloTimeoutMs: number
  /** Ceiling of the reconnect back-off, milliseconds. */
  readonly reconnectMaxMs: number
  /** Bytes of frames queued per channel while the peer does not read; past it a send fails. */
  readonly maxQueuedBytes: number
}

/** Options of {@link makeKernelTransport}. */
export interface KernelTransportOptions {
  readonly libp2p: Libp2p
  /** This node's name (the kernel's `our`), sent in hellos. */
  readonly our: string
  readonly directory: PeerDirectory
  readonly limits: KernelLimits
  /** Shared with the connection gater so cut-off peers are refused at the handshake. */
  readonly guard: PeerGuard
  /** Log lines (refusals, cut-offs); node plane. */
  readonly log?: (level: "info" | "warn", line: string) => void
}

/** The libp2p RemoteTransport, with per-peer counters and a close. */
export interface KernelTransport extends RemoteTransport {
  /** Counters per peer seen on the kernel protocol. */
  readonly peers: () => ReadonlyArray<PeerStats>
  /**
   * The kernel dropped a frame from `node` (malformed, refused on arrival; RemoteOptions.onDrop):
   * counted, and past DROP_BURST such frames (refilling at DROPS_PER_SECOND) the peer is cut off.
   */
  readonly penalize: (node: string, reason: string) => void
  /** Names with an open channel now. */
  readonly connectedNames: () => ReadonlyArray<string>
  /** Stop: unregister the protocol, stop reconnecting, reset every channel. */
  readonly close: () => Promise<void>
}

const BACKOFF_START_MS = 250
/** Names whose failed dials are remembered (oldest forgotten first). */
const MAX_BACKOFF_NAMES = 4096
/** Refused hellos from one peer id after which it is cut off. */
const REFUSALS_BEFORE_CUT_OFF = 5
const MAX_NAME_BYTES = 253
const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder("utf-8", { fatal: true })

const equalKeys = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

const textOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** Start the kernel protocol on a started libp2p node. */
export const makeKernelTransport = async (opts: KernelTransportOptions): Promise<KernelTransport> => {
  const { libp2p, our, directory, limits, guard } = opts
  const log = opts.log ?? (() => undefined)
  let frameHandler: (node: string, frame: Uint8Array) => void = () => undefined
  let disconnectHandler: (node: string) => void = () => undefined
  let closed = false
  /** Open authenticated channels per name; the first is the one sends use. */
  const byName = new Map<string, Array<Channel>>()
  const dials = new Map<string, Promise<Channel>>()
  const backoff = new Map<string, { delay: number; next: number }>()
  const reconnecting = new Set<string>()
  const channels = new Set<Channel>()
  const ourHello = utf8.encode(our)

  const current = (name: string): Channel | undefined => byName.get(name)?.find((c) => c.open)

  const register = (ch: Channel, name: string) => {
    ch.name = name
    const list = byName.get(name) ?? []
    list.push(ch)
    byName.set(name, list)
    const e = guard.entry(ch.peerId)
    e.stats.connected = true
    e.stats.name = name
  }

  const cutOff = (ch: Channel, reason: string) => {
    if (guard.isCutOff(ch.peerId)) return
    guard.cutOff(ch.peerId, reason, limits.cutOffMs)
    log("warn", `p2p: cut off peer ${ch.name ?? "(no hello)"} ${ch.peerId}: ${reason}; refused for ${limits.cutOffMs} ms`)
    for (const c of channels) if (c.peerId === ch.peerId) c.abort(reason)
    void libp2p.hangUp(ch.remote).catch(() => undefined)
  }

  const refuse = (ch: Channel, reason: string) => {
    const e = guard.entry(ch.peerId)
    e.stats.refused++
    log("warn", `p2p: refused peer ${ch.peerId}: ${reason}`)
    // every hello costs a directory lookup: a peer refused again and again is cut off
    if (e.stats.refused % REFUSALS_BEFORE_CUT_OFF === 0) return cutOff(ch, `refused ${e.stats.refused} times (last: ${reason})`)
    ch.abort(reason)
    void libp2p.hangUp(ch.remote).catch(() => undefined)
  }

  const onClosed = (ch: Channel) => {
    channels.delete(ch)
    const name = ch.name
    if (name === undefined) return
    const list = (byName.get(name) ?? []).filter((c) => c !== ch)
    if (list.length > 0) {
      byName.set(name, list)
      return
    }
    byName.delete(name)
    guard.entry(ch.peerId).stats.connected = false
    try {
      disconnectHandler(name)
    } catch (e) {
      log("warn", `p2p: disconnect handler failed for ${name}: ${textOf(e)}`)
    }
    if (!closed && !guard.isCutOff(ch.peerId)) reconnect(name)
  }

  /** A channel's frames: hello first (handled by `onHello`), then data under the rate limit. */
  const open = (stream: Stream, peerId: PeerId, outbound: boolean, onHello: (ch: Channel, name: string) => void): Channel => {
    const entry = guard.entry(peerId.toString())
    const ch: Channel = new Channel(stream, peerId, outbound, Math.max(limits.maxFrameBytes, MAX_NAME_BYTES), limits.maxQueuedBytes, {
      frame: (kind, payload) => {
        if (kind === FrameKind.hello) {
          if (helloSeen) return cutOff(ch, "second hello")
          helloSeen = true
          clearTimeout(helloTimer)
          if (payload.length === 0 || payload.length > MAX_NAME_BYTES) return refuse(ch, `hello name of ${payload.length} bytes`)
          let name: string
          try {
            name = fromUtf8.decode(payload)
          } catch {
            return refuse(ch, "hello name is not UTF-8")
          }
          return onHello(ch, name)
        }
        if (ch.name === undefined) return cutOff(ch, "data frame before the hello exchange completed")
        if (!entry.bucket.take()) return cutOff(ch, `flood: over ${limits.peerFramesPerSecond} frames/s (burst ${limits.peerFrameBurst})`)
        if (payload.length > limits.maxFrameBytes) return cutOff(ch, `frame of ${payload.length} bytes over the ${limits.maxFrameBytes}-byte limit`)
        entry.stats.framesIn++
        entry.stats.bytesIn += payload.length
        try {
          frameHandler(ch.name, payload)
        } catch (e) {
          log("warn", `p2p: frame handler failed for a frame from ${ch.name}: ${textOf(e)}`)
        }
      },
      violation: (v) => cutOff(ch, v.kind === "oversized" ? `frame of ${v.length} bytes over the ${limits.maxFrameBytes}-byte limit` : `unknown frame kind ${v.value}`),
      closed: () => {
        clearTimeout(helloTimer)
        onClosed(ch)
      }
    })
    let helloSeen = false
    const helloTimer = setTimeout(() => {
      if (!helloSeen) refuse(ch, `no hello within ${limits.helloTimeoutMs} ms`)
    }, limits.helloTimeoutMs)
    channels.add(ch)
    return ch
  }

  // Inbound: check the hello's name against the directory, then answer with ours.
  const onInbound = (stream: Stream, connection: Connection) => {
    const peerId = connection.remotePeer
    if (closed || guard.isCutOff(peerId.toString())) {
      stream.abort(new Error("refused"))
      return
    }
    open(stream, peerId, false, (ch, name) => {
      if (name === our) return refuse(ch, `peer claims this node's own name "${our}"`)
      directory.resolve(name).then(
        (record) => {
          if (!ch.open) return
          if (!record) return refuse(ch, `name "${name}" is not registered`)
          const key = netKeyOfPeerId(peerId)
          if (!record.netKey) return refuse(ch, `name "${name}" has no ~net-key`)
          if (!key || !equalKeys(key, record.netKey)) return refuse(ch, `peer key does not match the ~net-key of "${name}"`)
          ch.write(FrameKind.hello, ourHello).then(
            () => register(ch, name),
            (e) => refuse(ch, `hello reply failed: ${textOf(e)}`)
          )
        },
        (e) => refuse(ch, `cannot resolve "${name}": ${textOf(e)}`)
      )
    })
  }

  const dial = async (name: string): Promise<Channel> => {
    const record = await directory.resolve(name)
    if (!record) throw new TransportError(name, "offline", "name is not registered")
    const addr = dialAddressOf(record)
    if (!addr) throw new TransportError(name, "offline", "name has no ~net-key, ~ip or ~tcp-port")
    const peerIdText = addr.getComponents().find((c) => c.name === "p2p")?.value ?? ""
    if (guard.isCutOff(peerIdText)) throw new TransportError(name, "offline", "peer is cut off (back-off period)")
    const signal = AbortSignal.timeout(limits.dialTimeoutMs)
    const stream = await libp2p.dialProtocol(addr, KERNEL_PROTOCOL, { signal })
    const conn = libp2p.getConnections().find((c) => c.streams.includes(stream))
    const remote = conn?.remotePeer
    if (!remote || remote.toString() !== peerIdText) {
      stream.abort(new Error("peer id mismatch"))
      throw new TransportError(name, "offline", "connected peer is not the ~net-key of the name")
    }
    return new Promise<Channel>((resolve, reject) => {
      const timer = setTimeout(() => {
        ch.abort("no hello reply")
        reject(new TransportError(name, "offline", `no hello reply within ${limits.helloTimeoutMs} ms`))
      }, limits.helloTimeoutMs)
      const ch = open(stream, remote, true, (c, answered) => {
        clearTimeout(timer)
        if (answered !== name) {
          refuse(c, `dialled "${name}" but the peer says it is "${answered}"`)
          return reject(new TransportError(name, "offline", `peer answered as "${answered}"`))
        }
        register(c, name)
        resolve(c)
      })
      ch.stream.addEventListener("close", () => {
        clearTimeout(timer)
        reject(new TransportError(name, "offline", "the peer closed the stream during the hello (it refused us?)"))
      })
      ch.write(FrameKind.hello, ourHello).catch((e) => reject(new TransportError(name, "offline", textOf(e))))
    })
  }

  /** One dial per name at a time; failures back off exponentially. */
  const connect = (name: string): Promise<Channel> => {
    const pending = dials.get(name)
    if (pending) return pending
    const ch = current(name)
    if (ch) return Promise.resolve(ch)
    const b = backoff.get(name)
    if (b && performance.now() < b.next) {
      return Promise.reject(new TransportError(name, "offline", `unreachable; next attempt in ${Math.ceil(b.next - performance.now())} ms`))
    }
    const p = dial(name).then(
      (c) => {
        backoff.delete(name)
        // the peer may have dialled us meanwhile: keep sending on the channel registered first
        return current(name) ?? c
      },
      (e: unknown) => {
        const delay = Math.min(limits.reconnectMaxMs, b ? b.delay * 2 : BACKOFF_START_MS)
        if (backoff.size >= MAX_BACKOFF_NAMES) backoff.delete(backoff.keys().next().value!) // sends to many dead names stay bounded
        backoff.set(name, { delay, next: performance.now() + delay })
        throw e instanceof TransportError ? e : new TransportError(name, "offline", textOf(e))
      }
    ).finally(() => dials.delete(name))
    dials.set(name, p)
    return p
  }

  const reconnect = (name: string) => {
    if (reconnecting.has(name)) return
    reconnecting.add(name)
    const attempt = () => {
      if (closed || current(name)) return void reconnecting.delete(name)
      const wait = Math.max(0, (backoff.get(name)?.next ?? 0) - performance.now())
      setTimeout(() => {
        if (closed || current(name)) return void reconnecting.delete(name)
        connect(name).then(
          () => reconnecting.delete(name),
          () => {
            // keep trying while the back-off is below its ceiling, then once per ceiling for a while
            if ((backoff.get(name)?.delay ?? 0) >= limits.reconnectMaxMs && ++ceilingTries > 60) return void reconnecting.delete(name)
            attempt()
          }
        )
      }, wait).unref?.()
    }
    let ceilingTries = 0
    attempt()
  }

  await libp2p.handle(KERNEL_PROTOCOL, onInbound, { maxInboundStreams: 4, maxOutboundStreams: 4 })

  return {
    our,
    maxFrameBytes: limits.maxFrameBytes,
    send: (node, frame) => {
      if (frame.length > limits.maxFrameBytes) {
        return Promise.reject(new TransportError(node, "too-large", `frame of ${frame.length} bytes over the ${limits.maxFrameBytes}-byte limit`))
      }
      if (closed) return Promise.reject(new TransportError(node, "offline", "network stopped"))
      if (node === our) return Promise.reject(new TransportError(node, "offline", "that is this node"))
      const write = (ch: Channel) =>
        ch.write(FrameKind.data, frame).then(
          () => {
            const e = guard.entry(ch.peerId)
            e.stats.framesOut++
            e.stats.bytesOut += frame.length
          },
          (e: unknown) => {
            throw new TransportError(node, "offline", textOf(e))
          }
        )
      const pending = dials.get(node)
      if (pending) return pending.then(write)
      const ch = current(node)
      return ch ? write(ch) : connect(node).then(write)
    },
    onFrame: (handler) => {
      frameHandler = handler
    },
    onDisconnect: (handler) => {
      disconnectHandler = handler
    },
    peers: () => guard.snapshot(),
    penalize: (node, reason) => {
      const chs = byName.get(node) ?? []
      const first = chs[0]
      if (!first) return
      const e = guard.entry(first.peerId)
      e.stats.dropped++
      if (!e.dropBucket.take()) cutOff(first, `garbage: over ${DROP_BURST} frames dropped by the kernel (last: ${reason.slice(0, 200)})`)
    },
    connectedNames: () => [...byName.keys()],
    close: async () => {
      closed = true
      await libp2p.unhandle(KERNEL_PROTOCOL).catch(() => undefined)
      for (const c of channels) c.abort("network stopped")
    }
  }
}
