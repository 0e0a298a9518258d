// wasmd's governance messages through a real proposal: a chain with auth, bank, staking, gov and
// cyberwasm (the real VM), two bonded validators voting. A passed proposal runs MsgSudoContract
// (hackatom's `sudo` steal_funds moves the contract's coins), MsgPinCodes (PinnedCodes lists the
// code, a contract's ContractInfo query reports pinned), then MsgUnpinCodes and MsgUpdateParams
// (uploads by nobody: the next MsgStoreCode is refused). The same messages signed by an account are
// refused as wasmd refuses them (invalid authority).
import { readFileSync } from "node:fs"
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov"
import { QueryPinnedCodesRequest, QueryPinnedCodesResponse, QueryParamsRequest, QueryParamsResponse } from "cosmjs-types/cosmwasm/wasm/v1/query"
import { MsgInstantiateContract, MsgInstantiateContractResponse, MsgPinCodes, MsgStoreCode, MsgStoreCodeResponse, MsgSudoContract, MsgUnpinCodes, MsgUpdateParams } from "cosmjs-types/cosmwasm/wasm/v1/tx"
import { AccessType } from "cosmjs-types/cosmwasm/wasm/v1/types"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { CyberWasmMachine } from "../../modules/cyberwasm/CyberWasmMachine.ts"
import { makeCosmWasmVm } from "../../modules/cyberwasm/cosmwasm/vm/CosmWasmVmLive.ts"
import { GovMachine } from "../../modules/gov/Gov.ts"
import { StakingMachine } from "../../modules/staking/Staking.ts"
import { GovChain, MIN_DEPOSIT, submitMsg, voteMsg } from "../gov/support/GovChain.ts"
import { baseMachines } from "../machines/Fixture.ts"
import { Chain, makeKey, type Key } from "../machines/support/Chain.ts"
import { bondedPool, consKey, stakingGenesis } from "../staking/support.ts"

const test = suite("wasmd governance messages (sudo, pin, unpin, params)")
const enc = new TextEncoder()
const U = "/cosmwasm.wasm.v1."
const any = <T>(name: string, codec: { encode(m: T): { finish(): Uint8Array } }, m: T): Any => ({ typeUrl: `${U}${name}`, value: codec.encode(m).finish() })

const [a, b, x] = (await Promise.all(["wasm gov a", "wasm gov b", "wasm gov x"].map(makeKey))) as [Key, Key, Key]
const gov = new GovMachine({ bech32Prefix: "cyber", bondDenom: "boot" })
const chain = await Chain.open([...baseMachines(), new StakingMachine({ bech32Prefix: "cyber", bondDenom: "boot" }), gov, new CyberWasmMachine({ cosmwasm: { vm: makeCosmWasmVm() } })])
const fund = (address: string, amount: bigint) => ({ address, coins: [{ denom: "boot", amount: amount.toString() }] })
const ga = stakingGenesis(a.address, consKey("wasm gov a"), 6_000_000n, 20n)
const gb = stakingGenesis(b.address, consKey("wasm gov b"), 4_000_000n, 20n)
await chain.init({
  auth: { accounts: [] },
  bank: { balances: [fund(a.address, 10n ** 15n), fund(b.address, 10n ** 15n), fund(bondedPool, 10_000_000n)] },
  staking: { ...ga, validators: [...ga.validators, ...gb.validators], delegations: [...ga.delegations, ...gb.delegations] },
  gov: { params: { max_deposit_period: "20s", voting_period: "20s" } }
})
const c = new GovChain(chain, { a, b, d: a, x: x.address, gov: gov.moduleAccount })
const authority = gov.moduleAccount
const ok = <R extends { code: number; log: string }>(r: R): R => {
  assert.is(r.code, 0, r.log)
  return r
}
const responses = (r: { data: Uint8Array }) => TxMsgData.decode(r.data).msgResponses
const hackatom = new Uint8Array(readFileSync(new URL("../fixtures/cosmwasm/hackatom.wasm", import.meta.url)))

const codeId = MsgStoreCodeResponse.decode(responses(ok(await c.tx(a, any("MsgStoreCode", MsgStoreCode, MsgStoreCode.fromPartial({ sender: a.address, wasmByteCode: hackatom })))))[0]!.value).codeId
const contract = MsgInstantiateContractResponse.decode(responses(ok(await c.tx(a, any("MsgInstantiateContract", MsgInstantiateContract, MsgInstantiateContract.fromPartial({
  sender: a.address, admin: a.address, codeId, label: "hackatom", msg: enc.encode(JSON.stringify({ verifier: a.address, beneficiary: b.address })), funds: [{ denom: "boot", amount: "1000" }]
})))))[0]!.value).address
let proposals = 0n

/** Submit `messages` as a proposal, both validators vote yes, run blocks past the voting period; the proposal and the blocks' events. */
const pass = async (messages: Any[]) => {
  ok(await c.tx(a, submitMsg(a.address, messages, MIN_DEPOSIT)))
  const id = ++proposals
  ok(await c.tx(a, voteMsg(a.address, id, VoteOption.VOTE_OPTION_YES)))
  ok(await c.tx(b, voteMsg(b.address, id, VoteOption.VOTE_OPTION_YES)))
  const events = await c.blocks(5)
  return { proposal: await c.proposal(id), events }
}
const pinned = async () => QueryPinnedCodesResponse.decode((await chain.query(`${U}Query/PinnedCodes`, QueryPinnedCodesRequest.encode({}).finish())).value).codeIds

test("an account cannot sudo, pin or change params: invalid authority (unauthorized)", async () => {
  const sudo = any("MsgSudoContract", MsgSudoContract, { authority: a.address, contract, msg: enc.encode(JSON.stringify({ steal_funds: { recipient: a.address, amount: [{ denom: "boot", amount: "1" }] } })) })
  const r = await c.tx(a, sudo)
  assert.is(r.code, 4, r.log)
  assert.match(r.log, `invalid authority; expected ${authority}, got ${a.address}: unauthorized`)
  const pin = await c.tx(a, any("MsgPinCodes", MsgPinCodes, { authority: a.address, codeIds: [codeId] }))
  assert.is(pin.code, 4, pin.log)
  assert.equal(await pinned(), [])
  assert.is(await c.balance(contract), 1000n)
})

test("a passed proposal runs MsgSudoContract (hackatom steal_funds) and MsgPinCodes: coins move, sudo and pin_code events, PinnedCodes lists the code", async () => {
  const steal = { steal_funds: { recipient: x.address, amount: [{ denom: "boot", amount: "600" }] } }
  const { proposal, events } = await pass([
    any("MsgSudoContract", MsgSudoContract, { authority, contract, msg: enc.encode(JSON.stringify(steal)) }),
    any("MsgPinCodes", MsgPinCodes, { authority, codeIds: [codeId] })
  ])
  assert.is(proposal?.status, ProposalStatus.PROPOSAL_STATUS_PASSED, proposal?.failedReason)
  assert.is(await c.balance(x.address), 600n)
  assert.is(await c.balance(contract), 400n)
  const attrs = (type: string) => events.filter((e) => e.type === type).map((e) => e.attributes.filter((a) => a.key !== "msg_index").map((a) => [a.key, a.value]))
  assert.equal(attrs("sudo"), [[["_contract_address", contract]]])
  assert.equal(attrs("pin_code"), [[["code_id", codeId.toString()]]])
  assert.equal(await pinned(), [codeId])
})

test("unpin and MsgUpdateParams by proposal: PinnedCodes empty, uploads closed to everybody", async () => {
  const { proposal } = await pass([
    any("MsgUnpinCodes", MsgUnpinCodes, { authority, codeIds: [codeId] }),
    any("MsgUpdateParams", MsgUpdateParams, { authority, params: { codeUploadAccess: { permission: AccessType.ACCESS_TYPE_NOBODY, addresses: [] }, instantiateDefaultPermission: AccessType.ACCESS_TYPE_EVERYBODY } })
  ])
  assert.is(proposal?.status, ProposalStatus.PROPOSAL_STATUS_PASSED, proposal?.failedReason)
  assert.equal(await pinned(), [])
  const params = QueryParamsResponse.decode((await chain.query(`${U}Query/Params`, QueryParamsRequest.encode({}).finish())).value).params
  assert.is(params.codeUploadAccess.permission, AccessType.ACCESS_TYPE_NOBODY)
  const r = await c.tx(a, any("MsgStoreCode", MsgStoreCode, MsgStoreCode.fromPartial({ sender: a.address, wasmByteCode: hackatom })))
  assert.is(r.code, 4, r.log)
  assert.match(r.log, "can not create code: unauthorized")
})

test("a proposal whose sudo fails (no such contract) fails as a whole: nothing of it is kept", async () => {
  const { proposal } = await pass([
    any("MsgPinCodes", MsgPinCodes, { authority, codeIds: [codeId] }),
    any("MsgSudoContract", MsgSudoContract, { authority, contract: x.address, msg: enc.encode("{}") })
  ])
  assert.is(proposal?.status, ProposalStatus.PROPOSAL_STATUS_FAILED)
  assert.equal(await pinned(), [])
})

test.run()
