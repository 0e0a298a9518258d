/**
 * ICS-23 commitment proofs as ibc-go's 23-commitment verifies them: a MerkleProof is a chain of
 * CommitmentProofs, one per MerklePath key from the innermost store outwards (for a Cosmos SDK
 * counterparty: the IAVL proof of the key in its store, then the simple-merkle proof of the store
 * `ibc` in the app hash). Each step is checked by the @confio/ics23 verifier against the proof
 * spec at the same index; the last computed root must equal the consensus state's root.
 * Every refusal throws a commitment error (CommitmentError.ts) with ibc-go's text.
 *
 * Source: ibc-go v8 modules/core/23-commitment/types/merkle.go (VerifyMembership,
 * VerifyNonMembership, verifyChainedMembershipProof, validateVerificationArgs, ApplyPrefix, GetSDKSpecs).
 */
import { iavlSpec, tendermintSpec, verifyMembership as icsVerifyMembership, verifyNonMembership as icsVerifyNonMembership } from "@confio/ics23"
import type { ProofSpec } from "cosmjs-types/cosmos/ics23/v1/proofs"
import { MerkleProof } from "cosmjs-types/ibc/core/commitment/v1/commitment"
import { equalBytes, toHex } from "../../../lib/Bytes.ts"
import { InvalidMerkleProof, InvalidPrefix, InvalidProof } from "./CommitmentError.ts"
import { calculateRoot, fromConfioSpec, proofTypeName, toConfioProof, toConfioSpec } from "./internal/Ics23.ts"

/** A MerklePath: keys from the outermost (the store prefix, e.g. `ibc`) to the innermost (the ICS-24 path). */
export type MerklePath = ReadonlyArray<Uint8Array>

/** ibc-go's GetSDKSpecs(): the IAVL spec then the Tendermint (simple merkle) spec, as cosmjs-types ProofSpecs. */
export const sdkSpecs = (): ProofSpec[] => [fromConfioSpec(iavlSpec), fromConfioSpec(tendermintSpec)]

const HEX = (b: Uint8Array): string => toHex(b).toUpperCase()
const text = (b: Uint8Array): string => Buffer.from(b).toString("latin1")
/** Go's `%s` of a MerklePath value: `{[k1 k2]}`. */
const pathText = (path: MerklePath): string => `{[${path.map(text).join(" ")}]}`

/**
 * ApplyPrefix: the MerklePath [prefix, key]. Throws InvalidPrefix when the prefix is empty.
 */
export const applyPrefix = (prefix: Uint8Array, key: Uint8Array): MerklePath => {
  if (prefix.length === 0) throw new InvalidPrefix({ log: "prefix can't be empty: invalid prefix" })
  return [prefix, key]
}

/**
 * Decodes a MerkleProof from its protobuf bytes (the `proof_*` fields of IBC messages).
 * Throws InvalidProof with ibc-go's unmarshal text when the bytes are not one.
 */
export const decodeMerkleProof = (bytes: Uint8Array): MerkleProof => {
  try {
    return MerkleProof.decode(bytes)
  } catch {
    throw new InvalidProof({ log: "failed to unmarshal proof into ICS 23 commitment merkle proof: invalid proof" })
  }
}

const validateArgs = (proof: MerkleProof, specs: ReadonlyArray<ProofSpec>, root: Uint8Array): void => {
  if (proof.proofs.length === 0) throw new InvalidMerkleProof({ log: "proof cannot be empty: invalid merkle proof" })
  if (root.length === 0) throw new InvalidMerkleProof({ log: "root cannot be empty: invalid merkle proof" })
  if (specs.length !== proof.proofs.length) {
    throw new InvalidMerkleProof({ log: `length of specs: ${specs.length} not equal to length of proof: ${proof.proofs.length}: invalid merkle proof` })
  }
}

const checkPathLength = (path: MerklePath, specs: ReadonlyArray<ProofSpec>): void => {
  if (path.length !== specs.length) {
    throw new InvalidProof({ log: `path length ${path.length} not same as proof ${specs.length}: invalid proof` })
  }
}

/** verifyChainedMembershipProof: from `value` up through proofs[index..] to `root`. */
const verifyChained = (root: Uint8Array, specs: ReadonlyArray<ProofSpec>, proof: MerkleProof, path: MerklePath, value: Uint8Array, index: number): void => {
  let subroot = value
  for (let i = index; i < proof.proofs.length; i++) {
    const p = proof.proofs[i]!
    if (p.exist !== undefined) {
      const cp = toConfioProof(p)
      try {
        subroot = calculateRoot(cp)
      } catch (e) {
        throw new InvalidProof({ log: `could not calculate proof root at index ${i}, merkle tree may be empty. ${(e as Error).message}: invalid proof` })
      }
      const key = path[path.length - 1 - i]!
      if (!icsVerifyMembership(cp, toConfioSpec(specs[i]!), subroot, key, value)) {
        throw new InvalidProof({
          log: `chained membership proof failed to verify membership of value: ${HEX(value)} in subroot ${HEX(subroot)} at index ${i}. Please ensure the path and value are both correct.: invalid proof`
        })
      }
      value = subroot
    } else if (p.nonexist !== undefined) {
      throw new InvalidProof({
        log: `chained membership proof contains nonexistence proof at index ${i}. If this is unexpected, please ensure that proof was queried from a height that contained the value in store and was queried with the correct key. The key used: ${pathText(path)}: invalid proof`
      })
    } else {
      throw new InvalidProof({ log: `expected proof type: *ics23.CommitmentProof_Exist, got: ${proofTypeName(p)}: invalid proof` })
    }
  }
  if (!equalBytes(root, subroot)) {
    throw new InvalidProof({
      log: `proof did not commit to expected root: ${HEX(root)}, got: ${HEX(subroot)}. Please ensure proof was submitted with correct proofHeight and to the correct chain.: invalid proof`
    })
  }
}

/**
 * MerkleProof.VerifyMembership: `value` is stored at `path` under `root`, proof i checked with
 * specs[i] (innermost first). Throws InvalidMerkleProof / InvalidProof as ibc-go does.
 */
export const verifyMembership = (specs: ReadonlyArray<ProofSpec>, root: Uint8Array, proof: MerkleProof, path: MerklePath, value: Uint8Array): void => {
  validateArgs(proof, specs, root)
  checkPathLength(path, specs)
  if (value.length === 0) throw new InvalidProof({ log: "empty value in membership proof: invalid proof" })
  verifyChained(root, specs, proof, path, value, 0)
}

/**
 * MerkleProof.VerifyNonMembership: nothing is stored at `path` under `root` (proof 0 a
 * non-existence proof for the innermost key, the rest existence proofs of the subroots).
 */
export const verifyNonMembership = (specs: ReadonlyArray<ProofSpec>, root: Uint8Array, proof: MerkleProof, path: MerklePath): void => {
  validateArgs(proof, specs, root)
  checkPathLength(path, specs)
  const first = proof.proofs[0]!
  if (first.nonexist !== undefined) {
    const cp = toConfioProof(first)
    let subroot: Uint8Array
    try {
      subroot = calculateRoot(cp)
    } catch (e) {
      throw new InvalidProof({ log: `could not calculate root for proof index 0, merkle tree is likely empty. ${(e as Error).message}: invalid proof` })
    }
    const key = path[path.length - 1]!
    if (!icsVerifyNonMembership(cp, toConfioSpec(specs[0]!), subroot, key)) {
      throw new InvalidProof({ log: `could not verify absence of key ${text(key)}. Please ensure that the path is correct.: invalid proof` })
    }
    verifyChained(root, specs, proof, path, subroot, 1)
  } else if (first.exist !== undefined) {
    throw new InvalidProof({ log: "got ExistenceProof in VerifyNonMembership. If this is unexpected, please ensure that proof was queried with the correct key.: invalid proof" })
  } else {
    throw new InvalidProof({ log: `expected proof type: *ics23.CommitmentProof_Exist, got: ${proofTypeName(first)}: invalid proof` })
  }
}
