/**
 * The block store contract: blocks made (or received) by consensus, their FinalizeBlock results,
 * and a transaction index, as the CometBFT RPC serves them (block, block_results, tx, tx_search).
 *
 * Source: cometbft v0.38 store/store.go (BlockStore), state/txindex/kv (tx indexer and its
 * query language `tx.height=5 AND transfer.recipient='cosmos1...'`), state/indexer/block/kv
 * (block indexer: `block.height` and FinalizeBlock event attributes).
 */
import type { ExecTxResult, Event, ValidatorUpdate } from "cosmjs-types/tendermint/abci/types"
import type { Commit, Header } from "cosmjs-types/tendermint/types/types"

/** A committed block: the CometBFT header, its hash (Header.Hash(), 32 bytes), txs and last commit. */
export interface StoredBlock {
  readonly header: Header
  readonly hash: Uint8Array
  readonly txs: ReadonlyArray<Uint8Array>
  /** The commit for the previous block (empty signatures at height 1). */
  readonly lastCommit: Commit
}

/** FinalizeBlock output for a height plus the app hash that Commit produced. */
export interface StoredBlockResults {
  readonly height: number
  readonly txResults: ReadonlyArray<ExecTxResult>
  readonly events: ReadonlyArray<Event>
  readonly validatorUpdates: ReadonlyArray<ValidatorUpdate>
  /** App hash after executing this block (goes in the next block's header). */
  readonly appHash: Uint8Array
}

/** One indexed transaction. */
export interface IndexedTx {
  readonly hash: Uint8Array
  readonly height: number
  readonly index: number
  readonly tx: Uint8Array
  readonly result: ExecTxResult
}

/** Paged search result (tx_search). */
export interface TxSearchPage {
  readonly txs: ReadonlyArray<IndexedTx>
  readonly totalCount: number
}

/** Paged block search result (block_search): heights of the page, in the order asked. */
export interface BlockSearchPage {
  readonly heights: ReadonlyArray<number>
  readonly totalCount: number
}

/**
 * Persistent block store. As in CometBFT, a block is saved before the application executes it
 * (`saveBlock`), and its FinalizeBlock results after (`saveResults`); on restart a block saved
 * but not yet committed by the application is replayed into it (handshake). Each save is one
 * atomic LevelDB batch.
 */
export interface BlockStore {
  /** Highest saved block height (0 when empty). */
  height(): number
  /** Lowest height still kept (1 unless pruned). */
  base(): number
  /** Highest height whose results are saved. */
  resultsHeight(): number
  saveBlock(block: StoredBlock): Promise<void>
  /**
   * Save results (before Commit: the handshake needs them). The block's txs are indexed after
   * (`tx`, `tx_search`, `block_search` see them once indexed; node/blockstore indexes them a
   * moment later, off the block's critical path).
   */
  saveResults(results: StoredBlockResults): Promise<void>
  block(height: number): Promise<StoredBlock | undefined>
  blockByHash(hash: Uint8Array): Promise<StoredBlock | undefined>
  results(height: number): Promise<StoredBlockResults | undefined>
  tx(hash: Uint8Array): Promise<IndexedTx | undefined>
  /**
   * CometBFT tx query language subset: conditions `key=value|'value'`, `key>N`, `<`, `>=`, `<=`,
   * `CONTAINS`, joined with AND; keys `tx.hash`, `tx.height` and `event.attribute` from indexed
   * events. Pages are 1-based. Throws TxQueryError (node/rpc) on a malformed query.
   */
  searchTxs(query: string, page: number, perPage: number, orderBy: "asc" | "desc"): Promise<TxSearchPage>
  /**
   * block_search, as CometBFT's kv block indexer: the same query language over `block.height`
   * and the attributes (with `index: true`) of each height's FinalizeBlock events; heights with
   * saved results only, up to `maxHeight` when given (the RPC passes the committed tip). Pages
   * are 1-based. Throws TxQueryError on a malformed query or a tx-only key (`tx.hash`, `tx.height`).
   */
  searchBlocks(query: string, page: number, perPage: number, orderBy: "asc" | "desc", maxHeight?: number): Promise<BlockSearchPage>
  close(): Promise<void>
}
