// The machine conformance suite (test/machines/conformance.ts) on the staking machine
// (modules/staking), with a genesis validator and every staking message signed by the suite's signer.
import { fromBech32, toBech32 } from "@cosmjs/encoding"
import { sha256 } from "@noble/hashes/sha2.js"
import {
  QueryDelegationRequest, QueryDelegatorDelegationsRequest, QueryDelegatorUnbondingDelegationsRequest, QueryDelegatorValidatorsRequest, QueryParamsRequest,
  QueryPoolRequest, QueryRedelegationsRequest, QueryUnbondingDelegationRequest, QueryValidatorDelegationsRequest, QueryValidatorRequest, QueryValidatorsRequest
} from "cosmjs-types/cosmos/staking/v1beta1/query"
import { MsgEditValidator } from "cosmjs-types/cosmos/staking/v1beta1/tx"
import { stakingInterface } from "../../chain/generated/staking.ts"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { formatAddress } from "../../modules/auth/Address.ts"
import { StakingMachine } from "../../modules/staking/Staking.ts"
import { cancelUnbondingMsg, createValidatorMsg, delegateMsg, editValidatorMsg, redelegateMsg, undelegateMsg, updateParamsMsg } from "../staking/msgs.ts"
import { baseMachines, SIGNER_FUNDS, type MachineFixture } from "./Fixture.ts"
import { machineConformance } from "./conformance.ts"

const Q = "/cosmos.staking.v1beta1.Query/"
const valoper = (a: string) => toBech32("cybervaloper", fromBech32(a, 90).data, 90)
const genesisOperator = formatAddress(sha256(new TextEncoder().encode("staking conformance genesis validator")).subarray(0, 20), "cyber")
const genesisVal = valoper(genesisOperator)
const bondedPool = formatAddress(moduleAccountBytes("bonded_tokens_pool"), "cyber")
const gov = formatAddress(moduleAccountBytes("gov"), "cyber")
const key = (tag: string) => sha256(new TextEncoder().encode(tag))
const method = (name: string, value: unknown) => ({ method: name, body: stakingInterface.methods[name]!.request.encode(value) })
/** MsgEditValidator setting only `details`. */
const edit = (signer: string, details: string) => ({
  typeUrl: "/cosmos.staking.v1beta1.MsgEditValidator",
  value: MsgEditValidator.encode({
    description: { moniker: "[do-not-modify]", identity: "[do-not-modify]", website: "[do-not-modify]", securityContact: "[do-not-modify]", details },
    validatorAddress: valoper(signer), commissionRate: "", minSelfDelegation: ""
  }).finish()
})

const notBondedPool = formatAddress(moduleAccountBytes("not_bonded_tokens_pool"), "cyber")
/** Creation height of the signer's genesis unbonding entry (the cancel sample's target, whatever the block). */
const GENESIS_UNBONDING_HEIGHT = 1n

const fixture: MachineFixture = {
  name: "staking",
  machines: () => [...baseMachines(), new StakingMachine({ bech32Prefix: "cyber", bondDenom: "boot" })],
  genesis: (keys) => ({
    auth: { accounts: [] },
    bank: { balances: [{ address: keys.signer, coins: [{ denom: "boot", amount: SIGNER_FUNDS }] }, { address: bondedPool, coins: [{ denom: "boot", amount: "10000000" }] },
      { address: notBondedPool, coins: [{ denom: "boot", amount: "1000000" }] }
    ] },
    staking: {
      params: { unbonding_time: "1814400s", max_validators: 100, max_entries: 7, historical_entries: 0, bond_denom: "boot", min_commission_rate: "0.000000000000000000" },
      validators: [{
        operator_address: genesisVal,
        consensus_pubkey: { "@type": "/cosmos.crypto.ed25519.PubKey", key: Buffer.from(key("conformance v0")).toString("base64") },
        status: "BOND_STATUS_BONDED", tokens: "10000000", delegator_shares: "10000000.000000000000000000",
        description: { moniker: "genesis" },
        commission: { commission_rates: { rate: "0.100000000000000000", max_rate: "0.200000000000000000", max_change_rate: "0.010000000000000000" }, update_time: "2023-11-14T22:13:20Z" },
        min_self_delegation: "1"
      }],
      delegations: [{ delegator_address: genesisOperator, validator_address: genesisVal, shares: "10000000.000000000000000000" }],
      unbonding_delegations: [{
        delegator_address: keys.signer, validator_address: genesisVal,
        entries: [{ creation_height: String(GENESIS_UNBONDING_HEIGHT), completion_time: "2030-01-01T00:00:00Z", initial_balance: "1000000", balance: "1000000" }]
      }]
    }
  }),
  messages: (keys) => [
    createValidatorMsg(keys.signer, key("conformance v1"), 2_000_000n),
    editValidatorMsg(keys.signer, "", "renamed"),
    delegateMsg(keys.signer, genesisVal, 1_000_000n),
    undelegateMsg(keys.signer, genesisVal, 100_000n),
    redelegateMsg(keys.signer, genesisVal, valoper(keys.signer), 100_000n),
    cancelUnbondingMsg(keys.signer, genesisVal, 50_000n, GENESIS_UNBONDING_HEIGHT)
  ],
  authorityMessages: () => [updateParamsMsg(gov, {
    unbondingTime: { seconds: 600n, nanos: 0 }, maxValidators: 50, maxEntries: 7, historicalEntries: 0, bondDenom: "boot", minCommissionRate: "0"
  })],
  queries: (keys) => [
    { path: Q + "Validators", data: QueryValidatorsRequest.encode({ status: "", pagination: undefined }).finish() },
    { path: Q + "Validator", data: QueryValidatorRequest.encode({ validatorAddr: genesisVal }).finish() },
    { path: Q + "ValidatorDelegations", data: QueryValidatorDelegationsRequest.encode({ validatorAddr: genesisVal }).finish() },
    { path: Q + "Delegation", data: QueryDelegationRequest.encode({ delegatorAddr: keys.signer, validatorAddr: genesisVal }).finish() },
    { path: Q + "DelegatorDelegations", data: QueryDelegatorDelegationsRequest.encode({ delegatorAddr: keys.signer }).finish() },
    { path: Q + "UnbondingDelegation", data: QueryUnbondingDelegationRequest.encode({ delegatorAddr: keys.signer, validatorAddr: genesisVal }).finish() },
    { path: Q + "DelegatorUnbondingDelegations", data: QueryDelegatorUnbondingDelegationsRequest.encode({ delegatorAddr: keys.signer }).finish() },
    { path: Q + "Redelegations", data: QueryRedelegationsRequest.encode({ delegatorAddr: keys.signer, srcValidatorAddr: "", dstValidatorAddr: "" }).finish() },
    { path: Q + "DelegatorValidators", data: QueryDelegatorValidatorsRequest.encode({ delegatorAddr: keys.signer }).finish() },
    { path: Q + "Pool", data: QueryPoolRequest.encode({}).finish() },
    { path: Q + "Params", data: QueryParamsRequest.encode({}).finish() }
  ],
  calls: (keys) => [
    method("validator", { operator: genesisVal }),
    method("delegation", { delegator: keys.signer, validator: genesisVal }),
    method("delegator-delegations", { delegator: keys.signer }),
    method("bonded-validators", {}),
    method("total-bonded", {})
  ],
  sized: (keys) => [edit(keys.signer, "a"), edit(keys.signer, "a".repeat(280))],
  crossCall: (keys) => ({
    message: delegateMsg(keys.signer, genesisVal, 10n),
    grant: { principal: "machine:staking", capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "signer", value: "" }] } }
  })
}

machineConformance(fixture).run()
