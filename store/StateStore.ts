/**
 * The state store as an Effect service for the node: `StateStore` provides the node's
 * CommitMultiStore (store/KVStore.ts), opened in the layer's scope and closed on release.
 * Machines and the ABCI application call its synchronous methods directly (no Effect on the
 * block path); only opening and closing are Effects.
 *
 * Usage: `StateStore.layer({ path, namespaces, pruning })`, then `yield* StateStore` to get the
 * CommitMultiStore. Opening fails with StoreError (bad namespace name, bad options, corrupt
 * database); other open failures (I/O, a LevelDB lock held by another process) also surface
 * as StoreError with reason "corrupt" and the cause in `log`.
 */
import { Context, Effect, Layer } from "effect"
import { openCommitMultiStore, type OpenStoreOptions } from "./IavlMultiStore.ts"
import type { CommitMultiStore } from "./KVStore.ts"
import { StoreError } from "./StoreError.ts"

/** The node's root multistore (IAVL on LevelDB). */
export class StateStore extends Context.Service<StateStore, CommitMultiStore>()("cyberkernel/StateStore") {
  /** A Layer that opens the store in its scope and closes the database on release. */
  static layer(options: OpenStoreOptions): Layer.Layer<StateStore, StoreError> {
    return Layer.effect(
      StateStore,
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () => openCommitMultiStore(options),
          catch: (e) =>
            e instanceof StoreError
              ? e
              : new StoreError({ reason: "corrupt", log: `cannot open the state store: ${e instanceof Error ? e.message : String(e)}` })
        }),
        (store) => Effect.promise(() => store.close())
      )
    )
  }
}
