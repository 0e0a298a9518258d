/**
 * The block store (chain/BlockStore.ts implementations) and the tx_search query language.
 */
export { openLevelBlockStore, levelBlockStore, type BlockStoreOptions } from "./LevelBlockStore.ts"
export type { IndexingBlockStore } from "./IndexingBlockStore.ts"
export { openMemoryBlockStore } from "./MemoryBlockStore.ts"
export { BlockStoreError } from "./BlockStoreError.ts"
export { parseTxQuery, TxQueryError, type TxCondition, type TxQueryOp, type TxQueryOperand } from "./TxQuery.ts"
export { partSetHeaderOf, toProtoBlock, BLOCK_PART_SIZE } from "./internal/Codec.ts"
export { hashFromByteSlices } from "./internal/Merkle.ts"
