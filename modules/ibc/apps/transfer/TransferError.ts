/**
 * Errors of ICS-20 transfer with ibc-go's codespaces and codes, so a tx result and an error
 * acknowledgement (`ABCI code: <code>: ...`) read as ibc-go's. Logs follow cosmossdk.io/errors
 * wrapping: `<context>: <registered description>`.
 *
 * transfer (codespace "transfer"): ibc-go modules/apps/transfer/types/errors.go.
 * The few core errors transfer raises (codespaces "ibc", "channel", "port", "host") are declared
 * here too until core's own classes (modules/ibc/core) replace them: same tags, codespaces, codes.
 * Source: ibc-go v8 modules/core/errors/errors.go, 04-channel/types/errors.go,
 * 05-port/types/errors.go, 24-host/errors.go; cosmos-sdk types/errors (ErrKeyNotFound 22).
 */
import { chainErrorClass } from "../../../../chain/ChainError.ts"

/** transfer 2: invalid packet timeout. */
export class ErrInvalidPacketTimeout extends chainErrorClass("ErrInvalidPacketTimeout", "transfer", 2) {}
/** transfer 3: invalid denomination for cross-chain transfer. */
export class ErrInvalidDenomForTransfer extends chainErrorClass("ErrInvalidDenomForTransfer", "transfer", 3) {}
/** transfer 4: invalid ICS20 version. */
export class ErrInvalidVersion extends chainErrorClass("ErrInvalidVersion", "transfer", 4) {}
/** transfer 5: invalid token amount. */
export class ErrInvalidAmount extends chainErrorClass("ErrInvalidAmount", "transfer", 5) {}
/** transfer 6: denomination trace not found. */
export class ErrTraceNotFound extends chainErrorClass("ErrTraceNotFound", "transfer", 6) {}
/** transfer 7: fungible token transfers from this chain are disabled. */
export class ErrSendDisabled extends chainErrorClass("ErrSendDisabled", "transfer", 7) {}
/** transfer 8: fungible token transfers to this chain are disabled. */
export class ErrReceiveDisabled extends chainErrorClass("ErrReceiveDisabled", "transfer", 8) {}
/** transfer 9: max transfer channels. */
export class ErrMaxTransferChannels extends chainErrorClass("ErrMaxTransferChannels", "transfer", 9) {}
/** transfer 11: invalid memo. */
export class ErrInvalidMemo extends chainErrorClass("ErrInvalidMemo", "transfer", 11) {}

/** ibc 2: unauthorized. */
export class IbcUnauthorized extends chainErrorClass("IbcUnauthorized", "ibc", 2) {}
/** ibc 3: insufficient funds. */
export class IbcInsufficientFunds extends chainErrorClass("IbcInsufficientFunds", "ibc", 3) {}
/** ibc 4: unknown request. */
export class IbcUnknownRequest extends chainErrorClass("IbcUnknownRequest", "ibc", 4) {}
/** ibc 5: invalid address. */
export class IbcInvalidAddress extends chainErrorClass("IbcInvalidAddress", "ibc", 5) {}
/** ibc 6: invalid coins. */
export class IbcInvalidCoins extends chainErrorClass("IbcInvalidCoins", "ibc", 6) {}
/** ibc 8: invalid request. */
export class IbcInvalidRequest extends chainErrorClass("IbcInvalidRequest", "ibc", 8) {}
/** ibc 12: invalid type. */
export class IbcInvalidType extends chainErrorClass("IbcInvalidType", "ibc", 12) {}
/** channel 6: invalid channel ordering. */
export class ErrInvalidChannelOrdering extends chainErrorClass("ErrInvalidChannelOrdering", "channel", 6) {}
/** channel 13: invalid packet. */
export class ErrInvalidPacket extends chainErrorClass("ErrInvalidPacket", "channel", 13) {}
/** port 4: invalid port. */
export class ErrInvalidPort extends chainErrorClass("ErrInvalidPort", "port", 4) {}
/** host 2: invalid identifier. */
export class ErrInvalidID extends chainErrorClass("ErrInvalidID", "host", 2) {}
/** sdk 22: key not found (a gRPC NotFound status over ABCI query, baseapp gRPCErrorToSDKError). */
export class KeyNotFound extends chainErrorClass("KeyNotFound", "sdk", 22) {}
/**
 * Code 1, codespace "undefined": what cosmossdk.io/errors ABCIInfo reports for an unregistered Go
 * error (a bech32 decoding failure in ibc-go's OnRecvPacket). Only ever an acknowledgement's code,
 * never thrown out of the machine.
 */
export class UnregisteredError extends chainErrorClass("UnregisteredError", "undefined", 1) {}
