/**
 * Errors of ibc-go's 23-commitment codespace `commitment` (modules/core/23-commitment/types/errors.go),
 * in chain/ChainError.ts's shape. `log` is the full text ibc-go's wrapped error prints
 * (`<context>: <description>`), so a relayer sees the same words.
 */
import { chainErrorClass } from "../../../chain/ChainError.ts"

/** commitment 2 "invalid proof": a proof that does not decode, or does not prove the path/value against the root. */
export class InvalidProof extends chainErrorClass("CommitmentInvalidProof", "commitment", 2) {}
/** commitment 3 "invalid prefix": an empty commitment prefix. */
export class InvalidPrefix extends chainErrorClass("CommitmentInvalidPrefix", "commitment", 3) {}
/** commitment 4 "invalid merkle proof": an empty proof or root, or a proof/spec count mismatch. */
export class InvalidMerkleProof extends chainErrorClass("CommitmentInvalidMerkleProof", "commitment", 4) {}
