// gov queries (filters, pagination, not-found errors, v1beta1 shapes) and genesis export/import
// (SDK JSON shape, round trip of every proposal state, typed refusals naming the bad entry).
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov"
import * as V1 from "cosmjs-types/cosmos/gov/v1/query"
import * as B1 from "cosmjs-types/cosmos/gov/v1beta1/query"
import { TextProposal } from "cosmjs-types/cosmos/gov/v1beta1/gov"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { AuthorityTypeUrl, encodeAuthorityMsg } from "../../chain/Authority.ts"
import { msgFromJSON, msgToJSON } from "../../modules/gov/MsgJson.ts"
import { GovMachine } from "../../modules/gov/Gov.ts"
import { baseMachines } from "../machines/Fixture.ts"
import { Chain } from "../machines/support/Chain.ts"
import { exportAppState } from "../machines/support/Probe.ts"
import { depositMsg, GovChain, MIN_DEPOSIT, sendMsg, submitMsg, voteMsg, weightedMsg } from "./support/GovChain.ts"
import { StakingMachine } from "../../modules/staking/Staking.ts"

const test = suite("gov queries and genesis")
let c: GovChain
const Q1 = "/cosmos.gov.v1.Query/"
test.before(async () => {
  c = await GovChain.open({ govFunds: 1000n })
  const { a, b, d, gov, x } = c.keys
  const ok = async (p: Promise<{ code: number; log: string }>) => assert.is((await p).code, 0, (await p).log)
  // 1: will pass; 2: will fail on execution; 3: stays in deposit period (d deposits); 4: voting (d votes weighted)
  await ok(c.tx(a, submitMsg(a.address, [sendMsg(gov, x, "5")], MIN_DEPOSIT)))
  await ok(c.tx(a, submitMsg(a.address, [sendMsg(gov, x, "999999")], MIN_DEPOSIT)))
  await ok(c.tx(a, voteMsg(a.address, 1n, VoteOption.VOTE_OPTION_YES), voteMsg(a.address, 2n, VoteOption.VOTE_OPTION_YES)))
  await c.blocks(3)
  await ok(c.tx(b, submitMsg(b.address, [], 200_000n)))
  await ok(c.tx(d, depositMsg(d.address, 3n, 300_000n)))
  await ok(c.tx(b, submitMsg(b.address, [encodeAuthorityMsg({ kind: "halt", authority: gov, name: "staking" })], MIN_DEPOSIT)))
  await ok(c.tx(d, weightedMsg(d.address, 4n, [[VoteOption.VOTE_OPTION_YES, "0.25"], [VoteOption.VOTE_OPTION_NO, "0.75"]])))
  assert.is((await c.proposal(1n))?.status, ProposalStatus.PROPOSAL_STATUS_PASSED)
  assert.is((await c.proposal(2n))?.status, ProposalStatus.PROPOSAL_STATUS_FAILED)
})
test.after(async () => {
  await c.close()
})

const q = async <T>(path: string, data: Uint8Array, dec: { decode(b: Uint8Array): T }): Promise<T> => {
  const r = await c.chain.query(path, data)
  assert.is(r.code, 0, `${path}: ${r.log}`)
  return dec.decode(r.value)
}
const ids = (ps: ReadonlyArray<{ id: bigint }>) => ps.map((p) => Number(p.id))

test("Proposals filters by status, voter and depositor", async () => {
  const all = await q(Q1 + "Proposals", V1.QueryProposalsRequest.encode(V1.QueryProposalsRequest.fromPartial({})).finish(), V1.QueryProposalsResponse)
  assert.equal(ids(all.proposals), [1, 2, 3, 4])
  const voting = await q(Q1 + "Proposals", V1.QueryProposalsRequest.encode(V1.QueryProposalsRequest.fromPartial({ proposalStatus: ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD })).finish(), V1.QueryProposalsResponse)
  assert.equal(ids(voting.proposals), [4])
  const byVoter = await q(Q1 + "Proposals", V1.QueryProposalsRequest.encode(V1.QueryProposalsRequest.fromPartial({ voter: c.keys.d.address })).finish(), V1.QueryProposalsResponse)
  assert.equal(ids(byVoter.proposals), [4])
  const byDepositor = await q(Q1 + "Proposals", V1.QueryProposalsRequest.encode(V1.QueryProposalsRequest.fromPartial({ depositor: c.keys.d.address })).finish(), V1.QueryProposalsResponse)
  assert.equal(ids(byDepositor.proposals), [3])
})

test("Proposals pages by key and offset, forward and reverse, with a total", async () => {
  const page = (p: object) => V1.QueryProposalsRequest.encode(V1.QueryProposalsRequest.fromPartial({ pagination: p })).finish()
  const first = await q(Q1 + "Proposals", page({ limit: 2n, countTotal: true }), V1.QueryProposalsResponse)
  assert.equal(ids(first.proposals), [1, 2])
  assert.is(first.pagination?.total, 4n)
  const next = await q(Q1 + "Proposals", page({ limit: 2n, key: first.pagination!.nextKey }), V1.QueryProposalsResponse)
  assert.equal(ids(next.proposals), [3, 4])
  assert.is(next.pagination?.nextKey.length, 0)
  const offset = await q(Q1 + "Proposals", page({ limit: 1n, offset: 2n }), V1.QueryProposalsResponse)
  assert.equal(ids(offset.proposals), [3])
  const reverse = await q(Q1 + "Proposals", page({ limit: 3n, reverse: true }), V1.QueryProposalsResponse)
  assert.equal(ids(reverse.proposals), [4, 3, 2])
  const reverseNext = await q(Q1 + "Proposals", page({ limit: 3n, reverse: true, key: reverse.pagination!.nextKey }), V1.QueryProposalsResponse)
  assert.equal(ids(reverseNext.proposals), [1])
  const filteredPage = await q(Q1 + "Proposals", V1.QueryProposalsRequest.encode(V1.QueryProposalsRequest.fromPartial({ voter: c.keys.d.address, pagination: { limit: 1n, countTotal: true } })).finish(), V1.QueryProposalsResponse)
  assert.equal([ids(filteredPage.proposals), filteredPage.pagination?.total], [[4], 1n], "total counts matches only")
})

test("not found and invalid requests are typed errors", async () => {
  const vote = await c.chain.query(Q1 + "Vote", V1.QueryVoteRequest.encode({ proposalId: 3n, voter: c.keys.a.address }).finish())
  assert.is(vote.code, 38, vote.log)
  assert.match(vote.log, /not found for proposal: 3/)
  const zero = await c.chain.query(Q1 + "Proposal", V1.QueryProposalRequest.encode({ proposalId: 0n }).finish())
  assert.is(zero.code, 18)
  const missing = await c.chain.query(Q1 + "Proposal", V1.QueryProposalRequest.encode({ proposalId: 77n }).finish())
  assert.is(missing.code, 38)
  const params = await c.chain.query(Q1 + "Params", V1.QueryParamsRequest.encode({ paramsType: "bogus" }).finish())
  assert.is(params.code, 18)
})

test("a finished proposal keeps its final tally, its failed_reason, and no votes", async () => {
  const failed = await c.proposal(2n)
  assert.match(failed!.failedReason, /insufficient/i)
  const t = await q(Q1 + "TallyResult", V1.QueryTallyResultRequest.encode({ proposalId: 1n }).finish(), V1.QueryTallyResultResponse)
  assert.equal(t.tally, { yesCount: "6000000", abstainCount: "0", noCount: "0", noWithVetoCount: "0" })
  const votes = await q(Q1 + "Votes", V1.QueryVotesRequest.encode({ proposalId: 1n }).finish(), V1.QueryVotesResponse)
  assert.is(votes.votes.length, 0, "votes are deleted by the tally (SDK v0.50)")
})

test("v1beta1: text content from title and summary, weights as LegacyDec wire text, tally counts", async () => {
  const p = await q("/cosmos.gov.v1beta1.Query/Proposal", B1.QueryProposalRequest.encode({ proposalId: 4n }).finish(), B1.QueryProposalResponse)
  assert.is(p.proposal?.content?.typeUrl, "/cosmos.gov.v1beta1.TextProposal")
  assert.is(TextProposal.decode(p.proposal!.content!.value).title, "t")
  const v = await q("/cosmos.gov.v1beta1.Query/Vote", B1.QueryVoteRequest.encode({ proposalId: 4n, voter: c.keys.d.address }).finish(), B1.QueryVoteResponse)
  assert.equal(v.vote?.options.map((o) => o.weight), ["250000000000000000", "750000000000000000"])
  const t = await q("/cosmos.gov.v1beta1.Query/TallyResult", B1.QueryTallyResultRequest.encode({ proposalId: 4n }).finish(), B1.QueryTallyResultResponse)
  assert.equal(t.tally, { yes: "0", abstain: "0", no: "0", noWithVeto: "0" }, "d delegates nothing: no power")
})

test("genesis export is SDK-shaped JSON and imports into an identical gov namespace", async () => {
  const state = await exportAppState(c.chain)
  const g = state.gov as Record<string, any>
  assert.is(g.starting_proposal_id, "5")
  assert.is(g.params.voting_period, "20s")
  assert.is(g.params.quorum, "0.334000000000000000")
  assert.equal(g.proposals.map((p: any) => p.status), ["PROPOSAL_STATUS_PASSED", "PROPOSAL_STATUS_FAILED", "PROPOSAL_STATUS_DEPOSIT_PERIOD", "PROPOSAL_STATUS_VOTING_PERIOD"])
  assert.equal(g.proposals[0].messages[0], { "@type": "/cosmos.bank.v1beta1.MsgSend", from_address: c.keys.gov, to_address: c.keys.x, amount: [{ denom: "boot", amount: "5" }] })
  assert.equal(g.proposals[3].messages[0], { "@type": AuthorityTypeUrl.halt, authority: c.keys.gov, name: "staking" })
  assert.match(g.proposals[0].submit_time, /^2023-11-14T22:1\d:\d\dZ$/)
  assert.equal(g.votes, [{ proposal_id: "4", voter: c.keys.d.address, options: [{ option: "VOTE_OPTION_YES", weight: "0.250000000000000000" }, { option: "VOTE_OPTION_NO", weight: "0.750000000000000000" }], metadata: "" }])
  const fresh = await Chain.open([...baseMachines(), new StakingMachine({ bech32Prefix: "cyber", bondDenom: "boot" }), new GovMachine()])
  try {
    await fresh.init(state)
    assert.equal(fresh.dump("gov"), c.chain.dump("gov"), "same gov namespace")
  } finally {
    await fresh.close()
  }
})

test("genesis import refuses a malformed entry with gov code 8 naming it", async () => {
  const bad = async (gov: unknown, what: RegExp) => {
    const chain = await Chain.open([...baseMachines(), new StakingMachine({ bech32Prefix: "cyber", bondDenom: "boot" }), new GovMachine()])
    try {
      const err = await chain.init({ auth: { accounts: [] }, bank: { balances: [] }, gov }).then(() => undefined, (e: unknown) => e as { code?: number; codespace?: string; log?: string })
      assert.ok(err, "refused")
      assert.is(`${err!.codespace} ${err!.code}`, "gov 8", err!.log)
      assert.match(err!.log!, what)
    } finally {
      await chain.close()
    }
  }
  await bad({ params: { quorum: "2" } }, /params: quorum too large/)
  await bad({ params: { voting_period: "two days" } }, /voting_period: expected a duration/)
  await bad({ proposals: [{ id: "1", status: "PROPOSAL_STATUS_VOTING_PERIOD" }] }, /proposals\[0\]: a proposal in its voting period needs voting_end_time/)
  await bad({ proposals: [{ id: "1", status: "PROPOSAL_STATUS_PASSED", messages: [{ "@type": "/x.Unknown" }] }] }, /proposals\[0\]\.messages\[0\]: unknown message type \/x\.Unknown/)
  await bad({ votes: [{ proposal_id: "9", voter: "cyber1x", options: [] }] }, /votes\[0\]: proposal 9 is not in proposals/)
})

test("the JSON message table: SDK JSON to Any and back, LegacyDec and duration fields converted", () => {
  const send = msgFromJSON({ "@type": "/cosmos.bank.v1beta1.MsgSend", from_address: c.keys.gov, to_address: c.keys.x, amount: [{ denom: "boot", amount: "7" }] })
  assert.equal(send, sendMsg(c.keys.gov, c.keys.x, "7"))
  const distr = { "@type": "/cosmos.distribution.v1beta1.MsgUpdateParams", authority: c.keys.gov, params: { community_tax: "0.020000000000000000", base_proposer_reward: "0.000000000000000000", bonus_proposer_reward: "0.000000000000000000", withdraw_addr_enabled: true } }
  const any = msgFromJSON(distr)
  assert.equal(msgToJSON(any), distr, "round trip")
  const govParams = msgToJSON(msgFromJSON({ "@type": "/cosmos.gov.v1.MsgUpdateParams", authority: c.keys.gov, params: { voting_period: "30s", max_deposit_period: "10s", quorum: "0.4" } }))
  assert.is((govParams.params as any).voting_period, "30s")
  assert.equal(msgToJSON({ typeUrl: "/x.Opaque", value: Uint8Array.of(1, 2) }), { "@type": "/x.Opaque", "@value": "AQI=" })
  assert.equal(msgFromJSON({ "@type": "/x.Opaque", "@value": "AQI=" }), { typeUrl: "/x.Opaque", value: Uint8Array.of(1, 2) })
  assert.throws(() => msgFromJSON({ "@type": "/x.Unknown", a: 1 }), /unknown message type/)
  const wasm = { "@type": "/cyber.cyberwasm.v1.MsgUpdateParams", authority: c.keys.gov, params: { max_code_bytes: "1000", max_call_gas: "2000" } }
  assert.equal(msgToJSON(msgFromJSON(wasm)), wasm, "cyberwasm params through its own JSON form")
})

test.run()
