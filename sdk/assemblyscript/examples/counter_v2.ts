// Counter v2: same state layout as counter.ts (one u64 global), "inc" adds 10; upgrade keeps the count.
import { Program, Outcome, bytesToString, stringToBytes, u64ToBytes } from "../assembly"
export { cabi_realloc } from "../assembly"

let count: u64 = 0

function handle(input: Uint8Array): Uint8Array {
  if (bytesToString(input) == "inc") count += 10
  return u64ToBytes(count)
}

export function cyberwasm_init(ptr: usize, len: usize): usize {
  return Program.dispatch(ptr, len, (input: Uint8Array): Uint8Array => u64ToBytes(0))
}
export function cyberwasm_upgrade(ptr: usize, len: usize): usize {
  return Program.dispatchOutcome(ptr, len, (input: Uint8Array): Outcome => Outcome.ok(stringToBytes("upgraded at " + count.toString())))
}
export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatch(ptr, len, handle)
}
