/**
 * Staking's LegacyDec forms on bigint (shared arithmetic: chain/LegacyDec.ts), here signed and
 * with an empty wire text read as zero (unset customtype fields): a Dec is its value scaled by 10^18 (18 decimal places), the
 * form the SDK puts on the protobuf wire ("1500000000000000000" = 1.5). Rounding follows
 * cosmossdk.io/math LegacyDec: MulInt and QuoInt are exact / truncating integer operations on
 * the scaled value; QuoTruncate scales before dividing and truncates; TruncateInt drops the
 * fraction.
 *
 * Source: cosmossdk.io/math dec.go (LegacyDec, precision 18, MulInt, QuoInt, QuoTruncate,
 * TruncateInt, String, LegacyNewDecFromStr).
 */
import { InvalidRequest } from "../../chain/ChainError.ts"
import { decQuoTruncate, decTruncate, ONE } from "../../chain/LegacyDec.ts"

export { decFromInt } from "../../chain/LegacyDec.ts"

/** 10^18: the scale of a Dec (chain/LegacyDec.ts ONE). */
export const PRECISION = ONE

/** The integer part, truncated toward zero (LegacyDec.TruncateInt). */
export const truncateInt = decTruncate

/** d * i, exact (LegacyDec.MulInt). */
export const mulInt = (d: bigint, i: bigint): bigint => d * i

/** d / i truncated (LegacyDec.QuoInt; i > 0). */
export const quoInt = (d: bigint, i: bigint): bigint => d / i

/** a / b truncated at 18 decimals (LegacyDec.QuoTruncate; b > 0). */
export const quoTruncate = decQuoTruncate

/**
 * Parse the wire form: optional "-", then decimal digits, the value scaled by 10^18. Empty text is
 * zero (an unset customtype field). Throws InvalidRequest naming `what`.
 */
export const parseDecWire = (text: string, what: string): bigint => {
  if (text === "") return 0n
  if (!/^-?[0-9]{1,100}$/.test(text)) throw new InvalidRequest({ log: `invalid ${what} ${JSON.stringify(text.slice(0, 80))}: expected LegacyDec wire text (integer scaled by 10^18): invalid request` }) // determinism-ok: log text
  return BigInt(text)
}

/** The wire form of a Dec (decimal integer text of the scaled value). */
export const decWire = (d: bigint): string => d.toString()

/** Human text with 18 decimals, as LegacyDec.String ("1.500000000000000000"); used in genesis JSON and events. */
export const decString = (d: bigint): string => {
  const neg = d < 0n
  const a = neg ? -d : d
  const frac = (a % PRECISION).toString().padStart(18, "0")
  return `${neg ? "-" : ""}${(a / PRECISION).toString()}.${frac}`
}

/** Parse human decimal text ("0.1", "5", "-1.25"; at most 18 decimals) as LegacyNewDecFromStr. Throws InvalidRequest. */
export const parseDecString = (text: string, what: string): bigint => {
  const m = /^(-?)([0-9]{1,80})(?:\.([0-9]{1,18}))?$/.exec(text)
  if (!m) throw new InvalidRequest({ log: `invalid ${what} ${JSON.stringify(text.slice(0, 80))}: expected a decimal with at most 18 places: invalid request` }) // determinism-ok: log text
  const v = BigInt(m[2]!) * PRECISION + BigInt((m[3] ?? "").padEnd(18, "0"))
  return m[1] === "-" ? -v : v
}
