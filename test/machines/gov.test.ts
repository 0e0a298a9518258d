// The machine conformance suite (test/machines/conformance.ts) on the gov machine (modules/gov),
// with the staking machine (modules/staking) for the tally's reads.
import * as V1 from "cosmjs-types/cosmos/gov/v1/query"
import * as B1 from "cosmjs-types/cosmos/gov/v1beta1/query"
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov"
import { MsgUpdateParams } from "cosmjs-types/cosmos/gov/v1/tx"
import * as B1Tx from "cosmjs-types/cosmos/gov/v1beta1/tx"
import { GovMachine } from "../../modules/gov/Gov.ts"
import { defaultGovParams } from "../../modules/gov/GovParams.ts"
import { depositMsg, sendMsg, submitMsg, voteMsg, weightedMsg } from "../gov/support/GovChain.ts"
import { StakingMachine } from "../../modules/staking/Staking.ts"
import { bondedPool, consKey, stakingGenesis } from "../staking/support.ts"
import { baseMachines, fundedGenesis, type MachineFixture } from "./Fixture.ts"
import { machineConformance } from "./conformance.ts"
import { makeKey } from "./support/Chain.ts"

// the suite's signer (same tag as conformance.ts) is made the params authority, so a plain tx can
// carry the MsgUpdateParams sample (on a chain the authority is the gov account: only proposals)
const signer = (await makeKey("conformance signer of gov")).address
const gov = () => new GovMachine({ bech32Prefix: "cyber", bondDenom: "boot", authority: signer })
const GOV_ACCOUNT = gov().moduleAccount
const Q1 = "/cosmos.gov.v1.Query/"
const QB = "/cosmos.gov.v1beta1.Query/"
const page = { key: new Uint8Array(), offset: 0n, limit: 10n, countTotal: true, reverse: false }

const fixture: MachineFixture = {
  name: "gov",
  machines: () => [...baseMachines(), new StakingMachine({ bech32Prefix: "cyber", bondDenom: "boot" }), gov()],
  // a bonded validator (operated by the signer) so the staking namespace has a validator set
  genesis: (keys) => {
    const g = fundedGenesis(keys, { staking: stakingGenesis(keys.signer, consKey("gov conformance"), 5_000_000n, 20n), gov: {} })
    const bank = g.bank as { balances: Array<{ address: string; coins: Array<{ denom: string; amount: string }> }> }
    return { ...g, bank: { balances: [...bank.balances, { address: bondedPool, coins: [{ denom: "boot", amount: "5000000" }] }] } }
  },
  messages: (keys) => [
    submitMsg(keys.signer, [sendMsg(GOV_ACCOUNT, keys.other, "1")], 10_000_000n),
    depositMsg(keys.signer, 1n, 200_000n),
    voteMsg(keys.signer, 1n, VoteOption.VOTE_OPTION_YES),
    weightedMsg(keys.signer, 1n, [[VoteOption.VOTE_OPTION_YES, "0.6"], [VoteOption.VOTE_OPTION_NO, "0.4"]]),
    { typeUrl: "/cosmos.gov.v1.MsgUpdateParams", value: MsgUpdateParams.encode({ authority: keys.signer, params: defaultGovParams("boot") }).finish() },
    { typeUrl: "/cosmos.gov.v1beta1.MsgDeposit", value: B1Tx.MsgDeposit.encode({ proposalId: 1n, depositor: keys.signer, amount: [{ denom: "boot", amount: "100000" }] }).finish() },
    { typeUrl: "/cosmos.gov.v1beta1.MsgVote", value: B1Tx.MsgVote.encode({ proposalId: 1n, voter: keys.signer, option: VoteOption.VOTE_OPTION_NO }).finish() },
    {
      typeUrl: "/cosmos.gov.v1beta1.MsgVoteWeighted",
      value: B1Tx.MsgVoteWeighted.encode({ proposalId: 1n, voter: keys.signer, options: [{ option: VoteOption.VOTE_OPTION_ABSTAIN, weight: "1000000000000000000" }] }).finish()
    }
  ],
  queries: (keys) => [
    { path: Q1 + "Proposal", data: V1.QueryProposalRequest.encode({ proposalId: 1n }).finish() },
    // requests whose every field may be empty are sampled empty (the suite's empty variant must fail otherwise)
    { path: Q1 + "Proposals", data: V1.QueryProposalsRequest.encode({ proposalStatus: ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED, voter: "", depositor: "" }).finish() },
    { path: Q1 + "Vote", data: V1.QueryVoteRequest.encode({ proposalId: 1n, voter: keys.signer }).finish() },
    { path: Q1 + "Votes", data: V1.QueryVotesRequest.encode({ proposalId: 1n, pagination: page }).finish() },
    { path: Q1 + "Deposit", data: V1.QueryDepositRequest.encode({ proposalId: 1n, depositor: keys.signer }).finish() },
    { path: Q1 + "Deposits", data: V1.QueryDepositsRequest.encode({ proposalId: 1n, pagination: page }).finish() },
    { path: Q1 + "TallyResult", data: V1.QueryTallyResultRequest.encode({ proposalId: 1n }).finish() },
    { path: Q1 + "Params", data: V1.QueryParamsRequest.encode({ paramsType: "" }).finish() },
    { path: QB + "Proposal", data: B1.QueryProposalRequest.encode({ proposalId: 1n }).finish() },
    { path: QB + "Proposals", data: B1.QueryProposalsRequest.encode({ proposalStatus: 0, voter: "", depositor: "" }).finish() },
    { path: QB + "Vote", data: B1.QueryVoteRequest.encode({ proposalId: 1n, voter: keys.signer }).finish() },
    { path: QB + "TallyResult", data: B1.QueryTallyResultRequest.encode({ proposalId: 1n }).finish() },
    { path: QB + "Params", data: B1.QueryParamsRequest.encode({ paramsType: "voting" }).finish() },
    { path: QB + "Deposits", data: B1.QueryDepositsRequest.encode({ proposalId: 1n }).finish() }
  ],
  sized: (keys) => [
    submitMsg(keys.signer, [], 200_000n, { summary: "a" }),
    submitMsg(keys.signer, [], 200_000n, { summary: "a".repeat(2000) })
  ],
  crossCall: (keys) => ({
    message: depositMsg(keys.signer, 1n, 300_000n),
    grant: { principal: "machine:gov", capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "signer", value: "" }] } }
  })
}

machineConformance(fixture).run()
