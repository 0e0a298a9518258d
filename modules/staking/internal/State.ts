/**
 * Reading and writing staking records in the namespace (layout: ./Keys.ts). Records are the SDK's
 * own protobufs (cosmjs-types cosmos.staking.v1beta1), Dec fields in wire form.
 *
 * Source: cosmos-sdk x/staking/keeper (validator.go, delegation.go, params.go, keeper.go).
 */
import { DVPairs, DVVTriplets, Delegation, Params, Redelegation, UnbondingDelegation, ValAddresses, Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import type { KVStore } from "../../../store/KVStore.ts"
import { sha256 } from "../../../lib/Bytes.ts"
import {
  addrKey, DELEGATION, DELEGATION_BY_VAL, LAST_POWER, LAST_TOTAL_POWER_KEY, PARAMS_KEY, powerIndexKey, queueKey, RED, RED_BY_DST,
  RED_BY_SRC, RED_QUEUE, UBD, UBD_BY_VAL, UBD_QUEUE, VAL_QUEUE, VALIDATOR, VALIDATOR_BY_CONS
} from "./Keys.ts"
import { BondStatus } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import { ED25519_PUBKEY_URL } from "./PubKey.ts"
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys"

const EMPTY = new Uint8Array(0)
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const untext = (b: Uint8Array): string => new TextDecoder().decode(b)

/** Default params (SDK DefaultParams): 21 days, 100 validators, 7 entries, 10000 historical, min commission 0. */
export const defaultParams = (bondDenom: string): Params => ({
  unbondingTime: { seconds: 1_814_400n, nanos: 0 },
  maxValidators: 100,
  maxEntries: 7,
  historicalEntries: 10_000,
  bondDenom,
  minCommissionRate: "0"
})

/** The params (defaults when unset). */
export const getParams = (store: KVStore, bondDenom: string): Params => {
  const raw = store.get(PARAMS_KEY)
  return raw ? Params.decode(raw) : defaultParams(bondDenom)
}
/** Store the params. */
export const setParams = (store: KVStore, p: Params): void => store.set(PARAMS_KEY, Params.encode(p).finish())

/** The validator at operator bytes, if any. */
export const getValidator = (store: KVStore, operator: Uint8Array): Validator | undefined => {
  const raw = store.get(addrKey(VALIDATOR, operator))
  return raw ? Validator.decode(raw) : undefined
}
/** Store a validator record (indexes are kept by the callers that change what they index). */
export const setValidator = (store: KVStore, operator: Uint8Array, v: Validator): void =>
  store.set(addrKey(VALIDATOR, operator), Validator.encode(v).finish())

/** The ed25519 key bytes of a validator (32). */
export const consensusKey = (v: Validator): Uint8Array => PubKey.decode(v.consensusPubkey!.value).key
/** Consensus address: sha256(ed25519 key)[:20] (CometBFT). */
export const consAddress = (key: Uint8Array): Uint8Array => sha256(key).subarray(0, 20)
/** The Any of an ed25519 consensus key. */
export const consensusAny = (key: Uint8Array) => ({ typeUrl: ED25519_PUBKEY_URL, value: PubKey.encode({ key }).finish() })

/** Operator bytes of the validator with consensus key `key`, if any. */
export const validatorByConsKey = (store: KVStore, key: Uint8Array): Uint8Array | undefined =>
  store.get(Uint8Array.of(VALIDATOR_BY_CONS, ...consAddress(key)))
/** Drop the consensus-address index of a key. */
export const deleteValidatorByCons = (store: KVStore, key: Uint8Array): void => store.delete(Uint8Array.of(VALIDATOR_BY_CONS, ...consAddress(key)))
/** Index a validator by its consensus address. */
export const setValidatorByCons = (store: KVStore, key: Uint8Array, operator: Uint8Array): void =>
  store.set(Uint8Array.of(VALIDATOR_BY_CONS, ...consAddress(key)), operator)

/** SDK DefaultPowerReduction: 10^6 tokens per unit of consensus power. */
export const POWER_REDUCTION = 1_000_000n

/** tokens / 10^6, whatever the status (PotentialConsensusPower). */
export const potentialPower = (v: Validator): bigint => BigInt(v.tokens) / POWER_REDUCTION
/** Consensus power: potential power when bonded, else 0. */
export const consensusPower = (v: Validator): bigint => (v.status === BondStatus.BOND_STATUS_BONDED ? potentialPower(v) : 0n)

/** Put a validator into the power index (unless jailed). */
export const setPowerIndex = (store: KVStore, operator: Uint8Array, v: Validator): void => {
  if (!v.jailed) store.set(powerIndexKey(potentialPower(v), operator), EMPTY)
}
/** Remove a validator's current power index entry. */
export const deletePowerIndex = (store: KVStore, operator: Uint8Array, v: Validator): void => store.delete(powerIndexKey(potentialPower(v), operator))

/** Last bonded power of a validator (undefined when not in the last set). */
export const getLastPower = (store: KVStore, operator: Uint8Array): bigint | undefined => {
  const raw = store.get(addrKey(LAST_POWER, operator))
  return raw ? BigInt(untext(raw)) : undefined
}
/** Record a validator's power in the last set. */
export const setLastPower = (store: KVStore, operator: Uint8Array, power: bigint): void => store.set(addrKey(LAST_POWER, operator), text(power.toString()))
/** Drop a validator from the last set. */
export const deleteLastPower = (store: KVStore, operator: Uint8Array): void => store.delete(addrKey(LAST_POWER, operator))
/** Last total power. */
export const getLastTotalPower = (store: KVStore): bigint => {
  const raw = store.get(LAST_TOTAL_POWER_KEY)
  return raw ? BigInt(untext(raw)) : 0n
}
/** Set the last total power; 0 is stored as no key (what a chain that never bonded has), so genesis export then import is identical. */
export const setLastTotalPower = (store: KVStore, p: bigint): void => {
  if (p === 0n) store.delete(LAST_TOTAL_POWER_KEY)
  else store.set(LAST_TOTAL_POWER_KEY, text(p.toString()))
}

/** The delegation of delegator to validator (bytes), if any. */
export const getDelegation = (store: KVStore, del: Uint8Array, val: Uint8Array): Delegation | undefined => {
  const raw = store.get(addrKey(DELEGATION, del, val))
  return raw ? Delegation.decode(raw) : undefined
}
/** Store a delegation and its by-validator index. */
export const setDelegation = (store: KVStore, del: Uint8Array, val: Uint8Array, d: Delegation): void => {
  store.set(addrKey(DELEGATION, del, val), Delegation.encode(d).finish())
  store.set(addrKey(DELEGATION_BY_VAL, val, del), EMPTY)
}
/** Remove a delegation and its index. */
export const removeDelegation = (store: KVStore, del: Uint8Array, val: Uint8Array): void => {
  store.delete(addrKey(DELEGATION, del, val))
  store.delete(addrKey(DELEGATION_BY_VAL, val, del))
}

/** The unbonding delegation of delegator from validator, if any. */
export const getUbd = (store: KVStore, del: Uint8Array, val: Uint8Array): UnbondingDelegation | undefined => {
  const raw = store.get(addrKey(UBD, del, val))
  return raw ? UnbondingDelegation.decode(raw) : undefined
}
/** Store an unbonding delegation (removed when it has no entries). */
export const setUbd = (store: KVStore, del: Uint8Array, val: Uint8Array, u: UnbondingDelegation): void => {
  if (u.entries.length === 0) {
    store.delete(addrKey(UBD, del, val))
    store.delete(addrKey(UBD_BY_VAL, val, del))
    return
  }
  store.set(addrKey(UBD, del, val), UnbondingDelegation.encode(u).finish())
  store.set(addrKey(UBD_BY_VAL, val, del), EMPTY)
}

/** The redelegation of delegator from src to dst, if any. */
export const getRed = (store: KVStore, del: Uint8Array, src: Uint8Array, dst: Uint8Array): Redelegation | undefined => {
  const raw = store.get(addrKey(RED, del, src, dst))
  return raw ? Redelegation.decode(raw) : undefined
}
/** Store a redelegation and its indexes (removed when it has no entries). */
export const setRed = (store: KVStore, del: Uint8Array, src: Uint8Array, dst: Uint8Array, r: Redelegation): void => {
  if (r.entries.length === 0) {
    store.delete(addrKey(RED, del, src, dst))
    store.delete(addrKey(RED_BY_SRC, src, del, dst))
    store.delete(addrKey(RED_BY_DST, dst, del, src))
    return
  }
  store.set(addrKey(RED, del, src, dst), Redelegation.encode(r).finish())
  store.set(addrKey(RED_BY_SRC, src, del, dst), EMPTY)
  store.set(addrKey(RED_BY_DST, dst, del, src), EMPTY)
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

type Time = { readonly seconds: bigint; readonly nanos: number }

/** Add a delegator/validator pair to the unbonding queue at `t` (once). */
export const insertUbdQueue = (store: KVStore, t: Time, delegatorAddress: string, validatorAddress: string): void => {
  const k = queueKey(UBD_QUEUE, t)
  const raw = store.get(k)
  const pairs = raw ? DVPairs.decode(raw).pairs : []
  if (pairs.some((p) => p.delegatorAddress === delegatorAddress && p.validatorAddress === validatorAddress)) return
  // sorted, so a queue rebuilt from genesis equals the one built by transactions
  const next = [...pairs, { delegatorAddress, validatorAddress }].sort((a, b) => cmp(a.delegatorAddress + " " + a.validatorAddress, b.delegatorAddress + " " + b.validatorAddress))
  store.set(k, DVPairs.encode({ pairs: next }).finish())
}

/** Add a triplet to the redelegation queue at `t` (once). */
export const insertRedQueue = (store: KVStore, t: Time, delegatorAddress: string, validatorSrcAddress: string, validatorDstAddress: string): void => {
  const k = queueKey(RED_QUEUE, t)
  const raw = store.get(k)
  const triplets = raw ? DVVTriplets.decode(raw).triplets : []
  if (triplets.some((p) => p.delegatorAddress === delegatorAddress && p.validatorSrcAddress === validatorSrcAddress && p.validatorDstAddress === validatorDstAddress)) return
  const key = (t: { delegatorAddress: string; validatorSrcAddress: string; validatorDstAddress: string }) => `${t.delegatorAddress} ${t.validatorSrcAddress} ${t.validatorDstAddress}`
  const next = [...triplets, { delegatorAddress, validatorSrcAddress, validatorDstAddress }].sort((a, b) => cmp(key(a), key(b)))
  store.set(k, DVVTriplets.encode({ triplets: next }).finish())
}

/** Add a validator (operator bech32) to the validator queue at (`t`, `height`). */
export const insertValQueue = (store: KVStore, t: Time, height: bigint, operator: string): void => {
  const k = queueKey(VAL_QUEUE, t, height)
  const raw = store.get(k)
  const addresses = raw ? ValAddresses.decode(raw).addresses : []
  if (addresses.includes(operator)) return
  store.set(k, ValAddresses.encode({ addresses: [...addresses, operator].sort(cmp) }).finish())
}

/** Remove a validator from the validator queue at (`t`, `height`). */
export const deleteValQueue = (store: KVStore, t: Time, height: bigint, operator: string): void => {
  const k = queueKey(VAL_QUEUE, t, height)
  const raw = store.get(k)
  if (!raw) return
  const rest = ValAddresses.decode(raw).addresses.filter((a) => a !== operator)
  if (rest.length === 0) store.delete(k)
  else store.set(k, ValAddresses.encode({ addresses: rest }).finish())
}
