/**
 * Bank state layout (SDK 0.50 x/bank collections layout, values as SDK math.Int text):
 *
 * | key                                   | value                                    |
 * |---------------------------------------|------------------------------------------|
 * | 0x00 ‖ denom                          | total supply, decimal ASCII              |
 * | 0x01 ‖ denom                          | cosmos.bank.v1beta1.Metadata             |
 * | 0x02 ‖ len(addr) ‖ addr ‖ denom       | balance, decimal ASCII (absent when 0)   |
 * | 0x05                                  | cosmos.bank.v1beta1.Params               |
 *
 * Source: cosmos-sdk x/bank/types/keys.go (SupplyKey 0x00, DenomMetadataPrefix 0x01,
 * BalancesPrefix 0x02, ParamsKey 0x05), x/bank/keeper/view.go.
 */
import { Params } from "cosmjs-types/cosmos/bank/v1beta1/bank"
import { concatBytes as concat, prefixEnd } from "../../../lib/Bytes.ts"
import type { Entry, KVStore } from "../../../store/KVStore.ts"
import type { Coin } from "../Coin.ts"

export const SUPPLY_PREFIX = 0x00
export const METADATA_PREFIX = 0x01
export const BALANCES_PREFIX = 0x02
export const PARAMS_KEY = Uint8Array.of(0x05)

const enc = new TextEncoder()
const dec = new TextDecoder()

/** Prefix of all balances of `addr`: 0x02 ‖ len ‖ addr. */
export const balancesPrefix = (addr: Uint8Array): Uint8Array => {
  const k = new Uint8Array(2 + addr.length)
  k[0] = BALANCES_PREFIX
  k[1] = addr.length
  k.set(addr, 2)
  return k
}


/** UTF-8 bytes of denoms (pure; bounded cache: denoms are few). */
const denomCache = new Map<string, Uint8Array>()
const denomBytes = (denom: string): Uint8Array => {
  let b = denomCache.get(denom)
  if (!b) {
    b = enc.encode(denom)
    if (denomCache.size >= 4096) denomCache.clear()
    denomCache.set(denom, b)
  }
  return b
}

/** Key of the balance of (`addr`, `denom`): 0x02 ‖ len ‖ addr ‖ denom. */
export const balanceKey = (addr: Uint8Array, denom: string): Uint8Array => {
  const d = denomBytes(denom)
  const k = new Uint8Array(2 + addr.length + d.length)
  k[0] = BALANCES_PREFIX
  k[1] = addr.length
  k.set(addr, 2)
  k.set(d, 2 + addr.length)
  return k
}
/** Key of the supply of `denom`. */
export const supplyKey = (denom: string): Uint8Array => concat(Uint8Array.of(SUPPLY_PREFIX), denomBytes(denom))
/** Key of the metadata of `denom`. */
export const metadataKey = (denom: string): Uint8Array => concat(Uint8Array.of(METADATA_PREFIX), enc.encode(denom))

/** Exclusive upper bound of all keys starting with `prefix` (lib/Bytes.ts). */
export { prefixEnd }

/** Decode an amount value (decimal ASCII; read as latin1, which equals UTF-8 on ASCII and is faster). */
export const readAmount = (v: Uint8Array | undefined): bigint => {
  if (!v) return 0n
  // up to 15 decimal digits fit a double exactly: summed without a string (every transfer reads
  // two balances); anything else is parsed as before
  if (v.length <= 15) {
    let n = 0
    let i = 0
    for (; i < v.length; i++) {
      const d = v[i]! - 48
      if (d < 0 || d > 9) break
      n = n * 10 + d
    }
    if (i === v.length) return BigInt(n)
  }
  return BigInt(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("latin1"))
}

/** Encode an amount value. */
export const writeAmount = (v: bigint): Uint8Array => enc.encode(v.toString())

/** Balance of (`addr`, `denom`), 0 when absent. */
export const getBalance = (store: KVStore, addr: Uint8Array, denom: string): bigint => readAmount(store.get(balanceKey(addr, denom)))

/** Set a balance; zero deletes the entry (SDK keeps no zero balances). */
export const setBalance = (store: KVStore, addr: Uint8Array, denom: string, amount: bigint): void => {
  const key = balanceKey(addr, denom)
  if (amount === 0n) store.delete(key)
  else store.set(key, writeAmount(amount))
}

/** Entries under a prefix, from `start` (inclusive, full key) when given. */
export const iteratePrefix = (store: KVStore, prefix: Uint8Array, start?: Uint8Array, reverse = false): IterableIterator<Entry> =>
  store.iterate(start ?? prefix, prefixEnd(prefix), reverse)

/** All non-zero balances of `addr`, sorted by denom. */
export const allBalances = (store: KVStore, addr: Uint8Array): Coin[] => {
  const prefix = balancesPrefix(addr)
  const out: Coin[] = []
  for (const [k, v] of iteratePrefix(store, prefix)) out.push({ denom: dec.decode(k.subarray(prefix.length)), amount: readAmount(v) })
  return out
}

/** Supply of `denom`, 0 when absent. */
export const getSupply = (store: KVStore, denom: string): bigint => readAmount(store.get(supplyKey(denom)))

/** Set the supply of `denom` (zero deletes). */
export const setSupply = (store: KVStore, denom: string, amount: bigint): void => {
  if (amount === 0n) store.delete(supplyKey(denom))
  else store.set(supplyKey(denom), writeAmount(amount))
}

/** Denom of a key under a one-byte prefix. */
export const denomOf = (key: Uint8Array): string => dec.decode(key.subarray(1))

/** Bank params in state (SDK defaults when unset: send enabled by default). Shared: never mutate. */
export const getParams = (store: KVStore): Params => {
  const raw = store.get(PARAMS_KEY)
  if (!raw) return { sendEnabled: [], defaultSendEnabled: true }
  // read by every send; decoded once per stored value (store values are never changed in place)
  let p = decodedParams.get(raw)
  if (!p) decodedParams.set(raw, (p = Params.decode(raw)))
  return p
}
const decodedParams = new WeakMap<Uint8Array, Params>()

/** Write bank params. */
export const setParams = (store: KVStore, p: Params): void => store.set(PARAMS_KEY, Params.encode(p).finish())
