/**
 * OrderedKv in memory: a sorted array of keys (binary search) and a Map of values. Batches are
 * applied synchronously, hence atomically. For tests and throwaway nodes.
 */
import type { KvOp, OrderedKv } from "./OrderedKv.ts"

/** A fresh empty in-memory store. */
export const openMemoryKv = (): OrderedKv => {
  const keys: string[] = []
  const values = new Map<string, Uint8Array>()
  let closed = false
  const lowerBound = (k: string): number => {
    let lo = 0
    let hi = keys.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (keys[mid]! < k) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  const check = () => {
    if (closed) throw new Error("MemoryKv is closed")
  }
  return {
    get: async (key) => (check(), values.get(key)),
    getMany: async (ks) => (check(), ks.map((k) => values.get(k))),
    scan: async (gte, lt, reverse = false) => {
      check()
      const slice = keys.slice(lowerBound(gte), lowerBound(lt))
      if (reverse) slice.reverse()
      return slice.map((k) => [k, values.get(k)!] as const)
    },
    batch: async (ops: ReadonlyArray<KvOp>) => {
      check()
      for (const o of ops) {
        const at = lowerBound(o.key)
        const present = keys[at] === o.key
        if (o.type === "put") {
          if (!present) keys.splice(at, 0, o.key)
          values.set(o.key, o.value)
        } else if (present) {
          keys.splice(at, 1)
          values.delete(o.key)
        }
      }
    },
    close: async () => {
      closed = true
    }
  }
}
