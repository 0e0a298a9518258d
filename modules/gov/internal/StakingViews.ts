/**
 * The two ways gov reads staking for a tally: in a block through the staking machine's WIT
 * interface (capability-checked `ctx.query`), and in a query (live TallyResult) through staking's
 * public gRPC queries (Validators BONDED, DelegatorDelegations, Pool), which need no capability.
 * Both give the same numbers: Dec fields are LegacyDec wire text (scaled integers) in both.
 *
 * Source: cosmos-sdk x/gov expected_keepers.go StakingKeeper (IterateBondedValidatorsByPower,
 * IterateDelegations, TotalBondedTokens).
 */
import { BondStatus } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import {
  QueryDelegatorDelegationsRequest, QueryDelegatorDelegationsResponse, QueryPoolRequest, QueryPoolResponse,
  QueryValidatorsRequest, QueryValidatorsResponse
} from "cosmjs-types/cosmos/staking/v1beta1/query"
import { bondStatusToJSON } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import { stakingClient } from "../../../chain/generated/staking.ts"
import { isChainError } from "../../../chain/ChainError.ts"
import type { ExecContext, QueryContext } from "../../../chain/Machine.ts"
import { parseDecWire } from "../../../chain/LegacyDec.ts"
import type { StakingView, TallyDelegation, TallyValidator } from "./Tally.ts"

const int = (text: string, what: string): bigint => {
  if (!/^[0-9]{1,80}$/.test(text)) throw new Error(`staking returned a malformed ${what}: "${text.slice(0, 40)}"`)
  return BigInt(text)
}

/** No staking on this chain: no bonded stake, so every tally fails quorum. */
export const emptyStakingView: StakingView = { bondedValidators: () => [], delegations: () => [], totalBonded: () => 0n }

/** Staking through its WIT interface (needs `staking.*` read capabilities), for endBlock. */
export const witStakingView = (ctx: ExecContext): StakingView => {
  const s = stakingClient((c) => ctx.query(c))
  return {
    bondedValidators: () =>
      s.bondedValidators({}).validators.map((v) => ({ operator: v.operator, tokens: int(v.tokens, "tokens"), shares: parseDecWire(v.delegatorShares, "delegator shares") })),
    delegations: (delegator) => s.delegatorDelegations({ delegator }).delegations.map((d) => ({ validator: d.validator, shares: parseDecWire(d.shares, "shares") })),
    totalBonded: () => int(s.totalBonded({}).tokens, "total bonded")
  }
}

const STAKING_QUERY = "/cosmos.staking.v1beta1.Query/"

/** Staking through its public gRPC queries, for the live TallyResult query. */
export const grpcStakingView = (qctx: QueryContext): StakingView => {
  // a chain without staking answers UnknownRequest (no bonded stake); a delegator without
  // delegations may be answered NotFound (older SDK behaviour): both read as empty
  const ctx = {
    query: (target: string, path: string, data: Uint8Array): Uint8Array | undefined => {
      try {
        return qctx.query(target, path, data)
      } catch (e) {
        if (isChainError(e) && e.codespace === "sdk" && (e.code === 6 || e.code === 38)) return undefined
        throw e
      }
    }
  }
  const pages = <R>(fetch: (key: Uint8Array) => { items: R[]; next: Uint8Array }): R[] => {
    const out: R[] = []
    let key = new Uint8Array()
    for (let i = 0; i < 10_000; i++) {
      const { items, next } = fetch(key)
      out.push(...items)
      if (next.length === 0) break
      key = new Uint8Array(next)
    }
    return out
  }
  return {
    bondedValidators: () =>
      pages<TallyValidator>((key) => {
        const req = QueryValidatorsRequest.encode({ status: bondStatusToJSON(BondStatus.BOND_STATUS_BONDED), pagination: { key, offset: 0n, limit: 1000n, countTotal: false, reverse: false } }).finish()
        const bytes = ctx.query("staking", STAKING_QUERY + "Validators", req)
        if (!bytes) return { items: [], next: new Uint8Array() }
        const r = QueryValidatorsResponse.decode(bytes)
        return {
          items: r.validators.map((v) => ({ operator: v.operatorAddress, tokens: int(v.tokens, "tokens"), shares: parseDecWire(v.delegatorShares, "delegator shares") })),
          next: r.pagination?.nextKey ?? new Uint8Array()
        }
      }),
    delegations: (delegator) =>
      pages<TallyDelegation>((key) => {
        const req = QueryDelegatorDelegationsRequest.encode({ delegatorAddr: delegator, pagination: { key, offset: 0n, limit: 1000n, countTotal: false, reverse: false } }).finish()
        const bytes = ctx.query("staking", STAKING_QUERY + "DelegatorDelegations", req)
        if (!bytes) return { items: [], next: new Uint8Array() }
        const r = QueryDelegatorDelegationsResponse.decode(bytes)
        return {
          items: r.delegationResponses.map((d) => ({ validator: d.delegation!.validatorAddress, shares: parseDecWire(d.delegation!.shares, "shares") })),
          next: r.pagination?.nextKey ?? new Uint8Array()
        }
      }),
    totalBonded: () => {
      const bytes = ctx.query("staking", STAKING_QUERY + "Pool", QueryPoolRequest.encode({}).finish())
      return bytes ? int(QueryPoolResponse.decode(bytes).pool.bondedTokens, "bonded tokens") : 0n
    }
  }
}
