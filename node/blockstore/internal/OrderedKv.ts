/**
 * The small ordered key-value surface the block store needs: point reads, ranged scans and
 * atomic batches. Keys are strings (stored as UTF-8), values bytes. Adapters: LevelKv (LevelDB
 * through `level`) and MemoryKv (a sorted in-memory array, for tests).
 */

/** One write of an atomic batch. */
export type KvOp =
  | { readonly type: "put"; readonly key: string; readonly value: Uint8Array }
  | { readonly type: "del"; readonly key: string }

/** Ordered key-value storage with atomic batches. */
export interface OrderedKv {
  get(key: string): Promise<Uint8Array | undefined>
  getMany(keys: ReadonlyArray<string>): Promise<ReadonlyArray<Uint8Array | undefined>>
  /**
   * All entries with gte <= key < lt, in key order (reverse: descending), read in batches.
   * Callers of a whole range keep every entry anyway (tx_search collects positions), so the
   * range comes back as one array: 2-3x faster on LevelDB than iterating entry by entry.
   */
  scan(gte: string, lt: string, reverse?: boolean): Promise<ReadonlyArray<readonly [string, Uint8Array]>>
  /** Apply every op or none. */
  batch(ops: ReadonlyArray<KvOp>): Promise<void>
  close(): Promise<void>
}

/** The exclusive upper bound of all keys starting with `prefix` (prefix must be non-empty). */
export const prefixEnd = (prefix: string): string =>
  prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)
