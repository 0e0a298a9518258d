/**
 * The signatures a Cosmos tx's ante step will verify, derived ahead of execution from the tx
 * bytes and the committed auth state: for each signer info with a secp256k1 key and
 * SIGN_MODE_DIRECT, the key the account holds (else the one the tx carries), and the SignDoc
 * (body, auth info, chain id, account number) it signed. Used to verify a block's or a mempool
 * batch's signatures in parallel (modules/auth/VerifierPool.ts) into the verification cache.
 *
 * A best guess by design: a signer whose account does not exist yet, or a tx that does not
 * decode, gives no check; the ante step verifies what is missing itself. Never throws.
 *
 * Source: cosmos-sdk x/auth/ante/sigverify.go (SigVerificationDecorator: account's pubkey,
 * GetSignBytes for SIGN_MODE_DIRECT = SignDoc{body_bytes, auth_info_bytes, chain_id, account_number}).
 */
import { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys"
import type { SignatureCheck } from "../../chain/TxPipeline.ts"
import type { KVStore } from "../../store/KVStore.ts"
import { getAccount } from "./Accounts.ts"
import { secp256k1Address } from "./Address.ts"
import { decodeTx, SECP256K1_PUBKEY_URL, type DecodeOptions } from "./TxDecoder.ts"

/** The checks of one tx (see the module docs); [] when nothing can be derived. */
export const signatureChecks = (bytes: Uint8Array, store: KVStore, chainId: string, opts: DecodeOptions): ReadonlyArray<SignatureCheck> => {
  try {
    const tx = decodeTx(bytes, opts)
    const out: SignatureCheck[] = []
    tx.signerInfos.forEach((info, i) => {
      const signature = tx.signatures[i]
      if (info.signMode !== "direct" || !info.pubkey || signature === undefined || signature.length !== 64) return
      const acc = getAccount(store, secp256k1Address(info.pubkey))
      if (!acc) return
      const held = acc.base.pubKey
      const pubkey = held === undefined ? info.pubkey : held.typeUrl === SECP256K1_PUBKEY_URL ? PubKey.decode(held.value).key : undefined
      if (!pubkey || pubkey.length !== 33) return
      const message = SignDoc.encode({ bodyBytes: tx.bodyBytes, authInfoBytes: tx.authInfoBytes, chainId, accountNumber: acc.base.accountNumber }).finish()
      out.push({ scheme: "secp256k1", pubkey, message, signature })
    })
    return out
  } catch {
    return []
  }
}
