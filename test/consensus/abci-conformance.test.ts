/**
 * ABCI conformance over a real socket: the CometClient (CometBFT's call sequence) against the
 * ABCI server driving a persistent kvstore test app; restart with block replay.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startAbciServer, type AbciServer } from "../../modules/consensus/abci/AbciServer.ts"
import { CometClient, type CometGenesis } from "./cometClient.ts"
import { KvApp } from "./kvApp.ts"

const enc = new TextEncoder()
const dec = new TextDecoder()
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

const genesis: CometGenesis = {
  chainId: "conformance-1", time: { seconds: 1_700_000_000n, nanos: 0 }, initialHeight: 1n,
  validators: [{ pubKey: { ed25519: new Uint8Array(32).fill(1) }, power: 10n }], appStateBytes: enc.encode("{}")
}

const withServer = async (dir: string, address: string, body: (app: KvApp, server: AbciServer) => Promise<void>) => {
  const app = await KvApp.open(dir)
  const server = await startAbciServer({ app, address })
  try { await body(app, server) } finally { await server.close(); await app.close() }
}

for (const kind of ["tcp", "unix"] as const) {
  test(`${kind}: handshake, InitChain, blocks, CheckTx, Query, restart with replay`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "abci-conf-"))
    const address = kind === "tcp" ? "tcp://127.0.0.1:0" : `unix://${join(dir, "abci.sock")}`
    try {
      let held: CometClient["blocks"] = []
      let hashAt3 = ""
      await withServer(join(dir, "app"), address, async (app, server) => {
        const c = await CometClient.connect(server.address)
        assert.is(server.connections(), 4)
        const hs = await c.handshake(genesis)
        assert.is(hs.info.lastBlockHeight, 0n)
        assert.ok(hs.initChain !== undefined, "InitChain at app height 0")
        assert.equal(hs.replayed, [])
        // block 1: two txs via the mempool connection
        assert.is((await c.checkTx(enc.encode("a=1"))).code, 0)
        assert.is((await c.checkTx(enc.encode("b=2"))).code, 0)
        assert.is((await c.checkTx(enc.encode("garbage"))).code, 1)
        const f1 = await c.produceBlock()
        assert.is(f1.txResults.length, 2)
        // block 2: one tx per block; the second write to a write-once key becomes invalid
        // after the commit and is dropped on recheck
        app.maxTxsPerBlock = 1
        assert.is((await c.checkTx(enc.encode("!c=3"))).code, 0)
        assert.is((await c.checkTx(enc.encode("!c=4"))).code, 0)
        const f2 = await c.produceBlock()
        assert.is(f2.txResults.length, 1)
        assert.is(c.mempool.length, 0, "the stale tx was dropped by recheck")
        assert.ok(app.calls.includes("checkTx:1"), "RECHECK reached the app")
        app.maxTxsPerBlock = Number.MAX_SAFE_INTEGER
        await c.checkTx(enc.encode("d=4"))
        await c.checkTx(enc.encode("d2=4"))
        // height 3 decides in round 2: two earlier proposals were processed and dropped
        const f3 = await c.produceBlock({ failedRounds: 2 })
        assert.is(f3.txResults.length, 2)
        assert.equal(app.calls.filter((x) => x === "processProposal:3").length, 3)
        hashAt3 = hex(c.appHash)
        const q = await c.query("/key", enc.encode("a"))
        assert.is(q.code, 0)
        assert.is(dec.decode(q.value), "1")
        assert.is(q.height, 3n)
        // block 4 finalized but the app "crashes" before Commit
        await c.checkTx(enc.encode("e=5"))
        await c.produceBlock({ stopBeforeCommit: true })
        assert.is(c.height(), 4)
        // consensus-connection calls reached the app strictly in order
        const cons = app.calls.filter((s) => !s.startsWith("checkTx") && s !== "query" && s !== "info")
        assert.equal(cons.slice(0, 5), ["initChain", "prepareProposal:1", "processProposal:1", "finalizeBlock:1", "commit"])
        held = c.blocks
        c.close()
      })
      // restart: same state dir, a new client holding the 4 blocks
      await withServer(join(dir, "app"), address, async (app, server) => {
        const c = await CometClient.connect(server.address, held)
        const hs = await c.handshake(genesis)
        assert.is(hs.info.lastBlockHeight, 3n)
        assert.is(hex(hs.info.lastBlockAppHash), hashAt3)
        assert.is(hs.initChain, undefined)
        assert.equal(hs.replayed, [4])
        assert.equal(app.calls, ["info", "finalizeBlock:4", "commit"])
        assert.is(dec.decode((await c.query("/key", enc.encode("e"))).value), "5")
        await c.produceBlock()
        c.close()
      })
      // a fresh app (empty state) replays the whole chain from InitChain
      await withServer(join(dir, "app2"), address, async (_app, server) => {
        const c = await CometClient.connect(server.address, held)
        const hs = await c.handshake(genesis)
        assert.ok(hs.initChain !== undefined)
        assert.equal(hs.replayed, [1, 2, 3, 4])
        c.close()
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
}

test("snapshot connection and vote extensions answer the not-supported defaults", async () => {
  const dir = mkdtempSync(join(tmpdir(), "abci-conf-"))
  try {
    await withServer(dir, "tcp://127.0.0.1:0", async (_app, server) => {
      const c = await CometClient.connect(server.address)
      const s = c.conns.snapshot
      assert.equal((await s.call({ listSnapshots: {} })).listSnapshots!.snapshots, [])
      assert.is((await s.call({ offerSnapshot: { appHash: new Uint8Array(32) } })).offerSnapshot!.result, 3) // REJECT
      assert.is((await s.call({ loadSnapshotChunk: { height: 1n, format: 1, chunk: 0 } })).loadSnapshotChunk!.chunk.length, 0)
      assert.is((await s.call({ applySnapshotChunk: { index: 0, chunk: new Uint8Array(1), sender: "p" } })).applySnapshotChunk!.result, 5)
      assert.is((await c.conns.consensus.call({ extendVote: { height: 1n } })).extendVote!.voteExtension.length, 0)
      assert.is((await c.conns.consensus.call({ verifyVoteExtension: { height: 1n } })).verifyVoteExtension!.status, 1)
      c.close()
    })
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

test("consensus calls pipelined on one connection run in order; other connections are not blocked", async () => {
  const dir = mkdtempSync(join(tmpdir(), "abci-conf-"))
  const app = await KvApp.open(dir)
  // slow consensus calls: the first takes longest, so a reordering server would answer it last
  const order: string[] = []
  const slow = Object.create(app) as KvApp
  let delay = 60
  for (const m of ["prepareProposal", "processProposal", "finalizeBlock", "commit"] as const) {
    const orig = (app[m] as (...a: unknown[]) => Promise<unknown>).bind(app)
    ;(slow as unknown as Record<string, unknown>)[m] = async (...a: unknown[]) => {
      const d = delay; delay = Math.max(0, delay - 20)
      order.push(`start ${m}`)
      await new Promise((r) => setTimeout(r, d))
      const res = await orig(...a)
      order.push(`end ${m}`)
      return res
    }
  }
  const server = await startAbciServer({ app: slow, address: "tcp://127.0.0.1:0" })
  try {
    const c = await CometClient.connect(server.address)
    await c.handshake(genesis)
    const time = { seconds: 1_700_000_001n, nanos: 0 }
    const base = { txs: [enc.encode("p=1")], misbehavior: [], hash: new Uint8Array(32), height: 1n, time,
      nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20) }
    const cons = c.conns.consensus
    const ps = [
      cons.send({ prepareProposal: { ...base, maxTxBytes: 1000n, localLastCommit: { round: 0, votes: [] } } }),
      cons.send({ processProposal: { ...base, proposedLastCommit: { round: 0, votes: [] } } }),
      cons.send({ finalizeBlock: { ...base, decidedLastCommit: { round: 0, votes: [] } } }),
      cons.send({ commit: {} }),
      cons.send({ flush: {} })
    ]
    // meanwhile the mempool connection answers before the first slow consensus call ends
    let firstDone = false
    void ps[0]!.then(() => { firstDone = true })
    assert.is((await c.conns.mempool.call({ echo: { message: "fast" } })).echo!.message, "fast")
    assert.is(firstDone, false, "mempool connection not blocked by the slow consensus calls")
    const rs = await Promise.all(ps)
    assert.ok(rs[2]!.finalizeBlock !== undefined && rs[3]!.commit !== undefined)
    assert.equal(order, ["prepareProposal", "processProposal", "finalizeBlock", "commit"].flatMap((m) => [`start ${m}`, `end ${m}`]))
    c.close()
  } finally { await server.close(); await app.close(); rmSync(dir, { recursive: true, force: true }) }
})

test.run()
