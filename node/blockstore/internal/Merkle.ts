/**
 * RFC 6962 Merkle root as CometBFT computes it (crypto/merkle/tree.go HashFromByteSlices):
 * leaf = sha256(0x00 || item), inner = sha256(0x01 || left || right), split at the largest power
 * of two below n; the root of no items is sha256("").
 */
import { sha256, sha256Parts } from "../../../lib/Bytes.ts"

const LEAF = Uint8Array.of(0)
const INNER = Uint8Array.of(1)
const EMPTY = new Uint8Array(0)

/** Merkle root (32 bytes) of `items`, CometBFT's HashFromByteSlices. */
export const hashFromByteSlices = (items: ReadonlyArray<Uint8Array>): Uint8Array => {
  if (items.length === 0) return sha256(EMPTY)
  if (items.length === 1) return sha256Parts([LEAF, items[0]!])
  let k = 1
  while (k * 2 < items.length) k *= 2
  return sha256Parts([INNER, hashFromByteSlices(items.slice(0, k)), hashFromByteSlices(items.slice(k))])
}
