// A program that reschedules itself every N blocks (N from the init input, default 10) and counts
// its runs; paid from its reserve. "ticks" -> runs so far; "heights" -> comma-separated run heights.
import { Program, bytesToString, stringToBytes, scheduleDelayed, blockHeight } from "../assembly"
export { cabi_realloc } from "../assembly"

let every: u64 = 10
let ticks: u32 = 0
let heights = ""

export function cyberwasm_init(ptr: usize, len: usize): usize {
  return Program.dispatch(ptr, len, (input: Uint8Array): Uint8Array => {
    const s = bytesToString(input)
    if (s.length > 0) every = U64.parseInt(s)
    scheduleDelayed(every, stringToBytes("tick"))
    return stringToBytes("scheduled")
  })
}

export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatch(ptr, len, (input: Uint8Array): Uint8Array => {
    const s = bytesToString(input)
    if (s == "tick") {
      ticks++
      heights += (heights.length > 0 ? "," : "") + blockHeight().toString()
      scheduleDelayed(every, stringToBytes("tick"))
      return stringToBytes("ticked")
    }
    if (s == "heights") return stringToBytes(heights)
    return stringToBytes(ticks.toString())
  })
}
