/**
 * Governance page check. Set-up: the dev account submits a text proposal with the chain's
 * min_deposit (so it enters its voting period) and votes yes. The list shows every proposal of
 * Query/Proposals with the status and the tally Query/TallyResult gives at the height the page
 * read them at; the proposal's page (opened from the keyboard) shows the same status and tally,
 * the dev account's yes vote (Query/Votes) and the deposit.
 */
import * as assert from "uvu/assert"
import type { Page } from "playwright-core"
import { proposalStatusToJSON, VoteOption, voteOptionToJSON } from "cosmjs-types/cosmos/gov/v1/gov"
import * as Q from "cosmjs-types/cosmos/gov/v1/query"
import { MsgSubmitProposalResponse } from "cosmjs-types/cosmos/gov/v1/tx"
import type { SetupContext, UiContext } from "../harness.ts"
import { eventually, textOf, until } from "./Check.ts"

const GOV = "/cosmos.gov.v1.Query/"
const TITLE = "Dashboard test proposal"
let proposalId = 0n

const abci = async (ui: Pick<UiContext, "rpc">, method: string, data: Uint8Array, height?: number): Promise<Uint8Array> => {
  const r = await ui.rpc("abci_query", { path: JSON.stringify(GOV + method), data: "0x" + Buffer.from(data).toString("hex"), ...(height ? { height: String(height) } : {}) })
  if (r.response.code !== 0) throw new Error(`${GOV}${method}: code ${r.response.code}: ${r.response.log}`)
  return new Uint8Array(Buffer.from(r.response.value ?? "", "base64"))
}
const tallyAt = async (ui: UiContext, id: bigint, height: number) => {
  const t = Q.QueryTallyResultResponse.decode(await abci(ui, "TallyResult", Q.QueryTallyResultRequest.encode({ proposalId: id }).finish(), height)).tally!
  return [t.yesCount, t.noCount, t.abstainCount, t.noWithVetoCount]
}
const statusAt = async (ui: UiContext, id: bigint, height: number) =>
  proposalStatusToJSON(Q.QueryProposalResponse.decode(await abci(ui, "Proposal", Q.QueryProposalRequest.encode({ proposalId: id }).finish(), height)).proposal!.status)

/** Submit a text proposal with min_deposit and vote yes with the dev account. */
export const setup = async (ui: SetupContext): Promise<void> => {
  const params = Q.QueryParamsResponse.decode(await abci(ui, "Params", Q.QueryParamsRequest.encode({ paramsType: "" }).finish())).params!
  const sender = ui.sent.sender
  const submitted = await ui.client.signAndBroadcast(sender, [{
    typeUrl: "/cosmos.gov.v1.MsgSubmitProposal",
    value: { messages: [], initialDeposit: params.minDeposit, proposer: sender, metadata: "", title: TITLE, summary: "A text proposal the dashboard shows", expedited: false }
  }], 1.5)
  if (submitted.code !== 0) throw new Error(`gov set-up: submit refused: ${submitted.rawLog}`)
  proposalId = MsgSubmitProposalResponse.decode(submitted.msgResponses[0]!.value).proposalId
  const voted = await ui.client.signAndBroadcast(sender, [{ typeUrl: "/cosmos.gov.v1.MsgVote", value: { proposalId, voter: sender, option: VoteOption.VOTE_OPTION_YES, metadata: "" } }], 1.5)
  if (voted.code !== 0) throw new Error(`gov set-up: vote refused: ${voted.rawLog}`)
}

/** See the module doc. */
export const check = async (page: Page, ui: UiContext): Promise<void> => {
  assert.ok(proposalId > 0n, "the set-up submitted a proposal")
  const list = Q.QueryProposalsResponse.decode(await abci(ui, "Proposals", Q.QueryProposalsRequest.encode({
    proposalStatus: 0, voter: "", depositor: "", pagination: { key: new Uint8Array(), offset: 0n, limit: 50n, countTotal: true, reverse: true }
  }).finish()))
  await eventually(async () => {
    const shown = await page.locator("[data-table=proposals]").evaluate((t) => ({
      height: Number(t.getAttribute("data-height")),
      rows: [...t.querySelectorAll("tbody tr")].map((r) => ({
        id: r.getAttribute("data-proposal"),
        status: r.querySelector("[data-field=status]")?.getAttribute("data-raw"),
        tally: ["yes", "no", "abstain", "veto"].map((k) => r.querySelector(`[data-field=tally-${k}]`)?.textContent?.trim())
      }))
    }))
    assert.equal(shown.rows.map((r) => r.id), list.proposals.map((p) => p.id.toString()), "the proposals of Query/Proposals, newest first")
    const row = shown.rows.find((r) => r.id === proposalId.toString())!
    assert.is(row.status, await statusAt(ui, proposalId, shown.height))
    assert.equal(row.tally, await tallyAt(ui, proposalId, shown.height))
  })
  assert.match(await textOf(page, "[data-field=proposals-total]"), new RegExp(`^${list.pagination!.total} proposal`))

  // The proposal's page, from the keyboard.
  await page.locator(`[data-table=proposals] tr[data-proposal="${proposalId}"] a`).focus()
  await page.keyboard.press("Enter")
  await until(page, `location.hash === "#/gov/${proposalId}"`)
  assert.is(await textOf(page, "[data-field=title]"), TITLE)
  await eventually(async () => {
    const shown = await page.locator("main").evaluate((m) => ({
      height: Number(m.querySelector("dl.kv")?.getAttribute("data-height")),
      status: m.querySelector("dl.kv [data-field=status]")?.getAttribute("data-raw"),
      tally: ["yes", "no", "abstain", "veto"].map((k) => m.querySelector(`[data-table=tally] [data-field=tally-${k}]`)?.textContent?.trim())
    }))
    assert.is(shown.status, await statusAt(ui, proposalId, shown.height))
    assert.equal(shown.tally, await tallyAt(ui, proposalId, shown.height))
  })
  const votes = Q.QueryVotesResponse.decode(await abci(ui, "Votes", Q.QueryVotesRequest.encode({ proposalId }).finish())).votes
  assert.equal(votes.map((v) => v.voter), [ui.sent.sender])
  const shownVotes = await page.locator("[data-table=votes] tbody tr").evaluateAll((rows) =>
    rows.map((r) => [r.getAttribute("data-voter"), r.querySelector("[data-field=vote-option]")?.getAttribute("data-raw")]))
  assert.equal(shownVotes, votes.map((v) => [v.voter, v.options.map((o) => voteOptionToJSON(o.option)).join(",")]))
  assert.equal(shownVotes[0]![1], "VOTE_OPTION_YES")
  const proposal = Q.QueryProposalResponse.decode(await abci(ui, "Proposal", Q.QueryProposalRequest.encode({ proposalId }).finish())).proposal!
  assert.is(await textOf(page, "[data-field=deposit]"), proposal.totalDeposit.map((c) => `${c.amount}${c.denom}`).join(", "))
}
