/**
 * Test double of the staking machine for gov's unit tests only: a fixed validator set and
 * delegations from its genesis section, served through the staking WIT contract
 * (wit/chain/staking.wit: bonded-validators, delegator-delegations, total-bonded, validator,
 * delegation) and the three staking gRPC queries gov's live tally reads (Validators, DelegatorDelegations,
 * Pool). Shares are LegacyDec wire text (scaled by 10^18), tokens integers, as the real machine gives.
 */
import { BondStatus, bondStatusToJSON, Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import {
  QueryDelegatorDelegationsRequest, QueryDelegatorDelegationsResponse, QueryPoolResponse, QueryValidatorsRequest, QueryValidatorsResponse
} from "cosmjs-types/cosmos/staking/v1beta1/query"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { UnknownRequest } from "../../../chain/ChainError.ts"
import { stakingDispatcher, stakingInterface, type ValidatorInfo } from "../../../chain/generated/staking.ts"
import type { ExecContext, Machine, MsgResult, QueryContext } from "../../../chain/Machine.ts"
import type { KVStore } from "../../../store/KVStore.ts"

/** Genesis of the double. `shares` are human decimals ("1000", "0.5"); `bonded` defaults to true. */
export interface StakingDoubleGenesis {
  readonly validators: ReadonlyArray<{ readonly operator: string; readonly tokens: string; readonly shares: string; readonly bonded?: boolean }>
  readonly delegations: ReadonlyArray<{ readonly delegator: string; readonly validator: string; readonly shares: string }>
}

const KEY = new TextEncoder().encode("genesis")
const wire = (human: string): string => {
  const [w, f = ""] = human.split(".")
  return (BigInt(w!) * 10n ** 18n + BigInt(f.padEnd(18, "0"))).toString()
}
const read = (s: KVStore): StakingDoubleGenesis => {
  const v = s.get(KEY)
  return v ? (JSON.parse(new TextDecoder().decode(v)) as StakingDoubleGenesis) : { validators: [], delegations: [] }
}
const info = (v: StakingDoubleGenesis["validators"][number]): ValidatorInfo => ({
  operator: v.operator, consensusPubkey: new Uint8Array(32), tokens: v.tokens, delegatorShares: wire(v.shares), bonded: v.bonded !== false,
  commissionRate: "0", power: v.bonded !== false ? BigInt(v.tokens) / 1_000_000n : 0n
})

/** The double: machine name "staking", no messages. */
export class StakingDouble implements Machine {
  readonly name = "staking"
  readonly version = "0.0.1"
  readonly msgTypeUrls: ReadonlyArray<string> = []
  readonly queryPrefixes: ReadonlyArray<string> = ["/cosmos.staking.v1beta1.Query/"]
  readonly interface = stakingInterface
  signers(msg: Any): ReadonlyArray<string> {
    throw new UnknownRequest({ log: `no messages: ${msg.typeUrl}` })
  }
  handle(_ctx: ExecContext, msg: Any): MsgResult {
    throw new UnknownRequest({ log: `no messages: ${msg.typeUrl}` })
  }
  readonly onCall = stakingDispatcher({
    validator: (ctx, _c, req) => {
      const v = read(ctx.store).validators.find((x) => x.operator === req.operator)
      return { validator: v ? info(v) : undefined }
    },
    delegation: (ctx, _c, req) => {
      const d = read(ctx.store).delegations.find((x) => x.delegator === req.delegator && x.validator === req.validator)
      return { found: d !== undefined, shares: d ? wire(d.shares) : "0" }
    },
    delegatorDelegations: (ctx, _c, req) => ({
      delegations: read(ctx.store).delegations.filter((d) => d.delegator === req.delegator).map((d) => ({ validator: d.validator, shares: wire(d.shares) }))
    }),
    bondedValidators: (ctx) => ({ validators: read(ctx.store).validators.filter((v) => v.bonded !== false).map(info) }),
    totalBonded: (ctx) => ({ tokens: read(ctx.store).validators.filter((v) => v.bonded !== false).reduce((a, v) => a + BigInt(v.tokens), 0n).toString() })
  })
  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    const g = read(ctx.store)
    switch (path) {
      case "/cosmos.staking.v1beta1.Query/Validators": {
        const r = QueryValidatorsRequest.decode(data)
        const vals = g.validators.filter((v) => r.status === "" || (r.status === bondStatusToJSON(BondStatus.BOND_STATUS_BONDED)) === (v.bonded !== false))
        return QueryValidatorsResponse.encode({
          validators: vals.map((v) => Validator.fromPartial({
            operatorAddress: v.operator, jailed: false, status: v.bonded !== false ? BondStatus.BOND_STATUS_BONDED : BondStatus.BOND_STATUS_UNBONDED,
            tokens: v.tokens, delegatorShares: wire(v.shares), unbondingHeight: 0n, minSelfDelegation: "1", unbondingOnHoldRefCount: 0n, unbondingIds: []
          }))
        }).finish()
      }
      case "/cosmos.staking.v1beta1.Query/DelegatorDelegations": {
        const r = QueryDelegatorDelegationsRequest.decode(data)
        return QueryDelegatorDelegationsResponse.encode({
          delegationResponses: g.delegations.filter((d) => d.delegator === r.delegatorAddr).map((d) => ({
            delegation: { delegatorAddress: d.delegator, validatorAddress: d.validator, shares: wire(d.shares) }, balance: { denom: "boot", amount: "0" }
          }))
        }).finish()
      }
      case "/cosmos.staking.v1beta1.Query/Pool": {
        const bonded = g.validators.filter((v) => v.bonded !== false).reduce((a, v) => a + BigInt(v.tokens), 0n)
        return QueryPoolResponse.encode({ pool: { bondedTokens: bonded.toString(), notBondedTokens: "0" } }).finish()
      }
      default:
        throw new UnknownRequest({ log: `staking double: unknown query ${path}` })
    }
  }
  initGenesis(ctx: ExecContext, genesis: unknown): void {
    ctx.store.set(KEY, new TextEncoder().encode(JSON.stringify(genesis ?? { validators: [], delegations: [] })))
  }
  exportGenesis(ctx: QueryContext): unknown {
    return read(ctx.store)
  }
}
