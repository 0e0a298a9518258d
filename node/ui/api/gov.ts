/**
 * Governance page routes (docs/dashboard.md "Governance"), read through the gov machine's
 * `cosmos.gov.v1` gRPC queries at the last commit (the answers `abci_query` gives):
 *
 * - `GET /ui/api/gov?key=HEX`: one page of at most {@link PROPOSALS_PAGE} proposals, newest first
 *   (Query/Proposals reversed; `key` = the previous answer's `nextKey`), each with its tally from
 *   Query/TallyResult (the live tally during the voting period, the final one after):
 *   `{height, total, nextKey, proposals: [ProposalRow]}`.
 * - `GET /ui/api/gov-proposal?id=N`: one proposal's row, its message type URLs, its first
 *   {@link VOTES_PAGE} votes (Query/Votes) and deposits (Query/Deposits), and the tally params
 *   (Query/Params): `{height, proposal, messages, votes, votesTotal, deposits, params}`.
 *   404 for an unknown id.
 *
 * Statuses and vote options are the proto enum names (`PROPOSAL_STATUS_PASSED`,
 * `VOTE_OPTION_YES`); tally counts and amounts are decimal strings of base units; times ISO 8601.
 * Source: modules/gov/internal/Queries.ts; cosmos-sdk x/gov/keeper/grpc_query.go.
 */
import { Params as GovParams, type Proposal, proposalStatusToJSON, type TallyResult, voteOptionToJSON } from "cosmjs-types/cosmos/gov/v1/gov"
import * as Q from "cosmjs-types/cosmos/gov/v1/query"
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp"
import type { ResponseQuery } from "cosmjs-types/tendermint/abci/types"
import { fromHex, toHex } from "../../../lib/Bytes.ts"
import { ApiError, orUnavailable, type ApiContext, type ApiRoute } from "./Route.ts"

const MACHINE = "gov"

/** Proposals per page of the `gov` route. */
export const PROPOSALS_PAGE = 50
/** Votes and deposits shown per proposal. */
export const VOTES_PAGE = 100

const GOV = "/cosmos.gov.v1.Query/"

/** One proposal as the page shows it. */
export interface ProposalRow {
  readonly id: string
  readonly title: string
  readonly summary: string
  readonly status: string
  readonly proposer: string
  readonly submitTime: string | null
  readonly votingEndTime: string | null
  readonly totalDeposit: ReadonlyArray<{ denom: string; amount: string }>
  readonly tally: { yes: string; no: string; abstain: string; noWithVeto: string }
  readonly failedReason: string
}

const ask = async (ctx: ApiContext, method: string, data: Uint8Array): Promise<{ value: Uint8Array; height: number }> => {
  const r: ResponseQuery = await ctx.app.query({ path: GOV + method, data, height: 0n, prove: false })
  if (r.code !== 0) {
    if (/^unknown query path/.test(r.log)) throw new ApiError({ code: "MachineOff", status: 404, message: `the ${MACHINE} machine is not active on this node (${r.log})` })
    const notFound = /not found|doesn't exist/i.test(r.log)
    throw new ApiError({ code: notFound ? "NotFound" : "QueryFailed", status: notFound ? 404 : 400, message: `${GOV}${method}: ${r.log}` })
  }
  return { value: r.value, height: Number(r.height) }
}

const iso = (t: Timestamp | undefined): string | null => {
  if (!t || t.seconds <= 0n) return null
  const ms = Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6)
  return Number.isFinite(ms) && ms < 8.64e15 ? new Date(ms).toISOString() : null
}

const tallyRow = (t: TallyResult | undefined) => ({ yes: t?.yesCount ?? "0", no: t?.noCount ?? "0", abstain: t?.abstainCount ?? "0", noWithVeto: t?.noWithVetoCount ?? "0" })

const rowOf = async (ctx: ApiContext, p: Proposal): Promise<ProposalRow> => {
  const t = Q.QueryTallyResultResponse.decode((await ask(ctx, "TallyResult", Q.QueryTallyResultRequest.encode({ proposalId: p.id }).finish())).value).tally
  return {
    id: p.id.toString(), title: p.title, summary: p.summary, status: proposalStatusToJSON(p.status), proposer: p.proposer,
    submitTime: iso(p.submitTime), votingEndTime: iso(p.votingEndTime), totalDeposit: p.totalDeposit.map((c) => ({ denom: c.denom, amount: c.amount })),
    tally: tallyRow(t), failedReason: p.failedReason
  }
}

const page = (key: Uint8Array, limit: number, reverse: boolean, countTotal: boolean) => ({ key, offset: 0n, limit: BigInt(limit), countTotal, reverse })

/** `GET /ui/api/gov?key=HEX`: a page of proposals, newest first, with tallies. */
export const gov: ApiRoute = {
  name: "gov",
  description: "governance proposals (newest first, a page of 50) with their tallies",
  params: { key: { maxLength: 16, pattern: /^[0-9a-fA-F]{16}$/, expected: "the nextKey of a previous answer (8 bytes, hex)" } },
  handle: (ctx, params) => orUnavailable(async () => {
    const key = params.key ? fromHex(params.key) : new Uint8Array()
    const r = await ask(ctx, "Proposals", Q.QueryProposalsRequest.encode({ proposalStatus: 0, voter: "", depositor: "", pagination: page(key, PROPOSALS_PAGE, true, key.length === 0) }).finish())
    const res = Q.QueryProposalsResponse.decode(r.value)
    const rows: ProposalRow[] = []
    for (const p of res.proposals) rows.push(await rowOf(ctx, p))
    const total = key.length === 0 ? (res.pagination?.total ?? 0n).toString() : null
    return { height: r.height, total, nextKey: toHex(res.pagination?.nextKey ?? new Uint8Array()), proposals: rows }
  })
}

/** `GET /ui/api/gov-proposal?id=N`: one proposal with its votes, deposits and the tally params. */
export const govProposal: ApiRoute = {
  name: "gov-proposal",
  description: "one governance proposal: tally, messages, votes, deposits and tally params",
  params: { id: { maxLength: 19, pattern: /^[1-9][0-9]{0,18}$/, required: true, expected: "a proposal id (a positive integer)" } },
  handle: async (ctx, params) => {
    const proposalId = BigInt(params.id!)
    if (proposalId > 0xffffffffffffffffn) throw new ApiError({ code: "BadParam", status: 400, param: "id", message: "parameter id must fit in 64 bits" })
    const r = await ask(ctx, "Proposal", Q.QueryProposalRequest.encode({ proposalId }).finish())
    const p = Q.QueryProposalResponse.decode(r.value).proposal
    if (!p) throw new ApiError({ code: "NotFound", status: 404, message: `proposal ${proposalId} not found` })
    const votes = Q.QueryVotesResponse.decode((await ask(ctx, "Votes", Q.QueryVotesRequest.encode({ proposalId, pagination: page(new Uint8Array(), VOTES_PAGE, false, true) }).finish())).value)
    const deposits = Q.QueryDepositsResponse.decode((await ask(ctx, "Deposits", Q.QueryDepositsRequest.encode({ proposalId, pagination: page(new Uint8Array(), VOTES_PAGE, false, false) }).finish())).value)
    const params_ = Q.QueryParamsResponse.decode((await ask(ctx, "Params", Q.QueryParamsRequest.encode({ paramsType: "" }).finish())).value).params
    const gp = params_ ?? GovParams.fromPartial({})
    return {
      height: r.height,
      proposal: await rowOf(ctx, p),
      messages: p.messages.map((m) => m.typeUrl),
      votesTotal: votes.pagination?.total.toString() ?? String(votes.votes.length),
      votes: votes.votes.map((v) => ({ voter: v.voter, options: v.options.map((o) => ({ option: voteOptionToJSON(o.option), weight: o.weight })) })),
      deposits: deposits.deposits.map((d) => ({ depositor: d.depositor, amount: d.amount.map((c) => ({ denom: c.denom, amount: c.amount })) })),
      params: { quorum: gp.quorum, threshold: gp.threshold, vetoThreshold: gp.vetoThreshold, votingPeriodSeconds: gp.votingPeriod?.seconds.toString() ?? null }
    }
  }
}
