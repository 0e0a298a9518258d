/**
 * The distribution Msg service: execution of each message (already decoded by the machine), with
 * the SDK's checks, errors, events and responses. MsgUpdateParams and MsgCommunityPoolSpend only
 * from the gov authority.
 *
 * Source: cosmos-sdk x/distribution keeper/msg_server.go, keeper.go (SetWithdrawAddr,
 * WithdrawValidatorCommission, FundCommunityPool), types/params.go.
 */
import {
  MsgCommunityPoolSpendResponse, MsgDepositValidatorRewardsPoolResponse, MsgFundCommunityPoolResponse, MsgSetWithdrawAddressResponse, MsgUpdateParamsResponse,
  MsgWithdrawDelegatorRewardResponse, MsgWithdrawValidatorCommissionResponse, type MsgCommunityPoolSpend, type MsgDepositValidatorRewardsPool,
  type MsgFundCommunityPool, type MsgSetWithdrawAddress, type MsgUpdateParams, type MsgWithdrawDelegatorReward, type MsgWithdrawValidatorCommission
} from "cosmjs-types/cosmos/distribution/v1beta1/tx"
import { InvalidCoins, InvalidRequest, Unauthorized } from "../../../chain/ChainError.ts"
import { bankClient } from "../../../chain/generated/bank.ts"
import type { ExecContext, MsgContext, MsgResult } from "../../../chain/Machine.ts"
import { bytesEqual, formatAddress } from "../../auth/Address.ts"
import { validCoins } from "../../bank/Coin.ts"
import { BadDistribution, EmptyDelegationDistInfo, InvalidAuthority, NoValidatorCommission, NoValidatorDistInfo, NoValidatorExists, SetWithdrawAddrDisabled } from "../DistributionError.ts"
import { decCoinsAdd, decCoinsFromCoins, decCoinsString, decCoinsSub, decCoinsTruncate } from "./Dec.ts"
import { ONE, parseDecWire } from "../../../chain/LegacyDec.ts"
import { coinsText, event, protoCoins, type Keeper } from "./Keeper.ts"
import { allocateToValidator, hasValidator, initializeDelegation, startingStake } from "./Rewards.ts"
import { getCommission, getCommunityPool, getOutstanding, getParams, getWithdrawAddr, setCommission, setCommunityPool, setOutstanding, setParams, setWithdrawAddr } from "./State.ts"

const checkAuthority = (k: Keeper, authority: string): void => {
  if (authority !== k.govAuthority) throw new InvalidAuthority({ log: `invalid authority; expected ${k.govAuthority}, got ${authority}: expected gov account as only signer for proposal message` })
}

const withdrawReward = (k: Keeper, ctx: ExecContext, val: Uint8Array, del: Uint8Array) => {
  const v = k.validatorFacts(ctx, val)
  if (!v || !hasValidator(ctx.store, val)) throw new NoValidatorDistInfo({ log: `no validator distribution info for ${formatAddress(val, k.px.valoper)}` })
  const shares = k.delegationShares(ctx, del, val)
  if (shares === undefined) throw new EmptyDelegationDistInfo({ log: `no delegation distribution info: ${formatAddress(del, k.px.account)} has no delegation to ${formatAddress(val, k.px.valoper)}` })
  const paid = k.withdrawRaw(ctx, val, del, v, shares)
  if (paid === undefined) throw new EmptyDelegationDistInfo({ log: "no delegation distribution info" })
  initializeDelegation(ctx.store, val, del, startingStake(v, shares), BigInt(ctx.height))
  return paid.length > 0 ? protoCoins(paid) : [{ denom: k.bondDenom, amount: "0" }]
}

const withdrawCommission = (k: Keeper, ctx: ExecContext, val: Uint8Array) => {
  const acc = getCommission(ctx.store, val) ?? []
  if (acc.length === 0) throw new NoValidatorCommission({ log: `no validator commission to withdraw for ${formatAddress(val, k.px.valoper)}` })
  const { coins, change } = decCoinsTruncate(acc)
  setCommission(ctx.store, val, change)
  setOutstanding(ctx.store, val, decCoinsSub(getOutstanding(ctx.store, val) ?? [], decCoinsFromCoins(coins)))
  if (coins.length > 0) k.pay(ctx, getWithdrawAddr(ctx.store, val), coins)
  ctx.emit(event("withdraw_commission", ["amount", coinsText(coins)]))
  return protoCoins(coins)
}

/** MsgWithdrawDelegatorReward: pay a delegation's rewards to its withdraw address and restart its period. */
export const withdrawDelegatorReward = (k: Keeper, ctx: MsgContext, m: MsgWithdrawDelegatorReward): MsgResult => {
  const amount = withdrawReward(k, ctx, k.val(m.validatorAddress, "invalid validator address"), k.acc(m.delegatorAddress, "invalid delegator address"))
  return { typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorRewardResponse", value: MsgWithdrawDelegatorRewardResponse.encode({ amount }).finish() }
}

/** MsgWithdrawValidatorCommission: pay the whole coins of a validator's commission, keeping the change. */
export const withdrawValidatorCommission = (k: Keeper, ctx: MsgContext, m: MsgWithdrawValidatorCommission): MsgResult => {
  const amount = withdrawCommission(k, ctx, k.val(m.validatorAddress, "invalid validator address"))
  return { typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommissionResponse", value: MsgWithdrawValidatorCommissionResponse.encode({ amount }).finish() }
}

/** MsgSetWithdrawAddress: a delegator's withdraw address (not a blocked module account; when params allow). */
export const setWithdrawAddress = (k: Keeper, ctx: MsgContext, m: MsgSetWithdrawAddress): MsgResult => {
  const del = k.acc(m.delegatorAddress, "invalid delegator address")
  const to = k.acc(m.withdrawAddress, "invalid withdraw address")
  if (k.blocked.some((b) => bytesEqual(b, to))) throw new Unauthorized({ log: `${formatAddress(to, k.px.account)} is not allowed to receive external funds: unauthorized` })
  if (!getParams(ctx.store).withdrawAddrEnabled) throw new SetWithdrawAddrDisabled({ log: "set withdraw address disabled" })
  ctx.emit(event("set_withdraw_address", ["withdraw_address", formatAddress(to, k.px.account)]))
  setWithdrawAddr(ctx.store, del, to)
  return { typeUrl: "/cosmos.distribution.v1beta1.MsgSetWithdrawAddressResponse", value: MsgSetWithdrawAddressResponse.encode({}).finish() }
}

/** MsgFundCommunityPool: the depositor's coins into the community pool. */
export const fundCommunityPool = (k: Keeper, ctx: MsgContext, m: MsgFundCommunityPool): MsgResult => {
  const depositor = formatAddress(k.acc(m.depositor, "invalid depositor address"), k.px.account)
  if (m.amount.length === 0) throw new InvalidCoins({ log: "amount cannot be nil: invalid coins" })
  const coins = validCoins(m.amount, false)
  bankClient((c) => ctx.call(c)).send({ from: depositor, to: k.moduleAddress, amount: protoCoins(coins) })
  setCommunityPool(ctx.store, decCoinsAdd(getCommunityPool(ctx.store), decCoinsFromCoins(coins)))
  return { typeUrl: "/cosmos.distribution.v1beta1.MsgFundCommunityPoolResponse", value: MsgFundCommunityPoolResponse.encode({}).finish() }
}

/** MsgUpdateParams (gov authority): community tax and withdraw-address switch; the deprecated proposer rewards must be zero. */
export const updateParams = (k: Keeper, ctx: MsgContext, m: MsgUpdateParams): MsgResult => {
  checkAuthority(k, m.authority)
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

/** MsgCommunityPoolSpend (gov authority): pay coins of the community pool to a recipient. */
export const communityPoolSpend = (k: Keeper, ctx: MsgContext, m: MsgCommunityPoolSpend): MsgResult => {
  checkAuthority(k, m.authority)
  if (m.amount.length === 0) throw new InvalidCoins({ log: "amount cannot be nil: invalid coins" })
  const coins = validCoins(m.amount, false)
  const to = k.acc(m.recipient, "invalid recipient address")
  if (k.blocked.some((b) => bytesEqual(b, to))) throw new Unauthorized({ log: `${m.recipient} is not allowed to receive external funds: unauthorized` })
  const pool = getCommunityPool(ctx.store)
  const spent = decCoinsFromCoins(coins)
  const short = spent.find((c) => (pool.find((p) => p.denom === c.denom)?.atto ?? 0n) < c.atto)
  if (short) throw new BadDistribution({ log: `community pool does not have sufficient coins to distribute: ${short.denom}` })
  setCommunityPool(ctx.store, decCoinsSub(pool, spent))
  k.pay(ctx, to, coins)
  return { typeUrl: "/cosmos.distribution.v1beta1.MsgCommunityPoolSpendResponse", value: MsgCommunityPoolSpendResponse.encode({}).finish() }
}

/** MsgDepositValidatorRewardsPool: the depositor's coins to a validator as a block's allocation would give them. */
export const depositValidatorRewardsPool = (k: Keeper, ctx: MsgContext, m: MsgDepositValidatorRewardsPool): MsgResult => {
  const depositor = formatAddress(k.acc(m.depositor, "invalid depositor address"), k.px.account)
  const val = k.val(m.validatorAddress, "invalid validator address")
  if (m.amount.length === 0) throw new InvalidCoins({ log: "amount cannot be nil: invalid coins" })
  const coins = validCoins(m.amount, false)
  bankClient((c) => ctx.call(c)).send({ from: depositor, to: k.moduleAddress, amount: protoCoins(coins) })
  const v = k.validatorFacts(ctx, val)
  if (!v) throw new NoValidatorExists({ log: `validator does not exist: ${m.validatorAddress}` })
  k.ensureValidator(ctx, val)
  // like a block's allocation to this validator: its commission first, the rest to its delegators
  const { commission } = allocateToValidator(ctx.store, val, v.commissionRate, decCoinsFromCoins(coins))
  ctx.emit(event("commission", ["amount", decCoinsString(commission)], ["validator", m.validatorAddress]))
  ctx.emit(event("rewards", ["amount", decCoinsString(decCoinsFromCoins(coins))], ["validator", m.validatorAddress]))
  return { typeUrl: "/cosmos.distribution.v1beta1.MsgDepositValidatorRewardsPoolResponse", value: MsgDepositValidatorRewardsPoolResponse.encode({}).finish() }
}
