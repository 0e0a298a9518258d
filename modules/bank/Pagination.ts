/**
 * Cosmos SDK pagination over a store prefix (types/query/pagination.go Paginate): either a `key`
 * to resume from (relative to the prefix) or an `offset`; `limit` defaults to 100; `next_key` is
 * the relative key of the first item not returned; `count_total` counts in offset mode.
 */
import type { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination"
import { InvalidRequest } from "../../chain/ChainError.ts"
import type { Entry, KVStore } from "../../store/KVStore.ts"
import { prefixEnd } from "./internal/Balances.ts"

/** SDK DefaultLimit. */
export const DEFAULT_LIMIT = 100n

/** One page of entries under `prefix`, mapped with `f`. */
export const paginate = <T>(store: KVStore, prefix: Uint8Array, req: PageRequest | undefined, f: (e: Entry) => T): { items: T[]; page: PageResponse } => {
  const key = req?.key ?? new Uint8Array()
  const offset = req?.offset ?? 0n
  const limit = req && req.limit > 0n ? req.limit : DEFAULT_LIMIT
  const reverse = req?.reverse ?? false
  if (key.length > 0 && offset > 0n) throw new InvalidRequest({ log: "either offset or key is expected, got both: invalid request" })
  const end = prefixEnd(prefix)
  const full = (rel: Uint8Array) => {
    const k = new Uint8Array(prefix.length + rel.length)
    k.set(prefix, 0)
    k.set(rel, prefix.length)
    return k
  }
  let iter: IterableIterator<Entry>
  if (key.length > 0) {
    iter = reverse ? store.iterate(prefix, new Uint8Array([...full(key), 0]), true) : store.iterate(full(key), end, false)
  } else {
    iter = store.iterate(prefix, end, reverse)
  }
  const items: T[] = []
  let skipped = 0n
  let count = 0n
  let nextKey: Uint8Array = new Uint8Array()
  for (const e of iter) {
    if (skipped < offset) {
      skipped++
      count++
      continue
    }
    if (BigInt(items.length) >= limit) {
      if (nextKey.length === 0) nextKey = e[0].subarray(prefix.length)
      if (!(req?.countTotal && key.length === 0)) break
      count++
      continue
    }
    items.push(f(e))
    count++
  }
  return { items, page: { nextKey, total: req?.countTotal && key.length === 0 ? count : 0n } }
}
