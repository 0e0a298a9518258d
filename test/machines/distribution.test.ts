// The machine conformance suite (test/machines/conformance.ts) on the distribution machine
// (modules/distribution), with the staking test double (test/distribution/StakingDouble.ts) as the
// staking machine whose hooks feed it.
import { toBech32 } from "@cosmjs/encoding"
import {
  QueryCommunityPoolRequest, QueryDelegationRewardsRequest, QueryDelegationTotalRewardsRequest, QueryDelegatorValidatorsRequest,
  QueryDelegatorWithdrawAddressRequest, QueryParamsRequest, QueryValidatorCommissionRequest, QueryValidatorDistributionInfoRequest,
  QueryValidatorOutstandingRewardsRequest, QueryValidatorSlashesRequest
} from "cosmjs-types/cosmos/distribution/v1beta1/query"
import { MsgCommunityPoolSpend, MsgDepositValidatorRewardsPool, MsgFundCommunityPool, MsgSetWithdrawAddress, MsgUpdateParams, MsgWithdrawDelegatorReward, MsgWithdrawValidatorCommission } from "cosmjs-types/cosmos/distribution/v1beta1/tx"
import { MsgCreateValidator } from "cosmjs-types/cosmos/staking/v1beta1/tx"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { formatAddress, parseAddress } from "../../modules/auth/Address.ts"
import { DistributionMachine } from "../../modules/distribution/Distribution.ts"
import { StakingDouble } from "../distribution/StakingDouble.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { fundedGenesis, type MachineFixture } from "./Fixture.ts"
import { machineConformance } from "./conformance.ts"

const Q = "/cosmos.distribution.v1beta1.Query/"
const D = "/cosmos.distribution.v1beta1."
const valoper = (account: string): string => formatAddress(parseAddress(account, "cyber"), "cybervaloper")
const gov = toBech32("cyber", moduleAccountBytes("gov"))
const fund = (depositor: string, amount: string) => ({ typeUrl: D + "MsgFundCommunityPool", value: MsgFundCommunityPool.encode({ depositor, amount: [{ denom: "boot", amount }] }).finish() })

const fixture: MachineFixture = {
  name: "distribution",
  // the distribution account exists from genesis (as in the SDK), so a block's first fee transfer
  // into it does not create it and simulate and delivery of a sample use the same gas
  machines: () => [
    new AuthMachine({ minGasPrices: "0.0001boot", moduleAccounts: [{ name: "fee_collector", permissions: [] }, { name: "distribution", permissions: [] }] }),
    new BankMachine(),
    new DistributionMachine({ bech32Prefix: "cyber", bondDenom: "boot" }), new StakingDouble()],
  genesis: (keys) => fundedGenesis(keys, { distribution: {}, staking: {} }),
  // FundCommunityPool first: its block follows one without fees, so nothing moves out of fee_collector
  // between its simulation and its delivery (the suite's out-of-gas check sets the limit from simulate)
  messages: (keys) => [
    fund(keys.signer, "1000"),
    {
      typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator",
      value: MsgCreateValidator.encode(MsgCreateValidator.fromPartial({
        validatorAddress: valoper(keys.signer), commission: { rate: "100000000000000000", maxRate: "100000000000000000", maxChangeRate: "0" },
        value: { denom: "boot", amount: "2000000" }
      })).finish()
    },
    { typeUrl: D + "MsgSetWithdrawAddress", value: MsgSetWithdrawAddress.encode({ delegatorAddress: keys.signer, withdrawAddress: keys.other }).finish() },
    { typeUrl: D + "MsgWithdrawDelegatorReward", value: MsgWithdrawDelegatorReward.encode({ delegatorAddress: keys.signer, validatorAddress: valoper(keys.signer) }).finish() },
    { typeUrl: D + "MsgWithdrawValidatorCommission", value: MsgWithdrawValidatorCommission.encode({ validatorAddress: valoper(keys.signer) }).finish() },
    {
      typeUrl: D + "MsgDepositValidatorRewardsPool",
      value: MsgDepositValidatorRewardsPool.encode({ depositor: keys.signer, validatorAddress: valoper(keys.signer), amount: [{ denom: "boot", amount: "999" }] }).finish()
    }
  ],
  authorityMessages: (keys) => [{
    typeUrl: D + "MsgUpdateParams",
    value: MsgUpdateParams.encode({ authority: gov, params: { communityTax: "30000000000000000", baseProposerReward: "", bonusProposerReward: "", withdrawAddrEnabled: true } }).finish()
  }, {
    typeUrl: D + "MsgCommunityPoolSpend", value: MsgCommunityPoolSpend.encode({ authority: gov, recipient: keys.other, amount: [{ denom: "boot", amount: "1" }] }).finish()
  }],
  queries: (keys) => [
    { path: Q + "Params", data: QueryParamsRequest.encode({}).finish() },
    { path: Q + "CommunityPool", data: QueryCommunityPoolRequest.encode({}).finish() },
    { path: Q + "ValidatorOutstandingRewards", data: QueryValidatorOutstandingRewardsRequest.encode({ validatorAddress: valoper(keys.signer) }).finish() },
    { path: Q + "ValidatorCommission", data: QueryValidatorCommissionRequest.encode({ validatorAddress: valoper(keys.signer) }).finish() },
    { path: Q + "DelegationRewards", data: QueryDelegationRewardsRequest.encode({ delegatorAddress: keys.signer, validatorAddress: valoper(keys.signer) }).finish() },
    { path: Q + "DelegationTotalRewards", data: QueryDelegationTotalRewardsRequest.encode({ delegatorAddress: keys.signer }).finish() },
    { path: Q + "DelegatorValidators", data: QueryDelegatorValidatorsRequest.encode({ delegatorAddress: keys.signer }).finish() },
    { path: Q + "ValidatorDistributionInfo", data: QueryValidatorDistributionInfoRequest.encode({ validatorAddress: valoper(keys.signer) }).finish() },
    { path: Q + "ValidatorSlashes", data: QueryValidatorSlashesRequest.encode({ validatorAddress: valoper(keys.signer), startingHeight: 0n, endingHeight: 100n }).finish() },
    { path: Q + "DelegatorWithdrawAddress", data: QueryDelegatorWithdrawAddressRequest.encode({ delegatorAddress: keys.signer }).finish() }
  ],
  // no valid call samples: the hooks answer only machine:staking, never the suite's probe principal
  // (test/distribution/hooks.test.ts checks that refusal and the hooks themselves)
  calls: () => [],
  sized: (keys) => [fund(keys.signer, "1"), { typeUrl: D + "MsgSetWithdrawAddress", value: MsgSetWithdrawAddress.encode({ delegatorAddress: keys.signer, withdrawAddress: keys.signer }).finish() }],
  knownGaps: {
    // the suite sets its 1-below limit from Simulate, which runs before the block's beginBlock drains
    // fee_collector, so every delivery reads a smaller fee_collector balance in the ante and uses less
    // gas than simulated; test/distribution/metering.test.ts checks out-of-gas against delivered gas
    "every store access is metered": "simulation precedes distribution's beginBlock (fee_collector drained), so delivery gas < simulated gas"
  },
  crossCall: (keys) => ({
    message: fund(keys.signer, "5"),
    grant: {
      principal: "machine:distribution",
      capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "signer", value: "" }, { field: "to", op: "self", value: "" }] }
    }
  })
}

machineConformance(fixture).run()
