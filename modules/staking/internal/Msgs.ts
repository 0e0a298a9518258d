/**
 * The staking Msg service: validation and execution of each message, with the SDK's checks,
 * errors and responses.
 *
 * Source: cosmos-sdk x/staking/keeper/msg_server.go, types/msg.go (Validate), types/commission.go
 * (CommissionRates.Validate, ValidateNewRate), types/validator.go (Description.EnsureLength,
 * UpdateDescription), types/params.go (Params.Validate).
 */
import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin"
import {
  MsgBeginRedelegateResponse, MsgCancelUnbondingDelegationResponse, MsgCreateValidatorResponse, MsgDelegateResponse, MsgEditValidatorResponse,
  MsgUndelegateResponse, MsgUpdateParamsResponse, type MsgBeginRedelegate, type MsgCancelUnbondingDelegation, type MsgCreateValidator,
  type MsgDelegate, type MsgEditValidator, type MsgUndelegate, type MsgUpdateParams
} from "cosmjs-types/cosmos/staking/v1beta1/tx"
import { BondStatus, type Description, type Params, type Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import { InvalidRequest, NotFound } from "../../../chain/ChainError.ts"
import type { MsgContext, MsgResult } from "../../../chain/Machine.ts"
import { moduleAccountBytes } from "../../../chain/Principal.ts"
import { decString, parseDecWire, PRECISION } from "../Dec.ts"
import {
  CommissionChangeRateGTMaxRate, CommissionChangeRateNegative, CommissionGTMaxChangeRate, CommissionGTMaxRate, CommissionHuge, CommissionLTMinRate,
  CommissionNegative, CommissionUpdateTime, InvalidSigner, MinSelfDelegationDecreased, NoUnbondingDelegation, SelfDelegationBelowMinimum,
  ValidatorOwnerExists, ValidatorPubKeyExists
} from "../StakingError.ts"
import { event, type Keeper } from "./Keeper.ts"
import { ed25519FromAny } from "./PubKey.ts"
import { consensusAny, getUbd, getValidator, setParams, setPowerIndex, setUbd, setValidator, setValidatorByCons, validatorByConsKey } from "./State.ts"
import { compareTime, formatTimestamp } from "../../../chain/Time.ts"
import { formatAddress } from "../../auth/Address.ts"

const ok = (typeUrl: string, value: Uint8Array): MsgResult => ({ typeUrl, value })
const DO_NOT_MODIFY = "[do-not-modify]"

/** A positive amount of the bond denom (the SDK's coin and denom checks). */
const bondAmount = (k: Keeper, ctx: MsgContext, c: Coin | undefined, what: string): bigint => {
  if (!c || !/^[0-9]{1,78}$/.test(c.amount) || BigInt(c.amount) <= 0n) throw new InvalidRequest({ log: `invalid ${what} amount ${c ? `${c.amount}${c.denom}` : "(none)"}: invalid request` })
  const denom = k.params(ctx).bondDenom
  if (c.denom !== denom) throw new InvalidRequest({ log: `invalid coin denomination: got ${c.denom}, expected ${denom}: invalid request` })
  return BigInt(c.amount)
}

const positiveInt = (text: string, what: string): bigint => {
  if (!/^[0-9]{1,78}$/.test(text) || BigInt(text) <= 0n) throw new InvalidRequest({ log: `${what} must be a positive integer: invalid request` })
  return BigInt(text)
}

/** Description.EnsureLength. */
const checkDescription = (d: Description): void => {
  const limits: ReadonlyArray<readonly [string, string, number]> = [
    ["moniker", d.moniker, 70], ["identity", d.identity, 3000], ["website", d.website, 140], ["security contact", d.securityContact, 140], ["details", d.details, 280]
  ]
  for (const [name, v, max] of limits) {
    if (v.length > max) throw new InvalidRequest({ log: `invalid ${name} length; got: ${v.length}, max: ${max}: invalid request` })
  }
}

/** CommissionRates.Validate. */
const checkCommission = (rate: bigint, maxRate: bigint, maxChangeRate: bigint): void => {
  if (maxRate < 0n) throw new CommissionNegative({ log: "commission must be positive" })
  if (maxRate > PRECISION) throw new CommissionHuge({ log: "commission cannot be more than 100%" })
  if (rate < 0n) throw new CommissionNegative({ log: "commission must be positive" })
  if (rate > maxRate) throw new CommissionGTMaxRate({ log: "commission cannot be more than the max rate" })
  if (maxChangeRate < 0n) throw new CommissionChangeRateNegative({ log: "commission change rate must be positive" })
  if (maxChangeRate > maxRate) throw new CommissionChangeRateGTMaxRate({ log: "commission change rate cannot be more than the max rate" })
}

/** MsgCreateValidator: a new unbonded validator self-delegated `value` from its operator account. */
export const createValidator = (k: Keeper, ctx: MsgContext, m: MsgCreateValidator): MsgResult => {
  const operator = k.val(m.validatorAddress, "invalid validator address")
  if (m.delegatorAddress !== "" && m.delegatorAddress !== k.accText(operator)) {
    throw new InvalidRequest({ log: `delegator address ${m.delegatorAddress} is not the validator operator's account ${k.accText(operator)}: invalid request` })
  }
  const key = ed25519FromAny(m.pubkey)
  const amount = bondAmount(k, ctx, m.value, "delegation")
  const d = m.description
  if (d.moniker === "" && d.identity === "" && d.website === "" && d.securityContact === "" && d.details === "") throw new InvalidRequest({ log: "empty description: invalid request" })
  const c = m.commission
  if (c.rate === "" && c.maxRate === "" && c.maxChangeRate === "") throw new InvalidRequest({ log: "empty commission: invalid request" })
  const rate = parseDecWire(c.rate, "commission rate")
  const maxRate = parseDecWire(c.maxRate, "commission max rate")
  const maxChangeRate = parseDecWire(c.maxChangeRate, "commission max change rate")
  checkCommission(rate, maxRate, maxChangeRate)
  const minSelf = positiveInt(m.minSelfDelegation, "minimum self delegation")
  if (amount < minSelf) throw new SelfDelegationBelowMinimum({ log: "validator's self delegation must be greater than their minimum self delegation" })
  const p = k.params(ctx)
  if (rate < BigInt(p.minCommissionRate)) throw new CommissionLTMinRate({ log: `cannot set validator commission to less than minimum rate of ${decString(BigInt(p.minCommissionRate))}` })
  if (getValidator(ctx.store, operator)) throw new ValidatorOwnerExists({ log: `validator ${k.valText(operator)} already exist for this operator address; must use new validator operator address` })
  if (validatorByConsKey(ctx.store, key)) throw new ValidatorPubKeyExists({ log: "validator already exist for this pubkey; must use new validator pubkey" })
  checkDescription(d)
  const v: Validator = {
    operatorAddress: k.valText(operator),
    consensusPubkey: consensusAny(key),
    jailed: false,
    status: BondStatus.BOND_STATUS_UNBONDED,
    tokens: "0",
    delegatorShares: "0",
    description: d,
    unbondingHeight: 0n,
    unbondingTime: { seconds: 0n, nanos: 0 },
    commission: { commissionRates: { rate: rate.toString(), maxRate: maxRate.toString(), maxChangeRate: maxChangeRate.toString() }, updateTime: ctx.time },
    minSelfDelegation: minSelf.toString(),
    unbondingOnHoldRefCount: 0n,
    unbondingIds: []
  }
  setValidator(ctx.store, operator, v)
  setValidatorByCons(ctx.store, key, operator)
  setPowerIndex(ctx.store, operator, v)
  k.hooks.validatorCreated(ctx, v.operatorAddress)
  k.delegate(ctx, operator, amount, BondStatus.BOND_STATUS_UNBONDED, operator, v, true)
  ctx.emit(event("create_validator", ["validator", v.operatorAddress], ["amount", `${amount}${p.bondDenom}`]))
  return ok("/cosmos.staking.v1beta1.MsgCreateValidatorResponse", MsgCreateValidatorResponse.encode({}).finish())
}

/** MsgEditValidator: description fields not "[do-not-modify]", commission rate (once per 24 h), min self delegation (only up). */
export const editValidator = (k: Keeper, ctx: MsgContext, m: MsgEditValidator): MsgResult => {
  const operator = k.val(m.validatorAddress, "invalid validator address")
  const d = m.description
  const nothing = [d.moniker, d.identity, d.website, d.securityContact, d.details].every((f) => f === DO_NOT_MODIFY)
  if (nothing && m.commissionRate === "" && m.minSelfDelegation === "") throw new InvalidRequest({ log: "empty description: invalid request" })
  const newRate = m.commissionRate === "" ? undefined : parseDecWire(m.commissionRate, "commission rate")
  if (newRate !== undefined && (newRate < 0n || newRate > PRECISION)) throw new InvalidRequest({ log: "commission rate must be between 0 and 1 (inclusive): invalid request" })
  if (newRate !== undefined) {
    const min = BigInt(k.params(ctx).minCommissionRate)
    if (newRate < min) throw new InvalidRequest({ log: `commission rate cannot be less than the min commission rate ${decString(min)}: invalid request` })
  }
  const newMin = m.minSelfDelegation === "" ? undefined : positiveInt(m.minSelfDelegation, "minimum self delegation")
  const v = k.mustValidator(ctx, operator)
  const pick = (next: string, cur: string) => (next === DO_NOT_MODIFY ? cur : next)
  const description: Description = {
    moniker: pick(d.moniker, v.description.moniker), identity: pick(d.identity, v.description.identity), website: pick(d.website, v.description.website),
    securityContact: pick(d.securityContact, v.description.securityContact), details: pick(d.details, v.description.details)
  }
  checkDescription(description)
  let commission = v.commission
  if (newRate !== undefined) {
    const c = v.commission
    // blockTime.Sub(UpdateTime).Hours() < 24
    if (ctx.time.seconds - c.updateTime.seconds < 86_400n || (ctx.time.seconds - c.updateTime.seconds === 86_400n && ctx.time.nanos < c.updateTime.nanos)) {
      throw new CommissionUpdateTime({ log: "commission cannot be changed more than once in 24h" })
    }
    if (newRate > BigInt(c.commissionRates.maxRate)) throw new CommissionGTMaxRate({ log: "commission cannot be more than the max rate" })
    if (newRate - BigInt(c.commissionRates.rate) > BigInt(c.commissionRates.maxChangeRate)) throw new CommissionGTMaxChangeRate({ log: "commission cannot be changed more than max change rate" })
    commission = { commissionRates: { ...c.commissionRates, rate: newRate.toString() }, updateTime: ctx.time }
  }
  let minSelfDelegation = v.minSelfDelegation
  if (newMin !== undefined) {
    if (newMin <= BigInt(v.minSelfDelegation)) throw new MinSelfDelegationDecreased({ log: "minimum self delegation cannot be decrease" })
    if (newMin > BigInt(v.tokens)) throw new SelfDelegationBelowMinimum({ log: "validator's self delegation must be greater than their minimum self delegation" })
    minSelfDelegation = newMin.toString()
  }
  setValidator(ctx.store, operator, { ...v, description, commission, minSelfDelegation })
  ctx.emit(event("edit_validator", ["commission_rate", decString(BigInt(commission.commissionRates.rate))], ["min_self_delegation", minSelfDelegation]))
  return ok("/cosmos.staking.v1beta1.MsgEditValidatorResponse", MsgEditValidatorResponse.encode({}).finish())
}

/** MsgDelegate. */
export const delegate = (k: Keeper, ctx: MsgContext, m: MsgDelegate): MsgResult => {
  const del = k.acc(m.delegatorAddress, "invalid delegator address")
  const operator = k.val(m.validatorAddress, "invalid validator address")
  const amount = bondAmount(k, ctx, m.amount, "delegation")
  const v = k.mustValidator(ctx, operator)
  const shares = k.delegate(ctx, del, amount, BondStatus.BOND_STATUS_UNBONDED, operator, v, true)
  ctx.emit(event("delegate", ["validator", v.operatorAddress], ["delegator", k.accText(del)], ["amount", `${amount}${k.params(ctx).bondDenom}`], ["new_shares", decString(shares)]))
  return ok("/cosmos.staking.v1beta1.MsgDelegateResponse", MsgDelegateResponse.encode({}).finish())
}

/** MsgUndelegate: completion at block time + unbonding_time. */
export const undelegate = (k: Keeper, ctx: MsgContext, m: MsgUndelegate): MsgResult => {
  const del = k.acc(m.delegatorAddress, "invalid delegator address")
  const operator = k.val(m.validatorAddress, "invalid validator address")
  const amount = bondAmount(k, ctx, m.amount, "shares")
  const shares = k.validateUnbondAmount(ctx, del, operator, amount)
  const { completion, amount: paid } = k.undelegate(ctx, del, operator, shares)
  const denom = k.params(ctx).bondDenom
  ctx.emit(event("unbond", ["validator", k.valText(operator)], ["delegator", k.accText(del)], ["amount", `${paid}${denom}`], ["completion_time", formatTimestamp(completion)]))
  return ok("/cosmos.staking.v1beta1.MsgUndelegateResponse", MsgUndelegateResponse.encode({ completionTime: completion, amount: { denom, amount: paid.toString() } }).finish())
}

/** MsgBeginRedelegate. */
export const beginRedelegate = (k: Keeper, ctx: MsgContext, m: MsgBeginRedelegate): MsgResult => {
  const del = k.acc(m.delegatorAddress, "invalid delegator address")
  const src = k.val(m.validatorSrcAddress, "invalid source validator address")
  const dst = k.val(m.validatorDstAddress, "invalid destination validator address")
  k.mustValidator(ctx, src)
  k.mustValidator(ctx, dst)
  const amount = bondAmount(k, ctx, m.amount, "shares")
  const shares = k.validateUnbondAmount(ctx, del, src, amount)
  const completion = k.beginRedelegation(ctx, del, src, dst, shares)
  ctx.emit(event("redelegate", ["source_validator", k.valText(src)], ["destination_validator", k.valText(dst)], ["amount", `${amount}${k.params(ctx).bondDenom}`], ["completion_time", formatTimestamp(completion)]))
  return ok("/cosmos.staking.v1beta1.MsgBeginRedelegateResponse", MsgBeginRedelegateResponse.encode({ completionTime: completion }).finish())
}

/** MsgCancelUnbondingDelegation: delegate back (part of) the entry created at `creation_height`. */
export const cancelUnbonding = (k: Keeper, ctx: MsgContext, m: MsgCancelUnbondingDelegation): MsgResult => {
  const del = k.acc(m.delegatorAddress, "invalid delegator address")
  const operator = k.val(m.validatorAddress, "invalid validator address")
  const amount = bondAmount(k, ctx, m.amount, "amount")
  if (m.creationHeight <= 0n) throw new InvalidRequest({ log: "invalid height: invalid request" })
  const v = k.mustValidator(ctx, operator)
  const ubd = getUbd(ctx.store, del, operator)
  if (!ubd) throw new NoUnbondingDelegation({ log: `unbonding delegation with delegator ${k.accText(del)} not found for validator ${v.operatorAddress}: no unbonding delegation found` })
  const i = ubd.entries.findIndex((e) => e.creationHeight === m.creationHeight)
  if (i < 0) throw new NotFound({ log: `unbonding delegation entry is not found at block height ${m.creationHeight}: not found` })
  const entry = ubd.entries[i]!
  if (BigInt(entry.balance) < amount) throw new InvalidRequest({ log: "amount is greater than the unbonding delegation entry balance: invalid request" })
  if (compareTime(entry.completionTime, ctx.time) < 0) throw new InvalidRequest({ log: "unbonding delegation is already processed: invalid request" })
  k.delegate(ctx, del, amount, BondStatus.BOND_STATUS_UNBONDING, operator, v, false)
  const rest = BigInt(entry.balance) - amount
  const entries = [...ubd.entries]
  if (rest === 0n) entries.splice(i, 1)
  else entries[i] = { ...entry, balance: rest.toString(), initialBalance: (BigInt(entry.initialBalance) - amount).toString() }
  setUbd(ctx.store, del, operator, { ...ubd, entries })
  ctx.emit(event("cancel_unbonding_delegation", ["amount", `${amount}${k.params(ctx).bondDenom}`], ["validator", v.operatorAddress], ["delegator", k.accText(del)], ["creation_height", m.creationHeight.toString()]))
  return ok("/cosmos.staking.v1beta1.MsgCancelUnbondingDelegationResponse", MsgCancelUnbondingDelegationResponse.encode({}).finish())
}

/** Params.Validate. */
export const validateParams = (p: Params): void => {
  if (p.unbondingTime.seconds < 0n || (p.unbondingTime.seconds === 0n && p.unbondingTime.nanos <= 0)) throw new InvalidRequest({ log: "unbonding time must be positive: invalid request" })
  if (p.maxValidators === 0) throw new InvalidRequest({ log: "max validators must be positive: invalid request" })
  if (p.maxEntries === 0) throw new InvalidRequest({ log: "max entries must be positive: invalid request" })
  if (!/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(p.bondDenom)) throw new InvalidRequest({ log: `invalid bond denom ${JSON.stringify(p.bondDenom.slice(0, 80))}: invalid request` }) // determinism-ok: log text
  const min = parseDecWire(p.minCommissionRate, "min commission rate")
  if (min < 0n || min > PRECISION) throw new InvalidRequest({ log: `minimum commission rate must be between 0 and 1, got ${decString(min)}: invalid request` })
}

/** MsgUpdateParams: only the governance module account (executed by gov, ctx.execute). */
export const updateParams = (k: Keeper, ctx: MsgContext, m: MsgUpdateParams): MsgResult => {
  const gov = formatAddress(moduleAccountBytes("gov"), k.config.bech32Prefix)
  if (m.authority !== gov) throw new InvalidSigner({ log: `invalid authority; expected ${gov}, got ${m.authority}: expected gov account as only signer for proposal message` })
  const p = m.params
  validateParams(p)
  const current = k.params(ctx)
  if (p.bondDenom !== current.bondDenom && k.bondedPoolBalance(ctx) + k.notBondedPoolBalance(ctx) > 0n) {
    throw new InvalidRequest({ log: `bond denom cannot change from ${current.bondDenom} while tokens are staked: invalid request` })
  }
  setParams(ctx.store, { ...p, minCommissionRate: parseDecWire(p.minCommissionRate, "min commission rate").toString() })
  return ok("/cosmos.staking.v1beta1.MsgUpdateParamsResponse", MsgUpdateParamsResponse.encode({}).finish())
}
