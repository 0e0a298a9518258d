/**
 * Stored rank contexts (keys 0x30..0x33, docs/graph.md "State"): the snapshot a rank was computed
 * from and, once published, its Merkle root; and the per-neuron stakes of that snapshot.
 *
 * Layout: `snapshot height | links | particles | neurons` (4 × u64 big-endian, 32 bytes) for the
 * pending context, followed by `rank root (32) | published height (u64)` for the published one
 * (72 bytes). Stakes: one u64 little-endian per neuron.
 *
 * Source: go-cyber x/rank/keeper/keeper.go (current and next contexts, LatestMerkleTree).
 */
import { readU64, u64, u64s } from "./Keys.ts"

/** A rank context as stored: the snapshot it was computed from and, once published, its root. */
export interface RankContext {
  readonly snapshotHeight: bigint
  readonly links: bigint
  readonly particles: bigint
  readonly neurons: bigint
  /** Published contexts only: rank Merkle root (32 bytes). */
  readonly root?: Uint8Array
  /** Published contexts only: height whose end block published it. */
  readonly publishedHeight?: bigint
}

/** 32 bytes (pending) or 72 bytes (published, with root and published height). */
export const encodeContext = (c: RankContext): Uint8Array => {
  const head = u64s(c.snapshotHeight, c.links, c.particles, c.neurons)
  if (!c.root) return head
  const out = new Uint8Array(32 + 8 + 32)
  out.set(head)
  out.set(c.root, 32)
  out.set(u64(c.publishedHeight ?? 0n), 64)
  return out
}

/** Inverse of {@link encodeContext}. */
export const decodeContext = (b: Uint8Array): RankContext => ({
  snapshotHeight: readU64(b, 0),
  links: readU64(b, 8),
  particles: readU64(b, 16),
  neurons: readU64(b, 24),
  ...(b.length >= 72 ? { root: b.slice(32, 64), publishedHeight: readU64(b, 64) } : {})
})

/** Stakes as stored: u64 little-endian per neuron. */
export const stakesToBytes = (s: BigUint64Array): Uint8Array => {
  const out = new Uint8Array(8 * s.length)
  const dv = new DataView(out.buffer)
  for (let i = 0; i < s.length; i++) dv.setBigUint64(8 * i, s[i]!, true)
  return out
}

/** Inverse of {@link stakesToBytes} (a trailing partial word is ignored). */
export const stakesFromBytes = (b: Uint8Array): BigUint64Array => {
  const n = Math.floor(b.length / 8)
  const out = new BigUint64Array(n)
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  for (let i = 0; i < n; i++) out[i] = dv.getBigUint64(8 * i, true)
  return out
}
