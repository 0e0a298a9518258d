/**
 * The Syncer in process, against an embedded producer (test doubles: the kvstore app and the
 * in-memory block store of test/consensus; every message goes through the real wire encoding
 * and the real server's answer): it reproduces the producer's app hash at every height; a commit
 * without +2/3 of the power is refused; gossiped blocks with a forged header or signature are
 * not trusted (the sync peer's copy decides) and do not stop the sync.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { ed25519 } from "@noble/curves/ed25519.js"
import { sha256 } from "../../lib/Bytes.ts"
import { makeProducer, type Producer, type ProducerConfig } from "../../modules/consensus/producer/Producer.ts"
import { BlockSyncer, type SyncPeer } from "../../node/sync/Syncer.ts"
import type { BlockPubSub } from "../../node/sync/SyncHost.ts"
import { blocksTopic, canonicalJson, decodeRequest, decodeResponse, encodeRequest, encodeResponse, encodeSyncBlock, type SyncRequest } from "../../node/sync/SyncProtocol.ts"
import { answer } from "../../node/sync/SyncServer.ts"
import { KvApp } from "../consensus/kvApp.ts"
import { MemBlockStore } from "../consensus/memBlockStore.ts"

const enc = new TextEncoder()
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const seed = new Uint8Array(32).fill(42)
const chainId = "cyber-sync-1"
const genesisDoc = { chain_id: chainId, app_state: { kv: {} } }
const genesis = { time: { seconds: 1_800_000_000n, nanos: 0 }, appState: enc.encode('{"kv":{}}'), validators: [{ pubKeyEd25519: ed25519.getPublicKey(seed), power: 10n }] }
const tmp = () => mkdtempSync(join(tmpdir(), "sync-"))

const scopes = new Set<Scope.Closeable>()
test.after.each(async () => {
  for (const s of scopes) await Effect.runPromise(Scope.close(s, Exit.void))
  scopes.clear()
})

const producer = async (extra: Partial<ProducerConfig> = {}): Promise<{ p: Producer; store: MemBlockStore }> => {
  const scope = Effect.runSync(Scope.make())
  scopes.add(scope)
  const store = new MemBlockStore()
  const p = await Effect.runPromise(Scope.provide(scope)(makeProducer({
    app: await KvApp.open(tmp()), blockStore: store, chainId, validatorKey: seed, blockTimeMs: 3_600_000, genesis, ...extra
  })))
  return { p, store }
}

/** A sync peer answering through the real server logic and wire encoding. */
const peerOf = (p: Producer, store: MemBlockStore, doc: unknown = genesisDoc): SyncPeer => {
  const gj = enc.encode(canonicalJson(doc))
  const src = { chainId, genesis: doc, blockStore: store, tip: () => p.tip(), latestCommit: () => p.latestCommit() }
  const ask = async (req: SyncRequest) => decodeResponse(encodeResponse(await answer(src, gj, sha256(gj), decodeRequest(encodeRequest(req)))))
  return {
    peer: "in-process",
    status: async () => { const r = await ask({ _tag: "Status" }); if (r._tag !== "Status") throw new Error(JSON.stringify(r)); return r.status },
    blocks: async (from, to) => { const r = await ask({ _tag: "Blocks", from, to }); if (r._tag !== "Blocks") throw new Error(JSON.stringify(r)); return r.blocks }
  }
}

let now = 1_800_000_001_000_000_000n
const block = async (p: Producer, txs: ReadonlyArray<string> = []): Promise<void> => {
  for (const t of txs) assert.is((await p.broadcastTx(enc.encode(t))).code, 0)
  now += 1_000_000_000n
  await p.produceBlock(now)
}

const syncer = async (peer: SyncPeer, pubsub?: BlockPubSub): Promise<BlockSyncer> => {
  const s = new BlockSyncer({ app: await KvApp.open(tmp()), blockStore: new MemBlockStore(), chainId, genesis, genesisDoc, peer, pollMs: pubsub ? 3_600_000 : 5, pubsub })
  await s.start()
  const scope = Effect.runSync(Scope.make())
  scopes.add(scope)
  Effect.runSync(Scope.addFinalizer(scope, Effect.promise(() => s.stop())))
  return s
}

test("re-executes the producer's blocks with txs: the same app hash and block hash at every height", async () => {
  const { p, store } = await producer()
  for (let i = 0; i < 12; i++) await block(p, i % 3 === 0 ? [`k${i}=v${i}`, `j${i}=w`] : [])
  const s = await syncer(peerOf(p, store))
  const tip = await s.waitForHeight(11)
  assert.is(tip.height, 11)
  for (let h = 1; h <= 11; h++) {
    assert.is(hex((await s["cfg"].blockStore.block(h))!.hash), hex((await store.block(h))!.hash), `block hash ${h}`)
    assert.is(hex((await s["cfg"].blockStore.results(h))!.appHash), hex((await store.results(h))!.appHash), `app hash ${h}`)
  }
  // follows by polling: two more blocks
  await block(p, ["late=1"]); await block(p)
  assert.is((await s.waitForHeight(13)).height, 13)
  assert.is(hex(s.tip().appHash), hex((await store.results(13))!.appHash))
})

test("catching up (RPC status.sync_info.catching_up) while blocks the peer has are missing, not once it trails by one", async () => {
  const { p, store } = await producer()
  for (let i = 0; i < 6; i++) await block(p)
  const real = peerOf(p, store)
  let open!: () => void
  const gate = new Promise<void>((r) => { open = r })
  const s = await syncer({ ...real, blocks: async (from, to) => { await gate; return real.blocks(from, to) } })
  assert.is(s.peerHeight(), 6)
  assert.ok(s.catchingUp(), "nothing applied, the peer is at 6")
  open()
  await s.waitForHeight(5)
  assert.not.ok(s.catchingUp(), "block 6 waits for its commit in block 7")
})

test("a commit signed by less than 2/3 of the power is refused at height 1", async () => {
  const other = ed25519.getPublicKey(new Uint8Array(32).fill(7))
  const vals = [{ pubKeyEd25519: ed25519.getPublicKey(seed), power: 10n }, { pubKeyEd25519: other, power: 10n }]
  const { p, store } = await producer({ genesis: { ...genesis, validators: vals } })
  await block(p); await block(p); await block(p)
  const s = new BlockSyncer({ app: await KvApp.open(tmp()), blockStore: new MemBlockStore(), chainId, genesis: { ...genesis, validators: vals }, genesisDoc, peer: peerOf(p, store), pollMs: 5 })
  await s.start()
  const err = await s.waitForHeight(1).then(() => undefined, (e: unknown) => e)
  await s.stop()
  assert.ok(err instanceof Error)
  assert.match(String((err as Error).message), "sync halted at height 1: block 1 rejected: commit signed by 10 of 20 voting power")
  assert.is(s.tip().height, 0)
})

test("forged gossip (wrong app hash, bad signature) is not trusted and does not stop the sync", async () => {
  const { p, store } = await producer()
  let listener: ((e: CustomEvent<{ topic: string; data: Uint8Array }>) => void) | undefined
  const pubsub: BlockPubSub = {
    subscribe: () => undefined, unsubscribe: () => undefined, publish: async () => undefined,
    addEventListener: (_t, l) => { listener = l as never }, removeEventListener: () => { listener = undefined }
  }
  const gossip = (b: Parameters<typeof encodeSyncBlock>[0]["block"]) =>
    listener!(new CustomEvent("message", { detail: { topic: blocksTopic(chainId), data: encodeSyncBlock({ block: b }) } }))
  for (let i = 0; i < 5; i++) await block(p, [`a${i}=1`])
  const s = await syncer(peerOf(p, store), pubsub)
  await s.waitForHeight(4)
  // block 6 gossiped with another app hash: block 5 is checked against the peer's copy instead
  await block(p, ["b=2"])
  const six = structuredClone((await store.block(6))!)
  six.header.appHash = new Uint8Array(32).fill(1)
  gossip(six)
  assert.is((await s.waitForHeight(5)).height, 5)
  assert.is(hex(s.tip().appHash), hex((await store.results(5))!.appHash))
  // block 7 gossiped with a broken commit signature for 6: dropped, the peer's block 7 applies 6
  await block(p, ["c=3"])
  const seven = structuredClone((await store.block(7))!)
  seven.lastCommit.signatures[0]!.signature[0]! ^= 1
  gossip(seven)
  assert.is((await s.waitForHeight(6)).height, 6)
  assert.is(s.halted(), undefined, "a forged gossip message does not halt the sync")
  assert.is(hex(s.latestCommit()!.signatures[0]!.signature), hex((await store.block(7))!.lastCommit.signatures[0]!.signature), "the commit kept is the peer's")
  assert.is(hex(s.tip().appHash), hex((await store.results(6))!.appHash))
})

test("a restarted full node resumes from its stores (handshake rebuilds state, no refetch from 1)", async () => {
  const { p, store } = await producer()
  for (let i = 0; i < 6; i++) await block(p, [`r${i}=1`])
  const dir = tmp()
  const fullStore = new MemBlockStore()
  const peer = peerOf(p, store)
  const first = new BlockSyncer({ app: await KvApp.open(dir), blockStore: fullStore, chainId, genesis, genesisDoc, peer, pollMs: 5 })
  await first.start()
  await first.waitForHeight(5)
  await first.stop()
  await (first["cfg"].app as KvApp).close()
  const stoppedAt = first.tip().height
  const asked: number[] = []
  const counting = { ...peer, blocks: (from: number, to: number) => { asked.push(from); return peer.blocks(from, to) } }
  for (let i = 0; i < 3; i++) await block(p, [`s${i}=1`])
  const again = new BlockSyncer({ app: await KvApp.open(dir), blockStore: fullStore, chainId, genesis, genesisDoc, peer: counting, pollMs: 5 })
  await again.start()
  assert.is(again.tip().height, stoppedAt, "state rebuilt from the stores")
  assert.is((await again.waitForHeight(8)).height, 8)
  await again.stop()
  assert.ok(asked.length > 0 && Math.min(...asked) === stoppedAt + 1, `fetching resumed at ${stoppedAt + 1} (asked ${asked.join(",")})`)
  assert.is(hex(again.tip().appHash), hex((await store.results(8))!.appHash))
})

test("a peer that stops answering for a while (restart) is asked again; the sync goes on", async () => {
  const { p, store } = await producer()
  for (let i = 0; i < 4; i++) await block(p)
  const peer = peerOf(p, store)
  let down = 0
  const flaky: SyncPeer = {
    peer: "flaky",
    status: () => (down-- > 0 ? Promise.reject(new Error("stream reset")) : peer.status()),
    blocks: (from, to) => (down-- > 0 ? Promise.reject(new Error("stream reset")) : peer.blocks(from, to))
  }
  const s = await syncer(flaky)
  await s.waitForHeight(3)
  down = 3
  for (let i = 0; i < 3; i++) await block(p)
  assert.is((await s.waitForHeight(6)).height, 6)
  assert.is(s.halted(), undefined)
})

test("a peer of another chain or genesis is refused at start", async () => {
  const { p, store } = await producer()
  await block(p)
  const s = new BlockSyncer({ app: await KvApp.open(tmp()), blockStore: new MemBlockStore(), chainId, genesis, genesisDoc, peer: peerOf(p, store, { ...genesisDoc, app_state: { kv: { x: 1 } } }) })
  const err = await s.start().then(() => undefined, (e: unknown) => e)
  assert.match(String((err as Error).message), "different genesis document")
})

test.run()
