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

/**
 * Wait until `store` has indexed `height`, at most `ms` milliseconds; resolves at once for a store
 * that is not an IndexingBlockStore, when the height is indexed, when the wait fails (store closed)
 * or when time runs out. Readers call it so that a client that saw a block finds its txs: the
 * RPC's `tx`, `tx_search` and `block_search`, and GetTx. Node plane (uses a timer).
 */
export const whenIndexedWithin = async (store: BlockStore, height: number, ms: number): Promise<void> => {
  const indexing = store as BlockStore & Partial<Pick<IndexingBlockStore, "whenIndexed">>
  if (indexing.whenIndexed === undefined) return
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([
    indexing.whenIndexed(height).catch(() => undefined),
    new Promise<void>((resolve) => { timer = setTimeout(resolve, ms) })
  ])
  clearTimeout(timer)
}
