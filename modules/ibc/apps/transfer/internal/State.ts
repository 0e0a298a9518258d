/**
 * Transfer's state inside the `ibc` namespace, under `apps/transfer/` (no ICS-24 path starts
 * so, and counterparties never read these keys): ibc-go's transfer store layout with that prefix.
 * - `apps/transfer/denomTraces/<32-byte hash>` -> DenomTrace protobuf (types.DenomTraceKey)
 * - `apps/transfer/totalEscrowForDenom/<denom>` -> amount, decimal text (math.Int Marshal)
 * - `apps/transfer/params` -> transfer v1 Params protobuf; absent = both enabled (DefaultParams)
 *
 * Source: ibc-go v8 modules/apps/transfer/types/keys.go, keeper/keeper.go.
 */
import { DenomTrace as DenomTraceProto } from "cosmjs-types/ibc/applications/transfer/v1/denomtrace"
import { Params } from "cosmjs-types/ibc/applications/transfer/v1/transfer"
import type { KVStore } from "../../../../../store/KVStore.ts"
import { denomTraceHash, type DenomTrace } from "../Denom.ts"

const enc = (s: string) => new TextEncoder().encode(s)
const PREFIX = "apps/transfer/"
/** Key prefix of denom traces (hash bytes follow). */
export const DENOM_TRACES_PREFIX = enc(PREFIX + "denomTraces/")
const ESCROW_PREFIX = PREFIX + "totalEscrowForDenom/"
const PARAMS_KEY = enc(PREFIX + "params")

const traceKey = (hash: Uint8Array): Uint8Array => {
  const k = new Uint8Array(DENOM_TRACES_PREFIX.length + hash.length)
  k.set(DENOM_TRACES_PREFIX, 0)
  k.set(hash, DENOM_TRACES_PREFIX.length)
  return k
}

/** The trace stored under `hash`, if any. */
export const getDenomTrace = (store: KVStore, hash: Uint8Array): DenomTrace | undefined => {
  const raw = store.get(traceKey(hash))
  return raw ? decodeTrace(raw) : undefined
}

/** Whether a trace is stored under `hash`. */
export const hasDenomTrace = (store: KVStore, hash: Uint8Array): boolean => store.has(traceKey(hash))

/** Store a trace under its hash. */
export const setDenomTrace = (store: KVStore, t: DenomTrace): void => {
  store.set(traceKey(denomTraceHash(t)), DenomTraceProto.encode({ path: t.path, baseDenom: t.baseDenom }).finish())
}

/** Decode a stored trace. */
export const decodeTrace = (raw: Uint8Array): DenomTrace => {
  const t = DenomTraceProto.decode(raw)
  return { path: t.path, baseDenom: t.baseDenom }
}

/** Every stored trace in hash order (genesis export). */
export const allDenomTraces = (store: KVStore): DenomTrace[] => {
  const end = Uint8Array.from(DENOM_TRACES_PREFIX)
  end[end.length - 1]!++
  return [...store.iterate(DENOM_TRACES_PREFIX, end)].map(([, v]) => decodeTrace(v))
}

/** GetTotalEscrowForDenom: 0 when absent. */
export const getTotalEscrow = (store: KVStore, denom: string): bigint => {
  const raw = store.get(enc(ESCROW_PREFIX + denom))
  return raw ? BigInt(new TextDecoder().decode(raw)) : 0n
}

/** SetTotalEscrowForDenom: a zero amount deletes the entry (as ibc-go). */
export const setTotalEscrow = (store: KVStore, denom: string, amount: bigint): void => {
  if (amount === 0n) store.delete(enc(ESCROW_PREFIX + denom))
  else store.set(enc(ESCROW_PREFIX + denom), enc(amount.toString()))
}

/** Every non-zero total escrow in denom order (genesis export). */
export const allTotalEscrow = (store: KVStore): Array<{ denom: string; amount: bigint }> => {
  const p = enc(ESCROW_PREFIX)
  const end = Uint8Array.from(p)
  end[end.length - 1]!++
  return [...store.iterate(p, end)].map(([k, v]) => ({ denom: new TextDecoder().decode(k.subarray(p.length)), amount: BigInt(new TextDecoder().decode(v)) }))
}

/** Transfer params (send / receive enabled); DefaultParams when none are stored. */
export const getParams = (store: KVStore): Params => {
  const raw = store.get(PARAMS_KEY)
  return raw ? Params.decode(raw) : { sendEnabled: true, receiveEnabled: true }
}

/** Store transfer params. */
export const setParams = (store: KVStore, p: Params): void => {
  store.set(PARAMS_KEY, Params.encode(p).finish())
}
