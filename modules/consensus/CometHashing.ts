/**
 * CometBFT hashing, byte for byte: RFC-6962 Merkle roots, Header.Hash(), Commit.Hash(),
 * ValidatorSet.Hash(), ConsensusParams.Hash(), ABCIResults hash, canonical vote sign bytes and
 * block part-set headers.
 *
 * Source: cometbft v0.38 crypto/merkle/tree.go + hash.go, types/block.go (Header.Hash, cdcEncode,
 * Commit.Hash, Data.Hash), types/validator_set.go + validator.go (Bytes), types/params.go (Hash),
 * types/results.go, types/canonical.go + vote.go (VoteSignBytes), types/part_set.go.
 */
import { concatBytes as concat, sha256 } from "../../lib/Bytes.ts"
import { BinaryWriter } from "cosmjs-types/binary"
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { Block } from "cosmjs-types/tendermint/types/block"
import { HashedParams } from "cosmjs-types/tendermint/types/params"
import { BlockID, Commit, CommitSig, Header, PartSetHeader } from "cosmjs-types/tendermint/types/types"
import { SimpleValidator } from "cosmjs-types/tendermint/types/validator"
import { Consensus } from "cosmjs-types/tendermint/version/types"
import { Timestamp } from "cosmjs-types/google/protobuf/timestamp"
import { ExecTxResult as ExecTxResultCodec } from "cosmjs-types/tendermint/abci/types"

const LEAF = Uint8Array.of(0)
const INNER = Uint8Array.of(1)

/** sha256 (CometBFT tmhash.Sum): lib/Bytes.ts's sha256, node:crypto one-shot. */
export const tmhash = (data: Uint8Array): Uint8Array => sha256(data)

const splitPoint = (n: number): number => {
  // largest power of two strictly less than n (n >= 2)
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

const merkleRange = (items: ReadonlyArray<Uint8Array>, lo: number, hi: number): Uint8Array => {
  const n = hi - lo
  if (n === 1) return sha256(concat(LEAF, items[lo]!))
  const k = splitPoint(n)
  return sha256(concat(INNER, merkleRange(items, lo, lo + k), merkleRange(items, lo + k, hi)))
}

/**
 * merkle.HashFromByteSlices: RFC-6962 tree, leaf = sha256(0x00 || item), inner =
 * sha256(0x01 || left || right), split at the largest power of two below n; empty = sha256("").
 */
export const merkleRoot = (items: ReadonlyArray<Uint8Array>): Uint8Array =>
  items.length === 0 ? sha256(new Uint8Array(0)) : merkleRange(items, 0, items.length)

/** cdcEncode(string): gogotypes.StringValue marshalled (empty for ""). */
export const cdcString = (s: string): Uint8Array =>
  s.length === 0 ? new Uint8Array(0) : BinaryWriter.create().uint32(10).string(s).finish()

/** cdcEncode(int64): gogotypes.Int64Value marshalled (empty for 0). */
export const cdcInt64 = (v: bigint): Uint8Array =>
  v === 0n ? new Uint8Array(0) : BinaryWriter.create().uint32(8).int64(v).finish()

/** cdcEncode([]byte): gogotypes.BytesValue marshalled (empty for empty bytes). */
export const cdcBytes = (b: Uint8Array): Uint8Array =>
  b.length === 0 ? new Uint8Array(0) : BinaryWriter.create().uint32(10).bytes(b).finish()

/** Header.Hash(): Merkle root of the 14 encoded header fields; undefined when validatorsHash is empty. */
export const headerHash = (h: Header): Uint8Array | undefined => {
  if (h.validatorsHash.length === 0) return undefined
  return merkleRoot([
    Consensus.encode(h.version).finish(),
    cdcString(h.chainId),
    cdcInt64(h.height),
    Timestamp.encode(h.time).finish(),
    BlockID.encode(h.lastBlockId).finish(),
    cdcBytes(h.lastCommitHash),
    cdcBytes(h.dataHash),
    cdcBytes(h.validatorsHash),
    cdcBytes(h.nextValidatorsHash),
    cdcBytes(h.consensusHash),
    cdcBytes(h.appHash),
    cdcBytes(h.lastResultsHash),
    cdcBytes(h.evidenceHash),
    cdcBytes(h.proposerAddress)
  ])
}

/** Data.Hash() (Txs.Hash): Merkle root of sha256(tx) for each tx. */
export const dataHash = (txs: ReadonlyArray<Uint8Array>): Uint8Array => merkleRoot(txs.map((t) => sha256(t)))

/** Commit.Hash(): Merkle root of the marshalled CommitSigs. */
export const commitHash = (c: Commit): Uint8Array =>
  merkleRoot(c.signatures.map((s) => CommitSig.encode(s).finish()))

/** One validator for hashing: ed25519 pubkey and voting power. */
export interface HashValidator { readonly pubKeyEd25519: Uint8Array; readonly power: bigint }

/** ValidatorSet.Hash(): Merkle root of SimpleValidator{pub_key, voting_power} bytes, in set order. */
export const validatorsHash = (vals: ReadonlyArray<HashValidator>): Uint8Array =>
  merkleRoot(vals.map((v) =>
    SimpleValidator.encode({ pubKey: { ed25519: v.pubKeyEd25519 }, votingPower: v.power }).finish()))

/** ConsensusParams.Hash(): sha256(HashedParams{block_max_bytes, block_max_gas}). */
export const consensusParamsHash = (blockMaxBytes: bigint, blockMaxGas: bigint): Uint8Array =>
  sha256(HashedParams.encode({ blockMaxBytes, blockMaxGas }).finish())

/** ABCIResults.Hash(): Merkle root over the deterministic part (code, data, gas_wanted, gas_used). */
export const resultsHash = (results: ReadonlyArray<ExecTxResult>): Uint8Array =>
  merkleRoot(results.map((r) => ExecTxResultCodec.encode(ExecTxResultCodec.fromPartial({
    code: r.code, data: r.data, gasWanted: r.gasWanted, gasUsed: r.gasUsed
  })).finish()))

/** SignedMsgType values (cometbft proto/tendermint/types/types.proto). */
export const PRECOMMIT_TYPE = 2

const isZeroBlockId = (b: BlockID): boolean =>
  b.hash.length === 0 && b.partSetHeader.total === 0 && b.partSetHeader.hash.length === 0

/**
 * VoteSignBytes: length-delimited (uvarint) CanonicalVote {type=1 enum, height=2 sfixed64,
 * round=3 sfixed64, block_id=4 CanonicalBlockID (omitted when the block id is zero),
 * timestamp=5 (always), chain_id=6}. Vote extensions are not signed here (ExtendVote unused).
 */
export const voteSignBytes = (chainId: string, vote: {
  readonly type: number; readonly height: bigint; readonly round: bigint; readonly blockId: BlockID; readonly timestamp: Timestamp
}): Uint8Array => {
  const w = BinaryWriter.create()
  if (vote.type !== 0) w.uint32(8).int32(vote.type)
  if (vote.height !== 0n) w.uint32(17).sfixed64(vote.height)
  if (vote.round !== 0n) w.uint32(25).sfixed64(vote.round)
  if (!isZeroBlockId(vote.blockId)) {
    w.uint32(34).fork()
    if (vote.blockId.hash.length > 0) w.uint32(10).bytes(vote.blockId.hash)
    w.uint32(18).fork() // CanonicalPartSetHeader, non-nullable
    if (vote.blockId.partSetHeader.total !== 0) w.uint32(8).uint32(vote.blockId.partSetHeader.total)
    if (vote.blockId.partSetHeader.hash.length > 0) w.uint32(18).bytes(vote.blockId.partSetHeader.hash)
    w.ldelim()
    w.ldelim()
  }
  w.uint32(42).fork()
  Timestamp.encode(vote.timestamp, w)
  w.ldelim()
  if (chainId.length > 0) w.uint32(50).string(chainId)
  const body = w.finish()
  return concat(BinaryWriter.create().uint32(body.length).finish(), body)
}

/** Block part size (types.BlockPartSizeBytes). */
export const BLOCK_PART_SIZE = 65536

/**
 * PartSetHeader of a block: the block's protobuf bytes cut into 64 KiB parts, total = number of
 * parts, hash = Merkle root of the parts (types.NewPartSetFromData).
 */
export const partSetHeader = (block: Block): PartSetHeader => {
  const bz = Block.encode(block).finish()
  const parts: Uint8Array[] = []
  for (let o = 0; o < bz.length; o += BLOCK_PART_SIZE) parts.push(bz.subarray(o, Math.min(bz.length, o + BLOCK_PART_SIZE)))
  return { total: parts.length, hash: merkleRoot(parts) }
}

/** Consensus address: first 20 bytes of sha256(ed25519 public key) (crypto/ed25519 Address). */
export const consensusAddress = (pubKeyEd25519: Uint8Array): Uint8Array => sha256(pubKeyEd25519).subarray(0, 20)
