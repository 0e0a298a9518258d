/**
 * The state-store contract every backend implements and every machine sees.
 *
 * Machines read and write their own namespace synchronously: the working version of every
 * namespace is held in memory (an IAVL tree), so the block path never awaits disk. Persistence,
 * versioning, pruning and proofs happen at commit and query time, which are asynchronous.
 *
 * Source: Cosmos SDK store/types (KVStore, CacheKVStore, CommitMultiStore, rootmulti); IAVL
 * (cosmos/iavl) for the tree; ICS-23 (cosmos/ics23) for proofs.
 */
import type { ProofOps } from "cosmjs-types/tendermint/crypto/proof"

/** One key/value pair, keys and values raw bytes. */
export type Entry = readonly [key: Uint8Array, value: Uint8Array]

/**
 * Synchronous key/value view of one namespace. Keys are compared as unsigned bytes
 * (lexicographic, shorter prefix first). Empty values are allowed; empty keys are not
 * (`set` throws `StoreError` with reason "empty-key"), as in the Cosmos SDK.
 */
export interface KVStore {
  /** The value under `key`, or undefined. */
  get(key: Uint8Array): Uint8Array | undefined
  /** Whether `key` is present. */
  has(key: Uint8Array): boolean
  /** Insert or overwrite. */
  set(key: Uint8Array, value: Uint8Array): void
  /** Remove `key` if present (no error when absent). */
  delete(key: Uint8Array): void
  /**
   * Entries with `start <= key < end` in ascending order (descending with `reverse`).
   * An undefined bound is open. Writes during iteration are not seen by the iterator.
   */
  iterate(start?: Uint8Array, end?: Uint8Array, reverse?: boolean): IterableIterator<Entry>
}

/** A set of namespaces (one per machine), each a KVStore. */
export interface MultiStore {
  /** The KVStore of a mounted namespace; throws StoreError "unknown-store" otherwise. */
  store(name: string): KVStore
  /**
   * A cache layer over this multistore: reads fall through, writes stay in the branch until
   * `write()` applies them to the parent (in key order, deterministic) or the branch is dropped.
   * Branches nest (a branch of a branch).
   */
  branch(): BranchedMultiStore
}

/** A cache-wrapped multistore (Cosmos SDK CacheMultiStore). */
export interface BranchedMultiStore extends MultiStore {
  /** Apply every buffered write to the parent. The branch may not be used afterwards. */
  write(): void
}

/** Commit identity: the version (block height) and the app hash that commits it. */
export interface CommitId {
  readonly version: number
  readonly hash: Uint8Array
}

/** Result of a store query at a height, with an optional ICS-23 proof chain. */
export interface StoreQueryResult {
  readonly height: number
  readonly key: Uint8Array
  /** undefined when the key is absent at that height. */
  readonly value: Uint8Array | undefined
  /**
   * With `prove`: two ops, as the Cosmos SDK returns them from abci_query —
   * `{type: "ics23:iavl", key, data: CommitmentProof}` (existence or non-existence in the
   * namespace's IAVL tree) then `{type: "ics23:simple", key: namespace, data: CommitmentProof}`
   * (existence of the namespace root in the app hash, tendermint spec).
   */
  readonly proof?: ProofOps
}

/**
 * The root multistore of the chain (Cosmos SDK rootmulti.Store): versioned, persistent on
 * LevelDB, one IAVL tree per mounted namespace, app hash = simple Merkle root over
 * (namespace name -> namespace root) as rootmulti's CommitInfo.Hash computes it.
 */
export interface CommitMultiStore extends MultiStore {
  /** The last committed version and app hash (version 0 and the empty hash before any commit). */
  lastCommit(): CommitId
  /** The app hash the current working state would commit to (no write). */
  workingHash(): Uint8Array
  /** Persist the working state as version lastCommit().version + 1 atomically; prune old versions. */
  commit(): Promise<CommitId>
  /** Read `key` in namespace `name` at `height` (0 = latest); with `prove`, ICS-23 proofs. */
  query(name: string, key: Uint8Array, height: number, prove: boolean): Promise<StoreQueryResult>
  /**
   * A read-only, synchronous view of a committed version (default: the last commit), for
   * queries that must not see the block being executed. Cheap for the last version (the
   * committed IAVL trees are immutable); older kept versions may load from disk. Writes through
   * the view throw StoreError "read-only". Rejects with a StoreError for pruned/unknown versions.
   */
  snapshot(version?: number): Promise<MultiStore>
  /**
   * Mount namespace `name` now (no-op when mounted), as opening the store with it would: it holds
   * its tree of the last commit if it was committed there, else it starts empty, and it joins the
   * working hash and every commit from now on. The Application mounts a machine's namespace when
   * the registry activates the machine (chain/Registry.ts), so a namespace of machine code a node
   * merely has never enters its app hash. Throws StoreError "invalid-store-name" for a bad name and
   * "commit-in-flight" during a commit.
   */
  mount(name: string): void
  /** Namespace roots of the last commit, sorted by name (for rootmulti-style store infos). */
  storeRoots(): ReadonlyArray<{ readonly name: string; readonly hash: Uint8Array }>
  /** Release the database. */
  close(): Promise<void>
}

/** Which old versions to keep (Cosmos SDK pruning options). */
export interface PruningPolicy {
  /** Keep this many most recent versions (0 = keep everything). */
  readonly keepRecent: number
  /** Additionally keep every Nth version (0 = none). */
  readonly keepEvery: number
}
