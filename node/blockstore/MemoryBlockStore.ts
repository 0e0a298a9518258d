/**
 * An in-memory block store: the same implementation as the LevelDB one over a sorted in-memory
 * map, for tests and throwaway nodes. Everything is lost on close.
 */
import type { IndexingBlockStore } from "./IndexingBlockStore.ts"
import { openKvBlockStore, type BlockStoreOptions } from "./internal/KvBlockStore.ts"
import { openMemoryKv } from "./internal/MemoryKv.ts"

/** A fresh, empty in-memory block store. */
export const openMemoryBlockStore = (options?: BlockStoreOptions): Promise<IndexingBlockStore> =>
  openKvBlockStore(openMemoryKv(), options)
