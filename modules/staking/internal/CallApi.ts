/**
 * The delegator's own side of staking's call API (wit/chain/staking.wit): delegate, undelegate and
 * redelegate, each run as its message (internal/Msgs.ts) with the request's delegator as the
 * message's signer, so events, errors and responses are the messages'. Who may call is the
 * capability table's decision: a CosmWasm contract holds `staking.delegate {delegator: self}` and
 * the like, and the staking machine moves the coins as `bank.send {from: caller}`, so even a
 * caller granted more can only bond its own coins.
 *
 * Source: cosmos-sdk x/staking/keeper/msg_server.go; wasmd x/wasm/keeper/handler_plugin_encoders.go EncodeStakingMsg.
 */
import { MsgBeginRedelegateResponse, MsgUndelegateResponse } from "cosmjs-types/cosmos/staking/v1beta1/tx"
import type { StakingHandlers } from "../../../chain/generated/staking.ts"
import type { ExecContext, MsgContext } from "../../../chain/Machine.ts"
import { formatTimestamp } from "../../../chain/Time.ts"
import type { Keeper } from "./Keeper.ts"
import { beginRedelegate, delegate, undelegate } from "./Msgs.ts"

/** A message context for a call: the request's delegator (checked by the capability) is the signer. */
const asMsg = (ctx: ExecContext, signer: string): MsgContext => ({ ...ctx, txHash: new Uint8Array(32), signers: [signer] })

/** The delegator handlers over the keeper `keeper()` returns (read at call time), for the generated dispatcher. */
export const delegatorHandlers = (keeper: () => Keeper): Pick<StakingHandlers, "delegate" | "undelegate" | "redelegate"> => ({
  delegate: (ctx, _caller, req) => {
    const k = keeper()
    delegate(k, asMsg(ctx, req.delegator), { delegatorAddress: req.delegator, validatorAddress: req.validator, amount: req.amount })
    return {}
  },
  undelegate: (ctx, _caller, req) => {
    const k = keeper()
    const r = MsgUndelegateResponse.decode(undelegate(k, asMsg(ctx, req.delegator), { delegatorAddress: req.delegator, validatorAddress: req.validator, amount: req.amount }).value)
    return { completionTime: formatTimestamp(r.completionTime), amount: { denom: r.amount.denom, amount: r.amount.amount } }
  },
  redelegate: (ctx, _caller, req) => {
    const k = keeper()
    const m = { delegatorAddress: req.delegator, validatorSrcAddress: req.source, validatorDstAddress: req.destination, amount: req.amount }
    const r = MsgBeginRedelegateResponse.decode(beginRedelegate(k, asMsg(ctx, req.delegator), m).value)
    return { completionTime: formatTimestamp(r.completionTime) }
  }
})
