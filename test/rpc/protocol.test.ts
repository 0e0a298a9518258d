/**
 * The RPC transport: URI (GET) forms, JSON-RPC 2.0 errors, batches and notifications, exact
 * CometBFT field formats, and the server surviving bad input; serveRpc as a scoped Effect.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { Effect } from "effect"
import { get, post, startTestNode, type TestNode } from "./fixtures/node.ts"
import { serveRpc, startRpcServer } from "../../node/rpc/index.ts"
import { openMemoryBlockStore } from "../../node/blockstore/index.ts"
import { fakeApp, FakeEngine, GENESIS } from "./fixtures/doubles.ts"
import { hexU, sha256, utf8 } from "../blockstore/fixtures/chain.ts"

const t = suite("rpc protocol")
let node: TestNode
const TX = utf8("send:cyber1alice:cyber1bob:5")

t.before(async () => {
  node = await startTestNode({ commitTimeoutMs: 100 })
  await node.engine.produceBlock()
  await node.engine.broadcastTx(TX)
  await node.engine.produceBlock()
})
t.after(() => node.close())

const rpc = (method: string, params?: unknown, id: unknown = 1) =>
  post(node.url, JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) }))

t("GET /status, /health and exact field formats", async () => {
  const s = await get(node.url, "/status")
  assert.is(s.status, 200)
  assert.is(s.json.jsonrpc, "2.0")
  assert.is(s.json.id, -1)
  const r = s.json.result
  assert.is(r.node_info.protocol_version.block, "11")
  assert.is(r.node_info.channels, "40202122233038606100")
  assert.is(r.sync_info.latest_block_height, "2")
  assert.match(r.sync_info.latest_block_hash, /^[0-9A-F]{64}$/)
  assert.is(r.sync_info.latest_block_time, "2023-11-14T22:13:22.123456Z")
  assert.is(r.validator_info.pub_key.type, "tendermint/PubKeyEd25519")
  assert.is(r.validator_info.voting_power, "10")
  assert.equal((await get(node.url, "/health")).json.result, {})
})

t("GET /abci_query with quoted path and 0x data", async () => {
  const q = await get(node.url, `/abci_query?path="/store/bank/key"&data=0x0a0b&height=1&prove=true`)
  assert.is(q.status, 200)
  const r = q.json.result.response
  assert.is(r.code, 0)
  assert.is(r.key, Buffer.from([10, 11]).toString("base64"))
  assert.is(r.value, Buffer.from([11, 10]).toString("base64"))
  assert.is(r.height, "1")
  assert.is(r.index, "0")
  assert.is(r.proofOps.ops[0].type, "ics23:iavl")
})

t("GET /tx, /tx_search, /block, /block_results, /block_by_hash, /blockchain, /validators", async () => {
  const hash = hexU(sha256(TX))
  const tx = await get(node.url, `/tx?hash=0x${hash}`)
  assert.is(tx.json.result.hash, hash)
  assert.is(tx.json.result.height, "2")
  assert.is(tx.json.result.index, 0)
  assert.is(tx.json.result.tx, Buffer.from(TX).toString("base64"))
  assert.is(tx.json.result.tx_result.gas_wanted, "200000")
  assert.is(tx.json.result.tx_result.events[1].attributes[0].index, true)
  const s = await get(node.url, `/tx_search?query="tx.height=2"&per_page=10`)
  assert.is(s.json.result.total_count, "1")
  const s2 = await get(node.url, `/tx_search?query=${encodeURIComponent(`"transfer.recipient='cyber1bob'"`)}`)
  assert.is(s2.json.result.txs[0].hash, hash)
  const b = await get(node.url, "/block?height=2")
  assert.is(b.json.result.block.header.height, "2")
  assert.is(b.json.result.block.data.txs[0], Buffer.from(TX).toString("base64"))
  assert.is(typeof b.json.result.block_id.parts.total, "number")
  assert.is(b.json.result.block.last_commit.round, 0)
  assert.is(b.json.result.block.last_commit.signatures[0].block_id_flag, 2)
  const byHash = await get(node.url, `/block_by_hash?hash=0x${b.json.result.block_id.hash}`)
  assert.is(byHash.json.result.block.header.height, "2")
  const none = await get(node.url, `/block_by_hash?hash=0x${"00".repeat(32)}`)
  assert.is(none.json.result.block, null)
  const br = await get(node.url, "/block_results?height=2")
  assert.is(br.json.result.height, "2")
  assert.is(br.json.result.txs_results.length, 1)
  assert.match(br.json.result.app_hash, /^[A-Za-z0-9+/]+=*$/)
  const bc = await get(node.url, "/blockchain?minHeight=1&maxHeight=2")
  assert.is(bc.json.result.last_height, "2")
  assert.is(bc.json.result.block_metas.length, 2)
  const v = await get(node.url, "/validators")
  assert.is(v.json.result.total, "1")
  assert.is(v.json.result.validators[0].proposer_priority, "0")
  const ni = await get(node.url, "/net_info")
  assert.is(ni.json.result.n_peers, "0")
  const g = await get(node.url, "/genesis")
  assert.is(g.json.result.genesis.chain_id, GENESIS.chain_id)
})

t("GET errors: unknown path 404, bad params -32602 (HTTP 500), height out of range -32603", async () => {
  const unknown = await get(node.url, "/no_such_method")
  assert.is(unknown.status, 404)
  const bad = await get(node.url, "/block?height=abc")
  assert.is(bad.status, 500)
  assert.is(bad.json.error.code, -32602)
  assert.match(bad.json.error.data, /height/)
  const high = await get(node.url, "/block?height=99")
  assert.is(high.json.error.code, -32603)
  assert.is(high.json.error.data, "height 99 must be less than or equal to the current blockchain height 2")
  const list = await get(node.url, "/")
  assert.match(String(list.json), /abci_query\?path=_&amp;data=_|abci_query\?path=_&data=_/)
})

t("POST errors: parse error, invalid request, method not found, invalid params", async () => {
  const parse = await post(node.url, "{not json")
  assert.is(parse.status, 500)
  assert.is(parse.json.error.code, -32700)
  assert.is(parse.json.id, null)
  const noMethod = await post(node.url, JSON.stringify({ jsonrpc: "2.0", id: 7 }))
  assert.is(noMethod.json.error.code, -32600)
  assert.is(noMethod.json.id, 7)
  const wrongVersion = await post(node.url, JSON.stringify({ jsonrpc: "1.0", id: 8, method: "status" }))
  assert.is(wrongVersion.json.error.code, -32600)
  const badId = await post(node.url, JSON.stringify({ jsonrpc: "2.0", id: { x: 1 }, method: "status" }))
  assert.is(badId.json.error.code, -32600)
  const notObject = await post(node.url, "42")
  assert.is(notObject.json.error.code, -32600)
  const unknown = await rpc("no_such_method", {}, "abc")
  assert.is(unknown.json.error.code, -32601)
  assert.is(unknown.json.error.message, "Method not found")
  assert.is(unknown.json.id, "abc")
  const badHeight = await rpc("block", { height: "abc" })
  assert.is(badHeight.json.error.code, -32602)
  assert.match(badHeight.json.error.data, /invalid param height/)
  const badTx = await rpc("broadcast_tx_sync", { tx: "***" })
  assert.match(badTx.json.error.data, /invalid param tx: expected base64/)
  const missingTx = await rpc("broadcast_tx_sync", {})
  assert.match(missingTx.json.error.data, /invalid param tx: missing/)
  const tooMany = await rpc("block", [1, 2])
  assert.is(tooMany.json.error.code, -32602)
  const badQuery = await rpc("tx_search", { query: "tx.height=5 OR tx.height=6" })
  assert.is(badQuery.json.error.code, -32602)
  assert.match(badQuery.json.error.data, /invalid param query: OR is not supported/)
  const badOrder = await rpc("tx_search", { query: "tx.height=1", order_by: "up" })
  assert.match(badOrder.json.error.data, /order_by/)
  const badPage = await rpc("tx_search", { query: "tx.height=2", page: "5" })
  assert.is(badPage.json.error.code, -32603)
  assert.match(badPage.json.error.data, /page should be within \[1, 1\] range, given 5/)
  const notFound = await rpc("tx", { hash: Buffer.alloc(32).toString("base64") })
  assert.is(notFound.json.error.code, -32603)
  assert.match(notFound.json.error.data, /tx \(0{64}\) not found/)
  const proofs = await rpc("tx", { hash: Buffer.from(sha256(TX)).toString("base64"), prove: true })
  assert.match(proofs.json.error.data, /prove=true is not supported/)
})

t("POST: a batch's broadcasts are pre-verified together before the first runs, then run in order", async () => {
  const b64 = (s: string) => Buffer.from(s).toString("base64")
  node.engine.calls.length = 0
  const batch = await post(node.url, JSON.stringify([
    { jsonrpc: "2.0", id: 1, method: "broadcast_tx_sync", params: { tx: b64("pv-one") } },
    { jsonrpc: "2.0", id: 2, method: "broadcast_tx_sync", params: { tx: "not base64!" } },
    { jsonrpc: "2.0", method: "broadcast_tx_sync", params: { tx: b64("pv-notification") } },
    { jsonrpc: "2.0", id: 3, method: "health" },
    { jsonrpc: "2.0", id: 4, method: "broadcast_tx_async", params: [b64("pv-two")] },
    { jsonrpc: "2.0", id: 5, method: "broadcast_tx_sync", params: { tx: b64("bad-three") } }
  ]))
  assert.equal(batch.json.map((r: any) => r.id), [1, 2, 3, 4, 5])
  assert.is(batch.json[0].result.code, 0)
  assert.is(batch.json[1].error.code, -32602)
  assert.is(batch.json[4].result.code, 5)
  // the notification is not executed, the malformed tx is answered by its own call
  assert.equal(node.engine.calls, ["preverify:pv-one,pv-two,bad-three", "broadcast:pv-one", "broadcast:pv-two", "broadcast:bad-three"])
  node.engine.calls.length = 0
  await post(node.url, JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "broadcast_tx_sync", params: { tx: b64("pv-alone") } }, { jsonrpc: "2.0", id: 2, method: "health" }]))
  assert.equal(node.engine.calls, ["broadcast:pv-alone"], "a single broadcast needs no batch round")
  node.engine.mempool.length = 0
})

t("POST: positional params, batches, notifications, broadcast_tx_commit timeout", async () => {
  const pos = await rpc("block", ["1"])
  assert.is(pos.json.result.block.header.height, "1")
  const batch = await post(node.url, JSON.stringify([
    { jsonrpc: "2.0", id: 1, method: "health" },
    { jsonrpc: "2.0", method: "status" },
    { jsonrpc: "2.0", id: 2, method: "nope" },
    5,
    { jsonrpc: "2.0", id: 3, method: "abci_query", params: { path: "/store/bank/key", data: "0102" } }
  ]))
  assert.is(batch.status, 200)
  assert.ok(Array.isArray(batch.json))
  assert.equal(batch.json.map((r: any) => r.id), [1, 2, null, 3])
  assert.equal(batch.json[0].result, {})
  assert.is(batch.json[1].error.code, -32601)
  assert.is(batch.json[2].error.code, -32600)
  assert.is(batch.json[3].result.response.value, Buffer.from([2, 1]).toString("base64"))
  const single = await post(node.url, JSON.stringify([{ jsonrpc: "2.0", id: 9, method: "health" }]))
  assert.ok(Array.isArray(single.json))
  const notification = await post(node.url, JSON.stringify({ jsonrpc: "2.0", method: "health" }))
  assert.is(notification.status, 200)
  assert.is(notification.json, undefined)
  const empty = await post(node.url, "[]")
  assert.is(empty.json.error.code, -32600)
  // No block is produced: broadcast_tx_commit times out after commitTimeoutMs (100 ms here).
  const timeout = await rpc("broadcast_tx_commit", { tx: Buffer.from("send:a:b:1").toString("base64") })
  assert.is(timeout.json.error.code, -32603)
  assert.match(timeout.json.error.data, /timed out waiting for tx/)
  node.engine.mempool.length = 0
})

t("the server keeps serving after bad input", async () => {
  for (let i = 0; i < 20; i++) await post(node.url, i % 2 === 0 ? "][" : JSON.stringify({ jsonrpc: "2.0", id: i, method: "block", params: { height: -1 } }))
  const s = await rpc("status")
  assert.is(s.json.result.sync_info.latest_block_height, "2")
})

t("CORS: off by default; preflight and allow-origin when configured", async () => {
  const plain = await fetch(node.url + "/health", { headers: { origin: "https://wallet.example" } })
  assert.is(plain.headers.get("access-control-allow-origin"), null)
  const store = await openMemoryBlockStore()
  const engine = new FakeEngine(store)
  const server = await startRpcServer({
    address: "127.0.0.1:0", app: fakeApp(engine), engine, blockStore: store, genesis: GENESIS,
    nodeInfo: { nodeId: "b".repeat(40), moniker: "cors", listenAddr: "tcp://0.0.0.0:26656" },
    corsAllowedOrigins: ["https://wallet.example"]
  })
  try {
    const pre = await fetch(server.url + "/", { method: "OPTIONS", headers: { origin: "https://wallet.example", "access-control-request-method": "POST" } })
    assert.is(pre.status, 204)
    assert.match(pre.headers.get("access-control-allow-methods") ?? "", /POST/)
    const ok = await fetch(server.url + "/health", { headers: { origin: "https://wallet.example" } })
    assert.is(ok.headers.get("access-control-allow-origin"), "https://wallet.example")
    const other = await fetch(server.url + "/health", { headers: { origin: "https://evil.example" } })
    assert.is(other.headers.get("access-control-allow-origin"), null)
  } finally {
    await server.close()
  }
})

t("serveRpc: listens inside a scope and stops when it closes", async () => {
  const store = await openMemoryBlockStore()
  const engine = new FakeEngine(store)
  const url = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    const server = yield* serveRpc({
      address: "127.0.0.1:0", app: fakeApp(engine), engine, blockStore: store, genesis: GENESIS,
      nodeInfo: { nodeId: "b".repeat(40), moniker: "scoped", listenAddr: "tcp://0.0.0.0:26656" }
    })
    const h = yield* Effect.promise(() => get(server.url, "/health"))
    assert.is(h.status, 200)
    return server.url
  })))
  let refused = false
  try {
    await fetch(url + "/health")
  } catch {
    refused = true
  }
  assert.ok(refused, "server still listening after the scope closed")
})

t.run()
