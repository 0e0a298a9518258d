/**
 * Bridges cosmjs-types' ICS-23 messages (cosmos/ics23/v1, what ibc-go's protobufs carry) to the
 * @confio/ics23 verifier's own protobufjs types: the same wire format, so each value is re-read
 * from its encoding. Also the proof's root (ics23 CommitmentProof.Calculate).
 *
 * Source: cosmos/ics23 go/ics23.go (Calculate), @confio/ics23 0.6.8.
 */
import { calculateExistenceRoot, ics23 } from "@confio/ics23"
import { CommitmentProof, ProofSpec } from "cosmjs-types/cosmos/ics23/v1/proofs"

/** A cosmjs-types ProofSpec as @confio/ics23's. */
export const toConfioSpec = (spec: ProofSpec): ics23.ProofSpec => ics23.ProofSpec.decode(ProofSpec.encode(spec).finish())

/** A @confio/ics23 ProofSpec as cosmjs-types'. */
export const fromConfioSpec = (spec: ics23.IProofSpec): ProofSpec => ProofSpec.decode(ics23.ProofSpec.encode(spec).finish())

/** A cosmjs-types CommitmentProof as @confio/ics23's. */
export const toConfioProof = (proof: CommitmentProof): ics23.CommitmentProof =>
  ics23.CommitmentProof.decode(CommitmentProof.encode(proof).finish())

/** Go's `%T` of the proof's oneof, for ibc-go's "expected proof type" texts. */
export const proofTypeName = (proof: CommitmentProof): string =>
  proof.exist !== undefined ? "*ics23.CommitmentProof_Exist"
    : proof.nonexist !== undefined ? "*ics23.CommitmentProof_Nonexist"
    : proof.batch !== undefined ? "*ics23.CommitmentProof_Batch"
    : proof.compressed !== undefined ? "*ics23.CommitmentProof_Compressed"
    : "<nil>"

/**
 * CommitmentProof.Calculate for an existence or non-existence proof: the root the proof's leaf
 * hashes up to (non-existence: from its left neighbour, else its right). Throws a plain Error with
 * the library's reason when the proof cannot be hashed.
 */
export const calculateRoot = (proof: ics23.CommitmentProof): Uint8Array => {
  if (proof.exist) return calculateExistenceRoot(proof.exist)
  if (proof.nonexist) {
    const n = proof.nonexist.left ?? proof.nonexist.right
    if (!n) throw new Error("nonexistence proof has empty Left and Right proof")
    return calculateExistenceRoot(n)
  }
  throw new Error("proof type is not supported for root calculation")
}
