/**
 * Distribution state layout (x/distribution keys.go prefixes; values are the SDK's protobuf
 * records with DecCoin amounts as LegacyDec wire text):
 *
 * | key                                              | value                                         |
 * |--------------------------------------------------|-----------------------------------------------|
 * | 0x00                                             | FeePool (community pool)                      |
 * | 0x02 ‖ len ‖ valAddr                             | ValidatorOutstandingRewards                   |
 * | 0x03 ‖ len ‖ delAddr                             | withdraw address bytes                        |
 * | 0x04 ‖ len ‖ valAddr ‖ len ‖ delAddr             | DelegatorStartingInfo                         |
 * | 0x05 ‖ len ‖ valAddr ‖ period (u64 big-endian)   | ValidatorHistoricalRewards                    |
 * | 0x06 ‖ len ‖ valAddr                             | ValidatorCurrentRewards                       |
 * | 0x07 ‖ len ‖ valAddr                             | ValidatorAccumulatedCommission                |
 * | 0x09                                             | Params                                        |
 *
 * Addresses are raw bytes (20); periods big-endian so key order is period order.
 * Source: cosmos-sdk x/distribution/types/keys.go (FeePoolKey 0x00, ValidatorOutstandingRewardsPrefix
 * 0x02, DelegatorWithdrawAddrPrefix 0x03, DelegatorStartingInfoPrefix 0x04,
 * ValidatorHistoricalRewardsPrefix 0x05, ValidatorCurrentRewardsPrefix 0x06,
 * ValidatorAccumulatedCommissionPrefix 0x07, ParamsKey 0x09).
 */
import {
  DelegatorStartingInfo, FeePool, Params, ValidatorAccumulatedCommission, ValidatorCurrentRewards, ValidatorHistoricalRewards,
  ValidatorOutstandingRewards
} from "cosmjs-types/cosmos/distribution/v1beta1/distribution"
import { concatBytes } from "../../../lib/Bytes.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import { decCoinsFromProto, decCoinsToProto, type DecCoin } from "./Dec.ts"
import { parseDecWire } from "../../../chain/LegacyDec.ts"

/** Key of the FeePool record. */
export const FEE_POOL_KEY = Uint8Array.of(0x00)
/** Prefix of ValidatorOutstandingRewards by validator. */
export const OUTSTANDING_PREFIX = 0x02
/** Prefix of withdraw addresses by delegator. */
export const WITHDRAW_ADDR_PREFIX = 0x03
/** Prefix of DelegatorStartingInfo by (validator, delegator). */
export const STARTING_INFO_PREFIX = 0x04
/** Prefix of ValidatorHistoricalRewards by (validator, period). */
export const HISTORICAL_PREFIX = 0x05
/** Prefix of ValidatorCurrentRewards by validator (present iff the validator has records). */
export const CURRENT_PREFIX = 0x06
/** Prefix of ValidatorAccumulatedCommission by validator. */
export const COMMISSION_PREFIX = 0x07
/** Key of the Params record. */
export const PARAMS_KEY = Uint8Array.of(0x09)

/** `prefix ‖ len ‖ addr`. */
export const addrKey = (prefix: number, addr: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(prefix, addr.length), addr)

const u64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, v)
  return b
}

/** Key of historical rewards (val, period). */
export const historicalKey = (val: Uint8Array, period: bigint): Uint8Array => concatBytes(addrKey(HISTORICAL_PREFIX, val), u64(period))
/** Key of a delegation's starting info. */
export const startingInfoKey = (val: Uint8Array, del: Uint8Array): Uint8Array => concatBytes(addrKey(STARTING_INFO_PREFIX, val), Uint8Array.of(del.length), del)

/** The upper bound of a prefix range (prefix with its last byte + 1; prefixes here never end in 0xff). */
export const prefixEnd = (prefix: Uint8Array): Uint8Array => {
  const end = new Uint8Array(prefix)
  end[end.length - 1]!++
  return end
}

/** Distribution params with the community tax as a scaled bigint. */
export interface DistrParams {
  readonly communityTax: bigint
  readonly withdrawAddrEnabled: boolean
}

/** SDK defaults: community tax 0.02, withdraw address changes enabled. */
export const DEFAULT_PARAMS: DistrParams = { communityTax: 20_000_000_000_000_000n, withdrawAddrEnabled: true }

/** Params, the SDK defaults when none are stored. Throws InvalidRequest on a malformed stored tax. */
export const getParams = (store: KVStore): DistrParams => {
  const raw = store.get(PARAMS_KEY)
  if (!raw) return DEFAULT_PARAMS
  const p = Params.decode(raw)
  return { communityTax: parseDecWire(p.communityTax, "params community_tax"), withdrawAddrEnabled: p.withdrawAddrEnabled }
}

/** Store params (base and bonus proposer reward always zero: deprecated). */
export const setParams = (store: KVStore, p: DistrParams): void => {
  store.set(PARAMS_KEY, Params.encode({ communityTax: p.communityTax.toString(), baseProposerReward: "0", bonusProposerReward: "0", withdrawAddrEnabled: p.withdrawAddrEnabled }).finish())
}

/** The community pool (empty when unset). */
export const getCommunityPool = (store: KVStore): DecCoin[] => {
  const raw = store.get(FEE_POOL_KEY)
  return raw ? decCoinsFromProto(FeePool.decode(raw).communityPool, "fee pool") : []
}

/** Store the community pool. */
export const setCommunityPool = (store: KVStore, pool: ReadonlyArray<DecCoin>): void => {
  store.set(FEE_POOL_KEY, FeePool.encode({ communityPool: decCoinsToProto(pool) }).finish())
}

/** Outstanding rewards of a validator; undefined when it has no distribution records. */
export const getOutstanding = (store: KVStore, val: Uint8Array): DecCoin[] | undefined => {
  const raw = store.get(addrKey(OUTSTANDING_PREFIX, val))
  return raw ? decCoinsFromProto(ValidatorOutstandingRewards.decode(raw).rewards, "outstanding rewards") : undefined
}
/** Store a validator's outstanding rewards. */
export const setOutstanding = (store: KVStore, val: Uint8Array, rewards: ReadonlyArray<DecCoin>): void => {
  store.set(addrKey(OUTSTANDING_PREFIX, val), ValidatorOutstandingRewards.encode({ rewards: decCoinsToProto(rewards) }).finish())
}

/** Accumulated commission of a validator; undefined when it has no distribution records. */
export const getCommission = (store: KVStore, val: Uint8Array): DecCoin[] | undefined => {
  const raw = store.get(addrKey(COMMISSION_PREFIX, val))
  return raw ? decCoinsFromProto(ValidatorAccumulatedCommission.decode(raw).commission, "commission") : undefined
}
/** Store a validator's accumulated commission. */
export const setCommission = (store: KVStore, val: Uint8Array, commission: ReadonlyArray<DecCoin>): void => {
  store.set(addrKey(COMMISSION_PREFIX, val), ValidatorAccumulatedCommission.encode({ commission: decCoinsToProto(commission) }).finish())
}

/** Current (open) period of a validator and the rewards accumulated in it. */
export interface CurrentRewards {
  readonly rewards: DecCoin[]
  readonly period: bigint
}
/** A validator's current period; undefined when it has no records. */
export const getCurrent = (store: KVStore, val: Uint8Array): CurrentRewards | undefined => {
  const raw = store.get(addrKey(CURRENT_PREFIX, val))
  if (!raw) return undefined
  const c = ValidatorCurrentRewards.decode(raw)
  return { rewards: decCoinsFromProto(c.rewards, "current rewards"), period: c.period }
}
/** Store a validator's current period. */
export const setCurrent = (store: KVStore, val: Uint8Array, c: CurrentRewards): void => {
  store.set(addrKey(CURRENT_PREFIX, val), ValidatorCurrentRewards.encode({ rewards: decCoinsToProto(c.rewards), period: c.period }).finish())
}

/** A closed period: cumulative reward per token since the validator started, and how many records point at it. */
export interface HistoricalRewards {
  readonly ratio: DecCoin[]
  readonly referenceCount: number
}
/** The historical record of (validator, period), if kept. */
export const getHistorical = (store: KVStore, val: Uint8Array, period: bigint): HistoricalRewards | undefined => {
  const raw = store.get(historicalKey(val, period))
  if (!raw) return undefined
  const h = ValidatorHistoricalRewards.decode(raw)
  return { ratio: decCoinsFromProto(h.cumulativeRewardRatio, "historical rewards"), referenceCount: h.referenceCount }
}
/** Store the historical record of (validator, period). */
export const setHistorical = (store: KVStore, val: Uint8Array, period: bigint, h: HistoricalRewards): void => {
  store.set(historicalKey(val, period), ValidatorHistoricalRewards.encode({ cumulativeRewardRatio: decCoinsToProto(h.ratio), referenceCount: h.referenceCount }).finish())
}

/** Where a delegation's reward accounting starts: the period it ended, its stake (Dec), the height. */
export interface StartingInfo {
  readonly previousPeriod: bigint
  readonly stake: bigint
  readonly height: bigint
}
/** A delegation's starting info, if any. */
export const getStartingInfo = (store: KVStore, val: Uint8Array, del: Uint8Array): StartingInfo | undefined => {
  const raw = store.get(startingInfoKey(val, del))
  if (!raw) return undefined
  const s = DelegatorStartingInfo.decode(raw)
  return { previousPeriod: s.previousPeriod, stake: parseDecWire(s.stake, "starting info stake"), height: s.height }
}
/** Store a delegation's starting info. */
export const setStartingInfo = (store: KVStore, val: Uint8Array, del: Uint8Array, s: StartingInfo): void => {
  store.set(startingInfoKey(val, del), DelegatorStartingInfo.encode({ previousPeriod: s.previousPeriod, stake: s.stake.toString(), height: s.height }).finish())
}

/** The withdraw address of `del` (its own address unless set). */
export const getWithdrawAddr = (store: KVStore, del: Uint8Array): Uint8Array => store.get(addrKey(WITHDRAW_ADDR_PREFIX, del)) ?? del
/** Set the withdraw address of `del`. */
export const setWithdrawAddr = (store: KVStore, del: Uint8Array, to: Uint8Array): void => {
  store.set(addrKey(WITHDRAW_ADDR_PREFIX, del), to)
}
