/**
 * The signatures a Cosmos tx's ante step will verify, derived ahead of execution from the tx
 * bytes and the committed auth state: for each signer info with a secp256k1 key and
 * SIGN_MODE_DIRECT, the key the account holds (else the one the tx carries), and the SignDoc
 * (body, auth info, chain id, account number) it signed. Used to verify a block's or a mempool
 * batch's signatures in parallel (modules/auth/VerifierPool.ts) into the verification cache.
 *
 * A best guess by design, kept cheap because it runs on the block's thread: only TxRaw and
 * AuthInfo are decoded (the body is not), and accounts that already hold a key are remembered
 * (an account's number and key never change once set). A signer whose account does not exist
 * yet, or bytes that do not decode, give no check; the ante step verifies what is missing
 * itself, and decides in every case. Never throws.
 *
 * Source: cosmos-sdk x/auth/ante/sigverify.go (SigVerificationDecorator: the account's pubkey,
 * GetSignBytes for SIGN_MODE_DIRECT = SignDoc{body_bytes, auth_info_bytes, chain_id, account_number}).
 */
import { AuthInfo, SignDoc, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing"
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys"
import type { SignatureCheck } from "../../chain/TxPipeline.ts"
import type { KVStore } from "../../store/KVStore.ts"
import { getAccount } from "./Accounts.ts"
import { secp256k1Address } from "./Address.ts"
import { signDigestOf, signDocOf } from "./Ante.ts"
import { SECP256K1_PUBKEY_URL, type AuthDecodedTx } from "./TxDecoder.ts"

/** An account's number and key, as remembered once the key is set. */
interface Known { readonly accountNumber: bigint; readonly pubkey: Uint8Array }

/** Accounts with a key, by address (latin1 of the 20 bytes); FIFO-bounded. */
export class KnownAccounts {
  private readonly map = new Map<string, Known>()
  private readonly max: number
  constructor(max = 65_536) {
    this.max = max
  }

  /** The account's number and the key the ante step will use, or undefined without an account. */
  lookup(store: KVStore, address: Uint8Array, txKey: Uint8Array): { accountNumber: bigint; pubkey: Uint8Array } | undefined {
    const id = Buffer.from(address.buffer, address.byteOffset, address.byteLength).toString("latin1")
    const hit = this.map.get(id)
    if (hit) return hit
    const acc = getAccount(store, address)
    if (!acc) return undefined
    const held = acc.base.pubKey
    if (held === undefined) return { accountNumber: acc.base.accountNumber, pubkey: txKey }
    if (held.typeUrl !== SECP256K1_PUBKEY_URL) return undefined
    const known = { accountNumber: acc.base.accountNumber, pubkey: PubKey.decode(held.value).key }
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!)
    this.map.set(id, known)
    return known
  }
}

/**
 * The checks of one tx (see the module docs); [] when nothing can be derived. With `decoded` (the
 * auth pipeline's cached decoder, internal/DecodedTxs.ts) the tx is decoded the way CheckTx and the
 * block will decode it and the sha256 of its sign bytes is kept with it (Ante.ts signDigestOf):
 * the ante step that follows finds it instead of encoding and hashing again, and the verifier
 * gets the digest. Bytes that do not decode fully give no check there (their CheckTx refuses them).
 */
export const signatureChecks = (
  bytes: Uint8Array, store: KVStore, chainId: string, maxTxBytes: number, accounts: KnownAccounts, decoded?: (bytes: Uint8Array) => AuthDecodedTx
): ReadonlyArray<SignatureCheck> => {
  if (bytes.length > maxTxBytes) return []
  if (decoded) return checksOfDecoded(bytes, store, chainId, accounts, decoded)
  try {
    const raw = TxRaw.decode(bytes)
    const infos = AuthInfo.decode(raw.authInfoBytes).signerInfos
    const out: SignatureCheck[] = []
    infos.forEach((info, i) => {
      const signature = raw.signatures[i]
      const key = info.publicKey
      if (info.modeInfo?.single?.mode !== SignMode.SIGN_MODE_DIRECT || signature?.length !== 64) return
      // cosmos.crypto.secp256k1.PubKey { bytes key = 1 } with a 33-byte compressed key.
      if (key?.typeUrl !== SECP256K1_PUBKEY_URL || key.value.length !== 35 || key.value[0] !== 0x0a || key.value[1] !== 33) return
      const txKey = key.value.subarray(2)
      const acc = accounts.lookup(store, secp256k1Address(txKey), txKey)
      if (!acc || acc.pubkey.length !== 33) return
      const message = SignDoc.encode({ bodyBytes: raw.bodyBytes, authInfoBytes: raw.authInfoBytes, chainId, accountNumber: acc.accountNumber }).finish()
      out.push({ scheme: "secp256k1", pubkey: acc.pubkey, message, signature })
    })
    return out
  } catch {
    return []
  }
}

const checksOfDecoded = (bytes: Uint8Array, store: KVStore, chainId: string, accounts: KnownAccounts, decoded: (bytes: Uint8Array) => AuthDecodedTx): ReadonlyArray<SignatureCheck> => {
  try {
    const tx = decoded(bytes)
    const out: SignatureCheck[] = []
    tx.signerInfos.forEach((info, i) => {
      const signature = tx.signatures[i]
      // a decoded signer's key is a validated 33-byte compressed secp256k1 key (TxDecoder.ts)
      const txKey = info.pubkey
      if (info.signMode !== "direct" || signature?.length !== 64 || txKey?.length !== 33) return
      const acc = accounts.lookup(store, secp256k1Address(txKey), txKey)
      if (!acc || acc.pubkey.length !== 33) return
      const message = signDocOf(tx, chainId, acc.accountNumber)
      out.push({ scheme: "secp256k1", pubkey: acc.pubkey, message, signature, digest: signDigestOf(tx, chainId, acc.accountNumber, message) })
    })
    return out
  } catch {
    return []
  }
}
