/**
 * x/bank genesis in the Cosmos SDK JSON shape:
 * `{params: {send_enabled: [], default_send_enabled: true}, balances: [{address, coins: [{denom,
 * amount}]}], supply: [], denom_metadata: [], send_enabled: []}`.
 *
 * Supply is computed from the balances; a non-empty `supply` must equal it. Each `denom_metadata`
 * entry must pass the SDK's Metadata.Validate (../DenomMetadata.ts), one entry per base. Every address with a
 * balance gets an auth account (deviation: the SDK requires a matching x/auth genesis account;
 * creating it here lets CosmJS sign from genesis-funded addresses without one). Invalid genesis
 * throws InvalidRequest naming the entry.
 *
 * Source: cosmos-sdk x/bank/keeper/genesis.go (InitGenesis, ExportGenesis), x/bank/types/genesis.go
 * (Validate: duplicate balances, supply mismatch "genesis supply is incorrect").
 */
import { Metadata, type Params } from "cosmjs-types/cosmos/bank/v1beta1/bank"
import type { Coin as ProtoCoin } from "cosmjs-types/cosmos/base/v1beta1/coin"
import { InvalidRequest, isChainError } from "../../../chain/ChainError.ts"
import { authClient } from "../../../chain/generated/auth.ts"
import type { ExecContext } from "../../../chain/Machine.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import { formatAddress, parseAddress } from "../../auth/Address.ts"
import type { BankConfig } from "../BankConfig.ts"
import { addCoins, coinsEqual, coinsString, validCoins, type Coin } from "../Coin.ts"
import { metadataProblem, quoted } from "../DenomMetadata.ts"
import {
  BALANCES_PREFIX, denomOf, getParams, iteratePrefix, METADATA_PREFIX, metadataKey, readAmount, setBalance, setParams, setSupply, SUPPLY_PREFIX
} from "./Balances.ts"

type Json = Record<string, unknown>

const fail = (what: string): never => {
  throw new InvalidRequest({ log: `invalid bank genesis: ${what}` })
}

const obj = (v: unknown, what: string): Json => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(`${what} must be an object`)
  return v as Json
}
const arr = (v: unknown, what: string): unknown[] => {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) fail(`${what} must be an array`)
  return v as unknown[]
}
const str = (v: unknown, what: string): string => {
  if (typeof v !== "string") fail(`${what} must be a string`)
  return v as string
}
const field = (o: Json, snake: string, camel: string): unknown => (o[snake] !== undefined ? o[snake] : o[camel])

const coinsOf = (v: unknown, what: string): Coin[] => {
  const list: ProtoCoin[] = arr(v, what).map((c, i) => {
    const o = obj(c, `${what}[${i}]`)
    const amount = o.amount
    return { denom: str(o.denom, `${what}[${i}].denom`), amount: typeof amount === "number" ? String(amount) : str(amount, `${what}[${i}].amount`) }
  })
  try {
    return validCoins(list, true)
  } catch (e) {
    return fail(`${what}: ${isChainError(e) ? e.log : String(e)}`)
  }
}

const parseParams = (v: unknown, topSendEnabled: unknown[]): Params => {
  const o = v === undefined || v === null ? {} : obj(v, "params")
  const dse = field(o, "default_send_enabled", "defaultSendEnabled")
  const parseRule = (r: unknown, i: number) => {
    const e = obj(r, `send_enabled[${i}]`)
    return { denom: str(e.denom, `send_enabled[${i}].denom`), enabled: e.enabled === true }
  }
  return {
    sendEnabled: [...arr(field(o, "send_enabled", "sendEnabled"), "params.send_enabled"), ...topSendEnabled].map(parseRule),
    defaultSendEnabled: dse === undefined ? true : dse === true
  }
}

const parseMetadata = (v: unknown, i: number): Metadata => {
  const o = obj(v, `denom_metadata[${i}]`)
  const units = arr(field(o, "denom_units", "denomUnits"), `denom_metadata[${i}].denom_units`).map((u, j) => {
    const uo = obj(u, `denom_metadata[${i}].denom_units[${j}]`)
    const exp = uo.exponent ?? 0
    if (typeof exp !== "number" || !Number.isInteger(exp) || exp < 0 || exp > 0xffff_ffff) {
      fail(`denom_metadata[${i}].denom_units[${j}].exponent must be an integer from 0 to 4294967295 (uint32)`)
    }
    return {
      denom: str(uo.denom, `denom_metadata[${i}].denom_units[${j}].denom`),
      exponent: exp as number,
      aliases: arr(uo.aliases, `denom_metadata[${i}].denom_units[${j}].aliases`).map((a, k) => str(a, `denom_metadata[${i}].denom_units[${j}].aliases[${k}]`))
    }
  })
  const opt = (k: string, c: string) => {
    const x = field(o, k, c)
    return x === undefined ? "" : str(x, `denom_metadata[${i}].${k}`)
  }
  const m = Metadata.fromPartial({
    description: opt("description", "description"),
    denomUnits: units,
    base: opt("base", "base"),
    display: opt("display", "display"),
    name: opt("name", "name"),
    symbol: opt("symbol", "symbol"),
    uri: opt("uri", "uri"),
    uriHash: opt("uri_hash", "uriHash")
  })
  const problem = metadataProblem(m)
  if (problem !== undefined) fail(`denom_metadata[${i}] (base ${quoted(m.base)}): ${problem}`)
  return m
}

/** Write bank genesis into ctx.store (and create accounts through the auth machine). */
export const importBankGenesis = (ctx: ExecContext, genesis: unknown, config: BankConfig): void => {
  const g = genesis === undefined || genesis === null ? {} : obj(genesis, "bank genesis")
  setParams(ctx.store, parseParams(g.params, arr(field(g, "send_enabled", "sendEnabled"), "send_enabled")))
  const seen = new Set<string>()
  let total: Coin[] = []
  for (const [i, b] of arr(g.balances, "balances").entries()) {
    const bo = obj(b, `balances[${i}]`)
    const address = str(bo.address, `balances[${i}].address`)
    let bytes: Uint8Array
    try {
      bytes = parseAddress(address, config.bech32Prefix)
    } catch (e) {
      return fail(`balances[${i}].address: ${isChainError(e) ? e.log : String(e)}`)
    }
    const canonical = formatAddress(bytes, config.bech32Prefix)
    if (seen.has(canonical)) fail(`duplicate balance for address ${canonical}`)
    seen.add(canonical)
    const coins = coinsOf(bo.coins, `balances[${i}].coins`)
    for (const c of coins) setBalance(ctx.store, bytes, c.denom, c.amount)
    total = addCoins(total, coins)
    authClient((c) => ctx.call(c), config.authMachine).ensureAccount({ address: canonical })
  }
  const given = coinsOf(g.supply, "supply")
  if (given.length > 0 && !coinsEqual(given, total)) {
    fail(`genesis supply is incorrect, expected ${coinsString(total)}, got ${coinsString(given)}`)
  }
  for (const c of total) setSupply(ctx.store, c.denom, c.amount)
  // every entry is checked before any is stored (SDK GenesisState.Validate runs before InitGenesis)
  const bases = new Set<string>()
  const metadata = arr(field(g, "denom_metadata", "denomMetadata"), "denom_metadata").map((m, i) => {
    const md = parseMetadata(m, i)
    if (bases.has(md.base)) fail(`denom_metadata[${i}]: duplicate client metadata for denom ${md.base}`)
    bases.add(md.base)
    return md
  })
  for (const md of metadata) ctx.store.set(metadataKey(md.base), Metadata.encode(md).finish())
}

/** Export the bank namespace as SDK genesis JSON (inverse of importBankGenesis). */
export const exportBankGenesis = (store: KVStore, config: BankConfig): unknown => {
  const params = getParams(store)
  const balances: Array<{ address: string; coins: Array<{ denom: string; amount: string }> }> = []
  let last: string | undefined
  for (const [k, v] of iteratePrefix(store, Uint8Array.of(BALANCES_PREFIX))) {
    const len = k[1]!
    const address = formatAddress(k.subarray(2, 2 + len), config.bech32Prefix)
    const coin = { denom: new TextDecoder().decode(k.subarray(2 + len)), amount: readAmount(v).toString() }
    if (address !== last) {
      balances.push({ address, coins: [] })
      last = address
    }
    balances[balances.length - 1]!.coins.push(coin)
  }
  const supply = [...iteratePrefix(store, Uint8Array.of(SUPPLY_PREFIX))].map(([k, v]) => ({ denom: denomOf(k), amount: readAmount(v).toString() }))
  const denomMetadata = [...iteratePrefix(store, Uint8Array.of(METADATA_PREFIX))].map(([, v]) => {
    const m = Metadata.decode(v)
    return {
      description: m.description,
      denom_units: m.denomUnits.map((u) => ({ denom: u.denom, exponent: u.exponent, aliases: u.aliases })),
      base: m.base, display: m.display, name: m.name, symbol: m.symbol, uri: m.uri, uri_hash: m.uriHash
    }
  })
  return {
    params: { send_enabled: params.sendEnabled.map((s) => ({ denom: s.denom, enabled: s.enabled })), default_send_enabled: params.defaultSendEnabled },
    balances,
    supply,
    denom_metadata: denomMetadata,
    send_enabled: []
  }
}
