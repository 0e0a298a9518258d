// gov with the real staking machine (modules/staking): voting power from bonded validators and
// real delegations, read through staking's WIT interface in endBlock and its gRPC queries for
// the live tally; a delegator's vote overrides its validator's for its shares.
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov"
import { QueryTallyResultRequest, QueryTallyResultResponse } from "cosmjs-types/cosmos/gov/v1/query"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { delegateMsg } from "../staking/msgs.ts"
import { GovChain, MIN_DEPOSIT, sendMsg, submitMsg, valoper, voteMsg } from "./support/GovChain.ts"

const test = suite("gov with the staking machine")
const M = 1_000_000n
let c: GovChain
test.before(async () => {
  c = await GovChain.open({ govFunds: 100n })
})
test.after(async () => {
  await c.close()
})

const liveTally = async (id: bigint) =>
  QueryTallyResultResponse.decode((await c.chain.query("/cosmos.gov.v1.Query/TallyResult", QueryTallyResultRequest.encode({ proposalId: id }).finish())).value).tally

test("a delegator's own vote moves its shares; validators carry the rest; live and final tallies agree", async () => {
  const { a, b, d, gov, x } = c.keys
  const ok = async (r: Promise<{ code: number; log: string }>) => {
    const res = await r
    assert.is(res.code, 0, res.log)
  }
  await ok(c.tx(d, delegateMsg(d.address, valoper(a.address), 2n * M)))
  // 1: d votes no against its validator a; 2: d does not vote, a's yes carries d's stake
  await ok(c.tx(a, submitMsg(a.address, [], MIN_DEPOSIT)))
  await ok(c.tx(a, submitMsg(a.address, [sendMsg(gov, x, "7")], MIN_DEPOSIT)))
  await ok(c.tx(a, voteMsg(a.address, 1n, VoteOption.VOTE_OPTION_YES), voteMsg(a.address, 2n, VoteOption.VOTE_OPTION_YES)))
  await ok(c.tx(b, voteMsg(b.address, 1n, VoteOption.VOTE_OPTION_NO), voteMsg(b.address, 2n, VoteOption.VOTE_OPTION_NO)))
  await ok(c.tx(d, voteMsg(d.address, 1n, VoteOption.VOTE_OPTION_NO)))
  const live1 = await liveTally(1n)
  const live2 = await liveTally(2n)
  assert.equal(live1, { yesCount: String(6n * M), abstainCount: "0", noCount: String(6n * M), noWithVetoCount: "0" }, "a 6M yes; b 4M + d 2M no")
  assert.equal(live2, { yesCount: String(8n * M), abstainCount: "0", noCount: String(4n * M), noWithVetoCount: "0" }, "a 6M + d 2M yes; b 4M no")
  await c.blocks(4)
  const p1 = await c.proposal(1n)
  const p2 = await c.proposal(2n)
  assert.is(p1?.status, ProposalStatus.PROPOSAL_STATUS_REJECTED, "6M of 12M is not above one half")
  assert.equal(p1?.finalTallyResult, live1)
  assert.is(p2?.status, ProposalStatus.PROPOSAL_STATUS_PASSED, p2?.failedReason)
  assert.equal(p2?.finalTallyResult, live2)
  assert.is(await c.balance(x), 7n, "the passed proposal ran")
})

test.run()
