// A counter whose upgrade handler refuses: upgrading to it must leave the old code in place.
import { Program, Outcome, bytesToString, u64ToBytes } from "../assembly"
export { cabi_realloc } from "../assembly"

let count: u64 = 0

export function cyberwasm_upgrade(ptr: usize, len: usize): usize {
  count = 999 // would corrupt the state if the upgrade were kept
  return Program.dispatchOutcome(ptr, len, (input: Uint8Array): Outcome => Outcome.err("this version refuses to upgrade"))
}
export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatch(ptr, len, (input: Uint8Array): Uint8Array => {
    if (bytesToString(input) == "inc") count += 1000
    return u64ToBytes(count)
  })
}
