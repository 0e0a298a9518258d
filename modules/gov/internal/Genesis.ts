/**
 * gov genesis in the SDK's JSON shape (cosmos.gov.v1.GenesisState protojson): starting_proposal_id,
 * deposits, votes, proposals, params, constitution. Import rebuilds the queues from each proposal's
 * status and end times; export is the inverse (deposits and votes by proposal, then address bytes).
 *
 * Source: cosmos-sdk x/gov/genesis.go (InitGenesis, ExportGenesis), types/v1/genesis.go (Validate).
 */
import { ProposalStatus, proposalStatusFromJSON, proposalStatusToJSON, voteOptionFromJSON, voteOptionToJSON, type Params, type Proposal, type TallyResult } from "cosmjs-types/cosmos/gov/v1/gov"
import type { Coin as ProtoCoin } from "cosmjs-types/cosmos/base/v1beta1/coin"
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp"
import { isChainError } from "../../../chain/ChainError.ts"
import type { ExecContext, QueryContext } from "../../../chain/Machine.ts"
import { parseAddress } from "../../auth/Address.ts"
import { validCoins } from "../../bank/Coin.ts"
import { InvalidGenesis } from "../GovError.ts"
import { govParamsFromJSON, govParamsToJSON, validateGovParams } from "../GovParams.ts"
import { msgFromJSON, msgToJSON } from "../MsgJson.ts"
import { formatDec, parseDec } from "../../../chain/LegacyDec.ts"
import { emptyTally } from "./Tally.ts"
import {
  ACTIVE, enqueue, getParams, INACTIVE, iterateProposals, listDeposits, listVotes, nextProposalId, setDeposit, setNextProposalId, setParams, setProposal, setVote
} from "./Store.ts"
import { formatTimestamp, parseTimestamp } from "../../../chain/Time.ts"

type Json = Record<string, unknown>

const fail = (log: string): never => {
  throw new InvalidGenesis({ log: `gov genesis: ${log}` })
}
/** Run `f`, turning any chain error into InvalidGenesis naming `where`. */
const at = <T>(where: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    if (e instanceof InvalidGenesis) throw e
    return fail(`${where}: ${isChainError(e) ? e.log : (e as Error).message}`)
  }
}
const obj = (v: unknown, where: string): Json => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : fail(`${where}: expected an object`))
const list = (v: unknown, where: string): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : fail(`${where}: expected a list`))
const str = (v: unknown, where: string): string => (typeof v === "string" ? v : fail(`${where}: expected a string`))
const u64 = (v: unknown, where: string): bigint => {
  const s = typeof v === "number" ? String(v) : v
  return typeof s === "string" && /^[0-9]{1,20}$/.test(s) && BigInt(s) < 1n << 64n ? BigInt(s) : fail(`${where}: expected an unsigned integer`)
}
const coins = (v: unknown, where: string): ProtoCoin[] => {
  const out = list(v, where).map((c, i) => {
    const o = obj(c, `${where}[${i}]`)
    return { denom: str(o.denom, `${where}[${i}].denom`), amount: str(o.amount, `${where}[${i}].amount`) }
  })
  at(where, () => validCoins(out, true))
  return out
}
const time = (v: unknown, where: string): Timestamp | undefined => (v === undefined || v === null ? undefined : at(where, () => parseTimestamp(v, where)))
const timeJson = (t: Timestamp | undefined): string | null => (t ? formatTimestamp(t) : null)
/** A tally as SDK protojson (yes_count, abstain_count, no_count, no_with_veto_count). */
export const tallyToJSON = (t: TallyResult | undefined): Json => {
  const r = t ?? emptyTally()
  return { yes_count: r.yesCount, abstain_count: r.abstainCount, no_count: r.noCount, no_with_veto_count: r.noWithVetoCount }
}

/** A proposal as SDK protojson (genesis, CLI output): messages through the JSON table (MsgJson.ts). */
export const proposalToJSON = (p: Proposal): Json => ({
  id: p.id.toString(),
  messages: p.messages.map(msgToJSON),
  status: proposalStatusToJSON(p.status),
  final_tally_result: tallyToJSON(p.finalTallyResult),
  submit_time: timeJson(p.submitTime),
  deposit_end_time: timeJson(p.depositEndTime),
  total_deposit: p.totalDeposit,
  voting_start_time: timeJson(p.votingStartTime),
  voting_end_time: timeJson(p.votingEndTime),
  metadata: p.metadata,
  title: p.title,
  summary: p.summary,
  proposer: p.proposer,
  expedited: p.expedited,
  failed_reason: p.failedReason
})

/** What import needs. */
export interface GenesisEnv {
  readonly bech32Prefix: string
  readonly defaults: Params
}

/** Write the gov genesis section (undefined: defaults, no proposals). Throws InvalidGenesis naming the entry. */
export const importGovGenesis = (ctx: ExecContext, genesis: unknown, env: GenesisEnv): void => {
  const g = genesis === undefined || genesis === null ? {} : obj(genesis, "section")
  const params = at("params", () => validateGovParams(g.params === undefined ? env.defaults : govParamsFromJSON(g.params, env.defaults), env.bech32Prefix))
  setParams(ctx.store, params)
  const start = g.starting_proposal_id === undefined ? 1n : u64(g.starting_proposal_id, "starting_proposal_id")
  if (start === 0n) fail("starting_proposal_id must be at least 1")
  let next = start
  const ids = new Set<bigint>()
  list(g.proposals, "proposals").forEach((raw, i) => {
    const w = `proposals[${i}]`
    const p = obj(raw, w)
    const id = u64(p.id, `${w}.id`)
    if (id === 0n || ids.has(id)) fail(`${w}.id ${id} is zero or repeated`)
    ids.add(id)
    const status = at(`${w}.status`, () => proposalStatusFromJSON(p.status ?? "PROPOSAL_STATUS_UNSPECIFIED"))
    if (status === ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED || status === ProposalStatus.UNRECOGNIZED) fail(`${w}.status is not a proposal status`)
    const t = p.final_tally_result === undefined || p.final_tally_result === null ? {} : obj(p.final_tally_result, `${w}.final_tally_result`)
    const count = (k: string) => (t[k] === undefined ? "0" : u64(t[k], `${w}.final_tally_result.${k}`).toString())
    const proposal: Proposal = {
      id,
      messages: list(p.messages, `${w}.messages`).map((m, j) => at(`${w}.messages[${j}]`, () => msgFromJSON(m))),
      status,
      finalTallyResult: { yesCount: count("yes_count"), abstainCount: count("abstain_count"), noCount: count("no_count"), noWithVetoCount: count("no_with_veto_count") },
      submitTime: time(p.submit_time, `${w}.submit_time`),
      depositEndTime: time(p.deposit_end_time, `${w}.deposit_end_time`),
      totalDeposit: coins(p.total_deposit, `${w}.total_deposit`),
      votingStartTime: time(p.voting_start_time, `${w}.voting_start_time`),
      votingEndTime: time(p.voting_end_time, `${w}.voting_end_time`),
      metadata: p.metadata === undefined ? "" : str(p.metadata, `${w}.metadata`),
      title: p.title === undefined ? "" : str(p.title, `${w}.title`),
      summary: p.summary === undefined ? "" : str(p.summary, `${w}.summary`),
      proposer: p.proposer === undefined || p.proposer === "" ? "" : at(`${w}.proposer`, () => (parseAddress(str(p.proposer, `${w}.proposer`), env.bech32Prefix), p.proposer as string)),
      expedited: p.expedited === true,
      failedReason: p.failed_reason === undefined ? "" : str(p.failed_reason, `${w}.failed_reason`)
    }
    if (proposal.expedited) fail(`${w}: expedited proposals are not supported on this chain`)
    if (status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD) {
      if (!proposal.depositEndTime) fail(`${w}: a proposal in its deposit period needs deposit_end_time`)
      enqueue(ctx.store, INACTIVE, proposal.depositEndTime!, id)
    } else if (status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
      if (!proposal.votingEndTime) fail(`${w}: a proposal in its voting period needs voting_end_time`)
      enqueue(ctx.store, ACTIVE, proposal.votingEndTime!, id)
    }
    setProposal(ctx.store, proposal)
    if (id >= next) next = id + 1n
  })
  setNextProposalId(ctx.store, next)
  list(g.deposits, "deposits").forEach((raw, i) => {
    const w = `deposits[${i}]`
    const d = obj(raw, w)
    const id = u64(d.proposal_id, `${w}.proposal_id`)
    if (!ids.has(id)) fail(`${w}: proposal ${id} is not in proposals`)
    const depositor = str(d.depositor, `${w}.depositor`)
    const bytes = at(`${w}.depositor`, () => parseAddress(depositor, env.bech32Prefix))
    setDeposit(ctx.store, bytes, { proposalId: id, depositor, amount: coins(d.amount, `${w}.amount`) })
  })
  list(g.votes, "votes").forEach((raw, i) => {
    const w = `votes[${i}]`
    const v = obj(raw, w)
    const id = u64(v.proposal_id, `${w}.proposal_id`)
    if (!ids.has(id)) fail(`${w}: proposal ${id} is not in proposals`)
    const voter = str(v.voter, `${w}.voter`)
    const bytes = at(`${w}.voter`, () => parseAddress(voter, env.bech32Prefix))
    const options = list(v.options, `${w}.options`).map((o, j) => {
      const x = obj(o, `${w}.options[${j}]`)
      const option = at(`${w}.options[${j}].option`, () => voteOptionFromJSON(x.option))
      if (option < 1 || option > 4) fail(`${w}.options[${j}].option is not a vote option`)
      return { option, weight: formatDec(at(`${w}.options[${j}].weight`, () => parseDec(str(x.weight, `${w}.options[${j}].weight`), "weight"))) }
    })
    setVote(ctx.store, bytes, { proposalId: id, voter, options, metadata: v.metadata === undefined ? "" : str(v.metadata, `${w}.metadata`) })
  })
}

/** The gov genesis section (inverse of {@link importGovGenesis}). */
export const exportGovGenesis = (ctx: QueryContext, defaults: Params): Json => {
  const proposals: Json[] = []
  const deposits: Json[] = []
  const votes: Json[] = []
  for (const p of iterateProposals(ctx.store)) {
    proposals.push(proposalToJSON(p))
    for (const d of listDeposits(ctx.store, p.id)) deposits.push({ proposal_id: d.proposalId.toString(), depositor: d.depositor, amount: d.amount })
    for (const v of listVotes(ctx.store, p.id)) {
      votes.push({
        proposal_id: v.proposalId.toString(), voter: v.voter, options: v.options.map((o) => ({ option: voteOptionToJSON(o.option), weight: o.weight })), metadata: v.metadata
      })
    }
  }
  return {
    starting_proposal_id: nextProposalId(ctx.store).toString(),
    deposits,
    votes,
    proposals,
    params: govParamsToJSON(getParams(ctx.store) ?? defaults),
    constitution: ""
  }
}
