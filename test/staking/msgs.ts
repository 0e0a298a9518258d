// Staking message builders (raw Anys) for tests.
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys"
import {
  MsgBeginRedelegate, MsgCancelUnbondingDelegation, MsgCreateValidator, MsgDelegate, MsgEditValidator, MsgUndelegate, MsgUpdateParams
} from "cosmjs-types/cosmos/staking/v1beta1/tx"
import type { Params } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { valoper } from "./support.ts"

const boot = (amount: bigint | string, denom = "boot") => ({ denom, amount: amount.toString() })

export const createValidatorMsg = (op: string, key: Uint8Array, amount: bigint, rates = { rate: "100000000000000000", maxRate: "200000000000000000", maxChangeRate: "10000000000000000" }): Any => ({
  typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator",
  value: MsgCreateValidator.encode({
    description: { moniker: "second", identity: "", website: "", securityContact: "", details: "" },
    commission: rates,
    minSelfDelegation: "1",
    delegatorAddress: "",
    validatorAddress: valoper(op),
    pubkey: { typeUrl: "/cosmos.crypto.ed25519.PubKey", value: PubKey.encode({ key }).finish() },
    value: boot(amount)
  }).finish()
})

export const editValidatorMsg = (op: string, commissionRate: string, moniker = "[do-not-modify]"): Any => ({
  typeUrl: "/cosmos.staking.v1beta1.MsgEditValidator",
  value: MsgEditValidator.encode({
    description: { moniker, identity: "[do-not-modify]", website: "[do-not-modify]", securityContact: "[do-not-modify]", details: "[do-not-modify]" },
    validatorAddress: valoper(op), commissionRate, minSelfDelegation: ""
  }).finish()
})

export const delegateMsg = (del: string, val: string, amount: bigint, denom = "boot"): Any => ({
  typeUrl: "/cosmos.staking.v1beta1.MsgDelegate",
  value: MsgDelegate.encode({ delegatorAddress: del, validatorAddress: val, amount: boot(amount, denom) }).finish()
})

export const undelegateMsg = (del: string, val: string, amount: bigint): Any => ({
  typeUrl: "/cosmos.staking.v1beta1.MsgUndelegate",
  value: MsgUndelegate.encode({ delegatorAddress: del, validatorAddress: val, amount: boot(amount) }).finish()
})

export const redelegateMsg = (del: string, src: string, dst: string, amount: bigint): Any => ({
  typeUrl: "/cosmos.staking.v1beta1.MsgBeginRedelegate",
  value: MsgBeginRedelegate.encode({ delegatorAddress: del, validatorSrcAddress: src, validatorDstAddress: dst, amount: boot(amount) }).finish()
})

export const cancelUnbondingMsg = (del: string, val: string, amount: bigint, creationHeight: bigint): Any => ({
  typeUrl: "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation",
  value: MsgCancelUnbondingDelegation.encode({ delegatorAddress: del, validatorAddress: val, amount: boot(amount), creationHeight }).finish()
})

export const updateParamsMsg = (authority: string, params: Params): Any => ({
  typeUrl: "/cosmos.staking.v1beta1.MsgUpdateParams",
  value: MsgUpdateParams.encode({ authority, params }).finish()
})
