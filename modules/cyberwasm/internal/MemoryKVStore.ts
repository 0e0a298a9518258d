/**
 * A small in-memory KVStore (sorted keys, binary search) for TestEnv and unit tests, so programs
 * run without a node. Not a state commitment: the node uses the IAVL store.
 */
import { fromHex, toHex as hex } from "../../../lib/Bytes.ts"
import type { Entry, KVStore } from "../../../store/KVStore.ts"

/** In-memory sorted KVStore. */
export class MemoryKVStore implements KVStore {
  private readonly values = new Map<string, Uint8Array>()
  private readonly keys: string[] = []
  private find(h: string): number {
    let lo = 0
    let hi = this.keys.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.keys[mid]! < h) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  get(key: Uint8Array): Uint8Array | undefined {
    return this.values.get(hex(key))
  }
  has(key: Uint8Array): boolean {
    return this.values.has(hex(key))
  }
  set(key: Uint8Array, value: Uint8Array): void {
    if (key.length === 0) throw new Error("empty key")
    const h = hex(key)
    if (!this.values.has(h)) this.keys.splice(this.find(h), 0, h)
    this.values.set(h, value)
  }
  delete(key: Uint8Array): void {
    const h = hex(key)
    if (!this.values.delete(h)) return
    this.keys.splice(this.find(h), 1)
  }
  *iterate(start?: Uint8Array, end?: Uint8Array, reverse?: boolean): IterableIterator<Entry> {
    const from = start ? this.find(hex(start)) : 0
    const to = end ? this.find(hex(end)) : this.keys.length
    const slice = this.keys.slice(from, to)
    if (reverse) slice.reverse()
    for (const h of slice) yield [fromHex(h), this.values.get(h)!]
  }
  /** Number of keys. */
  get size(): number {
    return this.keys.length
  }
  /** Total bytes of keys and values. */
  bytes(): number {
    let n = 0
    for (const [k, v] of this.values) n += (k.length >>> 1) + v.length
    return n
  }
}
