// Distribution with the real staking machine (modules/staking): the genesis validator's records come
// from staking's genesis hooks, a delegator joins, fees are allocated by power, the delegator and
// the validator's own delegation earn what an independent bigint computation says, and the
// delegator and the operator withdraw (rewards and commission arrive in their bank balances).
import { sha256 } from "@noble/hashes/sha2.js"
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import {
  QueryDelegationRewardsRequest, QueryDelegationRewardsResponse, QueryValidatorCommissionRequest, QueryValidatorCommissionResponse
} from "cosmjs-types/cosmos/distribution/v1beta1/query"
import { MsgWithdrawDelegatorReward, MsgWithdrawValidatorCommission } from "cosmjs-types/cosmos/distribution/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { formatAddress, parseAddress } from "../../modules/auth/Address.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { DistributionMachine } from "../../modules/distribution/Distribution.ts"
import { StakingMachine } from "../../modules/staking/Staking.ts"
import { Chain, FEE_AMOUNT, makeKey, type Key } from "../machines/support/Chain.ts"
import { delegateMsg, undelegateMsg } from "../staking/msgs.ts"

const E = 10n ** 18n
const F = BigInt(FEE_AMOUNT) * E
const D = "/cosmos.distribution.v1beta1."
const valoper = (address: string) => formatAddress(parseAddress(address, "cyber"), "cybervaloper")
const boot = (amount: bigint) => [{ denom: "boot", amount: amount.toString() }]

/** x × y / 10^18 rounded half to even (LegacyDec.Mul). */
const mulRound = (x: bigint, y: bigint): bigint => {
  const p = x * y
  const q = p / E
  const r = p % E
  return r * 2n < E ? q : r * 2n > E ? q + 1n : q % 2n === 0n ? q : q + 1n
}

test("real staking: genesis hooks, a delegation, allocation, rewards and commission paid", async () => {
  const [op, d1, x] = await Promise.all(["operator", "delegator", "payer"].map((t) => makeKey(`distribution+staking ${t}`))) as [Key, Key, Key]
  const V = valoper(op.address)
  const RATE = 123_000_000_000_000_000n // 0.123
  const selfTokens = 10_000_000n
  const chain = await Chain.open([
    new AuthMachine({ minGasPrices: "0.0001boot" }), new BankMachine(),
    new DistributionMachine({ bech32Prefix: "cyber", bondDenom: "boot" }), new StakingMachine({ bech32Prefix: "cyber", bondDenom: "boot" })
  ])
  const bondedPool = formatAddress(moduleAccountBytes("bonded_tokens_pool"), "cyber")
  await chain.init({
    auth: { accounts: [] },
    bank: { balances: [...[op, d1, x].map((k) => ({ address: k.address, coins: boot(10n ** 12n) })), { address: bondedPool, coins: boot(selfTokens) }].sort((a, b) => (a.address < b.address ? -1 : 1)) },
    distribution: {},
    staking: {
      params: { unbonding_time: "1814400s", max_validators: 100, max_entries: 7, historical_entries: 0, bond_denom: "boot", min_commission_rate: "0.000000000000000000" },
      validators: [{
        operator_address: V,
        consensus_pubkey: { "@type": "/cosmos.crypto.ed25519.PubKey", key: Buffer.from(sha256(new TextEncoder().encode("distribution+staking cons"))).toString("base64") },
        status: "BOND_STATUS_BONDED", tokens: selfTokens.toString(), delegator_shares: `${selfTokens}.000000000000000000`,
        description: { moniker: "v" },
        commission: { commission_rates: { rate: "0.123000000000000000", max_rate: "0.200000000000000000", max_change_rate: "0.010000000000000000" }, update_time: "2023-11-14T22:13:20Z" },
        min_self_delegation: "1"
      }],
      delegations: [{ delegator_address: op.address, validator_address: V, shares: `${selfTokens}.000000000000000000` }]
    }
  })
  const ok = async (k: Key, msg: Any) => {
    const r = await chain.tx(await chain.sign(k, [msg]))
    assert.is(r.code, 0, `${msg.typeUrl}: ${r.log}`)
  }
  const balance = async (address: string) =>
    BigInt(QueryBalanceResponse.decode((await chain.query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "boot" }).finish())).value).balance?.amount ?? "0")
  const rewards = async (k: Key) => {
    const r = await chain.query(D + "Query/DelegationRewards", QueryDelegationRewardsRequest.encode({ delegatorAddress: k.address, validatorAddress: V }).finish())
    assert.is(r.code, 0, r.log)
    return BigInt(QueryDelegationRewardsResponse.decode(r.value).rewards.find((c) => c.denom === "boot")?.amount ?? "0")
  }
  // one block's fees to the single bonded validator: (1 − 0.02) of them, commission rounded, the rest shared
  let open = 0n
  let commission = 0n
  const allocate = () => {
    const reward = (F * (E - 2n * 10n ** 16n)) / E
    const c = mulRound(reward, RATE)
    commission += c
    open += reward - c
  }
  // B2: d1 delegates (no fees yet: block 1 was empty); the operator's period since genesis holds nothing
  const amount = 30_000_007n
  await ok(d1, delegateMsg(d1.address, V, amount))
  let ratio = 0n // cumulative reward per token of closed periods
  // B3: a fee-paying send; its block allocates B2's fee
  allocate()
  await ok(x, { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: x.address, toAddress: x.address, amount: boot(1n) }).finish() })
  // at height 3 (B3's fee not yet allocated): pending = stake × (ratio + open / tokens)
  const tokens = selfTokens + amount
  assert.is(await rewards(d1), (ratio + open / tokens - 0n) * amount, "the delegator's pending rewards")
  assert.is(await rewards(op), (ratio + open / tokens) * selfTokens, "the operator's own delegation")
  // B4: d1 withdraws (B3's fee allocated first)
  allocate()
  const before = await balance(d1.address)
  await ok(d1, { typeUrl: D + "MsgWithdrawDelegatorReward", value: MsgWithdrawDelegatorReward.encode({ delegatorAddress: d1.address, validatorAddress: V }).finish() })
  ratio += open / tokens
  open = 0n
  const paid = (ratio * amount) / E
  assert.ok(paid > 0n)
  assert.is(await balance(d1.address), before + paid - BigInt(FEE_AMOUNT), "the delegator is paid its integral rewards")
  const c = QueryValidatorCommissionResponse.decode((await chain.query(D + "Query/ValidatorCommission", QueryValidatorCommissionRequest.encode({ validatorAddress: V }).finish())).value)
  assert.is(BigInt(c.commission.commission[0]!.amount), commission, "accumulated commission")
  // B5: the operator withdraws its commission (B4's fee allocated first)
  allocate()
  const beforeOp = await balance(op.address)
  await ok(op, { typeUrl: D + "MsgWithdrawValidatorCommission", value: MsgWithdrawValidatorCommission.encode({ validatorAddress: V }).finish() })
  assert.is(await balance(op.address), beforeOp + commission / E - BigInt(FEE_AMOUNT), "the operator is paid its integral commission")
  // B6: d1 undelegates part: the before-hook pays the rewards of the period since its withdrawal
  allocate()
  const beforeU = await balance(d1.address)
  await ok(d1, undelegateMsg(d1.address, V, 7n))
  const step = open / tokens
  ratio += step
  open = 0n
  const paid2 = (step * amount) / E
  assert.is(await balance(d1.address), beforeU + paid2 - BigInt(FEE_AMOUNT), "undelegating pays the pending rewards")
  await chain.close()
})

test.run()
