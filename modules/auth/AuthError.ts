/**
 * sdk-codespace errors the ante chain needs that chain/ChainError.ts does not list, in the same
 * shape (tagged, codespace + code + log), so the multiplexer reports them like any chain error.
 *
 * Source: cosmos-sdk types/errors/errors.go (ErrTooManySignatures 23, ErrTxTimeoutHeight 30,
 * ErrUnknownExtensionOptions 31).
 */
import { chainErrorClass } from "../../chain/ChainError.ts"

const sdkError = <const Tag extends string>(tag: Tag, code: number) => chainErrorClass(tag, "sdk", code)

/** Code 23: more signatures than the tx_sig_limit param. */
export class TooManySignatures extends sdkError("TooManySignatures", 23) {}
/** Code 30: the block height is past the tx's timeout height. */
export class TxTimeoutHeight extends sdkError("TxTimeoutHeight", 30) {}
/** Code 31: the tx carries extension options this chain does not know. */
export class UnknownExtensionOptions extends sdkError("UnknownExtensionOptions", 31) {}
