/**
 * The one place where CyberWasm talks to the bank machine: deposits into reserves and the bank
 * host functions, through the bank's call API (modules/bank/BankCall.ts) with `ctx.call`:
 * "send" (MsgSend), "balance" (QueryBalanceRequest), "supply" (QuerySupplyOfRequest), "mint"
 * (Output; the bank checks that "cyberwasm" is in its minters), "burn" (Input; burners).
 * The kernel checks cyberwasm's capabilities for each method. TestEnv serves the same methods.
 *
 * Source: modules/bank/BankCall.ts; cosmos-sdk x/bank keeper interfaces.
 */
import { Input, Output } from "cosmjs-types/cosmos/bank/v1beta1/bank"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { QueryBalanceRequest, QueryBalanceResponse, QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import type { ChainCall } from "../../chain/Machine.ts"

/** What the adapter needs from the execution context. */
export interface BankPort {
  call(call: ChainCall): Uint8Array
  /** A read-only call (ExecContext.query): only methods the target's interface marks read-only. */
  query(call: ChainCall): Uint8Array
}

/** Bank operations used by CyberWasm. Amounts are base units. Throws chain errors (InsufficientFunds, ...). */
export interface BankAdapter {
  send(port: BankPort, from: string, to: string, denom: string, amount: bigint): void
  balance(port: BankPort, owner: string, denom: string): bigint
  supply(port: BankPort, denom: string): bigint
  mint(port: BankPort, to: string, denom: string, amount: bigint): void
  burn(port: BankPort, from: string, denom: string, amount: bigint): void
}

/** The chain bank's call API. */
export const chainBank: BankAdapter = {
  send(port, from, to, denom, amount) {
    port.call({ target: "bank", method: "send", body: MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom, amount: amount.toString() }] }).finish() })
  },
  balance(port, owner, denom) {
    const res = QueryBalanceResponse.decode(port.call({ target: "bank", method: "balance", body: QueryBalanceRequest.encode({ address: owner, denom }).finish() }))
    return BigInt(res.balance?.amount ?? "0")
  },
  supply(port, denom) {
    const res = QuerySupplyOfResponse.decode(port.call({ target: "bank", method: "supply", body: QuerySupplyOfRequest.encode({ denom }).finish() }))
    return BigInt(res.amount?.amount ?? "0")
  },
  mint(port, to, denom, amount) {
    port.call({ target: "bank", method: "mint", body: Output.encode({ address: to, coins: [{ denom, amount: amount.toString() }] }).finish() })
  },
  burn(port, from, denom, amount) {
    port.call({ target: "bank", method: "burn", body: Input.encode({ address: from, coins: [{ denom, amount: amount.toString() }] }).finish() })
  }
}
