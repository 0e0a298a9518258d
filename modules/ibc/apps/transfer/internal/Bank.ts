/**
 * Transfer's bank moves, each a capability-checked call into the bank machine as the calling
 * principal (`machine:ibc`, the machine that hosts transfer): escrow and unescrow are `bank.send`,
 * vouchers are `bank.mint` / `bank.burn`, constrained to `ibc/` denoms by the grants in
 * ../Transfer.ts (TRANSFER_GRANTS). A refused call throws CapabilityMissing (code 4) and moves nothing.
 *
 * Source: ibc-go v8 modules/apps/transfer/keeper/relay.go (escrowToken, unescrowToken, MintCoins,
 * BurnCoins through the module account).
 */
import { bankClient } from "../../../../../chain/generated/bank.ts"
import type { ExecContext } from "../../../../../chain/Machine.ts"

const client = (ctx: ExecContext) => bankClient((c) => ctx.call(c))

/** Move `amount` of `denom` from `from` to `to` (bech32). */
export const send = (ctx: ExecContext, from: string, to: string, denom: string, amount: bigint): void => {
  client(ctx).send({ from, to, amount: [{ denom, amount: amount.toString() }] })
}

/** Mint `amount` of `denom` (an `ibc/` voucher) to `to`. */
export const mint = (ctx: ExecContext, to: string, denom: string, amount: bigint): void => {
  client(ctx).mint({ address: to, coins: [{ denom, amount: amount.toString() }] })
}

/** Burn `amount` of `denom` (an `ibc/` voucher) held by `from`. */
export const burn = (ctx: ExecContext, from: string, denom: string, amount: bigint): void => {
  client(ctx).burn({ address: from, coins: [{ denom, amount: amount.toString() }] })
}

/** Balance of `address` in `denom`. */
export const balance = (ctx: ExecContext, address: string, denom: string): bigint =>
  BigInt(bankClient((c) => ctx.query(c)).balance({ address, denom }).balance?.amount ?? "0")
