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

/** Constructor of a tagged chain error class with a fixed codespace/code. */
const chainError = <const Tag extends string>(tag: Tag, codespace: string, code: number) =>
  class extends Data.TaggedError(tag)<ChainErrorFields> {
    readonly codespace: string = codespace
    readonly code: number = code
    override get message(): string {
      return this.log
    }
  }

/** Code 2: tx bytes cannot be decoded. */
export class TxDecodeError extends chainError("TxDecodeError", "sdk", 2) {}
/** Code 3: invalid sequence (bad sequence in a signer info). */
export class InvalidSequence extends chainError("InvalidSequence", "sdk", 3) {}
/** Code 4: signature verification failed / not authorized. */
export class Unauthorized extends chainError("Unauthorized", "sdk", 4) {}
/** Code 5: spendable balance too small. */
export class InsufficientFunds extends chainError("InsufficientFunds", "sdk", 5) {}
/** Code 6: unknown request (unknown message type URL, unknown query path). */
export class UnknownRequest extends chainError("UnknownRequest", "sdk", 6) {}
/** Code 7: invalid bech32 address or wrong prefix. */
export class InvalidAddress extends chainError("InvalidAddress", "sdk", 7) {}
/** Code 8: invalid public key. */
export class InvalidPubKey extends chainError("InvalidPubKey", "sdk", 8) {}
/** Code 9: address has no account. */
export class UnknownAddress extends chainError("UnknownAddress", "sdk", 9) {}
/** Code 10: invalid coins (denom or amount). */
export class InvalidCoins extends chainError("InvalidCoins", "sdk", 10) {}
/** Code 11: out of gas. */
export class OutOfGas extends chainError("OutOfGas", "sdk", 11) {}
/** Code 12: memo too large. */
export class MemoTooLarge extends chainError("MemoTooLarge", "sdk", 12) {}
/** Code 13: fee below the minimum gas price. */
export class InsufficientFee extends chainError("InsufficientFee", "sdk", 13) {}
/** Code 15: no signatures. */
export class NoSignatures extends chainError("NoSignatures", "sdk", 15) {}
/** Code 18: invalid request (malformed message fields). */
export class InvalidRequest extends chainError("InvalidRequest", "sdk", 18) {}
/** Code 19: tx already in mempool. */
export class TxInMempoolCache extends chainError("TxInMempoolCache", "sdk", 19) {}
/** Code 20: mempool is full. */
export class MempoolIsFull extends chainError("MempoolIsFull", "sdk", 20) {}
/** Code 21: tx too large. */
export class TxTooLarge extends chainError("TxTooLarge", "sdk", 21) {}
/** Code 26: invalid height. */
export class InvalidHeight extends chainError("InvalidHeight", "sdk", 26) {}
/** Code 28: wrong chain id. */
export class InvalidChainId extends chainError("InvalidChainId", "sdk", 28) {}
/** Code 32: wrong account sequence. */
export class WrongSequence extends chainError("WrongSequence", "sdk", 32) {}
/** Code 38: not found. */
export class NotFound extends chainError("NotFound", "sdk", 38) {}
/** Code 4 in a capability sense: the calling machine lacks the capability for this call. */
export class CapabilityMissing extends chainError("CapabilityMissing", "sdk", 4) {}
/** Code 37: not supported (feature not built). */
export class NotSupported extends chainError("NotSupported", "sdk", 37) {}

/** Any chain error above. */
export type ChainError = InstanceType<ReturnType<typeof chainError>>

/** True when `e` is one of the chain errors (has codespace and code). */
export const isChainError = (e: unknown): e is ChainError =>
  typeof e === "object" && e !== null && "_tag" in e && "codespace" in e && "code" in e && "log" in e
