/**
 * End of block: the new bonded set and its CometBFT updates, then the matured queues.
 *
 * The bonded set is the top `max_validators` validators by potential power (tokens / 10^6, power
 * > 0), power descending then operator bytes ascending. A validator entering it becomes bonded
 * (its tokens move to the bonded pool), one leaving it starts unbonding (tokens back to the
 * not-bonded pool, done at block time + unbonding_time); an update is returned for every
 * validator whose power changed, and power 0 for every one that left.
 *
 * Source: cosmos-sdk x/staking/keeper/val_state_change.go (BlockValidatorUpdates,
 * ApplyAndReturnValidatorSetUpdates, bondValidator, beginUnbondingValidator,
 * completeUnbondingValidator), validator.go (UnbondAllMatureValidators), delegation.go
 * (DequeueAllMatureUBDQueue, DequeueAllMatureRedelegationQueue).
 */
import { BondStatus, DVPairs, DVVTriplets, ValAddresses, type Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import type { ExecContext, ValidatorUpdate } from "../../../chain/Machine.ts"
import { compareBytes } from "../../../lib/Bytes.ts"
import type { Keeper } from "./Keeper.ts"
import { LAST_POWER, POWER_INDEX, RED_QUEUE, UBD_QUEUE, VAL_QUEUE, operatorOfPowerKey, queueEnd, readLp } from "./Keys.ts"
import {
  consensusKey, consensusPower, deleteLastPower, deleteValQueue, getValidator, insertValQueue, potentialPower, setLastPower, setLastTotalPower, setValidator
} from "./State.ts"
import { addTime } from "../../../chain/Time.ts"

/** Bond a validator (bondValidator): status bonded, out of the validator queue. */
const bond = (ctx: ExecContext, operator: Uint8Array, v: Validator): Validator => {
  if (v.status === BondStatus.BOND_STATUS_UNBONDING) deleteValQueue(ctx.store, v.unbondingTime, v.unbondingHeight, v.operatorAddress)
  const next: Validator = { ...v, status: BondStatus.BOND_STATUS_BONDED }
  setValidator(ctx.store, operator, next)
  return next
}

/** Start unbonding a bonded validator (beginUnbondingValidator). */
const beginUnbonding = (k: Keeper, ctx: ExecContext, operator: Uint8Array, v: Validator): Validator => {
  const unbondingTime = addTime(ctx.time, k.params(ctx).unbondingTime)
  const next: Validator = { ...v, status: BondStatus.BOND_STATUS_UNBONDING, unbondingTime, unbondingHeight: BigInt(ctx.height) }
  setValidator(ctx.store, operator, next)
  insertValQueue(ctx.store, unbondingTime, next.unbondingHeight, next.operatorAddress)
  return next
}

/** ApplyAndReturnValidatorSetUpdates: the bonded set after this block's changes, and its updates. */
export const applyValidatorSetUpdates = (k: Keeper, ctx: ExecContext): ValidatorUpdate[] => {
  const max = k.params(ctx).maxValidators
  const last = new Map<string, { operator: Uint8Array; power: bigint }>()
  for (const [key, value] of ctx.store.iterate(Uint8Array.of(LAST_POWER), Uint8Array.of(LAST_POWER + 1))) {
    const operator = readLp(key, 1)[0]
    last.set(k.valText(operator), { operator: Uint8Array.from(operator), power: BigInt(new TextDecoder().decode(value)) })
  }
  const updates: ValidatorUpdate[] = []
  let toBonded = 0n
  let toNotBonded = 0n
  let total = 0n
  let count = 0
  // collect first: the loop writes validators while the index is iterated
  const ranked: Uint8Array[] = []
  for (const [key] of ctx.store.iterate(Uint8Array.of(POWER_INDEX), Uint8Array.of(POWER_INDEX + 1))) {
    if (ranked.length >= max) break
    ranked.push(Uint8Array.from(operatorOfPowerKey(key)))
  }
  for (const operator of ranked) {
    if (count >= max) break
    let v = getValidator(ctx.store, operator)!
    if (potentialPower(v) === 0n) break
    if (v.status !== BondStatus.BOND_STATUS_BONDED) {
      v = bond(ctx, operator, v)
      toBonded += BigInt(v.tokens)
    }
    const power = consensusPower(v)
    const old = last.get(v.operatorAddress)
    if (!old || old.power !== power) {
      updates.push({ pubKeyEd25519: consensusKey(v), power })
      setLastPower(ctx.store, operator, power)
    }
    last.delete(v.operatorAddress)
    count++
    total += power
  }
  // validators no longer bonded, in operator byte order (sortNoLongerBonded)
  const gone = [...last.values()].sort((a, b) => compareBytes(a.operator, b.operator))
  for (const { operator } of gone) {
    const v = beginUnbonding(k, ctx, operator, getValidator(ctx.store, operator)!)
    toNotBonded += BigInt(v.tokens)
    deleteLastPower(ctx.store, operator)
    updates.push({ pubKeyEd25519: consensusKey(v), power: 0n })
  }
  if (toBonded > toNotBonded) k.notBondedToBonded(ctx, toBonded - toNotBonded)
  else if (toBonded < toNotBonded) k.bondedToNotBonded(ctx, toNotBonded - toBonded)
  if (updates.length > 0) setLastTotalPower(ctx.store, total)
  return updates
}

/** Unbonding validators whose time and height have come become unbonded; removed when they hold no shares. */
const unbondMatureValidators = (k: Keeper, ctx: ExecContext): void => {
  const due: Array<readonly [Uint8Array, string[]]> = []
  for (const [key, value] of ctx.store.iterate(Uint8Array.of(VAL_QUEUE), queueEnd(VAL_QUEUE, ctx.time))) {
    // an entry of exactly this block time waits for its height too (SDK UnbondAllMatureValidators)
    const v = new DataView(key.buffer, key.byteOffset, key.byteLength)
    const atNow = v.getBigUint64(1) === ctx.time.seconds && v.getUint32(9) === ctx.time.nanos
    if (atNow && v.getBigUint64(13) > BigInt(ctx.height)) continue
    due.push([Uint8Array.from(key), ValAddresses.decode(value).addresses])
  }
  for (const [key, addresses] of due) {
    for (const a of addresses) {
      const operator = k.val(a, "validator queue entry")
      const v = getValidator(ctx.store, operator)
      if (!v || v.status !== BondStatus.BOND_STATUS_UNBONDING) continue
      const next: Validator = { ...v, status: BondStatus.BOND_STATUS_UNBONDED }
      setValidator(ctx.store, operator, next)
      if (BigInt(next.delegatorShares) === 0n) k.removeValidator(ctx, operator, next)
    }
    ctx.store.delete(key)
  }
}

/** BlockValidatorUpdates: set updates, then mature validators, unbonding delegations and redelegations. */
export const blockValidatorUpdates = (k: Keeper, ctx: ExecContext): ValidatorUpdate[] => {
  const updates = applyValidatorSetUpdates(k, ctx)
  unbondMatureValidators(k, ctx)
  const ubds: Array<readonly [Uint8Array, DVPairs]> = []
  for (const [key, value] of ctx.store.iterate(Uint8Array.of(UBD_QUEUE), queueEnd(UBD_QUEUE, ctx.time))) ubds.push([Uint8Array.from(key), DVPairs.decode(value)])
  for (const [key, { pairs }] of ubds) {
    ctx.store.delete(key)
    for (const p of pairs) k.completeUnbonding(ctx, k.acc(p.delegatorAddress, "queue delegator"), k.val(p.validatorAddress, "queue validator"))
  }
  const reds: Array<readonly [Uint8Array, DVVTriplets]> = []
  for (const [key, value] of ctx.store.iterate(Uint8Array.of(RED_QUEUE), queueEnd(RED_QUEUE, ctx.time))) reds.push([Uint8Array.from(key), DVVTriplets.decode(value)])
  for (const [key, { triplets }] of reds) {
    ctx.store.delete(key)
    for (const t of triplets) {
      k.completeRedelegation(ctx, k.acc(t.delegatorAddress, "queue delegator"), k.val(t.validatorSrcAddress, "queue source"), k.val(t.validatorDstAddress, "queue destination"))
    }
  }
  return updates
}
