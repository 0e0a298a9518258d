/**
 * Decoded transactions by their bytes: a tx is decoded once and the same immutable AuthDecodedTx
 * serves CheckTx, recheck, FinalizeBlock and the node's signature pre-checks (issue 15 item 3).
 * Decoding is a pure function of the bytes, so a hit returns exactly what decoding would; only
 * successful decodes are kept, so every error is thrown afresh; the caller checks its own size
 * limit before asking (the cache is shared by every Auth instance of the process). Bounded: at
 * most MAX_ENTRIES txs and MAX_TOTAL_BYTES of tx bytes, each tx at most MAX_TX_BYTES (larger txs
 * are decoded every time), oldest first out. A kept MsgSend (309 bytes) costs about 4 KB of heap
 * with its key and decoded objects: about 65 MB when full of them.
 */
import type { AuthDecodedTx } from "../TxDecoder.ts"

/** Txs kept at most: three default mempools (5,000 txs), so a tx admitted by CheckTx is still kept when its block runs. */
const MAX_ENTRIES = 16_384
/** Tx bytes kept at most (the key string and the decoded objects are a few times more). */
const MAX_TOTAL_BYTES = 8 * 1024 * 1024
/** Larger txs are not kept: the key is the bytes themselves (a latin1 string). */
const MAX_TX_BYTES = 4_096

const decoded = new Map<string, AuthDecodedTx>()
let total = 0

/**
 * The decoded tx of `bytes`, from the cache or `decode` (remembered when it returns). `decode`
 * must not alias its input (decodeTx decodes from its own copy), since callers reuse buffers.
 */
export const decodeCached = (bytes: Uint8Array, decode: (bytes: Uint8Array) => AuthDecodedTx): AuthDecodedTx => {
  if (bytes.length > MAX_TX_BYTES) return decode(bytes)
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1")
  const hit = decoded.get(key)
  if (hit) return hit
  // decodeTx copies the bytes once and decodes from that copy: the kept tx never aliases `bytes`
  const tx = decode(bytes)
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
