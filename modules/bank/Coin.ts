/**
 * Coins as the Cosmos SDK validates and prints them: denom + arbitrary-precision non-negative
 * integer amount (bigint, never floats), and decimal coins (gas prices) in 18-decimal fixed point.
 *
 * Source: cosmos-sdk types/coin.go (ValidateDenom regex, Coins.Validate: sorted, no duplicates,
 * positive; Coins.String "100stake,5uatom"), types/dec_coin.go (DecCoins, ParseDecCoins),
 * math/int.go (MaxBitLen 256).
 */
import type { Coin as ProtoCoin } from "cosmjs-types/cosmos/base/v1beta1/coin"
import { InvalidCoins } from "../../chain/ChainError.ts"

/** A coin with a bigint amount. */
export interface Coin {
  readonly denom: string
  readonly amount: bigint
}

/** SDK default denom regex: a letter then 2..127 of [a-zA-Z0-9/:._-]. */
const DENOM_RE = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/
const AMOUNT_RE = /^[0-9]+$/
/** math.Int bound: amounts above 2^256 - 1 overflow. */
export const MAX_AMOUNT = (1n << 256n) - 1n

/** True when `denom` matches the SDK denom regex. */
export const isValidDenom = (denom: string): boolean => DENOM_RE.test(denom)

/** Parse a decimal integer amount string; throws InvalidCoins naming the field. */
export const parseAmount = (amount: string, what: string): bigint => {
  if (!AMOUNT_RE.test(amount)) throw new InvalidCoins({ log: `invalid ${what} amount "${amount}": not a non-negative integer: invalid coins` })
  const v = BigInt(amount)
  if (v > MAX_AMOUNT) throw new InvalidCoins({ log: `invalid ${what} amount "${amount}": exceeds 256 bits: invalid coins` })
  return v
}

/** "100stake,5uatom" (SDK Coins.String); "" for no coins. */
export const coinsString = (coins: ReadonlyArray<Coin>): string => coins.map((c) => `${c.amount}${c.denom}`).join(",")

/** Print protobuf coins as given (SDK prints what it received in error logs). */
export const protoCoinsString = (coins: ReadonlyArray<ProtoCoin>): string => coins.map((c) => `${c.amount}${c.denom}`).join(",")

/**
 * Convert protobuf coins to bigint coins and validate as SDK `Coins.Validate` + `IsAllPositive`:
 * valid denoms, amounts positive, sorted by denom, no duplicates. With `allowEmpty` an empty list
 * is valid (fees); otherwise empty is invalid (send amounts). Throws InvalidCoins with the SDK text
 * (the coins string, then the reason).
 */
export const validCoins = (coins: ReadonlyArray<ProtoCoin>, allowEmpty: boolean): Coin[] => {
  // printed only for an error: the valid path (every tx's fee and amount) builds no string
  const fail = (reason: string): never => {
    throw new InvalidCoins({ log: `${reason}${protoCoinsString(coins)}: invalid coins` })
  }
  if (coins.length === 0) {
    if (allowEmpty) return []
    return fail("")
  }
  const out: Coin[] = []
  let prev = ""
  for (const c of coins) {
    if (!isValidDenom(c.denom)) fail(`invalid denom: ${c.denom}: `)
    const amount = parseAmount(c.amount, c.denom)
    if (amount === 0n) fail(`coin ${c.amount}${c.denom} amount is not positive: `)
    if (out.length > 0) {
      if (c.denom === prev) fail(`duplicate denomination ${c.denom}: `)
      if (c.denom < prev) fail(`denomination ${c.denom} is not sorted: `)
    }
    prev = c.denom
    out.push({ denom: c.denom, amount })
  }
  return out
}

/** bigint coins back to protobuf coins. */
export const toProtoCoins = (coins: ReadonlyArray<Coin>): ProtoCoin[] => coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }))

/** Sum coin lists into a sorted list without zero entries. */
export const addCoins = (a: ReadonlyArray<Coin>, b: ReadonlyArray<Coin>): Coin[] => {
  const sums = new Map<string, bigint>()
  for (const c of [...a, ...b]) sums.set(c.denom, (sums.get(c.denom) ?? 0n) + c.amount)
  return [...sums.entries()]
    .filter(([, v]) => v !== 0n)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([denom, amount]) => ({ denom, amount }))
}

/** True when both sorted lists hold the same coins. */
export const coinsEqual = (a: ReadonlyArray<Coin>, b: ReadonlyArray<Coin>): boolean =>
  a.length === b.length && a.every((c, i) => c.denom === b[i]!.denom && c.amount === b[i]!.amount)

/** Decimal coin: amount in units of 10^-18 (SDK LegacyDec precision). */
export interface DecCoin {
  readonly denom: string
  /** amount × 10^18 */
  readonly atto: bigint
}

/** 10^18, the LegacyDec scale. */
export const DEC_SCALE = 10n ** 18n
const DEC_COIN_RE = /^([0-9]+(?:\.[0-9]{1,18})?)([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$/

/**
 * Parse "0.01boot,0.025uatom" (SDK ParseDecCoins) into exact fixed-point decimal coins.
 * Throws InvalidCoins on a malformed entry. Empty string gives [].
 */
export const parseDecCoins = (text: string): DecCoin[] => {
  const trimmed = text.trim()
  if (trimmed === "") return []
  const out = trimmed.split(",").map((part) => {
    const m = DEC_COIN_RE.exec(part.trim())
    if (!m) throw new InvalidCoins({ log: `invalid decimal coin expression: ${part}` })
    const [whole, frac = ""] = m[1]!.split(".")
    const atto = BigInt(whole!) * DEC_SCALE + BigInt((frac + "0".repeat(18)).slice(0, 18))
    return { denom: m[2]!, atto }
  })
  out.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0))
  return out
}

/** ceil(price × gas) as an integer coin (SDK `gp.Amount.Mul(glDec).Ceil().RoundInt()`). */
export const requiredFee = (price: DecCoin, gasLimit: bigint): Coin => {
  const product = price.atto * gasLimit
  const q = product / DEC_SCALE
  return { denom: price.denom, amount: product % DEC_SCALE === 0n ? q : q + 1n }
}
