/**
 * Block store benchmark: indexing throughput of saveBlock + saveResults (blocks of 100 bank-like
 * txs, 2 events / 6 indexed attributes each) against a raw LevelDB baseline writing the same
 * number of keys and bytes in one batch per block; then read latencies of tx by hash and
 * tx_search (by height, by an event attribute matching 1% of txs) against a raw `get`.
 *
 * Run: `npx node bench/blockstore.bench.ts [blocks]` (default 200 blocks = 20,000 txs).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Level } from "level"
import { openLevelBlockStore } from "../node/blockstore/index.ts"
import { makeBlock, makeResults, sha256, transferResult, utf8 } from "../test/blockstore/fixtures/chain.ts"
import type { StoredBlock } from "../chain/BlockStore.ts"

const BLOCKS = Number(process.argv[2] ?? 200)
const TXS = 100
const dir = mkdtempSync(join(tmpdir(), "bsbench-"))

const txOf = (h: number, i: number) => utf8(`send:cyber1sender${i % 37}:cyber1recipient${(h * TXS + i) % 100}:${i}`)

// Block store.
const store = await openLevelBlockStore(join(dir, "store"))
let prev: StoredBlock | undefined
let t0 = performance.now()
for (let h = 1; h <= BLOCKS; h++) {
  const txs = Array.from({ length: TXS }, (_, i) => txOf(h, i))
  const b = makeBlock(h, txs, prev)
  await store.saveBlock(b)
  await store.saveResults(makeResults(h, txs.map((_, i) => transferResult(`cyber1sender${i % 37}`, `cyber1recipient${(h * TXS + i) % 100}`, i))))
  prev = b
}
const storeMs = performance.now() - t0

// Baseline: same number of puts per block (1 meta + 1 block + 1 hash + 1 results + 1 state, and per tx
// 1 tx + 1 position + 6 attributes), values of similar size, one batch per block.
const raw = new Level<string, Uint8Array>(join(dir, "raw"), { keyEncoding: "utf8", valueEncoding: "view" })
await raw.open()
const value = (n: number) => new Uint8Array(n).fill(1)
t0 = performance.now()
for (let h = 1; h <= BLOCKS; h++) {
  const ops: Array<{ type: "put"; key: string; value: Uint8Array }> = [
    { type: "put", key: `H:${h}`, value: value(400) }, { type: "put", key: `B:${h}`, value: value(4000) },
    { type: "put", key: `BH:${h}`, value: value(4) }, { type: "put", key: `M:${h}`, value: value(24) }
  ]
  await raw.batch(ops)
  const ops2: typeof ops = [{ type: "put", key: `R:${h}`, value: value(TXS * 300) }]
  for (let i = 0; i < TXS; i++) {
    ops2.push({ type: "put", key: `X:${h}:${i}`, value: value(350) }, { type: "put", key: `T:${h}:${i}`, value: value(32) })
    for (let a = 0; a < 6; a++) ops2.push({ type: "put", key: `E:${a}:${h}:${i}:${"x".repeat(30)}`, value: value(32) })
  }
  await raw.batch(ops2)
}
const rawMs = performance.now() - t0
const totalTxs = BLOCKS * TXS
console.log(`blocks of ${TXS} txs, ${BLOCKS} blocks (${totalTxs} txs)`)
console.log(`  raw LevelDB batches (baseline): ${(totalTxs / (rawMs / 1000)).toFixed(0)} txs/s`)
console.log(`  saveBlock+saveResults:          ${(totalTxs / (storeMs / 1000)).toFixed(0)} txs/s (${(rawMs / storeMs).toFixed(2)}x)`)

const time = async (label: string, n: number, f: (i: number) => Promise<unknown>, base?: number) => {
  const t = performance.now()
  for (let i = 0; i < n; i++) await f(i)
  const us = ((performance.now() - t) * 1000) / n
  console.log(`  ${label}: ${us.toFixed(1)} us/op${base === undefined ? "" : ` (${(us / base).toFixed(1)}x the raw get)`}`)
  return us
}
console.log("reads (one at a time)")
const base = await time("raw LevelDB get (baseline)", 2000, (i) => raw.get(`X:${1 + (i % BLOCKS)}:${i % TXS}`))
await time("tx by hash", 2000, (i) => store.tx(sha256(txOf(1 + (i % BLOCKS), i % TXS))), base)
await time("tx_search tx.height=H (100 hits, page of 30)", 200, (i) => store.searchTxs(`tx.height=${1 + (i % BLOCKS)}`, 1, 30, "asc"), base)
await time(`tx_search transfer.recipient='..' (${totalTxs / 100} hits, page of 30)`, 50, (i) => store.searchTxs(`transfer.recipient='cyber1recipient${i % 100}'`, 1, 30, "desc"), base)
await time(`tx_search recipient AND tx.height>=${BLOCKS - 10}`, 50, (i) => store.searchTxs(`transfer.recipient='cyber1recipient${i % 100}' AND tx.height>=${BLOCKS - 10}`, 1, 30, "asc"), base)
await store.close()
await raw.close()
rmSync(dir, { recursive: true, force: true })
