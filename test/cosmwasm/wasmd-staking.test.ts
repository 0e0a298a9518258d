// A contract stakes with its own coins and only those (issue 13: "the chain's other machines through
// their typed interfaces and the contract's capabilities"), with the published reflect 2.0 build
// (test/fixtures/cosmwasm/reflect_2_0.wasm) through the real VM inside the Application with auth,
// bank, staking, distribution and cyberwasm, signed with CosmJS. reflect dispatches whatever
// CosmosMsgs its owner hands it and proxies any QueryRequest (QueryMsg::Chain), so every staking /
// distribution message and query a contract can make is driven from here; each answer is checked
// against the machines' own gRPC queries (CosmJS's staking and distribution extensions) and
// wasmvm's JSON shapes (wasmd x/wasm/keeper/query_plugins.go). A second app fed the same blocks
// ends every block at the same app hash.
import { readFileSync } from "node:fs"
import { QueryClient, setupDistributionExtension, setupStakingExtension } from "@cosmjs/stargate"
import { QueryAllBalancesRequest, QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import { QueryValidatorRequest, QueryValidatorResponse } from "cosmjs-types/cosmos/staking/v1beta1/query"
import { MsgCreateValidator, MsgDelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx"
import { MsgInstantiateContractResponse, MsgStoreCodeResponse } from "cosmjs-types/cosmwasm/wasm/v1/tx"
import { QuerySmartContractStateRequest, QuerySmartContractStateResponse } from "cosmjs-types/cosmwasm/wasm/v1/query"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { stakingInterface } from "../../chain/generated/staking.ts"
import { CyberWasmMachine } from "../../modules/cyberwasm/CyberWasmMachine.ts"
import { makeCosmWasmVm } from "../../modules/cyberwasm/cosmwasm/vm/CosmWasmVmLive.ts"
import { DistributionMachine } from "../../modules/distribution/Distribution.ts"
import { StakingMachine } from "../../modules/staking/Staking.ts"
import { callAs, makeWallet, TestChain } from "../auth/support/Chain.ts"
import { createValidatorMsg } from "../staking/msgs.ts"
import { bondedPool, stakingGenesis, valoper } from "../staking/support.ts"
import { txSigner } from "./wasmd-support.ts"
import { SigningStargateClient, defaultRegistryTypes } from "@cosmjs/stargate"
import { Registry } from "@cosmjs/proto-signing"
import { wasmTypes } from "@cosmjs/cosmwasm-stargate"
import { toBase64 } from "@cosmjs/encoding"

const test = suite("contract staking and distribution (reflect 2.0, real VM)")
const enc = new TextEncoder()
const U = "/cosmwasm.wasm.v1."
const DEC = 10n ** 18n

const { wallet, addresses } = await makeWallet(3)
const [op, alice, bob] = addresses as [string, string, string]
const validator = valoper(op)
const BONDED = 10_000_000n
const start = () => TestChain.start({
  extraMachines: [new StakingMachine({ bech32Prefix: "cyber", bondDenom: "boot" }), new DistributionMachine({ bech32Prefix: "cyber", bondDenom: "boot" }), new CyberWasmMachine({ cosmwasm: { vm: makeCosmWasmVm() } })],
  genesis: {
    auth: { accounts: [] },
    bank: { balances: [...addresses.map((address) => ({ address, coins: [{ denom: "boot", amount: "1000000000000" }] })), { address: bondedPool, coins: [{ denom: "boot", amount: BONDED.toString() }] }] },
    staking: stakingGenesis(op, new Uint8Array(32).fill(7), BONDED, 20n),
    distribution: {}
  }
})
// a second, independent app fed the same blocks: every block must end at the same app hash
const [chain, twin] = [await start(), await start()]
const block = async (txs: Uint8Array[]) => {
  const [r] = await Promise.all([chain.block(txs), twin.block(txs)])
  assert.is(twin.appHash(), chain.appHash(), `app hash at height ${chain.height}`)
  return r
}
const sign = txSigner(chain, await SigningStargateClient.offline(wallet, { registry: new Registry([...defaultRegistryTypes, ...wasmTypes]) }), 10_000_000)
const tx = async (signer: string, msgs: Array<{ typeUrl: string; value: unknown }>, gas = 10_000_000) => (await block([await sign(signer, msgs, gas)]))[0]!
const ok = <R extends { code: number; log: string }>(r: R): R => {
  assert.is(r.code, 0, r.log)
  return r
}
const comet = {
  abciQuery: async (p: { path: string; data: Uint8Array }) => {
    const r = await chain.app.query({ path: p.path, data: p.data, height: 0n, prove: false })
    return { key: r.key, value: r.value, height: Number(r.height), code: r.code, codespace: r.codespace, log: r.log, index: 0, proof: undefined, info: "" }
  }
}
// CosmJS's staking and distribution extensions over the chain's ABCI query (they only call abciQuery)
const q = QueryClient.withExtensions(comet as never, setupStakingExtension, setupDistributionExtension)
const balance = async (address: string) => BigInt((await chain.queryClient().bank.balance(address, "boot")).amount)
const responses = (r: { data: Uint8Array }) => TxMsgData.decode(r.data).msgResponses

// reflect, owned by alice, holding 1,000,000 boot
const codeId = MsgStoreCodeResponse.decode(responses(ok(await tx(alice, [{ typeUrl: `${U}MsgStoreCode`, value: { sender: alice, wasmByteCode: new Uint8Array(readFileSync(new URL("../fixtures/cosmwasm/reflect_2_0.wasm", import.meta.url))) } }], 40_000_000)))[0]!.value).codeId
const reflect = MsgInstantiateContractResponse.decode(responses(ok(await tx(alice, [{
  typeUrl: `${U}MsgInstantiateContract`,
  value: { sender: alice, admin: alice, codeId, label: "reflect", msg: enc.encode("{}"), funds: [{ denom: "boot", amount: "1000000" }] }
}])))[0]!.value).address

const reflectMsgs = (msgs: unknown[]) => tx(alice, [{ typeUrl: `${U}MsgExecuteContract`, value: { sender: alice, contract: reflect, msg: enc.encode(JSON.stringify({ reflect_msg: { msgs } })), funds: [] } }])
/** reflect's QueryMsg::Chain: the answer's JSON, or the query error text. */
const chainQuery = async (request: unknown): Promise<{ ok?: any; error?: string }> => {
  const r = await chain.query(`${U}Query/SmartContractState`, QuerySmartContractStateRequest.encode({ address: reflect, queryData: enc.encode(JSON.stringify({ chain: { request } })) }).finish())
  if (r.code !== 0) return { error: r.log }
  const data = JSON.parse(Buffer.from(QuerySmartContractStateResponse.decode(r.value).data).toString()) as { data: string }
  return { ok: Buffer.from(data.data, "base64") }
}
const chainJson = async (request: unknown) => {
  const r = await chainQuery(request)
  assert.is(r.error, undefined, r.error)
  return JSON.parse(Buffer.from(r.ok).toString())
}
const events = (r: { events: ReadonlyArray<{ type: string; attributes: ReadonlyArray<{ key: string; value: string }> }> }, type: string) =>
  r.events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])))

test("StakingQuery: bonded denom, the bonded validators and one validator as wasmvm's JSON; unknown validator is null", async () => {
  assert.equal(await chainJson({ staking: { bonded_denom: {} } }), { denom: "boot" })
  const one = { address: validator, commission: "0.100000000000000000", max_commission: "0.200000000000000000", max_change_rate: "0.010000000000000000" }
  assert.equal(await chainJson({ staking: { all_validators: {} } }), { validators: [one] })
  assert.equal(await chainJson({ staking: { validator: { address: validator } } }), { validator: one })
  assert.equal(await chainJson({ staking: { validator: { address: valoper(bob) } } }), { validator: null })
  assert.equal(await chainJson({ staking: { delegation: { delegator: reflect, validator } } }), { delegation: null })
  assert.equal(await chainJson({ staking: { all_delegations: { delegator: reflect } } }), { delegations: [] })
})

test("CosmosMsg::Staking::Delegate bonds the contract's own coins: delegate event, staking's gRPC query and the contract's query agree", async () => {
  const poolBefore = await balance(bondedPool)
  const r = ok(await reflectMsgs([{ staking: { delegate: { validator, amount: { denom: "boot", amount: "400000" } } } }]))
  assert.equal(events(r, "delegate").map((e) => [e.validator, e.delegator, e.amount]), [[validator, reflect, "400000boot"]])
  assert.is(await balance(reflect), 600_000n)
  assert.is(await balance(bondedPool), poolBefore + 400_000n)
  // CosmJS's staking extension over the machine's own gRPC query
  const d = await q.staking.delegation(reflect, validator)
  assert.equal([d.delegationResponse?.delegation?.shares, d.delegationResponse?.balance?.amount], [(400_000n * DEC).toString(), "400000"])
  assert.equal(await chainJson({ staking: { all_delegations: { delegator: reflect } } }), { delegations: [{ delegator: reflect, validator, amount: { denom: "boot", amount: "400000" } }] })
  const full = (await chainJson({ staking: { delegation: { delegator: reflect, validator } } })).delegation
  assert.equal([full.delegator, full.validator, full.amount, full.can_redelegate], [reflect, validator, { denom: "boot", amount: "400000" }, { denom: "boot", amount: "400000" }])
  assert.ok(Array.isArray(full.accumulated_rewards))
  // an `any` MsgDelegate whose delegator is the contract runs the same way
  ok(await reflectMsgs([{ any: { type_url: "/cosmos.staking.v1beta1.MsgDelegate", value: toBase64(MsgDelegate.encode({ delegatorAddress: reflect, validatorAddress: validator, amount: { denom: "boot", amount: "100000" } }).finish()) } }]))
  assert.is((await q.staking.delegation(reflect, validator)).delegationResponse?.balance?.amount, "500000")
})

test("a contract cannot delegate someone else's coins: an `any` MsgDelegate for its owner, its own capability and a wider grant all refuse", async () => {
  const before = [await balance(alice), await balance(reflect)]
  const anyForAlice = { any: { type_url: "/cosmos.staking.v1beta1.MsgDelegate", value: toBase64(MsgDelegate.encode({ delegatorAddress: alice, validatorAddress: validator, amount: { denom: "boot", amount: "1000" } }).finish()) } }
  const r = await reflectMsgs([anyForAlice])
  assert.is(r.code, 4, r.log)
  assert.match(r.log, /contract doesn't have permission: unauthorized/)
  const fee = 100_000n // the refused tx's fee (gas 10,000,000 / 100)
  assert.equal([await balance(alice), await balance(reflect)], [before[0]! - fee, before[1]!])
  assert.is((await q.staking.delegation(alice, validator).catch(() => undefined))?.delegationResponse?.balance?.amount, undefined)
  // the contract's own principal: staking.delegate {delegator: self}
  const body = stakingInterface.methods.delegate!.request.encode({ delegator: alice, validator, amount: { denom: "boot", amount: "1000" } })
  assert.throws(() => callAs(chain, [], `contract:${reflect}`, { target: "staking", method: "delegate", body }), /staking\.delegate \{delegator: self\} fails delegator: self/)
  // even granted staking.delegate without constraints, the staking machine moves only its caller's coins (bank.send {from: caller})
  const wide = { principal: `contract:${reflect}`, capability: { interface: "staking", method: "delegate", constraints: [] } }
  assert.throws(() => callAs(chain, [wide], `contract:${reflect}`, { target: "staking", method: "delegate", body }), /machine:staking calls bank\.send.*from: caller/)
  assert.is(await balance(alice), before[0]! - fee)
})

test("DistributionQuery and CosmosMsg::Distribution: rewards accrue from fees, the contract withdraws them to itself and to a withdraw address", async () => {
  for (let i = 0; i < 3; i++) ok(await tx(bob, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: bob, toAddress: op, amount: [{ denom: "boot", amount: "1" }] } }], 2_000_000))
  const grpc = await q.distribution.delegationRewards(reflect, validator)
  const rewards = await chainJson({ distribution: { delegation_rewards: { delegator_address: reflect, validator_address: validator } } })
  assert.ok(grpc.rewards.length === 1 && BigInt(grpc.rewards[0]!.amount) > 0n, JSON.stringify(grpc))
  // the machine's gRPC answer has the Dec wire form; wasmvm's JSON the Dec text
  const atto = BigInt(grpc.rewards[0]!.amount)
  assert.equal(rewards, { rewards: [{ denom: "boot", amount: `${atto / DEC}.${(atto % DEC).toString().padStart(18, "0")}` }] })
  const total = await chainJson({ distribution: { delegation_total_rewards: { delegator_address: reflect } } })
  assert.equal(total, { rewards: [{ validator_address: validator, reward: rewards.rewards }], total: rewards.rewards })
  assert.equal(await chainJson({ distribution: { delegator_validators: { delegator_address: reflect } } }), { validators: [validator] })
  assert.equal(await chainJson({ distribution: { delegator_withdraw_address: { delegator_address: reflect } } }), { withdraw_address: reflect })
  const full = (await chainJson({ staking: { delegation: { delegator: reflect, validator } } })).delegation
  assert.equal(full.accumulated_rewards, [{ denom: "boot", amount: (atto / DEC).toString() }])

  // withdraw to itself: the rewards (at the withdraw block, one more allocation) land in the contract
  const before = await balance(reflect)
  const w = ok(await reflectMsgs([{ distribution: { withdraw_delegator_reward: { validator } } }]))
  const paid = events(w, "withdraw_rewards")
  assert.equal(paid.map((e) => [e.validator, e.delegator]), [[validator, reflect]])
  const amount = BigInt(paid[0]!.amount!.replace(/boot$/, ""))
  assert.ok(amount >= atto / DEC && amount > 0n, `${amount}`)
  assert.is(await balance(reflect), before + amount)

  // a withdraw address: bob gets the next rewards, the contract nothing
  const s = ok(await reflectMsgs([{ distribution: { set_withdraw_address: { address: bob } } }]))
  assert.equal(events(s, "set_withdraw_address").map((e) => e.withdraw_address), [bob])
  assert.equal(await chainJson({ distribution: { delegator_withdraw_address: { delegator_address: reflect } } }), { withdraw_address: bob })
  assert.is((await q.distribution.delegatorWithdrawAddress(reflect)).withdrawAddress, bob)
  const [contractBefore, bobBefore] = [await balance(reflect), await balance(bob)]
  const w2 = ok(await reflectMsgs([{ distribution: { withdraw_delegator_reward: { validator } } }]))
  const amount2 = BigInt(events(w2, "withdraw_rewards")[0]!.amount!.replace(/boot$/, ""))
  assert.ok(amount2 > 0n)
  assert.equal([await balance(reflect), await balance(bob)], [contractBefore, bobBefore + amount2])
  ok(await reflectMsgs([{ distribution: { set_withdraw_address: { address: reflect } } }]))
})

test("fund_community_pool moves the contract's own coins into the pool", async () => {
  const poolBefore = (await q.distribution.communityPool()).pool.find((c) => c.denom === "boot")?.amount ?? "0"
  const before = await balance(reflect)
  ok(await reflectMsgs([{ distribution: { fund_community_pool: { amount: [{ denom: "boot", amount: "5000" }] } } }]))
  assert.is(await balance(reflect), before - 5000n)
  const poolAfter = (await q.distribution.communityPool()).pool.find((c) => c.denom === "boot")!.amount
  // the pool also took this block's community tax: at least the 5,000 deposited
  assert.ok(BigInt(poolAfter) - BigInt(poolBefore) >= 5000n * DEC, `${poolBefore} -> ${poolAfter}`)
})

test("undelegate and redelegate: unbond and redelegate events, the unbonded coins come back to the contract after the unbonding time", async () => {
  const before = await balance(reflect)
  const u = ok(await reflectMsgs([{ staking: { undelegate: { validator, amount: { denom: "boot", amount: "200000" } } } }]))
  assert.equal(events(u, "unbond").map((e) => [e.validator, e.delegator, e.amount]), [[validator, reflect, "200000boot"]])
  assert.is((await q.staking.delegation(reflect, validator)).delegationResponse?.balance?.amount, "300000")
  const unbonding = await q.staking.unbondingDelegation(reflect, validator)
  assert.is(unbonding.unbond?.entries[0]?.balance, "200000")
  // redelegating to an unknown validator is the staking machine's error, nothing moves
  const bad = await reflectMsgs([{ staking: { redelegate: { src_validator: validator, dst_validator: valoper(bob), amount: { denom: "boot", amount: "1" } } } }])
  assert.is(bad.code !== 0, true, bad.log)
  // a second validator (bob's); redelegate to it: redelegate event, the destination reports can_redelegate 0
  const create = createValidatorMsg(bob, new Uint8Array(32).fill(9), 1_000_000n)
  ok(await tx(bob, [{ typeUrl: create.typeUrl, value: MsgCreateValidator.decode(create.value) }]))
  const second = valoper(bob)
  const rd = ok(await reflectMsgs([{ staking: { redelegate: { src_validator: validator, dst_validator: second, amount: { denom: "boot", amount: "100000" } } } }]))
  assert.equal(events(rd, "redelegate").map((e) => [e.source_validator, e.destination_validator, e.amount]), [[validator, second, "100000boot"]])
  assert.equal(await chainJson({ staking: { delegation: { delegator: reflect, validator: second } } }).then((r) => [r.delegation.amount.amount, r.delegation.can_redelegate.amount]), ["100000", "0"])
  assert.is((await q.staking.delegation(reflect, validator)).delegationResponse?.balance?.amount, "200000")
  assert.equal((await chainJson({ distribution: { delegator_validators: { delegator_address: reflect } } })).validators.sort(), [validator, second].sort())
  const afterUndelegate = await balance(reflect)
  assert.ok(afterUndelegate >= before, "undelegating withdraws the rewards first, it takes nothing")
  for (let i = 0; i < 5; i++) await block([]) // 20 s unbonding, 5 s per block
  assert.is(await balance(reflect), afterUndelegate + 200_000n)
})

test("staking messages as submessages: the reply sees MsgDelegateResponse; a failing delegation rolls back and its redacted error reaches reply", async () => {
  const sub = (id: number, msg: unknown, reply_on: string) => ({ id, payload: "", msg, gas_limit: null, reply_on })
  const reflectSubs = (msgs: unknown[]) => tx(alice, [{ typeUrl: `${U}MsgExecuteContract`, value: { sender: alice, contract: reflect, msg: enc.encode(JSON.stringify({ reflect_sub_msg: { msgs } })), funds: [] } }])
  const result = async (id: number) => {
    const r = await chain.query(`${U}Query/SmartContractState`, QuerySmartContractStateRequest.encode({ address: reflect, queryData: enc.encode(JSON.stringify({ sub_msg_result: { id } })) }).finish())
    assert.is(r.code, 0, r.log)
    return JSON.parse(Buffer.from(QuerySmartContractStateResponse.decode(r.value).data).toString()).result
  }
  const staked = async () => (await q.staking.delegation(reflect, validator)).delegationResponse?.balance?.amount
  const before = [await balance(reflect), await staked()]
  ok(await reflectSubs([sub(21, { staking: { delegate: { validator, amount: { denom: "boot", amount: "1000" } } } }, "always")]))
  const r21 = await result(21)
  assert.equal(r21.ok.msg_responses.map((m: { type_url: string }) => m.type_url), ["/cosmos.staking.v1beta1.MsgDelegateResponse"])
  assert.is(await staked(), (BigInt(before[1]!) + 1000n).toString())
  const after = await balance(reflect)
  // more than the contract holds: the bank refuses inside staking, the submessage rolls back, reply sees the code
  ok(await reflectSubs([sub(22, { staking: { delegate: { validator, amount: { denom: "boot", amount: "999999999999" } } } }, "error")]))
  assert.match((await result(22)).error, /^codespace: sdk, code: \d+$/)
  assert.equal([await balance(reflect), await staked()], [after, (BigInt(before[1]!) + 1000n).toString()])
})

test("gRPC and Stargate queries answer the accept list (proto / the SDK's JSON); other paths are wasmd's unsupported_request", async () => {
  const data = toBase64(QueryBalanceRequest.encode({ address: reflect, denom: "boot" }).finish())
  const bal = (await balance(reflect)).toString()
  const proto = await chainQuery({ grpc: { path: "/cosmos.bank.v1beta1.Query/Balance", data } })
  assert.equal(QueryBalanceResponse.decode(proto.ok).balance, { denom: "boot", amount: bal })
  assert.equal(await chainJson({ stargate: { path: "/cosmos.bank.v1beta1.Query/Balance", data } }), { balance: { denom: "boot", amount: bal } })
  const all = await chainJson({ stargate: { path: "/cosmos.bank.v1beta1.Query/AllBalances", data: toBase64(QueryAllBalancesRequest.encode({ address: reflect, resolveDenom: false }).finish()) } })
  assert.equal(all, { balances: [{ denom: "boot", amount: bal }], pagination: { next_key: null, total: "1" } })
  // staking Validator: the proto equals the machine's own gRPC answer; the JSON is the SDK's
  const vdata = toBase64(QueryValidatorRequest.encode({ validatorAddr: validator }).finish())
  const vproto = QueryValidatorResponse.decode((await chainQuery({ grpc: { path: "/cosmos.staking.v1beta1.Query/Validator", data: vdata } })).ok)
  assert.equal(vproto.validator, (await q.staking.validator(validator)).validator)
  const vjson = (await chainJson({ stargate: { path: "/cosmos.staking.v1beta1.Query/Validator", data: vdata } })).validator
  assert.equal([vjson.operator_address, vjson.status, vjson.jailed, vjson.commission.commission_rates, vjson.consensus_pubkey["@type"]],
    [validator, "BOND_STATUS_BONDED", false, { rate: "0.100000000000000000", max_rate: "0.200000000000000000", max_change_rate: "0.010000000000000000" }, "/cosmos.crypto.ed25519.PubKey"])
  const unknownVal = await chainQuery({ grpc: { path: "/cosmos.staking.v1beta1.Query/Validator", data: toBase64(QueryValidatorRequest.encode({ validatorAddr: valoper(alice) }).finish()) } })
  // the machine's NotFound (sdk 38) reaches the contract redacted to codespace and code, as wasmd's QueryHandler does
  assert.match(unknownVal.error ?? "", /Querier contract error: codespace: sdk, code: 38/)
  const refused = await chainQuery({ stargate: { path: "/cosmos.staking.v1beta1.Query/Params", data: "" } })
  assert.match(refused.error ?? "", /Querier system error: Unsupported query type: '\/cosmos\.staking\.v1beta1\.Query\/Params' path is not allowed from the contract/)
  const garbage = await chainQuery({ grpc: { path: "/cosmos.bank.v1beta1.Query/Balance", data: toBase64(new Uint8Array([0xff, 0xff, 0xff])) } })
  assert.match(garbage.error ?? "", /Querier contract error: codespace: sdk, code: 18/)
  // a staking query naming a malformed address: the chain's InvalidAddress (sdk 7), redacted
  assert.match((await chainQuery({ staking: { validator: { address: "nope" } } })).error ?? "", /Querier contract error: codespace: sdk, code: 7/)
})

test.run()
