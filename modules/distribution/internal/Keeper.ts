/**
 * The distribution keeper: the machine's addresses (bech32 prefixes, its own, fee_collector's and
 * the gov authority's, the blocked module accounts) and what its messages, staking hooks and block
 * allocation share: staking facts of a validator or delegation read through the staking call API,
 * payouts from the module account and a delegation's reward withdrawal.
 *
 * Source: cosmos-sdk x/distribution keeper/keeper.go (WithdrawDelegationRewards), delegation.go
 * (withdrawDelegationRewards), app.go BlockedAddr.
 */
import type { Event } from "cosmjs-types/tendermint/abci/types"
import { InvalidRequest } from "../../../chain/ChainError.ts"
import { bankClient } from "../../../chain/generated/bank.ts"
import { stakingClient } from "../../../chain/generated/staking.ts"
import type { ExecContext } from "../../../chain/Machine.ts"
import { moduleAccountBytes } from "../../../chain/Principal.ts"
import { formatAddress, parseAddress } from "../../auth/Address.ts"
import { parseDecWire } from "../../../chain/LegacyDec.ts"
import type { Prefixes } from "./Genesis.ts"
import { hasValidator, initializeValidator, withdrawDelegationRewards, type Coins, type ValidatorFacts } from "./Rewards.ts"
import { getWithdrawAddr } from "./State.ts"

/** Module accounts that may not be a withdraw address (SDK BlockedAddr: module accounts but gov). */
const BLOCKED_MODULES = ["fee_collector", "distribution", "bonded_tokens_pool", "not_bonded_tokens_pool", "mint"]

/** An ABCI event with indexed attributes. */
export const event = (type: string, ...attrs: ReadonlyArray<readonly [string, string]>): Event => ({
  type, attributes: attrs.map(([key, value]) => ({ key, value, index: true }))
})
/** Coins as event text ("5boot,7foo"). */
export const coinsText = (coins: Coins): string => coins.map((c) => `${c.amount}${c.denom}`).join(",")
/** Coins in proto form (amount as text). */
export const protoCoins = (coins: Coins) => coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }))

/** Int text of staking ("12345"); throws InvalidRequest. */
export const parseAmountText = (text: string, what: string): bigint => {
  if (!/^[0-9]{1,80}$/.test(text)) throw new InvalidRequest({ log: `${what}: "${text.slice(0, 80)}" is not an unsigned integer` })
  return BigInt(text)
}

/** The keeper over one machine's options; stateless (state is the ctx's store). */
export class Keeper {
  readonly px: Prefixes
  readonly bondDenom: string
  /** bech32 of the distribution module account. */
  readonly moduleAddress: string
  readonly feeCollector: string
  readonly govAuthority: string
  readonly blocked: ReadonlyArray<Uint8Array>

  constructor(prefix: string, bondDenom: string) {
    this.px = { account: prefix, valoper: `${prefix}valoper` }
    this.bondDenom = bondDenom
    this.moduleAddress = formatAddress(moduleAccountBytes("distribution"), prefix)
    this.feeCollector = formatAddress(moduleAccountBytes("fee_collector"), prefix)
    this.govAuthority = formatAddress(moduleAccountBytes("gov"), prefix)
    this.blocked = BLOCKED_MODULES.map(moduleAccountBytes)
  }

  /** Account bytes of a bech32 account address (InvalidAddress naming `what`). */
  acc(address: string, what: string): Uint8Array {
    return parseAddress(address, this.px.account, what)
  }
  /** Operator bytes of a bech32 valoper address (InvalidAddress naming `what`). */
  val(address: string, what: string): Uint8Array {
    return parseAddress(address, this.px.valoper, what)
  }

  /** Tokens, shares and commission rate of a validator from staking; undefined when it does not exist. */
  validatorFacts(ctx: ExecContext, val: Uint8Array): ValidatorFacts | undefined {
    const v = stakingClient((c) => ctx.query(c)).validator({ operator: formatAddress(val, this.px.valoper) }).validator
    if (!v) return undefined
    return {
      tokens: parseAmountText(v.tokens, "staking validator tokens"),
      delegatorShares: parseDecWire(v.delegatorShares, "staking delegator shares"),
      commissionRate: parseDecWire(v.commissionRate, "staking commission rate")
    }
  }

  /** A delegation's shares from staking; undefined when there is none. */
  delegationShares(ctx: ExecContext, del: Uint8Array, val: Uint8Array): bigint | undefined {
    const d = stakingClient((c) => ctx.query(c)).delegation({ delegator: formatAddress(del, this.px.account), validator: formatAddress(val, this.px.valoper) })
    return d.found ? parseDecWire(d.shares, "staking delegation shares") : undefined
  }

  /** Pay `coins` from the distribution account to `to` (bytes). */
  pay(ctx: ExecContext, to: Uint8Array, coins: Coins): void {
    bankClient((c) => ctx.call(c)).send({ from: this.moduleAddress, to: formatAddress(to, this.px.account), amount: protoCoins(coins) })
  }

  /** Records for a validator created before this machine ran (activation by governance). */
  ensureValidator(ctx: ExecContext, val: Uint8Array): void {
    if (!hasValidator(ctx.store, val)) initializeValidator(ctx.store, val)
  }

  /** Withdraw a delegation's rewards to its withdraw address; emits withdraw_rewards. Undefined without starting info. */
  withdrawRaw(ctx: ExecContext, val: Uint8Array, del: Uint8Array, v: ValidatorFacts, shares: bigint): Coins | undefined {
    const to = getWithdrawAddr(ctx.store, del)
    const paid = withdrawDelegationRewards(ctx.store, val, del, v, shares, BigInt(ctx.height), (coins) => this.pay(ctx, to, coins))
    if (paid === undefined) return undefined
    const shown = paid.length > 0 ? coinsText(paid) : `0${this.bondDenom}`
    ctx.emit(event("withdraw_rewards", ["amount", shown], ["validator", formatAddress(val, this.px.valoper)], ["delegator", formatAddress(del, this.px.account)]))
    return paid
  }
}
