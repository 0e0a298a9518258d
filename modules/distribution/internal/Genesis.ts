/**
 * Distribution genesis in the SDK's JSON shape (cosmos.distribution.v1beta1.GenesisState, proto
 * JSON field names; Dec values as decimal text "0.020000000000000000", u64 as strings), and its
 * export, the exact inverse over the namespace. Slash events are always empty (no slashing).
 *
 * Source: cosmos-sdk x/distribution/keeper/genesis.go (InitGenesis, ExportGenesis),
 * x/distribution/types/genesis.go (DefaultGenesisState).
 */
import { InvalidRequest } from "../../../chain/ChainError.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import { formatAddress, parseAddress } from "../../auth/Address.ts"
import { decCoinsAdd, type DecCoin } from "./Dec.ts"
import { formatDec, ONE, parseDec } from "../../../chain/LegacyDec.ts"
import {
  addrKey, COMMISSION_PREFIX, CURRENT_PREFIX, getCommission, getCommunityPool, getCurrent, getHistorical, getOutstanding, getParams, getStartingInfo,
  HISTORICAL_PREFIX, OUTSTANDING_PREFIX, setCommission, setCommunityPool, setCurrent, setHistorical, setOutstanding, setParams, setStartingInfo,
  setWithdrawAddr, STARTING_INFO_PREFIX, WITHDRAW_ADDR_PREFIX, prefixEnd, type DistrParams
} from "./State.ts"

type Json = Record<string, unknown>
/** JSON DecCoin: denom and decimal text. */
interface JsonDecCoin { denom: string; amount: string }

const obj = (v: unknown, what: string): Json => {
  if (v === undefined || v === null) return {}
  if (typeof v !== "object" || Array.isArray(v)) throw new InvalidRequest({ log: `genesis distribution.${what}: expected an object` })
  return v as Json
}
const list = (v: unknown, what: string): unknown[] => {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw new InvalidRequest({ log: `genesis distribution.${what}: expected a list` })
  return v
}
const str = (v: unknown, what: string): string => {
  if (typeof v !== "string") throw new InvalidRequest({ log: `genesis distribution.${what}: expected a string` })
  return v
}
const u64 = (v: unknown, what: string): bigint => {
  const t = typeof v === "number" ? String(v) : v
  if (typeof t !== "string" || !/^[0-9]{1,20}$/.test(t) || BigInt(t) >= 1n << 64n) throw new InvalidRequest({ log: `genesis distribution.${what}: expected an unsigned 64-bit integer` })
  return BigInt(t)
}
const decCoins = (v: unknown, what: string): DecCoin[] =>
  decCoinsAdd([], list(v, what).map((c, i) => {
    const o = obj(c, `${what}[${i}]`)
    const denom = str(o.denom, `${what}[${i}].denom`)
    if (!/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(denom)) throw new InvalidRequest({ log: `genesis distribution.${what}[${i}].denom: invalid denom "${denom.slice(0, 80)}"` })
    return { denom, atto: parseDec(str(o.amount, `${what}[${i}].amount`), `genesis distribution.${what}[${i}].amount`) }
  }))
const jsonCoins = (coins: ReadonlyArray<DecCoin>): JsonDecCoin[] => coins.map((c) => ({ denom: c.denom, amount: formatDec(c.atto) }))

/** Address prefixes of this chain: accounts and validator operators. */
export interface Prefixes {
  readonly account: string
  readonly valoper: string
}

/** Write the genesis section into an empty namespace. Throws InvalidRequest naming the bad entry. */
export const importGenesis = (store: KVStore, genesis: unknown, px: Prefixes): void => {
  const g = obj(genesis, "")
  const p = obj(g.params, "params")
  const params: DistrParams = {
    communityTax: p.community_tax === undefined ? 20_000_000_000_000_000n : parseDec(str(p.community_tax, "params.community_tax"), "genesis distribution.params.community_tax"),
    withdrawAddrEnabled: p.withdraw_addr_enabled === undefined ? true : p.withdraw_addr_enabled === true
  }
  if (params.communityTax > ONE) throw new InvalidRequest({ log: "genesis distribution.params.community_tax: community tax too large (above 1)" })
  setParams(store, params)
  setCommunityPool(store, decCoins(obj(g.fee_pool, "fee_pool").community_pool, "fee_pool.community_pool"))
  const acc = (v: unknown, what: string) => parseAddress(str(v, what), px.account, `genesis distribution.${what}`)
  const val = (v: unknown, what: string) => parseAddress(str(v, what), px.valoper, `genesis distribution.${what}`)
  list(g.delegator_withdraw_infos, "delegator_withdraw_infos").forEach((e, i) => {
    const o = obj(e, `delegator_withdraw_infos[${i}]`)
    setWithdrawAddr(store, acc(o.delegator_address, `delegator_withdraw_infos[${i}].delegator_address`), acc(o.withdraw_address, `delegator_withdraw_infos[${i}].withdraw_address`))
  })
  list(g.outstanding_rewards, "outstanding_rewards").forEach((e, i) => {
    const o = obj(e, `outstanding_rewards[${i}]`)
    setOutstanding(store, val(o.validator_address, `outstanding_rewards[${i}].validator_address`), decCoins(o.outstanding_rewards, `outstanding_rewards[${i}].outstanding_rewards`))
  })
  list(g.validator_accumulated_commissions, "validator_accumulated_commissions").forEach((e, i) => {
    const w = `validator_accumulated_commissions[${i}]`
    const o = obj(e, w)
    setCommission(store, val(o.validator_address, `${w}.validator_address`), decCoins(obj(o.accumulated, `${w}.accumulated`).commission, `${w}.accumulated.commission`))
  })
  list(g.validator_historical_rewards, "validator_historical_rewards").forEach((e, i) => {
    const w = `validator_historical_rewards[${i}]`
    const o = obj(e, w)
    const r = obj(o.rewards, `${w}.rewards`)
    const count = u64(r.reference_count ?? 0, `${w}.rewards.reference_count`)
    if (count > 2n) throw new InvalidRequest({ log: `genesis distribution.${w}.rewards.reference_count: at most 2` })
    setHistorical(store, val(o.validator_address, `${w}.validator_address`), u64(o.period, `${w}.period`), {
      ratio: decCoins(r.cumulative_reward_ratio, `${w}.rewards.cumulative_reward_ratio`), referenceCount: Number(count)
    })
  })
  list(g.validator_current_rewards, "validator_current_rewards").forEach((e, i) => {
    const w = `validator_current_rewards[${i}]`
    const o = obj(e, w)
    const r = obj(o.rewards, `${w}.rewards`)
    setCurrent(store, val(o.validator_address, `${w}.validator_address`), { rewards: decCoins(r.rewards, `${w}.rewards.rewards`), period: u64(r.period, `${w}.rewards.period`) })
  })
  list(g.delegator_starting_infos, "delegator_starting_infos").forEach((e, i) => {
    const w = `delegator_starting_infos[${i}]`
    const o = obj(e, w)
    const s = obj(o.starting_info, `${w}.starting_info`)
    setStartingInfo(store, val(o.validator_address, `${w}.validator_address`), acc(o.delegator_address, `${w}.delegator_address`), {
      previousPeriod: u64(s.previous_period, `${w}.starting_info.previous_period`),
      stake: parseDec(str(s.stake, `${w}.starting_info.stake`), `genesis distribution.${w}.starting_info.stake`),
      height: u64(s.height, `${w}.starting_info.height`)
    })
  })
  if (list(g.validator_slash_events, "validator_slash_events").length > 0) {
    throw new InvalidRequest({ log: "genesis distribution.validator_slash_events: slashing is not supported, expected none" })
  }
}

/** Entries under one prefix byte: (address after the length byte, rest of the key, value). */
const scan = (store: KVStore, prefix: number): Array<{ addr: Uint8Array; rest: Uint8Array }> => {
  const p = Uint8Array.of(prefix)
  const out: Array<{ addr: Uint8Array; rest: Uint8Array }> = []
  for (const [k] of store.iterate(p, prefixEnd(p))) {
    const len = k[1]!
    out.push({ addr: k.subarray(2, 2 + len), rest: k.subarray(2 + len) })
  }
  return out
}

/** Export the namespace as the genesis section (key order). */
export const exportGenesis = (store: KVStore, px: Prefixes): unknown => {
  const params = getParams(store)
  const acc = (b: Uint8Array) => formatAddress(b, px.account)
  const val = (b: Uint8Array) => formatAddress(b, px.valoper)
  return {
    params: {
      community_tax: formatDec(params.communityTax), base_proposer_reward: formatDec(0n), bonus_proposer_reward: formatDec(0n),
      withdraw_addr_enabled: params.withdrawAddrEnabled
    },
    fee_pool: { community_pool: jsonCoins(getCommunityPool(store)) },
    delegator_withdraw_infos: scan(store, WITHDRAW_ADDR_PREFIX).map(({ addr }) => ({
      delegator_address: acc(addr), withdraw_address: acc(store.get(addrKey(WITHDRAW_ADDR_PREFIX, addr))!)
    })),
    previous_proposer: "",
    outstanding_rewards: scan(store, OUTSTANDING_PREFIX).map(({ addr }) => ({ validator_address: val(addr), outstanding_rewards: jsonCoins(getOutstanding(store, addr)!) })),
    validator_accumulated_commissions: scan(store, COMMISSION_PREFIX).map(({ addr }) => ({
      validator_address: val(addr), accumulated: { commission: jsonCoins(getCommission(store, addr)!) }
    })),
    validator_historical_rewards: scan(store, HISTORICAL_PREFIX).map(({ addr, rest }) => {
      const period = new DataView(rest.buffer, rest.byteOffset, 8).getBigUint64(0)
      const h = getHistorical(store, addr, period)!
      return { validator_address: val(addr), period: period.toString(), rewards: { cumulative_reward_ratio: jsonCoins(h.ratio), reference_count: h.referenceCount } }
    }),
    validator_current_rewards: scan(store, CURRENT_PREFIX).map(({ addr }) => {
      const c = getCurrent(store, addr)!
      return { validator_address: val(addr), rewards: { rewards: jsonCoins(c.rewards), period: c.period.toString() } }
    }),
    delegator_starting_infos: scan(store, STARTING_INFO_PREFIX).map(({ addr, rest }) => {
      const del = rest.subarray(1, 1 + rest[0]!)
      const s = getStartingInfo(store, addr, del)!
      return {
        delegator_address: acc(del), validator_address: val(addr),
        starting_info: { previous_period: s.previousPeriod.toString(), stake: formatDec(s.stake), height: s.height.toString() }
      }
    }),
    validator_slash_events: []
  }
}
