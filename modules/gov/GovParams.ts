/**
 * Governance parameters (cosmos.gov.v1.Params): SDK defaults with the chain's bond denom, the
 * SDK's validation, and the protojson form used in genesis and in MsgUpdateParams JSON.
 *
 * Defaults (SDK v0.50 x/gov/types/v1/params.go): min_deposit 10000000<bond>, max_deposit_period and
 * voting_period 172800s, quorum 0.334, threshold 0.5, veto_threshold 0.334,
 * min_initial_deposit_ratio 0, burn_vote_quorum false, burn_proposal_deposit_prevote false,
 * burn_vote_veto true, min_deposit_ratio 0.01; the expedited and cancel fields are kept as the SDK
 * has them, though this chain refuses expedited proposals and has no MsgCancelProposal.
 */
import type { Params } from "cosmjs-types/cosmos/gov/v1/gov"
import { InvalidRequest } from "../../chain/ChainError.ts"
import { parseAddress } from "../auth/Address.ts"
import { validCoins } from "../bank/Coin.ts"
import { formatDec, ONE, parseDec } from "../../chain/LegacyDec.ts"
import { formatDuration, parseDuration, positiveDuration } from "../../chain/Time.ts"

/** SDK default params with `bondDenom` as the deposit denom. */
export const defaultGovParams = (bondDenom: string): Params => ({
  minDeposit: [{ denom: bondDenom, amount: "10000000" }],
  maxDepositPeriod: { seconds: 172800n, nanos: 0 },
  votingPeriod: { seconds: 172800n, nanos: 0 },
  quorum: "0.334000000000000000",
  threshold: "0.500000000000000000",
  vetoThreshold: "0.334000000000000000",
  minInitialDepositRatio: "0.000000000000000000",
  proposalCancelRatio: "0.500000000000000000",
  proposalCancelDest: "",
  expeditedVotingPeriod: { seconds: 86400n, nanos: 0 },
  expeditedThreshold: "0.667000000000000000",
  expeditedMinDeposit: [{ denom: bondDenom, amount: "50000000" }],
  burnVoteQuorum: false,
  burnProposalDepositPrevote: false,
  burnVoteVeto: true,
  minDepositRatio: "0.010000000000000000"
})

const ratio = (text: string, what: string, positive: boolean): bigint => {
  const v = parseDec(text, `invalid ${what}`)
  if (positive && v === 0n) throw new InvalidRequest({ log: `${what} must be positive: ${text}` })
  if (v > ONE) throw new InvalidRequest({ log: `${what} too large: ${text}` })
  return v
}

/**
 * Validate `p` as SDK Params.ValidateBasic and return it with every ratio in canonical 18-digit text.
 * Throws InvalidRequest naming the field.
 */
export const validateGovParams = (p: Params, bech32Prefix: string): Params => {
  const coins = (c: Params["minDeposit"], what: string) => {
    try {
      validCoins(c, false)
    } catch (e) {
      throw new InvalidRequest({ log: `invalid ${what}: ${(e as { log?: string }).log ?? String(e)}` })
    }
  }
  coins(p.minDeposit, "minimum deposit")
  coins(p.expeditedMinDeposit, "expedited minimum deposit")
  const quorum = ratio(p.quorum, "quorum", false)
  const threshold = ratio(p.threshold, "vote threshold", true)
  const expedited = ratio(p.expeditedThreshold, "expedited vote threshold", true)
  if (expedited <= threshold) throw new InvalidRequest({ log: `expedited vote threshold ${p.expeditedThreshold} must be greater than the regular threshold ${p.threshold}` })
  const veto = ratio(p.vetoThreshold, "veto threshold", true)
  if (!positiveDuration(p.maxDepositPeriod)) throw new InvalidRequest({ log: "maximum deposit period must be positive" })
  if (!positiveDuration(p.votingPeriod)) throw new InvalidRequest({ log: "voting period must be positive" })
  if (!positiveDuration(p.expeditedVotingPeriod)) throw new InvalidRequest({ log: "expedited voting period must be positive" })
  // the SDK also wants expedited_voting_period < voting_period; expedited proposals are refused here,
  // so short dev-chain voting periods need not shrink it
  const minInitial = ratio(p.minInitialDepositRatio, "minimum initial deposit ratio", false)
  const cancel = ratio(p.proposalCancelRatio, "proposal cancel ratio", false)
  const minDepositRatio = ratio(p.minDepositRatio, "minimum deposit ratio", false)
  if (p.proposalCancelDest !== "") parseAddress(p.proposalCancelDest, bech32Prefix, "invalid proposal cancel destination")
  return {
    ...p,
    quorum: formatDec(quorum), threshold: formatDec(threshold), expeditedThreshold: formatDec(expedited), vetoThreshold: formatDec(veto),
    minInitialDepositRatio: formatDec(minInitial), proposalCancelRatio: formatDec(cancel), minDepositRatio: formatDec(minDepositRatio)
  }
}

type Json = Record<string, unknown>
const coinsJson = (v: unknown, what: string): Params["minDeposit"] => {
  if (!Array.isArray(v)) throw new InvalidRequest({ log: `${what}: expected a list of {denom, amount}` })
  return v.map((c: Json) => {
    if (typeof c?.denom !== "string" || typeof c?.amount !== "string") throw new InvalidRequest({ log: `${what}: each coin needs string denom and amount` })
    return { denom: c.denom, amount: c.amount }
  })
}

/** Params from SDK protojson (snake_case, durations "172800s"); missing fields take `defaults`' values. */
export const govParamsFromJSON = (json: unknown, defaults: Params): Params => {
  if (typeof json !== "object" || json === null) throw new InvalidRequest({ log: "gov params: expected an object" })
  const j = json as Json
  const str = (k: string, d: string): string => {
    if (j[k] === undefined) return d
    if (typeof j[k] !== "string") throw new InvalidRequest({ log: `gov params.${k}: expected a string` })
    return j[k] as string
  }
  const bool = (k: string, d: boolean): boolean => {
    if (j[k] === undefined) return d
    if (typeof j[k] !== "boolean") throw new InvalidRequest({ log: `gov params.${k}: expected true or false` })
    return j[k] as boolean
  }
  const dur = (k: string, d: Params["votingPeriod"]) => (j[k] === undefined ? d : parseDuration(j[k], `gov params.${k}`))
  return {
    minDeposit: j.min_deposit === undefined ? defaults.minDeposit : coinsJson(j.min_deposit, "gov params.min_deposit"),
    maxDepositPeriod: dur("max_deposit_period", defaults.maxDepositPeriod),
    votingPeriod: dur("voting_period", defaults.votingPeriod),
    quorum: str("quorum", defaults.quorum),
    threshold: str("threshold", defaults.threshold),
    vetoThreshold: str("veto_threshold", defaults.vetoThreshold),
    minInitialDepositRatio: str("min_initial_deposit_ratio", defaults.minInitialDepositRatio),
    proposalCancelRatio: str("proposal_cancel_ratio", defaults.proposalCancelRatio),
    proposalCancelDest: str("proposal_cancel_dest", defaults.proposalCancelDest),
    expeditedVotingPeriod: dur("expedited_voting_period", defaults.expeditedVotingPeriod),
    expeditedThreshold: str("expedited_threshold", defaults.expeditedThreshold),
    expeditedMinDeposit: j.expedited_min_deposit === undefined ? defaults.expeditedMinDeposit : coinsJson(j.expedited_min_deposit, "gov params.expedited_min_deposit"),
    burnVoteQuorum: bool("burn_vote_quorum", defaults.burnVoteQuorum),
    burnProposalDepositPrevote: bool("burn_proposal_deposit_prevote", defaults.burnProposalDepositPrevote),
    burnVoteVeto: bool("burn_vote_veto", defaults.burnVoteVeto),
    minDepositRatio: str("min_deposit_ratio", defaults.minDepositRatio)
  }
}

/** SDK protojson of params (inverse of {@link govParamsFromJSON}). */
export const govParamsToJSON = (p: Params): Json => ({
  min_deposit: p.minDeposit.map((c) => ({ denom: c.denom, amount: c.amount })),
  max_deposit_period: p.maxDepositPeriod ? formatDuration(p.maxDepositPeriod) : null,
  voting_period: p.votingPeriod ? formatDuration(p.votingPeriod) : null,
  quorum: p.quorum,
  threshold: p.threshold,
  veto_threshold: p.vetoThreshold,
  min_initial_deposit_ratio: p.minInitialDepositRatio,
  proposal_cancel_ratio: p.proposalCancelRatio,
  proposal_cancel_dest: p.proposalCancelDest,
  expedited_voting_period: p.expeditedVotingPeriod ? formatDuration(p.expeditedVotingPeriod) : null,
  expedited_threshold: p.expeditedThreshold,
  expedited_min_deposit: p.expeditedMinDeposit.map((c) => ({ denom: c.denom, amount: c.amount })),
  burn_vote_quorum: p.burnVoteQuorum,
  burn_proposal_deposit_prevote: p.burnProposalDepositPrevote,
  burn_vote_veto: p.burnVoteVeto,
  min_deposit_ratio: p.minDepositRatio
})
