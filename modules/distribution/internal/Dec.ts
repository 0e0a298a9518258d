/**
 * DecCoins arithmetic of x/distribution on bigints (the scalar LegacyDec is chain/LegacyDec.ts):
 * each coin's amount is a Dec, an integer scaled by 10^18 ("atto"); DecCoins are sorted by denom,
 * without zero entries. Each operation rounds as the
 * SDK method of the same name (truncating where the keeper truncates, so rewards never exceed what
 * was allocated).
 *
 * Source: cosmossdk.io/math dec.go (Mul = round half to even, MulTruncate, QuoTruncate, MulInt,
 * TruncateInt, chopPrecisionAndRound); cosmos-sdk types/dec_coin.go (Add, Sub, MulDec,
 * MulDecTruncate, QuoDecTruncate, Intersect, TruncateDecimal).
 */
import { decMul, decMulTruncate, decQuoTruncate, formatDec, ONE, parseDecWire } from "../../../chain/LegacyDec.ts"

/** One denomination of DecCoins: `atto` = amount × 10^18. */
export interface DecCoin {
  readonly denom: string
  readonly atto: bigint
}

const byDenom = (a: DecCoin, b: DecCoin): number => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0)

/** Sorted, zero-free copy. */
const normal = (coins: ReadonlyArray<DecCoin>): DecCoin[] => coins.filter((c) => c.atto !== 0n).sort(byDenom)

/** a + b per denom (DecCoins.Add). */
export const decCoinsAdd = (a: ReadonlyArray<DecCoin>, b: ReadonlyArray<DecCoin>): DecCoin[] => {
  const out = a.map((c) => ({ ...c }))
  for (const c of b) {
    const i = out.findIndex((o) => o.denom === c.denom)
    if (i < 0) out.push({ ...c })
    else out[i] = { denom: c.denom, atto: out[i]!.atto + c.atto }
  }
  return normal(out)
}

/**
 * a − b per denom (DecCoins.Sub). A negative result is an accounting bug (the SDK panics): thrown
 * as a plain Error, an internal fault, never a tx result.
 */
export const decCoinsSub = (a: ReadonlyArray<DecCoin>, b: ReadonlyArray<DecCoin>): DecCoin[] => {
  const out = decCoinsAdd(a, b.map((c) => ({ denom: c.denom, atto: -c.atto })))
  const neg = out.find((c) => c.atto < 0n)
  if (neg) throw new Error(`distribution: negative decimal coin amount ${neg.atto} ${neg.denom}`)
  return out
}

/** Each amount × d rounded (DecCoins.MulDec). */
export const decCoinsMulDec = (a: ReadonlyArray<DecCoin>, d: bigint): DecCoin[] => normal(a.map((c) => ({ denom: c.denom, atto: decMul(c.atto, d) })))
/** Each amount × d truncated (DecCoins.MulDecTruncate). */
export const decCoinsMulDecTruncate = (a: ReadonlyArray<DecCoin>, d: bigint): DecCoin[] =>
  normal(a.map((c) => ({ denom: c.denom, atto: decMulTruncate(c.atto, d) })))
/** Each amount ÷ d truncated (DecCoins.QuoDecTruncate); d > 0. */
export const decCoinsQuoDecTruncate = (a: ReadonlyArray<DecCoin>, d: bigint): DecCoin[] =>
  normal(a.map((c) => ({ denom: c.denom, atto: decQuoTruncate(c.atto, d) })))

/** Per denom of `a`, the smaller of a and b (DecCoins.Intersect). */
export const decCoinsIntersect = (a: ReadonlyArray<DecCoin>, b: ReadonlyArray<DecCoin>): DecCoin[] =>
  normal(a.map((c) => {
    const other = b.find((o) => o.denom === c.denom)?.atto ?? 0n
    return { denom: c.denom, atto: c.atto < other ? c.atto : other }
  }))

/** Equal sorted lists. */
export const decCoinsEqual = (a: ReadonlyArray<DecCoin>, b: ReadonlyArray<DecCoin>): boolean =>
  a.length === b.length && a.every((c, i) => c.denom === b[i]!.denom && c.atto === b[i]!.atto)

/** Integral coins and the fractional change (DecCoins.TruncateDecimal). */
export const decCoinsTruncate = (a: ReadonlyArray<DecCoin>): { readonly coins: Array<{ denom: string; amount: bigint }>; readonly change: DecCoin[] } => ({
  coins: a.filter((c) => c.atto >= ONE).map((c) => ({ denom: c.denom, amount: c.atto / ONE })),
  change: normal(a.map((c) => ({ denom: c.denom, atto: c.atto % ONE })))
})

/** Integer coins as DecCoins (NewDecCoinsFromCoins). */
export const decCoinsFromCoins = (coins: ReadonlyArray<{ readonly denom: string; readonly amount: bigint }>): DecCoin[] =>
  normal(coins.map((c) => ({ denom: c.denom, atto: c.amount * ONE })))

/** Protobuf DecCoins (amount = LegacyDec wire text, the atto integer) to DecCoins. */
export const decCoinsFromProto = (coins: ReadonlyArray<{ readonly denom: string; readonly amount: string }>, what: string): DecCoin[] =>
  normal(coins.map((c) => ({ denom: c.denom, atto: parseDecWire(c.amount, what) })))

/** DecCoins to protobuf DecCoins (wire text). */
export const decCoinsToProto = (coins: ReadonlyArray<DecCoin>): Array<{ denom: string; amount: string }> =>
  coins.map((c) => ({ denom: c.denom, amount: c.atto.toString() }))

/** "1.500000000000000000boot,2.000000000000000000uatom" (DecCoins.String, events). */
export const decCoinsString = (coins: ReadonlyArray<DecCoin>): string => coins.map((c) => `${formatDec(c.atto)}${c.denom}`).join(",")
