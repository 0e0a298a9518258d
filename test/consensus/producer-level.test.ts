/**
 * Producer crash recovery with the real LevelDB block store (node/blockstore) and the persistent
 * kvstore test app: both are closed and reopened, so the restart reads blocks back from disk.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { sha256 } from "@noble/hashes/sha2.js"
import { makeProducer, type Producer, type ProducerConfig } from "../../modules/consensus/producer/Producer.ts"
import { openLevelBlockStore } from "../../node/blockstore/index.ts"
import type { BlockStore } from "../../chain/BlockStore.ts"
import { partSetHeader } from "../../modules/consensus/CometHashing.ts"
import { KvApp } from "./kvApp.ts"

const enc = new TextEncoder()
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

const openScopes = new Set<Scope.Closeable>()
test.after.each(async () => {
  for (const s of openScopes) await Effect.runPromise(Scope.close(s, Exit.void))
  openScopes.clear()
})

const start = async (app: KvApp, blockStore: BlockStore): Promise<{ p: Producer; close: () => Promise<void> }> => {
  const cfg: ProducerConfig = {
    app, blockStore, chainId: "cyber-level-1", validatorKey: new Uint8Array(32).fill(3), blockTimeMs: 3_600_000,
    genesis: { time: { seconds: 1_800_000_000n, nanos: 0 }, appState: enc.encode("{}") }
  }
  const scope = Effect.runSync(Scope.make())
  openScopes.add(scope)
  const p = await Effect.runPromise(Scope.provide(scope)(makeProducer(cfg)))
  return { p, close: async () => { openScopes.delete(scope); await Effect.runPromise(Scope.close(scope, Exit.void)) } }
}

test("crash between saveResults and Commit, reopen app and LevelDB store: replay, same chain after", async () => {
  const dir = mkdtempSync(join(tmpdir(), "producer-level-"))
  try {
    let app = await KvApp.open(join(dir, "app"))
    let store = await openLevelBlockStore(join(dir, "blocks"))
    let run = await start(app, store)
    for (const tx of ["a=1", "b=2"]) { await run.p.broadcastTx(enc.encode(tx)); await run.p.produceBlock(0n) }
    await run.p.broadcastTx(enc.encode("c=3"))
    app.throwOn = "commit"
    await run.p.produceBlock(0n).then(() => assert.unreachable(), (e) => assert.is(e._tag, "ConsensusHalted"))
    const saved3 = await store.results(3)
    assert.ok(saved3 !== undefined, "results of block 3 saved before the failed Commit")
    await run.close(); await app.close(); await store.close()

    app = await KvApp.open(join(dir, "app"))
    store = await openLevelBlockStore(join(dir, "blocks"))
    run = await start(app, store)
    assert.equal(app.calls, ["info", "finalizeBlock:3", "commit"])
    assert.is(run.p.tip().height, 3)
    assert.is(hex(run.p.tip().appHash), hex(saved3!.appHash))
    await run.p.broadcastTx(enc.encode("d=4"))
    await run.p.produceBlock(0n)
    const b3 = (await store.block(3))!, b4 = (await store.block(4))!
    // the block id rebuilt from disk (header hash + part-set header) is the one block 4 links to
    assert.is(hex(b4.header.lastBlockId.hash), hex(b3.hash))
    assert.is(hex(b4.header.appHash), hex(saved3!.appHash))
    assert.is(b4.lastCommit.signatures.length, 1)
    // block 2 linked to block 1 from memory; the same part-set header comes from block 1 read back
    const b1 = (await store.block(1))!, b2 = (await store.block(2))!
    const fromDisk = partSetHeader({ header: b1.header, data: { txs: [...b1.txs] }, evidence: { evidence: [] }, lastCommit: b1.lastCommit })
    assert.is(hex(fromDisk.hash), hex(b2.header.lastBlockId.partSetHeader.hash))
    assert.is(fromDisk.total, b2.header.lastBlockId.partSetHeader.total)
    assert.is((await run.p.awaitCommit(sha256(enc.encode("c=3")), 200)).height, 3)
    assert.is((await store.tx(sha256(enc.encode("d=4"))))!.height, 4)
    await run.close(); await app.close(); await store.close()

    // clean restart: nothing replayed, part-set header from disk equals the one block 5 links to
    app = await KvApp.open(join(dir, "app"))
    store = await openLevelBlockStore(join(dir, "blocks"))
    run = await start(app, store)
    assert.equal(app.calls, ["info"])
    await run.p.produceBlock(0n)
    const b5 = (await store.block(5))!
    assert.is(hex(b5.header.lastBlockId.hash), hex(b4.hash))
    await run.close(); await app.close(); await store.close()
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

test.run()
