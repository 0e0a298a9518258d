/**
 * Cache layers (Cosmos SDK store/cachekv and cachemulti): writes are buffered in a Map keyed by
 * the key's latin1 string (whose JavaScript order is unsigned byte order); reads fall through to
 * the parent; iteration merges the buffered entries (sorted) with the parent's iterator, the
 * buffer winning on equal keys and buffered deletes hiding parent keys; `write()` applies the
 * buffer to the parent in key order (deterministic).
 */
import type { BranchedMultiStore, Entry, KVStore, MultiStore } from "../KVStore.ts"
import { StoreError } from "../StoreError.ts"
import { compareBytes } from "../../lib/Bytes.ts"
import { byteString, copyBytes } from "./encoding.ts"
import { WorkingTree } from "./Tree.ts"

/** One buffered write; `value` undefined is a delete. */
interface Pending {
  readonly key: Uint8Array
  readonly value: Uint8Array | undefined
}

const used = (): never => {
  throw new StoreError({ reason: "branch-written", log: "this branch was already written to its parent; branch again" })
}

/** A cache-wrapped KVStore over `parent`. */
export class CacheKV implements KVStore {
  private readonly parent: KVStore
  private readonly pending = new Map<string, Pending>()
  /** Buffered keys in order, as of the last iteration. */
  private sorted: string[] = []
  /** Keys buffered since then (not yet in `sorted`). */
  private fresh: string[] = []
  dead = false

  constructor(parent: KVStore) {
    this.parent = parent
  }

  get(key: Uint8Array): Uint8Array | undefined {
    if (this.dead) used()
    // nothing buffered yet (most reads of a tx's fresh branch): no key string to build
    if (this.pending.size === 0) return this.parent.get(key)
    const p = this.pending.get(byteString(key))
    return p !== undefined ? p.value : this.parent.get(key)
  }

  has(key: Uint8Array): boolean {
    return this.get(key) !== undefined
  }

  set(key: Uint8Array, value: Uint8Array): void {
    if (this.dead) used()
    if (key.length === 0) throw new StoreError({ reason: "empty-key", log: "key must not be empty" })
    this.put(key, copyBytes(value))
  }

  delete(key: Uint8Array): void {
    if (this.dead) used()
    this.put(key, undefined)
  }

  private put(key: Uint8Array, value: Uint8Array | undefined): void {
    const s = byteString(key)
    if (!this.pending.has(s)) this.fresh.push(s)
    this.pending.set(s, { key: copyBytes(key), value })
  }

  /** The buffered keys in order: sorts only the keys added since the last call, then merges. */
  private sortedKeys(): string[] {
    if (this.fresh.length === 0) return this.sorted
    const add = this.fresh.sort()
    const old = this.sorted
    const out: string[] = new Array(old.length + add.length)
    let i = 0
    let j = 0
    let o = 0
    while (i < old.length && j < add.length) out[o++] = old[i]! < add[j]! ? old[i++]! : add[j++]!
    while (i < old.length) out[o++] = old[i++]!
    while (j < add.length) out[o++] = add[j++]!
    this.sorted = out
    this.fresh = []
    return out
  }

  iterate(start?: Uint8Array, end?: Uint8Array, reverse = false): IterableIterator<Entry> {
    if (this.dead) used()
    const keys = this.sortedKeys()
    const lo = start === undefined ? 0 : lowerBound(keys, byteString(start))
    const hi = end === undefined ? keys.length : lowerBound(keys, byteString(end))
    // Snapshot of the buffered entries in range (entries are replaced, never mutated).
    const mine: Pending[] = []
    for (let i = lo; i < hi; i++) mine.push(this.pending.get(keys[i]!)!)
    if (reverse) mine.reverse()
    return merge(mine, this.parent.iterate(start, end, reverse), reverse ? -1 : 1)
  }

  /** Applies the buffer to the parent in ascending key order and retires this layer. */
  write(): void {
    if (this.dead) used()
    const parent = this.parent
    // The buffered arrays are private copies: hand them to an IAVL parent without copying again.
    const owned = parent instanceof WorkingTree ? parent : undefined
    for (const k of this.sortedKeys()) {
      const p = this.pending.get(k)!
      if (p.value === undefined) parent.delete(p.key)
      else if (owned !== undefined) owned.setOwned(p.key, p.value)
      else parent.set(p.key, p.value)
    }
    this.dead = true
  }
}

const lowerBound = (keys: string[], s: string): number => {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (keys[mid]! < s) lo = mid + 1
    else hi = mid
  }
  return lo
}

function* merge(mine: Pending[], parent: Iterator<Entry>, dir: number): IterableIterator<Entry> {
  let i = 0
  let p = parent.next()
  while (i < mine.length || !p.done) {
    if (p.done) {
      const m = mine[i++]!
      if (m.value !== undefined) yield [m.key, m.value]
      continue
    }
    if (i >= mine.length) {
      yield p.value
      p = parent.next()
      continue
    }
    const m = mine[i]!
    const c = compareBytes(m.key, p.value[0]) * dir
    if (c < 0) {
      i++
      if (m.value !== undefined) yield [m.key, m.value]
    } else if (c > 0) {
      yield p.value
      p = parent.next()
    } else {
      i++
      p = parent.next()
      if (m.value !== undefined) yield [m.key, m.value]
    }
  }
}

/** A cache-wrapped multistore (cosmos-sdk store/cachemulti). */
export class CacheMultiStore implements BranchedMultiStore {
  private readonly parent: MultiStore
  private readonly stores = new Map<string, CacheKV>()
  private written = false

  constructor(parent: MultiStore) {
    this.parent = parent
  }

  store(name: string): KVStore {
    if (this.written) used()
    let s = this.stores.get(name)
    if (s === undefined) {
      s = new CacheKV(this.parent.store(name))
      this.stores.set(name, s)
    }
    return s
  }

  branch(): BranchedMultiStore {
    if (this.written) used()
    return new CacheMultiStore(this)
  }

  write(): void {
    if (this.written) used()
    for (const name of [...this.stores.keys()].sort()) this.stores.get(name)!.write()
    this.written = true
  }
}
