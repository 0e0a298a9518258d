/**
 * CometBFT's commit verification: VerifyCommitLight (+2/3 of a set signed a block id, signatures
 * by index) and VerifyCommitLightTrusting (more than a trust level of a set signed, signatures by
 * address), on CometBFT's single path (one signature) or batch semantics (two or more: power
 * tallied first, then the signatures), ed25519 with ZIP-215 rules.
 *
 * Source: cometbft v0.38 types/validation.go, types/block.go (BlockID.String, Commit.VoteSignBytes),
 * crypto/ed25519/ed25519.go.
 */
import { ed25519 } from "@noble/curves/ed25519.js"
import type { BlockID, Commit, CommitSig } from "cosmjs-types/tendermint/types/types"
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator"
import { equalBytes, toHex } from "../../../../../lib/Bytes.ts"
import { PRECOMMIT_TYPE, voteSignBytes } from "../../../../consensus/CometHashing.ts"
import { valString, type Val, type ValSet } from "../ValidatorSet.ts"
import { CometError, NotEnoughVotingPowerSigned, SIGNATURE_SIZE, tsNs } from "./CometError.ts"
import { goHex, goRfc3339Nano } from "./GoFormat.ts"
import { commitSigValidate } from "./SignedHeader.ts"

const MAX_INT64 = (1n << 63n) - 1n

const blockIdString = (b: BlockID): string => {
  const fp = new Uint8Array(6)
  fp.set(b.partSetHeader.hash.subarray(0, 6))
  return `${goHex(b.hash)}:${b.partSetHeader.total}:${goHex(fp)}`
}

const blockIdEquals = (a: BlockID, b: BlockID): boolean =>
  equalBytes(a.hash, b.hash) && a.partSetHeader.total === b.partSetHeader.total && equalBytes(a.partSetHeader.hash, b.partSetHeader.hash)

const fingerprint = (b: Uint8Array): Uint8Array => {
  const f = new Uint8Array(6)
  f.set(b.subarray(0, 6))
  return f
}

/**
 * Go's `%X` of a CommitSig (batch path's "wrong signature" text): hex of its String(),
 * `CommitSig{<signature fingerprint> by <address fingerprint> on <flag> @ <canonical time>}`.
 */
const commitSigHex = (s: CommitSig): string =>
  goHex(new TextEncoder().encode(`CommitSig{${goHex(fingerprint(s.signature))} by ${goHex(fingerprint(s.validatorAddress))} on ${s.blockIdFlag} @ ${goRfc3339Nano(tsNs(s.timestamp))}}`))

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
