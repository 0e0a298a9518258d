// The young-generation GC of the timed CheckTx pass of stage.ts, from V8's --trace-gc-nvp lines
// between its MARK=1 markers: scavenges, their pause, the parallel copying phase, the new-space
// resize, and the bytes that survived (promoted + copied within new space). Usage:
//   ACCNUM=6 ROOT=<checkout> MARK=1 ONLY=check npx node [--min-semi-space-size=64] --trace-gc-nvp \
//     bench/txpath/stage.ts 2000 > log; npx node bench/txpath/scavenges.ts log   (prints one JSON line)
import { readFileSync } from "node:fs"
const lines = readFileSync(process.argv[2]!, "utf8").split("\n")
let on = false
const out = { scavenges: 0, pauseMs: 0, parallelMs: 0, resizeMs: 0, survivedMB: 0, checkCpu: undefined as number | undefined }
for (const line of lines) {
  if (line.includes("=== cold check start")) on = true
  else if (line.includes("=== cold check end")) on = false
  else if (on && line.includes(" gc=s ")) {
    const f = Object.fromEntries(line.split(/\s+/).filter((x) => x.includes("=")).map((x) => x.split("=", 2) as [string, string]))
    out.scavenges++
    out.pauseMs += Number(f["pause"])
    out.parallelMs += Number(f["scavenge.parallel"])
    out.resizeMs += Number(f["scavenge.resize_new_space"] ?? 0)
    out.survivedMB += (Number(f["promoted"]) + Number(f["new_space_survived"])) / 1e6
  } else if (line.startsWith("{")) out.checkCpu = JSON.parse(line).checkCpu
}
console.log(JSON.stringify({ ...out, pauseMs: +out.pauseMs.toFixed(1), parallelMs: +out.parallelMs.toFixed(1), resizeMs: +out.resizeMs.toFixed(1), survivedMB: +out.survivedMB.toFixed(2) }))
