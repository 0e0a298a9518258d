/**
 * Errors of the block store (node/blockstore): a save out of order or inconsistent with what is
 * stored (height gaps, results for an unsaved block, tx/result count mismatch).
 */
import { Data } from "effect"

/** A save the store refused; `reason` names what is wrong. Nothing was written. */
export class BlockStoreError extends Data.TaggedError("BlockStoreError")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}
