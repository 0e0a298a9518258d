/**
 * Errors of the staking machine, codespace "staking", with the SDK's codes so clients see the
 * same code and codespace as on a Cosmos SDK chain.
 *
 * Source: cosmos-sdk x/staking/types/errors.go.
 */
import { chainErrorClass } from "../../chain/ChainError.ts"

/** 3: no validator at the address. */
export class NoValidatorFound extends chainErrorClass("NoValidatorFound", "staking", 3) {}
/** 4: a validator with this operator address exists. */
export class ValidatorOwnerExists extends chainErrorClass("ValidatorOwnerExists", "staking", 4) {}
/** 5: a validator with this consensus key exists. */
export class ValidatorPubKeyExists extends chainErrorClass("ValidatorPubKeyExists", "staking", 5) {}
/** 6: consensus key type not ed25519. */
export class ValidatorPubKeyTypeNotSupported extends chainErrorClass("ValidatorPubKeyTypeNotSupported", "staking", 6) {}
/** 9: negative commission. */
export class CommissionNegative extends chainErrorClass("CommissionNegative", "staking", 9) {}
/** 10: commission above 100%. */
export class CommissionHuge extends chainErrorClass("CommissionHuge", "staking", 10) {}
/** 11: commission above the max rate. */
export class CommissionGTMaxRate extends chainErrorClass("CommissionGTMaxRate", "staking", 11) {}
/** 12: commission changed within 24 hours. */
export class CommissionUpdateTime extends chainErrorClass("CommissionUpdateTime", "staking", 12) {}
/** 13: negative max change rate. */
export class CommissionChangeRateNegative extends chainErrorClass("CommissionChangeRateNegative", "staking", 13) {}
/** 14: max change rate above the max rate. */
export class CommissionChangeRateGTMaxRate extends chainErrorClass("CommissionChangeRateGTMaxRate", "staking", 14) {}
/** 15: change above the max change rate. */
export class CommissionGTMaxChangeRate extends chainErrorClass("CommissionGTMaxChangeRate", "staking", 15) {}
/** 16: self delegation below the minimum. */
export class SelfDelegationBelowMinimum extends chainErrorClass("SelfDelegationBelowMinimum", "staking", 16) {}
/** 17: min self delegation may only increase. */
export class MinSelfDelegationDecreased extends chainErrorClass("MinSelfDelegationDecreased", "staking", 17) {}
/** 21: no delegation of this delegator to this validator. */
export class NoDelegatorForAddress extends chainErrorClass("NoDelegatorForAddress", "staking", 21) {}
/** 22: shares from tokens on a validator without tokens. */
export class InsufficientShares extends chainErrorClass("InsufficientShares", "staking", 22) {}
/** 24: more shares asked than the delegation holds. */
export class NotEnoughDelegationShares extends chainErrorClass("NotEnoughDelegationShares", "staking", 24) {}
/** 26: no unbonding delegation. */
export class NoUnbondingDelegation extends chainErrorClass("NoUnbondingDelegation", "staking", 26) {}
/** 27: too many unbonding entries. */
export class MaxUnbondingDelegationEntries extends chainErrorClass("MaxUnbondingDelegationEntries", "staking", 27) {}
/** 29: source and destination validators equal. */
export class SelfRedelegation extends chainErrorClass("SelfRedelegation", "staking", 29) {}
/** 30: redelegation amount rounds to zero tokens. */
export class TinyRedelegationAmount extends chainErrorClass("TinyRedelegationAmount", "staking", 30) {}
/** 31: redelegation destination does not exist. */
export class BadRedelegationDst extends chainErrorClass("BadRedelegationDst", "staking", 31) {}
/** 32: redelegating tokens still being redelegated into the source. */
export class TransitiveRedelegation extends chainErrorClass("TransitiveRedelegation", "staking", 32) {}
/** 33: too many redelegation entries. */
export class MaxRedelegationEntries extends chainErrorClass("MaxRedelegationEntries", "staking", 33) {}
/** 34: validator has shares but no tokens. */
export class DelegatorShareExRateInvalid extends chainErrorClass("DelegatorShareExRateInvalid", "staking", 34) {}
/** 40: commission below the chain's minimum. */
export class CommissionLTMinRate extends chainErrorClass("CommissionLTMinRate", "staking", 40) {}
/** 43: MsgUpdateParams authority is not the governance account. */
export class InvalidSigner extends chainErrorClass("InvalidSigner", "staking", 43) {}
/** 44: redelegation source does not exist. */
export class BadRedelegationSrc extends chainErrorClass("BadRedelegationSrc", "staking", 44) {}
