/**
 * Following by gossip over real libp2p hosts: a producer (in process, kvstore test double) serves
 * sync and publishes each committed block on `/cyberkernel/blocks/<chain-id>`; a syncer that
 * never polls (poll interval of an hour) is woken only by gossip, and reaches the new heights.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { randomBytes } from "node:crypto"
import { Effect, Exit, Scope } from "effect"
import { ed25519 } from "@noble/curves/ed25519.js"
import { makeProducer, type Producer } from "../../modules/consensus/producer/Producer.ts"
import { SyncClient } from "../../node/sync/SyncClient.ts"
import { BlockSyncer } from "../../node/sync/Syncer.ts"
import { startSyncHost, type SyncHost } from "../../node/sync/SyncHost.ts"
import { blocksTopic, encodeSyncBlock } from "../../node/sync/SyncProtocol.ts"
import { serveSync } from "../../node/sync/SyncServer.ts"
import { freePort } from "../e2e/harness.ts"
import { KvApp } from "../consensus/kvApp.ts"
import { MemBlockStore } from "../consensus/memBlockStore.ts"

const enc = new TextEncoder()
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const seed = new Uint8Array(32).fill(9)
const chainId = "cyber-gossip-1"
const genesisDoc = { chain_id: chainId }
const genesis = { time: { seconds: 1_800_000_000n, nanos: 0 }, appState: enc.encode('{"kv":{}}'), validators: [{ pubKeyEd25519: ed25519.getPublicKey(seed), power: 10n }] }
const tmp = () => mkdtempSync(join(tmpdir(), "gossip-"))

const test = suite<{ scope: Scope.Closeable; a: SyncHost; b: SyncHost; p: Producer; store: MemBlockStore; s: BlockSyncer; client: SyncClient }>("sync-gossip")

let now = 1_800_000_001_000_000_000n

test.before(async (ctx) => {
  ctx.scope = Effect.runSync(Scope.make())
  const port = await freePort()
  ctx.a = await startSyncHost(new Uint8Array(randomBytes(32)), `/ip4/127.0.0.1/tcp/${port}`)
  ctx.b = await startSyncHost(new Uint8Array(randomBytes(32)))
  ctx.store = new MemBlockStore()
  const topic = blocksTopic(chainId)
  ctx.p = await Effect.runPromise(Scope.provide(ctx.scope)(makeProducer({
    app: await KvApp.open(tmp()), blockStore: ctx.store, chainId, validatorKey: seed, blockTimeMs: 3_600_000, genesis,
    onCommitted: (b) => { ctx.a.pubsub!.publish(topic, encodeSyncBlock({ block: b.block })).catch(() => undefined) }
  })))
  await serveSync(ctx.a.libp2p, { chainId, genesis: genesisDoc, blockStore: ctx.store, tip: () => ctx.p.tip(), latestCommit: () => ctx.p.latestCommit() })
  for (let i = 0; i < 3; i++) { now += 1_000_000_000n; await ctx.p.produceBlock(now) }
  ctx.client = await SyncClient.connect(ctx.b.libp2p, `/ip4/127.0.0.1/tcp/${port}`)
  ctx.s = new BlockSyncer({ app: await KvApp.open(tmp()), blockStore: new MemBlockStore(), chainId, genesis, genesisDoc, peer: ctx.client, pubsub: ctx.b.pubsub, pollMs: 3_600_000 })
  await ctx.s.start()
})

test.after(async (ctx) => {
  await ctx.s?.stop()
  await ctx.client?.close()
  await Effect.runPromise(Scope.close(ctx.scope, Exit.void))
  await ctx.a?.stop(); await ctx.b?.stop()
})

test("catches up by fetching, then reaches new heights only through gossip", async (ctx) => {
  assert.is((await ctx.s.waitForHeight(2)).height, 2)
  // let the subscription reach the producer's host (gossipsub heartbeat is 1 s)
  await new Promise((r) => setTimeout(r, 1500))
  for (let i = 0; i < 5; i++) {
    assert.is((await ctx.p.broadcastTx(enc.encode(`g${i}=${i}`))).code, 0)
    now += 1_000_000_000n
    await ctx.p.produceBlock(now)
  }
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`gossip did not bring height 7 (at ${ctx.s.tip().height})`)), 10_000).unref())
  const tip = await Promise.race([ctx.s.waitForHeight(7), timeout])
  assert.is(tip.height, 7)
  assert.is(hex(tip.appHash), hex((await ctx.store.results(7))!.appHash))
})

test.run()
