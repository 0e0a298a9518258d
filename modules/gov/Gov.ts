/**
 * The governance machine (Cosmos SDK x/gov v1): proposals carrying messages that a passed vote runs
 * as the governance authority (`ctx.execute`, all or nothing), deposits held in the gov module
 * account, stake-weighted votes tallied through the staking machine's read-only WIT interface.
 *
 * Messages: `/cosmos.gov.v1.{MsgSubmitProposal, MsgDeposit, MsgVote, MsgVoteWeighted,
 * MsgUpdateParams}`. Refused: expedited proposals, MsgExecLegacyContent (v1beta1 content).
 * Queries: internal/Queries.ts (v1, and v1beta1 for CosmJS). End block: internal/EndBlock.ts.
 * State: internal/Store.ts. Genesis: internal/Genesis.ts. Docs: docs/machines/gov.md.
 *
 * Source: cosmos-sdk x/gov (v0.50: keeper/msg_server.go, keeper/proposal.go, keeper/deposit.go,
 * keeper/vote.go, keeper/tally.go, abci.go, types/v1/msgs.go, types/v1/vote.go).
 */
import { VoteOption, type Params, type WeightedVoteOption } from "cosmjs-types/cosmos/gov/v1/gov"
import {
  MsgDeposit, MsgDepositResponse, MsgSubmitProposal, MsgSubmitProposalResponse, MsgUpdateParams, MsgUpdateParamsResponse,
  MsgVote, MsgVoteResponse, MsgVoteWeighted, MsgVoteWeightedResponse
} from "cosmjs-types/cosmos/gov/v1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Grant } from "../../chain/Capabilities.ts"
import { InvalidRequest, isChainError, NotSupported, TxDecodeError, Unauthorized, UnknownRequest } from "../../chain/ChainError.ts"
import type { ExecContext, Machine, MsgContext, MsgResult, QueryContext } from "../../chain/Machine.ts"
import { GOV_AUTHORITY, parsePrincipal, selfAddress } from "../../chain/Principal.ts"
import { canonicalAddress, formatAddress, parseAddress } from "../auth/Address.ts"
import { validCoins } from "../bank/Coin.ts"
import {
  InactiveProposal, InvalidProposal, InvalidProposalContent, InvalidProposalMsg, InvalidSigner, InvalidVote, MetadataTooLong, SummaryTooLong, TitleTooLong,
  UnknownProposal, UnroutableProposalMsg
} from "./GovError.ts"
import { defaultGovParams, validateGovParams } from "./GovParams.ts"
import { ONE, formatDec, parseDec } from "../../chain/LegacyDec.ts"
import { addDeposit, govEvent, validateDepositDenom, validateInitialDeposit } from "./internal/Deposits.ts"
import { govEndBlock } from "./internal/EndBlock.ts"
import { exportGovGenesis, importGovGenesis } from "./internal/Genesis.ts"
import { QUERY_V1, QUERY_V1BETA1, queryV1, queryV1beta1 } from "./internal/Queries.ts"
import { emptyStakingView, grpcStakingView, witStakingView } from "./internal/StakingViews.ts"
import { emptyTally } from "./internal/Tally.ts"
import { ACTIVE, enqueue, getParams, getProposal, INACTIVE, nextProposalId, setNextProposalId, setParams, setProposal, setVote } from "./internal/Store.ts"
import { addTime } from "../../chain/Time.ts"
import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov"

/** Message type URLs. */
export const GovTypeUrl = {
  submitProposal: "/cosmos.gov.v1.MsgSubmitProposal",
  deposit: "/cosmos.gov.v1.MsgDeposit",
  vote: "/cosmos.gov.v1.MsgVote",
  voteWeighted: "/cosmos.gov.v1.MsgVoteWeighted",
  updateParams: "/cosmos.gov.v1.MsgUpdateParams",
  execLegacyContent: "/cosmos.gov.v1.MsgExecLegacyContent",
  /** v1beta1 forms CosmJS's default registry signs (same fields; weighted weights are LegacyDec wire text). */
  depositV1beta1: "/cosmos.gov.v1beta1.MsgDeposit",
  voteV1beta1: "/cosmos.gov.v1beta1.MsgVote",
  voteWeightedV1beta1: "/cosmos.gov.v1beta1.MsgVoteWeighted"
} as const

/** Longest proposal or vote metadata, in UTF-8 bytes (SDK x/gov config MaxMetadataLen). */
export const MAX_METADATA_LEN = 255
/** Longest proposal title, in UTF-8 bytes (SDK MaxTitleLen). */
export const MAX_TITLE_LEN = 255
/** Longest proposal summary, in UTF-8 bytes (SDK MaxSummaryLen). */
export const MAX_SUMMARY_LEN = 10200

/** Constructor options (node/Machines.ts passes the chain's prefix and bond denom). */
export interface GovOptions {
  /** Bech32 account prefix, default "cyber". */
  readonly bech32Prefix?: string
  /** Denom of min_deposit in the default params, default "boot". */
  readonly bondDenom?: string
  /**
   * Who may send MsgUpdateParams (bech32). Default: the gov module account, i.e. only a passed
   * proposal (SDK keeper `authority`).
   */
  readonly authority?: string
}

const decodeMsg = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new TxDecodeError({ log: `invalid ${what}: ${(e as Error).message}: tx parse error` })
  }
}

// Go's len(string): UTF-8 bytes
const utf8Length = (s: string): number => new TextEncoder().encode(s).length
const checkMetadata = (metadata: string): void => {
  const n = utf8Length(metadata)
  if (n > MAX_METADATA_LEN) throw new MetadataTooLong({ log: `metadata is ${n} bytes, over ${MAX_METADATA_LEN}: metadata too long` })
}

const VALID_OPTIONS: ReadonlySet<number> = new Set([
  VoteOption.VOTE_OPTION_YES, VoteOption.VOTE_OPTION_ABSTAIN, VoteOption.VOTE_OPTION_NO, VoteOption.VOTE_OPTION_NO_WITH_VETO
])

/** The gov machine. */
export class GovMachine implements Machine {
  readonly name: string = "gov"
  readonly version: string = "0.1.0"
  readonly msgTypeUrls: ReadonlyArray<string> = [
    GovTypeUrl.submitProposal, GovTypeUrl.deposit, GovTypeUrl.vote, GovTypeUrl.voteWeighted, GovTypeUrl.updateParams,
    GovTypeUrl.depositV1beta1, GovTypeUrl.voteV1beta1, GovTypeUrl.voteWeightedV1beta1
  ]
  readonly queryPrefixes: ReadonlyArray<string> = [QUERY_V1, QUERY_V1BETA1]
  /**
   * Deposits from the signer into the module account; refunds from and burns of the module account;
   * staking reads for the tally; running passed proposals as the governance authority.
   */
  readonly grants: ReadonlyArray<Grant> = [
    { principal: "machine:gov", capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "signer", value: "" }] } },
    { principal: "machine:gov", capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "self", value: "" }] } },
    { principal: "machine:gov", capability: { interface: "bank", method: "burn", constraints: [{ field: "address", op: "self", value: "" }] } },
    { principal: "machine:gov", capability: { interface: "staking", method: "bonded-validators", constraints: [] } },
    { principal: "machine:gov", capability: { interface: "staking", method: "delegator-delegations", constraints: [] } },
    { principal: "machine:gov", capability: { interface: "staking", method: "total-bonded", constraints: [] } },
    { principal: "machine:gov", capability: { interface: "authority", method: "execute", constraints: [] } }
  ]
  readonly bech32Prefix: string
  readonly bondDenom: string
  /** Bech32 address of the gov module account (deposits, and the governance authority). */
  readonly moduleAccount: string
  /** Who may send MsgUpdateParams. */
  readonly authority: string
  private readonly defaults: Params

  constructor(opts: GovOptions = {}) {
    this.bech32Prefix = opts.bech32Prefix ?? "cyber"
    this.bondDenom = opts.bondDenom ?? "boot"
    this.moduleAccount = selfAddress(parsePrincipal(GOV_AUTHORITY), this.bech32Prefix)
    this.authority = opts.authority ?? this.moduleAccount
    this.defaults = defaultGovParams(this.bondDenom)
  }

  private addr(address: string, what: string): { bech32: string; bytes: Uint8Array } {
    return { bytes: parseAddress(address, this.bech32Prefix, what), bech32: canonicalAddress(address, this.bech32Prefix, what) }
  }
  private readonly valoperOf = (account: string): string => formatAddress(parseAddress(account, this.bech32Prefix), `${this.bech32Prefix}valoper`)
  private params(ctx: { store: ExecContext["store"] }): Params {
    return getParams(ctx.store) ?? this.defaults
  }

  /** Signers: proposer, depositor, voter, authority (the cosmos.msg.v1.signer fields). */
  signers(msg: Any): ReadonlyArray<string> {
    const p = this.bech32Prefix
    switch (msg.typeUrl) {
      case GovTypeUrl.submitProposal:
        return [canonicalAddress(decodeMsg("MsgSubmitProposal", () => MsgSubmitProposal.decode(msg.value)).proposer, p, "invalid proposer address")]
      case GovTypeUrl.deposit:
      case GovTypeUrl.depositV1beta1:
        return [canonicalAddress(decodeMsg("MsgDeposit", () => MsgDeposit.decode(msg.value)).depositor, p, "invalid depositor address")]
      case GovTypeUrl.vote:
      case GovTypeUrl.voteV1beta1:
        return [canonicalAddress(decodeMsg("MsgVote", () => MsgVote.decode(msg.value)).voter, p, "invalid voter address")]
      case GovTypeUrl.voteWeighted:
      case GovTypeUrl.voteWeightedV1beta1:
        return [canonicalAddress(decodeMsg("MsgVoteWeighted", () => MsgVoteWeighted.decode(msg.value)).voter, p, "invalid voter address")]
      case GovTypeUrl.updateParams:
        return [canonicalAddress(decodeMsg("MsgUpdateParams", () => MsgUpdateParams.decode(msg.value)).authority, p, "invalid authority address")]
      default:
        throw new UnknownRequest({ log: `unrecognized gov message type: ${msg.typeUrl}: unknown request` })
    }
  }

  handle(ctx: MsgContext, msg: Any): MsgResult {
    switch (msg.typeUrl) {
      case GovTypeUrl.submitProposal:
        return this.submit(ctx, decodeMsg("MsgSubmitProposal", () => MsgSubmitProposal.decode(msg.value)))
      // v1beta1 MsgDeposit / MsgVote / MsgVoteWeighted have the v1 fields (v1 adds metadata at 4): one decoder
      case GovTypeUrl.deposit:
      case GovTypeUrl.depositV1beta1: {
        this.deposit(ctx, decodeMsg("MsgDeposit", () => MsgDeposit.decode(msg.value)))
        return { typeUrl: `${msg.typeUrl}Response`, value: MsgDepositResponse.encode({}).finish() }
      }
      case GovTypeUrl.vote:
      case GovTypeUrl.voteV1beta1: {
        const m = decodeMsg("MsgVote", () => MsgVote.decode(msg.value))
        if (!VALID_OPTIONS.has(m.option)) throw new InvalidVote({ log: `invalid vote option ${m.option}: invalid vote option` })
        this.vote(ctx, m.proposalId, m.voter, [{ option: m.option, weight: formatDec(ONE) }], m.metadata)
        return { typeUrl: `${msg.typeUrl}Response`, value: MsgVoteResponse.encode({}).finish() }
      }
      case GovTypeUrl.voteWeighted:
      case GovTypeUrl.voteWeightedV1beta1: {
        const m = decodeMsg("MsgVoteWeighted", () => MsgVoteWeighted.decode(msg.value))
        const options = msg.typeUrl === GovTypeUrl.voteWeighted ? m.options : m.options.map((o) => ({ option: o.option, weight: wireWeight(o.weight) }))
        this.vote(ctx, m.proposalId, m.voter, weightedOptions(options), m.metadata)
        return { typeUrl: `${msg.typeUrl}Response`, value: MsgVoteWeightedResponse.encode({}).finish() }
      }
      case GovTypeUrl.updateParams:
        return this.updateParams(ctx, decodeMsg("MsgUpdateParams", () => MsgUpdateParams.decode(msg.value)))
      default:
        throw new UnknownRequest({ log: `unrecognized gov message type: ${msg.typeUrl}: unknown request` })
    }
  }

  private submit(ctx: MsgContext, m: MsgSubmitProposal): MsgResult {
    const proposer = this.addr(m.proposer, "invalid proposer address")
    if (m.expedited) throw new InvalidProposal({ log: "expedited proposals are not supported on this chain: submit with expedited = false: invalid proposal" })
    if (m.title === "") throw new InvalidProposalContent({ log: "proposal title cannot be empty: invalid proposal content" })
    if (m.summary === "") throw new InvalidProposalContent({ log: "proposal summary cannot be empty: invalid proposal content" })
    checkMetadata(m.metadata)
    if (utf8Length(m.title) > MAX_TITLE_LEN) throw new TitleTooLong({ log: `title is ${utf8Length(m.title)} bytes, over ${MAX_TITLE_LEN}: title too long` })
    if (utf8Length(m.summary) > MAX_SUMMARY_LEN) throw new SummaryTooLong({ log: `summary is ${utf8Length(m.summary)} bytes, over ${MAX_SUMMARY_LEN}: summary too long` })
    const deposit = validCoins(m.initialDeposit, true)
    m.messages.forEach((x, i) => {
      if (x.typeUrl === GovTypeUrl.execLegacyContent) {
        throw new NotSupported({ log: `message ${i}: ${GovTypeUrl.execLegacyContent} (legacy v1beta1 content proposals) is not supported on this chain: propose the messages themselves` })
      }
    })
    try {
      ctx.executable(m.messages)
    } catch (e) {
      if (e instanceof UnknownRequest) throw new UnroutableProposalMsg({ log: `${e.log}: proposal message not recognized by router` })
      if (e instanceof Unauthorized) throw new InvalidSigner({ log: `${e.log}: expected gov account as only signer for proposal message` })
      if (e instanceof TxDecodeError) throw new InvalidProposalMsg({ log: `${e.log}: invalid proposal message` })
      throw e
    }
    const params = this.params(ctx)
    validateInitialDeposit(params, deposit)
    validateDepositDenom(params, deposit)
    const id = nextProposalId(ctx.store)
    setNextProposalId(ctx.store, id + 1n)
    const depositEnd = addTime(ctx.time, params.maxDepositPeriod!)
    setProposal(ctx.store, {
      id, messages: m.messages, status: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD, finalTallyResult: emptyTally(), submitTime: ctx.time,
      depositEndTime: depositEnd, totalDeposit: [], votingStartTime: undefined, votingEndTime: undefined, metadata: m.metadata, title: m.title,
      summary: m.summary, proposer: proposer.bech32, expedited: false, failedReason: ""
    })
    enqueue(ctx.store, INACTIVE, depositEnd, id)
    ctx.emit(govEvent("submit_proposal", ["proposal_id", id.toString()], ["proposal_messages", m.messages.map((x) => `,${x.typeUrl}`).join("")]))
    if (addDeposit(ctx, { module: this.moduleAccount }, params, id, proposer, deposit)) {
      ctx.emit(govEvent("submit_proposal", ["voting_period_start", id.toString()]))
    }
    return { typeUrl: "/cosmos.gov.v1.MsgSubmitProposalResponse", value: MsgSubmitProposalResponse.encode({ proposalId: id }).finish() }
  }

  private deposit(ctx: MsgContext, m: MsgDeposit): void {
    const depositor = this.addr(m.depositor, "invalid depositor address")
    const amount = validCoins(m.amount, false)
    if (addDeposit(ctx, { module: this.moduleAccount }, this.params(ctx), m.proposalId, depositor, amount)) {
      ctx.emit(govEvent("proposal_deposit", ["voting_period_start", m.proposalId.toString()]))
    }
  }

  private vote(ctx: MsgContext, id: bigint, voterText: string, options: WeightedVoteOption[], metadata: string): void {
    const voter = this.addr(voterText, "invalid voter address")
    checkMetadata(metadata)
    const p = getProposal(ctx.store, id)
    if (!p) throw new UnknownProposal({ log: `${id}: unknown proposal` })
    if (p.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) throw new InactiveProposal({ log: `${id}: inactive proposal` })
    setVote(ctx.store, voter.bytes, { proposalId: id, voter: voter.bech32, options, metadata })
    const text = options.map((o) => `option:${VoteOption[o.option]} weight:"${o.weight}"`).join(" ")
    ctx.emit(govEvent("proposal_vote", ["voter", voter.bech32], ["option", text], ["proposal_id", id.toString()]))
  }

  private updateParams(ctx: MsgContext, m: MsgUpdateParams): MsgResult {
    if (m.authority !== this.authority) throw new InvalidSigner({ log: `invalid authority; expected ${this.authority}, got ${m.authority}: expected gov account as only signer for proposal message` })
    if (!m.params) throw new InvalidRequest({ log: "params cannot be empty" })
    setParams(ctx.store, validateGovParams(m.params, this.bech32Prefix))
    return { typeUrl: "/cosmos.gov.v1.MsgUpdateParamsResponse", value: MsgUpdateParamsResponse.encode({}).finish() }
  }

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    const env = { bech32Prefix: this.bech32Prefix, defaults: this.defaults, staking: grpcStakingView, valoperOf: this.valoperOf }
    try {
      if (path.startsWith(QUERY_V1)) return queryV1(ctx, env, path.slice(QUERY_V1.length), data)
      if (path.startsWith(QUERY_V1BETA1)) return queryV1beta1(ctx, env, path.slice(QUERY_V1BETA1.length), data)
    } catch (e) {
      if (isChainError(e)) throw e
      throw new InvalidRequest({ log: `${path}: ${(e as Error).message}` })
    }
    throw new UnknownRequest({ log: `unknown query path ${path}` })
  }

  endBlock(ctx: ExecContext): [] {
    govEndBlock(ctx, {
      accounts: { module: this.moduleAccount },
      staking: (c) => (c.hasMachine("staking") ? witStakingView(c) : emptyStakingView),
      valoperOf: this.valoperOf,
      defaults: this.defaults
    })
    return []
  }

  /** Genesis: SDK x/gov v1 GenesisState JSON (internal/Genesis.ts); absent: default params. */
  initGenesis(ctx: ExecContext, genesis: unknown): void {
    importGovGenesis(ctx, genesis, { bech32Prefix: this.bech32Prefix, defaults: this.defaults })
  }

  exportGenesis(ctx: QueryContext): unknown {
    return exportGovGenesis(ctx, this.defaults)
  }
}

// a v1beta1 weight is LegacyDec wire text (the value × 10^18): converted to v1 decimal text
const wireWeight = (w: string): string => {
  if (!/^[0-9]{1,40}$/.test(w)) throw new InvalidVote({ log: `invalid weight "${w.slice(0, 40)}": a v1beta1 weight is LegacyDec wire text (value × 10^18): invalid vote option` })
  return formatDec(BigInt(w))
}

/**
 * MsgVoteWeighted options checked as the SDK: not empty, each a valid option with weight in (0, 1],
 * no option twice, weights summing to exactly 1. Returns them with canonical weight text.
 */
export const weightedOptions = (options: ReadonlyArray<WeightedVoteOption>): WeightedVoteOption[] => {
  if (options.length === 0) throw new InvalidRequest({ log: "vote options cannot be empty: invalid request" })
  const seen = new Set<number>()
  let total = 0n
  const out = options.map((o) => {
    if (!VALID_OPTIONS.has(o.option)) throw new InvalidVote({ log: `invalid vote option ${o.option}: invalid vote option` })
    let w: bigint
    try {
      w = parseDec(o.weight, "weight")
    } catch {
      throw new InvalidVote({ log: `invalid weight "${o.weight.slice(0, 40)}" of option ${VoteOption[o.option]}: invalid vote option` })
    }
    if (w === 0n || w > ONE) throw new InvalidVote({ log: `weight of ${VoteOption[o.option]} must be above 0 and at most 1, got ${o.weight}: invalid vote option` })
    if (seen.has(o.option)) throw new InvalidVote({ log: `duplicated vote option ${VoteOption[o.option]}: invalid vote option` })
    seen.add(o.option)
    total += w
    return { option: o.option, weight: formatDec(w) }
  })
  if (total > ONE) throw new InvalidVote({ log: "total weight overflow 1.00: invalid vote option" })
  if (total < ONE) throw new InvalidVote({ log: "total weight lower than 1.00: invalid vote option" })
  return out
}

/** Proposal and tally as SDK protojson (CLI output, genesis): see internal/Genesis.ts. */
export { proposalToJSON, tallyToJSON } from "./internal/Genesis.ts"
