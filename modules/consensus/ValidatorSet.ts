/**
 * Validator sets as CometBFT orders them, ABCI validator updates applied to them, and the
 * CommitInfo a block's last commit gives the application. Shared by the block producer and
 * full-node sync, which must agree on every set to agree on every app hash.
 *
 * Source: cometbft v0.38 types/validator_set.go (ValidatorsByVotingPower, UpdateWithChangeSet),
 * state/execution.go (buildLastCommitInfo).
 */
import type { CommitInfo, ValidatorUpdate } from "cosmjs-types/tendermint/abci/types"
import type { Commit } from "cosmjs-types/tendermint/types/types"
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator"
import { compareBytes, toHex } from "../../lib/Bytes.ts"
import { consensusAddress } from "./CometHashing.ts"

/** One validator: consensus address (20 bytes), ed25519 public key, voting power. */
export interface Val { readonly address: Uint8Array; readonly pubKeyEd25519: Uint8Array; readonly power: bigint }

/** Power descending, then address ascending. */
export const sortVals = (vs: Val[]): Val[] =>
  vs.sort((x, y) => (x.power === y.power ? compareBytes(x.address, y.address) : x.power > y.power ? -1 : 1))

/** A validator from its key and power. */
export const toVal = (pubKeyEd25519: Uint8Array, power: bigint): Val => ({ address: consensusAddress(pubKeyEd25519), pubKeyEd25519, power })

/** The set named by validator updates (InitChain's answer). Throws on a non-ed25519 key. */
export const fromUpdates = (us: ReadonlyArray<ValidatorUpdate>): Val[] =>
  sortVals(us.map((u) => {
    if (u.pubKey.ed25519 === undefined) throw new Error("only ed25519 validator keys are supported")
    return toVal(u.pubKey.ed25519, u.power)
  }))

/** Applies ABCI validator updates (power 0 removes) to a set. */
export const applyUpdates = (set: ReadonlyArray<Val>, us: ReadonlyArray<ValidatorUpdate>): Val[] => {
  if (us.length === 0) return [...set]
  const m = new Map(set.map((v) => [toHex(v.address), v]))
  for (const v of fromUpdates(us)) {
    if (v.power === 0n) m.delete(toHex(v.address))
    else m.set(toHex(v.address), v)
  }
  return sortVals([...m.values()])
}

/**
 * The ABCI CommitInfo of `commit` against the set that signed it (`lastValidators`, in set order):
 * each validator's address and power with its signature's block id flag (absent past the end).
 */
export const commitInfo = (lastValidators: ReadonlyArray<Val>, commit: Commit): CommitInfo => ({
  round: commit.round,
  votes: lastValidators.map((v, i) => ({
    validator: { address: v.address, power: v.power },
    blockIdFlag: commit.signatures[i]?.blockIdFlag ?? BlockIDFlag.BLOCK_ID_FLAG_ABSENT
  }))
})
