/**
 * A contract's `CosmosMsg::Staking` and `CosmosMsg::Distribution`, run by the staking and
 * distribution machines through their call APIs as the contract's principal: the capability
 * table allows `staking.delegate {delegator: self}` and the like (Grants.ts), and the machines move
 * coins only from their caller (`bank.send {from: caller}`), so a contract delegates, undelegates,
 * withdraws and funds the community pool only with its own coins. Events are the machines' own
 * (`delegate`, `unbond`, `redelegate`, `set_withdraw_address`, `withdraw_rewards`, the bank's
 * transfers), as wasmd's routed SDK messages emit them; the message responses are the SDK's.
 *
 * Source: wasmd x/wasm/keeper/handler_plugin_encoders.go (EncodeStakingMsg, EncodeDistributionMsg);
 * cosmwasm-std results/cosmos_msg.rs (StakingMsg, DistributionMsg JSON).
 */
import { MsgFundCommunityPoolResponse, MsgSetWithdrawAddressResponse, MsgWithdrawDelegatorRewardResponse } from "cosmjs-types/cosmos/distribution/v1beta1/tx"
import { MsgBeginRedelegateResponse, MsgDelegateResponse, MsgUndelegateResponse } from "cosmjs-types/cosmos/staking/v1beta1/tx"
import { distributionClient } from "../../../chain/generated/distribution.ts"
import { stakingClient } from "../../../chain/generated/staking.ts"
import type { ChainCall } from "../../../chain/Machine.ts"
import { parseTimestamp } from "../../../chain/Time.ts"
import { type Coin, coins, object, string, variant } from "./Json.ts"
import { UnknownMsg } from "./WasmdError.ts"

/** What a dispatched message returns: wasmd's `data` (none for these) and the SDK message response. */
export interface MessageResponse {
  readonly typeUrl: string
  readonly value: Uint8Array
}

/** State-changing calls into other machines as the contract. */
export type CallPort = (call: ChainCall) => Uint8Array

const one = (v: unknown, what: string): Coin => {
  const [c] = coins([v], what)
  return c!
}

/** `CosmosMsg::Staking` of `contract`: delegate, undelegate, redelegate. */
export const stakingMsg = (port: CallPort, contract: string, body: unknown): MessageResponse => {
  const [op, b] = variant(body, "staking")
  const o = object(b, `staking.${op}`)
  const staking = stakingClient(port)
  const amount = () => one(o.amount, `staking.${op}.amount`)
  switch (op) {
    case "delegate":
      staking.delegate({ delegator: contract, validator: string(o.validator, "staking.delegate.validator"), amount: amount() })
      return { typeUrl: "/cosmos.staking.v1beta1.MsgDelegateResponse", value: MsgDelegateResponse.encode({}).finish() }
    case "undelegate": {
      const r = staking.undelegate({ delegator: contract, validator: string(o.validator, "staking.undelegate.validator"), amount: amount() })
      const value = MsgUndelegateResponse.encode({ completionTime: parseTimestamp(r.completionTime, "completion time"), amount: r.amount }).finish()
      return { typeUrl: "/cosmos.staking.v1beta1.MsgUndelegateResponse", value }
    }
    case "redelegate": {
      const source = string(o.src_validator, "staking.redelegate.src_validator")
      const r = staking.redelegate({ delegator: contract, source, destination: string(o.dst_validator, "staking.redelegate.dst_validator"), amount: amount() })
      const value = MsgBeginRedelegateResponse.encode({ completionTime: parseTimestamp(r.completionTime, "completion time") }).finish()
      return { typeUrl: "/cosmos.staking.v1beta1.MsgBeginRedelegateResponse", value }
    }
    default:
      throw new UnknownMsg({ log: `unknown variant staking.${op.slice(0, 40)}: unknown message from the contract` })
  }
}

/** `CosmosMsg::Distribution` of `contract`: set_withdraw_address, withdraw_delegator_reward, fund_community_pool. */
export const distributionMsg = (port: CallPort, contract: string, body: unknown): MessageResponse => {
  const [op, b] = variant(body, "distribution")
  const o = object(b, `distribution.${op}`)
  const distribution = distributionClient(port)
  switch (op) {
    case "set_withdraw_address":
      distribution.setWithdrawAddress({ delegator: contract, withdrawAddress: string(o.address, "distribution.set_withdraw_address.address") })
      return { typeUrl: "/cosmos.distribution.v1beta1.MsgSetWithdrawAddressResponse", value: MsgSetWithdrawAddressResponse.encode({}).finish() }
    case "withdraw_delegator_reward": {
      const r = distribution.withdrawDelegatorReward({ delegator: contract, validator: string(o.validator, "distribution.withdraw_delegator_reward.validator") })
      return { typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorRewardResponse", value: MsgWithdrawDelegatorRewardResponse.encode({ amount: [...r.amount] }).finish() }
    }
    case "fund_community_pool": {
      distribution.fundCommunityPool({ depositor: contract, amount: coins(o.amount, "distribution.fund_community_pool.amount") })
      return { typeUrl: "/cosmos.distribution.v1beta1.MsgFundCommunityPoolResponse", value: MsgFundCommunityPoolResponse.encode({}).finish() }
    }
    default:
      throw new UnknownMsg({ log: `unknown variant distribution.${op.slice(0, 40)}: unknown message from the contract` })
  }
}
