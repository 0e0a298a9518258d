/**
 * A write-buffering KVStore over a parent (Cosmos SDK cachekv): reads fall through, writes stay
 * here until `commit()` applies them to the parent in key order, or the overlay is dropped. Used
 * to roll back one program call (and its nested calls) without touching the tx branch.
 */
import { compareBytes as cmp, toHex as hex } from "../../../lib/Bytes.ts"
import type { Entry, KVStore } from "../../../store/KVStore.ts"

/** Overlay over `parent`. */
export class OverlayStore implements KVStore {
  private readonly parent: KVStore
  private readonly writes = new Map<string, { key: Uint8Array; value: Uint8Array | undefined }>()
  constructor(parent: KVStore) {
    this.parent = parent
  }
  get(key: Uint8Array): Uint8Array | undefined {
    const w = this.writes.get(hex(key))
    return w ? w.value : this.parent.get(key)
  }
  has(key: Uint8Array): boolean {
    return this.get(key) !== undefined
  }
  set(key: Uint8Array, value: Uint8Array): void {
    if (key.length === 0) throw new Error("empty key")
    this.writes.set(hex(key), { key: key.slice(), value })
  }
  delete(key: Uint8Array): void {
    this.writes.set(hex(key), { key: key.slice(), value: undefined })
  }
  *iterate(start?: Uint8Array, end?: Uint8Array, reverse?: boolean): IterableIterator<Entry> {
    const inRange = (k: Uint8Array) => (!start || cmp(k, start) >= 0) && (!end || cmp(k, end) < 0)
    const merged = new Map<string, Entry>()
    for (const [k, v] of this.parent.iterate(start, end)) merged.set(hex(k), [k, v])
    for (const [h, w] of this.writes) {
      if (!inRange(w.key)) continue
      if (w.value === undefined) merged.delete(h)
      else merged.set(h, [w.key, w.value])
    }
    const entries = [...merged.values()].sort((a, b) => cmp(a[0], b[0]))
    if (reverse) entries.reverse()
    yield* entries
  }
  /** Apply the buffered writes to the parent in key order; the overlay is empty afterwards. */
  commit(): void {
    const ws = [...this.writes.values()].sort((a, b) => cmp(a.key, b.key))
    for (const w of ws) {
      if (w.value === undefined) this.parent.delete(w.key)
      else this.parent.set(w.key, w.value)
    }
    this.writes.clear()
  }
}
