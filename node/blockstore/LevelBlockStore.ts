/**
 * The LevelDB block store: chain/BlockStore.ts on `level` 10. Blocks, results and the tx index
 * live in one database; each save is one atomic WriteBatch; a reopened store resumes at the
 * saved heights. The tx index is written after each height's results (internal/Indexer.ts).
 *
 * Source: cometbft v0.38 store/store.go and state/txindex/kv/kv.go (semantics; not the key layout).
 */
import { Effect } from "effect"
import type { IndexingBlockStore } from "./IndexingBlockStore.ts"
import { openKvBlockStore, type BlockStoreOptions } from "./internal/KvBlockStore.ts"
import { openLevelKv } from "./internal/LevelKv.ts"

export type { BlockStoreOptions } from "./internal/KvBlockStore.ts"

/** Open (or create) the block store kept in the LevelDB directory `path`. Close it with `close()`. */
export const openLevelBlockStore = async (path: string, options?: BlockStoreOptions): Promise<IndexingBlockStore> =>
  openKvBlockStore(await openLevelKv(path), options)

/** The LevelDB block store as a scoped resource: opened on acquire, closed when the scope closes. */
export const levelBlockStore = (path: string, options?: BlockStoreOptions): Effect.Effect<IndexingBlockStore, unknown, import("effect").Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise(() => openLevelBlockStore(path, options)),
    (store) => Effect.promise(() => store.close())
  )
