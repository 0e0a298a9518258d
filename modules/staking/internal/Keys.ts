/**
 * Key layout of the staking namespace. Addresses inside keys are length-prefixed (one byte of
 * length, then the bytes, SDK address.MustLengthPrefix) so prefix scans over one address never
 * reach another. Queue keys start with the completion time as 8-byte big-endian seconds and
 * 4-byte nanos, so ascending iteration is time order.
 *
 * Source: cosmos-sdk x/staking/types/keys.go (the prefixes there differ; the grouping is the same).
 */
import { concatBytes, prefixEnd } from "../../../lib/Bytes.ts"

/** Params (Params protobuf). */
export const PARAMS_KEY = Uint8Array.of(0x51)
/** Last total power (decimal text). */
export const LAST_TOTAL_POWER_KEY = Uint8Array.of(0x12)
/** 0x11 | lp(operator) -> last consensus power (decimal text): the last bonded set. */
export const LAST_POWER = 0x11
/** 0x21 | lp(operator) -> Validator protobuf. */
export const VALIDATOR = 0x21
/** 0x22 | consensus address (20) -> operator bytes. */
export const VALIDATOR_BY_CONS = 0x22
/** 0x23 | (2^64-1 - power) 8 BE | lp(operator) -> empty: every unjailed validator by potential power. */
export const POWER_INDEX = 0x23
/** 0x31 | lp(delegator) | lp(validator) -> Delegation protobuf. */
export const DELEGATION = 0x31
/** 0x37 | lp(validator) | lp(delegator) -> empty. */
export const DELEGATION_BY_VAL = 0x37
/** 0x32 | lp(delegator) | lp(validator) -> UnbondingDelegation protobuf. */
export const UBD = 0x32
/** 0x33 | lp(validator) | lp(delegator) -> empty. */
export const UBD_BY_VAL = 0x33
/** 0x34 | lp(delegator) | lp(src) | lp(dst) -> Redelegation protobuf. */
export const RED = 0x34
/** 0x35 | lp(src) | lp(delegator) | lp(dst) -> empty. */
export const RED_BY_SRC = 0x35
/** 0x36 | lp(dst) | lp(delegator) | lp(src) -> empty. */
export const RED_BY_DST = 0x36
/** 0x41 | time -> DVPairs: unbonding delegations maturing then. */
export const UBD_QUEUE = 0x41
/** 0x42 | time -> DVVTriplets: redelegations maturing then. */
export const RED_QUEUE = 0x42
/** 0x43 | time | height 8 BE -> ValAddresses (operator bech32): validators finishing unbonding. */
export const VAL_QUEUE = 0x43

/** One length-prefixed address. */
export const lp = (a: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(a.length), a)

/** A key of `prefix` then the length-prefixed addresses. */
export const addrKey = (prefix: number, ...addrs: ReadonlyArray<Uint8Array>): Uint8Array => concatBytes(Uint8Array.of(prefix), ...addrs.map(lp))

/** Read the length-prefixed address at `offset`: [bytes, next offset]. */
export const readLp = (key: Uint8Array, offset: number): readonly [Uint8Array, number] => {
  const n = key[offset]!
  return [key.subarray(offset + 1, offset + 1 + n), offset + 1 + n]
}

const MAX_U64 = (1n << 64n) - 1n

const u64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, v)
  return b
}

/** Power index key: power descending, then operator bytes ascending. */
export const powerIndexKey = (power: bigint, operator: Uint8Array): Uint8Array =>
  concatBytes(Uint8Array.of(POWER_INDEX), u64(MAX_U64 - (power > MAX_U64 ? MAX_U64 : power)), lp(operator))

/** Operator bytes of a power index key. */
export const operatorOfPowerKey = (key: Uint8Array): Uint8Array => readLp(key, 9)[0]

/** Block time as it appears in keys: 8-byte big-endian seconds, 4-byte nanos. */
export const timeBytes = (t: { readonly seconds: bigint; readonly nanos: number }): Uint8Array => {
  const b = new Uint8Array(12)
  const v = new DataView(b.buffer)
  v.setBigUint64(0, t.seconds < 0n ? 0n : t.seconds)
  v.setUint32(8, t.nanos)
  return b
}

/** Queue key of `prefix` at time `t` (with `height` for the validator queue). */
export const queueKey = (prefix: number, t: { readonly seconds: bigint; readonly nanos: number }, height?: bigint): Uint8Array =>
  height === undefined ? concatBytes(Uint8Array.of(prefix), timeBytes(t)) : concatBytes(Uint8Array.of(prefix), timeBytes(t), u64(height))

/** Upper bound (exclusive) of the queue entries at or before `t`. */
export const queueEnd = (prefix: number, t: { readonly seconds: bigint; readonly nanos: number }): Uint8Array =>
  concatBytes(Uint8Array.of(prefix), timeBytes(t), Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))

/** The exclusive end of every key starting with `prefix` (lib/Bytes.ts). */
export { prefixEnd }
