/**
 * Errors of the distribution codespace (x/distribution/types/errors.go, SDK 0.50 codes), in the
 * shape of chain/ChainError.ts so the multiplexer reports them like any chain error.
 */
import { chainErrorClass } from "../../chain/ChainError.ts"

const distrError = <const Tag extends string>(tag: Tag, code: number) => chainErrorClass(tag, "distribution", code)

/** distribution code 5: the delegation has no starting info (nothing to withdraw from). */
export class EmptyDelegationDistInfo extends distrError("DistrEmptyDelegationDistInfo", 5) {}
/** distribution code 6: the validator has no distribution records (unknown to staking). */
export class NoValidatorDistInfo extends distrError("DistrNoValidatorDistInfo", 6) {}
/** distribution code 7: the validator's accumulated commission is zero. */
export class NoValidatorCommission extends distrError("DistrNoValidatorCommission", 7) {}
/** distribution code 8: params forbid changing the withdraw address. */
export class SetWithdrawAddrDisabled extends distrError("DistrSetWithdrawAddrDisabled", 8) {}
/** distribution code 9: the community pool holds less than a spend asks. */
export class BadDistribution extends distrError("DistrBadDistribution", 9) {}
/** distribution code 12: staking has no such validator. */
export class NoValidatorExists extends distrError("DistrNoValidatorExists", 12) {}
/** distribution code 13: staking has no such delegation. */
export class NoDelegationExists extends distrError("DistrNoDelegationExists", 13) {}
/** gov code 13 (x/gov/types/errors.go ErrInvalidSigner): MsgUpdateParams not signed by the governance authority. */
export class InvalidAuthority extends chainErrorClass("GovInvalidSigner", "gov", 13) {}
