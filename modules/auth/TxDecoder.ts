/**
 * Decoding the Cosmos SDK transaction envelope: TxRaw -> TxBody + AuthInfo + signatures, with the
 * stateless checks of the SDK tx decoder and `Tx.ValidateBasic`.
 *
 * Source: cosmos-sdk x/auth/tx/decoder.go (DefaultTxDecoder), types/tx/types.go (ValidateBasic:
 * "missing fee", gas limit bound, fee coins, no signatures), baseapp/baseapp.go
 * (validateBasicTxMsgs "must contain at least one message"), CometBFT mempool max_tx_bytes.
 */
import { BinaryReader } from "cosmjs-types/binary"
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing"
import { AuthInfo, TxBody, TxRaw, type Fee, type SignerInfo } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { InsufficientFee, InvalidPubKey, InvalidRequest, NoSignatures, NotSupported, TxDecodeError, TxTooLarge } from "../../chain/ChainError.ts"
import type { DecodedTx } from "../../chain/TxPipeline.ts"
import { validCoins, type Coin } from "../bank/Coin.ts"
import { UnknownExtensionOptions } from "./AuthError.ts"

/** Type URL of the only supported public key type. */
export const SECP256K1_PUBKEY_URL = "/cosmos.crypto.secp256k1.PubKey"

/** One signer of the tx: its compressed secp256k1 key (if given) and claimed sequence. */
export interface DecodedSigner {
  /** 33-byte compressed secp256k1 public key, or undefined when the signer info has none. */
  readonly pubkey: Uint8Array | undefined
  readonly sequence: bigint
  /**
   * The declared sign mode: "direct", or "unspecified", which CosmJS sends when it simulates;
   * the ante step accepts "unspecified" in simulate mode only.
   */
  readonly signMode: "direct" | "unspecified"
}

/**
 * A decoded, statelessly validated transaction (extends the pipeline's DecodedTx: `bytes`, `msgs`
 * as the body's `Any`s in order, `gasLimit` from the fee, `memo`). Only what the pipeline reads is
 * kept: no cosmjs TxBody / AuthInfo objects (a decoded tx lives in the decode cache from CheckTx to
 * its block, and the young-generation GC copies whatever it keeps); what the body and auth info
 * hold beyond these fields is checked by decodeTx and dropped (extension options: refused;
 * non-critical extension options, the signer infos' key Anys and mode infos, the fee's granter and
 * gas limit: read into the fields below). Every Uint8Array here is a view of `bytes`.
 */
export interface AuthDecodedTx extends DecodedTx {
  /** TxRaw.body_bytes: what the SignDoc signs. */
  readonly bodyBytes: Uint8Array
  /** TxRaw.auth_info_bytes: what the SignDoc signs. */
  readonly authInfoBytes: Uint8Array
  /** TxRaw.signatures, in signer order (at least one). */
  readonly signatures: ReadonlyArray<Uint8Array>
  /** AuthInfo.signer_infos, checked and reduced (key, sequence, sign mode). */
  readonly signerInfos: ReadonlyArray<DecodedSigner>
  /** Fee coins, validated (sorted, positive); may be empty. */
  readonly fee: ReadonlyArray<Coin>
  /** AuthInfo.fee.payer (bech32, unchecked here), "" when not set. */
  readonly feePayer: string
  /** TxBody.timeout_height, 0n when not set. */
  readonly timeoutHeight: bigint
}

/**
 * One string per distinct message type URL and fee denom (at most SHARED_MAX strings of at most
 * SHARED_MAX_LENGTH characters, then forgotten all at once; longer strings are not shared, so the
 * table holds at most 128 KiB of characters whatever txs come): each decode makes fresh copies of
 * these few strings, and a cached tx should not keep its own. Equal strings either way, so no
 * result depends on it; junk type URLs can only make it forget the useful ones.
 */
const shared = new Map<string, string>()
const SHARED_MAX = 1_024
const SHARED_MAX_LENGTH = 128
const share = (s: string): string => {
  if (s.length > SHARED_MAX_LENGTH) return s
  const known = shared.get(s)
  if (known !== undefined) return known
  if (shared.size >= SHARED_MAX) shared.clear()
  shared.set(s, s)
  return s
}

/** The shared-string table's size: strings and their characters (tests check the bound). */
export const sharedStringsHeld = (): { readonly strings: number; readonly chars: number } => {
  let chars = 0
  for (const s of shared.keys()) chars += s.length
  return { strings: shared.size, chars }
}

/** Default largest tx: 1 MiB (CometBFT mempool max_tx_bytes; AuthConfig.maxTxBytes default). */
export const DEFAULT_MAX_TX_BYTES = 1_048_576

/** Decoder limits. */
export interface DecodeOptions {
  /** Largest accepted tx in bytes. */
  readonly maxTxBytes: number
}

const decodePart = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new TxDecodeError({ log: `tx parse error: invalid ${what}: ${(e as Error).message}: tx parse error` })
  }
}

/**
 * A reader over `bytes` itself. cosmjs-types' `new BinaryReader(bytes)` copies its input, so
 * TxRaw, TxBody and AuthInfo each copied the part they decode (three copies of a tx, each with
 * its own off-heap backing store, all kept with the decoded tx). decodeTx copies the tx once
 * and decodes every part from views of that private copy: same bytes read, same errors.
 */
const readerOf = (bytes: Uint8Array): BinaryReader => {
  const r = new BinaryReader()
  r.buf = bytes
  r.len = bytes.length
  return r
}

const decodeSignerInfo = (info: SignerInfo, index: number): DecodedSigner => {
  const single = info.modeInfo?.single
  if (!single) {
    if (info.modeInfo?.multi) throw new NotSupported({ log: `signer ${index}: multisig signer infos are not supported: not supported` })
    throw new TxDecodeError({ log: `signer ${index}: missing mode info: tx parse error` })
  }
  if (single.mode !== SignMode.SIGN_MODE_DIRECT && single.mode !== SignMode.SIGN_MODE_UNSPECIFIED) {
    const name = SignMode[single.mode] ?? `sign mode ${single.mode}`
    throw new NotSupported({ log: `signer ${index}: ${name} is not supported, only SIGN_MODE_DIRECT: not supported` })
  }
  let pubkey: Uint8Array | undefined
  if (info.publicKey) {
    if (info.publicKey.typeUrl !== SECP256K1_PUBKEY_URL) {
      throw new InvalidPubKey({ log: `signer ${index}: unsupported public key type ${info.publicKey.typeUrl}, only ${SECP256K1_PUBKEY_URL}: invalid pubkey` })
    }
    // cosmos.crypto.secp256k1.PubKey { bytes key = 1 }: parsed by hand to keep the hot path short.
    const v = info.publicKey.value
    if (v.length !== 35 || v[0] !== 0x0a || v[1] !== 33) {
      throw new InvalidPubKey({ log: `signer ${index}: invalid secp256k1 public key encoding (want 33 compressed bytes): invalid pubkey` })
    }
    pubkey = v.subarray(2)
    if (pubkey[0] !== 2 && pubkey[0] !== 3) throw new InvalidPubKey({ log: `signer ${index}: secp256k1 public key is not compressed: invalid pubkey` })
  }
  return { pubkey, sequence: info.sequence === 0n ? 0n : info.sequence, signMode: single.mode === SignMode.SIGN_MODE_DIRECT ? "direct" : "unspecified" }
}

/** The fee's payer and granter checks (fee grants are not built). */
const checkFee = (fee: Fee): ReadonlyArray<Coin> => {
  if (fee.gasLimit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidRequest({ log: `invalid gas supplied; ${fee.gasLimit} > ${Number.MAX_SAFE_INTEGER}: invalid request` })
  }
  if (fee.granter !== "") throw new NotSupported({ log: `fee granter ${fee.granter}: fee grants are not supported: not supported` })
  // Zero-amount fee coins are allowed and mean no fee (SDK: ValidateBasic refuses only negative
  // or null amounts, DeductFee skips a zero fee); CosmJS sends "0<denom>" at gas price 0.
  const nonZero = fee.amount.filter((c) => !/^0+$/.test(c.amount))
  try {
    // exact-length array (validCoins grows its own by push), one shared string per denom
    return validCoins(nonZero, true).map((c) => ({ denom: share(c.denom), amount: c.amount }))
  } catch (e) {
    throw new InsufficientFee({ log: `invalid fee provided: ${(e as Error).message.replace(/: invalid coins$/, "")}: insufficient fee` })
  }
}

/**
 * Decode `bytes` (a TxRaw) and validate it statelessly. Throws TxTooLarge (21) above
 * `maxTxBytes` (default 1 MiB), TxDecodeError (2) naming the part that does not parse (TxRaw, TxBody, AuthInfo),
 * InvalidRequest (18) without messages / with too much gas, TxDecodeError "missing fee",
 * InsufficientFee (13) for invalid fee coins, NoSignatures (15), NotSupported (37) for sign modes
 * other than SIGN_MODE_DIRECT, multisig and fee grants, UnknownExtensionOptions (31), InvalidPubKey (8) for
 * key types other than secp256k1. The result never aliases `bytes`: it is decoded from one
 * private copy (`bytes` of the result), so a caller may reuse its buffer.
 */
export const decodeTx = (bytes: Uint8Array, opts: DecodeOptions = { maxTxBytes: DEFAULT_MAX_TX_BYTES }): AuthDecodedTx => {
  if (bytes.length > opts.maxTxBytes) {
    throw new TxTooLarge({ log: `tx too large: ${bytes.length} bytes, max ${opts.maxTxBytes}: tx too large` })
  }
  if (bytes.length === 0) throw new TxDecodeError({ log: "tx parse error: empty tx bytes: tx parse error" })
  // the one private copy: every decoded field is a view of it, never of the caller's buffer
  const own = new Uint8Array(bytes)
  const raw = decodePart("TxRaw", () => TxRaw.decode(readerOf(own)))
  const body = decodePart("TxBody", () => TxBody.decode(readerOf(raw.bodyBytes)))
  const authInfo = decodePart("AuthInfo", () => AuthInfo.decode(readerOf(raw.authInfoBytes)))
  if (body.extensionOptions.length > 0) {
    throw new UnknownExtensionOptions({ log: `unknown extension options: ${body.extensionOptions.map((o) => o.typeUrl).join(", ")}: unknown extension options` })
  }
  const msgs = body.messages
  if (msgs.length === 0) throw new InvalidRequest({ log: "must contain at least one message: invalid request" })
  for (const [i, m] of msgs.entries()) {
    if (m.typeUrl === "") throw new TxDecodeError({ log: `message ${i} has an empty type URL: tx parse error` })
    m.typeUrl = share(m.typeUrl) // these Anys were just decoded: ours to change
  }
  if (!authInfo.fee) throw new TxDecodeError({ log: "missing fee: tx parse error" })
  const fee = checkFee(authInfo.fee)
  if (raw.signatures.length === 0) throw new NoSignatures({ log: "no signatures supplied" })
  const signerInfos = authInfo.signerInfos.map(decodeSignerInfo)
  // arrays copied to their exact length (the decoders grow theirs by push); 0n as the literal
  return new LeanTx(own, msgs.slice(), Number(authInfo.fee.gasLimit), body.memo, raw.bodyBytes, raw.authInfoBytes, raw.signatures.slice(), signerInfos, fee,
    authInfo.fee.payer, body.timeoutHeight === 0n ? 0n : body.timeoutHeight)
}

/**
 * decodeTx's result. `bodyBytes` and `authInfoBytes` are made on each read, as views of `bytes`
 * at offsets kept as small integers: a kept view costs about 100 bytes of heap per cached tx, and
 * these two are read once per tx and chain (the SignDoc, Ante.ts signDocOf).
 */
class LeanTx implements AuthDecodedTx {
  readonly bytes: Uint8Array
  readonly msgs: ReadonlyArray<Any>
  readonly gasLimit: number
  readonly memo: string
  readonly signatures: ReadonlyArray<Uint8Array>
  readonly signerInfos: ReadonlyArray<DecodedSigner>
  readonly fee: ReadonlyArray<Coin>
  readonly feePayer: string
  readonly timeoutHeight: bigint
  readonly #body0: number
  readonly #body1: number
  readonly #auth0: number
  readonly #auth1: number
  constructor(
    bytes: Uint8Array, msgs: ReadonlyArray<Any>, gasLimit: number, memo: string, body: Uint8Array, authInfo: Uint8Array,
    signatures: ReadonlyArray<Uint8Array>, signerInfos: ReadonlyArray<DecodedSigner>, fee: ReadonlyArray<Coin>, feePayer: string, timeoutHeight: bigint
  ) {
    this.bytes = bytes
    this.msgs = msgs
    this.gasLimit = gasLimit
    this.memo = memo
    this.signatures = signatures
    this.signerInfos = signerInfos
    this.fee = fee
    this.feePayer = feePayer
    this.timeoutHeight = timeoutHeight
    // body and authInfo are views of `bytes` (decodeTx decodes from it)
    this.#body0 = body.byteOffset - bytes.byteOffset
    this.#body1 = this.#body0 + body.length
    this.#auth0 = authInfo.byteOffset - bytes.byteOffset
    this.#auth1 = this.#auth0 + authInfo.length
  }
  get bodyBytes(): Uint8Array {
    return this.bytes.subarray(this.#body0, this.#body1)
  }
  get authInfoBytes(): Uint8Array {
    return this.bytes.subarray(this.#auth0, this.#auth1)
  }
}
