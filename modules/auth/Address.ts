/**
 * Account addresses: bech32 strings with the chain's prefix over 1..255 raw bytes; public-key
 * and module-account address derivation.
 *
 * Source: cosmos-sdk types/address.go (AccAddressFromBech32, VerifyAddressFormat: empty and
 * > 255 bytes rejected), types/address/hash.go (Module: sha256(name)[:20]),
 * crypto/keys/secp256k1 (Address = RIPEMD160(SHA256(pubkey))).
 */
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { fromBech32, toBech32 } from "@cosmjs/encoding"
import { ripemd160 } from "@noble/hashes/legacy.js"
import { InvalidAddress } from "../../chain/ChainError.ts"
import { equalBytes, sha256 } from "../../lib/Bytes.ts"

/** Bech32 strings can be up to 90 characters by BIP-173; Cosmos allows longer (32-byte addresses). */
const BECH32_LIMIT = 1023

/** Decoded addresses, by prefix, then string (decoding is a pure function; bounded FIFO caches). */
const caches = new Map<string, Map<string, Uint8Array>>()
const CACHE_MAX = 65_536

/**
 * Decode a bech32 account address with the expected `prefix` into its raw bytes.
 * Throws InvalidAddress with the SDK text ("empty address string is not allowed",
 * "invalid Bech32 prefix; expected X, got Y", "decoding bech32 failed: ..."), prefixed by `what`
 * when given (e.g. "invalid from address: ...").
 */
export const parseAddress = (address: string, prefix: string, what?: string): Uint8Array => {
  let cache = caches.get(prefix)
  if (!cache) caches.set(prefix, (cache = new Map()))
  const hit = cache.get(address)
  if (hit) return hit
  const fail = (reason: string): never => {
    throw new InvalidAddress({ log: `${what ? `${what}: ` : ""}${reason}: invalid address` })
  }
  if (address.trim() === "") fail("empty address string is not allowed")
  let decoded: { prefix: string; data: Uint8Array }
  try {
    decoded = fromBech32(address, BECH32_LIMIT)
  } catch (e) {
    return fail(`decoding bech32 failed: ${(e as Error).message}`)
  }
  if (decoded.prefix !== prefix) fail(`invalid Bech32 prefix; expected ${prefix}, got ${decoded.prefix}`)
  if (decoded.data.length === 0) fail("addresses cannot be empty")
  if (decoded.data.length > 255) fail(`address max length is 255, got ${decoded.data.length}`)
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!)
  cache.set(address, decoded.data)
  return decoded.data
}

/** The canonical (lower-case) bech32 string of raw address bytes. */
export const formatAddress = (bytes: Uint8Array, prefix: string): string => toBech32(prefix, bytes, BECH32_LIMIT)

/** Canonical form of a bech32 address string (validates it; InvalidAddress otherwise). */
export const canonicalAddress = (address: string, prefix: string, what?: string): string => {
  const bytes = parseAddress(address, prefix, what)
  return address === address.toLowerCase() ? address : formatAddress(bytes, prefix)
}

/** Address of a module account: sha256(name)[:20] (SDK `authtypes.NewModuleAddress`). */
export const moduleAddress: (name: string) => Uint8Array = moduleAccountBytes

/** Address of a compressed secp256k1 public key: RIPEMD160(SHA256(pubkey)), 20 bytes. */
export const secp256k1Address = (pubkey: Uint8Array): Uint8Array => ripemd160(sha256(pubkey))

/** Byte equality: lib/Bytes.ts's `equalBytes`, under the name Ante.ts and Bank.ts import. */
export const bytesEqual = equalBytes
