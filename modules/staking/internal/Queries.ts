/**
 * The staking gRPC queries (/cosmos.staking.v1beta1.Query/...), over a committed snapshot.
 * Pagination follows the SDK (key or offset, limit default 100, next_key, count_total) over the
 * matching records in key order; a status filter pages over the matching validators only.
 *
 * Source: cosmos-sdk x/staking/keeper/grpc_query.go; types/query/pagination.go.
 */
import type { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination"
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import {
  QueryDelegationRequest, QueryDelegationResponse, QueryDelegatorDelegationsRequest, QueryDelegatorDelegationsResponse, QueryDelegatorUnbondingDelegationsRequest,
  QueryDelegatorUnbondingDelegationsResponse, QueryDelegatorValidatorRequest, QueryDelegatorValidatorResponse, QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse, QueryHistoricalInfoRequest, QueryParamsResponse, QueryPoolResponse, QueryRedelegationsRequest, QueryRedelegationsResponse,
  QueryUnbondingDelegationRequest, QueryUnbondingDelegationResponse, QueryValidatorDelegationsRequest, QueryValidatorDelegationsResponse,
  QueryValidatorRequest, QueryValidatorResponse, QueryValidatorsRequest, QueryValidatorsResponse, QueryValidatorUnbondingDelegationsRequest,
  QueryValidatorUnbondingDelegationsResponse
} from "cosmjs-types/cosmos/staking/v1beta1/query"
import {
  BondStatus, bondStatusToJSON, Delegation, Redelegation, UnbondingDelegation, Validator, type DelegationResponse, type RedelegationResponse
} from "cosmjs-types/cosmos/staking/v1beta1/staking"
import { InvalidRequest, NotFound, UnknownRequest } from "../../../chain/ChainError.ts"
import type { QueryContext } from "../../../chain/Machine.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import { compareBytes } from "../../../lib/Bytes.ts"
import { truncateInt } from "../Dec.ts"
import type { Keeper } from "./Keeper.ts"
import { addrKey, DELEGATION, DELEGATION_BY_VAL, prefixEnd, readLp, RED, RED_BY_SRC, UBD, UBD_BY_VAL, VALIDATOR } from "./Keys.ts"
import { getDelegation, getParams, getRed, getUbd, getValidator } from "./State.ts"

/** Query path prefix. */
export const STAKING_QUERY = "/cosmos.staking.v1beta1.Query/"

const DEFAULT_LIMIT = 100n

/** One page of `items` (relative key, value), key order, SDK pagination semantics. */
const page = <T>(items: ReadonlyArray<readonly [Uint8Array, T]>, req: PageRequest | undefined): { items: T[]; pagination: PageResponse } => {
  const key = req?.key ?? new Uint8Array()
  const offset = req?.offset ?? 0n
  const limit = req && req.limit > 0n ? req.limit : DEFAULT_LIMIT
  if (key.length > 0 && offset > 0n) throw new InvalidRequest({ log: "either offset or key is expected, got both: invalid request" })
  const ordered = req?.reverse ? [...items].reverse() : items
  const cmp = compareBytes
  let start = 0
  if (key.length > 0) {
    start = ordered.findIndex(([k]) => (req?.reverse ? cmp(k, key) <= 0 : cmp(k, key) >= 0))
    if (start < 0) start = ordered.length
  } else start = Number(offset > BigInt(ordered.length) ? BigInt(ordered.length) : offset)
  const end = Math.min(ordered.length, start + Number(limit > 1_000_000n ? 1_000_000n : limit))
  const next = end < ordered.length ? Uint8Array.from(ordered[end]![0]) : new Uint8Array()
  return {
    items: ordered.slice(start, end).map(([, v]) => v),
    pagination: { nextKey: next, total: req?.countTotal && key.length === 0 ? BigInt(ordered.length) : 0n }
  }
}

const under = (store: KVStore, prefix: Uint8Array): Array<readonly [Uint8Array, Uint8Array]> =>
  [...store.iterate(prefix, prefixEnd(prefix))].map(([k, v]) => [k.subarray(prefix.length), v] as const)

const decodeReq = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new InvalidRequest({ log: `invalid ${what}: ${(e as Error).message}: invalid request` })
  }
}

/** Answer a staking query. */
export const stakingQuery = (k: Keeper, ctx: QueryContext, path: string, data: Uint8Array): Uint8Array => {
  const s = ctx.store
  const denom = () => getParams(s, k.config.bondDenom).bondDenom
  const acc = (a: string, what: string) => {
    if (a === "") throw new InvalidRequest({ log: `${what} address cannot be empty: invalid request` })
    return k.acc(a, `invalid ${what} address`)
  }
  const val = (a: string, what = "validator") => {
    if (a === "") throw new InvalidRequest({ log: `${what} address cannot be empty: invalid request` })
    return k.val(a, `invalid ${what} address`)
  }
  const delegationResponse = (d: Delegation): DelegationResponse => {
    const v = getValidator(s, k.val(d.validatorAddress, "delegation validator"))
    const tokens = v && BigInt(v.delegatorShares) > 0n ? truncateInt(k.tokensFromShares(v, BigInt(d.shares))) : 0n
    return { delegation: d, balance: { denom: denom(), amount: tokens.toString() } }
  }
  const redelegationResponse = (r: Redelegation): RedelegationResponse => {
    const v = getValidator(s, k.val(r.validatorDstAddress, "redelegation destination"))
    return {
      redelegation: r,
      entries: r.entries.map((e) => ({
        redelegationEntry: e,
        balance: (v && BigInt(v.delegatorShares) > 0n ? truncateInt(k.tokensFromShares(v, BigInt(e.sharesDst))) : 0n).toString()
      }))
    }
  }
  switch (path.slice(STAKING_QUERY.length)) {
    case "Validators": {
      const r = decodeReq("QueryValidatorsRequest", () => QueryValidatorsRequest.decode(data))
      const allowed = [BondStatus.BOND_STATUS_BONDED, BondStatus.BOND_STATUS_UNBONDED, BondStatus.BOND_STATUS_UNBONDING].map(bondStatusToJSON)
      if (r.status !== "" && !allowed.includes(r.status)) throw new InvalidRequest({ log: `invalid validator status ${r.status.slice(0, 40)}: invalid request` })
      const items = under(s, Uint8Array.of(VALIDATOR)).map(([key, v]) => [key, Validator.decode(v)] as const).filter(([, v]) => r.status === "" || bondStatusToJSON(v.status) === r.status)
      const p = page(items, r.pagination)
      return QueryValidatorsResponse.encode({ validators: p.items, pagination: p.pagination }).finish()
    }
    case "Validator": {
      const r = decodeReq("QueryValidatorRequest", () => QueryValidatorRequest.decode(data))
      const v = getValidator(s, val(r.validatorAddr))
      if (!v) throw new NotFound({ log: `validator ${r.validatorAddr} not found: not found` })
      return QueryValidatorResponse.encode({ validator: v }).finish()
    }
    case "ValidatorDelegations": {
      const r = decodeReq("QueryValidatorDelegationsRequest", () => QueryValidatorDelegationsRequest.decode(data))
      const operator = val(r.validatorAddr)
      const items = under(s, addrKey(DELEGATION_BY_VAL, operator)).map(([key]) => [key, getDelegation(s, readLp(key, 0)[0], operator)!] as const)
      const p = page(items, r.pagination)
      return QueryValidatorDelegationsResponse.encode({ delegationResponses: p.items.map(delegationResponse), pagination: p.pagination }).finish()
    }
    case "ValidatorUnbondingDelegations": {
      const r = decodeReq("QueryValidatorUnbondingDelegationsRequest", () => QueryValidatorUnbondingDelegationsRequest.decode(data))
      const operator = val(r.validatorAddr)
      const items = under(s, addrKey(UBD_BY_VAL, operator)).map(([key]) => [key, getUbd(s, readLp(key, 0)[0], operator)!] as const)
      const p = page(items, r.pagination)
      return QueryValidatorUnbondingDelegationsResponse.encode({ unbondingResponses: p.items, pagination: p.pagination }).finish()
    }
    case "Delegation": {
      const r = decodeReq("QueryDelegationRequest", () => QueryDelegationRequest.decode(data))
      const d = getDelegation(s, acc(r.delegatorAddr, "delegator"), val(r.validatorAddr))
      if (!d) throw new NotFound({ log: `delegation with delegator ${r.delegatorAddr} not found for validator ${r.validatorAddr}: not found` })
      return QueryDelegationResponse.encode({ delegationResponse: delegationResponse(d) }).finish()
    }
    case "UnbondingDelegation": {
      const r = decodeReq("QueryUnbondingDelegationRequest", () => QueryUnbondingDelegationRequest.decode(data))
      const u = getUbd(s, acc(r.delegatorAddr, "delegator"), val(r.validatorAddr))
      if (!u) throw new NotFound({ log: `unbonding delegation with delegator ${r.delegatorAddr} not found for validator ${r.validatorAddr}: not found` })
      return QueryUnbondingDelegationResponse.encode({ unbond: u }).finish()
    }
    case "DelegatorDelegations": {
      const r = decodeReq("QueryDelegatorDelegationsRequest", () => QueryDelegatorDelegationsRequest.decode(data))
      const items = under(s, addrKey(DELEGATION, acc(r.delegatorAddr, "delegator"))).map(([key, v]) => [key, Delegation.decode(v)] as const)
      const p = page(items, r.pagination)
      return QueryDelegatorDelegationsResponse.encode({ delegationResponses: p.items.map(delegationResponse), pagination: p.pagination }).finish()
    }
    case "DelegatorUnbondingDelegations": {
      const r = decodeReq("QueryDelegatorUnbondingDelegationsRequest", () => QueryDelegatorUnbondingDelegationsRequest.decode(data))
      const items = under(s, addrKey(UBD, acc(r.delegatorAddr, "delegator"))).map(([key, v]) => [key, UnbondingDelegation.decode(v)] as const)
      const p = page(items, r.pagination)
      return QueryDelegatorUnbondingDelegationsResponse.encode({ unbondingResponses: p.items, pagination: p.pagination }).finish()
    }
    case "Redelegations": {
      const r = decodeReq("QueryRedelegationsRequest", () => QueryRedelegationsRequest.decode(data))
      let items: Array<readonly [Uint8Array, Redelegation]>
      if (r.delegatorAddr !== "" && r.srcValidatorAddr !== "" && r.dstValidatorAddr !== "") {
        const one = getRed(s, acc(r.delegatorAddr, "delegator"), val(r.srcValidatorAddr, "source validator"), val(r.dstValidatorAddr, "destination validator"))
        if (!one) throw new NotFound({ log: `redelegation not found for delegator address ${r.delegatorAddr} from validator address ${r.srcValidatorAddr}: not found` })
        items = [[new Uint8Array(), one]]
      } else if (r.delegatorAddr === "" && r.srcValidatorAddr !== "" && r.dstValidatorAddr === "") {
        const src = val(r.srcValidatorAddr, "source validator")
        items = under(s, addrKey(RED_BY_SRC, src)).map(([key]) => {
          const [del, o] = readLp(key, 0)
          return [key, getRed(s, del, src, readLp(key, o)[0])!] as const
        })
      } else if (r.delegatorAddr !== "") {
        const prefix = r.srcValidatorAddr !== "" ? addrKey(RED, acc(r.delegatorAddr, "delegator"), val(r.srcValidatorAddr, "source validator")) : addrKey(RED, acc(r.delegatorAddr, "delegator"))
        items = under(s, prefix).map(([key, v]) => [key, Redelegation.decode(v)] as const)
      } else {
        throw new InvalidRequest({ log: "delegator address or source validator address must be given: invalid request" })
      }
      const p = page(items, r.pagination)
      return QueryRedelegationsResponse.encode({ redelegationResponses: p.items.map(redelegationResponse), pagination: p.pagination }).finish()
    }
    case "DelegatorValidators": {
      const r = decodeReq("QueryDelegatorValidatorsRequest", () => QueryDelegatorValidatorsRequest.decode(data))
      const items = under(s, addrKey(DELEGATION, acc(r.delegatorAddr, "delegator"))).map(([key]) => [key, getValidator(s, readLp(key, 0)[0])!] as const)
      const p = page(items, r.pagination)
      return QueryDelegatorValidatorsResponse.encode({ validators: p.items, pagination: p.pagination }).finish()
    }
    case "DelegatorValidator": {
      const r = decodeReq("QueryDelegatorValidatorRequest", () => QueryDelegatorValidatorRequest.decode(data))
      const operator = val(r.validatorAddr)
      const d = getDelegation(s, acc(r.delegatorAddr, "delegator"), operator)
      const v = d ? getValidator(s, operator) : undefined
      if (!v) throw new NotFound({ log: `delegation with delegator ${r.delegatorAddr} not found for validator ${r.validatorAddr}: not found` })
      return QueryDelegatorValidatorResponse.encode({ validator: v }).finish()
    }
    case "HistoricalInfo": {
      const r = decodeReq("QueryHistoricalInfoRequest", () => QueryHistoricalInfoRequest.decode(data))
      throw new NotFound({ log: `historical info for height ${r.height} not found (not kept by this chain): not found` })
    }
    case "Pool": {
      const bal = (address: string) => {
        const out = ctx.query(k.config.bankMachine, "/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: denom() }).finish())
        return QueryBalanceResponse.decode(out).balance?.amount || "0"
      }
      return QueryPoolResponse.encode({ pool: { bondedTokens: bal(k.bondedPool), notBondedTokens: bal(k.notBondedPool) } }).finish()
    }
    case "Params":
      return QueryParamsResponse.encode({ params: getParams(s, k.config.bondDenom) }).finish()
    default:
      throw new UnknownRequest({ log: `unknown query path ${path.slice(0, 120)}: unknown request` })
  }
}
