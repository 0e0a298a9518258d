/**
 * Staking genesis: the SDK's x/staking GenesisState in its JSON form (snake_case fields, Dec as
 * "0.100000000000000000", Int and 64-bit integers as strings, times RFC 3339, durations "1814400s",
 * consensus keys `{"@type": "/cosmos.crypto.ed25519.PubKey", "key": base64}`).
 *
 * Import writes every record and its indexes and checks the pools against bank balances (the SDK
 * panics on a mismatch; here a typed InvalidRequest). With `exported: true` the validator set is
 * `last_validator_powers`; otherwise it is computed (ApplyAndReturnValidatorSetUpdates) and the
 * distribution hooks run for every validator and delegation.
 *
 * Source: cosmos-sdk x/staking/keeper/genesis.go (InitGenesis, ExportGenesis), types/genesis.go.
 */
import { fromBase64, toBase64 } from "@cosmjs/encoding"
import { bankClient } from "../../../chain/generated/bank.ts"
import { BondStatus, bondStatusFromJSON, bondStatusToJSON, type Params, type Validator } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import { Delegation, Redelegation, UnbondingDelegation, Validator as ValidatorCodec } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import { InvalidRequest } from "../../../chain/ChainError.ts"
import type { ExecContext, QueryContext, ValidatorUpdate } from "../../../chain/Machine.ts"
import { decString, parseDecString } from "../Dec.ts"
import type { Keeper } from "./Keeper.ts"
import { DELEGATION, LAST_POWER, RED, UBD, VALIDATOR, readLp } from "./Keys.ts"
import { ed25519FromAny, ED25519_PUBKEY_URL } from "./PubKey.ts"
import {
  consensusAny, consensusKey, getLastTotalPower, insertRedQueue, insertUbdQueue, insertValQueue, setDelegation, setLastPower, setLastTotalPower,
  setParams, setPowerIndex, setRed, setUbd, setValidator, setValidatorByCons, validatorByConsKey, getValidator, getParams, defaultParams
} from "./State.ts"
import { formatDuration, formatTimestamp, parseDuration, parseTimestamp } from "../../../chain/Time.ts"
import { applyValidatorSetUpdates } from "./ValidatorSet.ts"

type Json = Record<string, unknown>

const bad = (where: string, what: string): never => {
  throw new InvalidRequest({ log: `staking genesis ${where}: ${what}` })
}
const obj = (v: unknown, where: string): Json => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : bad(where, "expected an object"))
const arr = (v: unknown, where: string): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : bad(where, "expected an array"))
const str = (v: unknown, where: string, fallback?: string): string =>
  typeof v === "string" ? v : v === undefined && fallback !== undefined ? fallback : bad(where, "expected a string")
const uint = (v: unknown, where: string, fallback = "0"): bigint => {
  const s = v === undefined ? fallback : typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v
  if (typeof s !== "string" || !/^[0-9]{1,78}$/.test(s)) return bad(where, "expected an unsigned integer")
  return BigInt(s)
}
const dec = (v: unknown, where: string): bigint => parseDecString(str(v, where, "0"), where)

/** Params JSON -> Params. */
export const paramsFromJson = (v: unknown, bondDenom: string): Params => {
  const d = defaultParams(bondDenom)
  if (v === undefined) return d
  const p = obj(v, "params")
  return {
    unbondingTime: p.unbonding_time === undefined ? d.unbondingTime : parseDuration(str(p.unbonding_time, "params.unbonding_time"), "params.unbonding_time"),
    maxValidators: Number(uint(p.max_validators, "params.max_validators", String(d.maxValidators))),
    maxEntries: Number(uint(p.max_entries, "params.max_entries", String(d.maxEntries))),
    historicalEntries: Number(uint(p.historical_entries, "params.historical_entries", String(d.historicalEntries))),
    bondDenom: str(p.bond_denom, "params.bond_denom", d.bondDenom),
    minCommissionRate: dec(p.min_commission_rate, "params.min_commission_rate").toString()
  }
}

/** Params -> JSON. */
export const paramsToJson = (p: Params): Json => ({
  unbonding_time: formatDuration(p.unbondingTime),
  max_validators: p.maxValidators,
  max_entries: p.maxEntries,
  historical_entries: p.historicalEntries,
  bond_denom: p.bondDenom,
  min_commission_rate: decString(BigInt(p.minCommissionRate))
})

const timeOf = (v: unknown, where: string) => parseTimestamp(str(v, where, "1970-01-01T00:00:00Z"), where)

const validatorFromJson = (v: unknown, i: number): Validator => {
  const w = `validators[${i}]`
  const o = obj(v, w)
  const pk = obj(o.consensus_pubkey, `${w}.consensus_pubkey`)
  if (pk["@type"] !== ED25519_PUBKEY_URL) bad(w, `consensus_pubkey @type must be ${ED25519_PUBKEY_URL}`)
  let key: Uint8Array
  try {
    key = fromBase64(str(pk.key, `${w}.consensus_pubkey.key`))
  } catch {
    return bad(w, "consensus_pubkey.key is not base64")
  }
  ed25519FromAny(consensusAny(key))
  const status = bondStatusFromJSON(o.status ?? "BOND_STATUS_UNBONDED")
  if (status === BondStatus.UNRECOGNIZED || status === BondStatus.BOND_STATUS_UNSPECIFIED) bad(w, `unknown status ${String(o.status)}`)
  const desc = o.description === undefined ? {} : obj(o.description, `${w}.description`)
  const comm = o.commission === undefined ? {} : obj(o.commission, `${w}.commission`)
  const rates = comm.commission_rates === undefined ? {} : obj(comm.commission_rates, `${w}.commission.commission_rates`)
  if (o.jailed === true) bad(w, "jailed validators are not supported (no slashing module)")
  return {
    operatorAddress: str(o.operator_address, `${w}.operator_address`),
    consensusPubkey: consensusAny(key),
    jailed: false,
    status,
    tokens: uint(o.tokens, `${w}.tokens`).toString(),
    delegatorShares: dec(o.delegator_shares, `${w}.delegator_shares`).toString(),
    description: {
      moniker: str(desc.moniker, `${w}.description.moniker`, ""),
      identity: str(desc.identity, `${w}.description.identity`, ""),
      website: str(desc.website, `${w}.description.website`, ""),
      securityContact: str(desc.security_contact, `${w}.description.security_contact`, ""),
      details: str(desc.details, `${w}.description.details`, "")
    },
    unbondingHeight: uint(o.unbonding_height, `${w}.unbonding_height`),
    unbondingTime: timeOf(o.unbonding_time, `${w}.unbonding_time`),
    commission: {
      commissionRates: {
        rate: dec(rates.rate, `${w}.commission.commission_rates.rate`).toString(),
        maxRate: dec(rates.max_rate, `${w}.commission.commission_rates.max_rate`).toString(),
        maxChangeRate: dec(rates.max_change_rate, `${w}.commission.commission_rates.max_change_rate`).toString()
      },
      updateTime: timeOf(comm.update_time, `${w}.commission.update_time`)
    },
    minSelfDelegation: uint(o.min_self_delegation, `${w}.min_self_delegation`, "1").toString(),
    unbondingOnHoldRefCount: 0n,
    unbondingIds: []
  }
}

/** A validator as the SDK's JSON (proto JSON names, LegacyDec text, RFC 3339 times): genesis and gRPC-as-JSON answers. */
export const validatorToJson = (v: Validator): Json => ({
  operator_address: v.operatorAddress,
  consensus_pubkey: { "@type": ED25519_PUBKEY_URL, key: toBase64(consensusKey(v)) },
  jailed: v.jailed,
  status: bondStatusToJSON(v.status),
  tokens: v.tokens,
  delegator_shares: decString(BigInt(v.delegatorShares)),
  description: {
    moniker: v.description.moniker, identity: v.description.identity, website: v.description.website,
    security_contact: v.description.securityContact, details: v.description.details
  },
  unbonding_height: v.unbondingHeight.toString(),
  unbonding_time: formatTimestamp(v.unbondingTime),
  commission: {
    commission_rates: {
      rate: decString(BigInt(v.commission.commissionRates.rate)),
      max_rate: decString(BigInt(v.commission.commissionRates.maxRate)),
      max_change_rate: decString(BigInt(v.commission.commissionRates.maxChangeRate))
    },
    update_time: formatTimestamp(v.commission.updateTime)
  },
  min_self_delegation: v.minSelfDelegation,
  unbonding_on_hold_ref_count: "0",
  unbonding_ids: []
})

/** Import the genesis section; returns the validator set for InitChain. */
export const importStakingGenesis = (k: Keeper, ctx: ExecContext, section: unknown): ValidatorUpdate[] => {
  const g = section === undefined || section === null ? {} : obj(section, "section")
  const params = paramsFromJson(g.params, k.config.bondDenom)
  if (params.maxValidators === 0 || params.maxEntries === 0) bad("params", "max_validators and max_entries must be positive")
  if (params.unbondingTime.seconds === 0n && params.unbondingTime.nanos === 0) bad("params", "unbonding_time must be positive")
  setParams(ctx.store, params)
  const exported = g.exported === true
  let bonded = 0n
  let notBonded = 0n
  const validators = arr(g.validators, "validators").map(validatorFromJson)
  validators.forEach((v, i) => {
    const operator = k.val(v.operatorAddress, `staking genesis validators[${i}].operator_address`)
    if (getValidator(ctx.store, operator)) bad(`validators[${i}]`, `duplicate validator ${v.operatorAddress}`)
    if (validatorByConsKey(ctx.store, consensusKey(v))) bad(`validators[${i}]`, "duplicate consensus key")
    setValidator(ctx.store, operator, v)
    setValidatorByCons(ctx.store, consensusKey(v), operator)
    setPowerIndex(ctx.store, operator, v)
    if (v.status === BondStatus.BOND_STATUS_UNBONDING) insertValQueue(ctx.store, v.unbondingTime, v.unbondingHeight, v.operatorAddress)
    if (v.status === BondStatus.BOND_STATUS_BONDED) bonded += BigInt(v.tokens)
    else notBonded += BigInt(v.tokens)
    if (!exported) k.hooks.validatorCreated(ctx, v.operatorAddress)
  })
  arr(g.delegations, "delegations").forEach((d, i) => {
    const w = `delegations[${i}]`
    const o = obj(d, w)
    const del = k.acc(str(o.delegator_address, `${w}.delegator_address`), `staking genesis ${w}.delegator_address`)
    const val = k.val(str(o.validator_address, `${w}.validator_address`), `staking genesis ${w}.validator_address`)
    if (!getValidator(ctx.store, val)) bad(w, "validator not in genesis")
    const rec = { delegatorAddress: k.accText(del), validatorAddress: k.valText(val), shares: dec(o.shares, `${w}.shares`).toString() }
    if (!exported) k.hooks.beforeDelegationModified(ctx, rec.delegatorAddress, rec.validatorAddress)
    setDelegation(ctx.store, del, val, rec)
    if (!exported) k.hooks.delegationModified(ctx, rec.delegatorAddress, rec.validatorAddress)
  })
  arr(g.unbonding_delegations, "unbonding_delegations").forEach((u, i) => {
    const w = `unbonding_delegations[${i}]`
    const o = obj(u, w)
    const del = k.acc(str(o.delegator_address, `${w}.delegator_address`), `staking genesis ${w}.delegator_address`)
    const val = k.val(str(o.validator_address, `${w}.validator_address`), `staking genesis ${w}.validator_address`)
    const entries = arr(o.entries, `${w}.entries`).map((e, j) => {
      const x = obj(e, `${w}.entries[${j}]`)
      const balance = uint(x.balance, `${w}.entries[${j}].balance`)
      notBonded += balance
      return {
        creationHeight: uint(x.creation_height, `${w}.entries[${j}].creation_height`), completionTime: timeOf(x.completion_time, `${w}.entries[${j}].completion_time`),
        initialBalance: uint(x.initial_balance, `${w}.entries[${j}].initial_balance`).toString(), balance: balance.toString(), unbondingId: 0n, unbondingOnHoldRefCount: 0n
      }
    })
    const rec = { delegatorAddress: k.accText(del), validatorAddress: k.valText(val), entries }
    setUbd(ctx.store, del, val, rec)
    for (const e of entries) insertUbdQueue(ctx.store, e.completionTime, rec.delegatorAddress, rec.validatorAddress)
  })
  arr(g.redelegations, "redelegations").forEach((r, i) => {
    const w = `redelegations[${i}]`
    const o = obj(r, w)
    const del = k.acc(str(o.delegator_address, `${w}.delegator_address`), `staking genesis ${w}.delegator_address`)
    const src = k.val(str(o.validator_src_address, `${w}.validator_src_address`), `staking genesis ${w}.validator_src_address`)
    const dst = k.val(str(o.validator_dst_address, `${w}.validator_dst_address`), `staking genesis ${w}.validator_dst_address`)
    const entries = arr(o.entries, `${w}.entries`).map((e, j) => {
      const x = obj(e, `${w}.entries[${j}]`)
      return {
        creationHeight: uint(x.creation_height, `${w}.entries[${j}].creation_height`), completionTime: timeOf(x.completion_time, `${w}.entries[${j}].completion_time`),
        initialBalance: uint(x.initial_balance, `${w}.entries[${j}].initial_balance`).toString(), sharesDst: dec(x.shares_dst, `${w}.entries[${j}].shares_dst`).toString(),
        unbondingId: 0n, unbondingOnHoldRefCount: 0n
      }
    })
    const rec = { delegatorAddress: k.accText(del), validatorSrcAddress: k.valText(src), validatorDstAddress: k.valText(dst), entries }
    setRed(ctx.store, del, src, dst, rec)
    for (const e of entries) insertRedQueue(ctx.store, e.completionTime, rec.delegatorAddress, rec.validatorSrcAddress, rec.validatorDstAddress)
  })
  const bank = bankClient((c) => ctx.query(c), k.config.bankMachine)
  const pool = (address: string) => BigInt(bank.balance({ address, denom: params.bondDenom }).balance?.amount || "0")
  const bondedBalance = pool(k.bondedPool)
  const notBondedBalance = pool(k.notBondedPool)
  if (bondedBalance !== bonded) bad("pools", `bonded pool ${k.bondedPool} holds ${bondedBalance}${params.bondDenom}, bonded validators have ${bonded}`)
  if (notBondedBalance !== notBonded) bad("pools", `not bonded pool ${k.notBondedPool} holds ${notBondedBalance}${params.bondDenom}, not bonded validators and unbonding entries have ${notBonded}`)
  if (!exported) return applyValidatorSetUpdates(k, ctx)
  setLastTotalPower(ctx.store, uint(g.last_total_power, "last_total_power"))
  return arr(g.last_validator_powers, "last_validator_powers").map((p, i) => {
    const o = obj(p, `last_validator_powers[${i}]`)
    const operator = k.val(str(o.address, `last_validator_powers[${i}].address`), `staking genesis last_validator_powers[${i}].address`)
    const v = getValidator(ctx.store, operator) ?? bad(`last_validator_powers[${i}]`, "validator not in genesis")
    const power = uint(o.power, `last_validator_powers[${i}].power`)
    setLastPower(ctx.store, operator, power)
    return { pubKeyEd25519: consensusKey(v), power }
  })
}

/** Export the namespace (exported: true; the inverse of import). */
export const exportStakingGenesis = (k: Keeper, ctx: QueryContext): Json => {
  const s = ctx.store
  const all = <T>(prefix: number, f: (key: Uint8Array, value: Uint8Array) => T): T[] => [...s.iterate(Uint8Array.of(prefix), Uint8Array.of(prefix + 1))].map(([key, v]) => f(key, v))
  return {
    params: paramsToJson(getParams(s, k.config.bondDenom)),
    last_total_power: getLastTotalPower(s).toString(),
    last_validator_powers: all(LAST_POWER, (key, v) => ({ address: k.valText(readLp(key, 1)[0]), power: new TextDecoder().decode(v) })),
    validators: all(VALIDATOR, (_, v) => validatorToJson(ValidatorCodec.decode(v))),
    delegations: all(DELEGATION, (_, v) => {
      const d = Delegation.decode(v)
      return { delegator_address: d.delegatorAddress, validator_address: d.validatorAddress, shares: decString(BigInt(d.shares)) }
    }),
    unbonding_delegations: all(UBD, (_, v) => {
      const u = UnbondingDelegation.decode(v)
      return {
        delegator_address: u.delegatorAddress, validator_address: u.validatorAddress,
        entries: u.entries.map((e) => ({
          creation_height: e.creationHeight.toString(), completion_time: formatTimestamp(e.completionTime), initial_balance: e.initialBalance, balance: e.balance,
          unbonding_id: "0", unbonding_on_hold_ref_count: "0"
        }))
      }
    }),
    redelegations: all(RED, (_, v) => {
      const r = Redelegation.decode(v)
      return {
        delegator_address: r.delegatorAddress, validator_src_address: r.validatorSrcAddress, validator_dst_address: r.validatorDstAddress,
        entries: r.entries.map((e) => ({
          creation_height: e.creationHeight.toString(), completion_time: formatTimestamp(e.completionTime), initial_balance: e.initialBalance,
          shares_dst: decString(BigInt(e.sharesDst)), unbonding_id: "0", unbonding_on_hold_ref_count: "0"
        }))
      }
    }),
    exported: true
  }
}
