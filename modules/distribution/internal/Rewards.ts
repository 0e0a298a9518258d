/**
 * F1 fee distribution over the distribution namespace: validator periods, cumulative reward
 * ratios with reference counts, delegator starting info, and the allocation of a block's fees.
 * Pure state logic: staking facts (tokens, shares, commission) come in as arguments and bank
 * payouts go out through a `pay` callback, so the same code serves hooks, messages and tests.
 *
 * Source: cosmos-sdk x/distribution/keeper/validator.go (initializeValidator,
 * IncrementValidatorPeriod, reference counts), delegation.go (initializeDelegation,
 * calculateDelegationRewardsBetween, CalculateDelegationRewards, withdrawDelegationRewards),
 * allocation.go (AllocateTokens, AllocateTokensToValidator), hooks.go (AfterValidatorRemoved).
 * Slashing is not modelled: there are no slash events, so a delegation's stake only changes
 * through the hooks.
 */
import type { KVStore } from "../../../store/KVStore.ts"
import { decCoinsAdd, decCoinsIntersect, decCoinsMulDec, decCoinsMulDecTruncate, decCoinsQuoDecTruncate, decCoinsSub, decCoinsTruncate, type DecCoin } from "./Dec.ts"
import { decQuo, decQuoTruncate, ONE } from "../../../chain/LegacyDec.ts"
import {
  addrKey, COMMISSION_PREFIX, CURRENT_PREFIX, getCommission, getCommunityPool, getCurrent, getHistorical, getOutstanding, getStartingInfo,
  historicalKey, HISTORICAL_PREFIX, OUTSTANDING_PREFIX, prefixEnd, setCommission, setCommunityPool, setCurrent, setHistorical, setOutstanding,
  setStartingInfo, startingInfoKey, type StartingInfo
} from "./State.ts"

/** What F1 needs to know of a validator (from staking). */
export interface ValidatorFacts {
  /** Bonded or unbonding tokens (integer). */
  readonly tokens: bigint
  /** Total delegator shares (Dec, scaled 10^18). */
  readonly delegatorShares: bigint
  /** Commission rate (Dec, scaled 10^18). */
  readonly commissionRate: bigint
}

/** Integer coins paid out of the distribution module account. */
export type Coins = ReadonlyArray<{ readonly denom: string; readonly amount: bigint }>

/** Staking's tokens for `shares`, truncated (Validator.TokensFromSharesTruncated); 0 for a validator without shares. */
export const tokensFromSharesTruncated = (v: ValidatorFacts, shares: bigint): bigint =>
  v.delegatorShares === 0n ? 0n : decQuoTruncate(shares * v.tokens, v.delegatorShares)

/** Staking's tokens for `shares`, rounded (Validator.TokensFromShares). */
export const tokensFromShares = (v: ValidatorFacts, shares: bigint): bigint =>
  v.delegatorShares === 0n ? 0n : decQuo(shares * v.tokens, v.delegatorShares)

/** Whether the validator has distribution records (created and not removed). */
export const hasValidator = (store: KVStore, val: Uint8Array): boolean => store.has(addrKey(CURRENT_PREFIX, val))

/** AfterValidatorCreated: historical period 0 (one reference), current period 1, zero commission and outstanding. */
export const initializeValidator = (store: KVStore, val: Uint8Array): void => {
  setHistorical(store, val, 0n, { ratio: [], referenceCount: 1 })
  setCurrent(store, val, { rewards: [], period: 1n })
  setCommission(store, val, [])
  setOutstanding(store, val, [])
}

const mustCurrent = (store: KVStore, val: Uint8Array) => {
  const c = getCurrent(store, val)
  if (!c) throw new Error("distribution: validator has no current rewards record")
  return c
}

const incrementReference = (store: KVStore, val: Uint8Array, period: bigint): void => {
  const h = getHistorical(store, val, period)
  if (!h) throw new Error(`distribution: no historical rewards for period ${period}`)
  if (h.referenceCount >= 2) throw new Error("distribution: reference count would exceed 2")
  setHistorical(store, val, period, { ratio: h.ratio, referenceCount: h.referenceCount + 1 })
}

const decrementReference = (store: KVStore, val: Uint8Array, period: bigint): void => {
  const h = getHistorical(store, val, period)
  if (!h || h.referenceCount === 0) throw new Error(`distribution: negative reference count at period ${period}`)
  if (h.referenceCount === 1) store.delete(historicalKey(val, period))
  else setHistorical(store, val, period, { ratio: h.ratio, referenceCount: h.referenceCount - 1 })
}

/**
 * The cumulative ratio the current period would close with: last closed ratio + current rewards per
 * token (truncated). A validator without tokens has none (its rewards go to the community pool).
 */
const closingRatio = (store: KVStore, val: Uint8Array, tokens: bigint): DecCoin[] => {
  const c = mustCurrent(store, val)
  const last = getHistorical(store, val, c.period - 1n)
  if (!last) throw new Error(`distribution: no historical rewards for period ${c.period - 1n}`)
  return tokens === 0n ? last.ratio : decCoinsAdd(last.ratio, decCoinsQuoDecTruncate(c.rewards, tokens * ONE))
}

/** IncrementValidatorPeriod: close the current period into a historical record; returns the closed period. */
export const incrementValidatorPeriod = (store: KVStore, val: Uint8Array, tokens: bigint): bigint => {
  const c = mustCurrent(store, val)
  if (tokens === 0n && c.rewards.length > 0) {
    // no tokens to divide by: the period's rewards go to the community pool
    setCommunityPool(store, decCoinsAdd(getCommunityPool(store), c.rewards))
    setOutstanding(store, val, decCoinsSub(getOutstanding(store, val) ?? [], c.rewards))
  }
  const ratio = closingRatio(store, val, tokens)
  decrementReference(store, val, c.period - 1n)
  setHistorical(store, val, c.period, { ratio, referenceCount: 1 })
  setCurrent(store, val, { rewards: [], period: c.period + 1n })
  return c.period
}

/** initializeDelegation: the delegation starts after the period just closed, with `stake` (Dec) at `height`. */
export const initializeDelegation = (store: KVStore, val: Uint8Array, del: Uint8Array, stake: bigint, height: bigint): void => {
  const previousPeriod = mustCurrent(store, val).period - 1n
  incrementReference(store, val, previousPeriod)
  setStartingInfo(store, val, del, { previousPeriod, stake, height })
}

/**
 * Rewards of a delegation from its starting info up to the cumulative ratio `ending` (F1:
 * stake × (ending − starting), truncated). `currentStake` is staking's current tokens for the
 * shares: a stake above it by at most 3 atto (rounding) is clamped to it. Zero in the block the
 * delegation started.
 */
export const delegationRewards = (store: KVStore, val: Uint8Array, info: StartingInfo, ending: ReadonlyArray<DecCoin>, currentStake: bigint, height: bigint): DecCoin[] => {
  if (info.height === height) return []
  let stake = info.stake
  if (stake > currentStake) {
    if (stake > currentStake + 3n) throw new Error(`distribution: delegation stake ${stake} exceeds current stake ${currentStake}`)
    stake = currentStake
  }
  const starting = getHistorical(store, val, info.previousPeriod)
  if (!starting) throw new Error(`distribution: no historical rewards for period ${info.previousPeriod}`)
  const difference = decCoinsSub(ending, starting.ratio)
  return difference.length === 0 ? [] : decCoinsMulDecTruncate(difference, stake)
}

/** Rewards a delegation has earned so far, without writing (the DelegationRewards query). */
export const pendingRewards = (store: KVStore, val: Uint8Array, del: Uint8Array, v: ValidatorFacts, shares: bigint, height: bigint): DecCoin[] => {
  const info = getStartingInfo(store, val, del)
  if (!info) return []
  return delegationRewards(store, val, info, closingRatio(store, val, v.tokens), tokensFromShares(v, shares), height)
}

/**
 * withdrawDelegationRewards: close the period, pay the integral rewards (bounded by the validator's
 * outstanding) through `pay`, fractions to the community pool, drop the starting info. Returns
 * the coins paid (possibly none). Undefined when the delegation has no starting info.
 */
export const withdrawDelegationRewards = (
  store: KVStore, val: Uint8Array, del: Uint8Array, v: ValidatorFacts, shares: bigint, height: bigint, pay: (coins: Coins) => void
): Coins | undefined => {
  const info = getStartingInfo(store, val, del)
  if (!info) return undefined
  const ending = incrementValidatorPeriod(store, val, v.tokens)
  const endingRatio = getHistorical(store, val, ending)!.ratio
  const raw = delegationRewards(store, val, info, endingRatio, tokensFromShares(v, shares), height)
  const outstanding = getOutstanding(store, val) ?? []
  // rounding in the last digits can ask for a hair more than is outstanding (SDK keeps the minimum)
  const rewards = decCoinsIntersect(raw, outstanding)
  const { coins, change } = decCoinsTruncate(rewards)
  if (coins.length > 0) pay(coins)
  setOutstanding(store, val, decCoinsSub(outstanding, rewards))
  setCommunityPool(store, decCoinsAdd(getCommunityPool(store), change))
  decrementReference(store, val, info.previousPeriod)
  store.delete(startingInfoKey(val, del))
  return coins
}

/** AllocateTokensToValidator: commission = tokens × rate (rounded) to the validator; the rest to its current period. */
export const allocateToValidator = (store: KVStore, val: Uint8Array, commissionRate: bigint, tokens: ReadonlyArray<DecCoin>): { commission: DecCoin[] } => {
  const commission = decCoinsMulDec(tokens, commissionRate)
  const shared = decCoinsSub(tokens, commission)
  setCommission(store, val, decCoinsAdd(getCommission(store, val) ?? [], commission))
  const c = mustCurrent(store, val)
  setCurrent(store, val, { rewards: decCoinsAdd(c.rewards, shared), period: c.period })
  setOutstanding(store, val, decCoinsAdd(getOutstanding(store, val) ?? [], tokens))
  return { commission }
}

/** One bonded validator's share of a block's fees. */
export interface Allocation {
  readonly val: Uint8Array
  readonly operator: string
  readonly reward: DecCoin[]
  readonly commission: DecCoin[]
}

/**
 * AllocateTokens over `fees` (already moved into the distribution account); `totalPower` (default:
 * the sum of `bonded`'s) is the divisor of each share. With no power
 * everything to the community pool; else (1 − tax) × fees split by power (each share
 * fraction = power / total, truncated), the remainder (tax and rounding) to the community pool.
 * A bonded validator without records (older than this machine's activation) is initialized first.
 */
export const allocateTokens = (
  store: KVStore, fees: ReadonlyArray<DecCoin>, communityTax: bigint,
  bonded: ReadonlyArray<{ readonly val: Uint8Array; readonly operator: string; readonly power: bigint; readonly commissionRate: bigint }>,
  totalPower?: bigint
): Allocation[] => {
  // the SDK divides by the whole last commit's power, validators it cannot find included
  const total = totalPower ?? bonded.reduce((s, b) => s + b.power, 0n)
  const pool = getCommunityPool(store)
  if (total === 0n) {
    setCommunityPool(store, decCoinsAdd(pool, fees))
    return []
  }
  const forValidators = decCoinsMulDecTruncate(fees, ONE - communityTax)
  let remaining: DecCoin[] = [...fees]
  const out: Allocation[] = []
  for (const b of bonded) {
    if (b.power === 0n) continue
    // a validator bonded before this machine was activated gets its records now
    if (!hasValidator(store, b.val)) initializeValidator(store, b.val)
    const fraction = decQuoTruncate(b.power * ONE, total * ONE)
    const reward = decCoinsMulDecTruncate(forValidators, fraction)
    const { commission } = allocateToValidator(store, b.val, b.commissionRate, reward)
    remaining = decCoinsSub(remaining, reward)
    out.push({ val: b.val, operator: b.operator, reward, commission })
  }
  setCommunityPool(store, decCoinsAdd(pool, remaining))
  return out
}

/**
 * AfterValidatorRemoved: pay the integral commission through `pay`, its fractions and the rest of
 * the outstanding rewards to the community pool, delete every record of the validator.
 */
export const removeValidator = (store: KVStore, val: Uint8Array, pay: (coins: Coins) => void): void => {
  let outstanding = getOutstanding(store, val) ?? []
  const commission = getCommission(store, val) ?? []
  let pool = getCommunityPool(store)
  if (commission.length > 0) {
    outstanding = decCoinsSub(outstanding, commission)
    const { coins, change } = decCoinsTruncate(commission)
    pool = decCoinsAdd(pool, change)
    if (coins.length > 0) pay(coins)
  }
  setCommunityPool(store, decCoinsAdd(pool, outstanding))
  store.delete(addrKey(OUTSTANDING_PREFIX, val))
  store.delete(addrKey(COMMISSION_PREFIX, val))
  store.delete(addrKey(CURRENT_PREFIX, val))
  const hist = addrKey(HISTORICAL_PREFIX, val)
  for (const [k] of [...store.iterate(hist, prefixEnd(hist))]) store.delete(k)
}

/** Stake (Dec) a delegation's shares are worth now, as initializeDelegation records it. */
export const startingStake = (v: ValidatorFacts, shares: bigint): bigint => tokensFromSharesTruncated(v, shares)


/** Drop a delegation's starting info, releasing its period reference (a delegation that is gone or being re-recorded). */
export const dropStartingInfo = (store: KVStore, val: Uint8Array, del: Uint8Array): void => {
  const info = getStartingInfo(store, val, del)
  if (!info) return
  store.delete(startingInfoKey(val, del))
  decrementReference(store, val, info.previousPeriod)
}
