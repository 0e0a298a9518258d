/**
 * Account storage in the auth namespace (canonical protobuf, SDK x/auth layout):
 *
 * | key                       | value                                                      |
 * |---------------------------|------------------------------------------------------------|
 * | 0x00                      | cosmos.auth.v1beta1.Params                                 |
 * | 0x01 ‖ address bytes      | google.protobuf.Any of BaseAccount or ModuleAccount        |
 * | 0x02                      | next account number, uint64 big-endian (8 bytes)           |
 *
 * Source: cosmos-sdk x/auth/types/keys.go (ParamsKey 0x00, AddressStoreKeyPrefix 0x01,
 * GlobalAccountNumberKey 0x02), x/auth/keeper/account.go (NewAccountWithAddress,
 * NextAccountNumber).
 */
import { BaseAccount, ModuleAccount, Params } from "cosmjs-types/cosmos/auth/v1beta1/auth"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { Any as AnyCodec } from "cosmjs-types/google/protobuf/any"
import { BinaryWriter } from "cosmjs-types/binary"
import type { KVStore } from "../../store/KVStore.ts"
import { defaultAuthParams } from "./AuthConfig.ts"
import { formatAddress } from "./Address.ts"

/** Type URL of a plain account. */
export const BASE_ACCOUNT_URL = "/cosmos.auth.v1beta1.BaseAccount"
/** Type URL of a module account. */
export const MODULE_ACCOUNT_URL = "/cosmos.auth.v1beta1.ModuleAccount"

/** Key of the params. */
export const PARAMS_KEY = Uint8Array.of(0x00)
/** Prefix of accounts by address. */
export const ACCOUNT_PREFIX = 0x01
/** Key of the global account-number counter. */
export const NEXT_ACCOUNT_NUMBER_KEY = Uint8Array.of(0x02)

/** A stored account: its BaseAccount part, plus module name and permissions for module accounts. */
export interface Account {
  readonly base: BaseAccount
  readonly module?: { readonly name: string; readonly permissions: ReadonlyArray<string> }
}

/** Store key of the account at `address` (raw bytes). */
export const accountKey = (address: Uint8Array): Uint8Array => {
  const k = new Uint8Array(1 + address.length)
  k[0] = ACCOUNT_PREFIX
  k.set(address, 1)
  return k
}

/** Account as the Any stored and returned by Query/Account. */
export const accountToAny = (acc: Account): Any =>
  acc.module
    ? { typeUrl: MODULE_ACCOUNT_URL, value: ModuleAccount.encode({ baseAccount: acc.base, name: acc.module.name, permissions: [...acc.module.permissions] }).finish() }
    : { typeUrl: BASE_ACCOUNT_URL, value: BaseAccount.encode(acc.base).finish() }

/**
 * `Any.encode(accountToAny({ base }))` in one writer (every ante step writes its signer's account):
 * the BaseAccount is written as the Any's length-delimited value in place, which is what
 * `bytes(BaseAccount.encode(base).finish())` gives, and left out when it encodes to nothing,
 * as Any.encode leaves out an empty value.
 */
const encodeBaseAccountAny = (base: BaseAccount): Uint8Array => {
  const w = BinaryWriter.create()
  w.uint32(10).string(BASE_ACCOUNT_URL)
  // BaseAccount.encode's own field conditions: all false means an empty encoding
  if (base.address !== "" || base.pubKey !== undefined || base.accountNumber !== BigInt(0) || base.sequence !== BigInt(0)) {
    BaseAccount.encode(base, w.uint32(18).fork()).ldelim()
  }
  return w.finish()
}

/** Decode a stored Any; throws on an unknown account type (state corruption). */
export const accountFromAny = (any: Any): Account => {
  if (any.typeUrl === BASE_ACCOUNT_URL) return { base: BaseAccount.decode(any.value) }
  if (any.typeUrl === MODULE_ACCOUNT_URL) {
    const m = ModuleAccount.decode(any.value)
    if (!m.baseAccount) throw new Error(`module account ${m.name} has no base account`)
    return { base: m.baseAccount, module: { name: m.name, permissions: m.permissions } }
  }
  throw new Error(`unsupported account type ${any.typeUrl} in state`)
}

/**
 * Decoded accounts by their stored bytes (latin1 key): an account written by one tx's ante step
 * is read by the next without decoding it again. Content-keyed, so a hit is exactly what
 * decoding gives; the Account objects are shared and never mutated (updates build new ones).
 * Bounded FIFO.
 */
const decodedAccounts = new Map<string, Account>()
const DECODED_MAX = 16_384
const bytesKey = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1")
const remember = (key: string, acc: Account): void => {
  if (decodedAccounts.size >= DECODED_MAX) decodedAccounts.delete(decodedAccounts.keys().next().value!)
  decodedAccounts.set(key, acc)
}

/** The account at `address`, or undefined. */
export const getAccount = (store: KVStore, address: Uint8Array): Account | undefined => {
  const raw = store.get(accountKey(address))
  if (!raw) return undefined
  const key = bytesKey(raw)
  let acc = decodedAccounts.get(key)
  if (!acc) remember(key, (acc = accountFromAny(AnyCodec.decode(raw))))
  return acc
}

/** Whether an account exists at `address`. */
export const hasAccount = (store: KVStore, address: Uint8Array): boolean => store.has(accountKey(address))

/** Write `acc` under `address`. */
export const setAccount = (store: KVStore, address: Uint8Array, acc: Account): void => {
  const value = acc.module ? AnyCodec.encode(accountToAny(acc)).finish() : encodeBaseAccountAny(acc.base)
  store.set(accountKey(address), value)
  // the next read (the sender's next tx) finds it decoded: a copy of our own of what decoding
  // the bytes gives (same fields, same order; not `acc`, which the caller still holds)
  if (!acc.module) {
    const { address: a, pubKey, accountNumber, sequence } = acc.base
    remember(bytesKey(value), { base: { address: a, pubKey: pubKey && { typeUrl: pubKey.typeUrl, value: pubKey.value }, accountNumber, sequence } })
  }
}

const u64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, v)
  return b
}

/** Read the next account number without taking it. */
export const peekAccountNumber = (store: KVStore): bigint => {
  const raw = store.get(NEXT_ACCOUNT_NUMBER_KEY)
  return raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getBigUint64(0) : 0n
}

/** Set the next account number. */
export const setNextAccountNumber = (store: KVStore, n: bigint): void => store.set(NEXT_ACCOUNT_NUMBER_KEY, u64(n))

/** Take the next global account number (SDK NextAccountNumber). */
export const nextAccountNumber = (store: KVStore): bigint => {
  const n = peekAccountNumber(store)
  setNextAccountNumber(store, n + 1n)
  return n
}

/** Create and store a fresh BaseAccount at `address` (SDK NewAccountWithAddress + SetAccount). */
export const createAccount = (store: KVStore, address: Uint8Array, prefix: string): Account => {
  const acc: Account = { base: { address: formatAddress(address, prefix), pubKey: undefined, accountNumber: nextAccountNumber(store), sequence: 0n } }
  setAccount(store, address, acc)
  return acc
}

/** Create the account at `address` unless it exists; true when it was created. */
export const ensureAccount = (store: KVStore, address: Uint8Array, prefix: string): boolean => {
  if (hasAccount(store, address)) return false
  createAccount(store, address, prefix)
  return true
}

/** The auth params in state (SDK defaults when unset). Shared: never mutate. */
export const getParams = (store: KVStore): Params => {
  const raw = store.get(PARAMS_KEY)
  if (!raw) return defaultAuthParams
  // read by every tx's ante step; decoded once per stored value (never changed in place)
  let p = decodedParams.get(raw)
  if (!p) decodedParams.set(raw, (p = Params.decode(raw)))
  return p
}
const decodedParams = new WeakMap<Uint8Array, Params>()

/** Write the auth params. */
export const setParams = (store: KVStore, params: Params): void => store.set(PARAMS_KEY, Params.encode(params).finish())
