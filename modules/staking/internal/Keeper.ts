/**
 * The staking keeper: tokens and shares of validators and delegations, the two pools, unbonding
 * and redelegation entries. All coin movement goes through the bank machine's `send`; the
 * distribution hooks run around every change of a delegation's shares.
 *
 * Source: cosmos-sdk x/staking/keeper/delegation.go (Delegate, Unbond, Undelegate,
 * BeginRedelegation, CompleteUnbonding, CompleteRedelegation, ValidateUnbondAmount),
 * validator.go (AddValidatorTokensAndShares, RemoveValidatorTokensAndShares, RemoveValidator),
 * pool.go (bondedTokensToNotBonded, notBondedTokensToBonded), types/validator.go
 * (AddTokensFromDel, RemoveDelShares, SharesFromTokens, TokensFromShares).
 */
import { BondStatus, type Delegation, type Params, type Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import type { Event } from "cosmjs-types/tendermint/abci/types"
import { bankClient } from "../../../chain/generated/bank.ts"
import type { ExecContext } from "../../../chain/Machine.ts"
import { moduleAccountBytes } from "../../../chain/Principal.ts"
import { formatAddress, parseAddress } from "../../auth/Address.ts"
import { decFromInt, mulInt, quoInt, quoTruncate, truncateInt } from "../Dec.ts"
import type { StakingConfig } from "../StakingConfig.ts"
import {
  BadRedelegationDst, BadRedelegationSrc, DelegatorShareExRateInvalid, InsufficientShares, MaxRedelegationEntries, MaxUnbondingDelegationEntries,
  NoDelegatorForAddress, NotEnoughDelegationShares, NoValidatorFound, SelfRedelegation, TinyRedelegationAmount, TransitiveRedelegation
} from "../StakingError.ts"
import { StakingHooks } from "./Hooks.ts"
import { addrKey, RED_BY_DST, prefixEnd, VALIDATOR } from "./Keys.ts"
import {
  deletePowerIndex, getDelegation, getParams, getRed, getUbd, getValidator, insertRedQueue, insertUbdQueue, removeDelegation, setDelegation,
  setPowerIndex, setRed, setUbd, setValidator, consensusKey, deleteValidatorByCons
} from "./State.ts"
import { addTime, formatTimestamp, type Time } from "../../../chain/Time.ts"

/** Module account names of the pools. */
export const BONDED_POOL = "bonded_tokens_pool"
export const NOT_BONDED_POOL = "not_bonded_tokens_pool"

/** An ABCI event with indexed attributes. */
export const event = (type: string, ...attrs: ReadonlyArray<readonly [string, string]>): Event => ({
  type,
  attributes: attrs.map(([key, value]) => ({ key, value, index: true }))
})

/** The keeper over one machine config; stateless (state is the ctx's store). */
export class Keeper {
  readonly config: StakingConfig
  readonly valPrefix: string
  readonly bondedPool: string
  readonly notBondedPool: string
  readonly hooks: StakingHooks

  constructor(config: StakingConfig) {
    this.config = config
    this.valPrefix = `${config.bech32Prefix}valoper`
    this.bondedPool = formatAddress(moduleAccountBytes(BONDED_POOL), config.bech32Prefix)
    this.notBondedPool = formatAddress(moduleAccountBytes(NOT_BONDED_POOL), config.bech32Prefix)
    this.hooks = new StakingHooks(config.distributionMachine)
  }

  params(ctx: { readonly store: ExecContext["store"] }): Params {
    return getParams(ctx.store, this.config.bondDenom)
  }

  /** Account bytes of a bech32 account address (InvalidAddress naming `what`). */
  acc(address: string, what: string): Uint8Array {
    return parseAddress(address, this.config.bech32Prefix, what)
  }
  /** Operator bytes of a bech32 valoper address (InvalidAddress naming `what`). */
  val(address: string, what: string): Uint8Array {
    return parseAddress(address, this.valPrefix, what)
  }
  accText(bytes: Uint8Array): string {
    return formatAddress(bytes, this.config.bech32Prefix)
  }
  valText(bytes: Uint8Array): string {
    return formatAddress(bytes, this.valPrefix)
  }

  /** The validator or NoValidatorFound. */
  mustValidator(ctx: ExecContext, operator: Uint8Array): Validator {
    const v = getValidator(ctx.store, operator)
    if (!v) throw new NoValidatorFound({ log: `validator ${this.valText(operator)} does not exist: validator does not exist` })
    return v
  }

  private send(ctx: ExecContext, from: string, to: string, amount: bigint): void {
    if (amount <= 0n) return
    bankClient((c) => ctx.call(c), this.config.bankMachine).send({ from, to, amount: [{ denom: this.params(ctx).bondDenom, amount: amount.toString() }] })
  }
  /** Move tokens from the bonded to the not-bonded pool. */
  bondedToNotBonded(ctx: ExecContext, amount: bigint): void {
    this.send(ctx, this.bondedPool, this.notBondedPool, amount)
  }
  /** Move tokens from the not-bonded to the bonded pool. */
  notBondedToBonded(ctx: ExecContext, amount: bigint): void {
    this.send(ctx, this.notBondedPool, this.bondedPool, amount)
  }

  /** Shares for `amount` tokens: shares * amount / tokens truncated (SharesFromTokens). */
  sharesFromTokens(v: Validator, amount: bigint): bigint {
    const tokens = BigInt(v.tokens)
    if (tokens === 0n) throw new InsufficientShares({ log: `validator ${v.operatorAddress} has no tokens: insufficient delegation shares` })
    return quoInt(mulInt(BigInt(v.delegatorShares), amount), tokens)
  }

  /** Tokens for `shares` (a Dec), as a Dec: shares * tokens / delegatorShares truncated (TokensFromShares). */
  tokensFromShares(v: Validator, shares: bigint): bigint {
    return quoTruncate(mulInt(shares, BigInt(v.tokens)), BigInt(v.delegatorShares))
  }

  /** Add tokens issuing shares (AddValidatorTokensAndShares); returns the issued shares. */
  addTokensAndShares(ctx: ExecContext, operator: Uint8Array, v: Validator, amount: bigint): { validator: Validator; shares: bigint } {
    deletePowerIndex(ctx.store, operator, v)
    const shares = BigInt(v.delegatorShares) === 0n ? decFromInt(amount) : this.sharesFromTokens(v, amount)
    const next: Validator = { ...v, tokens: (BigInt(v.tokens) + amount).toString(), delegatorShares: (BigInt(v.delegatorShares) + shares).toString() }
    setValidator(ctx.store, operator, next)
    setPowerIndex(ctx.store, operator, next)
    return { validator: next, shares }
  }

  /** Remove shares returning their tokens (RemoveValidatorTokensAndShares / RemoveDelShares). */
  removeTokensAndShares(ctx: ExecContext, operator: Uint8Array, v: Validator, shares: bigint): { validator: Validator; amount: bigint } {
    deletePowerIndex(ctx.store, operator, v)
    const remaining = BigInt(v.delegatorShares) - shares
    const tokens = BigInt(v.tokens)
    const amount = remaining === 0n ? tokens : truncateInt(this.tokensFromShares(v, shares))
    if (amount > tokens) throw new NotEnoughDelegationShares({ log: `removing ${amount} tokens from validator ${v.operatorAddress} holding ${tokens}: not enough shares` })
    const next: Validator = { ...v, tokens: (tokens - amount).toString(), delegatorShares: remaining.toString() }
    setValidator(ctx.store, operator, next)
    setPowerIndex(ctx.store, operator, next)
    return { validator: next, amount }
  }

  /**
   * Delegate `amount` tokens of `del` to the validator (Keeper.Delegate). With `fromAccount` the
   * tokens come from the delegator's account into the pool of the validator's status; otherwise
   * they are already in the pool of `tokenSrc` and move between pools if the statuses differ.
   * Returns the new shares.
   */
  delegate(ctx: ExecContext, del: Uint8Array, amount: bigint, tokenSrc: BondStatus, operator: Uint8Array, v: Validator, fromAccount: boolean): bigint {
    if (BigInt(v.tokens) === 0n && BigInt(v.delegatorShares) > 0n) {
      throw new DelegatorShareExRateInvalid({ log: `validator ${v.operatorAddress} has shares but no tokens: cannot delegate to validators with invalid (zero) ex-rate` })
    }
    const delText = this.accText(del)
    const existing = getDelegation(ctx.store, del, operator)
    this.hooks.beforeDelegationModified(ctx, delText, v.operatorAddress)
    const bonded = v.status === BondStatus.BOND_STATUS_BONDED
    if (fromAccount) {
      this.send(ctx, delText, bonded ? this.bondedPool : this.notBondedPool, amount)
    } else {
      const srcBonded = tokenSrc === BondStatus.BOND_STATUS_BONDED
      if (srcBonded && !bonded) this.bondedToNotBonded(ctx, amount)
      else if (!srcBonded && bonded) this.notBondedToBonded(ctx, amount)
    }
    const { shares } = this.addTokensAndShares(ctx, operator, v, amount)
    const d: Delegation = {
      delegatorAddress: delText,
      validatorAddress: v.operatorAddress,
      shares: ((existing ? BigInt(existing.shares) : 0n) + shares).toString()
    }
    setDelegation(ctx.store, del, operator, d)
    this.hooks.delegationModified(ctx, delText, v.operatorAddress)
    return shares
  }

  /** Shares to unbond for `amount` tokens, capped at the delegation's shares (ValidateUnbondAmount). */
  validateUnbondAmount(ctx: ExecContext, del: Uint8Array, operator: Uint8Array, amount: bigint): bigint {
    const v = this.mustValidator(ctx, operator)
    const d = getDelegation(ctx.store, del, operator)
    if (!d) throw new NoDelegatorForAddress({ log: `delegation of ${this.accText(del)} to ${v.operatorAddress} does not exist: delegator does not contain delegation` })
    const shares = this.sharesFromTokens(v, amount)
    const held = BigInt(d.shares)
    if (shares > held) throw new NotEnoughDelegationShares({ log: `invalid shares amount: ${amount} tokens are more than the delegation holds: invalid shares amount` })
    return shares
  }

  /** Remove `shares` of a delegation, returning the tokens (Keeper.Unbond). */
  unbond(ctx: ExecContext, del: Uint8Array, operator: Uint8Array, shares: bigint): bigint {
    const d = getDelegation(ctx.store, del, operator)
    const delText = this.accText(del)
    if (!d) throw new NoDelegatorForAddress({ log: `delegation of ${delText} to ${this.valText(operator)} does not exist: delegator does not contain delegation` })
    this.hooks.beforeDelegationModified(ctx, delText, d.validatorAddress)
    const held = BigInt(d.shares)
    if (held < shares) throw new NotEnoughDelegationShares({ log: `${delText} holds ${held} shares, ${shares} asked: not enough shares` })
    const v = this.mustValidator(ctx, operator)
    const rest = held - shares
    if (rest === 0n) removeDelegation(ctx.store, del, operator)
    else setDelegation(ctx.store, del, operator, { ...d, shares: rest.toString() })
    this.hooks.delegationModified(ctx, delText, d.validatorAddress)
    const { validator, amount } = this.removeTokensAndShares(ctx, operator, v, shares)
    if (BigInt(validator.delegatorShares) === 0n && validator.status === BondStatus.BOND_STATUS_UNBONDED) this.removeValidator(ctx, operator, validator)
    return amount
  }

  /** Delete an unbonded validator without tokens (Keeper.RemoveValidator) and call AfterValidatorRemoved. */
  removeValidator(ctx: ExecContext, operator: Uint8Array, v: Validator): void {
    deletePowerIndex(ctx.store, operator, v)
    deleteValidatorByCons(ctx.store, consensusKey(v))
    ctx.store.delete(addrKey(VALIDATOR, operator))
    this.hooks.validatorRemoved(ctx, v.operatorAddress)
  }

  /**
   * Undelegate `shares`: tokens leave the bonded pool (if the validator is bonded) for the
   * not-bonded pool and an unbonding entry completes at block time + unbonding_time.
   */
  undelegate(ctx: ExecContext, del: Uint8Array, operator: Uint8Array, shares: bigint): { completion: Time; amount: bigint } {
    const v = this.mustValidator(ctx, operator)
    const p = this.params(ctx)
    const existing = getUbd(ctx.store, del, operator)
    if (existing && existing.entries.length >= p.maxEntries) {
      throw new MaxUnbondingDelegationEntries({ log: `too many unbonding delegation entries for (delegator, validator) tuple (max ${p.maxEntries})` })
    }
    const amount = this.unbond(ctx, del, operator, shares)
    if (v.status === BondStatus.BOND_STATUS_BONDED) this.bondedToNotBonded(ctx, amount)
    const completion = addTime(ctx.time, p.unbondingTime)
    const delText = this.accText(del)
    const ubd = existing ?? { delegatorAddress: delText, validatorAddress: v.operatorAddress, entries: [] }
    const height = BigInt(ctx.height)
    const same = ubd.entries.findIndex((e) => e.creationHeight === height && e.completionTime.seconds === completion.seconds && e.completionTime.nanos === completion.nanos)
    const entries = [...ubd.entries]
    if (same >= 0) {
      const e = entries[same]!
      entries[same] = { ...e, balance: (BigInt(e.balance) + amount).toString(), initialBalance: (BigInt(e.initialBalance) + amount).toString() }
    } else {
      entries.push({ creationHeight: height, completionTime: completion, initialBalance: amount.toString(), balance: amount.toString(), unbondingId: 0n, unbondingOnHoldRefCount: 0n })
    }
    setUbd(ctx.store, del, operator, { ...ubd, entries })
    insertUbdQueue(ctx.store, completion, delText, v.operatorAddress)
    return { completion, amount }
  }

  /** Whether `del` has a redelegation into `dst` still maturing (HasReceivingRedelegation). */
  private hasReceivingRedelegation(ctx: ExecContext, del: Uint8Array, dst: Uint8Array): boolean {
    const prefix = addrKey(RED_BY_DST, dst, del)
    for (const _ of ctx.store.iterate(prefix, prefixEnd(prefix))) return true
    return false
  }

  /** Move `shares` of a delegation from `src` to `dst` (BeginRedelegation); returns the completion time. */
  beginRedelegation(ctx: ExecContext, del: Uint8Array, src: Uint8Array, dst: Uint8Array, shares: bigint): Time {
    const srcText = this.valText(src)
    const dstText = this.valText(dst)
    if (src.length === dst.length && src.every((b, i) => b === dst[i])) throw new SelfRedelegation({ log: `cannot redelegate to the same validator ${srcText}: cannot redelegate to the same validator` })
    const dstV = getValidator(ctx.store, dst)
    if (!dstV) throw new BadRedelegationDst({ log: `redelegation destination validator ${dstText} not found` })
    const srcV = getValidator(ctx.store, src)
    if (!srcV) throw new BadRedelegationSrc({ log: `redelegation source validator ${srcText} not found` })
    if (this.hasReceivingRedelegation(ctx, del, src)) throw new TransitiveRedelegation({ log: `redelegation to ${srcText} is not yet complete: redelegation to this validator already in progress; first redelegation to this validator must complete before next redelegation` })
    const p = this.params(ctx)
    const existing = getRed(ctx.store, del, src, dst)
    if (existing && existing.entries.length >= p.maxEntries) throw new MaxRedelegationEntries({ log: `too many redelegation entries for (delegator, src-validator, dst-validator) tuple (max ${p.maxEntries})` })
    const amount = this.unbond(ctx, del, src, shares)
    if (amount === 0n) throw new TinyRedelegationAmount({ log: `too few tokens to redelegate (truncates to zero tokens)` })
    const dstNow = this.mustValidator(ctx, dst)
    const sharesDst = this.delegate(ctx, del, amount, srcV.status, dst, dstNow, false)
    // getBeginInfo: a bonded source matures after the unbonding time, an unbonding one with it, an unbonded one now
    if (srcV.status === BondStatus.BOND_STATUS_UNBONDED) return ctx.time
    const completion = srcV.status === BondStatus.BOND_STATUS_BONDED ? addTime(ctx.time, p.unbondingTime) : srcV.unbondingTime
    const height = srcV.status === BondStatus.BOND_STATUS_BONDED ? BigInt(ctx.height) : srcV.unbondingHeight
    const delText = this.accText(del)
    const red = existing ?? { delegatorAddress: delText, validatorSrcAddress: srcText, validatorDstAddress: dstText, entries: [] }
    setRed(ctx.store, del, src, dst, {
      ...red,
      entries: [...red.entries, { creationHeight: height, completionTime: completion, initialBalance: amount.toString(), sharesDst: sharesDst.toString(), unbondingId: 0n, unbondingOnHoldRefCount: 0n }]
    })
    insertRedQueue(ctx.store, completion, delText, srcText, dstText)
    return completion
  }

  /** Pay out the mature entries of an unbonding delegation (CompleteUnbonding); returns the amount paid. */
  completeUnbonding(ctx: ExecContext, del: Uint8Array, operator: Uint8Array): bigint {
    const ubd = getUbd(ctx.store, del, operator)
    if (!ubd) return 0n
    let paid = 0n
    const keep = ubd.entries.filter((e) => {
      const mature = e.completionTime.seconds < ctx.time.seconds || (e.completionTime.seconds === ctx.time.seconds && e.completionTime.nanos <= ctx.time.nanos)
      if (mature) paid += BigInt(e.balance)
      return !mature
    })
    if (paid > 0n) this.send(ctx, this.notBondedPool, ubd.delegatorAddress, paid)
    setUbd(ctx.store, del, operator, { ...ubd, entries: keep })
    ctx.emit(event("complete_unbonding", ["amount", `${paid}${this.params(ctx).bondDenom}`], ["validator", ubd.validatorAddress], ["delegator", ubd.delegatorAddress]))
    return paid
  }

  /** Drop the mature entries of a redelegation (CompleteRedelegation): no tokens move. */
  completeRedelegation(ctx: ExecContext, del: Uint8Array, src: Uint8Array, dst: Uint8Array): void {
    const red = getRed(ctx.store, del, src, dst)
    if (!red) return
    const keep = red.entries.filter((e) => e.completionTime.seconds > ctx.time.seconds || (e.completionTime.seconds === ctx.time.seconds && e.completionTime.nanos > ctx.time.nanos))
    setRed(ctx.store, del, src, dst, { ...red, entries: keep })
    ctx.emit(event("complete_redelegation", ["delegator", red.delegatorAddress], ["source_validator", red.validatorSrcAddress], ["destination_validator", red.validatorDstAddress]))
  }

  /** Bond-denom balance of `address` (bank.balance). */
  poolBalance(ctx: ExecContext, address: string): bigint {
    const b = bankClient((c) => ctx.query(c), this.config.bankMachine).balance({ address, denom: this.params(ctx).bondDenom })
    return BigInt(b.balance?.amount || "0")
  }
  bondedPoolBalance(ctx: ExecContext): bigint {
    return this.poolBalance(ctx, this.bondedPool)
  }
  notBondedPoolBalance(ctx: ExecContext): bigint {
    return this.poolBalance(ctx, this.notBondedPool)
  }

  /** RFC 3339 text of a time (events). */
  timeText(t: Time): string {
    return formatTimestamp(t)
  }
}
