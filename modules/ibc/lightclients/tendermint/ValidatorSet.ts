/**
 * A CometBFT validator set decoded from its protobuf and validated as CometBFT does
 * (ValidatorSetFromProto, then ValidatorSet.ValidateBasic), with its hash (ValidatorSet.Hash(),
 * SimpleValidator encoding). ed25519 validators only; errors are CometError values.
 *
 * Source: cometbft v0.38 types/validator_set.go, types/validator.go, crypto/encoding/codec.go.
 */
import type { PublicKey } from "cosmjs-types/tendermint/crypto/keys"
import type { Validator as ValidatorProto, ValidatorSet as ValidatorSetProto } from "cosmjs-types/tendermint/types/validator"
import { equalBytes } from "../../../../lib/Bytes.ts"
import { consensusAddress, validatorsHash } from "../../../consensus/CometHashing.ts"
import { CometError, MAX_TOTAL_VOTING_POWER } from "./internal/CometError.ts"
import { goHex } from "./internal/GoFormat.ts"

/** A validator as the light client uses it. */
export interface Val {
  readonly address: Uint8Array
  readonly pubKey: Uint8Array
  readonly power: bigint
  readonly priority: bigint
}

/** A decoded, validated validator set. */
export interface ValSet {
  readonly validators: ReadonlyArray<Val>
  readonly proposer: Val
  readonly total: bigint
  readonly hash: Uint8Array
}

/** Validator.String(): `Validator{<address> PubKeyEd25519{<key>} VP:<power> A:<priority>}`. */
export const valString = (v: Val): string => `Validator{${goHex(v.address)} PubKeyEd25519{${goHex(v.pubKey)}} VP:${v.power} A:${v.priority}}`

/** encoding.PubKeyFromProto, ed25519 only. */
const pubKeyFromProto = (pk: PublicKey | undefined): Uint8Array => {
  if (pk?.ed25519 !== undefined) {
    if (pk.ed25519.length !== 32) throw new CometError(`invalid size for PubKeyEd25519. Got ${pk.ed25519.length}, expected 32`)
    return pk.ed25519
  }
  if (pk?.secp256k1 !== undefined) throw new CometError("fromproto: key type secp256k1 is not supported by this light client (ed25519 validators only)")
  throw new CometError("fromproto: key type <nil> is not supported")
}

const validatorFromProto = (vp: ValidatorProto | undefined): Val => {
  if (vp === undefined) throw new CometError("nil validator")
  return { address: vp.address, pubKey: pubKeyFromProto(vp.pubKey), power: vp.votingPower, priority: vp.proposerPriority }
}

const validateValidator = (v: Val): void => {
  if (v.power < 0n) throw new CometError("validator has negative voting power")
  const addr = consensusAddress(v.pubKey)
  if (!equalBytes(v.address, addr)) {
    throw new CometError(`validator address is incorrectly derived from pubkey. Exp: ${goHex(addr)}, got ${goHex(v.address)}`)
  }
}

/** ValidatorSetFromProto followed by ValidatorSet.ValidateBasic; the hash is ValidatorSet.Hash(). */
export const validatorSetFromProto = (vp: ValidatorSetProto | undefined): ValSet => {
  if (vp === undefined) throw new CometError("nil validator set")
  const validators = vp.validators.map(validatorFromProto)
  let proposer: Val
  try {
    proposer = validatorFromProto(vp.proposer)
  } catch (e) {
    throw new CometError(`fromProto: validatorSet proposer error: ${(e as Error).message}`)
  }
  let total = 0n
  for (const v of validators) {
    total += v.power < 0n ? 0n : v.power // safeAddClip never goes below; negatives refused below
    if (total > MAX_TOTAL_VOTING_POWER) {
      throw new CometError(`Total voting power should be guarded to not exceed ${MAX_TOTAL_VOTING_POWER}; got: ${total}`)
    }
  }
  if (validators.length === 0) throw new CometError("validator set is nil or empty")
  validators.forEach((v, i) => {
    try {
      validateValidator(v)
    } catch (e) {
      throw new CometError(`invalid validator #${i}: ${(e as Error).message}`)
    }
  })
  try {
    validateValidator(proposer)
  } catch (e) {
    throw new CometError(`proposer failed validate basic, error: ${(e as Error).message}`)
  }
  if (!validators.some((v) => equalBytes(v.address, proposer.address))) throw new CometError("proposer not in validator set")
  return { validators, proposer, total, hash: validatorsHash(validators.map((v) => ({ pubKeyEd25519: v.pubKey, power: v.power }))) }
}
