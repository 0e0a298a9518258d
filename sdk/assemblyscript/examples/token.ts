// A fungible token: balances in a heap Map. init "<supply>" credits the instantiating account;
// "transfer <to> <amount>" moves from the caller; "balance <owner>" -> amount; "supply" -> total.
import { Program, Outcome, bytesToString, stringToBytes, caller, emitEvent } from "../assembly"
export { cabi_realloc } from "../assembly"

const balances = new Map<string, u64>()
let supply: u64 = 0

function balanceOf(owner: string): u64 {
  return balances.has(owner) ? balances.get(owner) : 0
}

export function cyberwasm_init(ptr: usize, len: usize): usize {
  return Program.dispatch(ptr, len, (input: Uint8Array): Uint8Array => {
    supply = U64.parseInt(bytesToString(input))
    balances.set(caller(), supply)
    return stringToBytes(supply.toString())
  })
}

export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatchOutcome(ptr, len, (input: Uint8Array): Outcome => {
    const parts = bytesToString(input).split(" ")
    if (parts[0] == "transfer" && parts.length == 3) {
      const from = caller()
      const amount = U64.parseInt(parts[2])
      const have = balanceOf(from)
      if (have < amount) return Outcome.err("insufficient balance: " + have.toString() + " < " + amount.toString())
      balances.set(from, have - amount)
      balances.set(parts[1], balanceOf(parts[1]) + amount)
      emitEvent("transfer", stringToBytes(from + " " + parts[1] + " " + amount.toString()))
      return Outcome.ok(stringToBytes("ok"))
    }
    if (parts[0] == "balance" && parts.length == 2) return Outcome.ok(stringToBytes(balanceOf(parts[1]).toString()))
    if (parts[0] == "supply") return Outcome.ok(stringToBytes(supply.toString()))
    return Outcome.err("unknown command")
  })
}
