/**
 * How CyberWasm reaches the bank: deposits into reserves and the bank host functions, through the
 * generated client of the bank's WIT interface (wit/chain/bank.wit, chain/generated/bank.ts) on a
 * {@link BankPort}. The port is a context acting as a principal: the cyberwasm machine itself for
 * deposits from the tx signer, `program:<address>` for a program's host calls, so the executor
 * checks that principal's capabilities (docs/capabilities.md) before the bank runs.
 *
 * Source: wit/chain/bank.wit; cosmos-sdk x/bank keeper interfaces.
 */
import { bankClient } from "../../chain/generated/bank.ts"
import type { ChainCall } from "../../chain/Machine.ts"

/** A principal's way to other machines: state-changing calls and read-only interface methods. */
export interface BankPort {
  call(call: ChainCall): Uint8Array
  /** A read-only call (ExecContext.query): only methods the target's interface marks read-only. */
  query(call: ChainCall): Uint8Array
}

/** Bank operations used by CyberWasm. Amounts are base units. Throws chain errors (CapabilityMissing, InsufficientFunds, ...). */
export interface BankAdapter {
  send(port: BankPort, from: string, to: string, denom: string, amount: bigint): void
  balance(port: BankPort, owner: string, denom: string): bigint
  supply(port: BankPort, denom: string): bigint
  mint(port: BankPort, to: string, denom: string, amount: bigint): void
  burn(port: BankPort, from: string, denom: string, amount: bigint): void
}

const coins = (denom: string, amount: bigint) => [{ denom, amount: amount.toString() }]

/** The chain bank through its generated client: writes as calls, reads as read-only queries. */
export const chainBank: BankAdapter = {
  send: (port, from, to, denom, amount) => void bankClient((c) => port.call(c)).send({ from, to, amount: coins(denom, amount) }),
  balance: (port, owner, denom) => BigInt(bankClient((c) => port.query(c)).balance({ address: owner, denom }).balance?.amount ?? "0"),
  supply: (port, denom) => BigInt(bankClient((c) => port.query(c)).supply({ denom }).amount?.amount ?? "0"),
  mint: (port, to, denom, amount) => void bankClient((c) => port.call(c)).mint({ address: to, coins: coins(denom, amount) }),
  burn: (port, from, denom, amount) => void bankClient((c) => port.call(c)).burn({ address: from, coins: coins(denom, amount) })
}
