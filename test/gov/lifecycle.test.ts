// Proposal lifecycle on a real chain (auth, bank, gov, staking): deposit period expiry,
// voting, execution as the governance authority (all or nothing), rejection and veto.
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov"
import { QueryParamsRequest, QueryParamsResponse, QueryTallyResultRequest, QueryTallyResultResponse } from "cosmjs-types/cosmos/gov/v1/query"
import { MsgUpdateParams } from "cosmjs-types/cosmos/gov/v1/tx"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { CAPABILITIES_NAMESPACE, grantCapability, revokeCapability } from "../../chain/Capabilities.ts"
import { defaultGovParams } from "../../modules/gov/GovParams.ts"
import { attr, depositMsg, FEE, FUNDS, GovChain, MIN_DEPOSIT, sendMsg, submitMsg, voteMsg } from "./support/GovChain.ts"

const test = suite("gov lifecycle")
const chains: GovChain[] = []
const open = async (opts: Parameters<typeof GovChain.open>[0] = {}) => {
  const c = await GovChain.open(opts)
  chains.push(c)
  return c
}
test.after(async () => {
  for (const c of chains) await c.close()
})

const YES = VoteOption.VOTE_OPTION_YES
const NO = VoteOption.VOTE_OPTION_NO
const VETO = VoteOption.VOTE_OPTION_NO_WITH_VETO

const quorumUpdate = (authority: string, quorum: string) => {
  const params = { ...defaultGovParams("boot"), maxDepositPeriod: { seconds: 20n, nanos: 0 }, votingPeriod: { seconds: 20n, nanos: 0 }, quorum }
  return { typeUrl: "/cosmos.gov.v1.MsgUpdateParams", value: MsgUpdateParams.encode({ authority, params }).finish() }
}
const govQuorum = async (c: GovChain) =>
  QueryParamsResponse.decode((await c.chain.query("/cosmos.gov.v1.Query/Params", QueryParamsRequest.encode({ paramsType: "" }).finish())).value).params!.quorum

test("below min_deposit the proposal waits; at deposit end it is dropped and every deposit refunded", async () => {
  const c = await open()
  const { a, d } = c.keys
  let r = await c.tx(a, submitMsg(a.address, [], 200_000n))
  assert.is(r.code, 0, r.log)
  r = await c.tx(d, depositMsg(d.address, 1n, 300_000n))
  assert.is(r.code, 0, r.log)
  const p = await c.proposal(1n)
  assert.is(p?.status, ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD)
  assert.equal(p?.totalDeposit, [{ denom: "boot", amount: "500000" }])
  assert.is(await c.balance(c.keys.gov), 500_000n, "deposits held by the gov module account")
  assert.is(await c.balance(a.address), FUNDS - FEE - 200_000n)
  const events = await c.blocks(5)
  assert.is(await c.proposal(1n), undefined, "the proposal is deleted")
  assert.is(attr(events, "inactive_proposal", "proposal_result"), "proposal_dropped")
  assert.is(await c.balance(a.address), FUNDS - FEE, "proposer refunded")
  assert.is(await c.balance(d.address), FUNDS - FEE, "depositor refunded")
  assert.is(await c.balance(c.keys.gov), 0n)
})

test("burn_proposal_deposit_prevote burns the deposits of a dropped proposal", async () => {
  const c = await open({ params: { burn_proposal_deposit_prevote: true } })
  const supply = await c.supply()
  assert.is((await c.tx(c.keys.a, submitMsg(c.keys.a.address, [], 200_000n))).code, 0)
  await c.blocks(5)
  assert.is(await c.proposal(1n), undefined)
  assert.is(await c.balance(c.keys.a.address), FUNDS - FEE - 200_000n, "not refunded")
  assert.is(await c.supply(), supply - 200_000n, "burned (the fee stays in the fee collector)")
})

test("a passed proposal runs its messages as the governance authority: a send from the gov account and a gov params update", async () => {
  const c = await open({ govFunds: 1000n })
  const { a, b, x, gov } = c.keys
  const msgs = [sendMsg(gov, x, "5"), quorumUpdate(gov, "0.500000000000000000")]
  let r = await c.tx(a, submitMsg(a.address, msgs, MIN_DEPOSIT))
  assert.is(r.code, 0, r.log)
  const p = await c.proposal(1n)
  assert.is(p?.status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, "min_deposit reached at submit")
  r = await c.tx(a, voteMsg(a.address, 1n, YES))
  assert.is(r.code, 0, r.log)
  r = await c.tx(b, voteMsg(b.address, 1n, NO))
  assert.is(r.code, 0, r.log)
  const live = QueryTallyResultResponse.decode((await c.chain.query("/cosmos.gov.v1.Query/TallyResult", QueryTallyResultRequest.encode({ proposalId: 1n }).finish())).value)
  assert.equal(live.tally, { yesCount: "6000000", abstainCount: "0", noCount: "4000000", noWithVetoCount: "0" }, "live tally while voting")
  const events = await c.blocks(4)
  const done = await c.proposal(1n)
  assert.is(done?.status, ProposalStatus.PROPOSAL_STATUS_PASSED, `failed_reason: ${done?.failedReason}`)
  assert.equal(done?.finalTallyResult, { yesCount: "6000000", abstainCount: "0", noCount: "4000000", noWithVetoCount: "0" })
  assert.is(attr(events, "active_proposal", "proposal_result"), "proposal_passed")
  assert.is(await c.balance(x), 5n, "the send ran")
  assert.is(await govQuorum(c), "0.500000000000000000", "the params update ran")
  assert.is(await c.balance(a.address), FUNDS - 2n * FEE, "deposit refunded")
  assert.is(await c.balance(gov), 995n)
})

test("a passed proposal whose message fails is FAILED with the error log, and none of its messages changed state", async () => {
  const c = await open({ govFunds: 1000n })
  const { a, b, x, gov } = c.keys
  const msgs = [sendMsg(gov, x, "5"), quorumUpdate(gov, "0.500000000000000000"), sendMsg(gov, x, "1000000")]
  assert.is((await c.tx(a, submitMsg(a.address, msgs, MIN_DEPOSIT))).code, 0)
  assert.is((await c.tx(a, voteMsg(a.address, 1n, YES))).code, 0)
  assert.is((await c.tx(b, voteMsg(b.address, 1n, YES))).code, 0)
  const events = await c.blocks(4)
  const done = await c.proposal(1n)
  assert.is(done?.status, ProposalStatus.PROPOSAL_STATUS_FAILED)
  assert.ok(done!.failedReason.includes("message 2") && /insufficient/i.test(done!.failedReason), `failed_reason names the message and the error: ${done!.failedReason}`)
  assert.is(attr(events, "active_proposal", "proposal_result"), "proposal_failed")
  assert.ok(attr(events, "active_proposal", "proposal_log")?.includes(done!.failedReason), "the event carries the log")
  assert.is(await c.balance(x), 0n, "the first send was not kept")
  assert.is(await govQuorum(c), "0.334000000000000000", "the params update was not kept")
  assert.is(await c.balance(gov), 1000n)
  assert.is(await c.balance(a.address), FUNDS - 2n * FEE, "deposits are refunded all the same")
})

test("a rejected proposal changes nothing but refunds its deposits", async () => {
  const c = await open({ govFunds: 1000n })
  const { a, b, x, gov } = c.keys
  assert.is((await c.tx(a, submitMsg(a.address, [sendMsg(gov, x, "5")], MIN_DEPOSIT))).code, 0)
  assert.is((await c.tx(a, voteMsg(a.address, 1n, NO))).code, 0)
  assert.is((await c.tx(b, voteMsg(b.address, 1n, YES))).code, 0)
  const govBefore = c.chain.dump("gov")
  const events = await c.blocks(4)
  const done = await c.proposal(1n)
  assert.is(done?.status, ProposalStatus.PROPOSAL_STATUS_REJECTED)
  assert.is(attr(events, "active_proposal", "proposal_result"), "proposal_rejected")
  assert.is(await c.balance(x), 0n)
  assert.is(await c.balance(gov), 1000n)
  assert.is(await c.balance(a.address), FUNDS - 2n * FEE)
  const after = c.chain.dump("gov")
  assert.ok(after.size < govBefore.size, "votes, deposits and the queue entry are gone")
})

test("a veto above one third rejects and burns the deposits", async () => {
  const c = await open()
  const { a, b } = c.keys
  assert.is((await c.tx(a, submitMsg(a.address, [], MIN_DEPOSIT))).code, 0)
  assert.is((await c.tx(a, voteMsg(a.address, 1n, YES))).code, 0)
  assert.is((await c.tx(b, voteMsg(b.address, 1n, VETO))).code, 0)
  const supply = await c.supply()
  await c.blocks(4)
  assert.is((await c.proposal(1n))?.status, ProposalStatus.PROPOSAL_STATUS_REJECTED)
  assert.is(await c.balance(a.address), FUNDS - 2n * FEE - MIN_DEPOSIT, "not refunded")
  assert.is(await c.supply(), supply - MIN_DEPOSIT, "burned")
})

test("a deposit that reaches min_deposit starts the voting period", async () => {
  const c = await open()
  const { a, d } = c.keys
  assert.is((await c.tx(a, submitMsg(a.address, [], 200_000n))).code, 0)
  assert.is((await c.tx(d, voteMsg(d.address, 1n, YES))).code, 3, "no votes in the deposit period")
  const r = await c.tx(d, depositMsg(d.address, 1n, MIN_DEPOSIT))
  assert.is(r.code, 0, r.log)
  const p = await c.proposal(1n)
  assert.is(p?.status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD)
  assert.ok(p?.votingEndTime && p.votingStartTime && p.votingEndTime.seconds - p.votingStartTime.seconds === 20n, "voting_period after the activating deposit")
  assert.is((await c.tx(d, voteMsg(d.address, 1n, YES))).code, 0)
})

test("params an update would make invalid fail the proposal with a log naming the field", async () => {
  const c = await open()
  const { a, b, gov } = c.keys
  assert.is((await c.tx(a, submitMsg(a.address, [quorumUpdate(gov, "1.5")], MIN_DEPOSIT))).code, 0, "submit checks routes and signers only")
  assert.is((await c.tx(a, voteMsg(a.address, 1n, YES))).code, 0)
  assert.is((await c.tx(b, voteMsg(b.address, 1n, YES))).code, 0)
  await c.blocks(4)
  const done = await c.proposal(1n)
  assert.is(done?.status, ProposalStatus.PROPOSAL_STATUS_FAILED)
  assert.match(done!.failedReason, /message 0 \(\/cosmos\.gov\.v1\.MsgUpdateParams\): quorum too large: 1\.5/)
  assert.is(await govQuorum(c), "0.334000000000000000")
})

test("revoked grants never halt the chain: no staking read -> REJECTED with the log; no authority.execute -> FAILED", async () => {
  // voting 30 s = 6 blocks: proposal 1 ends one block before proposal 2
  const c = await open({ govFunds: 1000n, params: { voting_period: "30s" } })
  const { a, b, x, gov } = c.keys
  assert.is((await c.tx(a, submitMsg(a.address, [sendMsg(gov, x, "5")], MIN_DEPOSIT))).code, 0)
  assert.is((await c.tx(a, submitMsg(a.address, [sendMsg(gov, x, "5")], MIN_DEPOSIT))).code, 0)
  assert.is((await c.tx(a, voteMsg(a.address, 1n, YES), voteMsg(a.address, 2n, YES))).code, 0)
  assert.is((await c.tx(b, voteMsg(b.address, 1n, YES), voteMsg(b.address, 2n, YES))).code, 0)
  await c.blocks(2)
  const caps = c.chain.store.store(CAPABILITIES_NAMESPACE)
  const grant = (iface: string, method: string) => ({ principal: "machine:gov", capability: { interface: iface, method, constraints: [] } })
  // proposal 1 ends first: it cannot read staking; proposal 2 then cannot execute
  assert.ok(revokeCapability(caps, grant("staking", "bonded-validators")))
  const first = await c.blocks(1)
  assert.is(attr(first, "active_proposal", "proposal_result"), "proposal_rejected")
  assert.match(attr(first, "active_proposal", "proposal_log") ?? "", /tally could not read staking: .*staking\.bonded-validators/)
  assert.is((await c.proposal(1n))?.status, ProposalStatus.PROPOSAL_STATUS_REJECTED)
  assert.ok(grantCapability(caps, grant("staking", "bonded-validators")) === undefined)
  assert.ok(revokeCapability(caps, grant("authority", "execute")))
  await c.blocks(1)
  const p2 = await c.proposal(2n)
  assert.is(p2?.status, ProposalStatus.PROPOSAL_STATUS_FAILED)
  assert.match(p2!.failedReason, /authority\.execute/)
  assert.is(await c.balance(x), 0n)
})

test.run()
