/**
 * Per-peer bookkeeping of the kernel protocol: counters, frame-rate buckets and cut-offs. A peer
 * cut off (oversized or garbled frames, a flood, a failed hello) is refused for a back-off period:
 * the connection gater (node/network/Network.ts) denies its connections and dials, so it costs
 * the node one refused handshake per attempt. Keyed by peer id (the Noise-authenticated key).
 */
import type { PeerStats } from "../PeerStats.ts"
import { TokenBucket } from "./TokenBucket.ts"

/** Frames the kernel may drop from one peer per second, sustained, and in a burst, before it is cut off. */
export const DROPS_PER_SECOND = 10
/** See {@link DROPS_PER_SECOND}. */
export const DROP_BURST = 100

interface Entry {
  stats: { -readonly [K in keyof PeerStats]: PeerStats[K] }
  bucket: TokenBucket
  /** Frames the kernel dropped as malformed or refused (`KernelTransport.penalize`). */
  dropBucket: TokenBucket
  cutOffUntil: number
}

/** Counters and cut-offs of every peer seen; at most `maxPeers` kept (oldest idle dropped first). */
export class PeerGuard {
  private readonly peers = new Map<string, Entry>()
  private readonly rate: number
  private readonly burst: number
  private readonly maxPeers: number

  constructor(framesPerSecond: number, burst: number, maxPeers = 4096) {
    this.rate = framesPerSecond
    this.burst = burst
    this.maxPeers = maxPeers
  }

  /** The entry of a peer (created on first sight). */
  entry(peerId: string): Entry {
    let e = this.peers.get(peerId)
    if (!e) {
      if (this.peers.size >= this.maxPeers) this.evictOne()
      e = {
        stats: { peerId, connected: false, framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0, dropped: 0, refused: 0, cutOffs: 0 },
        bucket: new TokenBucket(this.rate, this.burst),
        dropBucket: new TokenBucket(DROPS_PER_SECOND, DROP_BURST),
        cutOffUntil: 0
      }
      this.peers.set(peerId, e)
    }
    return e
  }

  /** Whether the peer is inside a cut-off period. */
  isCutOff(peerId: string): boolean {
    const e = this.peers.get(peerId)
    return e !== undefined && e.cutOffUntil > Date.now()
  }

  /** Start a cut-off period of `ms` for the peer, recording `reason`. */
  cutOff(peerId: string, reason: string, ms: number): void {
    const e = this.entry(peerId)
    e.cutOffUntil = Date.now() + ms
    e.stats.cutOffs++
    e.stats.lastCutOff = reason
    e.stats.cutOffUntil = new Date(e.cutOffUntil).toISOString()
  }

  /** A snapshot of every peer's counters. */
  snapshot(): ReadonlyArray<PeerStats> {
    const now = Date.now()
    return [...this.peers.values()].map((e) => {
      const { cutOffUntil: _until, ...rest } = e.stats
      return e.cutOffUntil > now ? { ...rest, cutOffUntil: e.stats.cutOffUntil! } : rest
    })
  }

  private evictOne(): void {
    const now = Date.now()
    for (const [id, e] of this.peers) {
      if (!e.stats.connected && e.cutOffUntil <= now) {
        this.peers.delete(id)
        return
      }
    }
    const first = this.peers.keys().next().value
    if (first !== undefined) this.peers.delete(first)
  }
}
