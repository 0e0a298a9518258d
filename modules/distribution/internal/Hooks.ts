/**
 * The staking hooks distribution serves (wit/chain/distribution.wit): a validator's records on
 * creation, a delegation's withdrawal before its shares change and its new starting info after,
 * and a removed validator's leftover commission paid out. Only `machine:staking` may call them:
 * the executor checked its capability, and the caller is checked again here so no other grant
 * can reach them.
 *
 * Source: cosmos-sdk x/distribution keeper/hooks.go (AfterValidatorCreated,
 * BeforeDelegationSharesModified, AfterDelegationModified, AfterValidatorRemoved).
 */
import { Unauthorized } from "../../../chain/ChainError.ts"
import type { DistributionHandlers } from "../../../chain/generated/distribution.ts"
import { NoValidatorExists } from "../DistributionError.ts"
import type { Keeper } from "./Keeper.ts"
import { dropStartingInfo, hasValidator, incrementValidatorPeriod, initializeDelegation, initializeValidator, removeValidator, startingStake } from "./Rewards.ts"
import { getWithdrawAddr } from "./State.ts"

const onlyStaking = (caller: string, method: string): void => {
  if (caller !== "machine:staking") throw new Unauthorized({ log: `distribution.${method} is a staking hook: only machine:staking may call it, not ${caller}: unauthorized` })
}

/** The hook handlers over keeper `k`, for the generated dispatcher. */
export const stakingHooks = (k: Keeper): Pick<DistributionHandlers, "validatorCreated" | "beforeDelegationModified" | "delegationModified" | "validatorRemoved"> => ({
  validatorCreated: (ctx, caller, req) => {
    onlyStaking(caller, "validator-created")
    initializeValidator(ctx.store, k.val(req.validator, "invalid validator address"))
    return {}
  },
  beforeDelegationModified: (ctx, caller, req) => {
    onlyStaking(caller, "before-delegation-modified")
    const val = k.val(req.validator, "invalid validator address")
    const del = k.acc(req.delegator, "invalid delegator address")
    const v = k.validatorFacts(ctx, val)
    if (!v) throw new NoValidatorExists({ log: `validator does not exist: ${req.validator}` })
    k.ensureValidator(ctx, val)
    const shares = k.delegationShares(ctx, del, val)
    // an existing delegation withdraws (closing the period); a new one, or one older than this machine, only closes it
    if (shares === undefined || k.withdrawRaw(ctx, val, del, v, shares) === undefined) incrementValidatorPeriod(ctx.store, val, v.tokens)
    return {}
  },
  delegationModified: (ctx, caller, req) => {
    onlyStaking(caller, "delegation-modified")
    const val = k.val(req.validator, "invalid validator address")
    const del = k.acc(req.delegator, "invalid delegator address")
    k.ensureValidator(ctx, val)
    dropStartingInfo(ctx.store, val, del)
    const shares = k.delegationShares(ctx, del, val)
    if (shares !== undefined) {
      const v = k.validatorFacts(ctx, val)
      if (!v) throw new NoValidatorExists({ log: `validator does not exist: ${req.validator}` })
      initializeDelegation(ctx.store, val, del, startingStake(v, shares), BigInt(ctx.height))
    }
    return {}
  },
  validatorRemoved: (ctx, caller, req) => {
    onlyStaking(caller, "validator-removed")
    const val = k.val(req.validator, "invalid validator address")
    if (!hasValidator(ctx.store, val)) return {}
    const to = getWithdrawAddr(ctx.store, val)
    removeValidator(ctx.store, val, (coins) => k.pay(ctx, to, coins))
    return {}
  }
})
