// Misbehaving program for tests: "loop" spins forever, "alloc" allocates until memory runs out,
// "recurse" recurses without bound, "abort" aborts after writing, "write" writes then returns.
import { Program, Outcome, bytesToString, stringToBytes, fail } from "../assembly"
export { cabi_realloc } from "../assembly"

let counter: u64 = 0
let keep: Array<Uint8Array> = []

function recurse(n: u64): u64 { return n == 0 ? 0 : 1 + recurse(n + 1) }

export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatchOutcome(ptr, len, (input: Uint8Array): Outcome => {
    const s = bytesToString(input)
    counter++
    if (s == "loop") { while (true) { counter++ } }
    if (s == "alloc") { while (true) { keep.push(new Uint8Array(1 << 20)) } }
    if (s == "recurse") return Outcome.ok(stringToBytes(recurse(1).toString()))
    if (s == "abort") { fail("deliberate abort") }
    if (s == "err") return Outcome.err("deliberate error")
    return Outcome.ok(stringToBytes(counter.toString()))
  })
}
