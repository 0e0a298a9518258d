/**
 * Counters of one peer on the kernel protocol (`/cyberkernel/kernel/1`), for `status`, the RPC and
 * the dashboard. Frames and bytes count payloads (headers excluded) since the node started.
 */
export interface PeerStats {
  /** libp2p peer id (base58 of the ed25519 key's identity multihash). */
  readonly peerId: string
  /** The node name the peer authenticated as, once its hello passed. */
  readonly name?: string
  /** Whether a kernel channel to the peer is open now. */
  readonly connected: boolean
  readonly framesIn: number
  readonly bytesIn: number
  readonly framesOut: number
  readonly bytesOut: number
  /** Frames the kernel dropped on arrival (malformed, refused): reported through `penalize`. */
  readonly dropped: number
  /** Hellos refused (unknown name, key not matching `~net-key`, bad hello). */
  readonly refused: number
  /** Times the peer was cut off (oversized, garbled or flooding frames). */
  readonly cutOffs: number
  /** Why it was last cut off. */
  readonly lastCutOff?: string
  /** While cut off: when the back-off ends (ISO 8601). */
  readonly cutOffUntil?: string
}
