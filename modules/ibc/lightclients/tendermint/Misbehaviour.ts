/**
 * 07-tendermint misbehaviour (ibc.lightclients.tendermint.v1.Misbehaviour): two headers that
 * cannot both be on one chain — same height and different block ids, or a later height with a
 * time not after the earlier one. Validation as ibc-go's Misbehaviour.ValidateBasic.
 *
 * Source: ibc-go v8 modules/light-clients/07-tendermint/misbehaviour.go,
 * modules/core/24-host/validate.go (ClientIdentifierValidator).
 */
import { Misbehaviour } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import type { Header } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import { compareHeight, heightString } from "./ClientState.ts"
import { validateHeader, type ValidHeader } from "./Header.ts"
import { InvalidHeaderHeight, InvalidIdentifier, InvalidMisbehaviour, InvalidTendermintHeader, InvalidValidatorSet } from "./TendermintError.ts"
import { CometError } from "./internal/CometError.ts"
import { verifyCommitLight } from "./internal/CommitVerifier.ts"

const VALID_ID = /^[a-zA-Z0-9._+\-#[\]<>]+$/

/** host.ClientIdentifierValidator: 9 to 64 characters of `[a-zA-Z0-9._+-#[]<>]`, no `/`. */
export const validateClientIdentifier = (id: string): void => {
  if (id.trim() === "") throw new InvalidIdentifier({ log: "identifier cannot be blank: invalid identifier" })
  if (id.includes("/")) throw new InvalidIdentifier({ log: `identifier ${id} cannot contain separator '/': invalid identifier` })
  const n = Buffer.byteLength(id, "utf8")
  if (n < 9 || n > 64) throw new InvalidIdentifier({ log: `identifier ${id} has invalid length: ${n}, must be between 9-64 characters: invalid identifier` })
  if (!VALID_ID.test(id)) {
    throw new InvalidIdentifier({ log: `identifier ${id} must contain only alphanumeric or the following characters: '.', '_', '+', '-', '#', '[', ']', '<', '>': invalid identifier` })
  }
}

/** Both headers of a misbehaviour that passed ValidateBasic. */
export interface ValidMisbehaviour {
  readonly misbehaviour: Misbehaviour
  readonly header1: ValidHeader
  readonly header2: ValidHeader
}

const validateHeaderIn = (h: Header, n: 1 | 2): ValidHeader => {
  try {
    return validateHeader(h)
  } catch (e) {
    const inner = e as { log?: string; message: string }
    throw new InvalidMisbehaviour({ log: `header ${n} failed validation: ${inner.log ?? inner.message}: invalid light client misbehaviour` })
  }
}

/**
 * Misbehaviour.ValidateBasic: both headers present with non-zero trusted heights and trusted
 * validators, one chain id, a valid client id, each header valid, header1 not below header2,
 * and each header's commit signed by +2/3 of its own validator set. Throws ibc-go's error.
 */
export const validateMisbehaviour = (m: Misbehaviour): ValidMisbehaviour => {
  if (m.header1 === undefined) throw new InvalidTendermintHeader({ log: "misbehaviour Header1 cannot be nil: invalid header" })
  if (m.header2 === undefined) throw new InvalidTendermintHeader({ log: "misbehaviour Header2 cannot be nil: invalid header" })
  if (m.header1.trustedHeight.revisionHeight === 0n) throw new InvalidHeaderHeight({ log: "misbehaviour Header1 cannot have zero revision height: invalid header height" })
  if (m.header2.trustedHeight.revisionHeight === 0n) throw new InvalidHeaderHeight({ log: "misbehaviour Header2 cannot have zero revision height: invalid header height" })
  if (m.header1.trustedValidators === undefined) throw new InvalidValidatorSet({ log: "trusted validator set in Header1 cannot be empty: invalid validator set" })
  if (m.header2.trustedValidators === undefined) throw new InvalidValidatorSet({ log: "trusted validator set in Header2 cannot be empty: invalid validator set" })
  const c1 = m.header1.signedHeader?.header?.chainId
  const c2 = m.header2.signedHeader?.header?.chainId
  if (c1 !== undefined && c2 !== undefined && c1 !== c2) {
    throw new InvalidMisbehaviour({ log: "headers must have identical chainIDs: invalid light client misbehaviour" })
  }
  try {
    validateClientIdentifier(m.clientId)
  } catch (e) {
    throw new InvalidIdentifier({ log: `misbehaviour client ID is invalid: ${(e as InvalidIdentifier).log}` })
  }
  const header1 = validateHeaderIn(m.header1, 1)
  const header2 = validateHeaderIn(m.header2, 2)
  if (compareHeight(header1.height, header2.height) < 0) {
    throw new InvalidMisbehaviour({ log: `Header1 height is less than Header2 height (${heightString(header1.height)} < ${heightString(header2.height)}): invalid light client misbehaviour` })
  }
  for (const h of [header1, header2]) {
    try {
      verifyCommitLight(h.signed.header.chainId, h.validators, h.signed.commit.blockId, h.signed.commit.height, h.signed.commit)
    } catch (e) {
      if (e instanceof CometError) throw new InvalidMisbehaviour({ log: "validator set did not commit to header: invalid light client misbehaviour" })
      throw e
    }
  }
  return { misbehaviour: m, header1, header2 }
}

export { Misbehaviour }
