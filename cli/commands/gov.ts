/**
 * `cyberkernel tx gov submit-proposal <file.json> | deposit <id> <coins> | vote <id> <option>` and
 * `cyberkernel query gov proposal <id> | proposals | tally <id>`: governance from the command line,
 * signed with a keyring key and broadcast through CosmJS, queried over abci_query on the
 * /cosmos.gov.v1.Query paths.
 *
 * Proposal file (SDK JSON, as `simd tx gov submit-proposal`): {"messages": [{"@type": "...", ...}],
 * "deposit": "10000000boot", "title": "...", "summary": "...", "metadata": "..."}; messages are
 * converted by modules/gov/MsgJson.ts (Cosmos messages and the /cyberkernel.* authority messages).
 *
 * Source: cosmos-sdk x/gov/client/cli/tx.go (NewCmdSubmitProposal, NewCmdDeposit, NewCmdVote),
 * x/gov/client/cli/query.go (proposal, proposals, tally), x/gov/client/cli/util.go (parseSubmitProposal).
 */
import { readFile } from "node:fs/promises"
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import type { EncodeObject } from "@cosmjs/proto-signing"
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov"
import * as Q from "cosmjs-types/cosmos/gov/v1/query"
import { MsgDeposit, MsgSubmitProposal, MsgSubmitProposalResponse, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { abciQuery, CliFailure, cliPromise, emit, keyring, NodeUrl } from "../Globals.ts"
import { minGasPricesText } from "../../node/config/NodeConfig.ts"
import { proposalToJSON, tallyToJSON } from "../../modules/gov/Gov.ts"
import { msgFromJSON } from "../../modules/gov/MsgJson.ts"

const fail = (message: string) => Effect.fail(new CliFailure({ message }))
const idArg = Argument.String("proposal-id").pipe(Argument.withDescription("proposal id"))
const fromFlag = Flag.String("from").pipe(Flag.withDescription("signer: key name or address in the keyring"))

const parseId = (text: string) => (/^[1-9][0-9]{0,19}$/.test(text) ? Effect.succeed(BigInt(text)) : fail(`invalid proposal id ${JSON.stringify(text)}: a positive integer`))

/** Sign `msgs` with key `from` and broadcast (gas simulated × 1.5); fails on a non-zero code. */
const broadcast = (from: string, msgs: (address: string) => EncodeObject[]) =>
  Effect.gen(function* () {
    const { keyring: kr, config } = yield* keyring
    const info = yield* kr.show(from)
    const signer = yield* kr.signer(info.name)
    const node = yield* NodeUrl
    const { Registry } = yield* Effect.promise(() => import("@cosmjs/proto-signing"))
    const { defaultRegistryTypes, GasPrice, SigningStargateClient } = yield* Effect.promise(() => import("@cosmjs/stargate"))
    const registry = new Registry([
      ...defaultRegistryTypes,
      [MsgSubmitProposal.typeUrl, MsgSubmitProposal as never], [MsgDeposit.typeUrl, MsgDeposit as never], [MsgVote.typeUrl, MsgVote as never]
    ])
    const client = yield* cliPromise(`cannot connect to ${node}`, () =>
      SigningStargateClient.connectWithSigner(node, signer, { registry, gasPrice: GasPrice.fromString(minGasPricesText(config)), broadcastPollIntervalMs: 250 }))
    yield* Effect.addFinalizer(() => Effect.sync(() => client.disconnect()))
    const r = yield* cliPromise("transaction failed", () => client.signAndBroadcast(info.address, msgs(info.address), 1.5))
    if (r.code !== 0) return yield* fail(`tx ${r.transactionHash} failed with code ${r.code}: ${r.rawLog ?? ""}`)
    return r
  }).pipe(Effect.scoped)

/** The proposal file: messages as Anys plus the other fields. Fails naming the bad field. */
export const parseProposalFile = (text: string, proposer: string): { messages: Any[]; deposit: string; value: Omit<MsgSubmitProposal, "initialDeposit"> } => {
  const j = JSON.parse(text) as Record<string, unknown>
  if (typeof j !== "object" || j === null || Array.isArray(j)) throw new Error("the proposal file must hold a JSON object")
  const str = (k: string): string => {
    if (j[k] === undefined) return ""
    if (typeof j[k] !== "string") throw new Error(`field "${k}" must be a string`)
    return j[k] as string
  }
  if (j.messages !== undefined && !Array.isArray(j.messages)) throw new Error(`field "messages" must be a list`)
  const messages = ((j.messages as unknown[]) ?? []).map((m, i) => {
    try {
      return msgFromJSON(m)
    } catch (e) {
      throw new Error(`messages[${i}]: ${(e as { log?: string }).log ?? (e as Error).message}`)
    }
  })
  return { messages, deposit: str("deposit"), value: { messages, proposer, metadata: str("metadata"), title: str("title"), summary: str("summary"), expedited: j.expedited === true } }
}

const submit = Command.make("submit-proposal", {
  file: Argument.String("proposal-file").pipe(Argument.withDescription("JSON file: {messages, deposit, title, summary, metadata}")),
  from: fromFlag
}, (o) =>
  Effect.gen(function* () {
    const text = yield* cliPromise(`cannot read ${o.file}`, () => readFile(o.file, "utf8"))
    const { keyring: kr } = yield* keyring
    const info = yield* kr.show(o.from)
    const parsed = yield* Effect.try({ try: () => parseProposalFile(text, info.address), catch: (e) => new CliFailure({ message: `invalid proposal file ${o.file}: ${(e as Error).message}` }) })
    const { parseCoins } = yield* Effect.promise(() => import("@cosmjs/proto-signing"))
    const deposit = yield* Effect.try({ try: () => parseCoins(parsed.deposit), catch: () => new CliFailure({ message: `invalid deposit ${JSON.stringify(parsed.deposit)}: expected coins like 10000000boot` }) })
    const r = yield* broadcast(o.from, () => [{ typeUrl: MsgSubmitProposal.typeUrl, value: { ...parsed.value, initialDeposit: deposit } }])
    const data = r.msgResponses[0]
    const id = data ? MsgSubmitProposalResponse.decode(data.value).proposalId.toString() : ""
    yield* emit({ txhash: r.transactionHash, height: r.height, code: r.code, proposal_id: id }, () => `txhash: ${r.transactionHash}\nheight: ${r.height}\nproposal_id: ${id}`)
  })).pipe(Command.withDescription("Submit a proposal from a JSON file (messages run by the governance authority if it passes)"))

const deposit = Command.make("deposit", {
  id: idArg,
  amount: Argument.String("amount").pipe(Argument.withDescription("coins, e.g. 10000000boot")),
  from: fromFlag
}, (o) =>
  Effect.gen(function* () {
    const id = yield* parseId(o.id)
    const { parseCoins } = yield* Effect.promise(() => import("@cosmjs/proto-signing"))
    const amount = yield* Effect.try({ try: () => parseCoins(o.amount), catch: () => new CliFailure({ message: `invalid amount ${JSON.stringify(o.amount)}` }) })
    if (amount.length === 0) return yield* fail(`invalid amount ${JSON.stringify(o.amount)}: expected coins like 10000000boot`)
    const r = yield* broadcast(o.from, (depositor) => [{ typeUrl: MsgDeposit.typeUrl, value: { proposalId: id, depositor, amount } }])
    yield* emit({ txhash: r.transactionHash, height: r.height, code: r.code }, () => `txhash: ${r.transactionHash}\nheight: ${r.height}`)
  })).pipe(Command.withDescription("Deposit coins on a proposal"))

const OPTIONS: Record<string, VoteOption> = {
  yes: VoteOption.VOTE_OPTION_YES, no: VoteOption.VOTE_OPTION_NO, abstain: VoteOption.VOTE_OPTION_ABSTAIN, no_with_veto: VoteOption.VOTE_OPTION_NO_WITH_VETO
}

const vote = Command.make("vote", {
  id: idArg,
  option: Argument.String("option").pipe(Argument.withDescription("yes, no, abstain or no_with_veto")),
  from: fromFlag,
  metadata: Flag.String("metadata").pipe(Flag.withDescription("vote metadata"), Flag.withDefault(""))
}, (o) =>
  Effect.gen(function* () {
    const id = yield* parseId(o.id)
    const option = OPTIONS[o.option.toLowerCase()]
    if (option === undefined) return yield* fail(`invalid vote option ${JSON.stringify(o.option)}: yes, no, abstain or no_with_veto`)
    const r = yield* broadcast(o.from, (voter) => [{ typeUrl: MsgVote.typeUrl, value: { proposalId: id, voter, option, metadata: o.metadata } }])
    yield* emit({ txhash: r.transactionHash, height: r.height, code: r.code }, () => `txhash: ${r.transactionHash}\nheight: ${r.height}`)
  })).pipe(Command.withDescription("Vote on a proposal in its voting period"))

/** `tx gov ...` */
export const govTxCommand = Command.make("gov").pipe(Command.withDescription("Governance transactions"), Command.withSubcommands([submit, deposit, vote]))

const Q1 = "/cosmos.gov.v1.Query/"
const text = (v: unknown): string => JSON.stringify(v, null, 2)

const proposal = Command.make("proposal", { id: idArg }, (o) =>
  Effect.gen(function* () {
    const id = yield* parseId(o.id)
    const r = Q.QueryProposalResponse.decode(yield* abciQuery(Q1 + "Proposal", Q.QueryProposalRequest.encode({ proposalId: id }).finish()))
    const json = proposalToJSON(r.proposal!)
    yield* emit(json, () => text(json))
  })).pipe(Command.withDescription("A proposal by id"))

const STATUSES: Record<string, ProposalStatus> = {
  deposit_period: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD, voting_period: ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD,
  passed: ProposalStatus.PROPOSAL_STATUS_PASSED, rejected: ProposalStatus.PROPOSAL_STATUS_REJECTED, failed: ProposalStatus.PROPOSAL_STATUS_FAILED
}

const proposals = Command.make("proposals", {
  status: Flag.String("status").pipe(Flag.withDescription("deposit_period, voting_period, passed, rejected or failed"), Flag.withDefault("")),
  voter: Flag.String("voter").pipe(Flag.withDescription("only proposals this address voted on"), Flag.withDefault("")),
  depositor: Flag.String("depositor").pipe(Flag.withDescription("only proposals this address deposited on"), Flag.withDefault("")),
  limit: Flag.Int("limit").pipe(Flag.withDescription("results per page"), Flag.withDefault(100)),
  reverse: Flag.Boolean("reverse").pipe(Flag.withDescription("newest first"), Flag.withDefault(false))
}, (o) =>
  Effect.gen(function* () {
    const status = o.status === "" ? ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED : STATUSES[o.status.toLowerCase()]
    if (status === undefined) return yield* fail(`invalid --status ${JSON.stringify(o.status)}: ${Object.keys(STATUSES).join(", ")}`)
    const req = Q.QueryProposalsRequest.fromPartial({ proposalStatus: status, voter: o.voter, depositor: o.depositor, pagination: { limit: BigInt(o.limit), reverse: o.reverse } })
    const r = Q.QueryProposalsResponse.decode(yield* abciQuery(Q1 + "Proposals", Q.QueryProposalsRequest.encode(req).finish()))
    const json = { proposals: r.proposals.map(proposalToJSON) }
    yield* emit(json, () => (r.proposals.length === 0 ? "proposals: []" : r.proposals.map((p) => `${p.id}  ${ProposalStatus[p.status]}  ${p.title}`).join("\n")))
  })).pipe(Command.withDescription("Proposals, optionally filtered"))

const tally = Command.make("tally", { id: idArg }, (o) =>
  Effect.gen(function* () {
    const id = yield* parseId(o.id)
    const r = Q.QueryTallyResultResponse.decode(yield* abciQuery(Q1 + "TallyResult", Q.QueryTallyResultRequest.encode({ proposalId: id }).finish()))
    const json = tallyToJSON(r.tally)
    yield* emit(json, () => text(json))
  })).pipe(Command.withDescription("The tally of a proposal (live while voting, final after)"))

/** `query gov ...` */
export const govQueryCommand = Command.make("gov").pipe(Command.withDescription("Governance queries"), Command.withSubcommands([proposal, proposals, tally]))
