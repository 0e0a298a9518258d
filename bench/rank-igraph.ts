/**
 * cyber•rank against python3-igraph's PageRank (PRPACK), on the same graphs in the same run:
 * the Debian dependency graph and a Graph500 R-MAT graph. Our side: standard-PageRank mode
 * (dangling mass redistributed) to tolerance 1e-9, native engine, 2 threads, full calculation
 * (snapshot preparation included), and cyber mode with go-cyber's defaults (what the chain
 * computes every period). igraph's side: `Graph.pagerank(damping=0.85,
 * implementation="prpack")` on the graph already built (construction not timed). Best of 3 each.
 *
 * Needs Debian's python3-igraph (`apt-get install python3-igraph`); says so and exits otherwise.
 * Usage: npx node scripts/debian-graph.ts && npx node bench/rank-igraph.ts [--scale 20] [--baseline DIR]
 * --baseline DIR: also time an earlier engine (as bench/rank.bench.ts --baseline), interleaved
 * with this one, and print per-iteration times of both and their ratio.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { calculateRank } from "../modules/graph/rank/RankEngine.ts"
import type { RankResult } from "../modules/graph/rank/RankEngine.ts"
import type { RankParams } from "../modules/graph/rank/RankParams.ts"
import type { RankSnapshot } from "../modules/graph/rank/Snapshot.ts"
import { cachedRmatSnapshot, debianSnapshot } from "./rankGraphs.ts"

const { values: a } = parseArgs({ options: { scale: { type: "string", default: "20" }, debian: { type: "string", default: "bench/out/debian-graph.json" }, baseline: { type: "string" } } })
type Calculate = (s: RankSnapshot, p: RankParams, o: object) => Promise<RankResult>
const baseline: Calculate | undefined = a.baseline === undefined
  ? undefined
  : ((await import(`${a.baseline}/modules/graph/rank/RankEngine.ts`)) as { calculateRank: Calculate }).calculateRank
const perIteration: string[] = []
const PY = "/usr/bin/python3"
try {
  execFileSync(PY, ["-c", "import igraph"], { stdio: "ignore" })
} catch {
  console.log("python3-igraph is not installed (apt-get install python3-igraph): nothing to compare against")
  process.exit(0)
}

const igraphScript = `
import sys, time, array, igraph
n = int(sys.argv[2])
a = array.array("I"); a.frombytes(open(sys.argv[1], "rb").read())
g = igraph.Graph(n=n, edges=list(zip(a[0::2], a[1::2])), directed=True)
best = 1e9
for _ in range(3):
    t = time.perf_counter(); g.pagerank(damping=0.85, implementation="prpack"); best = min(best, time.perf_counter() - t)
print(best * 1000)
`

const compare = async (name: string, s: RankSnapshot) => {
  // Unique (from, to) edges from the in-link CSR (several neurons may link the same pair).
  const pairs = new Set<string>()
  const flat: number[] = []
  for (let to = 0; to < s.particles; to++) {
    for (let k = s.inOffsets[to]!; k < s.inOffsets[to + 1]!; k++) {
      const key = `${s.inFrom[k]}:${to}`
      if (!pairs.has(key)) {
        pairs.add(key)
        flat.push(s.inFrom[k]!, to)
      }
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "rank-igraph-"))
  const file = join(dir, "edges.bin")
  writeFileSync(file, new Uint32Array(flat))
  const igraphMs = Number(execFileSync(PY, ["-c", igraphScript, file, String(s.particles)], { encoding: "utf8", maxBuffer: 1 << 20 }).trim())
  /** Best-of-3 wall time (ms) of a full native calculation, 2 threads; with a baseline, its runs
   * interleaved, and the best per-iteration time of each. */
  const bestOf3 = async (params: RankParams) => {
    let best = Infinity, iterations = 0, iterAfter = Infinity, iterBefore = Infinity
    for (let i = 0; i < 3; i++) {
      const t = performance.now()
      const r = await calculateRank(s, params, { engine: "native", threads: 2 })
      best = Math.min(best, performance.now() - t)
      iterations = r.iterations
      iterAfter = Math.min(iterAfter, r.iterateMs / r.iterations)
      if (baseline !== undefined) {
        const b = await baseline(s, params, { engine: "native", threads: 2 })
        iterBefore = Math.min(iterBefore, b.iterateMs / b.iterations)
      }
    }
    if (baseline !== undefined) perIteration.push(`| ${name} | ${params.mode}, tol ${params.tolerance} | ${iterBefore.toFixed(2)} | ${iterAfter.toFixed(2)} | ${(iterAfter / iterBefore).toFixed(2)} |`)
    return { ms: best, iterations }
  }
  const pr = await bestOf3({ mode: "pagerank", damping: "0.85", tolerance: "0.000000001", maxIterations: 1000 })
  const cyber = await bestOf3({ mode: "cyber", damping: "0.85", tolerance: "0.001", maxIterations: 1000 })
  const [oursMs, iterations, cyberMs, cyberIterations] = [pr.ms, pr.iterations, cyber.ms, cyber.iterations]
  console.log(`| ${name} | ${s.particles} | ${flat.length / 2} | ${igraphMs.toFixed(1)} | ${oursMs.toFixed(1)} (${iterations} it.) | ${(igraphMs / oursMs).toFixed(1)}× | ${cyberMs.toFixed(1)} (${cyberIterations} it.) | ${(igraphMs / cyberMs).toFixed(1)}× |`)
}

console.log("| graph | particles | unique links | igraph PRPACK ms | ours: PageRank mode, tol 1e-9, ms | igraph / ours | ours: cyber mode, go-cyber defaults (tol 0.001), ms | igraph / ours |")
console.log("|---|---|---|---|---|---|---|---|")
if (existsSync(a.debian)) await compare("Debian dependencies", debianSnapshot(a.debian).snapshot)
else console.log(`(no ${a.debian}: run npx node scripts/debian-graph.ts first)`)
await compare(`R-MAT 2^${a.scale}`, cachedRmatSnapshot(Number(a.scale), 16, 10000))
if (baseline !== undefined) {
  console.log("\n| graph | calculation | before: ms / iteration | after: ms / iteration | after / before |\n|---|---|---|---|---|")
  for (const row of perIteration) console.log(row)
}
