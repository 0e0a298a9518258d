/**
 * Typed reads and writes of the CosmWasm records under {@link WasmKeys}, encoded with wasmd's own
 * protobuf messages (cosmjs-types cosmwasm.wasm.v1): CodeInfo, ContractInfo,
 * ContractCodeHistoryEntry, Params; sequences as u64 BE.
 *
 * Source: wasmd x/wasm/keeper/keeper.go (mustStoreCodeInfo, mustStoreContractInfo,
 * appendToContractHistory, mustAutoIncrementID, addToContractCodeSecondaryIndex).
 */
import {
  AccessType, CodeInfo, ContractCodeHistoryEntry, ContractCodeHistoryOperationType, ContractInfo, Params
} from "cosmjs-types/cosmwasm/wasm/v1/types"
import type { KVStore } from "../../../store/KVStore.ts"
import { prefixEnd } from "../State.ts"
import { positionBytes, WasmKeys } from "./Keys.ts"

export { AccessType, ContractCodeHistoryOperationType }
export type { CodeInfo, ContractCodeHistoryEntry, ContractInfo, Params }

const EMPTY = new Uint8Array()
const u64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, v)
  return b
}
const readU64 = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0)

/** wasmd's default params: upload by everybody, instantiate default permission everybody. */
export const defaultWasmParams = (): Params => ({
  codeUploadAccess: { permission: AccessType.ACCESS_TYPE_EVERYBODY, addresses: [] },
  instantiateDefaultPermission: AccessType.ACCESS_TYPE_EVERYBODY
})

/** The stored params, or wasmd's defaults. */
export const readParams = (store: KVStore): Params => {
  const b = store.get(WasmKeys.params)
  return b ? Params.decode(b) : defaultWasmParams()
}
/** Store the params. */
export const writeParams = (store: KVStore, p: Params): void => store.set(WasmKeys.params, Params.encode(p).finish())

/** The code record of `codeId`, if any. */
export const readCode = (store: KVStore, codeId: bigint): CodeInfo | undefined => {
  const b = store.get(WasmKeys.code(codeId))
  return b ? CodeInfo.decode(b) : undefined
}
/** Store the code record of `codeId`. */
export const writeCode = (store: KVStore, codeId: bigint, info: CodeInfo): void => store.set(WasmKeys.code(codeId), CodeInfo.encode(info).finish())

/** The contract record at raw address `addr`, if any. */
export const readContract = (store: KVStore, addr: Uint8Array): ContractInfo | undefined => {
  const b = store.get(WasmKeys.contract(addr))
  return b ? ContractInfo.decode(b) : undefined
}
/** Store the contract record at raw address `addr`. */
export const writeContract = (store: KVStore, addr: Uint8Array, info: ContractInfo): void => store.set(WasmKeys.contract(addr), ContractInfo.encode(info).finish())

/** Next value of a sequence (wasmd mustAutoIncrementID: stored value is the next id, 1 when absent). */
export const nextId = (store: KVStore, key: Uint8Array): bigint => {
  const b = store.get(key)
  const id = b ? readU64(b) : 1n
  store.set(key, u64(id + 1n))
  return id
}
/** The id the sequence would give next (wasmd PeekAutoIncrementID). */
export const peekId = (store: KVStore, key: Uint8Array): bigint => {
  const b = store.get(key)
  return b ? readU64(b) : 1n
}
/** Set a sequence (genesis import). */
export const setSequence = (store: KVStore, key: Uint8Array, value: bigint): void => store.set(key, u64(value))

/** The history entries of a contract, oldest first. */
export const readHistory = (store: KVStore, addr: Uint8Array): ContractCodeHistoryEntry[] => {
  const p = WasmKeys.historyPrefix(addr)
  return [...store.iterate(p, prefixEnd(p))].map(([, v]) => ContractCodeHistoryEntry.decode(v))
}
/** Append history entries (positions continue after the last stored one). */
export const appendHistory = (store: KVStore, addr: Uint8Array, ...entries: ReadonlyArray<ContractCodeHistoryEntry>): void => {
  const p = WasmKeys.historyPrefix(addr)
  let pos = 0n
  for (const [k] of store.iterate(p, prefixEnd(p), true)) {
    pos = readU64(k.subarray(p.length)) + 1n
    break
  }
  for (const e of entries) store.set(WasmKeys.history(addr, pos++), ContractCodeHistoryEntry.encode(e).finish())
}
/** The newest history entry (every contract has at least one). */
export const lastHistory = (store: KVStore, addr: Uint8Array): ContractCodeHistoryEntry | undefined => {
  const p = WasmKeys.historyPrefix(addr)
  for (const [, v] of store.iterate(p, prefixEnd(p), true)) return ContractCodeHistoryEntry.decode(v)
  return undefined
}

const position = (e: ContractCodeHistoryEntry) => positionBytes(e.updated?.blockHeight ?? 0n, e.updated?.txIndex ?? 0n)
/** Index the contract under its current code (secondary index 0x06). */
export const indexByCode = (store: KVStore, addr: Uint8Array, e: ContractCodeHistoryEntry): void => store.set(WasmKeys.byCode(e.codeId, position(e), addr), EMPTY)
/** Drop the contract from its code's index. */
export const unindexByCode = (store: KVStore, addr: Uint8Array, e: ContractCodeHistoryEntry): void => store.delete(WasmKeys.byCode(e.codeId, position(e), addr))
/** Index the contract under its creator (secondary index 0x09). */
export const indexByCreator = (store: KVStore, creator: Uint8Array, e: ContractCodeHistoryEntry, addr: Uint8Array): void =>
  store.set(WasmKeys.byCreator(creator, position(e), addr), EMPTY)

/** The original Wasm bytes of `checksum`. */
export const readWasm = (store: KVStore, checksum: Uint8Array): Uint8Array | undefined => store.get(WasmKeys.wasm(checksum))
/** Store the original Wasm bytes once per checksum. */
export const writeWasm = (store: KVStore, checksum: Uint8Array, wasm: Uint8Array): void => {
  if (!store.has(WasmKeys.wasm(checksum))) store.set(WasmKeys.wasm(checksum), wasm)
}

/** Whether code `codeId` is pinned (wasmd IsPinnedCode: a key under 0x07). */
export const isPinned = (store: KVStore, codeId: bigint): boolean => store.has(WasmKeys.pinned(codeId))

/** Pin or unpin code `codeId` (wasmd stores one byte, 0x01). */
export const setPinned = (store: KVStore, codeId: bigint, pinned: boolean): void => {
  if (pinned) store.set(WasmKeys.pinned(codeId), Uint8Array.of(1))
  else store.delete(WasmKeys.pinned(codeId))
}
