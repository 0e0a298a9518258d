/**
 * The one place where CyberWasm talks to the bank machine: deposits into reserves and the bank
 * host functions. The bank's call API (modules/bank) is being written in parallel; this adapter
 * encodes the requests as the Cosmos SDK messages/queries they correspond to and sends them with
 * `ctx.call({target: "bank", ...})` / `ctx.query("bank", ...)`. TestEnv plugs in an in-memory bank.
 *
 * Source: cosmos-sdk x/bank (MsgSend, Query/Balance, Query/SupplyOf).
 */
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { QueryBalanceRequest, QueryBalanceResponse, QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { NotSupported } from "../../chain/ChainError.ts"
import type { ChainCall } from "../../chain/Machine.ts"

/** What the adapter needs from the execution context. */
export interface BankPort {
  call(call: ChainCall): Uint8Array
  query(target: string, path: string, data: Uint8Array): Uint8Array
}

/** Bank operations used by CyberWasm. Amounts are base units. Throws chain errors (InsufficientFunds, ...). */
export interface BankAdapter {
  send(port: BankPort, from: string, to: string, denom: string, amount: bigint): void
  balance(port: BankPort, owner: string, denom: string): bigint
  supply(port: BankPort, denom: string): bigint
  mint(port: BankPort, to: string, denom: string, amount: bigint): void
  burn(port: BankPort, from: string, denom: string, amount: bigint): void
}

/** The chain bank: `bank.send` with a MsgSend body; balance and supply by gRPC query. */
export const chainBank: BankAdapter = {
  send(port, from, to, denom, amount) {
    port.call({ target: "bank", method: "send", body: MsgSend.encode({ fromAddress: from, toAddress: to, amount: [{ denom, amount: amount.toString() }] }).finish() })
  },
  balance(port, owner, denom) {
    const res = QueryBalanceResponse.decode(port.query("bank", "/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address: owner, denom }).finish()))
    return BigInt(res.balance?.amount ?? "0")
  },
  supply(port, denom) {
    const res = QuerySupplyOfResponse.decode(port.query("bank", "/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom }).finish()))
    return BigInt(res.amount?.amount ?? "0")
  },
  mint() {
    throw new NotSupported({ log: "bank mint from programs: the bank machine's mint call API is not wired into CyberWasm yet" })
  },
  burn() {
    throw new NotSupported({ log: "bank burn from programs: the bank machine's burn call API is not wired into CyberWasm yet" })
  }
}
