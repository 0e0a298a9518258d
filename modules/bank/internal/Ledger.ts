/**
 * Moving coins: subtract, add, send, mint, burn, with the SDK's checks, events and account
 * creation on first receipt. Plain synchronous code: the block hot path.
 *
 * Source: cosmos-sdk x/bank/keeper/send.go (SendCoins, InputOutputCoins, subUnlockedCoins,
 * addCoins: events coin_spent / coin_received / transfer / message), keeper.go (MintCoins,
 * BurnCoins: coinbase / burn events).
 */
import type { Event } from "cosmjs-types/tendermint/abci/types"
import { InsufficientFunds, InvalidCoins } from "../../../chain/ChainError.ts"
import { EnsureAccountRequest, EnsureAccountResponse } from "../../../chain/generated/auth.ts"
import type { ExecContext } from "../../../chain/Machine.ts"
import { coinsString, MAX_AMOUNT, type Coin } from "../Coin.ts"
import { getBalance, getSupply, setBalance, setSupply } from "./Balances.ts"

/** Make an ABCI event whose attributes are all indexed (SDK default). */
export const event = (type: string, ...attrs: ReadonlyArray<readonly [string, string]>): Event => ({
  type,
  attributes: attrs.map(([key, value]) => ({ key, value, index: true }))
})

/** An address in both forms. */
export interface Addr {
  readonly bytes: Uint8Array
  readonly bech32: string
}

/** Name of the auth machine and its account-creation method (see modules/auth/Auth.ts). */
export interface AccountHook {
  readonly authMachine: string
}

/** Amounts stay within math.Int's 256 bits (the SDK errors on overflow). */
const checked = (v: bigint, denom: string): bigint => {
  if (v > MAX_AMOUNT) throw new InvalidCoins({ log: `${denom} amount overflows 256 bits: invalid coins` })
  return v
}

/** Subtract `coins` from `from` (InsufficientFunds with the SDK text); emits coin_spent. */
export const subCoins = (ctx: ExecContext, from: Addr, coins: ReadonlyArray<Coin>): void => {
  for (const c of coins) {
    const balance = getBalance(ctx.store, from.bytes, c.denom)
    if (balance < c.amount) {
      throw new InsufficientFunds({ log: `spendable balance ${balance}${c.denom} is smaller than ${c.amount}${c.denom}: insufficient funds` })
    }
    setBalance(ctx.store, from.bytes, c.denom, balance - c.amount)
  }
  ctx.emit(event("coin_spent", ["spender", from.bech32], ["amount", coinsString(coins)]))
}

/** Add `coins` to `to`; emits coin_received. */
export const addCoins = (ctx: ExecContext, to: Addr, coins: ReadonlyArray<Coin>): void => {
  for (const c of coins) setBalance(ctx.store, to.bytes, c.denom, checked(getBalance(ctx.store, to.bytes, c.denom) + c.amount, c.denom))
  ctx.emit(event("coin_received", ["receiver", to.bech32], ["amount", coinsString(coins)]))
}

/** Create the auth account of `to` if it has none (SDK: accounts are created on first receipt): `auth.ensure-account`. */
export const ensureAccount = (ctx: ExecContext, hook: AccountHook, to: Addr): void => {
  // what authClient(ctx.call).ensureAccount does, without a client object per transfer
  EnsureAccountResponse.decode(ctx.call({ target: hook.authMachine, method: "ensure-account", body: EnsureAccountRequest.encode({ address: to.bech32 }) }))
}

/** SendCoins: sub, add, create the recipient's account, emit transfer + message(sender). */
export const sendCoins = (ctx: ExecContext, hook: AccountHook, from: Addr, to: Addr, coins: ReadonlyArray<Coin>): void => {
  subCoins(ctx, from, coins)
  addCoins(ctx, to, coins)
  ensureAccount(ctx, hook, to)
  const amount = coinsString(coins)
  ctx.emit(event("transfer", ["recipient", to.bech32], ["sender", from.bech32], ["amount", amount]))
  ctx.emit(event("message", ["sender", from.bech32]))
}

/** InputOutputCoins with one input (SDK 0.47+): sub from the input, add to each output. */
export const inputOutputCoins = (ctx: ExecContext, hook: AccountHook, input: Addr, inputCoins: ReadonlyArray<Coin>, outputs: ReadonlyArray<readonly [Addr, ReadonlyArray<Coin>]>): void => {
  subCoins(ctx, input, inputCoins)
  ctx.emit(event("message", ["sender", input.bech32]))
  for (const [to, coins] of outputs) {
    addCoins(ctx, to, coins)
    ensureAccount(ctx, hook, to)
    ctx.emit(event("transfer", ["recipient", to.bech32], ["sender", input.bech32], ["amount", coinsString(coins)]))
  }
}

/** MintCoins: credit `to`, raise supply; emits coin_received + coinbase. */
export const mintCoins = (ctx: ExecContext, hook: AccountHook, minter: string, to: Addr, coins: ReadonlyArray<Coin>): void => {
  addCoins(ctx, to, coins)
  for (const c of coins) setSupply(ctx.store, c.denom, checked(getSupply(ctx.store, c.denom) + c.amount, c.denom))
  ensureAccount(ctx, hook, to)
  ctx.emit(event("coinbase", ["minter", minter], ["amount", coinsString(coins)]))
}

/** BurnCoins: debit `from`, lower supply; emits coin_spent + burn. */
export const burnCoins = (ctx: ExecContext, burner: string, from: Addr, coins: ReadonlyArray<Coin>): void => {
  subCoins(ctx, from, coins)
  for (const c of coins) setSupply(ctx.store, c.denom, getSupply(ctx.store, c.denom) - c.amount)
  ctx.emit(event("burn", ["burner", burner], ["amount", coinsString(coins)]))
}
