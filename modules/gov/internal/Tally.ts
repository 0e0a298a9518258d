/**
 * Tally of a proposal's votes by bonded stake. Validators vote with their delegators' stake, minus
 * the shares of delegators who voted themselves; those delegators count with their own shares on
 * the validators they delegate to. Only bonded validators count. Quorum is measured on the total
 * bonded stake; threshold and veto on the non-abstaining power.
 *
 * Source: cosmos-sdk x/gov/keeper/tally.go (v0.50 Tally), x/gov/types/v1/tally.go.
 */
import type { Params, TallyResult, Vote } from "cosmjs-types/cosmos/gov/v1/gov"
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov"
import { decFromInt, decMul, decQuo, decTruncate, parseDec } from "../../../chain/LegacyDec.ts"

/** A bonded validator as the tally needs it: operator (valoper bech32), bonded tokens, shares (scaled Dec). */
export interface TallyValidator {
  readonly operator: string
  readonly tokens: bigint
  readonly shares: bigint
}

/** One delegation of a voter: validator valoper and shares (scaled Dec). */
export interface TallyDelegation {
  readonly validator: string
  readonly shares: bigint
}

/** What the tally reads from staking (read-only). */
export interface StakingView {
  /** The bonded validators. */
  bondedValidators(): ReadonlyArray<TallyValidator>
  /** Every delegation of account `delegator` (bech32). */
  delegations(delegator: string): ReadonlyArray<TallyDelegation>
  /** Total bonded tokens. */
  totalBonded(): bigint
}

/** Outcome: whether it passes, whether deposits burn, and the counts (integers). */
export interface TallyOutcome {
  readonly passes: boolean
  readonly burnDeposits: boolean
  readonly result: TallyResult
}

/** Zero counts. */
export const emptyTally = (): TallyResult => ({ yesCount: "0", abstainCount: "0", noCount: "0", noWithVetoCount: "0" })

/**
 * Tally `votes` (each voter's options with weights as decimal text) against `staking` under
 * `params`. `valoperOf` maps a voter account to the valoper address of the same bytes.
 */
export const tally = (votes: ReadonlyArray<Vote>, staking: StakingView, params: Params, valoperOf: (account: string) => string): TallyOutcome => {
  const results = new Map<VoteOption, bigint>([
    [VoteOption.VOTE_OPTION_YES, 0n], [VoteOption.VOTE_OPTION_ABSTAIN, 0n], [VoteOption.VOTE_OPTION_NO, 0n], [VoteOption.VOTE_OPTION_NO_WITH_VETO, 0n]
  ])
  const add = (option: VoteOption, power: bigint) => results.set(option, (results.get(option) ?? 0n) + power)
  let total = 0n
  // operator -> validator state; lookups only, sums are exact so order never matters
  const vals = new Map<string, { v: TallyValidator; deductions: bigint; vote: Vote["options"] | undefined }>()
  for (const v of staking.bondedValidators()) vals.set(v.operator, { v, deductions: 0n, vote: undefined })

  for (const vote of votes) {
    const own = vals.get(valoperOf(vote.voter))
    if (own) own.vote = vote.options
    for (const d of staking.delegations(vote.voter)) {
      const val = vals.get(d.validator)
      if (!val || val.v.shares === 0n) continue
      val.deductions += d.shares
      const power = decQuo(d.shares * val.v.tokens, val.v.shares)
      for (const o of vote.options) add(o.option, decMul(power, parseDec(o.weight, "vote weight")))
      total += power
    }
  }
  for (const { v, deductions, vote } of vals.values()) {
    if (!vote || vote.length === 0 || v.shares === 0n) continue
    const power = decQuo((v.shares - deductions) * v.tokens, v.shares)
    for (const o of vote) add(o.option, decMul(power, parseDec(o.weight, "vote weight")))
    total += power
  }

  const yes = results.get(VoteOption.VOTE_OPTION_YES)!
  const abstain = results.get(VoteOption.VOTE_OPTION_ABSTAIN)!
  const veto = results.get(VoteOption.VOTE_OPTION_NO_WITH_VETO)!
  const result: TallyResult = {
    yesCount: decTruncate(yes).toString(),
    abstainCount: decTruncate(abstain).toString(),
    noCount: decTruncate(results.get(VoteOption.VOTE_OPTION_NO)!).toString(),
    noWithVetoCount: decTruncate(veto).toString()
  }
  const bonded = staking.totalBonded()
  if (bonded === 0n) return { passes: false, burnDeposits: false, result }
  if (decQuo(total, decFromInt(bonded)) < parseDec(params.quorum, "quorum")) return { passes: false, burnDeposits: params.burnVoteQuorum, result }
  const voting = total - abstain
  if (voting === 0n) return { passes: false, burnDeposits: false, result }
  if (decQuo(veto, voting) > parseDec(params.vetoThreshold, "veto threshold")) return { passes: false, burnDeposits: params.burnVoteVeto, result }
  if (decQuo(yes, voting) > parseDec(params.threshold, "threshold")) return { passes: true, burnDeposits: false, result }
  return { passes: false, burnDeposits: false, result }
}
