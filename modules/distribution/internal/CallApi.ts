/**
 * The delegator's own side of distribution's call API (wit/chain/distribution.wit): read-only views
 * of rewards and the withdraw address, and set-withdraw-address, withdraw-delegator-reward and
 * fund-community-pool, each run as its message (internal/Msgs.ts) with the delegator as the
 * message's signer. Who may call is the capability table's decision: a CosmWasm contract holds
 * `distribution.set-withdraw-address {delegator: self}` and the like, so it acts only for itself;
 * the community pool deposit moves the depositor's coins as `bank.send {from: caller}`.
 *
 * Source: cosmos-sdk x/distribution keeper/msg_server.go, keeper/grpc_query.go; wasmd
 * x/wasm/keeper/handler_plugin_encoders.go EncodeDistributionMsg, query_plugins.go DistributionQuerier.
 */
import type { DistributionHandlers, DecCoin as WitDecCoin } from "../../../chain/generated/distribution.ts"
import type { ExecContext, MsgContext } from "../../../chain/Machine.ts"
import { formatAddress } from "../../auth/Address.ts"
import { NoDelegationExists, NoValidatorExists } from "../DistributionError.ts"
import { decCoinsAdd, decCoinsToProto, type DecCoin } from "./Dec.ts"
import type { Keeper } from "./Keeper.ts"
import { fundCommunityPool, setWithdrawAddress, withdrawDelegatorReward } from "./Msgs.ts"
import { hasValidator, pendingRewards } from "./Rewards.ts"
import { getWithdrawAddr } from "./State.ts"
import { stakingClient } from "../../../chain/generated/staking.ts"
import { MsgWithdrawDelegatorRewardResponse } from "cosmjs-types/cosmos/distribution/v1beta1/tx"

type Delegator = Pick<
  DistributionHandlers,
  "withdrawAddress" | "delegationRewards" | "delegationTotalRewards" | "delegatorValidators" | "setWithdrawAddress" | "withdrawDelegatorReward" | "fundCommunityPool"
>

/** A message context for a call: the request's delegator (checked by the capability) is the signer. */
const asMsg = (ctx: ExecContext, signer: string): MsgContext => ({ ...ctx, txHash: new Uint8Array(32), signers: [signer] })

const rewardsOf = (k: Keeper, ctx: ExecContext, del: Uint8Array, val: Uint8Array): DecCoin[] | undefined => {
  const v = k.validatorFacts(ctx, val)
  if (!v) return undefined
  const shares = k.delegationShares(ctx, del, val)
  if (shares === undefined) return undefined
  return hasValidator(ctx.store, val) ? pendingRewards(ctx.store, val, del, v, shares, BigInt(ctx.height)) : []
}

const wire = (coins: ReadonlyArray<DecCoin>): WitDecCoin[] => decCoinsToProto(coins)

/** The delegator handlers over keeper `k`, for the generated dispatcher. */
export const delegatorHandlers = (k: Keeper): Delegator => ({
  withdrawAddress: (ctx, _caller, req) => ({ address: formatAddress(getWithdrawAddr(ctx.store, k.acc(req.delegator, "invalid delegator address")), k.px.account) }),
  delegationRewards: (ctx, _caller, req) => {
    const del = k.acc(req.delegator, "invalid delegator address")
    const val = k.val(req.validator, "invalid validator address")
    if (!k.validatorFacts(ctx, val)) throw new NoValidatorExists({ log: `validator does not exist: ${req.validator}` })
    const rewards = rewardsOf(k, ctx, del, val)
    if (!rewards) throw new NoDelegationExists({ log: `delegation does not exist: ${req.delegator} to ${req.validator}` })
    return { rewards: wire(rewards) }
  },
  delegationTotalRewards: (ctx, _caller, req) => {
    const del = k.acc(req.delegator, "invalid delegator address")
    let total: DecCoin[] = []
    const delegations = stakingClient((c) => ctx.query(c)).delegatorDelegations({ delegator: formatAddress(del, k.px.account) }).delegations
    const rewards = delegations.map((d) => {
      const reward = rewardsOf(k, ctx, del, k.val(d.validator, "staking delegation validator")) ?? []
      total = decCoinsAdd(total, reward)
      return { validator: d.validator, reward: wire(reward) }
    })
    return { rewards, total: wire(total) }
  },
  delegatorValidators: (ctx, _caller, req) => {
    const del = k.acc(req.delegator, "invalid delegator address")
    const delegations = stakingClient((c) => ctx.query(c)).delegatorDelegations({ delegator: formatAddress(del, k.px.account) }).delegations
    return { validators: delegations.map((d) => d.validator) }
  },
  setWithdrawAddress: (ctx, _caller, req) => {
    setWithdrawAddress(k, asMsg(ctx, req.delegator), { delegatorAddress: req.delegator, withdrawAddress: req.withdrawAddress })
    return {}
  },
  withdrawDelegatorReward: (ctx, _caller, req) => {
    const r = withdrawDelegatorReward(k, asMsg(ctx, req.delegator), { delegatorAddress: req.delegator, validatorAddress: req.validator })
    return { amount: MsgWithdrawDelegatorRewardResponse.decode(r.value).amount.map((c) => ({ denom: c.denom, amount: c.amount })) }
  },
  fundCommunityPool: (ctx, _caller, req) => {
    fundCommunityPool(k, asMsg(ctx, req.depositor), { depositor: req.depositor, amount: req.amount.map((c) => ({ denom: c.denom, amount: c.amount })) })
    return {}
  }
})
