/**
 * The `/websocket` endpoint against the real producer (in process, blocks on demand) with a raw
 * `ws` client: CometBFT's event messages (id of the subscribe request, query, typed data, events
 * map), query matching (tm.event, tx.hash, numeric tx.height, attributes, EXISTS), subscribe /
 * unsubscribe / unsubscribe_all semantics and errors, the per-client and client-count limits,
 * ordinary methods and block_search over the socket, oversized frames, and the node going on.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { createHash } from "node:crypto"
import { openMemoryBlockStore } from "../../node/blockstore/index.ts"
import { startRpcServer } from "../../node/rpc/index.ts"
import { fakeApp, FakeEngine, GENESIS, VALIDATOR_KEY } from "../rpc/fixtures/doubles.ts"
import { rawClient, startStack, type Stack } from "./fixtures/stack.ts"

const t = suite("websocket protocol")
let stack: Stack
t.before(async () => {
  stack = await startStack({ maxSubscriptionClients: 3, maxBodyBytes: 8192 })
  await stack.produce()
})
t.after(async () => { await stack.close() })

const sha = (s: string) => createHash("sha256").update(s).digest("hex").toUpperCase()
const byId = (id: string) => (m: any) => m.id === id

t("subscribe: {} then NewBlock, NewBlockHeader and Tx events in CometBFT's shape", async () => {
  const c = await rawClient(stack.wsUrl)
  c.call("subscribe", { query: "tm.event='NewBlock'" }, "nb")
  assert.equal((await c.next(byId("nb"))).result, {})
  c.call("subscribe", { query: "tm.event = 'NewBlockHeader'" }, "nbh")
  await c.next(byId("nbh"))
  c.call("subscribe", ["tm.event='Tx'"], 7)
  await c.next(byId(7 as any))
  assert.is(await stack.broadcast("color=blue"), 0)
  const height = await stack.produce()

  const nb = await c.next(byId("nb"))
  assert.is(nb.jsonrpc, "2.0")
  assert.is(nb.result.query, "tm.event='NewBlock'", "the query as the client sent it")
  assert.is(nb.result.data.type, "tendermint/event/NewBlock")
  const v = nb.result.data.value
  assert.is(v.block.header.height, String(height))
  assert.equal(v.block.data.txs, [Buffer.from("color=blue").toString("base64")])
  assert.match(v.block_id.hash, /^[0-9A-F]{64}$/)
  assert.is(v.block_id.parts.total, 1)
  assert.is(v.result_finalize_block.tx_results.length, 1)
  assert.is(v.result_finalize_block.tx_results[0].code, 0)
  assert.match(v.result_finalize_block.app_hash, /^[A-Za-z0-9+/]+=*$/, "app hash base64 (cmtjson []byte)")
  const parity = height % 2 === 0 ? "even" : "odd"
  assert.equal(nb.result.events, { "tag.note": ["x"], "tag.parity": [parity], "tm.event": ["NewBlock"] }, "FinalizeBlock events, indexed or not")

  const nbh = await c.next(byId("nbh"))
  assert.is(nbh.result.data.type, "tendermint/event/NewBlockHeader")
  assert.is(nbh.result.data.value.header.height, String(height))
  assert.is(nbh.result.data.value.header.chain_id, "ws-test-1")

  const tx = await c.next(byId(7 as any))
  assert.is(tx.result.data.type, "tendermint/event/Tx")
  const r = tx.result.data.value.TxResult
  assert.is(r.height, String(height))
  assert.is(r.index, 0)
  assert.is(r.tx, Buffer.from("color=blue").toString("base64"))
  assert.is(r.result.code, 0)
  assert.equal(r.result.events, [{ type: "kv", attributes: [{ key: "key", value: "color", index: true }] }])
  assert.equal(tx.result.events, { "kv.key": ["color"], "tm.event": ["Tx"], "tx.hash": [sha("color=blue")], "tx.height": [String(height)] })
  c.ws.close()
})

t("queries: attributes, tx.hash either case, numeric tx.height, EXISTS, an event-type key", async () => {
  const c = await rawClient(stack.wsUrl)
  const subscribe = async (id: string, query: string) => {
    c.call("subscribe", { query }, id)
    const r = await c.next(byId(id))
    assert.equal(r.result, {}, `${query}: ${JSON.stringify(r.error)}`)
  }
  await subscribe("key", "tm.event='Tx' AND kv.key='shape'")
  await subscribe("hash", `tx.hash='${sha("shape=round").toLowerCase()}'`)
  const next = stack.producer.tip().height + 1
  await subscribe("height", `tm.event='Tx' AND tx.height>=${next + 1}`)
  await subscribe("exists", "kv.key EXISTS AND tm.event='Tx'")
  await subscribe("type", "kv EXISTS")
  await stack.broadcast("shape=round")
  await stack.broadcast("size=10")
  await stack.produce()
  const keyed = await c.next(byId("key"))
  assert.is(Buffer.from(keyed.result.data.value.TxResult.tx, "base64").toString(), "shape=round")
  const hashed = await c.next(byId("hash"))
  assert.is(hashed.result.data.value.TxResult.index, 0)
  for (const id of ["exists", "exists", "type", "type"]) await c.next(byId(id))
  await stack.broadcast("size=11")
  await stack.produce()
  const high = await c.next(byId("height"))
  assert.is(Buffer.from(high.result.data.value.TxResult.tx, "base64").toString(), "size=11")
  await new Promise((r) => setTimeout(r, 50))
  assert.is(c.inbox.filter((m) => m.id === "key" || m.id === "hash" || m.id === "height").length, 0, "no other tx matched those queries")
  c.ws.close()
})

t("unsubscribe, unsubscribe_all and their errors; duplicates; bad queries name the problem", async () => {
  const c = await rawClient(stack.wsUrl)
  c.call("subscribe", { query: "tm.event='NewBlock'" }, "a")
  await c.next(byId("a"))
  c.call("subscribe", { query: "tm.event = 'NewBlock'" }, "dup")
  const dup = await c.next(byId("dup"))
  assert.is(dup.error.code, -32603)
  assert.is(dup.error.data, "already subscribed")
  c.call("subscribe", { query: "tm.event='NewBlock' OR tm.event='Tx'" }, "bad")
  const bad = await c.next(byId("bad"))
  assert.is(bad.error.code, -32602)
  assert.match(bad.error.data, /^invalid param query: failed to parse query: OR is not supported.* at position \d+/)
  c.call("subscribe", { query: "x".repeat(600) }, "long")
  assert.match((await c.next(byId("long"))).error.data, /maximum query length \(512\) exceeded/)
  c.call("subscribe", {}, "none")
  assert.match((await c.next(byId("none"))).error.data, /invalid param query: missing/)

  c.call("unsubscribe", { query: "tm.event='Tx'" }, "u0")
  assert.is((await c.next(byId("u0"))).error.data, "subscription not found")
  c.call("unsubscribe", { query: "tm.event =  'NewBlock'" }, "u1")
  assert.equal((await c.next(byId("u1"))).result, {}, "the same query spelled differently")
  await stack.produce()
  await new Promise((r) => setTimeout(r, 50))
  assert.is(c.inbox.filter((m) => m.id === "a").length, 0, "no events after unsubscribe")

  c.call("unsubscribe_all", undefined, "ua0")
  assert.is((await c.next(byId("ua0"))).error.data, "subscription not found")
  c.call("subscribe", { query: "tm.event='NewBlock'" }, "b")
  c.call("subscribe", { query: "tm.event='NewBlockHeader'" }, "c")
  await c.next(byId("b"))
  await c.next(byId("c"))
  c.call("unsubscribe_all", undefined, "ua1")
  assert.equal((await c.next(byId("ua1"))).result, {})
  await stack.produce()
  await new Promise((r) => setTimeout(r, 50))
  assert.is(c.inbox.filter((m) => m.id === "b" || m.id === "c").length, 0)
  c.ws.close()
})

t("max_subscriptions_per_client (5) and max_subscription_clients (3 here)", async () => {
  const c = await rawClient(stack.wsUrl)
  for (let i = 0; i < 5; i++) {
    c.call("subscribe", { query: `tm.event='Tx' AND kv.key='k${i}'` }, `s${i}`)
    assert.equal((await c.next(byId(`s${i}`))).result, {})
  }
  c.call("subscribe", { query: "tm.event='Tx' AND kv.key='k5'" }, "s5")
  const over = await c.next(byId("s5"))
  assert.is(over.error.code, -32603)
  assert.is(over.error.data, "max_subscriptions_per_client 5 reached")

  const others = [await rawClient(stack.wsUrl), await rawClient(stack.wsUrl), await rawClient(stack.wsUrl)]
  others[0]!.call("subscribe", { query: "tm.event='NewBlock'" }, "o0")
  assert.equal((await others[0]!.next(byId("o0"))).result, {})
  others[1]!.call("subscribe", { query: "tm.event='NewBlock'" }, "o1")
  assert.equal((await others[1]!.next(byId("o1"))).result, {})
  others[2]!.call("subscribe", { query: "tm.event='NewBlock'" }, "o2")
  assert.is((await others[2]!.next(byId("o2"))).error.data, "max_subscription_clients 3 reached")
  // A client that leaves frees its place.
  c.ws.close()
  await c.waitClose()
  await new Promise((r) => setTimeout(r, 50))
  others[2]!.call("subscribe", { query: "tm.event='NewBlock'" }, "o2b")
  assert.equal((await others[2]!.next(byId("o2b"))).result, {})
  for (const o of others) o.ws.close()
})

t("ordinary methods over the socket; no batches; subscribe is websocket-only", async () => {
  const c = await rawClient(stack.wsUrl)
  c.call("status", undefined, "st")
  const st = await c.next(byId("st"))
  assert.is(st.result.node_info.network, "ws-test-1")
  c.call("block_search", { query: "block.height>=1", per_page: "2", order_by: "asc" }, "bs")
  const bs = await c.next(byId("bs"))
  assert.equal(bs.result.blocks.map((b: any) => b.block.header.height), ["1", "2"])
  assert.is(Number(bs.result.total_count), stack.producer.tip().height)
  c.ws.send(JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "health" }]))
  const batch = await c.next((m) => m.error?.code === -32600)
  assert.match(batch.error.data, /batches are not served over the websocket/)
  c.ws.send("{not json")
  assert.is((await c.next((m) => m.error?.code === -32700)).id, null)
  c.ws.send(JSON.stringify({ jsonrpc: "2.0", method: "health" }))
  c.call("health", undefined, "h")
  await c.next(byId("h"))
  assert.is(c.inbox.length, 0, "a notification gets no reply")
  c.ws.close()
  // Over HTTP, subscribe is not a method (as CometBFT).
  const r = await fetch(`${stack.rpc.url}/`, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "subscribe", params: { query: "tm.event='NewBlock'" } }) })
  assert.is(((await r.json()) as any).error.code, -32601)
  const wrongPath = await rawClient(`ws://${stack.rpc.address}/other`).then(() => "open", (e: Error) => e.message)
  assert.match(wrongPath, /404/)
})

t("NewBlockEvents and NewBlock carry FinalizeBlock events; queries match them", async () => {
  const c = await rawClient(stack.wsUrl)
  c.call("subscribe", { query: "tm.event='NewBlockEvents' AND tag.parity='even'" }, "ev")
  await c.next(byId("ev"))
  c.call("subscribe", { query: "tm.event='NewBlock' AND tag.note='x'" }, "nb")
  await c.next(byId("nb"))
  let h = await stack.produce()
  if (h % 2 === 1) h = await stack.produce()
  const ev = await c.next(byId("ev"))
  assert.is(ev.result.data.type, "tendermint/event/NewBlockEvents")
  assert.equal(ev.result.data.value, {
    height: String(h), num_txs: "0",
    events: [{ type: "tag", attributes: [{ key: "parity", value: "even", index: true }, { key: "note", value: "x", index: false }] }]
  })
  assert.equal(ev.result.events, { "tag.note": ["x"], "tag.parity": ["even"], "tm.event": ["NewBlockEvents"] })
  const nbs = [await c.next(byId("nb")), await c.next(byId("nb"))]
  assert.equal(nbs.map((m) => m.result.data.value.result_finalize_block.events[0].type), ["tag", "tag"], "unindexed attributes match subscriptions too")
  await new Promise((r) => setTimeout(r, 50))
  assert.is(c.inbox.filter((m) => m.id === "ev").length, 0, "odd heights did not match")
  c.ws.close()
})

t("block_search over HTTP GET and POST: ranges, attributes, order, paging, errors", async () => {
  while (stack.producer.tip().height < 8) await stack.produce()
  const get = async (q: string) => (await (await fetch(`${stack.rpc.url}/block_search?${q}`)).json()) as any
  const heights = (r: any) => r.result.blocks.map((b: any) => Number(b.block.header.height))
  const range = await get(`query="block.height>3 AND block.height<=6"`)
  assert.equal(heights(range), [6, 5, 4], "newest first by default (CometBFT)")
  assert.is(range.result.total_count, "3")
  const b6 = range.result.blocks[0]
  const direct = (await (await fetch(`${stack.rpc.url}/block?height=6`)).json()) as any
  assert.equal(b6, direct.result, "each entry is what `block` answers")
  assert.equal(heights(await get(`query="tag.parity='even' AND block.height<=6"&order_by="asc"`)), [2, 4, 6])
  assert.equal(heights(await get(`query="block.height>=1"&per_page=3&page=2&order_by="asc"`)), [4, 5, 6])
  assert.equal(heights(await get(`query="tag.note='x'"`)), [], "index=false attributes are not searchable")
  const post = await fetch(`${stack.rpc.url}/`, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "block_search", params: { query: "tag.parity='odd' AND block.height<6", per_page: 2, page: 2 } }) })
  const pj = (await post.json()) as any
  assert.equal(heights(pj), [1])
  assert.is(pj.result.total_count, "3")
  const far = await get(`query="block.height>=1"&page=99`)
  assert.match(far.error.data, /page should be within \[1, 1\] range, given 99/)
  const bad = await get(`query="tx.hash='AB'"`)
  assert.is(bad.error.code, -32602)
  assert.match(bad.error.data, /invalid param query: tx.hash is a tx_search key/)
  const order = await get(`query="block.height>1"&order_by="up"`)
  assert.match(order.error.data, /order_by/)
})

t("a block of 600 txs reaches a Tx subscriber whole (its events are not cut by the message count)", async () => {
  const c = await rawClient(stack.wsUrl)
  c.call("subscribe", { query: "tm.event='Tx'" }, "tx")
  await c.next(byId("tx"))
  for (let i = 0; i < 600; i++) assert.is(await stack.broadcast(`many${i}=${i}`), 0)
  const h = await stack.produce()
  const got = []
  for (let i = 0; i < 600; i++) got.push(await c.next(byId("tx")))
  assert.equal(got.map((m) => m.result.data.value.TxResult.index), Array.from({ length: 600 }, (_, i) => i))
  assert.ok(got.every((m) => m.result.data.value.TxResult.height === String(h)))
  assert.is(c.closed(), undefined)
  c.ws.close()
})

t("hostile messages get small errors and the connection serves on", async () => {
  const c = await rawClient(stack.wsUrl)
  c.ws.send("[".repeat(200))
  assert.match((await c.next((m) => m.error !== undefined)).error.message, /JSON nesting exceeds max_json_depth \(64\)/)
  c.ws.send(JSON.stringify({ jsonrpc: "2.0", id: "x".repeat(300), method: "health" }))
  assert.match((await c.next((m) => m.error !== undefined)).error.data, /id longer than 256/)
  c.ws.send(Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: "bin", method: "health" })))
  assert.equal((await c.next(byId("bin"))).result, {}, "a binary frame holding JSON is read as text")
  c.call("subscribe", { query: 5 }, "num")
  assert.match((await c.next(byId("num"))).error.data, /invalid param query: expected a string/)
  c.call("nope", undefined, "nf")
  assert.is((await c.next(byId("nf"))).error.code, -32601)
  for (let i = 0; i < 100; i++) c.call("health", undefined, `burst${i}`)
  await c.next(byId("burst99"))
  assert.equal(c.inbox.map((m) => m.id), Array.from({ length: 99 }, (_, i) => `burst${i}`), "answered in order (the read pauses past 16 waiting)")
  c.inbox.length = 0
  c.ws.close()
})

t("a frame over max_body_bytes closes that connection (1009); the node serves on", async () => {
  const c = await rawClient(stack.wsUrl)
  c.call("subscribe", { query: "x".repeat(9000) }, "big")
  assert.is(await c.waitClose(), 1009)
  const d = await rawClient(stack.wsUrl)
  d.call("subscribe", { query: "tm.event='NewBlock'" }, "nb")
  await d.next(byId("nb"))
  const h = await stack.produce()
  assert.is((await d.next(byId("nb"))).result.data.value.block.header.height, String(h))
  d.ws.close()
})

t("websocket connections count against max_open_connections (503 past it)", async () => {
  const own = await startStack({ maxOpenConnections: 2 })
  const a = await rawClient(own.wsUrl)
  const b = await rawClient(own.wsUrl)
  const third = await rawClient(own.wsUrl).then(() => "open", (e: Error) => e.message)
  assert.match(third, /503/)
  b.ws.close()
  await b.waitClose()
  await new Promise((r) => setTimeout(r, 50))
  const again = await rawClient(own.wsUrl)
  again.call("health", undefined, "h")
  assert.equal((await again.next(byId("h"))).result, {})
  a.ws.close()
  again.ws.close()
  await own.close()
})

t("an engine without an event bus: subscribe answers NotSupported, other methods work", async () => {
  const store = await openMemoryBlockStore()
  const engine = new FakeEngine(store)
  const server = await startRpcServer({
    address: "127.0.0.1:0", app: fakeApp(engine), engine, blockStore: store, genesis: GENESIS,
    nodeInfo: { nodeId: "a".repeat(40), moniker: "no-events", listenAddr: "tcp://0.0.0.0:26656", validatorPubKeyEd25519: VALIDATOR_KEY }
  })
  const c = await rawClient(`ws://${server.address}/websocket`)
  c.call("subscribe", { query: "tm.event='NewBlock'" }, "s")
  assert.match((await c.next(byId("s"))).error.data, /NotSupported: this consensus engine publishes no events/)
  c.call("health", undefined, "h")
  assert.equal((await c.next(byId("h"))).result, {})
  c.ws.close()
  await server.close()
  await store.close()
})

t("engine stop: the last block's events, then CometBFT's cancel error", async () => {
  const own = await startStack()
  const c = await rawClient(own.wsUrl)
  c.call("subscribe", { query: "tm.event='NewBlock'" }, "nb")
  await c.next(byId("nb"))
  const h = await own.produce()
  await (own.producer as unknown as { stop(): Promise<void> }).stop()
  const last = await c.next(byId("nb"))
  assert.is(last.result.data.value.block.header.height, String(h), "the last block's event comes before the cancel")
  const canceled = await c.next(byId("nb"))
  assert.is(canceled.error.code, -32000)
  assert.is(canceled.error.data, "subscription was canceled (reason: node stopped)")
  c.ws.close()
  await own.close()
})

t.run()
