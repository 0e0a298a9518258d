/**
 * A contract stakes its own coins and only those, end to end: the published reflect 2.0 build
 * (test/fixtures/cosmwasm/reflect_2_0.wasm) on a node started by the CLI with cyberwasm, staking and
 * distribution, driven by SigningCosmWasmClient. reflect delegates (CosmosMsg::Staking) and the
 * delegation shows in CosmJS's staking extension and in the contract's own StakingQuery; an `any`
 * MsgDelegate naming its owner as delegator is refused at broadcast and nothing moves; after fee
 * paying blocks the contract reads its pending rewards (DistributionQuery) and withdraws them
 * (CosmosMsg::Distribution), its balance growing by what the withdraw_rewards event reports.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { toBase64 } from "@cosmjs/encoding"
import { calculateFee, GasPrice, QueryClient, setupDistributionExtension, setupStakingExtension } from "@cosmjs/stargate"
import { Comet38Client } from "@cosmjs/tendermint-rpc"
import { MsgDelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx"
import { eventsOf, fixture, refused, startWasmNode, waitHeight, type WasmNode } from "./e2e-support.ts"

const fee = (gas: number) => calculateFee(gas, GasPrice.fromString("0.01boot"))
let n: WasmNode
let comet: Comet38Client
let reflect = ""
let validator = ""
const balance = async (a: string) => BigInt((await n.client.getBalance(a, "boot")).amount)
const reflectMsgs = (msgs: unknown[]) => n.client.execute(n.alice, reflect, { reflect_msg: { msgs } }, "auto")
/** reflect's QueryMsg::Chain: the chain's JSON answer. */
const chainJson = async (request: unknown) => {
  const r = (await n.client.queryContractSmart(reflect, { chain: { request } })) as { data: string }
  return JSON.parse(Buffer.from(r.data, "base64").toString())
}

test.before(async () => {
  n = await startWasmNode({ staking: true })
  comet = await Comet38Client.connect(n.home.rpcUrl)
  const up = await n.client.upload(n.alice, fixture("reflect_2_0"), "auto")
  reflect = (await n.client.instantiate(n.alice, up.codeId, {}, "reflect", "auto", { admin: n.alice, funds: [{ denom: "boot", amount: "1000000" }] })).contractAddress
})

test.after(async () => {
  comet?.disconnect()
  await n?.stop()
})

test("reflect delegates its own coins; CosmJS's staking extension and the contract's StakingQuery see the delegation", async () => {
  const q = QueryClient.withExtensions(comet, setupStakingExtension)
  const { validators } = await q.staking.validators("BOND_STATUS_BONDED")
  assert.is(validators.length, 1)
  validator = validators[0]!.operatorAddress
  assert.equal(await chainJson({ staking: { bonded_denom: {} } }), { denom: "boot" })
  assert.equal((await chainJson({ staking: { all_validators: {} } })).validators.map((v: { address: string }) => v.address), [validator])
  const r = await reflectMsgs([{ staking: { delegate: { validator, amount: { denom: "boot", amount: "300000" } } } }])
  assert.equal(eventsOf(r.events, "delegate").map((e) => Object.fromEntries(e).delegator), [reflect])
  assert.is(await balance(reflect), 700_000n)
  const d = await q.staking.delegation(reflect, validator)
  assert.equal(d.delegationResponse?.balance, { denom: "boot", amount: "300000" })
  assert.equal((await q.staking.delegatorDelegations(reflect)).delegationResponses.map((x) => x.delegation?.validatorAddress), [validator])
  const mine = (await chainJson({ staking: { delegation: { delegator: reflect, validator } } })).delegation
  assert.equal([mine.delegator, mine.validator, mine.amount, mine.can_redelegate], [reflect, validator, { denom: "boot", amount: "300000" }, { denom: "boot", amount: "300000" }])
})

test("reflect cannot delegate its owner's coins: an `any` MsgDelegate naming the owner is refused, nothing moves", async () => {
  const q = QueryClient.withExtensions(comet, setupStakingExtension)
  const staked = async () => (await q.staking.delegatorDelegations(n.alice)).delegationResponses.map((x) => [x.delegation?.validatorAddress, x.balance?.amount])
  const [before, stakedBefore] = [await balance(n.alice), await staked()]
  const msg = { any: { type_url: "/cosmos.staking.v1beta1.MsgDelegate", value: toBase64(MsgDelegate.encode({ delegatorAddress: n.alice, validatorAddress: validator, amount: { denom: "boot", amount: "1000" } }).finish()) } }
  const execute = { typeUrl: "/cosmwasm.wasm.v1.MsgExecuteContract", value: { sender: n.alice, contract: reflect, msg: new TextEncoder().encode(JSON.stringify({ reflect_msg: { msgs: [msg] } })), funds: [] } }
  await refused(n.client.signAndBroadcast(n.alice, [execute], fee(2_000_000)), 4, "sdk", /contract doesn't have permission: unauthorized/)
  assert.is(await balance(n.alice), before, "a tx refused at broadcast pays nothing")
  assert.equal(await staked(), stakedBefore, "the owner's delegations are unchanged")
  assert.is(await balance(reflect), 700_000n)
})

test("reflect reads its pending rewards and withdraws them to itself", async () => {
  for (let i = 0; i < 3; i++) await n.client.sendTokens(n.alice, n.bob, [{ denom: "boot", amount: "1" }], "auto")
  const h = await waitHeight(n, await n.client.getHeight())
  await waitHeight(n, h)
  const q = QueryClient.withExtensions(comet, setupDistributionExtension)
  const pending = (await chainJson({ distribution: { delegation_rewards: { delegator_address: reflect, validator_address: validator } } })).rewards
  assert.is(pending.length, 1, JSON.stringify(pending))
  assert.ok(Number(pending[0].amount) > 0)
  assert.equal(await chainJson({ distribution: { delegator_validators: { delegator_address: reflect } } }), { validators: [validator] })
  assert.ok((await q.distribution.delegationRewards(reflect, validator)).rewards.length === 1)
  const before = await balance(reflect)
  const r = await reflectMsgs([{ distribution: { withdraw_delegator_reward: { validator } } }])
  const paid = eventsOf(r.events, "withdraw_rewards").map((e) => Object.fromEntries(e))
  assert.equal(paid.map((e) => e.delegator), [reflect])
  const amount = BigInt(paid[0]!.amount!.replace(/boot$/, ""))
  assert.ok(amount > 0n)
  assert.is(await balance(reflect), before + amount)
})

test.run()
