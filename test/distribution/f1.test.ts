// F1 fee distribution on the real multiplexer with the staking test double: two validators with
// commission, two delegators, a delegation added mid-way, withdrawals, commission, an undelegation,
// a withdraw address. Every amount is checked against an independent bigint model in this file that
// follows the rules of x/distribution (allocation by power after the community tax, commission
// rounded half to even, per-period reward per token truncated, stake × ratio truncated).
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import {
  QueryCommunityPoolRequest, QueryCommunityPoolResponse, QueryDelegationRewardsRequest, QueryDelegationRewardsResponse, QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse, QueryDelegatorValidatorsRequest, QueryDelegatorValidatorsResponse, QueryValidatorCommissionRequest,
  QueryValidatorCommissionResponse, QueryValidatorDistributionInfoRequest, QueryValidatorDistributionInfoResponse, QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse
} from "cosmjs-types/cosmos/distribution/v1beta1/query"
import {
  MsgDepositValidatorRewardsPool, MsgSetWithdrawAddress, MsgWithdrawDelegatorReward, MsgWithdrawDelegatorRewardResponse, MsgWithdrawValidatorCommission
} from "cosmjs-types/cosmos/distribution/v1beta1/tx"
import { MsgCreateValidator, MsgDelegate, MsgUndelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { formatAddress, parseAddress } from "../../modules/auth/Address.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { DistributionMachine } from "../../modules/distribution/Distribution.ts"
import { Chain, FEE_AMOUNT, makeKey, type Key } from "../machines/support/Chain.ts"
import { StakingDouble } from "./StakingDouble.ts"

const E = 10n ** 18n
const F = BigInt(FEE_AMOUNT)
const TAX = 2n * 10n ** 16n
const D = "/cosmos.distribution.v1beta1."
const Q = D + "Query/"

// ---------------------------------------------------------------- the independent model

/** x × y / 10^18 rounded half to even. */
const mulRound = (x: bigint, y: bigint): bigint => {
  const p = x * y
  const q = p / E
  const r = p % E
  return r * 2n < E ? q : r * 2n > E ? q + 1n : q % 2n === 0n ? q : q + 1n
}

interface ModelValidator {
  tokens: bigint
  rate: bigint
  /** shared rewards of the open period (atto) */
  open: bigint
  /** cumulative reward per token of closed periods (atto per token) */
  ratio: bigint
  commission: bigint
  outstanding: bigint
}

class Model {
  readonly vals = new Map<string, ModelValidator>()
  pool = 0n
  /** Allocate one block's fees (atto) over the validators' current powers (tokens / 10^6), in `order`. */
  allocate(fees: bigint, order: ReadonlyArray<string>): void {
    const powers = order.map((v) => this.vals.get(v)!.tokens / 1_000_000n)
    const total = powers.reduce((a, b) => a + b, 0n)
    if (total === 0n) {
      this.pool += fees
      return
    }
    const forValidators = (fees * (E - TAX)) / E
    let given = 0n
    order.forEach((v, i) => {
      const val = this.vals.get(v)!
      const reward = (forValidators * ((powers[i]! * E) / total)) / E
      const commission = mulRound(reward, val.rate)
      val.commission += commission
      val.open += reward - commission
      val.outstanding += reward
      given += reward
    })
    this.pool += fees - given
  }
  /** Close the open period: ratio += open / tokens (truncated). */
  close(v: string): bigint {
    const val = this.vals.get(v)!
    val.ratio += val.open / val.tokens
    val.open = 0n
    return val.ratio
  }
  /** Pending ratio without closing. */
  peek(v: string): bigint {
    const val = this.vals.get(v)!
    return val.ratio + val.open / val.tokens
  }
  /** Withdraw `stake` tokens' rewards since `from`: closes the period, pays the integer part, fractions to the pool. */
  withdraw(v: string, from: bigint, stake: bigint): { paid: bigint; ratio: bigint } {
    const ratio = this.close(v)
    const reward = (ratio - from) * stake
    this.vals.get(v)!.outstanding -= reward
    this.pool += reward % E
    return { paid: reward / E, ratio }
  }
}

// ---------------------------------------------------------------- chain helpers

const valoper = (k: Key): string => formatAddress(parseAddress(k.address, "cyber"), "cybervaloper")
const coin = (amount: bigint) => ({ denom: "boot", amount: amount.toString() })
const createValidator = (k: Key, rate: bigint, amount: bigint): Any => ({
  typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator",
  value: MsgCreateValidator.encode(MsgCreateValidator.fromPartial({ validatorAddress: valoper(k), commission: { rate: rate.toString() }, value: coin(amount) })).finish()
})
const delegate = (k: Key, v: Key, amount: bigint): Any => ({
  typeUrl: "/cosmos.staking.v1beta1.MsgDelegate", value: MsgDelegate.encode({ delegatorAddress: k.address, validatorAddress: valoper(v), amount: coin(amount) }).finish()
})
const undelegate = (k: Key, v: Key, amount: bigint): Any => ({
  typeUrl: "/cosmos.staking.v1beta1.MsgUndelegate", value: MsgUndelegate.encode({ delegatorAddress: k.address, validatorAddress: valoper(v), amount: coin(amount) }).finish()
})
const withdraw = (k: Key, v: Key): Any => ({
  typeUrl: D + "MsgWithdrawDelegatorReward", value: MsgWithdrawDelegatorReward.encode({ delegatorAddress: k.address, validatorAddress: valoper(v) }).finish()
})

const setup = async () => {
  const [a, b, d1, d2, x] = await Promise.all(["val A", "val B", "delegator 1", "delegator 2", "fee payer"].map((t) => makeKey(`distribution f1 ${t}`)))
  const keys = [a!, b!, d1!, d2!, x!]
  const chain = await Chain.open([
    new AuthMachine({ minGasPrices: "0.0001boot", moduleAccounts: [{ name: "fee_collector", permissions: [] }, { name: "distribution", permissions: [] }] }),
    new BankMachine(), new DistributionMachine({ bech32Prefix: "cyber", bondDenom: "boot" }), new StakingDouble()
  ])
  await chain.init({
    auth: { accounts: [] },
    bank: { balances: keys.map((k) => k.address).sort().map((address) => ({ address, coins: [coin(10n ** 12n)] })) },
    distribution: {}, staking: {}
  })
  return { chain, a: a!, b: b!, d1: d1!, d2: d2!, x: x! }
}

const balance = async (chain: Chain, address: string): Promise<bigint> => {
  const r = await chain.query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "boot" }).finish())
  return BigInt(QueryBalanceResponse.decode(r.value).balance?.amount ?? "0")
}
const ask = async <T>(chain: Chain, path: string, data: Uint8Array, dec: (b: Uint8Array) => T): Promise<T> => {
  const r = await chain.query(Q + path, data)
  assert.is(r.code, 0, `${path}: ${r.log}`)
  return dec(r.value)
}
const atto = (coins: ReadonlyArray<{ denom: string; amount: string }>): bigint => BigInt(coins.find((c) => c.denom === "boot")?.amount ?? "0")
const send = async (chain: Chain, k: Key, msg: Any) => {
  const r = await chain.tx(await chain.sign(k, [msg]))
  assert.is(r.code, 0, `${msg.typeUrl}: ${r.log}`)
  return r
}

test("F1: allocation by power, commission, a delegation added mid-way, withdrawals, commission, undelegation, withdraw address", async () => {
  const { chain, a, b, d1, d2, x } = await setup()
  const m = new Model()
  const A = valoper(a)
  const B = valoper(b)
  const tokens = { a: 10_000_003n, b: 5_000_000n, d1: 30_000_007n, d2: 20_000_011n }
  const order = () => [...m.vals.entries()].filter(([, v]) => v.tokens >= 1_000_000n)
    .sort(([ka, va], [kb, vb]) => (va.tokens / 1_000_000n !== vb.tokens / 1_000_000n ? (va.tokens > vb.tokens ? -1 : 1) : ka < kb ? -1 : 1)).map(([k]) => k)
  const fees = (n: bigint) => m.allocate(n * F * E, order())

  // B2: A created (no fees from block 1); its self-delegation starts after closed period 1 (ratio 0)
  await send(chain, a, createValidator(a, 10n ** 17n, tokens.a))
  m.vals.set(A, { tokens: tokens.a, rate: 10n ** 17n, open: 0n, ratio: 0n, commission: 0n, outstanding: 0n })
  // B3: block 2's fee all to A (power 10); B created
  fees(1n)
  await send(chain, b, createValidator(b, 5n * 10n ** 16n, tokens.b))
  m.vals.set(B, { tokens: tokens.b, rate: 5n * 10n ** 16n, open: 0n, ratio: 0n, commission: 0n, outstanding: 0n })
  // B4: split A 10 : B 5; D1 delegates to A (period closes at A's old tokens)
  fees(1n)
  await send(chain, d1, delegate(d1, a, tokens.d1))
  const d1Start = m.close(A)
  m.vals.get(A)!.tokens += tokens.d1
  // B5: A 40 : B 5; D2 delegates
  fees(1n)
  await send(chain, d2, delegate(d2, a, tokens.d2))
  const d2Start = m.close(A)
  m.vals.get(A)!.tokens += tokens.d2
  // B6: A 60 : B 5; an unrelated fee-paying send
  fees(1n)
  await send(chain, x, { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: x.address, toAddress: x.address, amount: [coin(1n)] }).finish() })
  // B7: D1 withdraws
  fees(1n)
  const before7 = await balance(chain, d1.address)
  const r7 = await send(chain, d1, withdraw(d1, a))
  const w1 = m.withdraw(A, d1Start, tokens.d1)
  assert.ok(w1.paid > 0n, "D1 earned something")
  assert.is(await balance(chain, d1.address), before7 + w1.paid - F, "D1 receives the integer part of its rewards (less its fee)")
  const resp = MsgWithdrawDelegatorRewardResponse.decode(TxMsgData.decode(r7.data).msgResponses[0]!.value)
  assert.equal(resp.amount, [coin(w1.paid)], "the response names the amount paid")

  // queries at height 7: D2's pending rewards, A's self-delegation, D1 restarted this block (zero), records
  const rewards = (k: Key, v: string) => ask(chain, "DelegationRewards", QueryDelegationRewardsRequest.encode({ delegatorAddress: k.address, validatorAddress: v }).finish(), QueryDelegationRewardsResponse.decode)
  assert.is(atto((await rewards(d2, A)).rewards), (m.peek(A) - d2Start) * tokens.d2, "D2 pending rewards")
  assert.is(atto((await rewards(a, A)).rewards), m.peek(A) * tokens.a, "A's self-delegation pending rewards")
  assert.is(atto((await rewards(b, B)).rewards), m.peek(B) * tokens.b, "B's self-delegation pending rewards")
  assert.equal((await rewards(d1, A)).rewards, [], "a delegation restarted in this block has no rewards yet")
  const info = await ask(chain, "ValidatorDistributionInfo", QueryValidatorDistributionInfoRequest.encode({ validatorAddress: A }).finish(), QueryValidatorDistributionInfoResponse.decode)
  assert.is(info.operatorAddress, a.address)
  assert.is(atto(info.selfBondRewards), m.peek(A) * tokens.a, "ValidatorDistributionInfo: the operator's own rewards")
  assert.is(atto(info.commission), m.vals.get(A)!.commission, "ValidatorDistributionInfo: commission")
  const total = await ask(chain, "DelegationTotalRewards", QueryDelegationTotalRewardsRequest.encode({ delegatorAddress: d2.address }).finish(), QueryDelegationTotalRewardsResponse.decode)
  assert.is(atto(total.total), (m.peek(A) - d2Start) * tokens.d2)
  assert.equal(total.rewards.map((r) => r.validatorAddress), [A])
  const dv = await ask(chain, "DelegatorValidators", QueryDelegatorValidatorsRequest.encode({ delegatorAddress: d1.address }).finish(), QueryDelegatorValidatorsResponse.decode)
  assert.equal(dv.validators, [A])
  const commission = (v: string) => ask(chain, "ValidatorCommission", QueryValidatorCommissionRequest.encode({ validatorAddress: v }).finish(), QueryValidatorCommissionResponse.decode)
  const outstanding = (v: string) => ask(chain, "ValidatorOutstandingRewards", QueryValidatorOutstandingRewardsRequest.encode({ validatorAddress: v }).finish(), QueryValidatorOutstandingRewardsResponse.decode)
  const pool = () => ask(chain, "CommunityPool", QueryCommunityPoolRequest.encode({}).finish(), QueryCommunityPoolResponse.decode)
  const checkRecords = async (what: string) => {
    for (const v of [A, B]) {
      assert.is(atto((await commission(v)).commission.commission), m.vals.get(v)!.commission, `${what}: commission of ${v}`)
      assert.is(atto((await outstanding(v)).rewards.rewards), m.vals.get(v)!.outstanding, `${what}: outstanding of ${v}`)
    }
    assert.is(atto((await pool()).pool), m.pool, `${what}: community pool`)
    const held = await balance(chain, formatAddress(moduleAccountBytes("distribution"), "cyber"))
    assert.is(held * E, m.vals.get(A)!.outstanding + m.vals.get(B)!.outstanding + m.pool, `${what}: the distribution account holds exactly outstanding + pool`)
  }
  await checkRecords("after D1's withdrawal")

  // B8: A withdraws its commission; the fraction stays
  fees(1n)
  const before8 = await balance(chain, a.address)
  await send(chain, a, { typeUrl: D + "MsgWithdrawValidatorCommission", value: MsgWithdrawValidatorCommission.encode({ validatorAddress: A }).finish() })
  const va = m.vals.get(A)!
  const paidCommission = va.commission / E
  va.commission %= E
  va.outstanding -= paidCommission * E
  assert.is(await balance(chain, a.address), before8 + paidCommission - F, "A receives its integral commission")
  // B9: D1 undelegates everything: the before-hook pays its rewards of the new period
  fees(1n)
  const before9 = await balance(chain, d1.address)
  await send(chain, d1, undelegate(d1, a, tokens.d1))
  const w2 = m.withdraw(A, w1.ratio, tokens.d1)
  va.tokens -= tokens.d1
  assert.is(await balance(chain, d1.address), before9 + w2.paid - F, "undelegating pays the rewards earned since the last withdrawal")
  const gone = await chain.query(Q + "DelegationRewards", QueryDelegationRewardsRequest.encode({ delegatorAddress: d1.address, validatorAddress: A }).finish())
  assert.is(gone.code, 13, `no delegation any more: ${gone.log}`)
  // B10: an empty block allocates B9's fee at A's reduced power
  fees(1n)
  await chain.block([])
  assert.is(atto((await rewards(d2, A)).rewards), (m.peek(A) - d2Start) * tokens.d2, "D2 pending rewards after the undelegation")
  await checkRecords("after the undelegation")

  // B11: D2 sends future rewards to a fresh address; fee_collector is refused as one
  const w = (await makeKey("distribution f1 withdraw address")).address
  const blocked = await chain.tx(await chain.sign(d2, [{
    typeUrl: D + "MsgSetWithdrawAddress", value: MsgSetWithdrawAddress.encode({ delegatorAddress: d2.address, withdrawAddress: formatAddress(moduleAccountBytes("fee_collector"), "cyber") }).finish()
  }]))
  assert.is(blocked.code, 4, `a module account cannot be a withdraw address: ${blocked.log}`)
  fees(1n) // B12 begin: the refused tx still paid its fee
  await send(chain, d2, { typeUrl: D + "MsgSetWithdrawAddress", value: MsgSetWithdrawAddress.encode({ delegatorAddress: d2.address, withdrawAddress: w }).finish() })
  fees(1n)
  const before13 = await balance(chain, d2.address)
  await send(chain, d2, withdraw(d2, a))
  const w3 = m.withdraw(A, d2Start, tokens.d2)
  assert.is(await balance(chain, w), w3.paid, "D2's rewards go to its withdraw address")
  assert.is(await balance(chain, d2.address), before13 - F, "D2 itself only pays the fee")
  await checkRecords("after D2's withdrawal")

  // B14: a deposit into B's rewards pool is split like a block's share: commission, then delegators
  fees(1n)
  const deposit = 1_000_003n
  await send(chain, x, {
    typeUrl: D + "MsgDepositValidatorRewardsPool",
    value: MsgDepositValidatorRewardsPool.encode({ depositor: x.address, validatorAddress: B, amount: [coin(deposit)] }).finish()
  })
  const vb = m.vals.get(B)!
  const depositCommission = mulRound(deposit * E, vb.rate)
  vb.commission += depositCommission
  vb.open += deposit * E - depositCommission
  vb.outstanding += deposit * E
  await checkRecords("after a deposit to B's rewards pool")
  assert.is(atto((await rewards(b, B)).rewards), m.peek(B) * tokens.b, "B's self-delegation earns the deposit")
  await chain.close()
})

test.run()
