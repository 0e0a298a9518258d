/**
 * A KVStore view of the keys under a prefix of another store (the SDK's `prefix.Store`): what a
 * contract sees as its storage (`0x03 || address` in wasmd's layout). Iteration bounds are
 * translated and the prefix stripped; a read-only view refuses writes as cosmwasm-vm does in a
 * query.
 */
import type { Entry, KVStore } from "../../../../store/KVStore.ts"
import { concatBytes } from "../../../../lib/Bytes.ts"
import { prefixEnd } from "../../State.ts"
import { VmError } from "../WasmdError.ts"

/** The view of `parent` under `prefix`; `readOnly` makes set/delete throw VmError. */
export const prefixStore = (parent: KVStore, prefix: Uint8Array, readOnly = false): KVStore => {
  const end = prefixEnd(prefix)
  const full = (k: Uint8Array) => concatBytes(prefix, k)
  const refuse = (): never => {
    throw new VmError({ log: "Write access denied: the contract's storage is read-only in a query" })
  }
  return {
    get: (k) => parent.get(full(k)),
    has: (k) => parent.has(full(k)),
    set: readOnly ? refuse : (k, v) => parent.set(full(k), v),
    delete: readOnly ? refuse : (k) => parent.delete(full(k)),
    *iterate(start, stop, reverse): IterableIterator<Entry> {
      const s = start ? full(start) : prefix
      const e = stop ? full(stop) : end.length > 0 ? end : undefined
      for (const [k, v] of parent.iterate(s, e, reverse)) yield [k.subarray(prefix.length), v]
    }
  }
}
