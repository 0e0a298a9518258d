/**
 * CometBFT's light-client checks on protobuf values, with CometBFT's error texts: validator sets
 * from protobuf (ValidatorSetFromProto + ValidateBasic), signed headers (HeaderFromProto,
 * CommitFromProto, SignedHeader.ValidateBasic), commit verification (VerifyCommitLight,
 * VerifyCommitLightTrusting, single and batch paths) and the light verifier (Verify,
 * VerifyAdjacent, VerifyNonAdjacent). Errors are CometError values (plain Go errors); the
 * 07-tendermint layer wraps them as ibc-go does. ed25519 validators only (ZIP-215 verification).
 *
 * Source: cometbft v0.38 types/validator_set.go, validator.go, block.go, light.go, validation.go,
 * part_set.go, light/verifier.go, light/errors.go, crypto/ed25519/ed25519.go.
 */
import { ed25519 } from "@noble/curves/ed25519.js"
import type { PublicKey } from "cosmjs-types/tendermint/crypto/keys"
import type { BlockID, Commit, CommitSig, Header, SignedHeader } from "cosmjs-types/tendermint/types/types"
import { BlockIDFlag, type Validator as ValidatorProto, type ValidatorSet as ValidatorSetProto } from "cosmjs-types/tendermint/types/validator"
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp"
import { equalBytes, toHex } from "../../../../../lib/Bytes.ts"
import { consensusAddress, headerHash, PRECOMMIT_TYPE, validatorsHash, voteSignBytes } from "../../../../consensus/producer/internal/Hashing.ts"
import { goDuration as goDurationOf, goHex, goQuote, goTime } from "./GoFormat.ts"

/** A CometBFT (Go) error: its text is what ibc-go wraps. */
export class CometError extends Error {}

/** types.ErrNotEnoughVotingPowerSigned. */
export class NotEnoughVotingPowerSigned extends CometError {
  readonly got: bigint
  readonly needed: bigint
  constructor(got: bigint, needed: bigint) {
    super(`invalid commit -- insufficient voting power: got ${got}, needed more than ${needed}`)
    this.got = got
    this.needed = needed
  }
}

const MAX_INT64 = (1n << 63n) - 1n
/** types.MaxTotalVotingPower. */
export const MAX_TOTAL_VOTING_POWER = MAX_INT64 / 8n
/** types.BlockProtocol. */
export const BLOCK_PROTOCOL = 11n
/** types.MaxChainIDLen. */
export const MAX_CHAIN_ID_LEN = 50
const HASH_SIZE = 32
const ADDRESS_SIZE = 20
const SIGNATURE_SIZE = 64
const GO_ZERO_TIME_SECONDS = -62_135_596_800n

/** Unix nanoseconds of a protobuf Timestamp. */
export const tsNs = (t: Timestamp): bigint => t.seconds * 1_000_000_000n + BigInt(t.nanos)

/** A validator as the light client uses it. */
export interface Val {
  readonly address: Uint8Array
  readonly pubKey: Uint8Array
  readonly power: bigint
  readonly priority: bigint
}

/** A decoded, validated validator set. */
export interface ValSet {
  readonly validators: ReadonlyArray<Val>
  readonly proposer: Val
  readonly total: bigint
  readonly hash: Uint8Array
}

const valString = (v: Val): string => `Validator{${goHex(v.address)} PubKeyEd25519{${goHex(v.pubKey)}} VP:${v.power} A:${v.priority}}`

/** encoding.PubKeyFromProto, ed25519 only. */
const pubKeyFromProto = (pk: PublicKey | undefined): Uint8Array => {
  if (pk?.ed25519 !== undefined) {
    if (pk.ed25519.length !== 32) throw new CometError(`invalid size for PubKeyEd25519. Got ${pk.ed25519.length}, expected 32`)
    return pk.ed25519
  }
  if (pk?.secp256k1 !== undefined) throw new CometError("fromproto: key type secp256k1 is not supported by this light client (ed25519 validators only)")
  throw new CometError("fromproto: key type <nil> is not supported")
}

const validatorFromProto = (vp: ValidatorProto | undefined): Val => {
  if (vp === undefined) throw new CometError("nil validator")
  return { address: vp.address, pubKey: pubKeyFromProto(vp.pubKey), power: vp.votingPower, priority: vp.proposerPriority }
}

const validateValidator = (v: Val): void => {
  if (v.power < 0n) throw new CometError("validator has negative voting power")
  const addr = consensusAddress(v.pubKey)
  if (!equalBytes(v.address, addr)) {
    throw new CometError(`validator address is incorrectly derived from pubkey. Exp: ${goHex(addr)}, got ${goHex(v.address)}`)
  }
}

/** ValidatorSetFromProto followed by ValidatorSet.ValidateBasic; the hash is ValidatorSet.Hash(). */
export const validatorSetFromProto = (vp: ValidatorSetProto | undefined): ValSet => {
  if (vp === undefined) throw new CometError("nil validator set")
  const validators = vp.validators.map(validatorFromProto)
  let proposer: Val
  try {
    proposer = validatorFromProto(vp.proposer)
  } catch (e) {
    throw new CometError(`fromProto: validatorSet proposer error: ${(e as Error).message}`)
  }
  let total = 0n
  for (const v of validators) {
    total += v.power < 0n ? 0n : v.power // safeAddClip never goes below; negatives refused below
    if (total > MAX_TOTAL_VOTING_POWER) {
      throw new CometError(`Total voting power should be guarded to not exceed ${MAX_TOTAL_VOTING_POWER}; got: ${total}`)
    }
  }
  if (validators.length === 0) throw new CometError("validator set is nil or empty")
  validators.forEach((v, i) => {
    try {
      validateValidator(v)
    } catch (e) {
      throw new CometError(`invalid validator #${i}: ${(e as Error).message}`)
    }
  })
  try {
    validateValidator(proposer)
  } catch (e) {
    throw new CometError(`proposer failed validate basic, error: ${(e as Error).message}`)
  }
  if (!validators.some((v) => equalBytes(v.address, proposer.address))) throw new CometError("proposer not in validator set")
  return { validators, proposer, total, hash: validatorsHash(validators.map((v) => ({ pubKeyEd25519: v.pubKey, power: v.power }))) }
}

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
const commitSigValidate = (cs: CommitSig): void => {
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

const isZeroBlockId = (b: BlockID): boolean => b.hash.length === 0 && b.partSetHeader.total === 0 && b.partSetHeader.hash.length === 0

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

const blockIdString = (b: BlockID): string => {
  const fp = new Uint8Array(6)
  fp.set(b.partSetHeader.hash.subarray(0, 6))
  return `${goHex(b.hash)}:${b.partSetHeader.total}:${goHex(fp)}`
}

const blockIdEquals = (a: BlockID, b: BlockID): boolean =>
  equalBytes(a.hash, b.hash) && a.partSetHeader.total === b.partSetHeader.total && equalBytes(a.partSetHeader.hash, b.partSetHeader.hash)

/** Go's `%X` of a CommitSig struct (batch path's "wrong signature" text). */
const commitSigHex = (s: CommitSig): string =>
  `{${s.blockIdFlag.toString(16).toUpperCase()} ${goHex(s.validatorAddress)} ${goHex(new TextEncoder().encode(goTime(tsNs(s.timestamp))))} ${goHex(s.signature)}}`

const signBytes = (chainId: string, commit: Commit, idx: number): Uint8Array =>
  voteSignBytes(chainId, { type: PRECOMMIT_TYPE, height: commit.height, round: BigInt(commit.round), blockId: commit.blockId, timestamp: commit.signatures[idx]!.timestamp })

const verifySig = (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean => {
  if (sig.length !== SIGNATURE_SIZE) return false
  try {
    return ed25519.verify(sig, msg, pub, { zip215: true })
  } catch {
    return false
  }
}

/**
 * Signature `idx` of `commit` by `val`, remembered in `verified` (same chain id, commit, index and
 * key give the same sign bytes, so a second check is the first's answer).
 */
const checkSig = (verified: Set<string> | undefined, val: Val, chainId: string, commit: Commit, idx: number): boolean => {
  const memo = `${idx}:${toHex(val.pubKey)}`
  if (verified?.has(memo)) return true
  const ok = verifySig(val.pubKey, signBytes(chainId, commit, idx), commit.signatures[idx]!.signature)
  if (ok) verified?.add(memo)
  return ok
}

/** Index of each validator by address (hex), first occurrence as GetByAddress finds it. */
const addressIndex = (vals: ValSet): Map<string, number> => {
  const m = new Map<string, number>()
  vals.validators.forEach((v, i) => { if (!m.has(toHex(v.address))) m.set(toHex(v.address), i) })
  return m
}

/**
 * verifyCommitSingle / verifyCommitBatch (chosen as CometBFT does: batch for 2+ signatures of
 * ed25519 validators), ignoring every signature that is not BLOCK_ID_FLAG_COMMIT and counting
 * every other one; stops once more than `needed` power is tallied.
 */
const verifyCommitSigs = (chainId: string, vals: ValSet, commit: Commit, needed: bigint, byIndex: boolean, verified?: Set<string>): void => {
  const batch = commit.signatures.length >= 2
  const seen = new Map<number, number>()
  const index = byIndex ? undefined : addressIndex(vals)
  const pending: Array<{ idx: number; val: Val }> = []
  let tallied = 0n
  for (let idx = 0; idx < commit.signatures.length; idx++) {
    const cs = commit.signatures[idx]!
    if (cs.blockIdFlag !== BlockIDFlag.BLOCK_ID_FLAG_COMMIT) continue
    if (!batch) {
      try {
        commitSigValidate(cs)
      } catch {
        throw new CometError(`invalid signatures from <nil> at index ${idx}`)
      }
    }
    let val: Val
    if (byIndex) {
      val = vals.validators[idx]!
    } else {
      const i = index!.get(toHex(cs.validatorAddress))
      if (i === undefined) continue
      const found = { idx: i, val: vals.validators[i]! }
      const first = seen.get(found.idx)
      if (first !== undefined) throw new CometError(`double vote from ${valString(found.val)} (${first} and ${idx})`)
      seen.set(found.idx, idx)
      val = found.val
    }
    if (batch) {
      if (cs.signature.length !== SIGNATURE_SIZE) throw new CometError("invalid signature")
      pending.push({ idx, val })
    } else if (!checkSig(verified, val, chainId, commit, idx)) {
      throw new CometError(`wrong signature (#${idx}): ${goHex(cs.signature)}`)
    }
    tallied += val.power
    if (tallied > needed) break
  }
  if (tallied <= needed) throw new NotEnoughVotingPowerSigned(tallied, needed)
  for (const { idx, val } of pending) {
    const cs = commit.signatures[idx]!
    if (!checkSig(verified, val, chainId, commit, idx)) {
      throw new CometError(`wrong signature (#${idx}): ${commitSigHex(cs)}`)
    }
  }
}

/** types.VerifyCommitLight: +2/3 of `vals` signed `blockId` at `height`. `verified`: signatures already checked (see checkSig). */
export const verifyCommitLight = (chainId: string, vals: ValSet, blockId: BlockID, height: bigint, commit: Commit, verified?: Set<string>): void => {
  if (vals.validators.length !== commit.signatures.length) {
    throw new CometError(`Invalid commit -- wrong set size: ${vals.validators.length} vs ${commit.signatures.length}`)
  }
  if (height !== commit.height) throw new CometError(`Invalid commit -- wrong height: ${height} vs ${commit.height}`)
  if (!blockIdEquals(blockId, commit.blockId)) {
    throw new CometError(`invalid commit -- wrong block ID: want ${blockIdString(blockId)}, got ${blockIdString(commit.blockId)}`)
  }
  verifyCommitSigs(chainId, vals, commit, (vals.total * 2n) / 3n, true, verified)
}

/** A trust level fraction (cmtmath.Fraction). */
export interface TrustLevel { readonly numerator: bigint; readonly denominator: bigint }

/** types.VerifyCommitLightTrusting: more than trustLevel of `vals`' power signed the commit (matched by address). */
export const verifyCommitLightTrusting = (chainId: string, vals: ValSet, commit: Commit, trustLevel: TrustLevel, verified?: Set<string>): void => {
  if (trustLevel.denominator === 0n) throw new CometError("trustLevel has zero Denominator")
  const product = vals.total * trustLevel.numerator
  if (trustLevel.numerator > 0n && vals.total > 0n && vals.total > MAX_INT64 / trustLevel.numerator) {
    throw new CometError("int64 overflow while calculating voting power needed. please provide smaller trustLevel numerator")
  }
  verifyCommitSigs(chainId, vals, commit, product / trustLevel.denominator, false, verified)
}

/** What the light client trusts: ibc-go builds it from the trusted consensus state. */
export interface TrustedHeader {
  readonly chainId: string
  readonly height: bigint
  readonly timeNs: bigint
  readonly nextValidatorsHash: Uint8Array
}

/** light.HeaderExpired. */
export const headerExpired = (timeNs: bigint, trustingPeriodNs: bigint, nowNs: bigint): boolean => !(timeNs + trustingPeriodNs > nowNs)

const verifyNewHeaderAndVals = (untrusted: { header?: Header; commit?: Commit }, untrustedVals: ValSet, trusted: TrustedHeader, nowNs: bigint, maxClockDriftNs: bigint): CheckedSignedHeader => {
  let sh: CheckedSignedHeader
  try {
    sh = signedHeaderValidate(untrusted, trusted.chainId)
  } catch (e) {
    throw new CometError(`untrustedHeader.ValidateBasic failed: ${(e as Error).message}`)
  }
  if (sh.header.height <= trusted.height) {
    throw new CometError(`expected new header height ${sh.header.height} to be greater than one of old header ${trusted.height}`)
  }
  const t = tsNs(sh.header.time)
  if (!(t > trusted.timeNs)) throw new CometError(`expected new header time ${goTime(t)} to be after old header time ${goTime(trusted.timeNs)}`)
  if (!(t < nowNs + maxClockDriftNs)) {
    throw new CometError(`new header has a time from the future ${goTime(t)} (now: ${goTime(nowNs)}; max clock drift: ${goDurationOf(maxClockDriftNs)})`)
  }
  if (!equalBytes(sh.header.validatorsHash, untrustedVals.hash)) {
    throw new CometError(`expected new header validators (${goHex(sh.header.validatorsHash)}) to match those that were supplied (${goHex(untrustedVals.hash)}) at height ${sh.header.height}`)
  }
  return sh
}

/**
 * light.Verify: VerifyAdjacent when the new header is at trusted height + 1 (its validators
 * hash must be the trusted next validators hash), else VerifyNonAdjacent (more than trustLevel
 * of the trusted validators signed it); then +2/3 of the new validators signed it. Throws
 * CometError with light/errors.go's texts.
 */
export const lightVerify = (
  trusted: TrustedHeader, trustedVals: ValSet, untrusted: { header?: Header; commit?: Commit }, untrustedVals: ValSet,
  trustingPeriodNs: bigint, nowNs: bigint, maxClockDriftNs: bigint, trustLevel: TrustLevel
): void => {
  const adjacent = untrusted.header !== undefined && untrusted.header.height === trusted.height + 1n
  const verified = new Set<string>() // a signature both checks reach is verified once (CometBFT caches verifications too)
  if (headerExpired(trusted.timeNs, trustingPeriodNs, nowNs)) {
    throw new CometError(`old header has expired at ${goTime(trusted.timeNs + trustingPeriodNs)} (now: ${goTime(nowNs)})`)
  }
  let sh: CheckedSignedHeader
  try {
    sh = verifyNewHeaderAndVals(untrusted, untrustedVals, trusted, nowNs, maxClockDriftNs)
  } catch (e) {
    throw new CometError(`invalid header: ${(e as Error).message}`)
  }
  if (adjacent) {
    if (!equalBytes(sh.header.validatorsHash, trusted.nextValidatorsHash)) {
      throw new CometError(`expected old header next validators (${goHex(trusted.nextValidatorsHash)}) to match those from new header (${goHex(sh.header.validatorsHash)})`)
    }
  } else {
    try {
      verifyCommitLightTrusting(trusted.chainId, trustedVals, sh.commit, trustLevel, verified)
    } catch (e) {
      if (e instanceof NotEnoughVotingPowerSigned) throw new CometError(`cant trust new val set: ${e.message}`)
      throw e
    }
  }
  try {
    verifyCommitLight(trusted.chainId, untrustedVals, sh.commit.blockId, sh.header.height, sh.commit, verified)
  } catch (e) {
    throw new CometError(`invalid header: ${(e as Error).message}`)
  }
}
