/**
 * The 07-tendermint client state (ibc.lightclients.tendermint.v1.ClientState, cosmjs-types): its
 * Any type URLs, validation as ibc-go's ClientState.Validate, expiry, and ibc-go's height and
 * chain-id revision helpers (clienttypes.ParseChainID, SetRevisionNumber, Height.String).
 *
 * Source: ibc-go v8 modules/light-clients/07-tendermint/client_state.go (Validate, IsExpired,
 * Status), modules/core/02-client/types/height.go, cometbft v0.38 light/verifier.go
 * (ValidateTrustLevel).
 */
import type { Duration } from "cosmjs-types/google/protobuf/duration"
import { ClientState } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import type { Height } from "../../LightClient.ts"
import {
  InvalidChainId, InvalidClient, InvalidHeaderHeight, InvalidMaxClockDrift, InvalidProofSpecs, InvalidTrustingPeriod,
  InvalidUnbondingPeriod, UnregisteredError
} from "./TendermintError.ts"
import { MAX_CHAIN_ID_LEN } from "./internal/CometError.ts"
import { goDuration } from "./internal/GoFormat.ts"

/** The ibc-go client type of this module; client ids are `07-tendermint-<n>`. */
export const CLIENT_TYPE = "07-tendermint"
/** Any type URLs of the 07-tendermint messages. */
export const TypeUrl = {
  clientState: "/ibc.lightclients.tendermint.v1.ClientState",
  consensusState: "/ibc.lightclients.tendermint.v1.ConsensusState",
  header: "/ibc.lightclients.tendermint.v1.Header",
  misbehaviour: "/ibc.lightclients.tendermint.v1.Misbehaviour"
} as const

/** ibc-go's FrozenHeight: a frozen client's frozen height, 0-1. */
export const FROZEN_HEIGHT: Height = { revisionNumber: 0n, revisionHeight: 1n }

/** A protobuf Duration in nanoseconds (time.Duration). */
export const durationNs = (d: Duration): bigint => d.seconds * 1_000_000_000n + BigInt(d.nanos)

/** Height.String(): `<revision>-<height>`. */
export const heightString = (h: Height): string => `${h.revisionNumber}-${h.revisionHeight}`
/** Go's `%d` of a Height struct: `{<revision> <height>}` (ibc-go prints heights so in some texts). */
export const heightStruct = (h: Height): string => `{${h.revisionNumber} ${h.revisionHeight}}`
/** Height ordering: revision number first, then revision height (-1, 0, 1). */
export const compareHeight = (a: Height, b: Height): number =>
  a.revisionNumber !== b.revisionNumber ? (a.revisionNumber < b.revisionNumber ? -1 : 1)
    : a.revisionHeight === b.revisionHeight ? 0 : a.revisionHeight < b.revisionHeight ? -1 : 1
/** Height.IsZero. */
export const isZeroHeight = (h: Height): boolean => h.revisionNumber === 0n && h.revisionHeight === 0n

const REVISION_FORMAT = /^.*[^\n-]-{1}[1-9][0-9]*$/
const UINT64_MAX = (1n << 64n) - 1n

/** clienttypes.IsRevisionFormat: `<name>-<revision>` with a revision that has no leading zero. */
export const isRevisionFormat = (chainId: string): boolean => REVISION_FORMAT.test(chainId)

/**
 * clienttypes.ParseChainID: the revision number of a chain id in revision format, else 0.
 * A revision beyond uint64 (where ibc-go panics) is refused with UnregisteredError.
 */
export const parseChainId = (chainId: string): bigint => {
  if (!isRevisionFormat(chainId)) return 0n
  const parts = chainId.split("-")
  const rev = BigInt(parts[parts.length - 1]!)
  if (rev > UINT64_MAX) throw new UnregisteredError({ log: `regex allowed non-number value as last split element for chainID: ${chainId}` })
  return rev
}

/** clienttypes.SetRevisionNumber for a chain id in revision format (others returned unchanged). */
export const setRevisionNumber = (chainId: string, revision: bigint): string => {
  if (!isRevisionFormat(chainId)) return chainId
  const parts = chainId.split("-")
  parts[parts.length - 1] = revision.toString()
  return parts.join("-")
}

/**
 * ClientState.Validate (what MsgCreateClient's ValidateBasic runs): chain id, trust level within
 * [1/3, 1], positive periods, latest height revision = chain id revision and height > 0,
 * trusting period < unbonding period, proof specs present, upgrade path keys non-blank.
 * Throws ibc-go's error for the first violation.
 */
export const validateClientState = (cs: ClientState): void => {
  if (cs.chainId.trim() === "") throw new InvalidChainId({ log: "chain id cannot be empty string: invalid chain-id" })
  if (cs.chainId.length > MAX_CHAIN_ID_LEN) {
    throw new InvalidChainId({ log: `chainID is too long; got: ${cs.chainId.length}, max: ${MAX_CHAIN_ID_LEN}: invalid chain-id` })
  }
  const { numerator: n, denominator: d } = cs.trustLevel
  if (n * 3n < d || n > d || d === 0n) throw new UnregisteredError({ log: `trustLevel must be within [1/3, 1], given ${n}/${d}` })
  const trusting = durationNs(cs.trustingPeriod)
  const unbonding = durationNs(cs.unbondingPeriod)
  if (trusting <= 0n) throw new InvalidTrustingPeriod({ log: "trusting period must be greater than zero: invalid trusting period" })
  if (unbonding <= 0n) throw new InvalidUnbondingPeriod({ log: "unbonding period must be greater than zero: invalid unbonding period" })
  if (durationNs(cs.maxClockDrift) <= 0n) throw new InvalidMaxClockDrift({ log: "max clock drift must be greater than zero: invalid max clock drift" })
  const rev = parseChainId(cs.chainId)
  if (cs.latestHeight.revisionNumber !== rev) {
    throw new InvalidHeaderHeight({ log: `latest height revision number must match chain id revision number (${cs.latestHeight.revisionNumber} != ${rev}): invalid header height` })
  }
  if (cs.latestHeight.revisionHeight === 0n) {
    throw new InvalidHeaderHeight({ log: "tendermint client's latest height revision height cannot be zero: invalid header height" })
  }
  if (trusting >= unbonding) {
    throw new InvalidTrustingPeriod({ log: `trusting period (${goDuration(trusting)}) should be < unbonding period (${goDuration(unbonding)}): invalid trusting period` })
  }
  if (cs.proofSpecs.length === 0) throw new InvalidProofSpecs({ log: "proof specs cannot be nil for tm client: invalid proof specs" })
  cs.upgradePath.forEach((k, i) => {
    if (k.trim() === "") throw new InvalidClient({ log: `key in upgrade path at index ${i} cannot be empty: light client is invalid` })
  })
}

/** ClientState.IsExpired: the latest trusted time plus the trusting period is not after `nowNs`. */
export const isExpired = (cs: ClientState, latestTimestampNs: bigint, nowNs: bigint): boolean =>
  !(latestTimestampNs + durationNs(cs.trustingPeriod) > nowNs)

export { ClientState }
