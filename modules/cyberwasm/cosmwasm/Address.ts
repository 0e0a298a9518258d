/**
 * Contract addresses, 32 bytes as wasmd derives them (x/wasm/keeper/addresses.go), bech32 with the
 * chain's account prefix:
 * - classic: `address.Module("wasm", codeID u64 BE || instanceID u64 BE)`;
 * - instantiate2 (predictable): `address.Module("wasm", len||checksum, len||creator, len||salt,
 *   len||msg)` with each part prefixed by its u64 BE length and `msg` empty unless `fix_msg`.
 * `address.Module(name, key)` is the SDK's `sha256(sha256("module") || name || 0x00 || key)`
 * (types/address/hash.go Module + Hash).
 *
 * Source: wasmd x/wasm/keeper/addresses.go; cosmos-sdk types/address/hash.go.
 */
import { toBech32 } from "@cosmjs/encoding"
import { concatBytes, sha256 } from "../../../lib/Bytes.ts"
import { Empty, Limit } from "./WasmdError.ts"

const MODULE_TYPE = sha256("module")
const WASM = new TextEncoder().encode("wasm")

/** Longest instantiate2 salt (wasmd types.MaxSaltSize). */
export const MAX_SALT_SIZE = 64

const u64 = (v: bigint | number): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(v))
  return b
}
const lengthPrefixed = (b: Uint8Array): Uint8Array => concatBytes(u64(b.length), b)

/** SDK `address.Module("wasm", key)`: 32 bytes. */
const moduleKey = (key: Uint8Array): Uint8Array => sha256(concatBytes(MODULE_TYPE, WASM, Uint8Array.of(0), key))

/** Raw classic address of the `instanceId`-th contract, instantiated from `codeId` (32 bytes). */
export const classicAddress = (codeId: bigint, instanceId: bigint): Uint8Array => moduleKey(concatBytes(u64(codeId), u64(instanceId)))

/**
 * Raw instantiate2 address (32 bytes) from the code checksum (32 bytes), the creator's raw address,
 * the salt (1-64 bytes: Empty / Limit otherwise) and the init msg (empty unless `fix_msg`).
 */
export const predictableAddress = (checksum: Uint8Array, creator: Uint8Array, salt: Uint8Array, initMsg: Uint8Array): Uint8Array => {
  if (salt.length === 0) throw new Empty({ log: "salt: is required: empty" })
  if (salt.length > MAX_SALT_SIZE) throw new Limit({ log: `salt: cannot be longer than ${MAX_SALT_SIZE} characters: exceeds limit` })
  return moduleKey(concatBytes(lengthPrefixed(checksum), lengthPrefixed(creator), lengthPrefixed(salt), lengthPrefixed(initMsg)))
}

/** Bech32 text of raw address bytes. */
export const bech32 = (prefix: string, raw: Uint8Array): string => toBech32(prefix, raw, 1023)
