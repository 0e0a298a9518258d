/**
 * The 07-tendermint header (ibc.lightclients.tendermint.v1.Header): a CometBFT signed header, the
 * validator set that signed it, the client height it is verified from (trusted height) and the
 * validators trusted there. Validation as ibc-go's Header.ValidateBasic (run for MsgUpdateClient).
 *
 * Source: ibc-go v8 modules/light-clients/07-tendermint/header.go.
 */
import { Header } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import type { Header as TmHeader } from "cosmjs-types/tendermint/types/types"
import { equalBytes } from "../../../../lib/Bytes.ts"
import type { Height } from "../../LightClient.ts"
import { compareHeight, heightStruct, parseChainId } from "./ClientState.ts"
import { InvalidHeader, InvalidHeaderHeight, UnregisteredError } from "./TendermintError.ts"
import { validatorSetFromProto, type ValSet } from "./ValidatorSet.ts"
import { CometError } from "./internal/CometError.ts"
import { signedHeaderFromProto, signedHeaderValidate, type CheckedSignedHeader } from "./internal/SignedHeader.ts"

/** Header.GetHeight(): revision from the header's chain id, height from the header. */
export const headerHeight = (h: TmHeader): Height => ({ revisionNumber: parseChainId(h.chainId), revisionHeight: h.height })

/** A header that passed ValidateBasic: its signed header and its validator set, decoded. */
export interface ValidHeader {
  readonly header: Header
  readonly signed: CheckedSignedHeader
  readonly validators: ValSet
  readonly height: Height
}

const wrap = (context: string, f: () => void): void => {
  try {
    f()
  } catch (e) {
    if (e instanceof CometError) throw new UnregisteredError({ log: `${context}: ${e.message}` })
    throw e
  }
}

/**
 * Header.ValidateBasic: signed header and header present, CometBFT's SignedHeader checks against
 * its own chain id (header hash = commit block id), trusted height below the header's height, the
 * validator set present, well-formed and hashing to the header's validators hash.
 * Throws ibc-go's error (CometBFT's texts wrapped, reported as UnregisteredError).
 */
export const validateHeader = (h: Header): ValidHeader => {
  if (h.signedHeader === undefined) throw new InvalidHeader({ log: "tendermint signed header cannot be nil: invalid client header" })
  if (h.signedHeader.header === undefined) throw new InvalidHeader({ log: "tendermint header cannot be nil: invalid client header" })
  const tmHeader = h.signedHeader.header
  let decoded: ReturnType<typeof signedHeaderFromProto> = {}
  wrap("header is not a tendermint header", () => { decoded = signedHeaderFromProto(h.signedHeader) })
  let signed: CheckedSignedHeader | undefined
  wrap("header failed basic validation", () => { signed = signedHeaderValidate(decoded, tmHeader.chainId) })
  const height = headerHeight(tmHeader)
  if (compareHeight(h.trustedHeight, height) >= 0) {
    throw new InvalidHeaderHeight({ log: `TrustedHeight ${heightStruct(h.trustedHeight)} must be less than header height ${heightStruct(height)}: invalid header height` })
  }
  if (h.validatorSet === undefined) throw new InvalidHeader({ log: "validator set is nil: invalid client header" })
  let validators: ValSet | undefined
  wrap("validator set is not tendermint validator set", () => { validators = validatorSetFromProto(h.validatorSet) })
  if (!equalBytes(tmHeader.validatorsHash, validators!.hash)) throw new InvalidHeader({ log: "validator set does not match hash: invalid client header" })
  return { header: h, signed: signed!, validators: validators!, height }
}

export { Header }
