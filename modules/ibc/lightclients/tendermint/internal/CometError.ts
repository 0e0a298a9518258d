/**
 * CometBFT's (Go) errors as values, and the CometBFT constants the light client checks against.
 * The 07-tendermint layer wraps them as ibc-go does.
 *
 * Source: cometbft v0.38 types/validator_set.go (ErrNotEnoughVotingPowerSigned, MaxTotalVotingPower),
 * types/block.go (MaxChainIDLen), version/version.go (BlockProtocol).
 */
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp"

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
/** tmhash.Size. */
export const HASH_SIZE = 32
/** crypto.AddressSize. */
export const ADDRESS_SIZE = 20
/** ed25519.SignatureSize (MaxSignatureSize). */
export const SIGNATURE_SIZE = 64
/** Unix seconds of Go's zero time.Time (0001-01-01). */
export const GO_ZERO_TIME_SECONDS = -62_135_596_800n

/** Unix nanoseconds of a protobuf Timestamp. */
export const tsNs = (t: Timestamp): bigint => t.seconds * 1_000_000_000n + BigInt(t.nanos)
