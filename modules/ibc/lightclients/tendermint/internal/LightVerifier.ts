/**
 * CometBFT's light verifier: Verify, VerifyAdjacent and VerifyNonAdjacent of an untrusted signed
 * header from a trusted one, with light/errors.go's texts (CometError values).
 *
 * Source: cometbft v0.38 light/verifier.go, light/errors.go.
 */
import type { Commit, Header } from "cosmjs-types/tendermint/types/types"
import { equalBytes } from "../../../../../lib/Bytes.ts"
import type { ValSet } from "../ValidatorSet.ts"
import { CometError, NotEnoughVotingPowerSigned, tsNs } from "./CometError.ts"
import { verifyCommitLight, verifyCommitLightTrusting, type TrustLevel } from "./CommitVerifier.ts"
import { goDuration as goDurationOf, goHex, goTime } from "./GoFormat.ts"
import { signedHeaderValidate, type CheckedSignedHeader } from "./SignedHeader.ts"

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
