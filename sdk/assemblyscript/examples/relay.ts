// Two (or more) programs calling each other. Input "addr1,addr2,...|payload":
// no address -> returns payload; else calls addr1 with "addr2,...|payload" and returns
// its result + "<" (one mark per hop). A payload starting with "R" opts in to reentrant calls.
// Errors from the callee come back as "error: ...".
import { Program, Outcome, bytesToString, stringToBytes, call, allowReentry } from "../assembly"
export { cabi_realloc } from "../assembly"

let hops: u32 = 0

function handle(input: Uint8Array): Outcome {
  const s = bytesToString(input)
  const bar = s.indexOf("|")
  if (bar < 0) return Outcome.err("expected addrs|payload")
  const addrs = s.substring(0, bar)
  const payload = s.substring(bar + 1)
  hops++
  if (addrs.length == 0) return Outcome.ok(stringToBytes(payload))
  if (payload.startsWith("R")) allowReentry(true)
  const comma = addrs.indexOf(",")
  const first = comma < 0 ? addrs : addrs.substring(0, comma)
  const rest = comma < 0 ? "" : addrs.substring(comma + 1)
  const r = call(first, stringToBytes(rest + "|" + payload))
  if (!r.ok) return Outcome.err("error: " + r.error)
  return Outcome.ok(stringToBytes(bytesToString(r.data) + "<"))
}

export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatchOutcome(ptr, len, handle)
}
