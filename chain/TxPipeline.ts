/**
 * The transaction pipeline contract the multiplexer uses before routing messages: decoding the
 * Cosmos SDK envelope and the ante step (signatures, sequences, fees). modules/auth implements it.
 *
 * Source: cosmos-sdk baseapp/baseapp.go runTx, x/auth/ante.
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { KVStore } from "../store/KVStore.ts"
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

/**
 * A signature the ante step will check, computed ahead of execution so that it can be verified
 * in parallel off the block's thread (modules/auth/VerifierPool.ts). `message` is what was signed
 * (the SignDoc bytes); verification hashes it. Only a cache is filled from these: the ante step
 * still decides, so a wrong guess (an account created in the same block) costs a verification,
 * never a different result.
 */
export interface SignatureCheck {
  readonly scheme: "secp256k1"
  /** Compressed SEC1 public key, 33 bytes. */
  readonly pubkey: Uint8Array
  readonly message: Uint8Array
  /** r||s, 64 bytes. */
  readonly signature: Uint8Array
  /**
   * sha256 of `message` when the pipeline already has it (auth keeps it with the decoded tx, where
   * the ante step looks its verification up): the verifier then does not hash the message again.
   */
  readonly digest?: Uint8Array
}

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
  /**
   * The signatures `ante` would verify for these tx bytes, as far as the committed state
   * `store` (the ante machine's namespace, read-only) tells: a best guess, [] for bytes it cannot
   * decode. Never throws. Node plane only (parallel pre-verification); never part of a result.
   */
  signatureChecks?(bytes: Uint8Array, store: KVStore, chainId: string): ReadonlyArray<SignatureCheck>
}

/**
 * A transaction encoding other than the Cosmos SDK's TxRaw, served by an active machine (the EVM
 * plugin's Ethereum transactions): the multiplexer gives a block tx to the first active machine's
 * format whose `matches` accepts it, else to the Cosmos pipeline. A TxRaw begins with byte 0x0a
 * (field 1, body_bytes), so a format must never match bytes that begin with it.
 *
 * The ante step runs in the serving machine's own namespace (the EVM keeps Ethereum nonces there);
 * as with the Cosmos ante, its writes (fees, nonce) stick in FinalizeBlock when the messages fail.
 */
export interface TxFormat {
  /** Message type URLs valid only inside this format: a Cosmos tx carrying one is refused (Unauthorized). */
  readonly msgTypeUrls: ReadonlyArray<string>
  /** Whether `bytes` are in this format (a check of the leading bytes, no decoding). */
  matches(bytes: Uint8Array): boolean
  /** Decode and statelessly validate (TxDecodeError naming the problem). */
  decode(bytes: Uint8Array): DecodedTx
  /** The tx's signers (bech32) as its own signature proves them; they bound `signer` constraints. */
  txSigners(tx: DecodedTx): ReadonlyArray<string>
  /** Stateful checks and charges before the messages (nonce, balance, fee); returns the signers. */
  ante(ctx: ExecContext, tx: DecodedTx, mode: TxMode): { readonly signers: ReadonlyArray<string> }
}
