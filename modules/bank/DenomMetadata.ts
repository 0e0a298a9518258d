/**
 * Denom metadata checks (cosmos.bank.v1beta1.Metadata): what makes a coin's description valid
 * before genesis stores it. The checks and their messages are the SDK's:
 *
 * - base and display are valid denoms (Coin.ts `isValidDenom`);
 * - the first unit is the base, with exponent 0;
 * - later units have strictly ascending exponents;
 * - no unit denom twice; every unit denom valid; no alias twice within a unit, none blank;
 * - display is one of the units.
 *
 * A genesis list also holds one entry per base (`duplicate client metadata for denom`).
 *
 * Source: cosmos-sdk x/bank/types/metadata.go (Metadata.Validate, DenomUnit.Validate),
 * x/bank/types/genesis.go (GenesisState.Validate: seenMetadatas).
 */
import type { DenomUnit, Metadata } from "cosmjs-types/cosmos/bank/v1beta1/bank"
import { isValidDenom } from "./Coin.ts"

/** `s` in double quotes, cut to 130 characters (an error log quotes a bounded prefix of any input). */
export const quoted = (s: string): string => `"${s.length > 130 ? s.slice(0, 130) + "..." : s}"`

/** The problem with one denom unit (SDK DenomUnit.Validate), or undefined when it is valid. */
export const denomUnitProblem = (u: DenomUnit): string | undefined => {
  if (!isValidDenom(u.denom)) return `invalid denom unit: invalid denom: ${quoted(u.denom)}`
  const seen = new Set<string>()
  for (const alias of u.aliases) {
    if (seen.has(alias)) return `duplicate denomination unit alias ${quoted(alias)}`
    if (alias.trim() === "") return `alias for denom unit ${u.denom} cannot be blank`
    seen.add(alias)
  }
  return undefined
}

/**
 * The problem with a metadata entry (SDK Metadata.Validate), or undefined when it is valid.
 * Messages name the field and value at fault, in the SDK's words.
 */
export const metadataProblem = (m: Metadata): string | undefined => {
  if (!isValidDenom(m.base)) return `invalid metadata base denom: invalid denom: ${quoted(m.base)}`
  if (!isValidDenom(m.display)) return `invalid metadata display denom: invalid denom: ${quoted(m.display)}`
  let hasDisplay = false
  let exponent = 0
  const seen = new Set<string>()
  for (const [i, u] of m.denomUnits.entries()) {
    if (i === 0) {
      if (u.denom !== m.base) return `metadata's first denomination unit must be the one with base denom '${m.base}'`
      if (u.exponent !== 0) return `the exponent for base denomination unit ${m.base} must be 0`
    } else if (exponent >= u.exponent) {
      return `denom units should be sorted asc by exponent (unit ${i} ${quoted(u.denom)} has exponent ${u.exponent} after ${exponent})`
    }
    exponent = u.exponent
    if (seen.has(u.denom)) return `duplicate denomination unit ${u.denom}`
    if (u.denom === m.display) hasDisplay = true
    const bad = denomUnitProblem(u)
    if (bad !== undefined) return bad
    seen.add(u.denom)
  }
  if (!hasDisplay) return `metadata must contain a denomination unit with display denom '${m.display}'`
  return undefined
}
