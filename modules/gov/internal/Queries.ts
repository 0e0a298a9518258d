/**
 * gov gRPC queries over a committed snapshot: `/cosmos.gov.v1.Query/{Constitution, Params, Proposal,
 * Proposals, Vote, Votes, Deposit, Deposits, TallyResult}` and the v1beta1 forms CosmJS's gov
 * extension asks (`/cosmos.gov.v1beta1.Query/{Params, Proposal, Proposals, Vote, Votes, Deposit,
 * Deposits, TallyResult}`). TallyResult of a proposal in its voting period is the live tally.
 *
 * Source: cosmos-sdk x/gov/keeper/grpc_query.go (v0.50; legacyQueryServer for v1beta1),
 * x/gov/migrations/v3/convert.go (v1 -> v1beta1 shapes).
 */
import type { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination"
import { Deposit, ProposalStatus, Vote, type Params, type Proposal, type TallyResult } from "cosmjs-types/cosmos/gov/v1/gov"
import * as V1 from "cosmjs-types/cosmos/gov/v1/query"
import * as B1 from "cosmjs-types/cosmos/gov/v1beta1/query"
import * as B1Gov from "cosmjs-types/cosmos/gov/v1beta1/gov"
import { InvalidRequest, NotFound, TxDecodeError, UnknownRequest } from "../../../chain/ChainError.ts"
import type { QueryContext } from "../../../chain/Machine.ts"
import { parseAddress } from "../../auth/Address.ts"
import { paginate } from "../../bank/Pagination.ts"
import { parseDec } from "../../../chain/LegacyDec.ts"
import { emptyTally, tally, type StakingView } from "./Tally.ts"
import { DEPOSIT, getDeposit, getParams, getProposal, getVote, iterateProposals, listVotes, perProposalPrefix, VOTE } from "./Store.ts"

/** The v1 gRPC query prefix. */
export const QUERY_V1 = "/cosmos.gov.v1.Query/"
/** The v1beta1 gRPC query prefix (CosmJS's gov extension). */
export const QUERY_V1BETA1 = "/cosmos.gov.v1beta1.Query/"

/** What queries need from the machine. */
export interface QueryEnv {
  readonly bech32Prefix: string
  readonly defaults: Params
  readonly staking: (ctx: QueryContext) => StakingView
  readonly valoperOf: (account: string) => string
}

const decode = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new TxDecodeError({ log: `invalid ${what} request: ${(e as Error).message}` })
  }
}
const u64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, v)
  return b
}

const proposalOf = (ctx: QueryContext, id: bigint): Proposal => {
  if (id === 0n) throw new InvalidRequest({ log: "proposal id can not be 0" })
  const p = getProposal(ctx.store, id)
  if (!p) throw new NotFound({ log: `proposal ${id} doesn't exist: not found` })
  return p
}
const addr = (env: QueryEnv, a: string, what: string): Uint8Array => {
  if (a === "") throw new InvalidRequest({ log: `empty ${what} address` })
  return parseAddress(a, env.bech32Prefix, `invalid ${what} address`)
}

/** Proposals matching the filters, paged by id (key = the next id, u64 big-endian). */
const proposals = (ctx: QueryContext, env: QueryEnv, r: V1.QueryProposalsRequest): { items: Proposal[]; page: PageResponse } => {
  const voter = r.voter === "" ? undefined : addr(env, r.voter, "voter")
  const depositor = r.depositor === "" ? undefined : addr(env, r.depositor, "depositor")
  const page: PageRequest = r.pagination ?? { key: new Uint8Array(), offset: 0n, limit: 0n, countTotal: false, reverse: false }
  if (page.key.length > 0 && page.offset > 0n) throw new InvalidRequest({ log: "either offset or key is expected, got both: invalid request" })
  if (page.key.length !== 0 && page.key.length !== 8) throw new InvalidRequest({ log: "pagination key must be 8 bytes (a proposal id)" })
  const from = page.key.length === 8 ? new DataView(page.key.buffer, page.key.byteOffset, 8).getBigUint64(0) : undefined
  const limit = page.limit > 0n ? page.limit : 100n
  const items: Proposal[] = []
  let skipped = 0n
  let count = 0n
  let nextKey: Uint8Array = new Uint8Array()
  for (const p of iterateProposals(ctx.store, page.reverse, from)) {
    if (r.proposalStatus !== ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED && p.status !== r.proposalStatus) continue
    if (voter && !getVote(ctx.store, p.id, voter)) continue
    if (depositor && !getDeposit(ctx.store, p.id, depositor)) continue
    count++
    if (skipped < page.offset) {
      skipped++
      continue
    }
    if (BigInt(items.length) >= limit) {
      if (nextKey.length === 0) nextKey = u64(p.id)
      if (!page.countTotal) break
      continue
    }
    items.push(p)
  }
  return { items, page: { nextKey, total: page.countTotal ? count : 0n } }
}

const tallyOf = (ctx: QueryContext, env: QueryEnv, p: Proposal): TallyResult => {
  switch (p.status) {
    case ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD:
      return emptyTally()
    case ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD:
      return tally(listVotes(ctx.store, p.id), env.staking(ctx), getParams(ctx.store) ?? env.defaults, env.valoperOf).result
    default:
      return p.finalTallyResult ?? emptyTally()
  }
}

const paramsResponse = (params: Params, type: string): V1.QueryParamsResponse => {
  const out: V1.QueryParamsResponse = { params }
  if (type === "deposit") out.depositParams = { minDeposit: params.minDeposit, maxDepositPeriod: params.maxDepositPeriod }
  else if (type === "voting") out.votingParams = { votingPeriod: params.votingPeriod }
  else if (type === "tallying") out.tallyParams = { quorum: params.quorum, threshold: params.threshold, vetoThreshold: params.vetoThreshold }
  else if (type !== "") throw new InvalidRequest({ log: `unknown params type: ${type}` })
  return out
}

/** Answer a v1 query. */
export const queryV1 = (ctx: QueryContext, env: QueryEnv, method: string, data: Uint8Array): Uint8Array => {
  switch (method) {
    case "Constitution":
      return V1.QueryConstitutionResponse.encode({ constitution: "" }).finish()
    case "Params": {
      const r = decode("Params", () => V1.QueryParamsRequest.decode(data))
      return V1.QueryParamsResponse.encode(paramsResponse(getParams(ctx.store) ?? env.defaults, r.paramsType)).finish()
    }
    case "Proposal": {
      const r = decode("Proposal", () => V1.QueryProposalRequest.decode(data))
      return V1.QueryProposalResponse.encode({ proposal: proposalOf(ctx, r.proposalId) }).finish()
    }
    case "Proposals": {
      const r = decode("Proposals", () => V1.QueryProposalsRequest.decode(data))
      const { items, page } = proposals(ctx, env, r)
      return V1.QueryProposalsResponse.encode({ proposals: items, pagination: page }).finish()
    }
    case "Vote": {
      const r = decode("Vote", () => V1.QueryVoteRequest.decode(data))
      if (r.proposalId === 0n) throw new InvalidRequest({ log: "proposal id can not be 0" })
      const v = getVote(ctx.store, r.proposalId, addr(env, r.voter, "voter"))
      if (!v) throw new NotFound({ log: `voter: ${r.voter} not found for proposal: ${r.proposalId}: not found` })
      return V1.QueryVoteResponse.encode({ vote: v }).finish()
    }
    case "Votes": {
      const r = decode("Votes", () => V1.QueryVotesRequest.decode(data))
      if (r.proposalId === 0n) throw new InvalidRequest({ log: "proposal id can not be 0" })
      const { items, page } = paginate(ctx.store, perProposalPrefix(VOTE, r.proposalId), r.pagination, ([, v]) => Vote.decode(v))
      return V1.QueryVotesResponse.encode({ votes: items, pagination: page }).finish()
    }
    case "Deposit": {
      const r = decode("Deposit", () => V1.QueryDepositRequest.decode(data))
      if (r.proposalId === 0n) throw new InvalidRequest({ log: "proposal id can not be 0" })
      const d = getDeposit(ctx.store, r.proposalId, addr(env, r.depositor, "depositor"))
      if (!d) throw new NotFound({ log: `depositer: ${r.depositor} not found for proposal: ${r.proposalId}: not found` })
      return V1.QueryDepositResponse.encode({ deposit: d }).finish()
    }
    case "Deposits": {
      const r = decode("Deposits", () => V1.QueryDepositsRequest.decode(data))
      if (r.proposalId === 0n) throw new InvalidRequest({ log: "proposal id can not be 0" })
      const { items, page } = paginate(ctx.store, perProposalPrefix(DEPOSIT, r.proposalId), r.pagination, ([, v]) => Deposit.decode(v))
      return V1.QueryDepositsResponse.encode({ deposits: items, pagination: page }).finish()
    }
    case "TallyResult": {
      const r = decode("TallyResult", () => V1.QueryTallyResultRequest.decode(data))
      return V1.QueryTallyResultResponse.encode({ tally: tallyOf(ctx, env, proposalOf(ctx, r.proposalId)) }).finish()
    }
    default:
      throw new UnknownRequest({ log: `unknown query path ${QUERY_V1}${method}` })
  }
}

// v1beta1 shapes: Dec fields carry LegacyDec wire text (the scaled integer), tally counts are Ints
const wireDec = (text: string): string => parseDec(text, "decimal").toString()
// Go's zero time.Time (0001-01-01T00:00:00Z): v1beta1 times are not nullable
const ZERO_TIME = { seconds: -62135596800n, nanos: 0 }
const b1Tally = (t: TallyResult): B1Gov.TallyResult => ({ yes: t.yesCount, abstain: t.abstainCount, no: t.noCount, noWithVeto: t.noWithVetoCount })
const b1Proposal = (p: Proposal): B1Gov.Proposal => ({
  proposalId: p.id,
  // a v1 proposal carries messages, not legacy content: shown as a text proposal with its title and summary
  content: { typeUrl: "/cosmos.gov.v1beta1.TextProposal", value: B1Gov.TextProposal.encode({ title: p.title, description: p.summary }).finish() },
  status: p.status as number as B1Gov.ProposalStatus,
  finalTallyResult: b1Tally(p.finalTallyResult ?? emptyTally()),
  submitTime: p.submitTime ?? ZERO_TIME,
  depositEndTime: p.depositEndTime ?? ZERO_TIME,
  totalDeposit: p.totalDeposit,
  votingStartTime: p.votingStartTime ?? ZERO_TIME,
  votingEndTime: p.votingEndTime ?? ZERO_TIME
})
const b1Vote = (v: Vote): B1Gov.Vote => ({
  proposalId: v.proposalId,
  voter: v.voter,
  option: v.options.length === 1 ? (v.options[0]!.option as number as B1Gov.VoteOption) : B1Gov.VoteOption.VOTE_OPTION_UNSPECIFIED,
  options: v.options.map((o) => ({ option: o.option as number as B1Gov.VoteOption, weight: wireDec(o.weight) }))
})
const reencode = <A, B>(enc: (b: Uint8Array) => A, f: (a: A) => B) => (bytes: Uint8Array) => f(enc(bytes))

/** Answer a v1beta1 query (through the v1 answer, converted). */
export const queryV1beta1 = (ctx: QueryContext, env: QueryEnv, method: string, data: Uint8Array): Uint8Array => {
  switch (method) {
    case "Params": {
      const r = decode("Params", () => B1.QueryParamsRequest.decode(data))
      if (!["deposit", "voting", "tallying"].includes(r.paramsType)) throw new InvalidRequest({ log: `unknown params type: ${r.paramsType}` })
      const p = getParams(ctx.store) ?? env.defaults
      const enc = new TextEncoder()
      return B1.QueryParamsResponse.encode({
        votingParams: { votingPeriod: p.votingPeriod! },
        depositParams: { minDeposit: p.minDeposit, maxDepositPeriod: p.maxDepositPeriod! },
        tallyParams: { quorum: enc.encode(wireDec(p.quorum)), threshold: enc.encode(wireDec(p.threshold)), vetoThreshold: enc.encode(wireDec(p.vetoThreshold)) }
      }).finish()
    }
    case "Proposal":
      return B1.QueryProposalResponse.encode(reencode(V1.QueryProposalResponse.decode, (r) => ({ proposal: b1Proposal(r.proposal!) }))(queryV1(ctx, env, method, data))).finish()
    case "Proposals":
      return B1.QueryProposalsResponse.encode(
        reencode(V1.QueryProposalsResponse.decode, (r) => ({ proposals: r.proposals.map(b1Proposal), pagination: r.pagination }))(queryV1(ctx, env, method, data))
      ).finish()
    case "Vote":
      return B1.QueryVoteResponse.encode(reencode(V1.QueryVoteResponse.decode, (r) => ({ vote: b1Vote(r.vote!) }))(queryV1(ctx, env, method, data))).finish()
    case "Votes":
      return B1.QueryVotesResponse.encode(reencode(V1.QueryVotesResponse.decode, (r) => ({ votes: r.votes.map(b1Vote), pagination: r.pagination }))(queryV1(ctx, env, method, data))).finish()
    case "Deposit":
      return B1.QueryDepositResponse.encode(reencode(V1.QueryDepositResponse.decode, (r) => ({ deposit: r.deposit! }))(queryV1(ctx, env, method, data))).finish()
    case "Deposits":
      return B1.QueryDepositsResponse.encode(reencode(V1.QueryDepositsResponse.decode, (r) => ({ deposits: r.deposits, pagination: r.pagination }))(queryV1(ctx, env, method, data))).finish()
    case "TallyResult":
      return B1.QueryTallyResultResponse.encode(reencode(V1.QueryTallyResultResponse.decode, (r) => ({ tally: b1Tally(r.tally!) }))(queryV1(ctx, env, method, data))).finish()
    default:
      throw new UnknownRequest({ log: `unknown query path ${QUERY_V1BETA1}${method}` })
  }
}

