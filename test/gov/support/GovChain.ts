/**
 * A gov test chain: auth, bank, the staking machine and gov on the real multiplexer over an
 * in-memory IAVL store (test/machines/support/Chain.ts). Validators "a" and "b" are operated by
 * keys a and b (6M and 4M bonded tokens, genesis); d is a delegator; x receives.
 * Blocks are 5 s apart; gov periods are 20 s unless a test sets them.
 */
import { QueryBalanceRequest, QueryBalanceResponse, QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import type { Proposal } from "cosmjs-types/cosmos/gov/v1/gov"
import { QueryProposalRequest, QueryProposalResponse } from "cosmjs-types/cosmos/gov/v1/query"
import { MsgDeposit, MsgSubmitProposal, MsgVote, MsgVoteWeighted } from "cosmjs-types/cosmos/gov/v1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Event, ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { formatAddress, parseAddress } from "../../../modules/auth/Address.ts"
import { GovMachine } from "../../../modules/gov/Gov.ts"
import { baseMachines } from "../../machines/Fixture.ts"
import { Chain, makeKey, type Key } from "../../machines/support/Chain.ts"
import { StakingMachine } from "../../../modules/staking/Staking.ts"
import { bondedPool, consKey, stakingGenesis } from "../../staking/support.ts"

export const FUNDS = 1_000_000_000_000n
/** Bonded tokens of validators a and b. */
export const A_TOKENS = 6_000_000n
export const B_TOKENS = 4_000_000n
export const MIN_DEPOSIT = 10_000_000n
/** Fee every harness tx pays (test/machines/support/Chain.ts FEE_AMOUNT). */
export const FEE = 1_000_000n

export interface GovKeys {
  readonly a: Key
  readonly b: Key
  readonly d: Key
  readonly x: string
  /** The gov module account (bech32). */
  readonly gov: string
}

export const valoper = (account: string): string => formatAddress(parseAddress(account, "cyber"), "cybervaloper")

export const sendMsg = (from: string, to: string, amount: string, denom = "boot"): Any =>
  ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom, amount }] }).finish() })
export const submitMsg = (proposer: string, messages: Any[], deposit: bigint, over: Partial<MsgSubmitProposal> = {}): Any => ({
  typeUrl: "/cosmos.gov.v1.MsgSubmitProposal",
  value: MsgSubmitProposal.encode({
    messages, initialDeposit: deposit === 0n ? [] : [{ denom: "boot", amount: deposit.toString() }], proposer, metadata: "", title: "t", summary: "s", expedited: false, ...over
  }).finish()
})
export const depositMsg = (depositor: string, id: bigint, amount: bigint, denom = "boot"): Any =>
  ({ typeUrl: "/cosmos.gov.v1.MsgDeposit", value: MsgDeposit.encode({ proposalId: id, depositor, amount: [{ denom, amount: amount.toString() }] }).finish() })
export const voteMsg = (voter: string, id: bigint, option: number): Any =>
  ({ typeUrl: "/cosmos.gov.v1.MsgVote", value: MsgVote.encode({ proposalId: id, voter, option, metadata: "" }).finish() })
export const weightedMsg = (voter: string, id: bigint, options: Array<[number, string]>): Any => ({
  typeUrl: "/cosmos.gov.v1.MsgVoteWeighted",
  value: MsgVoteWeighted.encode({ proposalId: id, voter, options: options.map(([option, weight]) => ({ option, weight })), metadata: "" }).finish()
})

/** A chain with the gov machine and its helpers. */
export class GovChain {
  readonly chain: Chain
  readonly keys: GovKeys
  constructor(chain: Chain, keys: GovKeys) {
    this.chain = chain
    this.keys = keys
  }

  /** Validators a and b bonded at genesis with {@link A_TOKENS} and {@link B_TOKENS} (self-delegated). */
  static async open(opts: { params?: Record<string, unknown>; govFunds?: bigint } = {}): Promise<GovChain> {
    const [a, b, d, xk] = await Promise.all(["gov a", "gov b", "gov d", "gov x"].map(makeKey)) as [Key, Key, Key, Key]
    const gov = new GovMachine({ bech32Prefix: "cyber", bondDenom: "boot" })
    const keys: GovKeys = { a, b, d, x: xk.address, gov: gov.moduleAccount }
    const chain = await Chain.open([...baseMachines(), new StakingMachine({ bech32Prefix: "cyber", bondDenom: "boot" }), gov])
    const fund = (address: string, amount: bigint) => ({ address, coins: [{ denom: "boot", amount: amount.toString() }] })
    const ga = stakingGenesis(a.address, consKey("gov a"), A_TOKENS, 20n)
    const gb = stakingGenesis(b.address, consKey("gov b"), B_TOKENS, 20n)
    const staking = { ...ga, validators: [...ga.validators, ...gb.validators], delegations: [...ga.delegations, ...gb.delegations] }
    const pool = [fund(bondedPool, A_TOKENS + B_TOKENS)]
    await chain.init({
      auth: { accounts: [] },
      bank: { balances: [fund(a.address, FUNDS), fund(b.address, FUNDS), fund(d.address, FUNDS), ...pool, ...(opts.govFunds ? [fund(gov.moduleAccount, opts.govFunds)] : [])] },
      staking,
      gov: { params: { max_deposit_period: "20s", voting_period: "20s", ...opts.params } }
    })
    return new GovChain(chain, keys)
  }

  /** One tx of `msgs` signed by `key` in its own block. */
  async tx(key: Key, ...msgs: Any[]): Promise<ExecTxResult> {
    return this.chain.tx(await this.chain.sign(key, msgs))
  }

  /** An empty block; returns the block events (end block included). */
  async block(): Promise<Event[]> {
    const height = this.chain.height() + 1
    const hash = new Uint8Array(32)
    new DataView(hash.buffer).setUint32(0, height)
    const res = await this.chain.app.finalizeBlock({
      txs: [], decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash, height: BigInt(height),
      // the harness's block time (test/machines/support/Chain.ts)
      time: { seconds: 1_700_000_000n + BigInt(height) * 5n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20)
    })
    await this.chain.app.commit()
    return res.events
  }

  /** Empty blocks until `n` have passed; all their events. */
  async blocks(n: number): Promise<Event[]> {
    const out: Event[] = []
    for (let i = 0; i < n; i++) out.push(...(await this.block()))
    return out
  }

  async proposal(id: bigint): Promise<Proposal | undefined> {
    const r = await this.chain.query("/cosmos.gov.v1.Query/Proposal", QueryProposalRequest.encode({ proposalId: id }).finish())
    return r.code === 0 ? QueryProposalResponse.decode(r.value).proposal : undefined
  }

  async balance(address: string, denom = "boot"): Promise<bigint> {
    const r = await this.chain.query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom }).finish())
    return BigInt(QueryBalanceResponse.decode(r.value).balance?.amount ?? "0")
  }

  async supply(denom = "boot"): Promise<bigint> {
    const r = await this.chain.query("/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom }).finish())
    return BigInt(QuerySupplyOfResponse.decode(r.value).amount?.amount ?? "0")
  }

  close(): Promise<void> {
    return this.chain.close()
  }
}

/** The attribute `key` of the first event of `type` in `events`. */
export const attr = (events: ReadonlyArray<Event>, type: string, key: string): string | undefined =>
  events.find((e) => e.type === type)?.attributes.find((a) => a.key === key)?.value
