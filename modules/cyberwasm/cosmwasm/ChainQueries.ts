/**
 * A contract's queries into the chain's staking and distribution machines and its gRPC /
 * Stargate queries, answered through the machines' typed call APIs (wit/chain/staking.wit,
 * distribution.wit, bank.wit) as the contract's principal, so the capability table decides what a
 * contract may read (defaults: Grants.ts). Answers are wasmvm's JSON (staking, distribution),
 * the response proto (gRPC) or the response proto as the SDK's JSON (Stargate).
 *
 * Staking: `bonded_denom`, `all_validators` (the bonded set, power order), `validator` (any
 * status; null when unknown), `all_delegations` (amount = tokens of the shares, truncated),
 * `delegation` (null when none; `can_redelegate` 0 while a redelegation into the validator
 * matures, `accumulated_rewards` the pending rewards truncated). Distribution:
 * `delegator_withdraw_address`, `delegation_rewards`, `delegation_total_rewards`,
 * `delegator_validators`. gRPC / Stargate: the accept list {@link ACCEPTED_QUERIES}; any other path
 * is `unsupported_request` with wasmd's text (`'<path>' path is not allowed from the contract`).
 *
 * Source: wasmd x/wasm/keeper/query_plugins.go (StakingQuerier, sdkToDelegations,
 * sdkToFullDelegation, getAccumulatedRewards, DistributionQuerier, AcceptListStargateQuerier,
 * AcceptListGrpcQuerier, ConvertProtoToJSONMarshal); wasmvm types/queries.go (JSON shapes).
 */
import { QueryAllBalancesRequest, QueryAllBalancesResponse, QueryBalanceRequest, QueryBalanceResponse, QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import {
  QueryDelegationRewardsRequest, QueryDelegationRewardsResponse, QueryDelegatorValidatorsRequest, QueryDelegatorValidatorsResponse,
  QueryDelegatorWithdrawAddressRequest, QueryDelegatorWithdrawAddressResponse
} from "cosmjs-types/cosmos/distribution/v1beta1/query"
import { QueryValidatorRequest, QueryValidatorResponse } from "cosmjs-types/cosmos/staking/v1beta1/query"
import { Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import { InvalidRequest, isChainError, NotFound } from "../../../chain/ChainError.ts"
import { isNodeFault } from "../../../chain/internal/TxResult.ts"
import { bankClient } from "../../../chain/generated/bank.ts"
import { distributionClient, type DecCoin } from "../../../chain/generated/distribution.ts"
import { stakingClient, type ValidatorInfo } from "../../../chain/generated/staking.ts"
import { formatDec, parseDecWire } from "../../../chain/LegacyDec.ts"
import type { ChainCall } from "../../../chain/Machine.ts"
import { validatorSdkJson } from "../../staking/Staking.ts"
import { binary, jsonBytes, object, string, variant } from "./Json.ts"

/** A kind of query this chain does not answer: SystemError `unsupported_request {kind}`. */
export class UnsupportedQuery extends Error {
  readonly kind: string
  constructor(kind: string) {
    super(kind)
    this.kind = kind
  }
}

/** The machine named by the executor's "unknown machine" refusal (chain/internal/Executor.ts), if `e` is one. */
export const unknownMachine = (e: unknown): string | undefined => {
  if (!isChainError(e) || (e as { _tag: string })._tag !== "UnknownRequest") return undefined
  return /^unknown machine "([a-z0-9_.-]+)"/.exec((e as unknown as { log: string }).log)?.[1]
}

/** Pending rewards of a delegation, none on a chain without distribution. */
const rewardsOrNone = (port: QueryPort, delegator: string, validator: string): ReadonlyArray<DecCoin> => {
  try {
    return distributionClient(port).delegationRewards({ delegator, validator }).rewards
  } catch (e) {
    if (unknownMachine(e) === "distribution") return []
    throw e
  }
}

/** Read-only calls into other machines as the querying contract. */
export type QueryPort = (call: ChainCall) => Uint8Array

const decText = (wire: string, what: string): string => formatDec(parseDecWire(wire, what))
const validatorJson = (v: ValidatorInfo) => ({
  address: v.operator,
  commission: decText(v.commissionRate, "commission rate"),
  max_commission: decText(v.maxCommissionRate, "max commission rate"),
  max_change_rate: decText(v.maxChangeRate, "max change rate")
})
/** TokensFromShares(shares).TruncateInt(): shares × tokens / delegator shares, truncated. */
const tokensOf = (v: ValidatorInfo | undefined, sharesWire: string): bigint => {
  if (!v) return 0n
  const total = parseDecWire(v.delegatorShares, "delegator shares")
  return total === 0n ? 0n : (parseDecWire(sharesWire, "shares") * BigInt(v.tokens)) / total
}
const decCoinsJson = (cs: ReadonlyArray<DecCoin>) => cs.map((c) => ({ denom: c.denom, amount: decText(c.amount, "reward") }))

/** `QueryRequest::Staking`: the wasmvm JSON answer. */
export const stakingQuery = (port: QueryPort, body: unknown): Uint8Array => {
  const [op, b] = variant(body, "staking")
  const o = object(b, `staking.${op}`)
  const staking = stakingClient(port)
  const denom = () => staking.bondDenom({}).denom
  switch (op) {
    case "bonded_denom":
      return jsonBytes({ denom: denom() })
    case "all_validators":
      return jsonBytes({ validators: staking.bondedValidators({}).validators.map(validatorJson) })
    case "validator": {
      const v = staking.validator({ operator: string(o.address, "staking.validator.address") }).validator
      return jsonBytes({ validator: v ? validatorJson(v) : null })
    }
    case "all_delegations": {
      const delegator = string(o.delegator, "staking.all_delegations.delegator")
      const bondDenom = denom()
      const delegations = staking.delegatorDelegations({ delegator }).delegations.map((d) => {
        const v = staking.validator({ operator: d.validator }).validator
        if (!v) throw new InvalidRequest({ log: `can't load validator for delegation: validator ${d.validator} does not exist` })
        return { delegator, validator: d.validator, amount: { denom: bondDenom, amount: tokensOf(v, d.shares).toString() } }
      })
      return jsonBytes({ delegations })
    }
    case "delegation": {
      const delegator = string(o.delegator, "staking.delegation.delegator")
      const validator = string(o.validator, "staking.delegation.validator")
      const d = staking.delegation({ delegator, validator })
      if (!d.found) return jsonBytes({ delegation: null })
      const v = staking.validator({ operator: validator }).validator
      if (!v) throw new InvalidRequest({ log: `can't load validator for delegation: validator ${validator} does not exist` })
      const bondDenom = denom()
      const amount = { denom: bondDenom, amount: tokensOf(v, d.shares).toString() }
      const rewards = rewardsOrNone(port, delegator, validator)
      const redelegating = staking.receivingRedelegation({ delegator, validator }).found
      return jsonBytes({
        delegation: {
          delegator, validator, amount,
          accumulated_rewards: rewards.map((c) => ({ denom: c.denom, amount: (parseDecWire(c.amount, "reward") / 10n ** 18n).toString() })),
          can_redelegate: redelegating ? { denom: bondDenom, amount: "0" } : amount
        }
      })
    }
    default:
      throw new UnsupportedQuery("unknown Staking variant")
  }
}

/** `QueryRequest::Distribution`: the wasmvm JSON answer. */
export const distributionQuery = (port: QueryPort, body: unknown): Uint8Array => {
  const [op, b] = variant(body, "distribution")
  const o = object(b, `distribution.${op}`)
  const distribution = distributionClient(port)
  const delegator = () => string(o.delegator_address, `distribution.${op}.delegator_address`)
  switch (op) {
    case "delegator_withdraw_address":
      return jsonBytes({ withdraw_address: distribution.withdrawAddress({ delegator: delegator() }).address })
    case "delegation_rewards": {
      const r = distribution.delegationRewards({ delegator: delegator(), validator: string(o.validator_address, "distribution.delegation_rewards.validator_address") })
      return jsonBytes({ rewards: decCoinsJson(r.rewards) })
    }
    case "delegation_total_rewards": {
      const r = distribution.delegationTotalRewards({ delegator: delegator() })
      return jsonBytes({ rewards: r.rewards.map((x) => ({ validator_address: x.validator, reward: decCoinsJson(x.reward) })), total: decCoinsJson(r.total) })
    }
    case "delegator_validators":
      return jsonBytes({ validators: distribution.delegatorValidators({ delegator: delegator() }).validators })
    default:
      throw new UnsupportedQuery("unknown distribution query")
  }
}

/** One accepted gRPC path: the request decoded, answered through a call API, the response as proto bytes and as the SDK's JSON. */
interface Accepted {
  run(port: QueryPort, data: Uint8Array): { readonly proto: Uint8Array; readonly json: unknown }
}

const coinJson = (c: { denom: string; amount: string }) => ({ denom: c.denom, amount: c.amount })
/** The SDK's PageResponse of a complete, unpaginated answer of `n` entries (proto JSON, EmitDefaults). */
const wholePage = (n: number) => ({ next_key: null, total: n.toString() })

/**
 * The gRPC / Stargate accept list (wasmd AcceptListStargateQuerier): deterministic queries a
 * call API answers exactly as the machine's gRPC query does. Bank `Balance`, `AllBalances`
 * (one page with every balance), `SupplyOf`; staking `Validator`; distribution
 * `DelegatorWithdrawAddress`, `DelegationRewards`, `DelegatorValidators`.
 */
export const ACCEPTED_QUERIES: Readonly<Record<string, Accepted>> = {
  "/cosmos.bank.v1beta1.Query/Balance": {
    run: (port, data) => {
      const r = QueryBalanceRequest.decode(data)
      const amount = bankClient(port).balance({ address: r.address, denom: r.denom }).balance?.amount ?? "0"
      const balance = { denom: r.denom, amount }
      return { proto: QueryBalanceResponse.encode({ balance }).finish(), json: { balance } }
    }
  },
  "/cosmos.bank.v1beta1.Query/AllBalances": {
    run: (port, data) => {
      const r = QueryAllBalancesRequest.decode(data)
      const balances = bankClient(port).balances({ address: r.address }).balances.filter((c) => c.amount !== "0").map(coinJson)
      const pagination = { nextKey: new Uint8Array(), total: BigInt(balances.length) }
      return { proto: QueryAllBalancesResponse.encode({ balances, pagination }).finish(), json: { balances, pagination: wholePage(balances.length) } }
    }
  },
  "/cosmos.bank.v1beta1.Query/SupplyOf": {
    run: (port, data) => {
      const r = QuerySupplyOfRequest.decode(data)
      const amount = { denom: r.denom, amount: bankClient(port).supply({ denom: r.denom }).amount?.amount ?? "0" }
      return { proto: QuerySupplyOfResponse.encode({ amount }).finish(), json: { amount } }
    }
  },
  "/cosmos.staking.v1beta1.Query/Validator": {
    run: (port, data) => {
      const r = QueryValidatorRequest.decode(data)
      const rec = stakingClient(port).validatorRecord({ operator: r.validatorAddr })
      if (!rec.found) throw new NotFound({ log: `validator ${r.validatorAddr.slice(0, 100)} not found: not found` })
      const validator = Validator.decode(rec.validator)
      return { proto: QueryValidatorResponse.encode({ validator }).finish(), json: { validator: validatorSdkJson(validator) } }
    }
  },
  "/cosmos.distribution.v1beta1.Query/DelegatorWithdrawAddress": {
    run: (port, data) => {
      const r = QueryDelegatorWithdrawAddressRequest.decode(data)
      const withdrawAddress = distributionClient(port).withdrawAddress({ delegator: r.delegatorAddress }).address
      return { proto: QueryDelegatorWithdrawAddressResponse.encode({ withdrawAddress }).finish(), json: { withdraw_address: withdrawAddress } }
    }
  },
  "/cosmos.distribution.v1beta1.Query/DelegationRewards": {
    run: (port, data) => {
      const r = QueryDelegationRewardsRequest.decode(data)
      const rewards = distributionClient(port).delegationRewards({ delegator: r.delegatorAddress, validator: r.validatorAddress }).rewards.map(coinJson)
      return { proto: QueryDelegationRewardsResponse.encode({ rewards }).finish(), json: { rewards: decCoinsJson(rewards) } }
    }
  },
  "/cosmos.distribution.v1beta1.Query/DelegatorValidators": {
    run: (port, data) => {
      const r = QueryDelegatorValidatorsRequest.decode(data)
      const validators = distributionClient(port).delegatorValidators({ delegator: r.delegatorAddress }).validators
      return { proto: QueryDelegatorValidatorsResponse.encode({ validators: [...validators] }).finish(), json: { validators } }
    }
  }
}

/**
 * `QueryRequest::Grpc` (answer: the response proto) or `QueryRequest::Stargate` (answer: the
 * response as the SDK's JSON) for a path of {@link ACCEPTED_QUERIES}; others UnsupportedQuery.
 * A request that does not decode is InvalidRequest.
 */
export const grpcQuery = (port: QueryPort, kind: "grpc" | "stargate", body: unknown): Uint8Array => {
  const o = object(body, kind)
  const path = string(o.path, `${kind}.path`)
  const accepted = Object.hasOwn(ACCEPTED_QUERIES, path) ? ACCEPTED_QUERIES[path] : undefined
  if (!accepted) throw new UnsupportedQuery(`'${path.slice(0, 200)}' path is not allowed from the contract`)
  let out: { readonly proto: Uint8Array; readonly json: unknown }
  const data = binary(o.data, `${kind}.data`)
  try {
    out = accepted.run(port, data)
  } catch (e) {
    // a request that does not decode as the path's proto is the caller's error
    if (isChainError(e) || isNodeFault(e)) throw e
    throw new InvalidRequest({ log: `${path}: invalid request: ${(e as Error).message}` })
  }
  return kind === "grpc" ? out.proto : jsonBytes(out.json)
}
