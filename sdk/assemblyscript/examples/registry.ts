// Name registry: a hash map in the heap (AssemblyScript Map) that survives calls, with no storage calls.
// "set:name=value" -> "ok" | "taken"; "get:name" -> value or ""; "count" -> number of names.
import { Program, Outcome, bytesToString, stringToBytes, caller } from "../assembly"
export { cabi_realloc } from "../assembly"

const names = new Map<string, string>()
const owners = new Map<string, string>()

function handle(input: Uint8Array): Outcome {
  const s = bytesToString(input)
  if (s.startsWith("set:")) {
    const eq = s.indexOf("=")
    if (eq < 0) return Outcome.err("expected set:name=value")
    const name = s.substring(4, eq)
    const who = caller()
    if (owners.has(name) && owners.get(name) != who) return Outcome.ok(stringToBytes("taken"))
    names.set(name, s.substring(eq + 1))
    owners.set(name, who)
    return Outcome.ok(stringToBytes("ok"))
  }
  if (s.startsWith("get:")) {
    const name = s.substring(4)
    return Outcome.ok(stringToBytes(names.has(name) ? names.get(name) : ""))
  }
  if (s == "count") return Outcome.ok(stringToBytes(names.size.toString()))
  return Outcome.err("unknown command: " + s)
}

export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatchOutcome(ptr, len, handle)
}
