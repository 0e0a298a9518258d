/**
 * Cross-check with the real embedded block producer (modules/consensus/producer) writing into
 * the LevelDB block store: the RPC's header JSON, decoded by CosmJS and hashed here as CometBFT's
 * Header.Hash() (types/block.go: Merkle root of the proto-encoded fields, scalars in wrapper
 * messages), gives the block hash; block_id part set headers agree with the next header's
 * last_block_id; txs found by tx and tx_search; commit served from the next block.
 * The application is the kvstore test double of test/consensus.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { Comet38Client } from "@cosmjs/tendermint-rpc"
import { makeProducer } from "../../modules/consensus/producer/Producer.ts"
import { openLevelBlockStore } from "../../node/blockstore/index.ts"
import { startRpcServer } from "../../node/rpc/index.ts"
import { KvApp } from "../consensus/kvApp.ts"

import { BinaryWriter } from "cosmjs-types/binary"
import { Timestamp } from "cosmjs-types/google/protobuf/timestamp"
import { BlockID } from "cosmjs-types/tendermint/types/types"
import { Consensus } from "cosmjs-types/tendermint/version/types"
import type { comet38 } from "@cosmjs/tendermint-rpc"
import { hashFromByteSlices } from "../../node/blockstore/index.ts"

// google.protobuf wrapper messages (field 1; a zero value encodes to nothing).
const bytesValue = (b: Uint8Array) => (b.length === 0 ? new Uint8Array() : new BinaryWriter().uint32(10).bytes(b).finish())
const stringValue = (s: string) => (s === "" ? new Uint8Array() : new BinaryWriter().uint32(10).string(s).finish())
const int64Value = (n: number) => (n === 0 ? new Uint8Array() : new BinaryWriter().uint32(8).int64(BigInt(n)).finish())

// CosmJS's own hashBlock (comet38/hasher.js) still encodes the amino-era layout (no wrapper
// messages), so it cannot check a v0.38 header; this follows types/block.go Header.Hash().
const headerHash = (h: comet38.Header): Uint8Array => {
  const ms = h.time.getTime()
  const seconds = BigInt(Math.floor(ms / 1000))
  const nanos = (((ms % 1000) + 1000) % 1000) * 1_000_000 + (h.time.nanoseconds ?? 0)
  const id = h.lastBlockId
  return hashFromByteSlices([
    Consensus.encode({ block: BigInt(h.version.block), app: BigInt(h.version.app) }).finish(),
    stringValue(h.chainId),
    int64Value(h.height),
    Timestamp.encode({ seconds, nanos }).finish(),
    BlockID.encode({ hash: id?.hash ?? new Uint8Array(), partSetHeader: { total: id?.parts.total ?? 0, hash: id?.parts.hash ?? new Uint8Array() } }).finish(),
    ...[h.lastCommitHash, h.dataHash, h.validatorsHash, h.nextValidatorsHash, h.consensusHash, h.appHash,
      h.lastResultsHash, h.evidenceHash, h.proposerAddress].map(bytesValue)
  ])
}
const enc = new TextEncoder()
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

/**
 * The kvstore app in a temp dir under the real producer, LevelDB block store and RPC server, with
 * a CosmJS client. `wrap` may replace app methods before the producer starts (the race test holds
 * Commit). `close` tears it all down.
 */
const startStack = async (chainId: string, keyFill: number, wrap: (app: KvApp) => void = () => {}) => {
  const dir = mkdtempSync(join(tmpdir(), "rpc-producer-"))
  const app = await KvApp.open(join(dir, "app"))
  wrap(app)
  const store = await openLevelBlockStore(join(dir, "blocks"))
  const scope = Effect.runSync(Scope.make())
  const producer = await Effect.runPromise(Scope.provide(scope)(makeProducer({
    app, blockStore: store, chainId, validatorKey: new Uint8Array(32).fill(keyFill), blockTimeMs: 3_600_000,
    genesis: { time: { seconds: 1_800_000_000n, nanos: 0 }, appState: enc.encode('{"kv":{}}') }
  })))
  const rpc = await startRpcServer({
    address: "127.0.0.1:0", app, engine: producer, blockStore: store, genesis: { chain_id: chainId },
    nodeInfo: { nodeId: "c".repeat(40), moniker: "producer", listenAddr: "tcp://0.0.0.0:26656" }
  })
  const client = await Comet38Client.connect(rpc.url)
  const close = async () => {
    client.disconnect()
    await rpc.close()
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await store.close()
    await app.db.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return { producer, store, client, close }
}

test("producer + LevelDB block store + RPC, checked by CosmJS", async () => {
  const { producer, store, client, close } = await startStack("cyber-rpc-1", 42)
  try {
    let now = 1_800_000_001_250_000_000n
    await producer.produceBlock(now)
    const sync = await client.broadcastTxSync({ tx: enc.encode("name=satoshi") })
    assert.is(sync.code, 0)
    await client.broadcastTxSync({ tx: enc.encode("color=blue") })
    await producer.produceBlock((now += 1_000_000_000n))
    await producer.produceBlock((now += 1_000_000_007n))

    const status = await client.status()
    assert.is(status.syncInfo.latestBlockHeight, 3)
    assert.is(hex(status.syncInfo.latestBlockHash), hex(producer.tip().blockHash))

    for (const h of [1, 2, 3]) {
      const b = await client.block(h)
      assert.is(hex(headerHash(b.block.header)), hex(b.blockId.hash), `hash of header ${h} as decoded by CosmJS`)
    }
    const b2 = await client.block(2)
    const b3 = await client.block(3)
    assert.equal(b3.block.header.lastBlockId, b2.blockId, "block_id of 2 = last_block_id of 3 (parts included)")
    assert.is(b2.block.txs.length, 2)

    const tx = await client.tx({ hash: sync.hash })
    assert.is(tx.height, 2)
    const found = await client.txSearch({ query: "tx.height=2" })
    assert.is(found.totalCount, 2)

    const c = await client.commit(2)
    assert.is(c.canonical, true)
    assert.equal(c.commit.blockId, b2.blockId)
    assert.is(c.commit.signatures.length, 1)

    const results = await client.blockResults(2)
    assert.is(results.results.length, 2)
    assert.is(results.results[0]!.code, 0)
  } finally {
    await close()
  }
})

test("a tx is visible to tx and tx_search only once its block is committed (the state after it is readable)", async () => {
  // hold Commit until released: FinalizeBlock results are saved by then, the app state is not
  let release: () => void = () => {}
  let held: Promise<void> | undefined
  const { producer, store, client, close } = await startStack("cyber-rpc-2", 43, (app) => {
    const commit = app.commit.bind(app)
    app.commit = async () => {
      if (held) await held
      return commit()
    }
  })
  try {
    let now = 1_800_000_001_250_000_000n
    await producer.produceBlock(now)
    const sync = await client.broadcastTxSync({ tx: enc.encode("k=v") })
    assert.is(sync.code, 0)
    held = new Promise<void>((r) => (release = r))
    const producing = producer.produceBlock((now += 1_000_000_000n))
    // wait until the block's results are in the store (FinalizeBlock done), Commit still held
    for (let i = 0; i < 200 && (await store.tx(sync.hash)) === undefined; i++) await new Promise((r) => setTimeout(r, 10))
    assert.ok((await store.tx(sync.hash)) !== undefined, "results saved before Commit")
    const early = await client.tx({ hash: sync.hash }).then(() => "found", (e: Error) => e.message)
    assert.match(early, /not found/)
    assert.is((await client.txSearch({ query: `tx.hash='${hex(sync.hash).toUpperCase()}'` })).totalCount, 0)
    release()
    await producing
    assert.is((await client.tx({ hash: sync.hash })).height, 2)
    assert.is((await client.txSearch({ query: `tx.hash='${hex(sync.hash).toUpperCase()}'` })).totalCount, 1)
  } finally {
    release()
    await close()
  }
})

test.run()
