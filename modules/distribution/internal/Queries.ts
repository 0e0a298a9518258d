/**
 * distribution gRPC queries: `/cosmos.distribution.v1beta1.Query/{Params, ValidatorDistributionInfo,
 * ValidatorOutstandingRewards, ValidatorCommission, ValidatorSlashes (always empty),
 * DelegationRewards, DelegationTotalRewards, DelegatorValidators, DelegatorWithdrawAddress,
 * CommunityPool}`. Validators and delegations are read through staking's gRPC queries (a query
 * context has no call API).
 *
 * Source: cosmos-sdk x/distribution keeper/grpc_query.go.
 */
import {
  QueryCommunityPoolResponse, QueryDelegationRewardsRequest, QueryDelegationRewardsResponse, QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse, QueryDelegatorValidatorsRequest, QueryDelegatorValidatorsResponse, QueryDelegatorWithdrawAddressRequest,
  QueryDelegatorWithdrawAddressResponse, QueryParamsResponse, QueryValidatorCommissionRequest, QueryValidatorCommissionResponse,
  QueryValidatorDistributionInfoRequest, QueryValidatorDistributionInfoResponse, QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse, QueryValidatorSlashesRequest, QueryValidatorSlashesResponse
} from "cosmjs-types/cosmos/distribution/v1beta1/query"
import {
  QueryDelegationRequest, QueryDelegationResponse, QueryDelegatorDelegationsRequest, QueryDelegatorDelegationsResponse, QueryValidatorRequest,
  QueryValidatorResponse
} from "cosmjs-types/cosmos/staking/v1beta1/query"
import { InvalidRequest, isChainError, UnknownRequest } from "../../../chain/ChainError.ts"
import type { QueryContext } from "../../../chain/Machine.ts"
import { formatAddress } from "../../auth/Address.ts"
import { NoDelegationExists, NoValidatorExists } from "../DistributionError.ts"
import { decCoinsAdd, decCoinsToProto, type DecCoin } from "./Dec.ts"
import { parseDecWire } from "../../../chain/LegacyDec.ts"
import { parseAmountText, type Keeper } from "./Keeper.ts"
import { hasValidator, pendingRewards, type ValidatorFacts } from "./Rewards.ts"
import { getCommission, getCommunityPool, getOutstanding, getParams, getWithdrawAddr } from "./State.ts"

const STAKING_QUERY = "/cosmos.staking.v1beta1.Query/"

const decodeQuery = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new InvalidRequest({ log: `invalid ${what}: ${(e as Error).message}: invalid request` })
  }
}

const stakingValidator = (ctx: QueryContext, valoper: string): ValidatorFacts | undefined => {
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

const stakingDelegations = (ctx: QueryContext, delegator: string): Array<{ validator: string; shares: bigint }> => {
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

const stakingDelegation = (ctx: QueryContext, delegator: string, valoper: string): bigint | undefined => {
  try {
    const r = QueryDelegationResponse.decode(ctx.query("staking", `${STAKING_QUERY}Delegation`, QueryDelegationRequest.encode({ delegatorAddr: delegator, validatorAddr: valoper }).finish()))
    return r.delegationResponse?.delegation ? parseDecWire(r.delegationResponse.delegation.shares, "staking delegation shares") : undefined
  } catch (e) {
    if (isChainError(e) && e.code !== 6) return undefined
    throw e
  }
}

const rewardsOf = (ctx: QueryContext, val: Uint8Array, del: Uint8Array, v: ValidatorFacts, shares: bigint): DecCoin[] => {
  if (!hasValidator(ctx.store, val)) return []
  return pendingRewards(ctx.store, val, del, v, shares, BigInt(ctx.height))
}

/** Serve query `method` (the path after the distribution prefix; `path` is the whole path, for the unknown-path error). */
export const distributionQuery = (k: Keeper, ctx: QueryContext, method: string, path: string, data: Uint8Array): Uint8Array => {
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
      const val = k.val(nonEmpty(r.validatorAddress, "validator"), "invalid validator address")
      const rewards = getOutstanding(ctx.store, val)
      if (!rewards) throw new NoValidatorExists({ log: `validator does not exist: ${r.validatorAddress}` })
      return QueryValidatorOutstandingRewardsResponse.encode({ rewards: { rewards: decCoinsToProto(rewards) } }).finish()
    }
    case "ValidatorCommission": {
      const r = decodeQuery("QueryValidatorCommissionRequest", () => QueryValidatorCommissionRequest.decode(data))
      const val = k.val(nonEmpty(r.validatorAddress, "validator"), "invalid validator address")
      const commission = getCommission(ctx.store, val)
      if (!commission) throw new NoValidatorExists({ log: `validator does not exist: ${r.validatorAddress}` })
      return QueryValidatorCommissionResponse.encode({ commission: { commission: decCoinsToProto(commission) } }).finish()
    }
    case "DelegationRewards": {
      const r = decodeQuery("QueryDelegationRewardsRequest", () => QueryDelegationRewardsRequest.decode(data))
      const del = k.acc(nonEmpty(r.delegatorAddress, "delegator"), "invalid delegator address")
      const val = k.val(nonEmpty(r.validatorAddress, "validator"), "invalid validator address")
      const v = stakingValidator(ctx, r.validatorAddress)
      if (!v) throw new NoValidatorExists({ log: `validator does not exist: ${r.validatorAddress}` })
      const shares = stakingDelegation(ctx, formatAddress(del, k.px.account), r.validatorAddress)
      if (shares === undefined) throw new NoDelegationExists({ log: `delegation does not exist: ${r.delegatorAddress} to ${r.validatorAddress}` })
      return QueryDelegationRewardsResponse.encode({ rewards: decCoinsToProto(rewardsOf(ctx, val, del, v, shares)) }).finish()
    }
    case "DelegationTotalRewards": {
      const r = decodeQuery("QueryDelegationTotalRewardsRequest", () => QueryDelegationTotalRewardsRequest.decode(data))
      const del = k.acc(nonEmpty(r.delegatorAddress, "delegator"), "invalid delegator address")
      let total: DecCoin[] = []
      const rewards = stakingDelegations(ctx, formatAddress(del, k.px.account)).map((d) => {
        const v = stakingValidator(ctx, d.validator)
        const reward = v ? rewardsOf(ctx, k.val(d.validator, "staking delegation validator"), del, v, d.shares) : []
        total = decCoinsAdd(total, reward)
        return { validatorAddress: d.validator, reward: decCoinsToProto(reward) }
      })
      return QueryDelegationTotalRewardsResponse.encode({ rewards, total: decCoinsToProto(total) }).finish()
    }
    case "DelegatorValidators": {
      const r = decodeQuery("QueryDelegatorValidatorsRequest", () => QueryDelegatorValidatorsRequest.decode(data))
      const del = k.acc(nonEmpty(r.delegatorAddress, "delegator"), "invalid delegator address")
      const validators = stakingDelegations(ctx, formatAddress(del, k.px.account)).map((d) => d.validator)
      return QueryDelegatorValidatorsResponse.encode({ validators }).finish()
    }
    case "DelegatorWithdrawAddress": {
      const r = decodeQuery("QueryDelegatorWithdrawAddressRequest", () => QueryDelegatorWithdrawAddressRequest.decode(data))
      const del = k.acc(nonEmpty(r.delegatorAddress, "delegator"), "invalid delegator address")
      return QueryDelegatorWithdrawAddressResponse.encode({ withdrawAddress: formatAddress(getWithdrawAddr(ctx.store, del), k.px.account) }).finish()
    }
    case "ValidatorDistributionInfo": {
      const r = decodeQuery("QueryValidatorDistributionInfoRequest", () => QueryValidatorDistributionInfoRequest.decode(data))
      const val = k.val(nonEmpty(r.validatorAddress, "validator"), "invalid validator address")
      const v = stakingValidator(ctx, r.validatorAddress)
      if (!v) throw new NoValidatorExists({ log: `validator does not exist: ${r.validatorAddress}` })
      const operator = formatAddress(val, k.px.account)
      const shares = stakingDelegation(ctx, operator, r.validatorAddress)
      if (shares === undefined) throw new NoDelegationExists({ log: `delegation does not exist: ${operator} to ${r.validatorAddress}` })
      return QueryValidatorDistributionInfoResponse.encode({
        operatorAddress: operator, selfBondRewards: decCoinsToProto(rewardsOf(ctx, val, val, v, shares)), commission: decCoinsToProto(getCommission(ctx.store, val) ?? [])
      }).finish()
    }
    case "ValidatorSlashes": {
      // no slashing: there are never slash events
      const r = decodeQuery("QueryValidatorSlashesRequest", () => QueryValidatorSlashesRequest.decode(data))
      k.val(nonEmpty(r.validatorAddress, "validator"), "invalid validator address")
      if (r.endingHeight < r.startingHeight) throw new InvalidRequest({ log: "starting height greater than ending height: invalid request" })
      return QueryValidatorSlashesResponse.encode({ slashes: [], pagination: { nextKey: new Uint8Array(), total: 0n } }).finish()
    }
    case "CommunityPool":
      return QueryCommunityPoolResponse.encode({ pool: decCoinsToProto(getCommunityPool(ctx.store)) }).finish()
    default:
      throw new UnknownRequest({ log: `unknown query path ${path}` })
  }
}
