/**
 * Cosmos LegacyDec arithmetic on bigints, for chain-plane machines: a Dec is its value scaled by
 * 10^18 ("atto"), the integer cosmjs-types carries on the protobuf wire ("1500000000000000000" =
 * 1.5). Every operation rounds as the SDK method of the same name (half to even, or truncating where
 * the SDK truncates), so rewards, shares and tallies are exact and identical on every node.
 * Non-negative values (staking's signed text forms live in modules/staking/Dec.ts).
 *
 * Source: cosmossdk.io/math dec.go (chopPrecisionAndRound, Mul, MulTruncate, Quo, QuoTruncate,
 * TruncateInt, LegacyNewDecFromInt, LegacyNewDecFromStr, String).
 */
import { InvalidRequest } from "./ChainError.ts"

/** 10^18: the Dec of 1. */
export const ONE = 10n ** 18n
const HALF = ONE / 2n

/** Drop 18 digits rounding half to even (SDK chopPrecisionAndRound); `v` >= 0. */
const chopRound = (v: bigint): bigint => {
  const q = v / ONE
  const r = v % ONE
  if (r < HALF) return q
  if (r > HALF) return q + 1n
  return q % 2n === 0n ? q : q + 1n
}

/** a × b rounded half to even (LegacyDec.Mul). */
export const decMul = (a: bigint, b: bigint): bigint => chopRound(a * b)
/** a × b truncated (LegacyDec.MulTruncate). */
export const decMulTruncate = (a: bigint, b: bigint): bigint => (a * b) / ONE
/** a ÷ b rounded half to even (LegacyDec.Quo); b > 0. */
export const decQuo = (a: bigint, b: bigint): bigint => chopRound((a * ONE * ONE) / b)
/** a ÷ b truncated (LegacyDec.QuoTruncate); b > 0. */
export const decQuoTruncate = (a: bigint, b: bigint): bigint => (a * ONE) / b
/** The integer part (LegacyDec.TruncateInt). */
export const decTruncate = (a: bigint): bigint => a / ONE
/** A Dec from an integer (LegacyNewDecFromInt). */
export const decFromInt = (i: bigint): bigint => i * ONE

/** Parse LegacyDec wire text (the scaled integer); throws InvalidRequest naming `what`. */
export const parseDecWire = (text: string, what: string): bigint => {
  if (!/^[0-9]{1,100}$/.test(text)) throw new InvalidRequest({ log: `${what}: "${text.slice(0, 80)}" is not LegacyDec wire text (a non-negative integer scaled by 10^18)` })
  return BigInt(text)
}

const HUMAN = /^([0-9]{1,80})(?:\.([0-9]{1,18}))?$/

/** Parse decimal text ("0.02", "1", "0.020000000000000000"; SDK LegacyNewDecFromStr, non-negative); throws InvalidRequest naming `what`. */
export const parseDec = (text: string, what: string): bigint => {
  const m = HUMAN.exec(text)
  if (!m) throw new InvalidRequest({ log: `${what}: "${text.slice(0, 80)}" is not a non-negative decimal with at most 18 fraction digits` })
  return BigInt(m[1]!) * ONE + BigInt((m[2] ?? "").padEnd(18, "0"))
}

/** Decimal text with 18 fraction digits (LegacyDec.String), e.g. "0.020000000000000000". */
export const formatDec = (v: bigint): string => `${v / ONE}.${(v % ONE).toString().padStart(18, "0")}`
