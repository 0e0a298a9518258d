/**
 * Test double of the staking machine for distribution tests (test-only): the staking.wit read API,
 * the staking gRPC queries distribution reads (Validator, Delegation, DelegatorDelegations), and
 * MsgCreateValidator / MsgDelegate / MsgUndelegate that call the distribution hooks around every
 * change, as x/staking does. No bank movement of stake and no unbonding queue: tokens and shares
 * change in place, shares are issued at the validator's current exchange rate (truncated).
 * State is kept in its namespace (text keys, JSON values of fixed shape) so branches, reverts
 * and reopen behave as for a real machine.
 */
import { QueryDelegationRequest, QueryDelegationResponse, QueryDelegatorDelegationsRequest, QueryDelegatorDelegationsResponse, QueryValidatorRequest, QueryValidatorResponse } from "cosmjs-types/cosmos/staking/v1beta1/query"
import { Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import { MsgCreateValidator, MsgDelegate, MsgUndelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Grant } from "../../chain/Capabilities.ts"
import { InvalidRequest, NotFound, TxDecodeError, UnknownRequest } from "../../chain/ChainError.ts"
import { distributionClient } from "../../chain/generated/distribution.ts"
import { stakingDispatcher, stakingInterface, type ValidatorInfo } from "../../chain/generated/staking.ts"
import type { ExecContext, Machine, MsgContext, MsgResult, QueryContext } from "../../chain/Machine.ts"
import type { KVStore } from "../../store/KVStore.ts"
import { formatAddress, parseAddress } from "../../modules/auth/Address.ts"

const ONE = 10n ** 18n
const enc = new TextEncoder()
const dec = new TextDecoder()

interface Val { operator: string; tokens: string; shares: string; rate: string }

const decode = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new TxDecodeError({ log: `invalid ${what}: ${(e as Error).message}` })
  }
}

/** The double. `hooks: false` never calls distribution (a chain without it). */
export class StakingDouble implements Machine {
  readonly name = "staking"
  readonly version = "0.0.1"
  readonly msgTypeUrls = ["/cosmos.staking.v1beta1.MsgCreateValidator", "/cosmos.staking.v1beta1.MsgDelegate", "/cosmos.staking.v1beta1.MsgUndelegate"]
  readonly queryPrefixes = ["/cosmos.staking.v1beta1.Query/"]
  readonly interface = stakingInterface
  readonly grants: ReadonlyArray<Grant> = ["validator-created", "before-delegation-modified", "delegation-modified", "validator-removed"].map((method) => ({
    principal: "machine:staking", capability: { interface: "distribution", method, constraints: [] }
  }))

  private getVal(store: KVStore, operator: string): Val | undefined {
    const raw = store.get(enc.encode(`v/${operator}`))
    return raw ? (JSON.parse(dec.decode(raw)) as Val) : undefined
  }
  private setVal(store: KVStore, v: Val): void {
    store.set(enc.encode(`v/${v.operator}`), enc.encode(JSON.stringify({ operator: v.operator, tokens: v.tokens, shares: v.shares, rate: v.rate })))
  }
  private getDel(store: KVStore, delegator: string, operator: string): bigint | undefined {
    const raw = store.get(enc.encode(`d/${delegator}/${operator}`))
    return raw ? BigInt(dec.decode(raw)) : undefined
  }
  private setDel(store: KVStore, delegator: string, operator: string, shares: bigint): void {
    const k = enc.encode(`d/${delegator}/${operator}`)
    if (shares === 0n) store.delete(k)
    else store.set(k, enc.encode(shares.toString()))
  }
  private vals(store: KVStore): Val[] {
    return [...store.iterate(enc.encode("v/"), enc.encode("v0"))].map(([, v]) => JSON.parse(dec.decode(v)) as Val)
  }
  private info(v: Val): ValidatorInfo {
    const tokens = BigInt(v.tokens)
    return {
      operator: v.operator, consensusPubkey: new Uint8Array(32), tokens: v.tokens, delegatorShares: v.shares, bonded: tokens >= 1_000_000n,
      commissionRate: v.rate, power: tokens >= 1_000_000n ? tokens / 1_000_000n : 0n, maxCommissionRate: v.rate, maxChangeRate: "0"
    }
  }

  private hooks(ctx: ExecContext) {
    return ctx.hasMachine("distribution") ? distributionClient((c) => ctx.call(c)) : undefined
  }

  signers(msg: Any): ReadonlyArray<string> {
    if (msg.typeUrl === this.msgTypeUrls[0]) {
      const m = decode("MsgCreateValidator", () => MsgCreateValidator.decode(msg.value))
      return [formatAddress(parseAddress(m.validatorAddress, "cybervaloper"), "cyber")]
    }
    if (msg.typeUrl === this.msgTypeUrls[1]) return [decode("MsgDelegate", () => MsgDelegate.decode(msg.value)).delegatorAddress]
    if (msg.typeUrl === this.msgTypeUrls[2]) return [decode("MsgUndelegate", () => MsgUndelegate.decode(msg.value)).delegatorAddress]
    throw new UnknownRequest({ log: `unknown ${msg.typeUrl}` })
  }

  /** Change `delegator`'s delegation to `operator` by `amount` tokens (negative: undelegate), with the hooks around it. */
  private change(ctx: ExecContext, delegator: string, operator: string, amount: bigint): void {
    const h = this.hooks(ctx)
    h?.beforeDelegationModified({ delegator, validator: operator })
    const v = this.getVal(ctx.store, operator)
    if (!v) throw new NotFound({ log: `no validator ${operator}` })
    const tokens = BigInt(v.tokens)
    const total = BigInt(v.shares)
    const shares = tokens === 0n ? amount * ONE : (total * amount) / tokens
    const mine = (this.getDel(ctx.store, delegator, operator) ?? 0n) + shares
    if (mine < 0n) throw new InvalidRequest({ log: "not enough shares" })
    this.setDel(ctx.store, delegator, operator, mine)
    const next = { ...v, tokens: (tokens + amount).toString(), shares: (total + shares).toString() }
    this.setVal(ctx.store, next)
    h?.delegationModified({ delegator, validator: operator })
    if (next.shares === "0") {
      ctx.store.delete(enc.encode(`v/${operator}`))
      h?.validatorRemoved({ validator: operator })
    }
  }

  handle(ctx: MsgContext, msg: Any): MsgResult {
    if (msg.typeUrl === this.msgTypeUrls[0]) {
      const m = decode("MsgCreateValidator", () => MsgCreateValidator.decode(msg.value))
      this.setVal(ctx.store, { operator: m.validatorAddress, tokens: "0", shares: "0", rate: m.commission?.rate ?? "0" })
      this.hooks(ctx)?.validatorCreated({ validator: m.validatorAddress })
      this.change(ctx, formatAddress(parseAddress(m.validatorAddress, "cybervaloper"), "cyber"), m.validatorAddress, BigInt(m.value?.amount ?? "0"))
    } else if (msg.typeUrl === this.msgTypeUrls[1]) {
      const m = decode("MsgDelegate", () => MsgDelegate.decode(msg.value))
      this.change(ctx, m.delegatorAddress, m.validatorAddress, BigInt(m.amount?.amount ?? "0"))
    } else {
      const m = decode("MsgUndelegate", () => MsgUndelegate.decode(msg.value))
      this.change(ctx, m.delegatorAddress, m.validatorAddress, -BigInt(m.amount?.amount ?? "0"))
    }
    return { typeUrl: msg.typeUrl + "Response", value: new Uint8Array() }
  }

  readonly onCall = stakingDispatcher({
    // the double's validators have no consensus keys: its chains' blocks carry no last commit
    validatorByConsensusAddress: () => ({}),
    bondDenom: () => ({ denom: "boot" }),
    validatorRecord: () => {
      throw new UnknownRequest({ log: "staking double: validator-record is not modelled" })
    },
    receivingRedelegation: () => ({ found: false }),
    // the delegator's own calls (CosmWasm contracts) are not part of the double
    delegate: () => {
      throw new UnknownRequest({ log: "staking double: delegate is not modelled" })
    },
    undelegate: () => {
      throw new UnknownRequest({ log: "staking double: undelegate is not modelled" })
    },
    redelegate: () => {
      throw new UnknownRequest({ log: "staking double: redelegate is not modelled" })
    },
    validator: (ctx, _c, req) => {
      const v = this.getVal(ctx.store, req.operator)
      return v ? { validator: this.info(v) } : {}
    },
    delegation: (ctx, _c, req) => {
      const s = this.getDel(ctx.store, req.delegator, req.validator)
      return { found: s !== undefined, shares: (s ?? 0n).toString() }
    },
    delegatorDelegations: (ctx, _c, req) => ({
      delegations: [...ctx.store.iterate(enc.encode(`d/${req.delegator}/`), enc.encode(`d/${req.delegator}0`))].map(([k, v]) => ({
        validator: dec.decode(k).split("/")[2]!, shares: dec.decode(v)
      }))
    }),
    bondedValidators: (ctx) => ({
      validators: this.vals(ctx.store).map((v) => this.info(v)).filter((v) => v.bonded)
        .sort((a, b) => (a.power !== b.power ? (a.power > b.power ? -1 : 1) : a.operator < b.operator ? -1 : 1))
    }),
    totalBonded: (ctx) => ({ tokens: this.vals(ctx.store).reduce((s, v) => s + BigInt(v.tokens), 0n).toString() })
  })

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    const method = path.slice(this.queryPrefixes[0]!.length)
    if (method === "Validator") {
      const v = this.getVal(ctx.store, QueryValidatorRequest.decode(data).validatorAddr)
      if (!v) throw new NotFound({ log: "validator not found" })
      return QueryValidatorResponse.encode({
        validator: Validator.fromPartial({ operatorAddress: v.operator, tokens: v.tokens, delegatorShares: v.shares, commission: { commissionRates: { rate: v.rate, maxRate: v.rate, maxChangeRate: "0" } } })
      }).finish()
    }
    if (method === "Delegation") {
      const r = QueryDelegationRequest.decode(data)
      const s = this.getDel(ctx.store, r.delegatorAddr, r.validatorAddr)
      if (s === undefined) throw new NotFound({ log: "delegation not found" })
      return QueryDelegationResponse.encode({
        delegationResponse: { delegation: { delegatorAddress: r.delegatorAddr, validatorAddress: r.validatorAddr, shares: s.toString() }, balance: { denom: "boot", amount: "0" } }
      }).finish()
    }
    if (method === "DelegatorDelegations") {
      const r = QueryDelegatorDelegationsRequest.decode(data)
      const list = [...ctx.store.iterate(enc.encode(`d/${r.delegatorAddr}/`), enc.encode(`d/${r.delegatorAddr}0`))]
      return QueryDelegatorDelegationsResponse.encode({
        delegationResponses: list.map(([k, v]) => ({
          delegation: { delegatorAddress: r.delegatorAddr, validatorAddress: dec.decode(k).split("/")[2]!, shares: dec.decode(v) }, balance: { denom: "boot", amount: "0" }
        }))
      }).finish()
    }
    throw new UnknownRequest({ log: `unknown query ${path}` })
  }

  /** Genesis: the namespace's entries as text pairs (the double's own shape). */
  initGenesis(ctx: ExecContext, genesis: unknown): void {
    for (const [k, v] of ((genesis as { entries?: Array<[string, string]> } | undefined)?.entries ?? [])) ctx.store.set(enc.encode(k), enc.encode(v))
  }
  exportGenesis(ctx: QueryContext): unknown {
    return { entries: [...ctx.store.iterate()].map(([k, v]) => [dec.decode(k), dec.decode(v)]) }
  }
}
