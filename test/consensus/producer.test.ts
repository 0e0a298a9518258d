/** Embedded block producer: timing on a TestClock, mempool, awaitCommit, CometBFT hashes, restart/replay. */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { TestClock } from "effect/testing"
import { ed25519 } from "@noble/curves/ed25519.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { Block } from "cosmjs-types/tendermint/types/block"
import { Consensus } from "../../modules/consensus/Consensus.ts"
import {
  BlockProducer, makeProducer, producerLayer, MempoolCode, TxCommitTimeout, type Producer, type ProducerConfig
} from "../../modules/consensus/producer/Producer.ts"
import { headerHash, voteSignBytes, partSetHeader, dataHash, resultsHash, PRECOMMIT_TYPE } from "../../modules/consensus/CometHashing.ts"
import { KvApp } from "./kvApp.ts"
import { MemBlockStore } from "./memBlockStore.ts"

const enc = new TextEncoder()
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const seed = new Uint8Array(32).fill(42)
const genesisTime = { seconds: 1_800_000_000n, nanos: 0 }

const config = (app: KvApp, blockStore: MemBlockStore, extra: Partial<ProducerConfig> = {}): ProducerConfig => ({
  app, blockStore, chainId: "cyber-test-1", validatorKey: seed, blockTimeMs: 1000,
  genesis: { time: genesisTime, appState: enc.encode('{"kv":{}}') }, ...extra
})

const tmp = () => mkdtempSync(join(tmpdir(), "producer-"))
const sleepReal = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** Advances the TestClock after letting the loop fiber re-arm its sleep (it does so once the last block's promise settles). */
const advance = (ms: number) => Effect.flatMap(Effect.promise(() => sleepReal(10)), () => TestClock.adjust(ms))

/** Scopes still open; closed after each test even when an assertion failed (else the loop's timer keeps the process alive). */
const openScopes = new Set<Scope.Closeable>()
test.after.each(async () => {
  for (const s of openScopes) await Effect.runPromise(Scope.close(s, Exit.void))
  openScopes.clear()
})

/** Starts a producer (no loop driving needed: tests call produceBlock) and returns it with its scope. */
const start = async (cfg: ProducerConfig): Promise<{ p: Producer; close: () => Promise<void> }> => {
  const scope = Effect.runSync(Scope.make())
  openScopes.add(scope)
  const p = await Effect.runPromise(Scope.provide(scope)(makeProducer({ ...cfg, blockTimeMs: 3_600_000 })))
  return { p, close: async () => { openScopes.delete(scope); await Effect.runPromise(Scope.close(scope, Exit.void)) } }
}

test("blocks appear every blockTimeMs on a TestClock; headers chain and hash as CometBFT", async () => {
  const dir = tmp()
  const app = await KvApp.open(dir)
  const store = new MemBlockStore()
  try {
    await Effect.runPromise(Effect.gen(function*() {
      const p = yield* makeProducer(config(app, store))
      assert.is(p.tip().height, 0)
      yield* advance(999)
      yield* Effect.promise(() => sleepReal(20))
      assert.is(p.tip().height, 0, "no block before the interval")
      yield* advance(1)
      yield* Effect.promise(() => p.waitForHeight(1))
      assert.is(p.tip().height, 1)
      yield* Effect.promise(() => p.broadcastTx(enc.encode("a=1")))
      yield* advance(1000)
      yield* Effect.promise(() => p.waitForHeight(2))
      yield* advance(1000)
      yield* Effect.promise(() => p.waitForHeight(3))
    }).pipe(Effect.scoped, Effect.provide(TestClock.layer())))
    assert.equal(store.log, ["block:1", "results:1", "block:2", "results:2", "block:3", "results:3"])
    const b1 = store.blocks.get(1)!, b2 = store.blocks.get(2)!, b3 = store.blocks.get(3)!
    assert.is(hex(headerHash(b2.header)!), hex(b2.hash))
    assert.is(b1.header.time.seconds, genesisTime.seconds, "first block carries genesis time")
    assert.ok(b2.header.time.seconds * 1_000_000_000n + BigInt(b2.header.time.nanos) >
      b1.header.time.seconds * 1_000_000_000n + BigInt(b1.header.time.nanos), "time strictly increases")
    assert.is(hex(b2.header.lastBlockId.hash), hex(b1.hash))
    assert.is(hex(b3.header.dataHash), hex(dataHash([])))
    assert.is(hex(b3.header.dataHash), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert.is(hex(b2.header.dataHash), hex(dataHash(b2.txs)))
    assert.is(b2.txs.length, 1)
    assert.is(b3.txs.length, 0)
    // block 3's header carries the app hash after block 2
    assert.is(hex(b3.header.appHash), hex(store.resultsByHeight.get(2)!.appHash))
    // block 2's lastCommit: our precommit for block 1, verifiable with the canonical sign bytes
    const sig = b2.lastCommit.signatures[0]!
    const pub = ed25519.getPublicKey(seed)
    assert.is(hex(sig.validatorAddress), hex(sha256(pub).subarray(0, 20)))
    assert.is(hex(b2.header.proposerAddress), hex(sha256(pub).subarray(0, 20)))
    const sb = voteSignBytes("cyber-test-1", { type: PRECOMMIT_TYPE, height: 1n, round: 0n, blockId: b2.lastCommit.blockId, timestamp: sig.timestamp })
    assert.ok(ed25519.verify(sig.signature, sb, pub), "precommit signature verifies")
    // block id part-set header is the one of block 1's protobuf encoding
    const psh = partSetHeader(Block.fromPartial({ header: b1.header, data: { txs: [...b1.txs] }, evidence: { evidence: [] }, lastCommit: b1.lastCommit }))
    assert.is(hex(b2.header.lastBlockId.partSetHeader.hash), hex(psh.hash))
    assert.is(b2.header.version.block, 11n)
    assert.is(b2.header.version.app, 1n, "version.app from Info.app_version")
    assert.is(b1.lastCommit.signatures.length, 0)
  } finally { await app.close(); rmSync(dir, { recursive: true, force: true }) }
})

test("create_empty_blocks=false skips heights with nothing to do", async () => {
  const dir = tmp()
  const app = await KvApp.open(dir)
  const store = new MemBlockStore()
  try {
    await Effect.runPromise(Effect.gen(function*() {
      const p = yield* makeProducer(config(app, store, { createEmptyBlocks: false }))
      const idle = function*(n: number) {
        for (let i = 0; i < n; i++) { yield* advance(1000); yield* Effect.promise(() => sleepReal(10)) }
      }
      yield* advance(1000)
      yield* Effect.promise(() => p.waitForHeight(1)) // the first height is always made
      yield* idle(3)
      assert.is(p.tip().height, 1, "no empty blocks while the app hash is unchanged")
      yield* Effect.promise(() => p.broadcastTx(enc.encode("k=v")))
      yield* advance(1000)
      yield* Effect.promise(() => p.waitForHeight(2))
      assert.is(store.blocks.get(2)!.txs.length, 1)
      yield* advance(1000)
      yield* Effect.promise(() => p.waitForHeight(3)) // proof block: block 2 changed the app hash
      assert.is(store.blocks.get(3)!.txs.length, 0)
      yield* idle(3)
      assert.is(p.tip().height, 3, "then nothing again")
    }).pipe(Effect.scoped, Effect.provide(TestClock.layer())))
  } finally { await app.close(); rmSync(dir, { recursive: true, force: true }) }
})

test("mempool: CheckTx on admission, dedupe by hash, limits, FIFO, recheck drops stale txs", async () => {
  const dir = tmp()
  const app = await KvApp.open(dir)
  const { p, close } = await start(config(app, new MemBlockStore(), { mempool: { maxTxs: 4, maxTxBytes: 64 } }))
  try {
    assert.is((await p.broadcastTx(enc.encode("!a=1"))).code, 0)
    const dup = await p.broadcastTx(enc.encode("!a=1"))
    assert.is(dup.code, MempoolCode.Duplicate)
    assert.is(dup.codespace, "mempool")
    assert.is((await p.broadcastTx(enc.encode("bad"))).code, 1, "CheckTx rejection is returned")
    assert.is((await p.broadcastTx(enc.encode("x=" + "y".repeat(100)))).code, MempoolCode.TooLarge)
    assert.is((await p.broadcastTx(enc.encode("!a=2"))).code, 0)
    assert.is((await p.broadcastTx(enc.encode("b=1"))).code, 0)
    assert.is((await p.broadcastTx(enc.encode("c=1"))).code, 0)
    assert.is((await p.broadcastTx(enc.encode("d=1"))).code, MempoolCode.Full)
    assert.is(p.mempoolSize(), 4)
    app.maxTxsPerBlock = 1
    await p.produceBlock(0n) // includes "!a=1" (FIFO); "!a=2" now fails recheck
    assert.is(p.mempoolSize(), 2, "included tx removed and stale tx dropped")
    assert.ok(app.calls.includes("checkTx:1"), "RECHECK calls reached the app")
    await p.produceBlock(0n)
    const c = await p.awaitCommit(sha256(enc.encode("b=1")), 100)
    assert.is(c.height, 2)
    assert.is(c.index, 0)
  } finally { await close(); await app.close(); rmSync(dir, { recursive: true, force: true }) }
})

test("awaitCommit resolves on commit, immediately for a committed tx, and times out", async () => {
  const dir = tmp()
  const app = await KvApp.open(dir)
  const { p, close } = await start(config(app, new MemBlockStore()))
  try {
    const tx = enc.encode("w=1")
    await p.broadcastTx(tx)
    const waiting = p.awaitCommit(sha256(tx), 5000)
    await p.produceBlock(0n)
    const c = await waiting
    assert.is(c.height, 1)
    assert.is(c.result.code, 0)
    assert.is((await p.awaitCommit(sha256(tx), 10)).height, 1)
    assert.is((await p.broadcastTx(tx)).code, MempoolCode.Duplicate, "a committed tx stays in the cache")
    const t0 = performance.now()
    await p.awaitCommit(sha256(enc.encode("never=1")), 30).then(() => assert.unreachable(), (e) => assert.instance(e, TxCommitTimeout))
    assert.ok(performance.now() - t0 >= 25)
  } finally { await close(); await app.close(); rmSync(dir, { recursive: true, force: true }) }
})

for (const failAt of ["finalizeBlock", "commit"] as const) {
  test(`restart replays a block saved but not committed (crash in ${failAt})`, async () => {
    const dir = tmp()
    const store = new MemBlockStore()
    let app = await KvApp.open(dir)
    try {
      let { p, close } = await start(config(app, store))
      await p.broadcastTx(enc.encode("a=1"))
      await p.produceBlock(0n)
      await p.broadcastTx(enc.encode("b=2"))
      await p.produceBlock(0n)
      await p.broadcastTx(enc.encode("c=3"))
      app.throwOn = failAt
      await p.produceBlock(0n).then(() => assert.unreachable(), (e) => assert.is(e._tag, "ConsensusHalted"))
      assert.ok(p.halted() !== undefined)
      assert.is(store.height(), 3, "block 3 was saved before execution")
      assert.is(store.resultsHeight(), failAt === "commit" ? 3 : 2)
      await close()
      await app.close()
      // restart: the app is at height 2, the store at 3
      app = await KvApp.open(dir)
      ;({ p, close } = await start(config(app, store)))
      assert.equal(app.calls, ["info", "finalizeBlock:3", "commit"])
      assert.is((await p.awaitCommit(sha256(enc.encode("a=1")), 200)).height, 1, "found in the block store's tx index after a restart")
      assert.is(p.tip().height, 3)
      assert.is(store.resultsHeight(), 3)
      assert.is(hex(p.tip().appHash), hex(store.resultsByHeight.get(3)!.appHash))
      const q = await app.query({ data: enc.encode("c"), path: "/key", height: 0n, prove: false })
      assert.is(new TextDecoder().decode(q.value), "3")
      // and the chain continues from there
      await p.broadcastTx(enc.encode("d=4"))
      await p.produceBlock(0n)
      assert.is(hex(store.blocks.get(4)!.header.appHash), hex(store.resultsByHeight.get(3)!.appHash))
      assert.is(hex(store.blocks.get(4)!.header.lastBlockId.hash), hex(store.blocks.get(3)!.hash))
      await close()
      // a clean restart replays nothing
      await app.close()
      app = await KvApp.open(dir)
      ;({ p, close } = await start(config(app, store)))
      assert.equal(app.calls, ["info"])
      assert.is(p.tip().height, 4)
      await p.produceBlock(0n)
      const b5 = store.blocks.get(5)!.header
      assert.is(hex(b5.lastResultsHash), hex(resultsHash(store.resultsByHeight.get(4)!.txResults)), "last results hash after a clean restart")
      assert.is(hex(b5.appHash), hex(store.resultsByHeight.get(4)!.appHash))
      assert.is(hex(store.blocks.get(4)!.header.lastResultsHash), hex(resultsHash(store.resultsByHeight.get(3)!.txResults)), "after a replay")
      await close()
    } finally { await app.close(); rmSync(dir, { recursive: true, force: true }) }
  })
}

test("start fails with a typed error when the app is ahead of the store", async () => {
  const dir = tmp()
  const app = await KvApp.open(dir)
  try {
    const { p, close } = await start(config(app, new MemBlockStore()))
    await p.produceBlock(0n)
    await close()
    const exit = await Effect.runPromiseExit(Effect.scoped(makeProducer(config(app, new MemBlockStore()))))
    assert.ok(Exit.isFailure(exit))
    assert.match(String(exit.cause), /ahead of the block store/)
  } finally { await app.close(); rmSync(dir, { recursive: true, force: true }) }
})

test("validator key must be a 32-byte seed; validators() lists the producer", async () => {
  assert.throws(() => new BlockProducer({ ...config(undefined as never, new MemBlockStore()), validatorKey: new Uint8Array(31) }))
  const dir = tmp()
  const app = await KvApp.open(dir)
  const { p, close } = await start(config(app, new MemBlockStore()))
  try {
    const v = p.validators()
    assert.is(v.length, 1)
    assert.is(hex(v[0]!.pubKeyEd25519), hex(ed25519.getPublicKey(seed)))
    assert.is(v[0]!.power, 10n)
    assert.is(p.chainId, "cyber-test-1")
  } finally { await close(); await app.close(); rmSync(dir, { recursive: true, force: true }) }
})

test("two genesis validators: the producer signs, the other is ABSENT; set sorted by power", async () => {
  const dir = tmp()
  const app = await KvApp.open(dir)
  const other = ed25519.getPublicKey(new Uint8Array(32).fill(7))
  const store = new MemBlockStore()
  const { p, close } = await start(config(app, store, {
    genesis: { time: genesisTime, appState: enc.encode("{}"),
      validators: [{ pubKeyEd25519: other, power: 5n }, { pubKeyEd25519: ed25519.getPublicKey(seed), power: 10n }] }
  }))
  try {
    await p.produceBlock(0n)
    await p.produceBlock(0n)
    assert.equal(p.validators().map((v) => v.power), [10n, 5n])
    const sigs = store.blocks.get(2)!.lastCommit.signatures
    assert.equal(sigs.map((x) => x.blockIdFlag), [2, 1]) // COMMIT, ABSENT
    assert.is(sigs[1]!.signature.length, 0)
  } finally { await close(); await app.close(); rmSync(dir, { recursive: true, force: true }) }
})

test("producerLayer provides the Consensus service", async () => {
  const dir = tmp()
  const app = await KvApp.open(dir)
  try {
    const height = await Effect.runPromise(Effect.gen(function*() {
      const engine = yield* Consensus
      yield* Effect.promise(() => engine.broadcastTx(enc.encode("layer=1")))
      assert.is(engine.mempoolSize(), 1)
      return engine.tip().height
    }).pipe(Effect.provide(producerLayer(config(app, new MemBlockStore())))))
    assert.is(height, 0)
  } finally { await app.close(); rmSync(dir, { recursive: true, force: true }) }
})

test("a fresh application with an existing block store gets InitChain and every block replayed", async () => {
  const dir = tmp(), dir2 = tmp()
  const store = new MemBlockStore()
  const app = await KvApp.open(dir)
  const app2 = await KvApp.open(dir2)
  try {
    const { p, close } = await start(config(app, store))
    for (const tx of ["a=1", "b=2", "c=3"]) { await p.broadcastTx(enc.encode(tx)); await p.produceBlock(0n) }
    const tip = p.tip()
    await close()
    const again = await start(config(app2, store))
    assert.equal(app2.calls, ["info", "initChain", "finalizeBlock:1", "commit", "finalizeBlock:2", "commit", "finalizeBlock:3", "commit"])
    assert.is(hex(again.p.tip().appHash), hex(tip.appHash))
    assert.is(hex(again.p.tip().blockHash), hex(tip.blockHash))
    await again.close()
  } finally {
    await app.close(); await app2.close()
    rmSync(dir, { recursive: true, force: true }); rmSync(dir2, { recursive: true, force: true })
  }
})

test.run()
