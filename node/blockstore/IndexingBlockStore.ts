/**
 * The block store this package returns: chain/BlockStore.ts plus the position of its tx index,
 * which trails the saved results (the indexer writes a height's tx and block event index after
 * its results, as CometBFT's indexer service does after Commit).
 *
 * Source: cometbft v0.38 state/txindex/indexer_service.go.
 */
import type { BlockStore } from "../../chain/BlockStore.ts"

/**
 * A block store whose tx index trails its results. `indexedHeight()`: the highest height that
 * `tx`, `tx_search` and `block_search` answer for (at most `resultsHeight()`). `whenIndexed(h)`:
 * resolves once height `h` is indexed; rejects when the store closes first or an index batch
 * fails (a reopened store indexes it then).
 */
export interface IndexingBlockStore extends BlockStore {
  indexedHeight(): number
  whenIndexed(height: number): Promise<void>
}
