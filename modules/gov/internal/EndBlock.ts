/**
 * The gov end block: proposals whose deposit period ended without reaching min_deposit are dropped
 * (deposits refunded, or burned under burn_proposal_deposit_prevote); proposals whose voting period
 * ended are tallied, their deposits refunded or burned, and when they pass their messages run as
 * the governance authority, all or nothing (`ctx.execute`): PASSED when every message succeeds,
 * FAILED with the error log recorded as failed_reason when one fails, REJECTED otherwise. Both
 * queues are processed in (end time, id) order.
 *
 * Source: cosmos-sdk x/gov/abci.go (v0.50 EndBlocker), types/events.go.
 */
import { ProposalStatus, type Params, type Proposal } from "cosmjs-types/cosmos/gov/v1/gov"
import { isChainError } from "../../../chain/ChainError.ts"
import { errorInfo, isNodeFault } from "../../../chain/internal/TxResult.ts"
import type { ExecContext } from "../../../chain/Machine.ts"
import { govEvent, settleDeposits, type DepositAccounts } from "./Deposits.ts"
import { emptyTally, tally, type StakingView, type TallyOutcome } from "./Tally.ts"
import { ACTIVE, deletePerProposal, deleteProposal, dequeue, dueIds, getParams, getProposal, INACTIVE, listVotes, setProposal, VOTE } from "./Store.ts"

/** What the end block needs from the machine. */
export interface EndBlockEnv {
  readonly accounts: DepositAccounts
  /** Staking as the tally reads it (an empty view when the chain runs no staking). */
  readonly staking: (ctx: ExecContext) => StakingView
  /** Valoper address of the same bytes as account `account`. */
  readonly valoperOf: (account: string) => string
  readonly defaults: Params
}

/** Run the gov end block on `ctx` (the block branch). */
export const govEndBlock = (ctx: ExecContext, env: EndBlockEnv): void => {
  const params = () => getParams(ctx.store) ?? env.defaults
  for (const id of dueIds(ctx.store, INACTIVE, ctx.time)) {
    const p = getProposal(ctx.store, id)
    if (!p) continue
    dequeue(ctx.store, INACTIVE, p.depositEndTime!, id)
    deleteProposal(ctx.store, id)
    settleDeposits(ctx, env.accounts, id, params().burnProposalDepositPrevote)
    ctx.emit(govEvent("inactive_proposal", ["proposal_id", id.toString()], ["proposal_result", "proposal_dropped"]))
  }
  for (const id of dueIds(ctx.store, ACTIVE, ctx.time)) {
    const p = getProposal(ctx.store, id)
    if (!p) continue
    // a refused staking read (a revoked grant) must not halt the chain: the proposal cannot pass
    let tallyError: string | undefined
    let outcome: TallyOutcome
    try {
      outcome = tally(listVotes(ctx.store, id), env.staking(ctx), params(), env.valoperOf)
    } catch (e) {
      if (!isChainError(e)) throw e
      tallyError = e.log
      outcome = { passes: false, burnDeposits: false, result: emptyTally() }
    }
    deletePerProposal(ctx.store, VOTE, id)
    settleDeposits(ctx, env.accounts, id, outcome.burnDeposits)
    dequeue(ctx.store, ACTIVE, p.votingEndTime!, id)
    let next: Proposal
    let result: string
    let log: string
    if (outcome.passes) {
      try {
        if (p.messages.length > 0) ctx.execute(p.messages)
        next = { ...p, status: ProposalStatus.PROPOSAL_STATUS_PASSED }
        result = "proposal_passed"
        log = "passed"
      } catch (e) {
        // a host fault stops the node; any other failure of a message fails the proposal (SDK safeExecuteHandler)
        if (isNodeFault(e)) throw e
        const reason = errorInfo(e).log
        next = { ...p, status: ProposalStatus.PROPOSAL_STATUS_FAILED, failedReason: reason }
        result = "proposal_failed"
        log = `passed, but failed on execution: ${reason}`
      }
    } else {
      next = { ...p, status: ProposalStatus.PROPOSAL_STATUS_REJECTED }
      result = "proposal_rejected"
      log = tallyError === undefined ? "rejected" : `rejected: the tally could not read staking: ${tallyError}`
    }
    setProposal(ctx.store, { ...next, finalTallyResult: outcome.result })
    ctx.emit(govEvent("active_proposal", ["proposal_id", id.toString()], ["proposal_result", result], ["proposal_log", log]))
  }
}
