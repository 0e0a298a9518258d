/**
 * The staking machine: validators, delegations, unbonding and redelegation, the bonded validator
 * set handed to consensus at the end of every block, after Cosmos SDK x/staking v1beta1 (wire
 * format of cosmjs-types cosmos.staking.v1beta1, so CosmJS's staking extension and
 * SigningStargateClient.delegateTokens / undelegateTokens work unchanged).
 *
 * Messages: MsgCreateValidator, MsgEditValidator, MsgDelegate, MsgUndelegate, MsgBeginRedelegate,
 * MsgCancelUnbondingDelegation, MsgUpdateParams (authority: the gov module account). Queries:
 * `/cosmos.staking.v1beta1.Query/*` (internal/Queries.ts). Call API: wit/chain/staking.wit
 * (views, and a delegator's own delegate/undelegate/redelegate: internal/CallApi.ts). Coins move only through `bank.send`: from a signer (delegations) or from one of the
 * two pools (module accounts bonded_tokens_pool, not_bonded_tokens_pool). Distribution hooks run
 * when the chain has a `distribution` machine. No slashing or jailing. Docs: docs/machines/staking.md.
 *
 * Source: cosmos-sdk x/staking (keeper/msg_server.go, keeper/delegation.go,
 * keeper/val_state_change.go, keeper/grpc_query.go, keeper/genesis.go, types/msg.go).
 */
import type { Grant } from "../../chain/Capabilities.ts"
import {
  MsgBeginRedelegate, MsgCancelUnbondingDelegation, MsgCreateValidator, MsgDelegate, MsgEditValidator, MsgUndelegate, MsgUpdateParams
} from "cosmjs-types/cosmos/staking/v1beta1/tx"
import { BondStatus, Delegation, Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { InvalidRequest, TxDecodeError, UnknownRequest } from "../../chain/ChainError.ts"
import { stakingDispatcher, stakingInterface, type ValidatorInfo } from "../../chain/generated/staking.ts"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import type { ExecContext, Machine, MsgContext, MsgResult, QueryContext, ValidatorUpdate } from "../../chain/Machine.ts"
import { canonicalAddress } from "../auth/Address.ts"
import { delegatorHandlers } from "./internal/CallApi.ts"
import { Keeper } from "./internal/Keeper.ts"
import { exportStakingGenesis, importStakingGenesis, validatorToJson } from "./internal/Genesis.ts"
import { DELEGATION, POWER_INDEX, RED_BY_DST, VALIDATOR_BY_CONS, addrKey, operatorOfPowerKey, prefixEnd } from "./internal/Keys.ts"
import { beginRedelegate, cancelUnbonding, createValidator, delegate, editValidator, undelegate, updateParams } from "./internal/Msgs.ts"
import { STAKING_QUERY, stakingQuery } from "./internal/Queries.ts"
import { consensusKey, consensusPower, getDelegation, getLastPower, getValidator } from "./internal/State.ts"
import { blockValidatorUpdates } from "./internal/ValidatorSet.ts"
import { stakingConfig, type StakingConfig } from "./StakingConfig.ts"

const MSG = "/cosmos.staking.v1beta1."
/** Message type URLs. */
export const MSG_CREATE_VALIDATOR_URL = `${MSG}MsgCreateValidator`
export const MSG_EDIT_VALIDATOR_URL = `${MSG}MsgEditValidator`
export const MSG_DELEGATE_URL = `${MSG}MsgDelegate`
export const MSG_UNDELEGATE_URL = `${MSG}MsgUndelegate`
export const MSG_BEGIN_REDELEGATE_URL = `${MSG}MsgBeginRedelegate`
export const MSG_CANCEL_UNBONDING_URL = `${MSG}MsgCancelUnbondingDelegation`
export const MSG_UPDATE_PARAMS_URL = `${MSG}MsgUpdateParams`

const decodeMsg = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new TxDecodeError({ log: `invalid ${what}: ${(e as Error).message}: tx parse error` })
  }
}

/** The staking machine. `new StakingMachine({ bech32Prefix, bondDenom })`. */
export class StakingMachine implements Machine {
  readonly name: string = "staking"
  readonly version: string = "0.1.0"
  readonly msgTypeUrls: ReadonlyArray<string> = [
    MSG_CREATE_VALIDATOR_URL, MSG_EDIT_VALIDATOR_URL, MSG_DELEGATE_URL, MSG_UNDELEGATE_URL, MSG_BEGIN_REDELEGATE_URL, MSG_CANCEL_UNBONDING_URL, MSG_UPDATE_PARAMS_URL
  ]
  readonly queryPrefixes: ReadonlyArray<string> = [STAKING_QUERY]
  /** The call API: wit/chain/staking.wit (views; a delegator's own delegate, undelegate, redelegate). */
  readonly interface: InterfaceSpec = stakingInterface
  readonly config: StakingConfig
  /**
   * `bank.send` from a signer (delegating, creating a validator), from the principal calling
   * `delegate` (`from: caller`) and from each pool (pool moves,
   * payouts: `eq` the pool's address), `bank.balance` (pool checks), and the four distribution hooks.
   */
  readonly grants: ReadonlyArray<Grant>
  private readonly keeper: Keeper

  constructor(config: Partial<StakingConfig> = {}) {
    this.config = stakingConfig(config)
    this.keeper = new Keeper(this.config)
    const me = "machine:staking"
    const bank = this.config.bankMachine
    const dist = this.config.distributionMachine
    this.grants = [
      { principal: me, capability: { interface: bank, method: "send", constraints: [{ field: "from", op: "signer", value: "" }] } },
      // delegate called by the delegator itself (a CosmWasm contract): its own coins only
      { principal: me, capability: { interface: bank, method: "send", constraints: [{ field: "from", op: "caller", value: "" }] } },
      { principal: me, capability: { interface: bank, method: "send", constraints: [{ field: "from", op: "eq", value: this.keeper.bondedPool }] } },
      { principal: me, capability: { interface: bank, method: "send", constraints: [{ field: "from", op: "eq", value: this.keeper.notBondedPool }] } },
      { principal: me, capability: { interface: bank, method: "balance", constraints: [] } },
      ...["validator-created", "before-delegation-modified", "delegation-modified", "validator-removed"].map((method) => ({
        principal: me, capability: { interface: dist, method, constraints: [] }
      }))
    ]
  }

  /** Signers per cosmos.msg.v1.signer: the operator account, the delegator, or the authority. */
  signers(msg: Any): ReadonlyArray<string> {
    const p = this.config.bech32Prefix
    const k = this.keeper
    switch (msg.typeUrl) {
      case MSG_CREATE_VALIDATOR_URL:
        return [k.accText(k.val(decodeMsg("MsgCreateValidator", () => MsgCreateValidator.decode(msg.value)).validatorAddress, "invalid validator address"))]
      case MSG_EDIT_VALIDATOR_URL:
        return [k.accText(k.val(decodeMsg("MsgEditValidator", () => MsgEditValidator.decode(msg.value)).validatorAddress, "invalid validator address"))]
      case MSG_DELEGATE_URL:
        return [canonicalAddress(decodeMsg("MsgDelegate", () => MsgDelegate.decode(msg.value)).delegatorAddress, p, "invalid delegator address")]
      case MSG_UNDELEGATE_URL:
        return [canonicalAddress(decodeMsg("MsgUndelegate", () => MsgUndelegate.decode(msg.value)).delegatorAddress, p, "invalid delegator address")]
      case MSG_BEGIN_REDELEGATE_URL:
        return [canonicalAddress(decodeMsg("MsgBeginRedelegate", () => MsgBeginRedelegate.decode(msg.value)).delegatorAddress, p, "invalid delegator address")]
      case MSG_CANCEL_UNBONDING_URL:
        return [canonicalAddress(decodeMsg("MsgCancelUnbondingDelegation", () => MsgCancelUnbondingDelegation.decode(msg.value)).delegatorAddress, p, "invalid delegator address")]
      case MSG_UPDATE_PARAMS_URL:
        return [canonicalAddress(decodeMsg("MsgUpdateParams", () => MsgUpdateParams.decode(msg.value)).authority, p, "invalid authority address")]
      default:
        throw new UnknownRequest({ log: `unrecognized staking message type: ${msg.typeUrl.slice(0, 120)}: unknown request` })
    }
  }

  handle(ctx: MsgContext, msg: Any): MsgResult {
    const k = this.keeper
    switch (msg.typeUrl) {
      case MSG_CREATE_VALIDATOR_URL:
        return createValidator(k, ctx, decodeMsg("MsgCreateValidator", () => MsgCreateValidator.decode(msg.value)))
      case MSG_EDIT_VALIDATOR_URL:
        return editValidator(k, ctx, decodeMsg("MsgEditValidator", () => MsgEditValidator.decode(msg.value)))
      case MSG_DELEGATE_URL:
        return delegate(k, ctx, decodeMsg("MsgDelegate", () => MsgDelegate.decode(msg.value)))
      case MSG_UNDELEGATE_URL:
        return undelegate(k, ctx, decodeMsg("MsgUndelegate", () => MsgUndelegate.decode(msg.value)))
      case MSG_BEGIN_REDELEGATE_URL:
        return beginRedelegate(k, ctx, decodeMsg("MsgBeginRedelegate", () => MsgBeginRedelegate.decode(msg.value)))
      case MSG_CANCEL_UNBONDING_URL:
        return cancelUnbonding(k, ctx, decodeMsg("MsgCancelUnbondingDelegation", () => MsgCancelUnbondingDelegation.decode(msg.value)))
      case MSG_UPDATE_PARAMS_URL:
        return updateParams(k, ctx, decodeMsg("MsgUpdateParams", () => MsgUpdateParams.decode(msg.value)))
      default:
        throw new UnknownRequest({ log: `unrecognized staking message type: ${msg.typeUrl.slice(0, 120)}: unknown request` })
    }
  }

  private info(v: Validator): ValidatorInfo {
    return {
      operator: v.operatorAddress,
      consensusPubkey: consensusKey(v),
      tokens: v.tokens,
      delegatorShares: v.delegatorShares,
      bonded: v.status === BondStatus.BOND_STATUS_BONDED,
      commissionRate: v.commission.commissionRates.rate,
      power: consensusPower(v),
      maxCommissionRate: v.commission.commissionRates.maxRate,
      maxChangeRate: v.commission.commissionRates.maxChangeRate
    }
  }

  /**
   * The call API (wit/chain/staking.wit); Dec fields in wire form. Read-only views, and a
   * delegator's own delegate / undelegate / redelegate (internal/CallApi.ts).
   */
  readonly onCall = stakingDispatcher({
    ...delegatorHandlers(() => this.keeper),
    validator: (ctx, _caller, req) => {
      const v = getValidator(ctx.store, this.keeper.val(req.operator, "invalid validator address"))
      return { validator: v ? this.info(v) : undefined }
    },
    delegation: (ctx, _caller, req) => {
      const d = getDelegation(ctx.store, this.keeper.acc(req.delegator, "invalid delegator address"), this.keeper.val(req.validator, "invalid validator address"))
      return { found: d !== undefined, shares: d ? d.shares : "0" }
    },
    delegatorDelegations: (ctx, _caller, req) => {
      const prefix = addrKey(DELEGATION, this.keeper.acc(req.delegator, "invalid delegator address"))
      const delegations = [...ctx.store.iterate(prefix, prefixEnd(prefix))].map(([, v]) => {
        const d = Delegation.decode(v)
        return { validator: d.validatorAddress, shares: d.shares }
      })
      return { delegations }
    },
    bondedValidators: (ctx) => {
      const validators: ValidatorInfo[] = []
      for (const [key] of ctx.store.iterate(Uint8Array.of(POWER_INDEX), Uint8Array.of(POWER_INDEX + 1))) {
        const operator = operatorOfPowerKey(key)
        if (getLastPower(ctx.store, operator) === undefined) continue
        validators.push(this.info(getValidator(ctx.store, operator)!))
      }
      return { validators }
    },
    validatorByConsensusAddress: (ctx, _caller, req) => {
      if (req.address.length !== 20) throw new InvalidRequest({ log: `consensus address must be 20 bytes, got ${req.address.length}` })
      const operator = ctx.store.get(Uint8Array.of(VALIDATOR_BY_CONS, ...req.address))
      const v = operator ? getValidator(ctx.store, operator) : undefined
      return { validator: v ? this.info(v) : undefined }
    },
    totalBonded: (ctx) => ({ tokens: this.keeper.bondedPoolBalance(ctx).toString() }),
    validatorRecord: (ctx, _caller, req) => {
      const v = getValidator(ctx.store, this.keeper.val(req.operator, "invalid validator address"))
      return { found: v !== undefined, validator: v ? Validator.encode(v).finish() : new Uint8Array() }
    },
    bondDenom: (ctx) => ({ denom: this.keeper.params(ctx).bondDenom }),
    receivingRedelegation: (ctx, _caller, req) => {
      const prefix = addrKey(RED_BY_DST, this.keeper.val(req.validator, "invalid validator address"), this.keeper.acc(req.delegator, "invalid delegator address"))
      for (const _ of ctx.store.iterate(prefix, prefixEnd(prefix))) return { found: true }
      return { found: false }
    }
  })

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    return stakingQuery(this.keeper, ctx, path, data)
  }

  /** Genesis: SDK x/staking GenesisState JSON (internal/Genesis.ts); returns the validator set. */
  initGenesis(ctx: ExecContext, genesis: unknown): ReadonlyArray<ValidatorUpdate> {
    return importStakingGenesis(this.keeper, ctx, genesis)
  }

  exportGenesis(ctx: QueryContext): unknown {
    return exportStakingGenesis(this.keeper, ctx)
  }

  /** Validator set updates for consensus, then matured validators, unbondings and redelegations. */
  endBlock(ctx: ExecContext): ReadonlyArray<ValidatorUpdate> {
    return blockValidatorUpdates(this.keeper, ctx)
  }
}

/**
 * A validator (cosmos.staking.v1beta1.Validator) as the SDK's JSON: proto field names, LegacyDec
 * text, RFC 3339 times, the consensus key as `{"@type", key}` (what the gRPC gateway and
 * wasmd's Stargate querier answer).
 */
export const validatorSdkJson = (v: Validator): unknown => validatorToJson(v)
