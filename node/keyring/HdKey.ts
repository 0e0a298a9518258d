/**
 * Mnemonics and HD keys for account keys: BIP-39 mnemonics, SLIP-10 secp256k1 derivation on the
 * Cosmos path m/44'/118'/0'/0/0, bech32 account addresses (ripemd160(sha256(compressed pubkey))).
 * All crypto is CosmJS (@cosmjs/crypto, @cosmjs/amino, @cosmjs/encoding, @cosmjs/proto-signing).
 *
 * Source: BIP-39, SLIP-10, Cosmos SDK crypto/hd (FullFundraiserPath "m/44'/118'/0'/0/0"),
 * ADR-028 / x/auth address derivation for secp256k1.
 */
import { Bip39, EnglishMnemonic, Random, Secp256k1, Slip10, Slip10Curve, stringToPath } from "@cosmjs/crypto"
import { rawSecp256k1PubkeyToRawAddress } from "@cosmjs/amino"
import { toBech32 } from "@cosmjs/encoding"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { Data } from "effect"

/** The Cosmos Hub HD path (coin type 118), account 0, index 0. */
export const DEFAULT_HD_PATH = "m/44'/118'/0'/0/0"

/** The mnemonic is not 12-24 valid BIP-39 English words with a correct checksum. */
export class InvalidMnemonic extends Data.TaggedError("InvalidMnemonic")<{ readonly message: string }> {}

/** A derived account key. `privkey` is 32 bytes; `pubkey` is the 33-byte compressed key. */
export interface DerivedKey {
  readonly address: string
  readonly pubkey: Uint8Array
  readonly privkey: Uint8Array
}

/** A fresh 24-word mnemonic from 32 bytes of CSPRNG entropy. */
export const generateMnemonic = (): string => Bip39.encode(Random.getBytes(32)).toString()

/** Normalise and check a mnemonic (whitespace collapsed, lowercase); throws InvalidMnemonic. */
export const checkMnemonic = (mnemonic: string): string => {
  const norm = mnemonic.trim().toLowerCase().split(/\s+/).join(" ")
  try {
    return new EnglishMnemonic(norm).toString()
  } catch (e) {
    throw new InvalidMnemonic({ message: `invalid mnemonic: ${e instanceof Error ? e.message : String(e)}` })
  }
}

/** Bech32 account address of a compressed secp256k1 public key. */
export const addressOf = (pubkey: Uint8Array, prefix: string): string =>
  toBech32(prefix, rawSecp256k1PubkeyToRawAddress(pubkey))

/** Derive the account key of a mnemonic on `hdPath`; throws InvalidMnemonic. */
export const deriveKey = async (mnemonic: string, prefix: string, hdPath = DEFAULT_HD_PATH): Promise<DerivedKey> => {
  const seed = await Bip39.mnemonicToSeed(new EnglishMnemonic(checkMnemonic(mnemonic)))
  const { privkey } = Slip10.derivePath(Slip10Curve.Secp256k1, seed, stringToPath(hdPath))
  const { pubkey } = await Secp256k1.makeKeypair(privkey)
  const compressed = Secp256k1.compressPubkey(pubkey)
  return { address: addressOf(compressed, prefix), pubkey: compressed, privkey }
}

/** A CosmJS direct-mode signer for a mnemonic (what SigningStargateClient takes). */
export const walletOf = (mnemonic: string, prefix: string, hdPath = DEFAULT_HD_PATH): Promise<DirectSecp256k1HdWallet> =>
  DirectSecp256k1HdWallet.fromMnemonic(checkMnemonic(mnemonic), { prefix, hdPaths: [stringToPath(hdPath)] })
