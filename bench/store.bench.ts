/**
 * State store benchmarks (docs/performance.md, "State store").
 *
 * 1. Commit time against writes per block (1k, 10k, 40k = a 10k-tx block, 100k) on LevelDB, into a store that
 *    already holds BASE keys. Per block: `set` of W keys (half updates of existing keys, half
 *    new keys, 32-byte keys, 64-byte values), then `commit()` (hash, encode the batch, hand it
 *    to the LevelDB writer thread), then the wait until that batch has landed (`landed()`; in a
 *    node it overlaps the next block). Commit CPU is the block thread's (process.threadCpuUsage);
 *    landing CPU is the whole process's (mostly the writer thread and LevelDB).
 *    Baselines measured in the same run: (a) a plain LevelDB batch of the same W puts into a
 *    fresh database, (b) sha256 (node:crypto `hash`, Buffer output) of as many 70-byte inputs as the commit
 *    hashed nodes (the unavoidable hashing work).
 *    1b. A 10k-tx block as the Application runs it: per-tx branches, `workingHash()` at the end of
 *    FinalizeBlock (hashes the new nodes), then `commit()` (encodes and hands off the batch).
 * 2. Proof size against store size (1k, 100k, 1M keys): ICS-23 existence and non-existence
 *    proof bytes (protobuf CommitmentProof), average over 200 keys; and heap bytes per key of
 *    the in-memory tree.
 *
 * Usage: `npx node --expose-gc bench/store.bench.ts [--quick | --targets | --block]` (--quick:
 * smaller sizes; --targets: section 1 only, at the issue-15 sizes 10k and 100k writes, 6 and 3
 * blocks, every block's row printed as well as the medians; --block: section 1b only). The
 * first line says which commit hashing ran (store/internal/NativeHash.ts: the native addon's
 * batched chain, or node:crypto per node, e.g. with CYBERKERNEL_STORE_HASH=js).
 */
import { hash as nodeHash } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { CommitmentProof } from "cosmjs-types/cosmos/ics23/v1/proofs"
import { Level } from "level"
import { openCommitMultiStore } from "../store/IavlMultiStore.ts"
import { iavlProof } from "../store/internal/Proof.ts"
import { type NodeSource, WorkingTree } from "../store/internal/Tree.ts"

const quick = process.argv.includes("--quick")
const targets = process.argv.includes("--targets")
const blockOnly = process.argv.includes("--block")
const BASE = quick ? 20_000 : 200_000
const WRITES = blockOnly ? [] : quick ? [1_000, 10_000] : targets ? [10_000, 100_000] : [1_000, 10_000, 40_000, 100_000]
const REPS = (w: number): number => (targets ? (w >= 100_000 ? 3 : 6) : w >= 100_000 ? 2 : 4)
const PROOF_SIZES = quick ? [1_000, 100_000] : [1_000, 100_000, 1_000_000]

let seed = 42
const rand = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed
}
const randomBytes = (n: number): Uint8Array => {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = rand() & 0xff
  return b
}
const keyOf = (i: number): Uint8Array => nodeHash("sha256", `key-${i}`, "buffer").subarray(0)
const gc = (): void => (globalThis as { gc?: () => void }).gc?.()
/** Wall and CPU (user+system, all threads) milliseconds of `f`. */
const timed = async (f: () => unknown): Promise<[number, number]> => {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await f()
  const c = process.cpuUsage(c0)
  return [performance.now() - t0, (c.user + c.system) / 1000]
}
/** Wall and CPU of this thread only (the block's thread) milliseconds of `f`. */
const timedThread = async (f: () => unknown): Promise<[number, number]> => {
  const c0 = process.threadCpuUsage()
  const t0 = performance.now()
  await f()
  const c = process.threadCpuUsage(c0)
  return [performance.now() - t0, (c.user + c.system) / 1000]
}
/** The IAVL store's `landed()`: resolves when the last commit's batch is on disk. */
const landed = (s: unknown): Promise<void> => (s as { landed(): Promise<void> }).landed()
const load = () => `load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`

/** Which commit hashing this run uses (absent from stores older than the batched hashing). */
const hashingMode = await import("../store/internal/NativeHash.ts").then(
  (m) => { const i = m.hasherInfo(); return i.kind === "native" ? "native batched chain" : `node:crypto per node (${i.reason})` },
  () => "node:crypto per node (before batched hashing)"
)
console.log(`node ${process.version}; commit hashing: ${hashingMode}; base store ${BASE} keys; writes per block ${WRITES.join(", ")}; ${load()}`)

// ---- 1. commit time -------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), "ck-bench-"))
const store = await openCommitMultiStore({ path: join(dir, "store"), namespaces: ["bank", "graph"] })
{
  const kv = store.store("bank")
  for (let off = 0; off < BASE; off += 50_000) {
    for (let i = off; i < Math.min(BASE, off + 50_000); i++) kv.set(keyOf(i), randomBytes(64))
    await store.commit()
  }
  await landed(store)
}
let nextKey = BASE
if (WRITES.length > 0) console.log("\nwall ms (cpu ms); ratios use cpu time (commit: the block thread's)")
if (WRITES.length > 0) console.log("\n| writes/block | set | commit | landing (writer thread) | nodes written | LevelDB batch of the W writes (baseline) | sha256 of as many nodes (baseline) | commit / batch | commit / sha256 |")
if (WRITES.length > 0) console.log("|---|---|---|---|---|---|---|---|---|")
for (const w of WRITES) {
  const rows: number[][] = []
  for (let rep = 0; rep < REPS(w); rep++) {
    const keys: Uint8Array[] = []
    const values: Uint8Array[] = []
    for (let i = 0; i < w; i++) {
      keys.push(i % 2 === 0 ? keyOf(rand() % nextKey) : keyOf(nextKey++))
      values.push(randomBytes(64))
    }
    gc()
    const kv = store.store("bank")
    const set = await timed(() => {
      for (let i = 0; i < w; i++) kv.set(keys[i]!, values[i]!)
    })
    const nodes = countNew(kv as unknown as WorkingTree)
    const commit = await timedThread(() => store.commit())
    const landing = await timed(() => landed(store))
    // baseline (a): a plain LevelDB batch of the same puts
    const db = new Level<Uint8Array, Uint8Array>(join(dir, `plain-${w}-${rep}`), { keyEncoding: "view", valueEncoding: "view" })
    await db.open()
    const batch = await timed(() => {
      const b = db.batch()
      for (let i = 0; i < w; i++) b.put(keys[i]!, values[i]!)
      return b.write()
    })
    await db.close()
    // baseline (b): sha256 of as many 70-byte inputs as nodes written
    const buf = randomBytes(70)
    const sha = await timedThread(() => {
      for (let i = 0; i < nodes; i++) nodeHash("sha256", buf, "buffer")
    })
    rows.push([...set, ...commit, ...landing, nodes, ...batch, ...sha])
    if (targets) console.log(`block ${w} writes: commit ${commit[0].toFixed(0)} ms (${commit[1].toFixed(0)} cpu), sha256 baseline ${sha[0].toFixed(0)} ms (${sha[1].toFixed(0)} cpu)`)
  }
  const med = (i: number) => rows.map((r) => r[i]!).sort((a, b) => a - b)[Math.floor(rows.length / 2)]!
  const wc = (i: number) => `${med(i).toFixed(0)} (${med(i + 1).toFixed(0)})`
  console.log(`| ${w} | ${wc(0)} | ${wc(2)} | ${wc(4)} | ${med(6)} | ${wc(7)} | ${wc(9)} | ${(med(3) / med(8)).toFixed(2)}x | ${(med(3) / med(10)).toFixed(2)}x |`)
}
console.log(load())
if (targets || blockOnly) {
  if (blockOnly) await block()
  await store.close()
  rmSync(dir, { recursive: true, force: true })
  process.exit(0)
}
// ---- 1b. a 10k-tx block through per-tx branches, as the ABCI application runs it -----------
async function block(): Promise<void> {
  const txs = quick ? 2_000 : 10_000
  const rows: number[][] = []
  for (let rep = 0; rep < 3; rep++) {
    const writes: Uint8Array[][] = []
    for (let t = 0; t < txs; t++) {
      writes.push([keyOf(rand() % nextKey), keyOf(rand() % nextKey), keyOf(nextKey++), keyOf(nextKey++), randomBytes(64)])
    }
    gc()
    const exec = await timed(() => {
      for (const w of writes) {
        const br = store.branch()
        const kv = br.store("bank")
        for (let i = 0; i < 4; i++) {
          kv.get(w[i]!)
          kv.set(w[i]!, w[4]!)
        }
        br.write()
      }
    })
    // as the Application does: the app hash at the end of FinalizeBlock, then Commit
    const hashing = await timedThread(() => store.workingHash())
    const commit = await timedThread(() => store.commit())
    const landing = await timed(() => landed(store))
    rows.push([...exec, ...commit, ...landing, ...hashing])
  }
  const med = (i: number) => rows.map((r) => r[i]!).sort((a, b) => a - b)[Math.floor(rows.length / 2)]!
  console.log(`\nblock of ${txs} txs x (4 reads + 4 writes) through per-tx branches: execute ${med(0).toFixed(0)} ms (${med(1).toFixed(0)} cpu), workingHash ${med(6).toFixed(0)} ms (${med(7).toFixed(0)} cpu), then commit ${med(2).toFixed(0)} ms (${med(3).toFixed(0)} cpu of the block thread), landing ${med(4).toFixed(0)} ms (${med(5).toFixed(0)} cpu); ${load()}`)
}
await block()
await store.close()
rmSync(dir, { recursive: true, force: true })

/** Unsaved nodes of a working tree (nodes the next commit hashes and writes). */
function countNew(t: WorkingTree): number {
  let n = 0
  const walk = (x: { nonce: number; height: number; left?: unknown; right?: unknown } | undefined): void => {
    if (x === undefined || x.nonce !== 0) return
    n++
    if (x.height > 0) {
      walk(x.left as never)
      walk(x.right as never)
    }
  }
  walk(t.root as never)
  return n
}

// ---- 2. proof size and memory per key ------------------------------------------------
console.log("\n| keys | tree height | existence proof (bytes) | non-existence proof (bytes) | heap per key (bytes) | build (s) |")
console.log("|---|---|---|---|---|---|")
const noDisk: NodeSource = { load: () => { throw new Error("in-memory tree") } }
for (const n of PROOF_SIZES) {
  gc()
  const heap0 = process.memoryUsage().heapUsed
  const t0 = performance.now()
  const tree = new WorkingTree(undefined, noDisk, 1)
  for (let i = 0; i < n; i++) tree.set(keyOf(i), randomBytes(64))
  tree.hash()
  const buildS = (performance.now() - t0) / 1000
  gc()
  const perKey = (process.memoryUsage().heapUsed - heap0) / n
  let exist = 0
  let absent = 0
  for (let j = 0; j < 200; j++) {
    exist += CommitmentProof.encode(iavlProof(tree, keyOf(rand() % n))).finish().length
    absent += CommitmentProof.encode(iavlProof(tree, keyOf(n + j))).finish().length
  }
  console.log(`| ${n} | ${tree.root!.height} | ${Math.round(exist / 200)} | ${Math.round(absent / 200)} | ${Math.round(perKey)} | ${buildS.toFixed(1)} |`)
}
