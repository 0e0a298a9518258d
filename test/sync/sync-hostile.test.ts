/**
 * Sync against hostile peers: a server (in this test, on a real libp2p host with the real
 * SyncServer) that serves the producer's blocks with one of them tampered. A full node started
 * by the CLI with `--sync-from` that server stops with an error naming the height and stores
 * nothing of the refused block: a flipped precommit signature; a next header claiming another
 * app hash; a genesis document that is not the node's. The producer's own server keeps its
 * bounds (oversized frame, bad range, huge range) and keeps running.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { randomBytes } from "node:crypto"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate"
import type { BlockStore, StoredBlock } from "../../chain/BlockStore.ts"
import { openLevelBlockStore } from "../../node/blockstore/LevelBlockStore.ts"
import { FrameReader, writeFrame } from "../../node/sync/internal/Frames.ts"
import { SyncClient } from "../../node/sync/SyncClient.ts"
import { startSyncHost, type SyncHost } from "../../node/sync/SyncHost.ts"
import { decodeResponse, encodeRequest, MAX_BLOCKS_PER_RESPONSE, SYNC_PROTOCOL, SyncErrorCode } from "../../node/sync/SyncProtocol.ts"
import { serveSync } from "../../node/sync/SyncServer.ts"
import { freePort, startNode, type NodeProcess } from "../e2e/harness.ts"
import { heightOf, makeFullNodeHome, makeProducerHome, startFullNode, waitHeight, type ProducerHome } from "./support.ts"

const N = 30
const BAD = 20

interface Ctx { p: ProducerHome; pn: NodeProcess; host: SyncHost; blocks: StoredBlock[]; genesis: unknown }
const test = suite<Ctx>("sync-hostile")

/** A hostile server on a free port serving `blocks` (1-based) and `genesis`. */
const hostile = async (blocks: ReadonlyArray<StoredBlock>, genesis: unknown): Promise<{ host: SyncHost; addr: string }> => {
  const port = await freePort()
  const host = await startSyncHost(new Uint8Array(randomBytes(32)), `/ip4/127.0.0.1/tcp/${port}`)
  const store = {
    height: () => blocks.length, base: () => 1,
    block: async (h: number) => blocks[h - 1]
  } as unknown as BlockStore
  await serveSync(host.libp2p, { chainId: blocks[0]!.header.chainId, genesis, blockStore: store, tip: () => ({ height: blocks.length, appHash: blocks[blocks.length - 1]!.header.appHash }) })
  return { host, addr: `/ip4/127.0.0.1/tcp/${port}` }
}

/** Start a full node against `addr`; expects it to exit non-zero; returns its output and stored height. */
const refusedBy = async (addr: string, home?: { home: string; rpcUrl: string }): Promise<{ output: string; stored: number; code: number | null }> => {
  const f = home ?? await makeFullNodeHome()
  const fn = await startFullNode(f.home, f.rpcUrl, addr)
  let timer: ReturnType<typeof setTimeout> | undefined
  const code = await Promise.race([fn.exited, new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), 90_000)))])
  clearTimeout(timer)
  if (code === "timeout") {
    await fn.kill()
    throw new Error(`full node did not stop:\n${fn.output().slice(-3000)}`)
  }
  let stored = 0
  try {
    const store = await openLevelBlockStore(join(f.home, "data", "blocks"))
    stored = store.height()
    await store.close()
  } catch {
    stored = 0
  }
  return { output: fn.output(), stored, code }
}

const clone = (b: StoredBlock): StoredBlock => structuredClone(b)

test.before(async (ctx) => {
  ctx.p = await makeProducerHome(50)
  ctx.pn = await startNode(ctx.p)
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(ctx.p.mnemonic, { prefix: "cyber" })
  const alice = (await wallet.getAccounts())[0]!.address
  const client = await SigningStargateClient.connectWithSigner(ctx.p.rpcUrl, wallet, { gasPrice: GasPrice.fromString("0.01boot"), broadcastPollIntervalMs: 50 })
  for (let i = 0; i < 5; i++) {
    const res = await client.sendTokens(alice, alice, [{ denom: "boot", amount: "1" }], "auto")
    assert.is(res.code, 0, res.rawLog)
  }
  client.disconnect()
  await waitHeight(ctx.p.rpcUrl, N + 1, 60_000, ctx.pn.output)
  ctx.host = await startSyncHost(new Uint8Array(randomBytes(32)))
  const c = await SyncClient.connect(ctx.host.libp2p, ctx.p.syncAddr)
  ctx.blocks = []
  while (ctx.blocks.length < N) ctx.blocks.push(...(await c.blocks(ctx.blocks.length + 1, N)).map((b) => b.block))
  await c.close()
  ctx.genesis = JSON.parse(readFileSync(join(ctx.p.home, "config", "genesis.json"), "utf8"))
})

test.after(async (ctx) => {
  await ctx.host?.stop()
  await ctx.pn?.kill("SIGTERM")
})

test("a flipped precommit signature: the sync stops naming the height; the block is not stored", async (ctx) => {
  const blocks = ctx.blocks.map(clone)
  const sig = blocks[BAD]!.lastCommit.signatures[0]! // block BAD+1 carries the commit for BAD
  sig.signature[5] = sig.signature[5]! ^ 0x01
  const s = await hostile(blocks, ctx.genesis)
  try {
    const r = await refusedBy(s.addr)
    assert.is.not(r.code, 0)
    assert.match(r.output, `block ${BAD} rejected: invalid precommit signature`)
    assert.is(r.stored, BAD - 1, "blocks below the bad one are stored, the bad one is not")
  } finally {
    await s.host.stop()
  }
})

test("a next header claiming another app hash: re-execution disagrees, the sync stops naming the height", async (ctx) => {
  const blocks = ctx.blocks.map(clone)
  blocks[BAD]!.header.appHash = new Uint8Array(randomBytes(32))
  const s = await hostile(blocks, ctx.genesis)
  try {
    const r = await refusedBy(s.addr)
    assert.is.not(r.code, 0)
    assert.match(r.output, `block ${BAD} rejected: re-executing block ${BAD} gives app hash`)
    assert.is(r.stored, BAD - 1)
  } finally {
    await s.host.stop()
  }
})

test("a peer with another genesis document is refused at start", async (ctx) => {
  const forged = structuredClone(ctx.genesis) as { app_state: { bank: { balances: Array<{ coins: Array<{ amount: string }> }> } } }
  forged.app_state.bank.balances[0]!.coins[0]!.amount = "999"
  const s = await hostile(ctx.blocks, forged)
  const f = await makeFullNodeHome()
  mkdirSync(join(f.home, "config"), { recursive: true })
  writeFileSync(join(f.home, "config", "genesis.json"), JSON.stringify(ctx.genesis, null, 2))
  try {
    const r = await refusedBy(s.addr, f)
    assert.is.not(r.code, 0)
    assert.match(r.output, "different genesis document")
    assert.is(r.stored, 0)
  } finally {
    await s.host.stop()
  }
})

test("the producer's sync server keeps its bounds and keeps serving", async (ctx) => {
  const stream = await ctx.host.libp2p.dialProtocol((await import("@multiformats/multiaddr")).multiaddr(ctx.p.syncAddr) as never, SYNC_PROTOCOL)
  const reader = new FrameReader(stream)
  // a bad range is answered with an error; the stream stays usable
  await writeFrame(stream, encodeRequest({ _tag: "Blocks", from: 5, to: 2 }))
  const bad = decodeResponse((await reader.next(1 << 20))!)
  assert.is(bad._tag, "Error")
  assert.is(bad._tag === "Error" && bad.code, SyncErrorCode.BadRequest)
  // a huge range is clamped
  await writeFrame(stream, encodeRequest({ _tag: "Blocks", from: 1, to: 1_000_000 }))
  const many = decodeResponse((await reader.next(64 << 20))!)
  assert.is(many._tag, "Blocks")
  assert.ok(many._tag === "Blocks" && many.blocks.length >= N && many.blocks.length <= MAX_BLOCKS_PER_RESPONSE)
  // an oversized frame is refused before its body is read, and the stream ends
  await writeFrame(stream, new Uint8Array(4096))
  const big = decodeResponse((await reader.next(1 << 20))!)
  assert.is(big._tag === "Error" && big.code, SyncErrorCode.TooLarge)
  assert.is(await reader.next(1 << 20).catch(() => undefined), undefined, "stream ended")
  // the producer goes on
  const h = await heightOf(ctx.p.rpcUrl)
  await waitHeight(ctx.p.rpcUrl, h + 2, 20_000, ctx.pn.output)
  const c = await SyncClient.connect(ctx.host.libp2p, ctx.p.syncAddr)
  assert.ok((await c.status()).height >= h)
  await c.close()
})

test.run()
