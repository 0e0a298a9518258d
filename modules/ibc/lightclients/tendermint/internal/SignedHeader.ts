/**
 * CometBFT's checks of a signed header from protobuf: HeaderFromProto / CommitFromProto (each with
 * its ValidateBasic) and SignedHeader.ValidateBasic(chainID), with CometBFT's error texts.
 *
 * Source: cometbft v0.38 types/block.go, types/light.go, types/part_set.go.
 */
import type { BlockID, Commit, CommitSig, Header, SignedHeader } from "cosmjs-types/tendermint/types/types"
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator"
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp"
import { equalBytes } from "../../../../../lib/Bytes.ts"
import { headerHash } from "../../../../consensus/CometHashing.ts"
import { ADDRESS_SIZE, BLOCK_PROTOCOL, CometError, GO_ZERO_TIME_SECONDS, HASH_SIZE, MAX_CHAIN_ID_LEN, SIGNATURE_SIZE } from "./CometError.ts"
import { goHex, goQuote } from "./GoFormat.ts"

const validateHash = (h: Uint8Array): string | undefined =>
  h.length > 0 && h.length !== HASH_SIZE ? `expected size to be ${HASH_SIZE} bytes, got ${h.length} bytes` : undefined

const blockIdValidate = (b: BlockID): void => {
  if (validateHash(b.hash) !== undefined) throw new CometError("wrong Hash")
  const e = validateHash(b.partSetHeader.hash)
  if (e !== undefined) throw new CometError(`wrong PartSetHeader: wrong Hash: ${e}`)
}

/** Header.ValidateBasic (run by HeaderFromProto). */
const headerValidate = (h: Header): void => {
  if (h.version.block !== BLOCK_PROTOCOL) throw new CometError(`block protocol is incorrect: got: ${h.version.block}, want: ${BLOCK_PROTOCOL} `)
  if (h.chainId.length > MAX_CHAIN_ID_LEN) throw new CometError(`chainID is too long; got: ${h.chainId.length}, max: ${MAX_CHAIN_ID_LEN}`)
  if (h.height < 0n) throw new CometError("negative Height")
  if (h.height === 0n) throw new CometError("zero Height")
  try {
    blockIdValidate(h.lastBlockId)
  } catch (e) {
    throw new CometError(`wrong LastBlockID: ${(e as Error).message}`)
  }
  const hashes: Array<[string, Uint8Array]> = [["LastCommitHash", h.lastCommitHash], ["DataHash", h.dataHash], ["EvidenceHash", h.evidenceHash]]
  for (const [n, v] of hashes) {
    const e = validateHash(v)
    if (e !== undefined) throw new CometError(`wrong ${n}: ${e}`)
  }
  if (h.proposerAddress.length !== ADDRESS_SIZE) {
    throw new CometError(`invalid ProposerAddress length; got: ${h.proposerAddress.length}, expected: ${ADDRESS_SIZE}`)
  }
  const app: Array<[string, Uint8Array]> = [["ValidatorsHash", h.validatorsHash], ["NextValidatorsHash", h.nextValidatorsHash], ["ConsensusHash", h.consensusHash], ["LastResultsHash", h.lastResultsHash]]
  for (const [n, v] of app) {
    const e = validateHash(v)
    if (e !== undefined) throw new CometError(`wrong ${n}: ${e}`)
  }
}

const isGoZeroTime = (t: Timestamp): boolean => t.seconds === GO_ZERO_TIME_SECONDS && t.nanos === 0

/** CommitSig.ValidateBasic. */
export const commitSigValidate = (cs: CommitSig): void => {
  const f = cs.blockIdFlag
  if (f !== BlockIDFlag.BLOCK_ID_FLAG_ABSENT && f !== BlockIDFlag.BLOCK_ID_FLAG_COMMIT && f !== BlockIDFlag.BLOCK_ID_FLAG_NIL) {
    throw new CometError(`unknown BlockIDFlag: ${f}`)
  }
  if (f === BlockIDFlag.BLOCK_ID_FLAG_ABSENT) {
    if (cs.validatorAddress.length !== 0) throw new CometError("validator address is present")
    if (!isGoZeroTime(cs.timestamp)) throw new CometError("time is present")
    if (cs.signature.length !== 0) throw new CometError("signature is present")
  } else {
    if (cs.validatorAddress.length !== ADDRESS_SIZE) {
      throw new CometError(`expected ValidatorAddress size to be ${ADDRESS_SIZE} bytes, got ${cs.validatorAddress.length} bytes`)
    }
    if (cs.signature.length === 0) throw new CometError("signature is missing")
    if (cs.signature.length > SIGNATURE_SIZE) throw new CometError(`signature is too big (max: ${SIGNATURE_SIZE})`)
  }
}

export const isZeroBlockId = (b: BlockID): boolean => b.hash.length === 0 && b.partSetHeader.total === 0 && b.partSetHeader.hash.length === 0

/** CommitFromProto (incl. Commit.ValidateBasic). */
const commitValidate = (c: Commit): void => {
  blockIdValidate(c.blockId)
  c.signatures.forEach(commitSigValidate)
  if (c.height < 0n) throw new CometError("negative Height")
  if (c.round < 0) throw new CometError("negative Round")
  if (c.height >= 1n) {
    if (isZeroBlockId(c.blockId)) throw new CometError("commit cannot be for nil block")
    if (c.signatures.length === 0) throw new CometError("no signatures in commit")
    c.signatures.forEach((s, i) => {
      try {
        commitSigValidate(s)
      } catch (e) {
        throw new CometError(`wrong CommitSig #${i}: ${(e as Error).message}`)
      }
    })
  }
}

/** A signed header whose header and commit are both present (SignedHeaderFromProto passed). */
export interface CheckedSignedHeader {
  readonly header: Header
  readonly commit: Commit
}

/** SignedHeaderFromProto: header and commit each pass their FromProto checks; either may be absent. */
export const signedHeaderFromProto = (sh: SignedHeader | undefined): { header?: Header; commit?: Commit } => {
  if (sh === undefined) throw new CometError("nil SignedHeader")
  if (sh.header !== undefined) {
    blockIdValidate(sh.header.lastBlockId) // BlockIDFromProto runs before Header.ValidateBasic
    headerValidate(sh.header)
  }
  if (sh.commit !== undefined) commitValidate(sh.commit)
  return { ...(sh.header ? { header: sh.header } : {}), ...(sh.commit ? { commit: sh.commit } : {}) }
}

/** SignedHeader.ValidateBasic(chainID). */
export const signedHeaderValidate = (sh: { header?: Header; commit?: Commit }, chainId: string): CheckedSignedHeader => {
  if (sh.header === undefined) throw new CometError("missing header")
  if (sh.commit === undefined) throw new CometError("missing commit")
  try {
    headerValidate(sh.header)
  } catch (e) {
    throw new CometError(`invalid header: ${(e as Error).message}`)
  }
  try {
    commitValidate(sh.commit)
  } catch (e) {
    throw new CometError(`invalid commit: ${(e as Error).message}`)
  }
  if (sh.header.chainId !== chainId) throw new CometError(`header belongs to another chain ${goQuote(sh.header.chainId)}, not ${goQuote(chainId)}`)
  if (sh.commit.height !== sh.header.height) {
    throw new CometError(`header and commit height mismatch: ${sh.header.height} vs ${sh.commit.height}`)
  }
  const hh = headerHash(sh.header) ?? new Uint8Array(0)
  if (!equalBytes(hh, sh.commit.blockId.hash)) throw new CometError(`commit signs block ${goHex(sh.commit.blockId.hash)}, header is block ${goHex(hh)}`)
  return { header: sh.header, commit: sh.commit }
}
