/**
 * The bank machine's call API for other machines (through `ctx.call`, capability-checked by the
 * kernel): method names, canonical protobuf bodies, and typed client helpers.
 *
 * | method    | request body (protobuf)                      | response body                      |
 * |-----------|----------------------------------------------|------------------------------------|
 * | "send"    | cosmos.bank.v1beta1.MsgSend                  | MsgSendResponse (empty)            |
 * | "balance" | cosmos.bank.v1beta1.QueryBalanceRequest      | QueryBalanceResponse               |
 * | "balances"| cosmos.bank.v1beta1.QueryAllBalancesRequest  | QueryAllBalancesResponse (1 page)  |
 * | "supply"  | cosmos.bank.v1beta1.QuerySupplyOfRequest     | QuerySupplyOfResponse              |
 * | "mint"    | cosmos.bank.v1beta1.Output {address, coins}  | empty; caller must be a minter     |
 * | "burn"    | cosmos.bank.v1beta1.Input {address, coins}   | empty; caller must be a burner     |
 *
 * "send" moves coins from any address: holding the capability for it is a privilege (auth holds
 * it for fees). mint and burn are additionally checked against bank's own allowlists
 * (BankConfig.minters / burners).
 *
 * Source: cosmos-sdk x/bank/keeper interfaces (SendKeeper.SendCoins, ViewKeeper.GetBalance,
 * Keeper.MintCoins / BurnCoins).
 */
import { Input, Output } from "cosmjs-types/cosmos/bank/v1beta1/bank"
import { QueryBalanceRequest, QueryBalanceResponse, QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import type { ExecContext } from "../../chain/Machine.ts"
import { toProtoCoins, type Coin } from "./Coin.ts"

/** Method names of the bank call API. */
export const BankMethod = {
  send: "send",
  balance: "balance",
  balances: "balances",
  supply: "supply",
  mint: "mint",
  burn: "burn"
} as const

/** Move `coins` from `from` to `to` (bech32). Throws InsufficientFunds (5), InvalidAddress (7), InvalidCoins (10). */
export const bankSend = (ctx: ExecContext, from: string, to: string, coins: ReadonlyArray<Coin>, bank = "bank"): void => {
  ctx.call({ target: bank, method: BankMethod.send, body: MsgSend.encode({ fromAddress: from, toAddress: to, amount: toProtoCoins(coins) }).finish() })
}

/** Balance of `address` in `denom` (bigint). */
export const bankBalance = (ctx: ExecContext, address: string, denom: string, bank = "bank"): bigint => {
  const res = ctx.call({ target: bank, method: BankMethod.balance, body: QueryBalanceRequest.encode({ address, denom }).finish() })
  return BigInt(QueryBalanceResponse.decode(res).balance?.amount ?? "0")
}

/** Total supply of `denom`. */
export const bankSupply = (ctx: ExecContext, denom: string, bank = "bank"): bigint => {
  const res = ctx.call({ target: bank, method: BankMethod.supply, body: QuerySupplyOfRequest.encode({ denom }).finish() })
  return BigInt(QuerySupplyOfResponse.decode(res).amount?.amount ?? "0")
}

/** Mint `coins` to `to` (caller must be an allowed minter). */
export const bankMint = (ctx: ExecContext, to: string, coins: ReadonlyArray<Coin>, bank = "bank"): void => {
  ctx.call({ target: bank, method: BankMethod.mint, body: Output.encode({ address: to, coins: toProtoCoins(coins) }).finish() })
}

/** Burn `coins` from `from` (caller must be an allowed burner). */
export const bankBurn = (ctx: ExecContext, from: string, coins: ReadonlyArray<Coin>, bank = "bank"): void => {
  ctx.call({ target: bank, method: BankMethod.burn, body: Input.encode({ address: from, coins: toProtoCoins(coins) }).finish() })
}
