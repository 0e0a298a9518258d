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
  /** Entries with gte <= key < lt, in key order (reverse: descending). */
  range(gte: string, lt: string, reverse?: boolean): AsyncIterable<readonly [string, Uint8Array]>
  /** Apply every op or none. */
  batch(ops: ReadonlyArray<KvOp>): Promise<void>
  close(): Promise<void>
}

/** The exclusive upper bound of all keys starting with `prefix` (prefix must be non-empty). */
export const prefixEnd = (prefix: string): string =>
  prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)
