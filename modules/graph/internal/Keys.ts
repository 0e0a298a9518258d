/**
 * Key layout of the graph namespace (canonical binary; integers big-endian so keys sort by
 * number). See docs/graph.md "State".
 *
 * Source: go-cyber x/graph/types/keys.go (CidStoreKey, CidReverseStoreKey, LastCidNumber),
 * x/bandwidth/types/keys.go, x/rank/types/keys.go (LatestMerkleTree, NextMerkleTree).
 */

/** 0x01 | CID text → particle number (u64). */
export const P_CID = 0x01
/** 0x02 | particle u64 → CID text. */
export const P_PARTICLE = 0x02
/** 0x03 | link index u64 → from u64 | to u64 | neuron u64 (the append-only link log). */
export const P_LINK = 0x03
/** 0x04 | from u64 | to u64 | neuron u64 → empty (out-links, existence). */
export const P_OUT = 0x04
/** 0x05 | to u64 | from u64 | neuron u64 → empty (in-links, backlinks). */
export const P_IN = 0x05
/** 0x06 | address bytes → neuron number u64. */
export const P_NEURON = 0x06
/** 0x07 | neuron u64 → address bytes. */
export const P_NEURON_ADDR = 0x07
/** 0x08 | neuron u64 → links made (u64, go-cyber neudeg). */
export const P_NEUDEG = 0x08
/** 0x10 → particles u64 | links u64 | neurons u64. */
export const K_COUNTS = Uint8Array.of(0x10)
/** 0x11 → params (GraphParams.encodeParams). */
export const K_PARAMS = Uint8Array.of(0x11)
/**
 * 0x12 → params set by governance (MsgUpdateParams) in this block; moved to 0x11 in precommit, so
 * every change takes effect from the next block.
 */
export const K_PARAMS_PENDING = Uint8Array.of(0x12)
/** 0x20 | address bytes → remained u64 | max u64 | last updated block u64. */
export const P_BANDWIDTH = 0x20
/** 0x21 → current price u64 (scale 1e18). */
export const K_PRICE = Uint8Array.of(0x21)
/** 0x22 | height u64 → bandwidth spent in that block (u64), heights inside the recovery window. */
export const P_BLOCK_BW = 0x22
/** 0x23 → bandwidth spent in the sliding window (u64). */
export const K_WINDOW = Uint8Array.of(0x23)
/** 0x24 → bandwidth spent in the current block so far (u64); deleted at endBlock. */
export const K_BLOCK_SPENT = Uint8Array.of(0x24)
/** 0x30 → published (current) rank context: RankContext.encode. */
export const K_RANK_CURRENT = Uint8Array.of(0x30)
/** 0x31 → stakes of the current context (u64 little-endian per neuron). */
export const K_RANK_CURRENT_STAKES = Uint8Array.of(0x31)
/** 0x32 → pending (next) rank context: snapshot taken, result not yet published. */
export const K_RANK_NEXT = Uint8Array.of(0x32)
/** 0x33 → stakes of the next context. */
export const K_RANK_NEXT_STAKES = Uint8Array.of(0x33)
/** 0x34 → rank params the current context was computed with (GraphParams.encodeRankParams). */
export const K_RANK_CURRENT_PARAMS = Uint8Array.of(0x34)
/** 0x35 → rank params the next context is computed with (a restart recomputes with these, not the live params). */
export const K_RANK_NEXT_PARAMS = Uint8Array.of(0x35)

/** Big-endian u64 bytes. */
export const u64 = (n: number | bigint): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(n))
  return b
}

/** Read a big-endian u64 at `offset`. */
export const readU64 = (b: Uint8Array, offset = 0): bigint => new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(offset)

/** Concatenate a prefix byte and parts. */
export const key = (prefix: number, ...parts: Uint8Array[]): Uint8Array => {
  let len = 1
  for (const p of parts) len += p.length
  const out = new Uint8Array(len)
  out[0] = prefix
  let o = 1
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** Several u64 values big-endian, concatenated. */
export const u64s = (...ns: Array<number | bigint>): Uint8Array => {
  const b = new Uint8Array(8 * ns.length)
  const dv = new DataView(b.buffer)
  ns.forEach((n, i) => dv.setBigUint64(8 * i, BigInt(n)))
  return b
}

/** The exclusive end of the range of keys starting with `prefix` (trailing 0xff bytes carried). */
export const prefixEnd = (prefix: Uint8Array): Uint8Array => {
  let n = prefix.length
  while (n > 0 && prefix[n - 1] === 0xff) n--
  const e = prefix.slice(0, n)
  e[n - 1]!++
  return e
}
