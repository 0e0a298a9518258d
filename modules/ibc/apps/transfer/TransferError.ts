/**
 * Errors of ICS-20 transfer with ibc-go's codespaces and codes, so a tx result and an error
 * acknowledgement (`ABCI code: <code>: ...`) read as ibc-go's. Logs follow cosmossdk.io/errors
 * wrapping: `<context>: <registered description>`.
 *
 * transfer (codespace "transfer"): ibc-go modules/apps/transfer/types/errors.go.
 * Core errors come from modules/ibc/core/IbcError.ts; the few core codes it does not declare and
 * transfer raises (codespace "ibc": 3, 4, 6, 12) are declared here.
 * Source: ibc-go v8 modules/core/errors/errors.go; cosmos-sdk types/errors (ErrKeyNotFound 22).
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

/** ibc 3: insufficient funds. */
export class IbcInsufficientFunds extends chainErrorClass("IbcInsufficientFunds", "ibc", 3) {}
/** ibc 4: unknown request. */
export class IbcUnknownRequest extends chainErrorClass("IbcUnknownRequest", "ibc", 4) {}
/** ibc 6: invalid coins. */
export class IbcInvalidCoins extends chainErrorClass("IbcInvalidCoins", "ibc", 6) {}
/** ibc 12: invalid type. */
export class IbcInvalidType extends chainErrorClass("IbcInvalidType", "ibc", 12) {}
/** sdk 22: key not found (a gRPC NotFound status over ABCI query, baseapp gRPCErrorToSDKError). */
export class KeyNotFound extends chainErrorClass("KeyNotFound", "sdk", 22) {}
/**
 * Code 1, codespace "undefined": what cosmossdk.io/errors ABCIInfo reports for an unregistered Go
 * error (a bech32 decoding failure in ibc-go's OnRecvPacket). Only ever an acknowledgement's code,
 * never thrown out of the machine.
 */
export class UnregisteredError extends chainErrorClass("UnregisteredError", "undefined", 1) {}
