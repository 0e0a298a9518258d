// Counter: the count lives in a global and in linear memory; no storage calls.
// dispatch("inc") -> count after increment (u64 LE); anything else -> current count.
import { Program, bytesToString, u64ToBytes } from "../assembly"
export { cabi_realloc } from "../assembly"

let count: u64 = 0

function handle(input: Uint8Array): Uint8Array {
  if (bytesToString(input) == "inc") count++
  return u64ToBytes(count)
}

export function cyberwasm_init(ptr: usize, len: usize): usize {
  return Program.dispatch(ptr, len, (input: Uint8Array): Uint8Array => u64ToBytes(0))
}
export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatch(ptr, len, handle)
}
