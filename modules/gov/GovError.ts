/**
 * Errors of the gov codespace, with the SDK's codes so clients see the familiar
 * "codespace: gov, code N" results.
 *
 * Source: cosmos-sdk x/gov/types/errors.go (v0.50).
 */
import { chainErrorClass } from "../../chain/ChainError.ts"

const govError = <const Tag extends string>(tag: Tag, code: number) => chainErrorClass(tag, "gov", code)

/** gov 2: no proposal with this id. */
export class UnknownProposal extends govError("GovUnknownProposal", 2) {}
/** gov 3: the proposal does not accept this now (deposit or vote outside its period). */
export class InactiveProposal extends govError("GovInactiveProposal", 3) {}
/** gov 5: bad title or summary. */
export class InvalidProposalContent extends govError("GovInvalidProposalContent", 5) {}
/** gov 7: bad vote option or weights. */
export class InvalidVote extends govError("GovInvalidVote", 7) {}
/** gov 8: malformed genesis section. */
export class InvalidGenesis extends govError("GovInvalidGenesis", 8) {}
/** gov 10: a proposal message has no route on this chain. */
export class UnroutableProposalMsg extends govError("GovUnroutableProposalMsg", 10) {}
/** gov 12: a proposal message is malformed or not allowed. */
export class InvalidProposalMsg extends govError("GovInvalidProposalMsg", 12) {}
/** gov 13: a proposal message's signer is not the governance account, or a wrong authority. */
export class InvalidSigner extends govError("GovInvalidSigner", 13) {}
/** gov 15: metadata over the limit. */
export class MetadataTooLong extends govError("GovMetadataTooLong", 15) {}
/** gov 16: deposit below the required minimum. */
export class MinDepositTooSmall extends govError("GovMinDepositTooSmall", 16) {}
/** gov 21: invalid proposal (e.g. expedited, not offered here). */
export class InvalidProposal extends govError("GovInvalidProposal", 21) {}
/** gov 22: summary over the limit. */
export class SummaryTooLong extends govError("GovSummaryTooLong", 22) {}
/** gov 23: a deposit denom that min_deposit does not list. */
export class InvalidDepositDenom extends govError("GovInvalidDepositDenom", 23) {}
/** gov 24: title over the limit. */
export class TitleTooLong extends govError("GovTitleTooLong", 24) {}
