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
 * `machine:staking`, and a delegator's own views and messages (internal/CallApi.ts, CosmWasm contracts). State: internal/State.ts; F1: internal/Rewards.ts; messages: internal/Msgs.ts;
 * queries: internal/Queries.ts; hooks: internal/Hooks.ts; shared helpers: internal/Keeper.ts. Docs: docs/machines/distribution.md.
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
  MsgCommunityPoolSpend, MsgDepositValidatorRewardsPool, MsgFundCommunityPool, MsgSetWithdrawAddress, MsgUpdateParams, MsgWithdrawDelegatorReward,
  MsgWithdrawValidatorCommission
} from "cosmjs-types/cosmos/distribution/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Grant } from "../../chain/Capabilities.ts"
import { isChainError, TxDecodeError, UnknownRequest } from "../../chain/ChainError.ts"
import { bankClient } from "../../chain/generated/bank.ts"
import { distributionDispatcher, distributionInterface } from "../../chain/generated/distribution.ts"
import { stakingClient, type ValidatorInfo } from "../../chain/generated/staking.ts"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import type { ExecContext, Machine, MsgContext, MsgResult, QueryContext } from "../../chain/Machine.ts"
import { formatAddress } from "../auth/Address.ts"
import { decCoinsFromCoins, decCoinsString } from "./internal/Dec.ts"
import { parseDecWire } from "../../chain/LegacyDec.ts"
import { exportGenesis, importGenesis } from "./internal/Genesis.ts"
import { delegatorHandlers } from "./internal/CallApi.ts"
import { stakingHooks } from "./internal/Hooks.ts"
import { event, Keeper, protoCoins } from "./internal/Keeper.ts"
import {
  communityPoolSpend, depositValidatorRewardsPool, fundCommunityPool, setWithdrawAddress, updateParams, withdrawDelegatorReward, withdrawValidatorCommission
} from "./internal/Msgs.ts"
import { distributionQuery } from "./internal/Queries.ts"
import { allocateTokens, type Coins } from "./internal/Rewards.ts"
import { getParams } from "./internal/State.ts"

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

/** A validator sharing a block's fees, with the power it shares by. */
interface Recipient {
  readonly val: Uint8Array
  readonly operator: string
  readonly power: bigint
  readonly commissionRate: bigint
}

/** The distribution machine. `new DistributionMachine({ bech32Prefix, bondDenom })`. */
export class DistributionMachine implements Machine {
  readonly name: string = "distribution"
  readonly version: string = "0.1.0"
  readonly msgTypeUrls: ReadonlyArray<string> = [
    MSG_WITHDRAW_DELEGATOR_REWARD_URL, MSG_WITHDRAW_VALIDATOR_COMMISSION_URL, MSG_SET_WITHDRAW_ADDRESS_URL, MSG_FUND_COMMUNITY_POOL_URL, MSG_UPDATE_PARAMS_URL,
    MSG_COMMUNITY_POOL_SPEND_URL, MSG_DEPOSIT_VALIDATOR_REWARDS_POOL_URL
  ]
  readonly queryPrefixes: ReadonlyArray<string> = [DISTRIBUTION_QUERY]
  /** The call API: wit/chain/distribution.wit (staking hooks, a delegator's own views and messages). */
  readonly interface: InterfaceSpec = distributionInterface
  /**
   * Payouts from its own account; fee_collector's whole balance into its own account (read, then
   * moved, each pinned to that one address); community pool deposits by a signer or by the principal calling fund-community-pool (`from: caller`); staking reads.
   */
  readonly grants: ReadonlyArray<Grant>
  /** bech32 of the distribution module account. */
  readonly moduleAddress: string
  /**
   * The staking hooks (wit/chain/distribution.wit, internal/Hooks.ts), callable only by
   * `machine:staking`: the executor checked its capability, the hooks check the caller again; and
   * the delegator's own methods (internal/CallApi.ts), for whoever the capability table allows.
   */
  readonly onCall: (ctx: ExecContext, caller: string, method: string, body: Uint8Array, request?: unknown) => Uint8Array
  private readonly keeper: Keeper

  constructor(options: DistributionOptions = {}) {
    this.keeper = new Keeper(options.bech32Prefix ?? "cyber", options.bondDenom ?? "boot")
    this.moduleAddress = this.keeper.moduleAddress
    this.onCall = distributionDispatcher({ ...stakingHooks(this.keeper), ...delegatorHandlers(this.keeper) })
    const me = "machine:distribution"
    const staking = (method: string): Grant => ({ principal: me, capability: { interface: "staking", method, constraints: [] } })
    const feeCollector = this.keeper.feeCollector
    this.grants = [
      { principal: me, capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "self", value: "" }] } },
      {
        principal: me,
        capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "eq", value: feeCollector }, { field: "to", op: "self", value: "" }] }
      },
      {
        principal: me,
        capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "signer", value: "" }, { field: "to", op: "self", value: "" }] }
      },
      // fund-community-pool called by a delegator itself (a CosmWasm contract): its own coins
      {
        principal: me,
        capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "caller", value: "" }, { field: "to", op: "self", value: "" }] }
      },
      { principal: me, capability: { interface: "bank", method: "balances", constraints: [{ field: "address", op: "eq", value: feeCollector }] } },
      staking("validator"), staking("delegation"), staking("delegator-delegations"), staking("bonded-validators"), staking("validator-by-consensus-address")
    ]
  }

  /** Signers (cosmos.msg.v1.signer): delegator, the validator's account, delegator, depositor, authority (twice), depositor. */
  signers(msg: Any): ReadonlyArray<string> {
    const k = this.keeper
    const p = k.px.account
    switch (msg.typeUrl) {
      case MSG_WITHDRAW_DELEGATOR_REWARD_URL:
        return [formatAddress(k.acc(decode("MsgWithdrawDelegatorReward", () => MsgWithdrawDelegatorReward.decode(msg.value)).delegatorAddress, "invalid delegator address"), p)]
      case MSG_WITHDRAW_VALIDATOR_COMMISSION_URL:
        return [formatAddress(k.val(decode("MsgWithdrawValidatorCommission", () => MsgWithdrawValidatorCommission.decode(msg.value)).validatorAddress, "invalid validator address"), p)]
      case MSG_SET_WITHDRAW_ADDRESS_URL:
        return [formatAddress(k.acc(decode("MsgSetWithdrawAddress", () => MsgSetWithdrawAddress.decode(msg.value)).delegatorAddress, "invalid delegator address"), p)]
      case MSG_FUND_COMMUNITY_POOL_URL:
        return [formatAddress(k.acc(decode("MsgFundCommunityPool", () => MsgFundCommunityPool.decode(msg.value)).depositor, "invalid depositor address"), p)]
      case MSG_UPDATE_PARAMS_URL:
        return [formatAddress(k.acc(decode("MsgUpdateParams", () => MsgUpdateParams.decode(msg.value)).authority, "invalid authority address"), p)]
      case MSG_COMMUNITY_POOL_SPEND_URL:
        return [formatAddress(k.acc(decode("MsgCommunityPoolSpend", () => MsgCommunityPoolSpend.decode(msg.value)).authority, "invalid authority address"), p)]
      case MSG_DEPOSIT_VALIDATOR_REWARDS_POOL_URL:
        return [formatAddress(k.acc(decode("MsgDepositValidatorRewardsPool", () => MsgDepositValidatorRewardsPool.decode(msg.value)).depositor, "invalid depositor address"), p)]
      default:
        throw new UnknownRequest({ log: `unrecognized distribution message type: ${msg.typeUrl}: unknown request` })
    }
  }

  /** Execute a message (internal/Msgs.ts). */
  handle(ctx: MsgContext, msg: Any): MsgResult {
    const k = this.keeper
    switch (msg.typeUrl) {
      case MSG_WITHDRAW_DELEGATOR_REWARD_URL:
        return withdrawDelegatorReward(k, ctx, decode("MsgWithdrawDelegatorReward", () => MsgWithdrawDelegatorReward.decode(msg.value)))
      case MSG_WITHDRAW_VALIDATOR_COMMISSION_URL:
        return withdrawValidatorCommission(k, ctx, decode("MsgWithdrawValidatorCommission", () => MsgWithdrawValidatorCommission.decode(msg.value)))
      case MSG_SET_WITHDRAW_ADDRESS_URL:
        return setWithdrawAddress(k, ctx, decode("MsgSetWithdrawAddress", () => MsgSetWithdrawAddress.decode(msg.value)))
      case MSG_FUND_COMMUNITY_POOL_URL:
        return fundCommunityPool(k, ctx, decode("MsgFundCommunityPool", () => MsgFundCommunityPool.decode(msg.value)))
      case MSG_UPDATE_PARAMS_URL:
        return updateParams(k, ctx, decode("MsgUpdateParams", () => MsgUpdateParams.decode(msg.value)))
      case MSG_COMMUNITY_POOL_SPEND_URL:
        return communityPoolSpend(k, ctx, decode("MsgCommunityPoolSpend", () => MsgCommunityPoolSpend.decode(msg.value)))
      case MSG_DEPOSIT_VALIDATOR_REWARDS_POOL_URL:
        return depositValidatorRewardsPool(k, ctx, decode("MsgDepositValidatorRewardsPool", () => MsgDepositValidatorRewardsPool.decode(msg.value)))
      default:
        throw new UnknownRequest({ log: `unrecognized distribution message type: ${msg.typeUrl}: unknown request` })
    }
  }

  // ------------------------------------------------------------------ block

  /**
   * AllocateTokens (from height 2, as the SDK): move fee_collector's balance here and split it.
   * A refused or failed transfer skips the allocation with an event instead of halting the node.
   */
  beginBlock(ctx: ExecContext): void {
    if (ctx.height <= 1) return
    const k = this.keeper
    let fees: Coins
    try {
      const bank = bankClient((c) => ctx.call(c))
      const balances = bankClient((c) => ctx.query(c)).balances({ address: k.feeCollector }).balances
      fees = balances.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) })).filter((c) => c.amount > 0n)
      if (fees.length === 0) return
      bank.send({ from: k.feeCollector, to: k.moduleAddress, amount: protoCoins(fees) })
    } catch (e) {
      if (!isChainError(e)) throw e
      ctx.emit(event("distribution_allocation_skipped", ["reason", e.log]))
      return
    }
    const { recipients, totalPower } = this.recipients(ctx)
    const allocations = allocateTokens(ctx.store, decCoinsFromCoins(fees), getParams(ctx.store).communityTax, recipients, totalPower)
    for (const a of allocations) {
      ctx.emit(event("commission", ["amount", decCoinsString(a.commission)], ["validator", a.operator]))
      ctx.emit(event("rewards", ["amount", decCoinsString(a.reward)], ["validator", a.operator]))
    }
  }

  /**
   * Who shares a block's fees, with what power. As the SDK (v0.50 BeginBlocker/AllocateTokens): the
   * validators of the block's last commit with the power recorded there, found by consensus address
   * (any status; one staking no longer knows is skipped, its share goes to the community pool).
   * A block that carries no commit (unit-test chains) uses staking's current bonded set instead.
   */
  private recipients(ctx: ExecContext): { recipients: Recipient[]; totalPower?: bigint } {
    if (!ctx.hasMachine("staking")) return { recipients: [] }
    const k = this.keeper
    const staking = stakingClient((c) => ctx.query(c))
    const entry = (v: ValidatorInfo, power: bigint): Recipient => ({
      val: k.val(v.operator, "staking validator"), operator: v.operator, power, commissionRate: parseDecWire(v.commissionRate, "staking commission rate")
    })
    const votes = ctx.lastCommit ?? []
    if (votes.length === 0) return { recipients: staking.bondedValidators({}).validators.map((v) => entry(v, v.power)) }
    const recipients: Recipient[] = []
    let totalPower = 0n
    for (const vote of votes) {
      totalPower += vote.power
      const v = staking.validatorByConsensusAddress({ address: vote.address }).validator
      if (v) recipients.push(entry(v, vote.power))
    }
    return { recipients, totalPower }
  }

  /** Serve a gRPC query (internal/Queries.ts). */
  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    return distributionQuery(this.keeper, ctx, path.slice(DISTRIBUTION_QUERY.length), path, data)
  }

  /** Genesis: SDK x/distribution GenesisState JSON (internal/Genesis.ts). */
  initGenesis(ctx: ExecContext, genesis: unknown): void {
    importGenesis(ctx.store, genesis, this.keeper.px)
  }

  exportGenesis(ctx: QueryContext): unknown {
    return exportGenesis(ctx.store, this.keeper.px)
  }
}
