/**
 * Typed errors of the zk machine, codespace "zk", built with the host's `chainErrorClass` (a
 * plugin cannot import chain/ChainError.ts at run time): the multiplexer reports them like every
 * chain error (code, codespace, log), and each log names the problem.
 *
 * | code | tag | when |
 * |---|---|---|
 * | 2 | ZkUnknownKey | no verifying key under that hash |
 * | 3 | ZkInvalidProof | a well-formed proof fails the pairing check |
 * | 4 | ZkMalformedProof | the proof JSON is not a Groth16 BN254 proof (names the field) or is over max_proof_bytes |
 * | 5 | ZkMalformedKey | the key JSON is not a Groth16 BN254 key (names the field), or its key hash text is not 64 hex |
 * | 6 | ZkKeyTooLarge | the key JSON is over max_key_bytes (names the limit in bytes) |
 * | 7 | ZkWrongInputCount | the number of public inputs differs from the key's nPublic |
 * | 8 | ZkInputNotField | a public input is not a decimal string below the BN254 scalar field modulus r |
 *
 * Out of gas is the SDK's OutOfGas (code 11); a malformed message body InvalidRequest (18) /
 * TxDecodeError (2), a bad sender InvalidAddress (7), as for every machine.
 */
import type { PluginHost } from "../../Host.ts"

/** Codespace of every zk error. */
export const ZK_CODESPACE = "zk"

/** The zk error classes (see the table in the module doc). */
export const zkErrors = (host: PluginHost) => {
  const e = <const Tag extends string>(tag: Tag, code: number) => host.errors.chainErrorClass(tag, ZK_CODESPACE, code)
  return {
    /** Code 2: no verifying key under that hash. */
    ZkUnknownKey: class ZkUnknownKey extends e("ZkUnknownKey", 2) {},
    /** Code 3: the proof does not verify. */
    ZkInvalidProof: class ZkInvalidProof extends e("ZkInvalidProof", 3) {},
    /** Code 4: the proof is malformed or too large. */
    ZkMalformedProof: class ZkMalformedProof extends e("ZkMalformedProof", 4) {},
    /** Code 5: the verifying key (or key hash) is malformed. */
    ZkMalformedKey: class ZkMalformedKey extends e("ZkMalformedKey", 5) {},
    /** Code 6: the key is larger than max_key_bytes. */
    ZkKeyTooLarge: class ZkKeyTooLarge extends e("ZkKeyTooLarge", 6) {},
    /** Code 7: wrong number of public inputs for the key. */
    ZkWrongInputCount: class ZkWrongInputCount extends e("ZkWrongInputCount", 7) {},
    /** Code 8: a public input is not an element of the scalar field. */
    ZkInputNotField: class ZkInputNotField extends e("ZkInputNotField", 8) {}
  }
}

/** The error classes of one host. */
export type ZkErrors = ReturnType<typeof zkErrors>
