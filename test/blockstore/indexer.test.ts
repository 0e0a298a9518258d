/**
 * The tx index after Commit (issue 15): results are saved alone, the indexer writes the tx and
 * block event index after them, a crash between the two loses no index entry (the store indexes
 * the missing heights on open), and a store written by the previous version (tx index saved with
 * the results, E: values carrying the hash) still opens and answers.
 */
import { spawn } from "node:child_process"
import { cpSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "uvu"
import * as assert from "uvu/assert"
import type { BlockStore, StoredBlock } from "../../chain/BlockStore.ts"
import { openLevelBlockStore } from "../../node/blockstore/index.ts"
import { openKvBlockStore } from "../../node/blockstore/internal/KvBlockStore.ts"
import { openLevelKv } from "../../node/blockstore/internal/LevelKv.ts"
import { openMemoryKv } from "../../node/blockstore/internal/MemoryKv.ts"
import type { KvOp, OrderedKv } from "../../node/blockstore/internal/OrderedKv.ts"
import { hexU, makeBlock, makeResults, sha256, transferResult, utf8 } from "./fixtures/chain.ts"

const root = mkdtempSync(join(tmpdir(), "blockstore-indexer-"))
const INDEX_RECORD = "M:txindex"

/**
 * A view of `kv` that refuses (or holds forever) the indexer's batches, as a process killed
 * after saving results and before indexing them; `close` leaves the underlying kv open.
 */
const crashing = (kv: OrderedKv, mode: "fail" | "hang") => {
  let indexBatches = 0
  const view: OrderedKv = {
    ...kv,
    batch: (ops: ReadonlyArray<KvOp>) => {
      // (a batch of the index record alone is the open's own bookkeeping)
      if (ops.length === 1 || !ops.some((o) => o.key === INDEX_RECORD)) return kv.batch(ops)
      indexBatches++
      return mode === "fail" ? Promise.reject(new Error("killed before the index batch")) : new Promise<void>(() => {})
    },
    close: async () => {}
  }
  return { view, attempts: () => indexBatches }
}

/** A view of `kv` whose close does not close it (a second open of the same data). */
const reopenable = (kv: OrderedKv): OrderedKv => ({ ...kv, close: async () => {} })

/** Saves heights from..to (txs `t-h-i`, i < n) with transfer results; returns the last block. */
const save = async (s: BlockStore, from: number, to: number, n: number, prev?: StoredBlock): Promise<StoredBlock | undefined> => {
  for (let h = from; h <= to; h++) {
    const txs = Array.from({ length: n }, (_, i) => utf8(`t-${h}-${i}`))
    const b = makeBlock(h, txs, prev)
    await s.saveBlock(b)
    await s.saveResults(makeResults(h, txs.map((_, i) => transferResult("cyber1alice", `cyber1r${i % 3}`, h * 100 + i))))
    prev = b
  }
  return prev
}

test("results are saved before the index; the index follows without a wait on the saver", async () => {
  const mem = openMemoryKv()
  const { view, attempts } = crashing(mem, "hang")
  const s = await openKvBlockStore(view)
  await save(s, 1, 3, 4)
  await new Promise((r) => setTimeout(r, 50))
  // every save returned although no index batch ever completes
  assert.is(s.resultsHeight(), 3)
  assert.is(s.indexedHeight(), 0)
  assert.ok(attempts() >= 1, "the indexer ran")
  assert.ok(await s.results(3), "block_results has the height")
  assert.is(await s.tx(sha256(utf8("t-2-1"))), undefined, "not indexed yet")
  assert.is((await s.searchTxs("tx.height>=1", 1, 30, "asc")).totalCount, 0)
  assert.is((await s.searchBlocks("reward.parity='even'", 1, 30, "asc")).totalCount, 0, "block_search waits for the index too")
})

test("a crash between results and index: reopened, the store indexes the missing heights", async () => {
  const mem = openMemoryKv()
  const healthy = await openKvBlockStore(reopenable(mem))
  const prev = await save(healthy, 1, 2, 3)
  await healthy.close()
  const { view } = crashing(mem, "fail")
  const s = await openKvBlockStore(view)
  assert.is(s.indexedHeight(), 2)
  await save(s, 3, 5, 3, prev)
  let failed: unknown
  await s.whenIndexed(5).catch((e: unknown) => { failed = e })
  assert.match(String(failed), /killed before the index batch/)
  assert.is(s.resultsHeight(), 5)
  assert.is(s.indexedHeight(), 2)
  assert.is(await s.tx(sha256(utf8("t-4-0"))), undefined)
  await s.close()
  // the restart
  const r = await openKvBlockStore(reopenable(mem))
  assert.is(r.resultsHeight(), 5)
  await r.whenIndexed(5)
  assert.is(r.indexedHeight(), 5)
  const t = await r.tx(sha256(utf8("t-4-2")))
  assert.is(t?.height, 4)
  assert.is(t?.index, 2)
  assert.is(t?.result.gasUsed, 50000n + 402n)
  assert.is((await r.searchTxs("tx.height>=1", 1, 30, "asc")).totalCount, 15)
  const byRecipient = await r.searchTxs("transfer.recipient='cyber1r2'", 1, 30, "asc")
  assert.equal(byRecipient.txs.map((x) => `${x.height}:${x.index}`), ["1:2", "2:2", "3:2", "4:2", "5:2"])
  assert.equal(byRecipient.txs.map((x) => hexU(x.hash)), byRecipient.txs.map((x) => hexU(sha256(utf8(`t-${x.height}-${x.index}`)))))
  assert.equal((await r.searchBlocks("reward.parity='even'", 1, 30, "asc")).heights, [2, 4])
  await r.close()
})

test("a crash on LevelDB between results and index: reopened, nothing is missing", async () => {
  const path = join(root, "crash")
  const kv = await openLevelKv(path)
  const { view } = crashing(kv, "fail")
  const s = await openKvBlockStore(view)
  await save(s, 1, 4, 5)
  assert.is(s.indexedHeight(), 0)
  await s.close()
  await kv.close()
  const r = await openLevelBlockStore(path)
  await r.whenIndexed(4)
  assert.is((await r.searchTxs("tx.height=3", 1, 30, "asc")).totalCount, 5)
  assert.is((await r.tx(sha256(utf8("t-1-0"))))?.height, 1)
  assert.equal((await r.searchBlocks("mint.amount=100", 1, 30, "asc")).heights, [1, 2, 3, 4])
  await r.close()
})

test("SIGKILL after results are saved and before they are indexed: reopened, the index catches up", async () => {
  const path = join(root, "killed")
  const child = spawn(process.execPath, [new URL("./fixtures/killedSaver.ts", import.meta.url).pathname, path, "4"], { stdio: ["ignore", "pipe", "inherit"] })
  let out = ""
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => { out += d.toString(); if (out.includes("saved 4")) resolve() })
    child.on("exit", (code) => reject(new Error(`saver exited (${code}) before saving: ${out}`)))
  })
  child.kill("SIGKILL")
  await new Promise((resolve) => child.once("exit", resolve))
  const kv = await openLevelKv(path)
  assert.is(new TextDecoder().decode(await kv.get(INDEX_RECORD)), "0".padStart(16, "0"), "nothing was indexed before the kill")
  assert.is((await kv.scan("X:", "X;")).length, 0)
  await kv.close()
  const r = await openLevelBlockStore(path)
  assert.is(r.resultsHeight(), 4)
  await r.whenIndexed(4)
  assert.is((await r.searchTxs("tx.height>=1", 1, 30, "asc")).totalCount, 20)
  assert.is((await r.tx(sha256(utf8("t-4-4"))))?.index, 4)
  assert.equal((await r.searchBlocks("reward.parity='odd'", 1, 30, "asc")).heights, [1, 3])
  await r.close()
})

test("the indexer keeps at most a few heights in memory and reads the rest back", async () => {
  const mem = openMemoryKv()
  let hold: (() => void) | undefined
  const gate = new Promise<void>((r) => (hold = r))
  // index batches wait for the gate: 40 heights pile up behind the first
  const slow: OrderedKv = { ...mem, batch: async (ops) => { if (ops.length > 1 && ops.some((o) => o.key === INDEX_RECORD)) await gate; return mem.batch(ops) } }
  const s = await openKvBlockStore(slow)
  await save(s, 1, 40, 2)
  assert.is(s.indexedHeight(), 0)
  hold!()
  await s.whenIndexed(40)
  assert.is((await s.searchTxs("tx.height>0", 1, 100, "asc")).totalCount, 80)
  assert.is((await s.tx(sha256(utf8("t-33-1"))))?.height, 33)
  await s.close()
})

test("close indexes what is saved first; a closed store refuses to wait", async () => {
  const path = join(root, "close")
  const s = await openLevelBlockStore(path)
  await save(s, 1, 3, 50)
  await s.close()
  let err: unknown
  await s.whenIndexed(4).catch((e: unknown) => { err = e })
  assert.ok(err instanceof Error)
  const kv = await openLevelKv(path)
  assert.is(new TextDecoder().decode(await kv.get(INDEX_RECORD)), (3).toString(16).padStart(16, "0"))
  await kv.close()
})

test("a failed tx never hides an earlier successful one with the same hash (in the index or the same block)", async () => {
  const s = await openKvBlockStore(openMemoryKv())
  const dup = utf8("same")
  const b1 = makeBlock(1, [dup])
  await s.saveBlock(b1)
  await s.saveResults(makeResults(1, [transferResult("a", "b", 1)]))
  const b2 = makeBlock(2, [dup, utf8("other"), dup], b1)
  await s.saveBlock(b2)
  await s.saveResults(makeResults(2, [transferResult("a", "b", 2, 5), transferResult("a", "b", 3), transferResult("a", "b", 4, 5)]))
  const b3 = makeBlock(3, [utf8("x"), utf8("x")], b2)
  await s.saveBlock(b3)
  await s.saveResults(makeResults(3, [transferResult("a", "b", 5), transferResult("a", "b", 6, 5)]))
  await s.whenIndexed(3)
  const t = await s.tx(sha256(dup))
  assert.is(t?.height, 1)
  assert.is(t?.result.code, 0)
  const x = await s.tx(sha256(utf8("x")))
  assert.is(`${x?.height}:${x?.index}:${x?.result.code}`, "3:0:0")
  await s.close()
})

test("a store written by the previous version opens and answers, and indexes new heights alongside", async () => {
  // test/blockstore/fixtures/store-v1: conformance `fill` saved by the version before this indexer
  const path = join(root, "v1")
  cpSync(new URL("./fixtures/store-v1", import.meta.url).pathname, path, { recursive: true })
  const s = await openLevelBlockStore(path)
  assert.is(s.resultsHeight(), 5)
  assert.is(s.indexedHeight(), 5, "its tx index was saved with the results")
  const t = await s.tx(sha256(utf8("tx-3-1")))
  assert.is(`${t?.height}:${t?.index}:${t?.result.gasUsed}`, "3:1:50031")
  const bob = await s.searchTxs("transfer.recipient='cyber1bob'", 1, 30, "asc")
  assert.equal(bob.txs.map((x) => `${x.height}:${x.index}`), ["2:0", "3:0", "4:0", "5:0", "5:2"])
  assert.equal((await s.searchBlocks("reward.parity='even'", 1, 30, "asc")).heights, [2, 4])
  // new heights: E: keys without the hash, found together with the old ones
  const prev = (await s.block(5))!
  const b6 = makeBlock(6, [utf8("tx-6-0")], prev)
  await s.saveBlock(b6)
  await s.saveResults(makeResults(6, [transferResult("cyber1alice", "cyber1bob", 60)]))
  await s.whenIndexed(6)
  const all = await s.searchTxs("transfer.recipient='cyber1bob'", 1, 30, "desc")
  assert.is(all.totalCount, 6)
  assert.equal(all.txs.map((x) => `${x.height}:${x.index}:${hexU(x.hash) === hexU(sha256(x.tx))}`), ["6:0:true", "5:2:true", "5:0:true", "4:0:true", "3:0:true", "2:0:true"])
  await s.close()
})

test.after(() => rmSync(root, { recursive: true, force: true }))
test.run()
