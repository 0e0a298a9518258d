/**
 * Deposits: checks on denoms and minimums, moving coins into the gov module account, activating the
 * voting period once min_deposit is reached, and refunding or burning a finished proposal's deposits.
 *
 * Source: cosmos-sdk x/gov/keeper/deposit.go (AddDeposit, validateInitialDeposit,
 * validateDepositDenom, RefundAndDeleteDeposits, DeleteAndBurnDeposits), proposal.go
 * (ActivateVotingPeriod).
 */
import type { Coin as ProtoCoin } from "cosmjs-types/cosmos/base/v1beta1/coin"
import { ProposalStatus, type Params, type Proposal } from "cosmjs-types/cosmos/gov/v1/gov"
import type { Event } from "cosmjs-types/tendermint/abci/types"
import { bankClient } from "../../../chain/generated/bank.ts"
import { isChainError } from "../../../chain/ChainError.ts"
import type { ExecContext } from "../../../chain/Machine.ts"
import { addCoins, coinsString, toProtoCoins, validCoins, type Coin } from "../../bank/Coin.ts"
import { InactiveProposal, InvalidDepositDenom, MinDepositTooSmall, UnknownProposal } from "../GovError.ts"
import { decFromInt, decMul, decTruncate, ONE, parseDec } from "../../../chain/LegacyDec.ts"
import {
  ACTIVE, deletePerProposal, DEPOSIT, dequeue, enqueue, getDeposit, getProposal, INACTIVE, listDeposits, setDeposit, setProposal
} from "./Store.ts"
import { addTime } from "../../../chain/Time.ts"

/** An ABCI event, every attribute indexed. */
export const govEvent = (type: string, ...attrs: ReadonlyArray<readonly [string, string]>): Event => ({
  type,
  attributes: attrs.map(([key, value]) => ({ key, value, index: true }))
})

/** Proto coins (already validated) as bigint coins. */
export const coinsOf = (c: ReadonlyArray<ProtoCoin>): Coin[] => validCoins(c, true)

const amountOf = (coins: ReadonlyArray<Coin>, denom: string): bigint => coins.find((c) => c.denom === denom)?.amount ?? 0n
/** Whether `have` holds at least every coin of `need` (SDK Coins.IsAllGTE). */
export const allGTE = (have: ReadonlyArray<Coin>, need: ReadonlyArray<Coin>): boolean => need.every((c) => amountOf(have, c.denom) >= c.amount)

/** Every denom of `amount` must be one of min_deposit's (InvalidDepositDenom otherwise). */
export const validateDepositDenom = (params: Params, amount: ReadonlyArray<Coin>): void => {
  const denoms = params.minDeposit.map((c) => c.denom)
  for (const c of amount) {
    if (!denoms.includes(c.denom)) {
      throw new InvalidDepositDenom({ log: `deposited ${coinsString(amount)}, but gov accepts only the following denom(s): [${denoms.join(" ")}]: invalid deposit denom` })
    }
  }
}

/** The initial deposit must reach min_deposit × min_initial_deposit_ratio (rounded) in every denom. */
export const validateInitialDeposit = (params: Params, amount: ReadonlyArray<Coin>): void => {
  const ratio = parseDec(params.minInitialDepositRatio, "min_initial_deposit_ratio")
  if (ratio === 0n) return
  const need = coinsOf(params.minDeposit).map((c) => ({ denom: c.denom, amount: roundInt(decMul(decFromInt(c.amount), ratio)) }))
  if (!allGTE(amount, need)) {
    throw new MinDepositTooSmall({ log: `was (${coinsString(amount)}), need (${coinsString(need)}): minimum deposit is too small` })
  }
}

// SDK RoundInt: half to even on the dropped digits
const roundInt = (v: bigint): bigint => {
  const q = v / ONE
  const r = v % ONE
  if (r * 2n < ONE) return q
  if (r * 2n > ONE) return q + 1n
  return q % 2n === 0n ? q : q + 1n
}

/** Bech32 address of the gov module account (where deposits are held). */
export interface DepositAccounts {
  readonly module: string
}

/**
 * Add `amount` from `depositor` to proposal `id` (bank.send {from: signer} into the module account);
 * start the voting period when the total reaches min_deposit. Returns whether voting started.
 * Throws UnknownProposal, InactiveProposal, InvalidDepositDenom, MinDepositTooSmall, or bank's errors.
 */
export const addDeposit = (
  ctx: ExecContext, accounts: DepositAccounts, params: Params, id: bigint, depositor: { bech32: string; bytes: Uint8Array }, amount: ReadonlyArray<Coin>
): boolean => {
  const proposal = getProposal(ctx.store, id)
  if (!proposal) throw new UnknownProposal({ log: `${id}: unknown proposal` })
  if (proposal.status !== ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && proposal.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
    throw new InactiveProposal({ log: `${id}: inactive proposal` })
  }
  validateDepositDenom(params, amount)
  const ratio = parseDec(params.minDepositRatio, "min_deposit_ratio")
  if (ratio !== 0n) {
    const thresholds = coinsOf(params.minDeposit).map((c) => ({ denom: c.denom, amount: decTruncate(decMul(decFromInt(c.amount), ratio)) }))
    if (!thresholds.some((t) => amount.some((c) => c.denom === t.denom && c.amount >= t.amount))) {
      throw new MinDepositTooSmall({
        log: `received ${coinsString(amount)} but need at least one of the following: ${thresholds.map((t) => `${t.amount}${t.denom}`).join(",")}: minimum deposit is too small`
      })
    }
  }
  if (amount.length > 0) {
    bankClient((c) => ctx.call(c)).send({ from: depositor.bech32, to: accounts.module, amount: toProtoCoins(amount) })
  }
  const total = addCoins(coinsOf(proposal.totalDeposit), amount)
  let next: Proposal = { ...proposal, totalDeposit: toProtoCoins(total) }
  let activated = false
  if (proposal.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && allGTE(total, coinsOf(params.minDeposit))) {
    const end = addTime(ctx.time, params.votingPeriod!)
    dequeue(ctx.store, INACTIVE, proposal.depositEndTime!, id)
    enqueue(ctx.store, ACTIVE, end, id)
    next = { ...next, status: ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, votingStartTime: ctx.time, votingEndTime: end }
    activated = true
  }
  setProposal(ctx.store, next)
  if (amount.length > 0) {
    const prev = getDeposit(ctx.store, id, depositor.bytes)
    setDeposit(ctx.store, depositor.bytes, { proposalId: id, depositor: depositor.bech32, amount: toProtoCoins(addCoins(coinsOf(prev?.amount ?? []), amount)) })
  }
  ctx.emit(govEvent("proposal_deposit", ["depositor", depositor.bech32], ["amount", coinsString(amount)], ["proposal_id", id.toString()]))
  return activated
}

/**
 * Refund every deposit of proposal `id` to its depositor, or burn them all (`burn`), then delete
 * them. A refused bank call (a revoked grant) is reported as a `gov_deposit_error` event, never
 * thrown: this runs in endBlock, where a throw would halt the chain.
 */
export const settleDeposits = (ctx: ExecContext, accounts: DepositAccounts, id: bigint, burn: boolean): void => {
  const deposits = listDeposits(ctx.store, id)
  const bank = bankClient((c) => ctx.call(c))
  const guarded = (what: string, f: () => void) => {
    try {
      f()
    } catch (e) {
      if (!isChainError(e)) throw e
      ctx.emit(govEvent("gov_deposit_error", ["proposal_id", id.toString()], ["action", what], ["error", e.log]))
    }
  }
  if (burn) {
    const total = deposits.reduce<Coin[]>((acc, d) => addCoins(acc, coinsOf(d.amount)), [])
    if (total.length > 0) guarded("burn", () => bank.burn({ address: accounts.module, coins: toProtoCoins(total) }))
  } else {
    for (const d of deposits) {
      if (d.amount.length > 0) guarded(`refund ${d.depositor}`, () => bank.send({ from: accounts.module, to: d.depositor, amount: d.amount }))
    }
  }
  deletePerProposal(ctx.store, DEPOSIT, id)
}
