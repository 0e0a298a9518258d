// A self-scheduling program: at init it schedules itself every N blocks (N from the init input,
// default 10; a periodic entry that stays in the schedule table while the program is frozen) and
// counts its runs, paid from its reserve. "stop" cancels the schedule. "ticks" -> runs so far; "heights" -> comma-separated run heights.
import { Program, bytesToString, stringToBytes, schedulePeriodic, cancelSchedule, blockHeight } from "../assembly"
export { cabi_realloc } from "../assembly"

let every: u64 = 10
let ticks: u32 = 0
let heights = ""
let scheduleId: u64 = 0

export function cyberwasm_init(ptr: usize, len: usize): usize {
  return Program.dispatch(ptr, len, (input: Uint8Array): Uint8Array => {
    const s = bytesToString(input)
    if (s.length > 0) every = U64.parseInt(s)
    scheduleId = schedulePeriodic(every, stringToBytes("tick"))
    return stringToBytes("scheduled")
  })
}

export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatch(ptr, len, (input: Uint8Array): Uint8Array => {
    const s = bytesToString(input)
    if (s == "tick") {
      ticks++
      heights += (heights.length > 0 ? "," : "") + blockHeight().toString()
      return stringToBytes("ticked")
    }
    if (s == "heights") return stringToBytes(heights)
    if (s == "stop") return stringToBytes(cancelSchedule(scheduleId) ? "stopped" : "none")
    return stringToBytes(ticks.toString())
  })
}
