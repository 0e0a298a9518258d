/**
 * The ante chain: what runs before a transaction's messages (Cosmos SDK x/auth/ante, SDK 0.50
 * decorator order): signer/signature counts, timeout height, memo size, tx-size gas, minimum gas
 * price (CheckTx only), fee deduction to the fee collector (through the bank machine), public
 * key on first use, signature gas, SIGN_MODE_DIRECT secp256k1 verification, sequence check and
 * increment.
 *
 * Modes: "check" runs everything; "recheck" skips signature verification (as the SDK);
 * "simulate" skips verification and the fee floor, and charges gas for the missing signatures;
 * "finalize" runs everything but the node-local fee floor.
 *
 * Source: cosmos-sdk x/auth/ante/{basic.go (ValidateBasic, TxTimeoutHeight, ValidateMemo,
 * ConsumeTxSizeGas), fee.go + validator_tx_fee.go (DeductFee, checkTxFeeWithValidatorMinGasPrices),
 * sigverify.go (SetPubKey, ValidateSigCount, SigGasConsume, SigVerification, IncrementSequence)}.
 */
import { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys"
import type { Any } from "cosmjs-types/google/protobuf/any"
import {
  InsufficientFee, InsufficientFunds, InvalidPubKey, isChainError, MemoTooLarge, NotSupported, Unauthorized, UnknownAddress, WrongSequence
} from "../../chain/ChainError.ts"
import type { ExecContext } from "../../chain/Machine.ts"
import type { TxMode } from "../../chain/TxPipeline.ts"
import { SendRequest, SendResponse } from "../../chain/generated/bank.ts"
import { coinsString, requiredFee, toProtoCoins, type DecCoin } from "../bank/Coin.ts"
import { event } from "../bank/internal/Ledger.ts"
import { getAccount, getParams, setAccount, type Account } from "./Accounts.ts"
import { bytesEqual, canonicalAddress, parseAddress, secp256k1Address } from "./Address.ts"
import { TooManySignatures, TxTimeoutHeight } from "./AuthError.ts"
import { verifySecp256k1 } from "./internal/Secp256k1.ts"
import { sha256 } from "../../lib/Bytes.ts"
import { SECP256K1_PUBKEY_URL, type AuthDecodedTx } from "./TxDecoder.ts"

/** What the ante chain needs besides the tx. */
export interface AnteOptions {
  readonly bech32Prefix: string
  /** Node-local minimum gas prices (parsed), enforced in check/recheck mode. */
  readonly minGasPrices: ReadonlyArray<DecCoin>
  /** Machine holding balances (fee deduction goes through its "send" call). */
  readonly bankMachine: string
  /** Bech32 address of the fee collector module account. */
  readonly feeCollector: string
}

/** What bankClient(ctx.call, bank).send does, without a client object per tx (the fee debit). */
const bankSend = (ctx: ExecContext, bank: string, req: SendRequest): void => {
  SendResponse.decode(ctx.call({ target: bank, method: "send", body: SendRequest.encode(req) }))
}

/** Bytes a missing signature is charged for in simulate mode (64-byte sig + key Any + framing). */
const SIMULATED_SIG_BYTES = 64 + 35 + 10

const utf8Length = (s: string): number => Buffer.byteLength(s, "utf8")

/** Unique signers of the messages in order, then the fee payer if it is not among them. */
export const txSigners = (tx: AuthDecodedTx, signersOf: (msg: Any) => ReadonlyArray<string>, prefix: string): string[] => {
  // asked twice per tx (the executor's `signer` scope, then the ante): a decoded tx is immutable
  const known = signersMemo.get(tx)
  if (known && known.prefix === prefix) return [...known.signers]
  const out: string[] = []
  const seen = new Set<string>()
  const add = (s: string) => {
    const c = canonicalAddress(s, prefix)
    if (!seen.has(c)) {
      seen.add(c)
      out.push(c)
    }
  }
  for (const msg of tx.msgs) for (const s of signersOf(msg)) add(s)
  if (tx.feePayer !== "") add(canonicalAddress(tx.feePayer, prefix, "invalid fee payer address"))
  signersMemo.set(tx, { prefix, signers: out.slice() }) // exact length: kept with the cached tx
  return [...out]
}
const signersMemo = new WeakMap<AuthDecodedTx, { readonly prefix: string; readonly signers: ReadonlyArray<string> }>()

/** SIGN_MODE_DIRECT sign bytes of `tx` for one signer: SignDoc{body_bytes, auth_info_bytes, chain_id, account_number}, encoded afresh. */
export const signDocOf = (tx: AuthDecodedTx, chainId: string, accountNumber: bigint): Uint8Array =>
  SignDoc.encode({ bodyBytes: tx.bodyBytes, authInfoBytes: tx.authInfoBytes, chainId, accountNumber }).finish()

/**
 * sha256 of signDocOf(tx, chainId, accountNumber) (32 bytes), computed once per decoded tx, chain id
 * and account number: CheckTx and FinalizeBlock share the decoded tx (internal/DecodedTxs.ts), and
 * the node's signature pre-check (SignatureChecks.ts) computes it first, so the ante step finds it
 * and looks the verification up without encoding or hashing. Only the digest is kept (the SignDoc
 * is encoded again, by the caller, where a verification must run). `message`, when the caller has
 * it, must be signDocOf(tx, chainId, accountNumber): it is hashed instead of encoding again.
 */
export const signDigestOf = (tx: AuthDecodedTx, chainId: string, accountNumber: bigint, message?: Uint8Array): Uint8Array => {
  const memo = signDigestMemo.get(tx)
  if (memo) for (const m of memo) if (m.accountNumber === accountNumber && m.chainId === chainId) return m.digest
  const out = { chainId, accountNumber, digest: sha256(message ?? signDocOf(tx, chainId, accountNumber)) }
  // exact-length arrays: a cached tx keeps these until its block
  if (!memo) signDigestMemo.set(tx, [out])
  else if (memo.length < 16) memo.push(out)
  return out.digest
}
const signDigestMemo = new WeakMap<AuthDecodedTx, Array<{ readonly chainId: string; readonly accountNumber: bigint; readonly digest: Uint8Array }>>()

/**
 * Run the ante chain for `tx` in `ctx` (the auth namespace of the ante branch; `ctx.gas` is the
 * tx's gas meter). Returns the tx signers (unique, in order). Throws the SDK's errors:
 * Unauthorized (4) for signer-count mismatches and failed signatures, TxTimeoutHeight (30),
 * MemoTooLarge (12), OutOfGas (11), InsufficientFee (13), UnknownAddress (9), InsufficientFunds (5),
 * InvalidPubKey (8), TooManySignatures (23), WrongSequence (32).
 */
export const ante = (
  ctx: ExecContext,
  tx: AuthDecodedTx,
  signersOf: (msg: Any) => ReadonlyArray<string>,
  mode: TxMode,
  opts: AnteOptions
): { readonly signers: ReadonlyArray<string> } => {
  const prefix = opts.bech32Prefix
  const signers = txSigners(tx, signersOf, prefix)
  // ValidateBasic: one signature and one signer info per signer.
  if (tx.signatures.length !== signers.length) {
    throw new Unauthorized({ log: `wrong number of signers; expected ${signers.length}, got ${tx.signatures.length}: unauthorized` })
  }
  if (tx.signerInfos.length !== signers.length) {
    throw new Unauthorized({ log: `invalid number of signer;  expected: ${signers.length}, got ${tx.signerInfos.length}: unauthorized` })
  }
  // TxTimeoutHeight.
  if (tx.timeoutHeight > 0n && BigInt(ctx.height) > tx.timeoutHeight) {
    throw new TxTimeoutHeight({ log: `block height: ${ctx.height}, timeout height: ${tx.timeoutHeight}: tx timeout height` })
  }
  const params = getParams(ctx.store)
  // ValidateMemo.
  const memoLength = utf8Length(tx.memo)
  if (BigInt(memoLength) > params.maxMemoCharacters) {
    throw new MemoTooLarge({ log: `maximum number of characters is ${params.maxMemoCharacters} but received ${memoLength} characters: memo too large` })
  }
  // ConsumeTxSizeGas.
  const perByte = Number(params.txSizeCostPerByte)
  ctx.gas.consume(perByte * tx.bytes.length, "txSize")
  if (mode === "simulate") {
    for (const sig of tx.signatures) if (sig.length === 0) ctx.gas.consume(perByte * SIMULATED_SIG_BYTES, "txSize")
  }
  // Load the signer accounts once (written back after the sequence increment).
  const addrs = signers.map((s) => parseAddress(s, prefix))
  const accounts: Account[] = addrs.map((a, i) => {
    const acc = getAccount(ctx.store, a)
    if (!acc) throw new UnknownAddress({ log: `account ${signers[i]} does not exist: unknown address` })
    return acc
  })
  // DeductFee (fee floor in CheckTx only, node-local).
  if ((mode === "check" || mode === "recheck") && opts.minGasPrices.some((p) => p.atto > 0n)) {
    const required = opts.minGasPrices.map((p) => requiredFee(p, BigInt(tx.gasLimit)))
    const enough = required.some((r) => (tx.fee.find((f) => f.denom === r.denom)?.amount ?? -1n) >= r.amount)
    if (!enough) {
      throw new InsufficientFee({ log: `insufficient fees; got: ${coinsString(tx.fee)} required: ${coinsString(required)}: insufficient fee` })
    }
  }
  const payer = tx.feePayer === "" ? signers[0]! : canonicalAddress(tx.feePayer, prefix)
  if (tx.fee.length > 0) {
    try {
      bankSend(ctx, opts.bankMachine, { from: payer, to: opts.feeCollector, amount: toProtoCoins(tx.fee) })
    } catch (e) {
      if (isChainError(e) && e._tag === "InsufficientFunds") throw new InsufficientFunds({ log: `${e.log}: insufficient funds` })
      throw e
    }
  } else if (mode === "simulate" && opts.minGasPrices.length > 0) {
    // CosmJS simulates with an empty fee, but the signed tx will carry one: charge the gas of
    // that deduction (reads and writes of the payer's and the collector's balances) with a
    // stand-in of one base unit, in the simulate branch that is thrown away. Without it the
    // estimate is about 9,000 gas short of delivery. A payer who cannot pay even that is left
    // to delivery to refuse.
    try {
      bankSend(ctx, opts.bankMachine, { from: payer, to: opts.feeCollector, amount: [{ denom: opts.minGasPrices[0]!.denom, amount: "1" }] })
    } catch (e) {
      if (!(isChainError(e) && e._tag === "InsufficientFunds")) throw e
    }
  }
  ctx.emit(event("tx", ["fee", coinsString(tx.fee)], ["fee_payer", payer]))
  // SetPubKey.
  const updated: Account[] = accounts.map((acc, i) => {
    const pk = tx.signerInfos[i]!.pubkey
    if (!pk || acc.base.pubKey) return acc
    if (!bytesEqual(secp256k1Address(pk), addrs[i]!)) {
      throw new InvalidPubKey({ log: `pubKey does not match signer address ${signers[i]} with signer index: ${i}: invalid pubkey` })
    }
    return { ...acc, base: { ...acc.base, pubKey: { typeUrl: SECP256K1_PUBKEY_URL, value: PubKey.encode({ key: pk }).finish() } } }
  })
  for (let i = 0; i < signers.length; i++) {
    ctx.emit(event("tx", ["acc_seq", `${signers[i]}/${updated[i]!.base.sequence}`]))
    const sig = tx.signatures[i]!
    ctx.emit(event("tx", ["signature", Buffer.from(sig.buffer, sig.byteOffset, sig.length).toString("base64")]))
  }
  // ValidateSigCount (single keys: one per signer).
  if (BigInt(signers.length) > params.txSigLimit) {
    throw new TooManySignatures({ log: `signatures: ${signers.length}, limit: ${params.txSigLimit}: too many signatures` })
  }
  // SigGasConsume + SigVerification.
  const verifyCost = Number(params.sigVerifyCostSecp256k1)
  const verifySigs = mode === "check" || mode === "finalize"
  for (let i = 0; i < signers.length; i++) {
    const acc = updated[i]!
    const info = tx.signerInfos[i]!
    let pubkey: Uint8Array | undefined
    if (acc.base.pubKey) {
      if (acc.base.pubKey.typeUrl !== SECP256K1_PUBKEY_URL) {
        throw new InvalidPubKey({ log: `unsupported public key type ${acc.base.pubKey.typeUrl} on account ${signers[i]}: invalid pubkey` })
      }
      pubkey = PubKey.decode(acc.base.pubKey.value).key
    }
    if (!pubkey && mode !== "simulate") throw new InvalidPubKey({ log: "pubkey on account is not set: invalid pubkey" })
    if (info.signMode !== "direct" && mode !== "simulate") {
      throw new NotSupported({ log: `signer ${i}: SIGN_MODE_UNSPECIFIED is accepted only in simulation, sign with SIGN_MODE_DIRECT: not supported` })
    }
    ctx.gas.consume(verifyCost, "ante verify: secp256k1")
    if (info.sequence !== acc.base.sequence) {
      throw new WrongSequence({ log: `account sequence mismatch, expected ${acc.base.sequence}, got ${info.sequence}: incorrect account sequence` })
    }
    if (verifySigs) {
      const accountNumber = acc.base.accountNumber
      const digest = signDigestOf(tx, ctx.chainId, accountNumber)
      if (!verifySecp256k1(pubkey!, () => signDocOf(tx, ctx.chainId, accountNumber), tx.signatures[i]!, digest)) {
        throw new Unauthorized({
          log: `signature verification failed; please verify account number (${acc.base.accountNumber}), sequence (${acc.base.sequence}) and chain-id (${ctx.chainId}): unauthorized`
        })
      }
    }
  }
  // IncrementSequence.
  for (let i = 0; i < signers.length; i++) {
    const acc = updated[i]!
    setAccount(ctx.store, addrs[i]!, { ...acc, base: { ...acc.base, sequence: acc.base.sequence + 1n } })
  }
  return { signers }
}
