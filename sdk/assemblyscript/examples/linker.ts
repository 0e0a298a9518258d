// Linker: the graph host functions. dispatch input (space-separated):
//   "link <from> <to>"      -> "linked" or the graph's error (create_cyberlink's err)
//   "rank <particle>"       -> the particle's cyber-rank as decimal text
//   "backlinks <particle>"  -> newline-separated CIDs linking to it (at most 10)
//   "outlinks <particle>"   -> newline-separated CIDs it links to (at most 10)
import { Program, Outcome, bytesToString, stringToBytes, createCyberlink, queryRank, queryBacklinks, queryOutlinks } from "../assembly"
export { cabi_realloc } from "../assembly"

function handle(input: Uint8Array): Outcome {
  const parts = bytesToString(input).split(" ")
  const cmd = parts[0]
  if (cmd == "link") {
    const err = createCyberlink(parts[1], parts[2])
    return err == null ? Outcome.ok(stringToBytes("linked")) : Outcome.err(err!)
  }
  if (cmd == "rank") return Outcome.ok(stringToBytes(queryRank(parts[1]).toString()))
  if (cmd == "backlinks") return Outcome.ok(stringToBytes(queryBacklinks(parts[1], 10)))
  if (cmd == "outlinks") return Outcome.ok(stringToBytes(queryOutlinks(parts[1], 10)))
  return Outcome.err("unknown " + cmd)
}

export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatchOutcome(ptr, len, handle)
}
