/**
 * Cosmos LegacyDec arithmetic on bigints: a value is an integer scaled by 10^18. Multiplication and
 * division round the dropped digits half to even, division truncates first, as the SDK does.
 *
 * Source: cosmossdk.io/math dec.go (LegacyDec Mul, Quo, MulInt, TruncateInt, chopPrecisionAndRound,
 * LegacyNewDecFromStr, String).
 */
import { InvalidRequest } from "../../../chain/ChainError.ts"

/** 10^18: one whole unit. */
export const ONE = 10n ** 18n
const HALF = ONE / 2n

/** Drop 18 digits, rounding half to even (SDK chopPrecisionAndRound); `v` >= 0. */
const chopRound = (v: bigint): bigint => {
  const quo = v / ONE
  const rem = v % ONE
  if (rem < HALF) return quo
  if (rem > HALF) return quo + 1n
  return quo % 2n === 0n ? quo : quo + 1n
}

/** a × b (both scaled). */
export const decMul = (a: bigint, b: bigint): bigint => chopRound(a * b)
/** a ÷ b (both scaled); b > 0. */
export const decQuo = (a: bigint, b: bigint): bigint => chopRound((a * ONE * ONE) / b)
/** The integer part of a scaled value (SDK TruncateInt). */
export const decTruncate = (a: bigint): bigint => a / ONE
/** A scaled value from an integer. */
export const decFromInt = (i: bigint): bigint => i * ONE

const HUMAN = /^([0-9]+)(?:\.([0-9]{1,18}))?$/

/**
 * Parse decimal text ("0.5", "1", "0.334000000000000000"; SDK LegacyNewDecFromStr, non-negative only)
 * into a scaled bigint. Throws InvalidRequest naming `what`.
 */
export const parseDec = (text: string, what: string): bigint => {
  const m = HUMAN.exec(text)
  if (!m) throw new InvalidRequest({ log: `${what}: "${text.slice(0, 80)}" is not a non-negative decimal with at most 18 fraction digits` })
  return BigInt(m[1]!) * ONE + BigInt((m[2] ?? "").padEnd(18, "0"))
}

/** Parse LegacyDec wire text (the scaled integer, e.g. staking shares); throws InvalidRequest. */
export const parseDecWire = (text: string, what: string): bigint => {
  if (!/^[0-9]{1,100}$/.test(text)) throw new InvalidRequest({ log: `${what}: "${text.slice(0, 80)}" is not LegacyDec wire text` })
  return BigInt(text)
}

/** Decimal text with 18 fraction digits (SDK LegacyDec.String), e.g. "0.334000000000000000". */
export const formatDec = (v: bigint): string => {
  const whole = v / ONE
  const frac = (v % ONE).toString().padStart(18, "0")
  return `${whole}.${frac}`
}
