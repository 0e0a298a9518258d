/**
 * Errors the 07-tendermint light client returns, each with the codespace and code ibc-go v8
 * reports for it, in chain/ChainError.ts's shape. `log` is the full text of ibc-go's (wrapped)
 * error, `<context>: <description>`.
 *
 * Source: ibc-go v8 modules/light-clients/07-tendermint/errors.go (codespace `07-tendermint`),
 * modules/core/errors/errors.go (`ibc` 14), cosmossdk.io/errors abci.go (an error without a
 * registered code, such as CometBFT's light-verification errors ibc-go wraps, is reported as
 * codespace `undefined`, code 1, with its full text).
 */
import { chainErrorClass } from "../../../../chain/ChainError.ts"

const tm = <const Tag extends string>(tag: Tag, code: number) => chainErrorClass(tag, "07-tendermint", code)

/** 07-tendermint 2 "invalid chain-id". */
export class InvalidChainId extends tm("TendermintInvalidChainId", 2) {}
/** 07-tendermint 3 "invalid trusting period". */
export class InvalidTrustingPeriod extends tm("TendermintInvalidTrustingPeriod", 3) {}
/** 07-tendermint 4 "invalid unbonding period". */
export class InvalidUnbondingPeriod extends tm("TendermintInvalidUnbondingPeriod", 4) {}
/** 07-tendermint 5 "invalid header height". */
export class InvalidHeaderHeight extends tm("TendermintInvalidHeaderHeight", 5) {}
/** 07-tendermint 6 "invalid header". */
export class InvalidTendermintHeader extends tm("TendermintInvalidHeader", 6) {}
/** 07-tendermint 7 "invalid max clock drift". */
export class InvalidMaxClockDrift extends tm("TendermintInvalidMaxClockDrift", 7) {}
/** 07-tendermint 8 "processed time not found". */
export class ProcessedTimeNotFound extends tm("TendermintProcessedTimeNotFound", 8) {}
/** 07-tendermint 9 "processed height not found". */
export class ProcessedHeightNotFound extends tm("TendermintProcessedHeightNotFound", 9) {}
/** 07-tendermint 10 "packet-specified delay period has not been reached". */
export class DelayPeriodNotPassed extends tm("TendermintDelayPeriodNotPassed", 10) {}
/** 07-tendermint 11 "time since latest trusted state has passed the trusting period". */
export class TrustingPeriodExpired extends tm("TendermintTrustingPeriodExpired", 11) {}
/** 07-tendermint 13 "invalid proof specs". */
export class InvalidProofSpecs extends tm("TendermintInvalidProofSpecs", 13) {}
/** 07-tendermint 14 "invalid validator set". */
export class InvalidValidatorSet extends tm("TendermintInvalidValidatorSet", 14) {}

// Errors of other codespaces that 07-tendermint returns are IBC core's (modules/ibc/core/IbcError.ts):
// 02-client InvalidClient 3, ConsensusStateNotFound 7, InvalidConsensus 8, InvalidClientType 10,
// InvalidHeader 12, InvalidMisbehaviour 13; ibc InvalidHeight 9, InvalidType 12; host InvalidIdentifier 2.
export {
  ConsensusStateNotFound, IbcInvalidHeight, IbcInvalidType, InvalidClient, InvalidClientType, InvalidConsensus, InvalidHeader,
  InvalidIdentifier, InvalidMisbehaviour
} from "../../core/IbcError.ts"

/**
 * codespace `undefined`, code 1: an error ibc-go returns without a registered code — CometBFT's
 * light-client verification errors (`failed to verify header: invalid header: ...`, `... old
 * header has expired ...`, `... cant trust new val set ...`) and validator-set/commit decoding
 * errors — which the Cosmos SDK reports this way, with the full text as the log.
 */
export class UnregisteredError extends chainErrorClass("UnregisteredError", "undefined", 1) {}
/** ibc 14 "failed unpacking protobuf message from Any" (core errors): an Any whose bytes do not decode as its type. */
export class IbcUnpackAny extends chainErrorClass("IbcUnpackAny", "ibc", 14) {}
