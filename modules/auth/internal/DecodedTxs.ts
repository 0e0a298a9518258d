/**
 * Decoded transactions by their bytes: a tx is decoded once and the same immutable AuthDecodedTx
 * serves CheckTx, recheck, FinalizeBlock and the node's signature pre-checks (issue 15 item 3).
 * Decoding is a pure function of the bytes, so a hit returns exactly what decoding would; only
 * successful decodes are kept, so every error is thrown afresh; the caller checks its own size
 * limit before asking (the cache is shared by every Auth instance of the process). Bounded: at
 * most MAX_ENTRIES txs and MAX_TOTAL_BYTES of tx bytes, each tx at most MAX_TX_BYTES (larger txs
 * are decoded every time), oldest first out.
 *
 * Keyed by a 31-bit hash of the bytes (a small integer: no key string per tx), one tx per hash; a
 * hit is returned only when the kept tx's bytes equal the asked bytes, so two txs with the same
 * hash never share a result: the newer replaces the older (crafted collisions can only cause
 * misses, as a full cache does). A kept MsgSend (about 310 bytes) costs about 1.1 KB of heap (1.6 KB
 * with the ante step's signer and digest memos) and 0.3 KB off-heap: about 31 MB when full of
 * them (bench/txpath/decoded-heap.ts: heapUsed after GC over 10,000 cached txs).
 */
import type { AuthDecodedTx } from "../TxDecoder.ts"

/** Txs kept at most: three default mempools (5,000 txs), so a tx admitted by CheckTx is still kept when its block runs. */
const MAX_ENTRIES = 16_384
/** Tx bytes kept at most (the decoded objects are a few times more). */
const MAX_TOTAL_BYTES = 8 * 1024 * 1024
/** Larger txs are not kept. */
const MAX_TX_BYTES = 4_096

const decoded = new Map<number, AuthDecodedTx>()
let total = 0

/**
 * The cache key of `bytes`: FNV-1a over the bytes, seeded with the length, then murmur3's final
 * mix, top 31 bits (a V8 small integer: no heap number). Not collision resistant, and need not be:
 * a hit also compares the bytes.
 */
export const txKey = (bytes: Uint8Array): number => {
  let h = 0x811c9dc5 ^ bytes.length
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 1
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0

/**
 * The decoded tx of `bytes`, from the cache or `decode` (remembered when it returns). `decode`
 * must not alias its input (decodeTx decodes from its own copy), since callers reuse buffers.
 */
export const decodeCached = (bytes: Uint8Array, decode: (bytes: Uint8Array) => AuthDecodedTx): AuthDecodedTx => {
  if (bytes.length > MAX_TX_BYTES) return decode(bytes)
  const key = txKey(bytes)
  const hit = decoded.get(key)
  if (hit && sameBytes(hit.bytes, bytes)) return hit
  // decodeTx copies the bytes once and decodes from that copy: the kept tx never aliases `bytes`
  const tx = decode(bytes)
  if (hit) {
    // another tx with this hash: the newer one is kept
    decoded.delete(key)
    total -= hit.bytes.length
  }
  while (decoded.size > 0 && (decoded.size >= MAX_ENTRIES || total + bytes.length > MAX_TOTAL_BYTES)) {
    const [oldest, old] = decoded.entries().next().value!
    decoded.delete(oldest)
    total -= old.bytes.length
  }
  decoded.set(key, tx)
  total += bytes.length
  return tx
}

/** What the cache holds now: txs and their total bytes (tests check the bounds). */
export const decodedTxsHeld = (): { readonly txs: number; readonly bytes: number } => ({ txs: decoded.size, bytes: total })
