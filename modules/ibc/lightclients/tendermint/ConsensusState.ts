/**
 * The 07-tendermint consensus state (ibc.lightclients.tendermint.v1.ConsensusState): the
 * counterparty's block time, app hash (the commitment root) and next validators hash at a height.
 *
 * Source: ibc-go v8 modules/light-clients/07-tendermint/consensus_state.go (ValidateBasic),
 * header.go (ConsensusState from a header).
 */
import { ConsensusState } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import type { Header as TmHeader } from "cosmjs-types/tendermint/types/types"
import { InvalidConsensus, UnregisteredError } from "./TendermintError.ts"

/**
 * ConsensusState.ValidateBasic: a non-empty root, a next validators hash of 0 or 32 bytes, a
 * timestamp after the unix epoch (seconds > 0). Throws ibc-go's error.
 */
export const validateConsensusState = (cs: ConsensusState): void => {
  if (cs.root.hash.length === 0) throw new InvalidConsensus({ log: "root cannot be empty: invalid consensus state" })
  const n = cs.nextValidatorsHash.length
  if (n > 0 && n !== 32) throw new UnregisteredError({ log: `next validators hash is invalid: expected size to be 32 bytes, got ${n} bytes` })
  if (cs.timestamp.seconds <= 0n) throw new InvalidConsensus({ log: "timestamp must be a positive Unix time: invalid consensus state" })
}

/** Header.ConsensusState(): time, app hash as root, next validators hash of a CometBFT header. */
export const consensusStateOf = (h: TmHeader): ConsensusState => ({
  timestamp: h.time, root: { hash: h.appHash }, nextValidatorsHash: h.nextValidatorsHash
})

/** Consensus state time in unix nanoseconds. */
export const consensusTimeNs = (cs: ConsensusState): bigint => cs.timestamp.seconds * 1_000_000_000n + BigInt(cs.timestamp.nanos)

export { ConsensusState }
