/**
 * Canonical binary encodings of what the block store keeps, all CometBFT protobufs through
 * cosmjs-types: a block is `tendermint.types.Block`, its meta `tendermint.types.BlockMeta`
 * (block id with part set header, size, header, tx count), results
 * `tendermint.abci.ResponseFinalizeBlock`, an indexed tx `tendermint.abci.TxResult` (as
 * CometBFT's kv indexer stores it). Keys are ASCII with fixed-width hex numbers so that
 * lexicographic order is numeric order.
 *
 * Source: cometbft v0.38 store/store.go (key layout H:/B:/BH:), types/part_set.go
 * (BlockPartSizeBytes = 65536, part set hash = Merkle root of the parts).
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { Event, ResponseFinalizeBlock, TxResult } from "cosmjs-types/tendermint/abci/types"
import { Block } from "cosmjs-types/tendermint/types/block"
import { BlockMeta, type PartSetHeader } from "cosmjs-types/tendermint/types/types"
import type { StoredBlock, StoredBlockResults } from "../../../chain/BlockStore.ts"
import { toHex } from "../../../lib/Bytes.ts"
import { hashFromByteSlices } from "./Merkle.ts"

/** CometBFT types.BlockPartSizeBytes. */
export const BLOCK_PART_SIZE = 65536

/** 16 lowercase hex digits (uint64, big-endian order = numeric order). */
export const h16 = (n: number): string => n.toString(16).padStart(16, "0")
/** 8 lowercase hex digits (uint32). */
export const h8 = (n: number): string => n.toString(16).padStart(8, "0")
/** Uppercase hex of bytes (CometBFT HexBytes). */
export const hex = (b: Uint8Array): string => toHex(b).toUpperCase()

/** Key builders of the store layout (see docs/rpc.md, "Block store"). */
export const keys = {
  state: "M:state",
  meta: (h: number) => `H:${h16(h)}`,
  block: (h: number) => `B:${h16(h)}`,
  byHash: (hash: Uint8Array) => `BH:${hex(hash)}`,
  results: (h: number) => `R:${h16(h)}`,
  tx: (hash: Uint8Array) => `X:${hex(hash)}`,
  /** Tx position index: height then index; value is the tx hash. */
  position: (h: number, i: number) => `T:${h16(h)}${h8(i)}`,
  positionPrefix: "T:",
  /** Event attribute index: composite key, value, position; value is the tx hash. */
  event: (compositeKey: string, value: string, h: number, i: number) => `E:${compositeKey}\u0000${value}\u0000${h16(h)}${h8(i)}`,
  eventKeyPrefix: (compositeKey: string) => `E:${compositeKey}\u0000`,
  eventValuePrefix: (compositeKey: string, value: string) => `E:${compositeKey}\u0000${value}\u0000`,
  /** Block event index (block_search): composite key, value, height; value is one byte. */
  blockEvent: (compositeKey: string, value: string, h: number) => `BE:${compositeKey}\u0000${value}\u0000${h16(h)}`,
  blockEventKeyPrefix: (compositeKey: string) => `BE:${compositeKey}\u0000`,
  blockEventValuePrefix: (compositeKey: string, value: string) => `BE:${compositeKey}\u0000${value}\u0000`,
  /** Highest height whose FinalizeBlock events are in the block event index (16 hex digits). */
  blockIndexHeight: "M:blockindex",
  /**
   * Highest height whose txs are in the tx index (16 hex digits). Absent in a store written
   * before the indexer ran after Commit: there the tx index was saved with the results.
   */
  txIndexHeight: "M:txindex"
}

/** Width of the height suffix of BE: keys. */
export const HEIGHT_WIDTH = 16

/** Width of the position suffix of T: and E: keys. */
export const POSITION_WIDTH = 24

/** Parse the 24-hex-digit position at the end of an index key. */
export const positionOf = (key: string): { height: number; index: number } => {
  const p = key.slice(key.length - POSITION_WIDTH)
  return { height: parseInt(p.slice(0, 16), 16), index: parseInt(p.slice(16), 16) }
}

/** The protobuf Block of a stored block (evidence empty). */
export const toProtoBlock = (b: StoredBlock): Block => ({
  header: b.header,
  data: { txs: [...b.txs] },
  evidence: { evidence: [] },
  lastCommit: b.lastCommit
})

/**
 * The part set header of a block's protobuf encoding, as CometBFT's MakePartSet computes it:
 * 64 KiB parts, hash = Merkle root of the parts.
 */
export const partSetHeaderOf = (blockBytes: Uint8Array): PartSetHeader => {
  const parts: Uint8Array[] = []
  for (let i = 0; i < blockBytes.length; i += BLOCK_PART_SIZE) parts.push(blockBytes.subarray(i, i + BLOCK_PART_SIZE))
  return { total: parts.length, hash: hashFromByteSlices(parts) }
}

/** Encode a block and its meta. */
export const encodeBlock = (b: StoredBlock): { block: Uint8Array; meta: Uint8Array; metaValue: BlockMeta } => {
  const block = Block.encode(toProtoBlock(b)).finish()
  const metaValue: BlockMeta = {
    blockId: { hash: b.hash, partSetHeader: partSetHeaderOf(block) },
    blockSize: BigInt(block.length),
    header: b.header,
    numTxs: BigInt(b.txs.length)
  }
  return { block, meta: BlockMeta.encode(metaValue).finish(), metaValue }
}

/** Decode a block given its meta (which carries the hash). */
export const decodeBlock = (blockBytes: Uint8Array, meta: BlockMeta): StoredBlock => {
  const b = Block.decode(blockBytes)
  return {
    header: b.header,
    hash: meta.blockId.hash,
    txs: b.data.txs,
    lastCommit: b.lastCommit ?? { height: 0n, round: 0, blockId: { hash: new Uint8Array(), partSetHeader: { total: 0, hash: new Uint8Array() } }, signatures: [] }
  }
}

/** Decode a stored tendermint.types.BlockMeta. */
export const decodeMeta = (bytes: Uint8Array): BlockMeta => BlockMeta.decode(bytes)

/** Encode block results as tendermint.abci.ResponseFinalizeBlock. */
export const encodeResults = (r: StoredBlockResults): Uint8Array =>
  ResponseFinalizeBlock.encode({
    events: [...r.events],
    txResults: [...r.txResults],
    validatorUpdates: [...r.validatorUpdates],
    appHash: r.appHash
  }).finish()

/** The encoded tx results (field 2) of stored results, as views into `bytes`, undecoded. */
export const resultSlices = (bytes: Uint8Array): Uint8Array[] => {
  const reader = new BinaryReader(bytes)
  const out: Uint8Array[] = []
  while (reader.pos < reader.len) {
    const tag = reader.uint32()
    if (tag >>> 3 === 2 && (tag & 7) === 2) {
      const n = reader.uint32()
      out.push(bytes.subarray(reader.pos, reader.pos + n))
      reader.pos += n
    } else reader.skipType(tag & 7)
  }
  return out
}

/** Decode stored results of `height`. */
export const decodeResults = (height: number, bytes: Uint8Array): StoredBlockResults => {
  const r = ResponseFinalizeBlock.decode(bytes)
  return { height, txResults: r.txResults, events: r.events, validatorUpdates: r.validatorUpdates, appHash: r.appHash }
}

/**
 * Only the FinalizeBlock events (field 1) of stored results, the other fields skipped undecoded:
 * what indexing an older store's blocks needs, without decoding every tx result.
 */
export const decodeResultEvents = (bytes: Uint8Array): Event[] => {
  const reader = new BinaryReader(bytes)
  const events: Event[] = []
  while (reader.pos < reader.len) {
    const tag = reader.uint32()
    if (tag >>> 3 === 1 && (tag & 7) === 2) events.push(Event.decode(reader, reader.uint32()))
    else reader.skipType(tag & 7)
  }
  return events
}

/** Encode an indexed tx as tendermint.abci.TxResult (as CometBFT's kv indexer stores it). */
export const encodeTxResult = (t: TxResult): Uint8Array => TxResult.encode(t).finish()
/**
 * tendermint.abci.TxResult from an already encoded ExecTxResult: the same bytes as
 * `encodeTxResult` without encoding the result again.
 */
export const encodeIndexedTx = (height: number, index: number, tx: Uint8Array, result: Uint8Array): Uint8Array => {
  const w = BinaryWriter.create()
  w.uint32(8).int64(BigInt(height))
  if (index !== 0) w.uint32(16).uint32(index)
  if (tx.length !== 0) w.uint32(26).bytes(tx)
  return w.uint32(34).bytes(result).finish()
}

/** Decode a stored tendermint.abci.TxResult. */
export const decodeTxResult = (bytes: Uint8Array): TxResult => TxResult.decode(bytes)

/** Store heights: base, height, resultsHeight as three big-endian uint64. */
export const encodeState = (base: number, height: number, resultsHeight: number): Uint8Array => {
  const out = new Uint8Array(24)
  const v = new DataView(out.buffer)
  v.setBigUint64(0, BigInt(base))
  v.setBigUint64(8, BigInt(height))
  v.setBigUint64(16, BigInt(resultsHeight))
  return out
}

/** Decode the M:state record. */
export const decodeState = (b: Uint8Array): { base: number; height: number; resultsHeight: number } => {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  return { base: Number(v.getBigUint64(0)), height: Number(v.getBigUint64(8)), resultsHeight: Number(v.getBigUint64(16)) }
}
