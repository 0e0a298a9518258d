/**
 * Block store benchmark (issue 15). Two parts:
 *
 * 1. Saving: `blocks` blocks of `txs` real MsgSend results through the LevelDB block store.
 *    The results are real: CosmJS-signed MsgSend txs run through the Application (auth + bank),
 *    so each ExecTxResult carries the events bank and the ante handler emit (every attribute
 *    flagged `index`, as the SDK does). Tx bytes are those txs with a distinct suffix per copy (the
 *    store only hashes and keeps them). Per block: saveBlock ms, saveResults ms (what the producer
 *    waits for before Commit), and the ms until the tx index has the height (the indexer, after
 *    Commit); LevelDB ops and bytes (keys + values) per tx, split into the results path and the
 *    index path. Baseline: one plain LevelDB batch per block of the same number of ops and bytes
 *    as the whole save, in the same run.
 * 2. Reads: tx by hash and tx_search (by height, by an attribute) against a raw LevelDB get, and
 *    what answering a tx from its position would cost instead of the `X:` record (the height's
 *    results record and block read and sliced).
 *
 * Run: `npx node bench/blockstore.bench.ts [blocks=5] [txs=3000]`.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { toBech32 } from "@cosmjs/encoding"
import { accountFromAny } from "@cosmjs/stargate"
import { Level } from "level"
import { ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { Block } from "cosmjs-types/tendermint/types/block"
import { sha256 } from "../lib/Bytes.ts"
import { keys, resultSlices } from "../node/blockstore/internal/Codec.ts"
import { openKvBlockStore } from "../node/blockstore/internal/KvBlockStore.ts"
import { openLevelKv } from "../node/blockstore/internal/LevelKv.ts"
import type { KvOp, OrderedKv } from "../node/blockstore/internal/OrderedKv.ts"
import { makeBlock, makeResults } from "../test/blockstore/fixtures/chain.ts"
import { fee, makeWallet, msgSend, signTx, TestChain } from "../test/auth/support/Chain.ts"
import type { BlockStore, StoredBlock } from "../chain/BlockStore.ts"

const BLOCKS = Number(process.argv[2] ?? 5)
const TXS = Number(process.argv[3] ?? 3000)
const SAMPLES = 32
const dir = mkdtempSync(join(tmpdir(), "bsbench-"))

// Real MsgSend results: SAMPLES signed txs executed by the Application.
const { wallet, addresses } = await makeWallet(1)
const alice = addresses[0]!
const chain = await TestChain.start({ balances: [{ address: alice, coins: [{ denom: "boot", amount: "1000000000000" }] }] })
const accountNumber = Number(accountFromAny((await chain.queryClient().auth.account(alice))!).accountNumber)
const recipients = Array.from({ length: 5 }, (_, i) => toBech32("cyber", sha256(`r${i}`).subarray(0, 20)))
const signed: Uint8Array[] = []
for (let i = 0; i < SAMPLES; i++) {
  signed.push(await signTx(wallet, alice, [msgSend(alice, recipients[i % 5]!, String(1 + (i % 7)))], fee("2000"), { accountNumber, sequence: i }))
}
const real: ExecTxResult[] = await chain.block(signed)
const failed = real.filter((r) => r.code !== 0)
if (failed.length > 0) throw new Error(`sample txs failed: ${failed[0]!.log}`)
const attrs = real[0]!.events.reduce((n, e) => n + e.attributes.length, 0)
console.log(`sample MsgSend: tx ${signed[0]!.length} B, ${real[0]!.events.length} events, ${attrs} attributes (${real[0]!.events.flatMap((e) => e.attributes).filter((a) => a.index).length} indexed)`)

const txOf = (h: number, i: number): Uint8Array => {
  const base = signed[i % SAMPLES]!
  const out = new Uint8Array(base.length + 8)
  out.set(base)
  new DataView(out.buffer).setUint32(base.length, h)
  new DataView(out.buffer).setUint32(base.length + 4, i)
  return out
}

/** An OrderedKv that counts the ops and bytes of its batches. */
const counting = (kv: OrderedKv) => {
  const c = { ops: 0, bytes: 0 }
  const wrapped: OrderedKv = {
    ...kv,
    batch: (ops: ReadonlyArray<KvOp>) => {
      c.ops += ops.length
      for (const o of ops) c.bytes += o.key.length + (o.type === "put" ? o.value.length : 0)
      return kv.batch(ops)
    }
  }
  return { kv: wrapped, c }
}

type Indexing = BlockStore & { readonly whenIndexed?: (height: number) => Promise<void> }
const { kv, c } = counting(await openLevelKv(join(dir, "store")))
const store = (await openKvBlockStore(kv)) as Indexing
let prev: StoredBlock | undefined
const rows: Array<{ block: number; results: number; index: number; resOps: number; resBytes: number; idxOps: number; idxBytes: number; ops: number; bytes: number }> = []
for (let h = 1; h <= BLOCKS; h++) {
  const txs = Array.from({ length: TXS }, (_, i) => txOf(h, i))
  const b = makeBlock(h, txs, prev)
  const r = makeResults(h, txs.map((_, i) => real[i % SAMPLES]!))
  const c0 = { ...c }
  let t = performance.now()
  await store.saveBlock(b)
  const block = performance.now() - t
  const c1 = { ...c }
  t = performance.now()
  await store.saveResults(r)
  const results = performance.now() - t
  const c2 = { ...c }
  t = performance.now()
  await store.whenIndexed?.(h)
  const index = performance.now() - t
  rows.push({
    block, results, index,
    resOps: c2.ops - c1.ops, resBytes: c2.bytes - c1.bytes, idxOps: c.ops - c2.ops, idxBytes: c.bytes - c2.bytes,
    ops: c.ops - c0.ops, bytes: c.bytes - c0.bytes
  })
  prev = b
}

// Baseline: per block, one batch of the same number of ops and bytes.
const raw = new Level<string, Uint8Array>(join(dir, "raw"), { keyEncoding: "utf8", valueEncoding: "view" })
await raw.open()
const rawMs: number[] = []
for (let h = 1; h <= BLOCKS; h++) {
  const { ops, bytes } = rows[h - 1]!
  const keyLen = 40
  const valueLen = Math.max(0, Math.round(bytes / ops) - keyLen)
  const batch = Array.from({ length: ops }, (_, i) => ({
    type: "put" as const, key: `K:${h.toString(16).padStart(8, "0")}:${sha256(`${h}:${i}`).subarray(0, 8).reduce((s, x) => s + x.toString(16).padStart(2, "0"), "")}`.padEnd(keyLen, "x"),
    value: new Uint8Array(valueLen).fill(i & 255)
  }))
  const t = performance.now()
  await raw.batch(batch)
  rawMs.push(performance.now() - t)
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const per = (f: (r: (typeof rows)[number]) => number) => mean(rows.map(f))
console.log(`${BLOCKS} blocks of ${TXS} MsgSend txs (means per block; first block included)`)
console.log(`  saveBlock:                      ${per((r) => r.block).toFixed(1)} ms`)
console.log(`  saveResults (before Commit):    ${per((r) => r.results).toFixed(1)} ms, ${(per((r) => r.resOps) / TXS).toFixed(2)} ops and ${(per((r) => r.resBytes) / TXS).toFixed(0)} B per tx`)
console.log(`  tx + block index (after Commit): ${per((r) => r.index).toFixed(1)} ms more, ${(per((r) => r.idxOps) / TXS).toFixed(2)} ops and ${(per((r) => r.idxBytes) / TXS).toFixed(0)} B per tx`)
console.log(`  whole save: ${(per((r) => r.ops) / TXS).toFixed(2)} ops and ${(per((r) => r.bytes) / TXS).toFixed(0)} B per tx; ${per((r) => r.block + r.results + r.index).toFixed(1)} ms`)
console.log(`  baseline, one plain LevelDB batch of the same ops and bytes: ${mean(rawMs).toFixed(1)} ms`)

const time = async (label: string, n: number, f: (i: number) => Promise<unknown>, base?: number) => {
  const t = performance.now()
  for (let i = 0; i < n; i++) await f(i)
  const us = ((performance.now() - t) * 1000) / n
  console.log(`  ${label}: ${us.toFixed(1)} us/op${base === undefined ? "" : ` (${(us / base).toFixed(1)}x the raw get)`}`)
  return us
}
console.log("reads (one at a time)")
const rawKeys = (await raw.keys({ limit: 2000 }).all()) as string[]
const base = await time("raw LevelDB get (baseline)", 2000, (i) => raw.get(rawKeys[i % rawKeys.length]!))
await time("tx by hash", 2000, (i) => store.tx(sha256(txOf(1 + (i % BLOCKS), (i * 7919) % TXS))), base)
await time(`tx_search tx.height=H (${TXS} hits, page of 30)`, 20, (i) => store.searchTxs(`tx.height=${1 + (i % BLOCKS)}`, 1, 30, "asc"), base)
await time(`tx_search transfer.recipient='..' (${(BLOCKS * TXS) / 5} hits, page of 30)`, 10, (i) => store.searchTxs(`transfer.recipient='${recipients[i % 5]}'`, 1, 30, "desc"), base)
// The alternative to storing each result again under X: (not taken): a tx answered from its
// position, reading the height's results record and block.
await time("tx by position from the results record and block (alternative to X:)", 50, async (i) => {
  const h = 1 + (i % BLOCKS)
  const [r, b] = await kv.getMany([keys.results(h), keys.block(h)])
  return [ExecTxResult.decode(resultSlices(r!)[(i * 7919) % TXS]!), Block.decode(b!).data!.txs[(i * 7919) % TXS]]
}, base)
await time(`tx_search tx.hash='..'`, 500, (i) => store.searchTxs(`tx.hash='${Buffer.from(sha256(txOf(1 + (i % BLOCKS), (i * 31) % TXS))).toString("hex").toUpperCase()}'`, 1, 30, "asc"), base)
await store.close()
await raw.close()
rmSync(dir, { recursive: true, force: true })
