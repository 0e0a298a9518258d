/**
 * Decoded transactions by their bytes: a tx is decoded once and the same immutable AuthDecodedTx
 * serves CheckTx, recheck, FinalizeBlock and the node's signature pre-checks (issue 15 item 3).
 * Decoding is a pure function of the bytes, so a hit returns exactly what decoding would; only
 * successful decodes are kept, so every error is thrown afresh; the caller checks its own size
 * limit before asking (the cache is shared by every Auth instance of the process). Bounded: at most MAX_ENTRIES txs
 * of at most MAX_TX_BYTES each (larger txs are decoded every time), oldest first out.
 */
import type { AuthDecodedTx } from "../TxDecoder.ts"

/** Txs kept at most (about two blocks of 10,000 MsgSends at a few hundred bytes each). */
const MAX_ENTRIES = 32_768
/** Larger txs are not kept: the key is the bytes themselves (a latin1 string). */
const MAX_TX_BYTES = 4_096

const decoded = new Map<string, AuthDecodedTx>()

/** The decoded tx of `bytes`, from the cache or `decode` (remembered when it returns). */
export const decodeCached = (bytes: Uint8Array, decode: (bytes: Uint8Array) => AuthDecodedTx): AuthDecodedTx => {
  if (bytes.length > MAX_TX_BYTES) return decode(bytes)
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1")
  const hit = decoded.get(key)
  if (hit) return hit
  // decoded from a private copy: the decoded fields alias their input, which a caller may reuse
  const tx = decode(bytes.slice())
  if (decoded.size >= MAX_ENTRIES) decoded.delete(decoded.keys().next().value!)
  decoded.set(key, tx)
  return tx
}
