/**
 * `cyberkernel tx staking delegate <validator> <amount> | unbond <validator> <amount> |
 * redelegate <src-validator> <dst-validator> <amount> --from <key>` (signed with a keyring key,
 * broadcast through CosmJS's SigningStargateClient, gas simulated × 1.5) and
 * `cyberkernel query staking validators [--status] | delegations <delegator>` (abci_query on
 * /cosmos.staking.v1beta1.Query paths). Amounts are coins of the bond denom, e.g. 1000000boot.
 *
 * Source: cosmos-sdk x/staking/client/cli/tx.go (NewDelegateCmd, NewUnbondCmd, NewRedelegateCmd),
 * x/staking/client/cli/query.go (GetCmdQueryValidators, GetCmdQueryDelegations).
 */
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import type { EncodeObject } from "@cosmjs/proto-signing"
import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin"
import { QueryDelegatorDelegationsRequest, QueryDelegatorDelegationsResponse, QueryValidatorsRequest, QueryValidatorsResponse } from "cosmjs-types/cosmos/staking/v1beta1/query"
import { BondStatus, bondStatusToJSON } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import { MsgBeginRedelegateResponse, MsgUndelegateResponse } from "cosmjs-types/cosmos/staking/v1beta1/tx"
import { minGasPricesText } from "../../node/config/NodeConfig.ts"
import { abciQuery, CliFailure, cliPromise, emit, keyring, NodeUrl } from "../Globals.ts"

const fail = (message: string) => Effect.fail(new CliFailure({ message }))
const fromFlag = Flag.String("from").pipe(Flag.withDescription("signer: key name or address in the keyring"))
const amountArg = Argument.String("amount").pipe(Argument.withDescription("coins of the bond denom, e.g. 1000000boot"))
const validatorArg = (name: string) => Argument.String(name).pipe(Argument.withDescription("validator operator address (bech32 <prefix>valoper...)"))
const Q = "/cosmos.staking.v1beta1.Query/"

/** One coin, or CliFailure naming the text. */
const oneCoin = (text: string) =>
  Effect.gen(function* () {
    const { parseCoins } = yield* Effect.promise(() => import("@cosmjs/proto-signing"))
    const coins = yield* Effect.try({ try: () => parseCoins(text), catch: () => new CliFailure({ message: `invalid amount ${JSON.stringify(text)}: expected one coin like 1000000boot` }) })
    if (coins.length !== 1) return yield* fail(`invalid amount ${JSON.stringify(text)}: expected one coin like 1000000boot`)
    return coins[0]! as Coin
  })

/** A valoper address of the home's prefix, or CliFailure. */
const valoper = (text: string, prefix: string) =>
  Effect.gen(function* () {
    const { fromBech32 } = yield* Effect.promise(() => import("@cosmjs/encoding"))
    const d = yield* Effect.try({ try: () => fromBech32(text, 90), catch: (e) => new CliFailure({ message: `invalid validator address ${JSON.stringify(text)}: ${(e as Error).message}` }) })
    if (d.prefix !== `${prefix}valoper`) return yield* fail(`invalid validator address ${JSON.stringify(text)}: prefix ${JSON.stringify(d.prefix)}, expected ${JSON.stringify(`${prefix}valoper`)}`)
    return text
  })

/** Sign `msgs` (built from the signer's address) with key `from` and broadcast; fails on a non-zero code. */
const broadcast = (from: string, msgs: (address: string, prefix: string) => Effect.Effect<EncodeObject[], CliFailure>) =>
  Effect.gen(function* () {
    const { keyring: kr, config } = yield* keyring
    const info = yield* kr.show(from)
    const built = yield* msgs(info.address, config.chain.bech32Prefix)
    const signer = yield* kr.signer(info.name)
    const node = yield* NodeUrl
    const { GasPrice, SigningStargateClient } = yield* Effect.promise(() => import("@cosmjs/stargate"))
    const client = yield* cliPromise(`cannot connect to ${node}`, () =>
      SigningStargateClient.connectWithSigner(node, signer, { gasPrice: GasPrice.fromString(minGasPricesText(config)), broadcastPollIntervalMs: 250 }))
    yield* Effect.addFinalizer(() => Effect.sync(() => client.disconnect()))
    const r = yield* cliPromise("transaction failed", () => client.signAndBroadcast(info.address, built, 1.5))
    if (r.code !== 0) return yield* fail(`tx ${r.transactionHash} failed with code ${r.code}: ${r.rawLog ?? ""}`)
    return r
  }).pipe(Effect.scoped)

const delegate = Command.make("delegate", { validator: validatorArg("validator"), amount: amountArg, from: fromFlag }, (o) =>
  Effect.gen(function* () {
    const amount = yield* oneCoin(o.amount)
    const r = yield* broadcast(o.from, (delegatorAddress, prefix) =>
      valoper(o.validator, prefix).pipe(Effect.map((validatorAddress) => [{ typeUrl: "/cosmos.staking.v1beta1.MsgDelegate", value: { delegatorAddress, validatorAddress, amount } }])))
    yield* emit({ txhash: r.transactionHash, height: r.height, code: r.code }, () => `txhash: ${r.transactionHash}\nheight: ${r.height}`)
  })).pipe(Command.withDescription("Delegate coins to a validator"))

const unbond = Command.make("unbond", { validator: validatorArg("validator"), amount: amountArg, from: fromFlag }, (o) =>
  Effect.gen(function* () {
    const amount = yield* oneCoin(o.amount)
    const r = yield* broadcast(o.from, (delegatorAddress, prefix) =>
      valoper(o.validator, prefix).pipe(Effect.map((validatorAddress) => [{ typeUrl: "/cosmos.staking.v1beta1.MsgUndelegate", value: { delegatorAddress, validatorAddress, amount } }])))
    const data = r.msgResponses[0]
    const completion = data ? MsgUndelegateResponse.decode(data.value).completionTime.seconds.toString() : ""
    yield* emit({ txhash: r.transactionHash, height: r.height, code: r.code, completion_time_unix: completion },
      () => `txhash: ${r.transactionHash}\nheight: ${r.height}\ncompletes at unix time: ${completion}`)
  })).pipe(Command.withDescription("Undelegate coins from a validator (paid back after the unbonding time)"))

const redelegate = Command.make("redelegate", { src: validatorArg("src-validator"), dst: validatorArg("dst-validator"), amount: amountArg, from: fromFlag }, (o) =>
  Effect.gen(function* () {
    const amount = yield* oneCoin(o.amount)
    const r = yield* broadcast(o.from, (delegatorAddress, prefix) =>
      Effect.all([valoper(o.src, prefix), valoper(o.dst, prefix)]).pipe(Effect.map(([validatorSrcAddress, validatorDstAddress]) => [{
        typeUrl: "/cosmos.staking.v1beta1.MsgBeginRedelegate", value: { delegatorAddress, validatorSrcAddress, validatorDstAddress, amount }
      }])))
    const data = r.msgResponses[0]
    const completion = data ? MsgBeginRedelegateResponse.decode(data.value).completionTime.seconds.toString() : ""
    yield* emit({ txhash: r.transactionHash, height: r.height, code: r.code, completion_time_unix: completion },
      () => `txhash: ${r.transactionHash}\nheight: ${r.height}\ncompletes at unix time: ${completion}`)
  })).pipe(Command.withDescription("Move a delegation from one validator to another"))

/** `tx staking ...` */
export const stakingTxCommand = Command.make("staking").pipe(Command.withDescription("Staking transactions"), Command.withSubcommands([delegate, unbond, redelegate]))

const STATUSES: Record<string, string> = {
  bonded: bondStatusToJSON(BondStatus.BOND_STATUS_BONDED), unbonding: bondStatusToJSON(BondStatus.BOND_STATUS_UNBONDING), unbonded: bondStatusToJSON(BondStatus.BOND_STATUS_UNBONDED)
}

const validators = Command.make("validators", {
  status: Flag.String("status").pipe(Flag.withDescription("bonded, unbonding or unbonded (default: all)"), Flag.withDefault("")),
  limit: Flag.Int("limit").pipe(Flag.withDescription("results per page"), Flag.withDefault(100))
}, (o) =>
  Effect.gen(function* () {
    const status = o.status === "" ? "" : STATUSES[o.status.toLowerCase()]
    if (status === undefined) return yield* fail(`invalid --status ${JSON.stringify(o.status)}: bonded, unbonding or unbonded`)
    const req = QueryValidatorsRequest.fromPartial({ status, pagination: { limit: BigInt(o.limit) } })
    const r = QueryValidatorsResponse.decode(yield* abciQuery(Q + "Validators", QueryValidatorsRequest.encode(req).finish()))
    const json = {
      validators: r.validators.map((v) => ({
        operator_address: v.operatorAddress, status: bondStatusToJSON(v.status), tokens: v.tokens, delegator_shares: v.delegatorShares,
        moniker: v.description.moniker, commission_rate: v.commission.commissionRates.rate
      }))
    }
    yield* emit(json, () => (json.validators.length === 0 ? "validators: []" : json.validators.map((v) => `${v.operator_address}  ${v.status}  ${v.tokens}  ${v.moniker}`).join("\n")))
  })).pipe(Command.withDescription("Validators, optionally by status"))

const delegations = Command.make("delegations", {
  delegator: Argument.String("delegator").pipe(Argument.withDescription("delegator bech32 account address"))
}, (o) =>
  Effect.gen(function* () {
    const r = QueryDelegatorDelegationsResponse.decode(yield* abciQuery(Q + "DelegatorDelegations", QueryDelegatorDelegationsRequest.encode({ delegatorAddr: o.delegator }).finish()))
    const json = {
      delegation_responses: r.delegationResponses.map((d) => ({
        delegation: { delegator_address: d.delegation.delegatorAddress, validator_address: d.delegation.validatorAddress, shares: d.delegation.shares },
        balance: d.balance
      }))
    }
    yield* emit(json, () => (json.delegation_responses.length === 0 ? "delegations: []" : json.delegation_responses.map((d) => `${d.delegation.validator_address}  ${d.balance.amount}${d.balance.denom}`).join("\n")))
  })).pipe(Command.withDescription("Delegations of a delegator"))

/** `query staking ...` */
export const stakingQueryCommand = Command.make("staking").pipe(Command.withDescription("Staking queries"), Command.withSubcommands([validators, delegations]))
