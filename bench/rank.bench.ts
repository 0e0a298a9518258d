/**
 * cyber•rank benchmark: time per iteration and per full calculation, native (1 and 2 threads)
 * and TypeScript fallback, against the memory-bandwidth bound of one iteration measured in the
 * same run (compulsory bytes of one sweep / STREAM triad bandwidth from the addon).
 *
 * Usage: npx node bench/rank.bench.ts [--scale 20] [--edge-factor 16] [--neurons 10000]
 *        [--debian bench/out/debian-graph.json] [--fallback-iters 2] [--baseline DIR]
 * (build the Debian graph first: npx node scripts/debian-graph.ts)
 *
 * --baseline DIR: also time an earlier version of the engine in the same run, interleaved with
 * this one, and print the per-iteration ratio. DIR holds that version's modules/graph/rank and
 * modules/graph-native (built) and a node_modules link; see docs/performance.md ("cyber•rank")
 * for the commands.
 */
import { existsSync } from "node:fs"
import { parseArgs } from "node:util"
import { calculateRank, rankToNumber, type RankResult } from "../modules/graph/rank/RankEngine.ts"
import type { RankParams } from "../modules/graph/rank/RankParams.ts"
import type { RankSnapshot } from "../modules/graph/rank/Snapshot.ts"
import { loadNative } from "../modules/graph/rank/internal/native.ts"
import { cachedRmatSnapshot, debianSnapshot } from "./rankGraphs.ts"

const { values: a } = parseArgs({
  options: {
    scale: { type: "string", default: "20" },
    "edge-factor": { type: "string", default: "16" },
    neurons: { type: "string", default: "10000" },
    debian: { type: "string", default: "bench/out/debian-graph.json" },
    "fallback-iters": { type: "string", default: "2" },
    "skip-rmat": { type: "boolean", default: false },
    baseline: { type: "string" },
  },
})
type Calculate = (s: RankSnapshot, p: RankParams, o: object) => Promise<RankResult>
const baseline: Calculate | undefined = a.baseline === undefined
  ? undefined
  : ((await import(`${a.baseline}/modules/graph/rank/RankEngine.ts`)) as { calculateRank: Calculate }).calculateRank
const native = loadNative()
if (!("addon" in native)) throw new Error(`bench needs the native addon: ${native.reason}`)
const addon = native.addon

const ms = (x: number) => x.toFixed(2)
const cyberDefault: RankParams = { mode: "cyber", damping: 0.85, tolerance: 0.001, maxIterations: 1000 }
/** fixed iteration count (tolerance below one unit): per-iteration timing */
const fixedIters = (k: number): RankParams => ({ mode: "cyber", damping: 0.85, tolerance: 1e-17, maxIterations: k })
const prDefault: RankParams = { mode: "pagerank", damping: 0.85, tolerance: 1e-6, maxIterations: 1000 }

const best = async (runs: number, f: () => Promise<RankResult>): Promise<RankResult & { wallMs: number }> => {
  let top: (RankResult & { wallMs: number }) | null = null
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    const r = await f()
    const wallMs = performance.now() - t0
    if (top === null || wallMs < top.wallMs) top = { ...r, wallMs }
  }
  return top!
}

console.log(`CPU vector unit: ${addon.bestIsa()}, hardware threads: ${addon.hardwareThreads}`)
const triad = [1, 2].map((t) => addon.streamTriad(128, t, 5))
console.log(`STREAM triad (3 x 128 MiB arrays, best of 5): 1 thread ${(triad[0]! / 1e9).toFixed(1)} GB/s, 2 threads ${(triad[1]! / 1e9).toFixed(1)} GB/s`)

const benchGraph = async (name: string, s: RankSnapshot, names?: string[]) => {
  const n = s.particles, L = s.inFrom.length
  console.log(`\n## ${name}: ${n} particles, ${L} links`)
  const ITER = 20
  const rows: string[] = []
  let compressed = 0
  for (const [threads, relabel] of [[1, false], [2, false], [2, true]] as const) {
    const o = { engine: "native" as const, threads, relabel }
    const it = await best(3, () => calculateRank(s, fixedIters(ITER), o))
    const full = await best(3, () => calculateRank(s, cyberDefault, o))
    const pr = await best(2, () => calculateRank(s, prDefault, o))
    const out = await addon.calculate({
      particles: n, neurons: s.neurons, inOffsets: s.inOffsets, inFrom: s.inFrom, inNeuron: s.inNeuron, stakes: s.stakes,
      modeCode: 0, dampingQ64: 0n, toleranceQ63: 1n, maxIterations: 1, initQ63: 0n, constQ63: 0n, empty: false, threads,
    })
    compressed = out.compressedLinks
    const perIter = it.iterateMs / it.iterations
    const bytes = 12 * compressed + 21 * n // cSrc (4) + cW (8) per compressed link; offsets 4, hasIn 1, prev 8, next 8 per particle
    const boundMs = (bytes / triad[threads - 1]!) * 1e3
    rows.push(`| native ${it.isa}, ${threads} thread${threads > 1 ? "s" : ""}${relabel ? ", relabelled" : ""} | ${ms(perIter)} | ${ms(boundMs)} | ${(perIter / boundMs).toFixed(2)} | ${ms(full.prepareMs)} | ${full.iterations} | ${ms(full.wallMs)} | ${pr.iterations} | ${ms(pr.wallMs)} |`)
  }
  const k = Number(a["fallback-iters"])
  // best of 2: the first call also pays V8's tiering of the kernel
  const fb = await best(2, () => calculateRank(s, fixedIters(k), { engine: "fallback", worker: false }))
  const fbFull = await best(2, () => calculateRank(s, cyberDefault, { engine: "fallback", worker: false }))
  const fbPerIter = fb.iterateMs / fb.iterations
  const bytes = 12 * compressed + 21 * n
  rows.push(`| TypeScript fallback | ${ms(fbPerIter)} | ${ms((bytes / triad[0]!) * 1e3)} | ${(fbPerIter / ((bytes / triad[0]!) * 1e3)).toFixed(2)} | ${ms(fbFull.prepareMs)} | ${fbFull.iterations} | ${ms(fbFull.prepareMs + fbFull.iterateMs)} | – | – |`)
  console.log(`compressed (from, to) pairs: ${compressed}; bytes per sweep (lower bound): ${((12 * compressed + 21 * n) / 1e6).toFixed(1)} MB`)
  console.log("| engine | ms / iteration | bound ms | × bound | prepare ms | iterations (cyber, tol 0.001) | full calc ms | iterations (pagerank, tol 1e-6) | full calc ms |")
  console.log("|---|---|---|---|---|---|---|---|---|")
  for (const r of rows) console.log(r)
  if (baseline !== undefined) await compareBaseline(baseline, s, ITER, k)
  if (names) {
    const r = await calculateRank(s, cyberDefault)
    const top = [...r.ranks.keys()].sort((x, y) => (r.ranks[y]! > r.ranks[x]! ? 1 : r.ranks[y]! < r.ranks[x]! ? -1 : x - y)).slice(0, 10)
    console.log(`top 10 (cyber mode): ${top.map((i) => `${names[i]} ${rankToNumber(r.ranks[i]!).toExponential(3)}`).join(", ")}`)
    const p = await calculateRank(s, prDefault)
    const topP = [...p.ranks.keys()].sort((x, y) => (p.ranks[y]! > p.ranks[x]! ? 1 : p.ranks[y]! < p.ranks[x]! ? -1 : x - y)).slice(0, 10)
    console.log(`top 10 (pagerank mode): ${topP.map((i) => `${names[i]} ${rankToNumber(p.ranks[i]!).toExponential(3)}`).join(", ")}`)
  }
}

/** Per-iteration and preparation time of this engine and the baseline, runs interleaved (best of 5
 * each; fallback best of 2 with `fallbackIters` iterations), as ratios: load hits both alike. */
async function compareBaseline(base: Calculate, s: RankSnapshot, iters: number, fallbackIters: number) {
  console.log("| engine | before: ms / iteration | after: ms / iteration | after / before | before: prepare ms | after: prepare ms | after / before |")
  console.log("|---|---|---|---|---|---|---|")
  const configs: Array<[string, object, number, number]> = [
    ["native, 1 thread", { engine: "native", threads: 1 }, iters, 5],
    ["native, 2 threads", { engine: "native", threads: 2 }, iters, 5],
    ["TypeScript fallback", { engine: "fallback", worker: false }, fallbackIters, 2],
  ]
  for (const [name, o, k, runs] of configs) {
    let before = Infinity, after = Infinity, prepBefore = Infinity, prepAfter = Infinity
    for (let i = 0; i < runs; i++) {
      const x = await base(s, fixedIters(k), o)
      before = Math.min(before, x.iterateMs / x.iterations)
      prepBefore = Math.min(prepBefore, x.prepareMs)
      const y = await calculateRank(s, fixedIters(k), o)
      after = Math.min(after, y.iterateMs / y.iterations)
      prepAfter = Math.min(prepAfter, y.prepareMs)
    }
    console.log(`| ${name} | ${ms(before)} | ${ms(after)} | ${(after / before).toFixed(2)} | ${ms(prepBefore)} | ${ms(prepAfter)} | ${(prepAfter / prepBefore).toFixed(2)} |`)
  }
}

if (existsSync(a.debian!)) {
  const { snapshot, names } = debianSnapshot(a.debian!)
  await benchGraph("Debian dependency graph (apt-cache dumpavail)", snapshot, names)
} else console.log(`(no ${a.debian}: run npx node scripts/debian-graph.ts to include the Debian graph)`)

if (!a["skip-rmat"]) {
  const t0 = performance.now()
  const s = cachedRmatSnapshot(Number(a.scale), Number(a["edge-factor"]), Number(a.neurons))
  console.log(`\n(R-MAT snapshot generated or loaded from bench/out in ${((performance.now() - t0) / 1e3).toFixed(1)} s)`)
  await benchGraph(`R-MAT scale ${a.scale}, edge factor ${a["edge-factor"]}, ${a.neurons} neurons`, s)
}
