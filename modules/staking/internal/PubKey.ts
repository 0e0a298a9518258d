/**
 * Consensus keys: only ed25519 (CometBFT's default consensus params allow only it).
 *
 * Source: cosmos-sdk x/staking/keeper/msg_server.go CreateValidator (pubkey type check against
 * the consensus params), crypto/keys/ed25519.
 */
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { InvalidPubKey } from "../../../chain/ChainError.ts"
import { ValidatorPubKeyTypeNotSupported } from "../StakingError.ts"

/** Type URL of an ed25519 public key. */
export const ED25519_PUBKEY_URL = "/cosmos.crypto.ed25519.PubKey"

/** The 32 key bytes of an ed25519 pubkey Any. InvalidPubKey / ValidatorPubKeyTypeNotSupported otherwise. */
export const ed25519FromAny = (a: Any | undefined): Uint8Array => {
  if (!a) throw new InvalidPubKey({ log: "empty validator public key: invalid pubkey" })
  if (a.typeUrl !== ED25519_PUBKEY_URL) {
    throw new ValidatorPubKeyTypeNotSupported({ log: `got: ${a.typeUrl.slice(0, 80)}, expected: [${ED25519_PUBKEY_URL}]: validator pubkey type is not supported` })
  }
  let key: Uint8Array
  try {
    key = PubKey.decode(a.value).key
  } catch (e) {
    throw new InvalidPubKey({ log: `malformed ed25519 public key: ${(e as Error).message}: invalid pubkey` })
  }
  if (key.length !== 32) throw new InvalidPubKey({ log: `ed25519 public key must be 32 bytes, got ${key.length}: invalid pubkey` })
  return key
}
