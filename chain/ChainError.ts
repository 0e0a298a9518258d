/**
 * Typed errors of the chain plane, each carrying the Cosmos codespace and code that ABCI
 * returns to clients (CheckTx / FinalizeBlock tx results, abci_query), so CosmJS shows the
 * familiar "failed with code N (codespace: sdk). Log: ..." text.
 *
 * Source: cosmos-sdk types/errors/errors.go (codespace "sdk", codes 2..41).
 * Machines throw these from their synchronous handlers; the multiplexer catches them by `_tag`,
 * discards the message branch and reports code + log. Recover with `Effect.catchTag` where an
 * Effect wraps the call.
 */
import { Data } from "effect"

/** Fields common to every chain error: a log line that names what is wrong. */
export interface ChainErrorFields {
  readonly log: string
}

/**
 * Constructor of a tagged chain error class with a fixed codespace/code: every machine defines
 * its own errors with it (`class X extends chainErrorClass("X", "bank", 2) {}`), so all of them
 * are reported alike by the multiplexer.
 */
export const chainErrorClass = <const Tag extends string>(tag: Tag, codespace: string, code: number) =>
  class extends Data.TaggedError(tag)<ChainErrorFields> {
    readonly codespace: string = codespace
    readonly code: number = code
    override get message(): string {
      return this.log
    }
  }

/** Code 2: tx bytes cannot be decoded. */
export class TxDecodeError extends chainErrorClass("TxDecodeError", "sdk", 2) {}
/** Code 3: invalid sequence (bad sequence in a signer info). */
export class InvalidSequence extends chainErrorClass("InvalidSequence", "sdk", 3) {}
/** Code 4: signature verification failed / not authorized. */
export class Unauthorized extends chainErrorClass("Unauthorized", "sdk", 4) {}
/** Code 5: spendable balance too small. */
export class InsufficientFunds extends chainErrorClass("InsufficientFunds", "sdk", 5) {}
/** Code 6: unknown request (unknown message type URL, unknown query path). */
export class UnknownRequest extends chainErrorClass("UnknownRequest", "sdk", 6) {}
/** Code 7: invalid bech32 address or wrong prefix. */
export class InvalidAddress extends chainErrorClass("InvalidAddress", "sdk", 7) {}
/** Code 8: invalid public key. */
export class InvalidPubKey extends chainErrorClass("InvalidPubKey", "sdk", 8) {}
/** Code 9: address has no account. */
export class UnknownAddress extends chainErrorClass("UnknownAddress", "sdk", 9) {}
/** Code 10: invalid coins (denom or amount). */
export class InvalidCoins extends chainErrorClass("InvalidCoins", "sdk", 10) {}
/** Code 11: out of gas. */
export class OutOfGas extends chainErrorClass("OutOfGas", "sdk", 11) {}
/** Code 12: memo too large. */
export class MemoTooLarge extends chainErrorClass("MemoTooLarge", "sdk", 12) {}
/** Code 13: fee below the minimum gas price. */
export class InsufficientFee extends chainErrorClass("InsufficientFee", "sdk", 13) {}
/** Code 15: no signatures. */
export class NoSignatures extends chainErrorClass("NoSignatures", "sdk", 15) {}
/** Code 18: invalid request (malformed message fields). */
export class InvalidRequest extends chainErrorClass("InvalidRequest", "sdk", 18) {}
/** Code 19: tx already in mempool. */
export class TxInMempoolCache extends chainErrorClass("TxInMempoolCache", "sdk", 19) {}
/** Code 20: mempool is full. */
export class MempoolIsFull extends chainErrorClass("MempoolIsFull", "sdk", 20) {}
/** Code 21: tx too large. */
export class TxTooLarge extends chainErrorClass("TxTooLarge", "sdk", 21) {}
/** Code 26: invalid height. */
export class InvalidHeight extends chainErrorClass("InvalidHeight", "sdk", 26) {}
/** Code 28: wrong chain id. */
export class InvalidChainId extends chainErrorClass("InvalidChainId", "sdk", 28) {}
/** Code 32: wrong account sequence. */
export class WrongSequence extends chainErrorClass("WrongSequence", "sdk", 32) {}
/** Code 38: not found. */
export class NotFound extends chainErrorClass("NotFound", "sdk", 38) {}
/** Code 4 in a capability sense: the calling machine lacks the capability for this call. */
export class CapabilityMissing extends chainErrorClass("CapabilityMissing", "sdk", 4) {}
/** Code 37: not supported (feature not built). */
export class NotSupported extends chainErrorClass("NotSupported", "sdk", 37) {}
/** sdk 41 "invalid gas limit": a tx's gas limit above the block's max_gas (x/auth/ante/setup.go SetUpContextDecorator). */
export class InvalidGasLimit extends chainErrorClass("InvalidGasLimit", "sdk", 41) {}

/** Any chain error above. */
export type ChainError = InstanceType<ReturnType<typeof chainErrorClass>>

/** True when `e` is one of the chain errors (has codespace and code). */
export const isChainError = (e: unknown): e is ChainError =>
  typeof e === "object" && e !== null && "_tag" in e && "codespace" in e && "code" in e && "log" in e
