/**
 * A KVStore wrapper that charges gas for every access (Cosmos SDK store/gaskv/store.go with
 * KVGasConfig). Used for machine namespaces inside transactions.
 */
import type { Entry, KVStore } from "../../store/KVStore.ts"
import { KVGasConfig } from "../Gas.ts"
import type { GasMeter } from "../Gas.ts"

/** Wrap `inner` so each call charges `gas` as the SDK's gaskv store does. */
export const gasKVStore = (inner: KVStore, gas: GasMeter): KVStore => ({
  get(key) {
    gas.consume(KVGasConfig.readCostFlat, "ReadFlat")
    const v = inner.get(key)
    gas.consume(KVGasConfig.readCostPerByte * (key.length + (v?.length ?? 0)), "ReadPerByte")
    return v
  },
  has(key) {
    gas.consume(KVGasConfig.hasCost, "Has")
    return inner.has(key)
  },
  set(key, value) {
    gas.consume(KVGasConfig.writeCostFlat, "WriteFlat")
    gas.consume(KVGasConfig.writeCostPerByte * (key.length + value.length), "WritePerByte")
    inner.set(key, value)
  },
  delete(key) {
    gas.consume(KVGasConfig.deleteCost, "Delete")
    inner.delete(key)
  },
  *iterate(start, end, reverse): IterableIterator<Entry> {
    for (const entry of inner.iterate(start, end, reverse)) {
      gas.consume(KVGasConfig.iterNextCostFlat, "IterNextFlat")
      gas.consume(KVGasConfig.readCostPerByte * (entry[0].length + entry[1].length), "ValuePerByte")
      yield entry
    }
  }
})
