/**
 * The typed error of the state store. Every failure of store/ surfaces as a `StoreError` with a
 * machine-readable `reason`, a `log` line that names what is wrong, and the Cosmos codespace/code
 * that ABCI returns (so chain/ChainError's `isChainError` recognises it and abci_query answers
 * with a proper code instead of "internal error").
 *
 * Source: cosmos-sdk types/errors/errors.go (codes), store/rootmulti (pruned-height messages).
 * Recover with `Effect.catchTag("StoreError", ...)` or by checking `e._tag === "StoreError"`.
 */
import { Data } from "effect"

/** Why a store operation failed. */
export type StoreErrorReason =
  /** `set` with an empty key (Cosmos SDK forbids empty keys). */
  | "empty-key"
  /** A namespace that is not mounted. */
  | "unknown-store"
  /** A namespace name that cannot be mounted (empty, or contains "/"). */
  | "invalid-store-name"
  /** Bad options passed to the store factory (pruning policy, missing path). */
  | "invalid-option"
  /** A write through a read-only snapshot. */
  | "read-only"
  /** A height above the latest committed version. */
  | "unknown-version"
  /** A height that existed but was removed by the pruning policy. */
  | "pruned-version"
  /** A proof was asked of an empty tree (IAVL cannot prove anything in an empty tree). */
  | "empty-tree"
  /** A branch used after its `write()`. */
  | "branch-written"
  /** The store was closed. */
  | "closed"
  /** A commit's database write failed: the in-memory state is no longer trustworthy. */
  | "commit-failed"
  /** A commit was started while another one is in flight. */
  | "commit-in-flight"
  /** The database is missing a node or record it should hold. */
  | "corrupt"

const codeOf = (reason: StoreErrorReason): number => {
  switch (reason) {
    case "unknown-version":
    case "pruned-version":
      return 26 // ErrInvalidHeight
    case "empty-key":
    case "unknown-store":
    case "invalid-store-name":
    case "invalid-option":
    case "read-only":
    case "empty-tree":
    case "branch-written":
      return 18 // ErrInvalidRequest
    default:
      return 1 // internal
  }
}

/** A failed store operation; `reason` says which, `log` says what exactly. */
export class StoreError extends Data.TaggedError("StoreError")<{
  readonly reason: StoreErrorReason
  readonly log: string
}> {
  /** Cosmos codespace for ABCI responses. */
  readonly codespace: string = "sdk"
  /** Cosmos error code for ABCI responses (18 invalid request, 26 invalid height, 1 internal). */
  get code(): number {
    return codeOf(this.reason)
  }
  override get message(): string {
    return this.log
  }
}
