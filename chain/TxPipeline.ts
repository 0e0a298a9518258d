/**
 * The transaction pipeline contract the multiplexer uses before routing messages: decoding the
 * Cosmos SDK envelope and the ante step (signatures, sequences, fees). modules/auth implements it.
 *
 * Source: cosmos-sdk baseapp/baseapp.go runTx, x/auth/ante.
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { ExecContext } from "./Machine.ts"

/** A decoded transaction (TxRaw -> TxBody + AuthInfo). */
export interface DecodedTx {
  /** The raw tx bytes as received. */
  readonly bytes: Uint8Array
  readonly msgs: ReadonlyArray<Any>
  /** Gas limit from AuthInfo.fee (units of gas). */
  readonly gasLimit: number
  readonly memo: string
}

/** Execution mode, as baseapp's execMode. */
export type TxMode = "check" | "recheck" | "finalize" | "simulate"

/** Decoder + ante handler. Both throw chain errors (chain/ChainError.ts) on rejection. */
export interface TxPipeline {
  /** Decode and statelessly validate tx bytes (TxDecodeError, TxTooLarge, ...). */
  decode(bytes: Uint8Array): DecodedTx
  /**
   * Run the ante chain in `ctx` (the auth machine's namespace inside the ante branch, gas meter
   * limited by the tx's gas limit). `signersOf` gives each message's signers. Returns the tx
   * signers (unique, in order) and the events the ante emitted through ctx.emit.
   */
  ante(ctx: ExecContext, tx: DecodedTx, signersOf: (msg: Any) => ReadonlyArray<string>, mode: TxMode): { readonly signers: ReadonlyArray<string> }
  /**
   * The signers the tx declares (messages' signers, then the fee payer), canonical bech32, before
   * any signature is checked: they bound the `signer` constraint of calls the ante step makes
   * (auth's fee debit `bank.send {from: signer}`). Throws like `ante` on a bad address.
   */
  txSigners?(tx: DecodedTx, signersOf: (msg: Any) => ReadonlyArray<string>): ReadonlyArray<string>
}
