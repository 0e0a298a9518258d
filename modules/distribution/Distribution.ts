/**
 * The distribution machine: F1 fee distribution (Cosmos SDK x/distribution v1beta1). Each block
 * the previous block's fees move from fee_collector into the distribution module account; the
 * community tax goes to the community pool and the rest to the bonded validators by power, each
 * keeping its commission and sharing the remainder with its delegators through F1 periods.
 *
 * Messages: `/cosmos.distribution.v1beta1.{MsgWithdrawDelegatorReward, MsgWithdrawValidatorCommission,
 * MsgSetWithdrawAddress, MsgFundCommunityPool, MsgUpdateParams, MsgCommunityPoolSpend,
 * MsgDepositValidatorRewardsPool}` (UpdateParams and CommunityPoolSpend from the gov authority). Queries: `/cosmos.distribution.v1beta1.Query/{Params,
 * ValidatorDistributionInfo, ValidatorOutstandingRewards, ValidatorCommission, ValidatorSlashes
 * (always empty), DelegationRewards, DelegationTotalRewards, DelegatorValidators,
 * DelegatorWithdrawAddress, CommunityPool}`. Call API: wit/chain/distribution.wit, the staking hooks, callable only by
 * `machine:staking`. State: internal/State.ts; F1: internal/Rewards.ts. Docs: docs/machines/distribution.md.
 *
 * Differences from the SDK, by design: our BlockContext carries no last-commit votes, so every
 * validator of staking's current bonded set counts as having voted (the SDK weights by the
 * previous block's votes); no slashing, so no slash events; a validator or delegation that
 * predates this machine's activation gets its records on first contact instead of an error.
 *
 * Source: cosmos-sdk x/distribution (keeper/abci.go, allocation.go, delegation.go, validator.go,
 * hooks.go, msg_server.go, grpc_query.go, keeper.go SetWithdrawAddr, types/params.go).
 */
import {
  QueryCommunityPoolResponse, QueryDelegationRewardsRequest, QueryDelegationRewardsResponse, QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse, QueryDelegatorValidatorsRequest, QueryDelegatorValidatorsResponse, QueryDelegatorWithdrawAddressRequest,
  QueryDelegatorWithdrawAddressResponse, QueryParamsResponse, QueryValidatorCommissionRequest, QueryValidatorCommissionResponse,
  QueryValidatorDistributionInfoRequest, QueryValidatorDistributionInfoResponse, QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse, QueryValidatorSlashesRequest, QueryValidatorSlashesResponse
} from "cosmjs-types/cosmos/distribution/v1beta1/query"
import {
  MsgCommunityPoolSpend, MsgCommunityPoolSpendResponse, MsgDepositValidatorRewardsPool, MsgDepositValidatorRewardsPoolResponse, MsgFundCommunityPool, MsgFundCommunityPoolResponse, MsgSetWithdrawAddress, MsgSetWithdrawAddressResponse, MsgUpdateParams, MsgUpdateParamsResponse,
  MsgWithdrawDelegatorReward, MsgWithdrawDelegatorRewardResponse, MsgWithdrawValidatorCommission, MsgWithdrawValidatorCommissionResponse
} from "cosmjs-types/cosmos/distribution/v1beta1/tx"
import {
  QueryDelegationRequest, QueryDelegationResponse, QueryDelegatorDelegationsRequest, QueryDelegatorDelegationsResponse, QueryValidatorRequest,
  QueryValidatorResponse
} from "cosmjs-types/cosmos/staking/v1beta1/query"
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Event } from "cosmjs-types/tendermint/abci/types"
import type { Grant } from "../../chain/Capabilities.ts"
import { InvalidAddress, InvalidCoins, InvalidRequest, isChainError, TxDecodeError, Unauthorized, UnknownRequest } from "../../chain/ChainError.ts"
import { bankClient } from "../../chain/generated/bank.ts"
import { distributionDispatcher, distributionInterface } from "../../chain/generated/distribution.ts"
import { stakingClient } from "../../chain/generated/staking.ts"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import type { ExecContext, Machine, MsgContext, MsgResult, QueryContext } from "../../chain/Machine.ts"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { bytesEqual, formatAddress, parseAddress } from "../auth/Address.ts"
import { validCoins } from "../bank/Coin.ts"
import {
  BadDistribution, EmptyDelegationDistInfo, InvalidAuthority, NoDelegationExists, NoValidatorCommission, NoValidatorDistInfo, NoValidatorExists, SetWithdrawAddrDisabled
} from "./DistributionError.ts"
import { decCoinsAdd, decCoinsFromCoins, decCoinsString, decCoinsSub, decCoinsToProto, decCoinsTruncate, ONE, parseDecWire, type DecCoin } from "./internal/Dec.ts"
import { exportGenesis, importGenesis, type Prefixes } from "./internal/Genesis.ts"
import {
  allocateToValidator, allocateTokens, dropStartingInfo, hasValidator, incrementValidatorPeriod, initializeDelegation, initializeValidator, pendingRewards, removeValidator, startingStake,
  withdrawDelegationRewards, type Coins, type ValidatorFacts
} from "./internal/Rewards.ts"
import {
  getCommission, getCommunityPool, getOutstanding, getParams, getWithdrawAddr, setCommission, setCommunityPool, setOutstanding,
  setParams, setWithdrawAddr
} from "./internal/State.ts"

/** Type URL of MsgWithdrawDelegatorReward. */
export const MSG_WITHDRAW_DELEGATOR_REWARD_URL = "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward"
/** Type URL of MsgWithdrawValidatorCommission. */
export const MSG_WITHDRAW_VALIDATOR_COMMISSION_URL = "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission"
/** Type URL of MsgSetWithdrawAddress. */
export const MSG_SET_WITHDRAW_ADDRESS_URL = "/cosmos.distribution.v1beta1.MsgSetWithdrawAddress"
/** Type URL of MsgFundCommunityPool. */
export const MSG_FUND_COMMUNITY_POOL_URL = "/cosmos.distribution.v1beta1.MsgFundCommunityPool"
/** Type URL of MsgUpdateParams (gov authority). */
export const MSG_UPDATE_PARAMS_URL = "/cosmos.distribution.v1beta1.MsgUpdateParams"
/** Type URL of MsgCommunityPoolSpend (gov authority). */
export const MSG_COMMUNITY_POOL_SPEND_URL = "/cosmos.distribution.v1beta1.MsgCommunityPoolSpend"
/** Type URL of MsgDepositValidatorRewardsPool. */
export const MSG_DEPOSIT_VALIDATOR_REWARDS_POOL_URL = "/cosmos.distribution.v1beta1.MsgDepositValidatorRewardsPool"
/** gRPC query prefix. */
export const DISTRIBUTION_QUERY = "/cosmos.distribution.v1beta1.Query/"
const STAKING_QUERY = "/cosmos.staking.v1beta1.Query/"

/** Module accounts that may not be a withdraw address (SDK BlockedAddr: module accounts but gov). */
const BLOCKED_MODULES = ["fee_collector", "distribution", "bonded_tokens_pool", "not_bonded_tokens_pool", "mint"]

/** Options: the chain's bech32 account prefix (valoper = prefix + "valoper") and bond denom (the zero reward coin's denom). */
export interface DistributionOptions {
  readonly bech32Prefix?: string
  readonly bondDenom?: string
}

const decode = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new TxDecodeError({ log: `invalid ${what}: ${(e as Error).message}: tx parse error` })
  }
}
const decodeQuery = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new InvalidRequest({ log: `invalid ${what}: ${(e as Error).message}: invalid request` })
  }
}

const event = (type: string, ...attrs: ReadonlyArray<readonly [string, string]>): Event => ({
  type, attributes: attrs.map(([key, value]) => ({ key, value, index: true }))
})
const coinsText = (coins: Coins): string => coins.map((c) => `${c.amount}${c.denom}`).join(",")
const protoCoins = (coins: Coins) => coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }))

/** The distribution machine. `new DistributionMachine({ bech32Prefix, bondDenom })`. */
export class DistributionMachine implements Machine {
  readonly name: string = "distribution"
  readonly version: string = "0.1.0"
  readonly msgTypeUrls: ReadonlyArray<string> = [
    MSG_WITHDRAW_DELEGATOR_REWARD_URL, MSG_WITHDRAW_VALIDATOR_COMMISSION_URL, MSG_SET_WITHDRAW_ADDRESS_URL, MSG_FUND_COMMUNITY_POOL_URL, MSG_UPDATE_PARAMS_URL,
    MSG_COMMUNITY_POOL_SPEND_URL, MSG_DEPOSIT_VALIDATOR_REWARDS_POOL_URL
  ]
  readonly queryPrefixes: ReadonlyArray<string> = [DISTRIBUTION_QUERY]
  /** The staking hooks: wit/chain/distribution.wit. */
  readonly interface: InterfaceSpec = distributionInterface
  /**
   * Payouts from its own account; fee_collector's whole balance into its own account (read, then
   * moved, each pinned to that one address); community pool deposits by a signer; staking reads.
   */
  readonly grants: ReadonlyArray<Grant>
  private readonly px: Prefixes
  private readonly bondDenom: string
  /** bech32 of the distribution and fee_collector module accounts. */
  readonly moduleAddress: string
  private readonly feeCollector: string
  private readonly govAuthority: string
  private readonly blocked: ReadonlyArray<Uint8Array>

  constructor(options: DistributionOptions = {}) {
    const prefix = options.bech32Prefix ?? "cyber"
    this.px = { account: prefix, valoper: `${prefix}valoper` }
    this.bondDenom = options.bondDenom ?? "boot"
    this.moduleAddress = formatAddress(moduleAccountBytes("distribution"), prefix)
    this.feeCollector = formatAddress(moduleAccountBytes("fee_collector"), prefix)
    this.govAuthority = formatAddress(moduleAccountBytes("gov"), prefix)
    this.blocked = BLOCKED_MODULES.map(moduleAccountBytes)
    const me = "machine:distribution"
    const staking = (method: string): Grant => ({ principal: me, capability: { interface: "staking", method, constraints: [] } })
    this.grants = [
      { principal: me, capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "self", value: "" }] } },
      {
        principal: me,
        capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "eq", value: this.feeCollector }, { field: "to", op: "self", value: "" }] }
      },
      {
        principal: me,
        capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "signer", value: "" }, { field: "to", op: "self", value: "" }] }
      },
      { principal: me, capability: { interface: "bank", method: "balances", constraints: [{ field: "address", op: "eq", value: this.feeCollector }] } },
      staking("validator"), staking("delegation"), staking("bonded-validators")
    ]
  }

  private acc(address: string, what: string): Uint8Array {
    return parseAddress(address, this.px.account, what)
  }
  private val(address: string, what: string): Uint8Array {
    return parseAddress(address, this.px.valoper, what)
  }

  /** Signers (cosmos.msg.v1.signer): delegator, the validator's account, delegator, depositor, authority (twice), depositor. */
  signers(msg: Any): ReadonlyArray<string> {
    const p = this.px.account
    switch (msg.typeUrl) {
      case MSG_WITHDRAW_DELEGATOR_REWARD_URL:
        return [formatAddress(this.acc(decode("MsgWithdrawDelegatorReward", () => MsgWithdrawDelegatorReward.decode(msg.value)).delegatorAddress, "invalid delegator address"), p)]
      case MSG_WITHDRAW_VALIDATOR_COMMISSION_URL:
        return [formatAddress(this.val(decode("MsgWithdrawValidatorCommission", () => MsgWithdrawValidatorCommission.decode(msg.value)).validatorAddress, "invalid validator address"), p)]
      case MSG_SET_WITHDRAW_ADDRESS_URL:
        return [formatAddress(this.acc(decode("MsgSetWithdrawAddress", () => MsgSetWithdrawAddress.decode(msg.value)).delegatorAddress, "invalid delegator address"), p)]
      case MSG_FUND_COMMUNITY_POOL_URL:
        return [formatAddress(this.acc(decode("MsgFundCommunityPool", () => MsgFundCommunityPool.decode(msg.value)).depositor, "invalid depositor address"), p)]
      case MSG_UPDATE_PARAMS_URL:
        return [formatAddress(this.acc(decode("MsgUpdateParams", () => MsgUpdateParams.decode(msg.value)).authority, "invalid authority address"), p)]
      case MSG_COMMUNITY_POOL_SPEND_URL:
        return [formatAddress(this.acc(decode("MsgCommunityPoolSpend", () => MsgCommunityPoolSpend.decode(msg.value)).authority, "invalid authority address"), p)]
      case MSG_DEPOSIT_VALIDATOR_REWARDS_POOL_URL:
        return [formatAddress(this.acc(decode("MsgDepositValidatorRewardsPool", () => MsgDepositValidatorRewardsPool.decode(msg.value)).depositor, "invalid depositor address"), p)]
      default:
        throw new UnknownRequest({ log: `unrecognized distribution message type: ${msg.typeUrl}: unknown request` })
    }
  }

  handle(ctx: MsgContext, msg: Any): MsgResult {
    switch (msg.typeUrl) {
      case MSG_WITHDRAW_DELEGATOR_REWARD_URL: {
        const m = decode("MsgWithdrawDelegatorReward", () => MsgWithdrawDelegatorReward.decode(msg.value))
        const amount = this.withdrawReward(ctx, this.val(m.validatorAddress, "invalid validator address"), this.acc(m.delegatorAddress, "invalid delegator address"))
        return { typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorRewardResponse", value: MsgWithdrawDelegatorRewardResponse.encode({ amount }).finish() }
      }
      case MSG_WITHDRAW_VALIDATOR_COMMISSION_URL: {
        const m = decode("MsgWithdrawValidatorCommission", () => MsgWithdrawValidatorCommission.decode(msg.value))
        const amount = this.withdrawCommission(ctx, this.val(m.validatorAddress, "invalid validator address"))
        return { typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommissionResponse", value: MsgWithdrawValidatorCommissionResponse.encode({ amount }).finish() }
      }
      case MSG_SET_WITHDRAW_ADDRESS_URL: {
        const m = decode("MsgSetWithdrawAddress", () => MsgSetWithdrawAddress.decode(msg.value))
        const del = this.acc(m.delegatorAddress, "invalid delegator address")
        const to = this.acc(m.withdrawAddress, "invalid withdraw address")
        if (this.blocked.some((b) => bytesEqual(b, to))) throw new Unauthorized({ log: `${formatAddress(to, this.px.account)} is not allowed to receive external funds: unauthorized` })
        if (!getParams(ctx.store).withdrawAddrEnabled) throw new SetWithdrawAddrDisabled({ log: "set withdraw address disabled" })
        ctx.emit(event("set_withdraw_address", ["withdraw_address", formatAddress(to, this.px.account)]))
        setWithdrawAddr(ctx.store, del, to)
        return { typeUrl: "/cosmos.distribution.v1beta1.MsgSetWithdrawAddressResponse", value: MsgSetWithdrawAddressResponse.encode({}).finish() }
      }
      case MSG_FUND_COMMUNITY_POOL_URL: {
        const m = decode("MsgFundCommunityPool", () => MsgFundCommunityPool.decode(msg.value))
        const depositor = formatAddress(this.acc(m.depositor, "invalid depositor address"), this.px.account)
        if (m.amount.length === 0) throw new InvalidCoins({ log: "amount cannot be nil: invalid coins" })
        const coins = validCoins(m.amount, false)
        bankClient((c) => ctx.call(c)).send({ from: depositor, to: this.moduleAddress, amount: protoCoins(coins) })
        setCommunityPool(ctx.store, decCoinsAdd(getCommunityPool(ctx.store), decCoinsFromCoins(coins)))
        return { typeUrl: "/cosmos.distribution.v1beta1.MsgFundCommunityPoolResponse", value: MsgFundCommunityPoolResponse.encode({}).finish() }
      }
      case MSG_UPDATE_PARAMS_URL: {
        const m = decode("MsgUpdateParams", () => MsgUpdateParams.decode(msg.value))
        this.checkAuthority(m.authority)
        const p = m.params
        const nonZero = (t: string | undefined) => t !== undefined && t !== "" && !/^0+$/.test(t)
        if (nonZero(p?.baseProposerReward) || nonZero(p?.bonusProposerReward)) {
          throw new InvalidRequest({ log: "cannot update base or bonus proposer reward because these are deprecated fields: invalid request" })
        }
        if (!p || p.communityTax === "") throw new InvalidRequest({ log: "community tax must be not nil: invalid request" })
        const tax = parseDecWire(p.communityTax, "community tax")
        if (tax > ONE) throw new InvalidRequest({ log: `community tax too large: ${p.communityTax}: invalid request` })
        setParams(ctx.store, { communityTax: tax, withdrawAddrEnabled: p.withdrawAddrEnabled })
        return { typeUrl: "/cosmos.distribution.v1beta1.MsgUpdateParamsResponse", value: MsgUpdateParamsResponse.encode({}).finish() }
      }
      case MSG_COMMUNITY_POOL_SPEND_URL: {
        const m = decode("MsgCommunityPoolSpend", () => MsgCommunityPoolSpend.decode(msg.value))
        this.checkAuthority(m.authority)
        if (m.amount.length === 0) throw new InvalidCoins({ log: "amount cannot be nil: invalid coins" })
        const coins = validCoins(m.amount, false)
        const to = this.acc(m.recipient, "invalid recipient address")
        if (this.blocked.some((b) => bytesEqual(b, to))) throw new Unauthorized({ log: `${m.recipient} is not allowed to receive external funds: unauthorized` })
        const pool = getCommunityPool(ctx.store)
        const spent = decCoinsFromCoins(coins)
        const short = spent.find((c) => (pool.find((p) => p.denom === c.denom)?.atto ?? 0n) < c.atto)
        if (short) throw new BadDistribution({ log: `community pool does not have sufficient coins to distribute: ${short.denom}` })
        setCommunityPool(ctx.store, decCoinsSub(pool, spent))
        this.pay(ctx, to, coins)
        return { typeUrl: "/cosmos.distribution.v1beta1.MsgCommunityPoolSpendResponse", value: MsgCommunityPoolSpendResponse.encode({}).finish() }
      }
      case MSG_DEPOSIT_VALIDATOR_REWARDS_POOL_URL: {
        const m = decode("MsgDepositValidatorRewardsPool", () => MsgDepositValidatorRewardsPool.decode(msg.value))
        const depositor = formatAddress(this.acc(m.depositor, "invalid depositor address"), this.px.account)
        const val = this.val(m.validatorAddress, "invalid validator address")
        if (m.amount.length === 0) throw new InvalidCoins({ log: "amount cannot be nil: invalid coins" })
        const coins = validCoins(m.amount, false)
        bankClient((c) => ctx.call(c)).send({ from: depositor, to: this.moduleAddress, amount: protoCoins(coins) })
        const v = this.validatorFacts(ctx, val)
        if (!v) throw new NoValidatorExists({ log: `validator does not exist: ${m.validatorAddress}` })
        this.ensureValidator(ctx, val)
        // like a block's allocation to this validator: its commission first, the rest to its delegators
        const { commission } = allocateToValidator(ctx.store, val, v.commissionRate, decCoinsFromCoins(coins))
        ctx.emit(event("commission", ["amount", decCoinsString(commission)], ["validator", m.validatorAddress]))
        ctx.emit(event("rewards", ["amount", decCoinsString(decCoinsFromCoins(coins))], ["validator", m.validatorAddress]))
        return { typeUrl: "/cosmos.distribution.v1beta1.MsgDepositValidatorRewardsPoolResponse", value: MsgDepositValidatorRewardsPoolResponse.encode({}).finish() }
      }
      default:
        throw new UnknownRequest({ log: `unrecognized distribution message type: ${msg.typeUrl}: unknown request` })
    }
  }

  private checkAuthority(authority: string): void {
    if (authority !== this.govAuthority) throw new InvalidAuthority({ log: `invalid authority; expected ${this.govAuthority}, got ${authority}: expected gov account as only signer for proposal message` })
  }

  // ------------------------------------------------------------------ staking facts (exec)

  private validatorFacts(ctx: ExecContext, val: Uint8Array): ValidatorFacts | undefined {
    const v = stakingClient((c) => ctx.query(c)).validator({ operator: formatAddress(val, this.px.valoper) }).validator
    if (!v) return undefined
    return {
      tokens: parseAmountText(v.tokens, "staking validator tokens"),
      delegatorShares: parseDecWire(v.delegatorShares, "staking delegator shares"),
      commissionRate: parseDecWire(v.commissionRate, "staking commission rate")
    }
  }

  private delegationShares(ctx: ExecContext, del: Uint8Array, val: Uint8Array): bigint | undefined {
    const d = stakingClient((c) => ctx.query(c)).delegation({ delegator: formatAddress(del, this.px.account), validator: formatAddress(val, this.px.valoper) })
    return d.found ? parseDecWire(d.shares, "staking delegation shares") : undefined
  }

  /** Pay `coins` from the distribution account to `to` (bytes). */
  private pay(ctx: ExecContext, to: Uint8Array, coins: Coins): void {
    bankClient((c) => ctx.call(c)).send({ from: this.moduleAddress, to: formatAddress(to, this.px.account), amount: protoCoins(coins) })
  }

  /** Records for a validator created before this machine ran (activation by governance). */
  private ensureValidator(ctx: ExecContext, val: Uint8Array): void {
    if (!hasValidator(ctx.store, val)) initializeValidator(ctx.store, val)
  }

  /** Withdraw a delegation's rewards to its withdraw address; emits withdraw_rewards. Undefined without starting info. */
  private withdrawRaw(ctx: ExecContext, val: Uint8Array, del: Uint8Array, v: ValidatorFacts, shares: bigint): Coins | undefined {
    const to = getWithdrawAddr(ctx.store, del)
    const paid = withdrawDelegationRewards(ctx.store, val, del, v, shares, BigInt(ctx.height), (coins) => this.pay(ctx, to, coins))
    if (paid === undefined) return undefined
    const shown = paid.length > 0 ? coinsText(paid) : `0${this.bondDenom}`
    ctx.emit(event("withdraw_rewards", ["amount", shown], ["validator", formatAddress(val, this.px.valoper)], ["delegator", formatAddress(del, this.px.account)]))
    return paid
  }

  private withdrawReward(ctx: ExecContext, val: Uint8Array, del: Uint8Array) {
    const v = this.validatorFacts(ctx, val)
    if (!v || !hasValidator(ctx.store, val)) throw new NoValidatorDistInfo({ log: `no validator distribution info for ${formatAddress(val, this.px.valoper)}` })
    const shares = this.delegationShares(ctx, del, val)
    if (shares === undefined) throw new EmptyDelegationDistInfo({ log: `no delegation distribution info: ${formatAddress(del, this.px.account)} has no delegation to ${formatAddress(val, this.px.valoper)}` })
    const paid = this.withdrawRaw(ctx, val, del, v, shares)
    if (paid === undefined) throw new EmptyDelegationDistInfo({ log: "no delegation distribution info" })
    initializeDelegation(ctx.store, val, del, startingStake(v, shares), BigInt(ctx.height))
    return paid.length > 0 ? protoCoins(paid) : [{ denom: this.bondDenom, amount: "0" }]
  }

  private withdrawCommission(ctx: ExecContext, val: Uint8Array) {
    const acc = getCommission(ctx.store, val) ?? []
    if (acc.length === 0) throw new NoValidatorCommission({ log: `no validator commission to withdraw for ${formatAddress(val, this.px.valoper)}` })
    const { coins, change } = decCoinsTruncate(acc)
    setCommission(ctx.store, val, change)
    setOutstanding(ctx.store, val, decCoinsSub(getOutstanding(ctx.store, val) ?? [], decCoinsFromCoins(coins)))
    if (coins.length > 0) this.pay(ctx, getWithdrawAddr(ctx.store, val), coins)
    ctx.emit(event("withdraw_commission", ["amount", coinsText(coins)]))
    return protoCoins(coins)
  }

  // ------------------------------------------------------------------ hooks (machine:staking only)

  /**
   * The staking hooks (wit/chain/distribution.wit). The executor checked `machine:staking`'s
   * capability; the caller is checked again here so no other grant can reach them.
   */
  readonly onCall = distributionDispatcher({
    validatorCreated: (ctx, caller, req) => {
      this.onlyStaking(caller, "validator-created")
      initializeValidator(ctx.store, this.val(req.validator, "invalid validator address"))
      return {}
    },
    beforeDelegationModified: (ctx, caller, req) => {
      this.onlyStaking(caller, "before-delegation-modified")
      const val = this.val(req.validator, "invalid validator address")
      const del = this.acc(req.delegator, "invalid delegator address")
      const v = this.validatorFacts(ctx, val)
      if (!v) throw new NoValidatorExists({ log: `validator does not exist: ${req.validator}` })
      this.ensureValidator(ctx, val)
      const shares = this.delegationShares(ctx, del, val)
      // an existing delegation withdraws (closing the period); a new one, or one older than this machine, only closes it
      if (shares === undefined || this.withdrawRaw(ctx, val, del, v, shares) === undefined) incrementValidatorPeriod(ctx.store, val, v.tokens)
      return {}
    },
    delegationModified: (ctx, caller, req) => {
      this.onlyStaking(caller, "delegation-modified")
      const val = this.val(req.validator, "invalid validator address")
      const del = this.acc(req.delegator, "invalid delegator address")
      this.ensureValidator(ctx, val)
      dropStartingInfo(ctx.store, val, del)
      const shares = this.delegationShares(ctx, del, val)
      if (shares !== undefined) {
        const v = this.validatorFacts(ctx, val)
        if (!v) throw new NoValidatorExists({ log: `validator does not exist: ${req.validator}` })
        initializeDelegation(ctx.store, val, del, startingStake(v, shares), BigInt(ctx.height))
      }
      return {}
    },
    validatorRemoved: (ctx, caller, req) => {
      this.onlyStaking(caller, "validator-removed")
      const val = this.val(req.validator, "invalid validator address")
      if (!hasValidator(ctx.store, val)) return {}
      const to = getWithdrawAddr(ctx.store, val)
      removeValidator(ctx.store, val, (coins) => this.pay(ctx, to, coins))
      return {}
    }
  })

  private onlyStaking(caller: string, method: string): void {
    if (caller !== "machine:staking") throw new Unauthorized({ log: `distribution.${method} is a staking hook: only machine:staking may call it, not ${caller}: unauthorized` })
  }

  // ------------------------------------------------------------------ block

  /**
   * AllocateTokens (from height 2, as the SDK): move fee_collector's balance here and split it.
   * A refused or failed transfer skips the allocation with an event instead of halting the node.
   */
  beginBlock(ctx: ExecContext): void {
    if (ctx.height <= 1) return
    let fees: Coins
    try {
      const bank = bankClient((c) => ctx.call(c))
      const balances = bankClient((c) => ctx.query(c)).balances({ address: this.feeCollector }).balances
      fees = balances.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) })).filter((c) => c.amount > 0n)
      if (fees.length === 0) return
      bank.send({ from: this.feeCollector, to: this.moduleAddress, amount: protoCoins(fees) })
    } catch (e) {
      if (!isChainError(e)) throw e
      ctx.emit(event("distribution_allocation_skipped", ["reason", e.log]))
      return
    }
    const bonded = ctx.hasMachine("staking")
      ? stakingClient((c) => ctx.query(c)).bondedValidators({}).validators.map((v) => ({
          val: this.val(v.operator, "staking bonded validator"),
          operator: v.operator,
          power: v.power,
          commissionRate: parseDecWire(v.commissionRate, "staking commission rate")
        }))
      : []
    const allocations = allocateTokens(ctx.store, decCoinsFromCoins(fees), getParams(ctx.store).communityTax, bonded)
    for (const a of allocations) {
      ctx.emit(event("commission", ["amount", decCoinsString(a.commission)], ["validator", a.operator]))
      ctx.emit(event("rewards", ["amount", decCoinsString(a.reward)], ["validator", a.operator]))
    }
  }

  // ------------------------------------------------------------------ queries

  private stakingValidator(ctx: QueryContext, valoper: string): ValidatorFacts | undefined {
    let r: QueryValidatorResponse
    try {
      r = QueryValidatorResponse.decode(ctx.query("staking", `${STAKING_QUERY}Validator`, QueryValidatorRequest.encode({ validatorAddr: valoper }).finish()))
    } catch (e) {
      if (isChainError(e) && e.code !== 6) return undefined
      throw e
    }
    const v = r.validator
    if (!v) return undefined
    return {
      tokens: parseAmountText(v.tokens, "staking validator tokens"),
      delegatorShares: parseDecWire(v.delegatorShares, "staking delegator shares"),
      commissionRate: parseDecWire(v.commission?.commissionRates?.rate ?? "0", "staking commission rate")
    }
  }

  private stakingDelegations(ctx: QueryContext, delegator: string): Array<{ validator: string; shares: bigint }> {
    const out: Array<{ validator: string; shares: bigint }> = []
    let key: Uint8Array | undefined
    do {
      const r = QueryDelegatorDelegationsResponse.decode(ctx.query("staking", `${STAKING_QUERY}DelegatorDelegations`, QueryDelegatorDelegationsRequest.encode({
        delegatorAddr: delegator, pagination: key ? { key, offset: 0n, limit: 100n, countTotal: false, reverse: false } : undefined
      }).finish()))
      for (const d of r.delegationResponses) if (d.delegation) out.push({ validator: d.delegation.validatorAddress, shares: parseDecWire(d.delegation.shares, "staking delegation shares") })
      key = r.pagination?.nextKey && r.pagination.nextKey.length > 0 ? r.pagination.nextKey : undefined
    } while (key)
    return out
  }

  private stakingDelegation(ctx: QueryContext, delegator: string, valoper: string): bigint | undefined {
    try {
      const r = QueryDelegationResponse.decode(ctx.query("staking", `${STAKING_QUERY}Delegation`, QueryDelegationRequest.encode({ delegatorAddr: delegator, validatorAddr: valoper }).finish()))
      return r.delegationResponse?.delegation ? parseDecWire(r.delegationResponse.delegation.shares, "staking delegation shares") : undefined
    } catch (e) {
      if (isChainError(e) && e.code !== 6) return undefined
      throw e
    }
  }

  private rewardsOf(ctx: QueryContext, val: Uint8Array, del: Uint8Array, v: ValidatorFacts, shares: bigint): DecCoin[] {
    if (!hasValidator(ctx.store, val)) return []
    return pendingRewards(ctx.store, val, del, v, shares, BigInt(ctx.height))
  }

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    const method = path.slice(DISTRIBUTION_QUERY.length)
    const nonEmpty = (v: string, what: string) => {
      if (v === "") throw new InvalidRequest({ log: `empty ${what} address: invalid request` })
      return v
    }
    switch (method) {
      case "Params": {
        const p = getParams(ctx.store)
        return QueryParamsResponse.encode({ params: { communityTax: p.communityTax.toString(), baseProposerReward: "0", bonusProposerReward: "0", withdrawAddrEnabled: p.withdrawAddrEnabled } }).finish()
      }
      case "ValidatorOutstandingRewards": {
        const r = decodeQuery("QueryValidatorOutstandingRewardsRequest", () => QueryValidatorOutstandingRewardsRequest.decode(data))
        const val = this.val(nonEmpty(r.validatorAddress, "validator"), "invalid validator address")
        const rewards = getOutstanding(ctx.store, val)
        if (!rewards) throw new NoValidatorExists({ log: `validator does not exist: ${r.validatorAddress}` })
        return QueryValidatorOutstandingRewardsResponse.encode({ rewards: { rewards: decCoinsToProto(rewards) } }).finish()
      }
      case "ValidatorCommission": {
        const r = decodeQuery("QueryValidatorCommissionRequest", () => QueryValidatorCommissionRequest.decode(data))
        const val = this.val(nonEmpty(r.validatorAddress, "validator"), "invalid validator address")
        const commission = getCommission(ctx.store, val)
        if (!commission) throw new NoValidatorExists({ log: `validator does not exist: ${r.validatorAddress}` })
        return QueryValidatorCommissionResponse.encode({ commission: { commission: decCoinsToProto(commission) } }).finish()
      }
      case "DelegationRewards": {
        const r = decodeQuery("QueryDelegationRewardsRequest", () => QueryDelegationRewardsRequest.decode(data))
        const del = this.acc(nonEmpty(r.delegatorAddress, "delegator"), "invalid delegator address")
        const val = this.val(nonEmpty(r.validatorAddress, "validator"), "invalid validator address")
        const v = this.stakingValidator(ctx, r.validatorAddress)
        if (!v) throw new NoValidatorExists({ log: `validator does not exist: ${r.validatorAddress}` })
        const shares = this.stakingDelegation(ctx, formatAddress(del, this.px.account), r.validatorAddress)
        if (shares === undefined) throw new NoDelegationExists({ log: `delegation does not exist: ${r.delegatorAddress} to ${r.validatorAddress}` })
        return QueryDelegationRewardsResponse.encode({ rewards: decCoinsToProto(this.rewardsOf(ctx, val, del, v, shares)) }).finish()
      }
      case "DelegationTotalRewards": {
        const r = decodeQuery("QueryDelegationTotalRewardsRequest", () => QueryDelegationTotalRewardsRequest.decode(data))
        const del = this.acc(nonEmpty(r.delegatorAddress, "delegator"), "invalid delegator address")
        let total: DecCoin[] = []
        const rewards = this.stakingDelegations(ctx, formatAddress(del, this.px.account)).map((d) => {
          const v = this.stakingValidator(ctx, d.validator)
          const reward = v ? this.rewardsOf(ctx, this.val(d.validator, "staking delegation validator"), del, v, d.shares) : []
          total = decCoinsAdd(total, reward)
          return { validatorAddress: d.validator, reward: decCoinsToProto(reward) }
        })
        return QueryDelegationTotalRewardsResponse.encode({ rewards, total: decCoinsToProto(total) }).finish()
      }
      case "DelegatorValidators": {
        const r = decodeQuery("QueryDelegatorValidatorsRequest", () => QueryDelegatorValidatorsRequest.decode(data))
        const del = this.acc(nonEmpty(r.delegatorAddress, "delegator"), "invalid delegator address")
        const validators = this.stakingDelegations(ctx, formatAddress(del, this.px.account)).map((d) => d.validator)
        return QueryDelegatorValidatorsResponse.encode({ validators }).finish()
      }
      case "DelegatorWithdrawAddress": {
        const r = decodeQuery("QueryDelegatorWithdrawAddressRequest", () => QueryDelegatorWithdrawAddressRequest.decode(data))
        const del = this.acc(nonEmpty(r.delegatorAddress, "delegator"), "invalid delegator address")
        return QueryDelegatorWithdrawAddressResponse.encode({ withdrawAddress: formatAddress(getWithdrawAddr(ctx.store, del), this.px.account) }).finish()
      }
      case "ValidatorDistributionInfo": {
        const r = decodeQuery("QueryValidatorDistributionInfoRequest", () => QueryValidatorDistributionInfoRequest.decode(data))
        const val = this.val(nonEmpty(r.validatorAddress, "validator"), "invalid validator address")
        const v = this.stakingValidator(ctx, r.validatorAddress)
        if (!v) throw new NoValidatorExists({ log: `validator does not exist: ${r.validatorAddress}` })
        const operator = formatAddress(val, this.px.account)
        const shares = this.stakingDelegation(ctx, operator, r.validatorAddress)
        if (shares === undefined) throw new NoDelegationExists({ log: `delegation does not exist: ${operator} to ${r.validatorAddress}` })
        return QueryValidatorDistributionInfoResponse.encode({
          operatorAddress: operator, selfBondRewards: decCoinsToProto(this.rewardsOf(ctx, val, val, v, shares)), commission: decCoinsToProto(getCommission(ctx.store, val) ?? [])
        }).finish()
      }
      case "ValidatorSlashes": {
        // no slashing: there are never slash events
        const r = decodeQuery("QueryValidatorSlashesRequest", () => QueryValidatorSlashesRequest.decode(data))
        this.val(nonEmpty(r.validatorAddress, "validator"), "invalid validator address")
        if (r.endingHeight < r.startingHeight) throw new InvalidRequest({ log: "starting height greater than ending height: invalid request" })
        return QueryValidatorSlashesResponse.encode({ slashes: [], pagination: { nextKey: new Uint8Array(), total: 0n } }).finish()
      }
      case "CommunityPool":
        return QueryCommunityPoolResponse.encode({ pool: decCoinsToProto(getCommunityPool(ctx.store)) }).finish()
      default:
        throw new UnknownRequest({ log: `unknown query path ${path}` })
    }
  }

  /** Genesis: SDK x/distribution GenesisState JSON (internal/Genesis.ts). */
  initGenesis(ctx: ExecContext, genesis: unknown): void {
    importGenesis(ctx.store, genesis, this.px)
  }

  exportGenesis(ctx: QueryContext): unknown {
    return exportGenesis(ctx.store, this.px)
  }
}

/** Int text of staking ("12345"); throws InvalidRequest. */
const parseAmountText = (text: string, what: string): bigint => {
  if (!/^[0-9]{1,80}$/.test(text)) throw new InvalidRequest({ log: `${what}: "${text.slice(0, 80)}" is not an unsigned integer` })
  return BigInt(text)
}
