/**
 * Errors the 07-tendermint light client returns, each with the codespace and code ibc-go v8
 * reports for it, in chain/ChainError.ts's shape. `log` is the full text of ibc-go's (wrapped)
 * error, `<context>: <description>`.
 *
 * Source: ibc-go v8 modules/light-clients/07-tendermint/errors.go (codespace `07-tendermint`),
 * modules/core/02-client/types/errors.go (`client`), modules/core/errors/errors.go (`ibc`),
 * modules/core/24-host/errors.go (`host`), cosmossdk.io/errors abci.go (an error without a
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

const client = <const Tag extends string>(tag: Tag, code: number) => chainErrorClass(tag, "client", code)

/** 02-client 3 "light client is invalid". */
export class InvalidClient extends client("ClientInvalidClient", 3) {}
/** 02-client 7 "consensus state not found". */
export class ConsensusStateNotFound extends client("ClientConsensusStateNotFound", 7) {}
/** 02-client 8 "invalid consensus state". */
export class InvalidConsensus extends client("ClientInvalidConsensus", 8) {}
/** 02-client 10 "invalid client type". */
export class InvalidClientType extends client("ClientInvalidClientType", 10) {}
/** 02-client 12 "invalid client header". */
export class InvalidHeader extends client("ClientInvalidHeader", 12) {}
/** 02-client 13 "invalid light client misbehaviour". */
export class InvalidMisbehaviour extends client("ClientInvalidMisbehaviour", 13) {}

/** ibc 9 "invalid height" (core errors): a proof height above the client's latest height. */
export class IbcInvalidHeight extends chainErrorClass("IbcInvalidHeight", "ibc", 9) {}
/** ibc 12 "invalid type" (core errors): a message whose Any is not a 07-tendermint type. */
export class IbcInvalidType extends chainErrorClass("IbcInvalidType", "ibc", 12) {}
/** host 2 "invalid identifier" (24-host): a misbehaviour's client id that is not one. */
export class InvalidIdentifier extends chainErrorClass("HostInvalidIdentifier", "host", 2) {}

/**
 * codespace `undefined`, code 1: an error ibc-go returns without a registered code — CometBFT's
 * light-client verification errors (`failed to verify header: invalid header: ...`, `... old
 * header has expired ...`, `... cant trust new val set ...`) and validator-set/commit decoding
 * errors — which the Cosmos SDK reports this way, with the full text as the log.
 */
export class UnregisteredError extends chainErrorClass("UnregisteredError", "undefined", 1) {}
/** ibc 14 "failed unpacking protobuf message from Any" (core errors): an Any whose bytes do not decode as its type. */
export class IbcUnpackAny extends chainErrorClass("IbcUnpackAny", "ibc", 14) {}
