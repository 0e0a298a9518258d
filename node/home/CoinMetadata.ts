/**
 * Denom metadata a new dev genesis writes for the chain's coins (bank `denom_metadata`), so that
 * wallets asking `DenomMetadata` for the fee / bond denom get its units instead of NotFound.
 *
 * The units follow the denom's own SI prefix, as Cosmos chains name their coins:
 *
 * - `u<name>` (uatom): `u<name>` 0 (alias micro<name>), `m<name>` 3 (alias milli<name>), `<name>` 6;
 *   display `<name>` (the Cosmos Hub's shape);
 * - `milli<name>` (go-cyber's millivolt, milliampere): `milli<name>` 0, `<name>` 3; display `<name>`;
 * - anything else (boot, hydrogen, stake): one unit, the base at exponent 0, displayed as is
 *   (go-cyber's boot and hydrogen have no decimals).
 *
 * Operators with other units edit `app_state.bank.denom_metadata` in genesis.json before the
 * first start; the bank machine checks every entry (modules/bank/DenomMetadata.ts).
 *
 * Source: cosmos-sdk x/bank/types/bank.pb.go (Metadata, DenomUnit JSON names), metadata_test.go
 * (the uatom example); go-cyber app (boot, hydrogen, millivolt, milliampere).
 */

/** One unit of a coin, as genesis JSON spells cosmos.bank.v1beta1.DenomUnit. */
export interface GenesisDenomUnit {
  readonly denom: string
  /** Power of 10: 1 `denom` = 10^exponent base units. */
  readonly exponent: number
  readonly aliases: ReadonlyArray<string>
}

/** cosmos.bank.v1beta1.Metadata in genesis JSON (snake_case, as `simd export` writes it). */
export interface GenesisMetadata {
  readonly description: string
  /** Ascending by exponent; the first is the base at exponent 0. */
  readonly denom_units: ReadonlyArray<GenesisDenomUnit>
  readonly base: string
  readonly display: string
  readonly name: string
  readonly symbol: string
  readonly uri: string
  readonly uri_hash: string
}

/** What the coin is for on this chain: its description says so. */
export type CoinRole = "fee" | "funded"

// a name left after the prefix must itself be a valid denom (3+ characters, letter first)
const NAME = /^[a-z][a-z0-9]{2,}$/

/**
 * The metadata of `denom` on chain `chainId` (units from its SI prefix, see the module doc).
 * `role` "fee": the fee, staking and governance coin; "funded": another coin funded at genesis.
 */
export const coinMetadata = (denom: string, chainId: string, role: CoinRole): GenesisMetadata => {
  const micro = denom.startsWith("u") && NAME.test(denom.slice(1)) ? denom.slice(1) : undefined
  const milli = micro === undefined && denom.startsWith("milli") && NAME.test(denom.slice(5)) ? denom.slice(5) : undefined
  const display = micro ?? milli ?? denom
  const denom_units: ReadonlyArray<GenesisDenomUnit> = micro !== undefined
    ? [
      { denom, exponent: 0, aliases: [`micro${micro}`] },
      { denom: `m${micro}`, exponent: 3, aliases: [`milli${micro}`] },
      { denom: micro, exponent: 6, aliases: [] }
    ]
    : milli !== undefined
      ? [{ denom, exponent: 0, aliases: [] }, { denom: milli, exponent: 3, aliases: [] }]
      : [{ denom, exponent: 0, aliases: [] }]
  const symbol = display.toUpperCase()
  return {
    description: role === "fee"
      ? `${symbol}: the fee, staking and governance coin of ${chainId}`
      : `${symbol}: a coin of ${chainId}, funded at genesis`,
    denom_units,
    base: denom,
    display,
    name: `${chainId} ${symbol}`,
    symbol,
    uri: "",
    uri_hash: ""
  }
}

/**
 * Metadata for the chain's coins: the fee denom first, then every other denom the genesis
 * balances hold, in denom order, each once.
 */
export const genesisCoinsMetadata = (
  feeDenom: string,
  chainId: string,
  balances: ReadonlyArray<{ readonly coins: ReadonlyArray<{ readonly denom: string }> }>
): ReadonlyArray<GenesisMetadata> => {
  const others = [...new Set(balances.flatMap((b) => b.coins.map((c) => c.denom)))].filter((d) => d !== feeDenom).sort()
  return [coinMetadata(feeDenom, chainId, "fee"), ...others.map((d) => coinMetadata(d, chainId, "funded"))]
}
