/**
 * Protobuf codecs of the zk plugin (package cyberkernel.zk.v1), hand-written over the host's
 * cosmjs-types reader and writer (plugins/Host.ts; a plugin imports no kernel module at run time).
 * Wire rule as chain/internal/WitWire.ts: string/bytes length-delimited, bool/u32/u64 varint,
 * repeated strings one field per element, scalars omitted when default (proto3). Decoders are
 * strict: an unknown field, a wrong wire type, invalid UTF-8 or a truncated body is refused with
 * InvalidRequest (code 18) naming the message.
 *
 * | message | fields |
 * |---|---|
 * | MsgStoreVerifyingKey | 1 sender string (bech32, signer), 2 key bytes (snarkjs verification_key.json, UTF-8) |
 * | MsgStoreVerifyingKeyResponse | 1 hash string (hex sha256 of the canonical key bytes) |
 * | MsgVerifyProof | 1 sender string (signer), 2 key_hash string (hex), 3 proof bytes (snarkjs proof.json), 4 public_inputs repeated string (decimal) |
 * | MsgVerifyProofResponse | 1 inputs_hash string (hex, the Verified record's id) |
 * | VerifyRequest (WIT verify-request) | 1 key_hash string, 2 proof bytes, 3 public_inputs repeated string |
 * | VerifyResponse (WIT verify-response) | 1 valid bool |
 * | QueryVerifyingKeyRequest | 1 key_hash string |
 * | QueryVerifyingKeyResponse | 1 found bool, 2 key bytes (verification_key.json, canonical form), 3 n_public u32 |
 * | QueryVerifiedRequest | 1 key_hash string, 2 public_inputs repeated string |
 * | QueryVerifiedResponse | 1 verified bool, 2 height u64, 3 sender string |
 * | QueryParamsRequest | (empty) |
 * | QueryParamsResponse / Params | 1 max_key_bytes u32, 2 max_proof_bytes u32, 3 max_public_inputs u32, 4 gas_per_pairing u64, 5 gas_per_public_input u64, 6 gas_store_key u64 |
 * | VerifiedRecord (state) | 1 height u64, 2 sender string, 3 public_inputs repeated string |
 */
import type { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import type { Codec } from "../../../chain/Interface.ts"
import type { PluginHost } from "../../Host.ts"

/** MsgStoreVerifyingKey: store a snarkjs Groth16 BN254 verifying key. */
export interface MsgStoreVerifyingKey {
  readonly sender: string
  readonly key: Uint8Array
}
/** MsgStoreVerifyingKeyResponse: the key's hash (64 lowercase hex). */
export interface StoreKeyResponse {
  readonly hash: string
}
/** MsgVerifyProof: verify a proof under a stored key and record its public inputs. */
export interface MsgVerifyProof {
  readonly sender: string
  readonly keyHash: string
  readonly proof: Uint8Array
  readonly publicInputs: ReadonlyArray<string>
}
/** MsgVerifyProofResponse: hex sha256 of the canonical public inputs (32-byte big-endian each). */
export interface VerifyProofResponse {
  readonly inputsHash: string
}
/** Request of the WIT method `verify`. */
export interface VerifyRequest {
  readonly keyHash: string
  readonly proof: Uint8Array
  readonly publicInputs: ReadonlyArray<string>
}
/** Response of `verify`: whether the pairing check holds. */
export interface VerifyResponse {
  readonly valid: boolean
}
/** Request of Query/VerifyingKey. */
export interface KeyRequest {
  readonly keyHash: string
}
/** Response of Query/VerifyingKey: `found` false (the rest empty) for an unknown hash. */
export interface KeyResponse {
  readonly found: boolean
  readonly key: Uint8Array
  readonly nPublic: number
}
/** Request of Query/Verified. */
export interface VerifiedRequest {
  readonly keyHash: string
  readonly publicInputs: ReadonlyArray<string>
}
/** Response of Query/Verified: `verified` false (the rest empty) when never recorded. */
export interface VerifiedResponse {
  readonly verified: boolean
  readonly height: bigint
  readonly sender: string
}
/** The machine's parameters (genesis `params`, Query/Params). */
export interface Params {
  /** Largest MsgStoreVerifyingKey.key, in bytes. */
  readonly maxKeyBytes: number
  /** Largest proof JSON, in bytes. */
  readonly maxProofBytes: number
  /** Most public inputs a key may have. */
  readonly maxPublicInputs: number
  /** Gas per pairing of a verification (4 pairings each). */
  readonly gasPerPairing: bigint
  /** Gas per public input of a verification (one G1 scalar multiplication each). */
  readonly gasPerPublicInput: bigint
  /** Gas of storing a key (its point checks, G2 subgroup checks; the key is not prepared then), plus gasPerPublicInput per IC point. */
  readonly gasStoreKey: bigint
}
/** A recorded verification (state `v/<key hash><inputs hash>`). */
export interface VerifiedRecord {
  readonly height: bigint
  readonly sender: string
  readonly publicInputs: ReadonlyArray<string>
}

/** The codecs, built over the host's protobuf classes. */
export interface ZkCodecs {
  readonly msgStoreKey: Codec<MsgStoreVerifyingKey>
  readonly storeKeyResponse: Codec<StoreKeyResponse>
  readonly msgVerifyProof: Codec<MsgVerifyProof>
  readonly verifyProofResponse: Codec<VerifyProofResponse>
  readonly verifyRequest: Codec<VerifyRequest>
  readonly verifyResponse: Codec<VerifyResponse>
  readonly keyRequest: Codec<KeyRequest>
  readonly keyResponse: Codec<KeyResponse>
  readonly verifiedRequest: Codec<VerifiedRequest>
  readonly verifiedResponse: Codec<VerifiedResponse>
  readonly empty: Codec<Record<string, never>>
  readonly params: Codec<Params>
  readonly record: Codec<VerifiedRecord>
}

type Kind = "string" | "bytes" | "bool" | "u32" | "u64" | "strings"
type Field = readonly [num: number, name: string, kind: Kind]

const WIRE_VARINT = 0
const WIRE_LEN = 2
const U32_MAX = 0xffffffffn

const defaults: Record<Kind, () => unknown> = {
  string: () => "",
  bytes: () => new Uint8Array(0),
  bool: () => false,
  u32: () => 0,
  u64: () => 0n,
  strings: () => []
}

/** Build the codecs with `host.protobuf` and `host.errors`. */
export const zkCodecs = (host: PluginHost): ZkCodecs => {
  const { BinaryReader, BinaryWriter } = host.protobuf
  const utf8 = new TextDecoder("utf-8", { fatal: true })

  const readField = (r: BinaryReader, kind: Kind, wire: number, into: Record<string, unknown>, name: string): boolean => {
    if (kind === "bool" || kind === "u32" || kind === "u64") {
      if (wire !== WIRE_VARINT) return false
      if (kind === "bool") into[name] = r.bool()
      else {
        const v = BigInt(r.uint64().toString())
        if (kind === "u64") into[name] = v
        else if (v > U32_MAX) throw new Error(`${name} exceeds 32 bits`)
        else into[name] = Number(v)
      }
      return true
    }
    if (wire !== WIRE_LEN) return false
    if (kind === "bytes") into[name] = r.bytes()
    else if (kind === "string") into[name] = utf8.decode(r.bytes())
    else (into[name] as string[]).push(utf8.decode(r.bytes()))
    return true
  }

  const writeField = (w: BinaryWriter, num: number, kind: Kind, v: unknown): void => {
    switch (kind) {
      case "string":
        if (v !== "") w.uint32((num << 3) | WIRE_LEN).string(v as string)
        return
      case "bytes":
        if ((v as Uint8Array).length > 0) w.uint32((num << 3) | WIRE_LEN).bytes(v as Uint8Array)
        return
      case "bool":
        if (v === true) w.uint32(num << 3).bool(true)
        return
      case "u32":
        if (v !== 0) w.uint32(num << 3).uint32(v as number)
        return
      case "u64":
        if (v !== 0n) w.uint32(num << 3).uint64(v as bigint)
        return
      case "strings":
        for (const s of v as string[]) w.uint32((num << 3) | WIRE_LEN).string(s)
    }
  }

  const codec = <T>(what: string, fields: ReadonlyArray<Field>): Codec<T> => ({
    encode: (m: T) => {
      const w = BinaryWriter.create()
      for (const [num, name, kind] of fields) writeField(w, num, kind, (m as Record<string, unknown>)[name])
      return w.finish()
    },
    decode: (bytes: Uint8Array) => {
      const out: Record<string, unknown> = {}
      for (const [, name, kind] of fields) out[name] = defaults[kind]()
      try {
        const r = new BinaryReader(bytes)
        while (r.pos < r.len) {
          const tag = r.uint32()
          const num = tag >>> 3
          const f = fields.find((x) => x[0] === num)
          if (!f || !readField(r, f[2], tag & 7, out, f[1])) throw new Error(`unexpected field ${num} (wire type ${tag & 7})`)
        }
        if (r.pos !== r.len) throw new Error("truncated body")
      } catch (e) {
        throw new host.errors.InvalidRequest({ log: `malformed ${what}: ${(e as Error).message}` })
      }
      return out as T
    }
  })

  return {
    msgStoreKey: codec("MsgStoreVerifyingKey", [[1, "sender", "string"], [2, "key", "bytes"]]),
    storeKeyResponse: codec("MsgStoreVerifyingKeyResponse", [[1, "hash", "string"]]),
    msgVerifyProof: codec("MsgVerifyProof", [[1, "sender", "string"], [2, "keyHash", "string"], [3, "proof", "bytes"], [4, "publicInputs", "strings"]]),
    verifyProofResponse: codec("MsgVerifyProofResponse", [[1, "inputsHash", "string"]]),
    verifyRequest: codec("VerifyRequest", [[1, "keyHash", "string"], [2, "proof", "bytes"], [3, "publicInputs", "strings"]]),
    verifyResponse: codec("VerifyResponse", [[1, "valid", "bool"]]),
    keyRequest: codec("QueryVerifyingKeyRequest", [[1, "keyHash", "string"]]),
    keyResponse: codec("QueryVerifyingKeyResponse", [[1, "found", "bool"], [2, "key", "bytes"], [3, "nPublic", "u32"]]),
    verifiedRequest: codec("QueryVerifiedRequest", [[1, "keyHash", "string"], [2, "publicInputs", "strings"]]),
    verifiedResponse: codec("QueryVerifiedResponse", [[1, "verified", "bool"], [2, "height", "u64"], [3, "sender", "string"]]),
    empty: codec("empty message", []),
    params: codec("Params", [
      [1, "maxKeyBytes", "u32"], [2, "maxProofBytes", "u32"], [3, "maxPublicInputs", "u32"],
      [4, "gasPerPairing", "u64"], [5, "gasPerPublicInput", "u64"], [6, "gasStoreKey", "u64"]
    ]),
    record: codec("VerifiedRecord", [[1, "height", "u64"], [2, "sender", "string"], [3, "publicInputs", "strings"]])
  }
}
