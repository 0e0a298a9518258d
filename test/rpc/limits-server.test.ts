/**
 * RPC limits on the server alone (fake engine and app of test/rpc/fixtures, small limits so each
 * can be reached cheaply): every refusal is a small JSON-RPC error naming the limit and its value,
 * nothing of the input comes back, and the server keeps answering. The body limit follows
 * max_tx_bytes; the JSON scan finds depth and batch length without parsing.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { connect, type Socket } from "node:net"
import { openMemoryBlockStore } from "../../node/blockstore/index.ts"
import { Effect } from "effect"
import { parseConfig, renderConfig } from "../../node/config/ConfigFile.ts"
import { bodyBytesForTx, defaultRpcLimits, rpcLimitsFromConfig, scanJson, startRpcServer, type RpcLimits } from "../../node/rpc/index.ts"
import { fakeApp, FakeEngine, GENESIS, VALIDATOR_KEY } from "./fixtures/doubles.ts"

const start = async (limits: Partial<RpcLimits>, maxTxBytes?: number) => {
  const store = await openMemoryBlockStore()
  const engine = new FakeEngine(store)
  const server = await startRpcServer({
    address: "127.0.0.1:0", app: fakeApp(engine), engine, blockStore: store, genesis: GENESIS, limits,
    ...(maxTxBytes === undefined ? {} : { maxTxBytes }),
    nodeInfo: { nodeId: "a".repeat(40), moniker: "limits", listenAddr: "tcp://0.0.0.0:26656", validatorPubKeyEd25519: VALIDATOR_KEY }
  })
  return { server, engine, close: async () => { await server.close(); await store.close() } }
}

const post = async (url: string, body: string) => {
  const res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } })
  const text = await res.text()
  return { status: res.status, bytes: Buffer.byteLength(text), json: text === "" ? undefined : JSON.parse(text) }
}

const call = (method: string, id: number | string = 1, params: unknown = {}) => ({ jsonrpc: "2.0", id, method, params })

const healthy = async (url: string) => {
  const r = await post(url, JSON.stringify(call("health")))
  assert.equal(r.json.result, {}, "server still answers")
}

test("scanJson: depth and top-level batch length without parsing", () => {
  assert.equal(scanJson('[{"a":[1,2]},{"b":"],[,"}]', 8), { tooDeep: false, topLevelItems: 2 })
  assert.equal(scanJson('{"a":[1,2,3]}', 8), { tooDeep: false, topLevelItems: 0 })
  assert.equal(scanJson("[]", 8), { tooDeep: false, topLevelItems: 0 })
  assert.equal(scanJson('["\\"]", 1]', 8), { tooDeep: false, topLevelItems: 2 }, "escaped quote inside a string")
  assert.is(scanJson("[[[]]]", 3).tooDeep, false)
  assert.is(scanJson("[[[[]]]]", 3).tooDeep, true)
  assert.is(scanJson("[".repeat(1_000_000), 64).tooDeep, true, "a million brackets: no recursion")
  assert.is(scanJson(`"${"[".repeat(1000)}"`, 64).tooDeep, false, "brackets inside a string do not count")
})

test("body limit is derived from max_tx_bytes and admits the base64 of the largest tx", () => {
  assert.is(bodyBytesForTx(1_048_576), 4 * Math.ceil(1_048_576 / 3) + 4096)
  assert.is(defaultRpcLimits().maxBodyBytes, bodyBytesForTx(1_048_576))
  assert.is(defaultRpcLimits(3_000_000).maxBodyBytes, 4_000_000 + 4096)
  const cfg = (maxBodyBytes: number) => ({ mempool: { maxTxBytes: 1_048_576 }, rpc: { maxBodyBytes } })
  assert.is(rpcLimitsFromConfig(cfg(0)).maxBodyBytes, bodyBytesForTx(1_048_576), "0 derives it")
  assert.is(rpcLimitsFromConfig(cfg(5_000_000)).maxBodyBytes, 5_000_000)
  assert.throws(() => rpcLimitsFromConfig(cfg(1_000_000)), (e: Error) => e.message.includes(`max_body_bytes = 1000000 is below ${bodyBytesForTx(1_048_576)}`))
})

test("websocket limits come from config.toml [rpc] (defaults as CometBFT)", async () => {
  const parsed = await Effect.runPromise(parseConfig("[rpc]\nmax_subscriptions_per_client = 3\nmax_subscription_clients = 7\nwebsocket_write_buffer_size = 50\n"))
  const limits = rpcLimitsFromConfig(parsed)
  assert.equal([limits.maxSubscriptionsPerClient, limits.maxSubscriptionClients, limits.websocketWriteBufferSize], [3, 7, 50])
  const d = rpcLimitsFromConfig(await Effect.runPromise(parseConfig("")))
  assert.equal([d.maxSubscriptionsPerClient, d.maxSubscriptionClients, d.websocketWriteBufferSize], [5, 100, 200])
  const again = await Effect.runPromise(parseConfig(renderConfig(parsed)))
  assert.is(again.rpc.maxSubscriptionClients, 7, "init writes the keys back")
  const bad = await Effect.runPromise(Effect.flip(parseConfig("[rpc]\nmax_subscription_clients = 0\n")))
  assert.match(bad.message, /max_subscription_clients/)
})

test("batch, depth, body and response limits: small errors naming the limit", async () => {
  const n = await start({ maxBatchRequests: 5, maxJsonDepth: 10, maxResponseBytes: 1024 }, 3000)
  try {
    const url = n.server.url
    const batch = await post(url, JSON.stringify(Array.from({ length: 6 }, (_, i) => call("health", i))))
    assert.is(batch.status, 400)
    assert.is(batch.json.error.code, -32600)
    assert.match(batch.json.error.message, "max_batch_requests (5)")
    assert.match(batch.json.error.data, "6 requests")
    const ok = await post(url, JSON.stringify(Array.from({ length: 5 }, (_, i) => call("health", i))))
    assert.is(ok.json.length, 5, "a batch at the limit is served")

    const deep = await post(url, JSON.stringify({ ...call("health"), params: JSON.parse("[".repeat(20) + "]".repeat(20)) }))
    assert.is(deep.json.error.code, -32600)
    assert.match(deep.json.error.message, "max_json_depth (10)")

    // maxTxBytes 3000 gives a body limit of 4000 + 4096 bytes.
    const limit = bodyBytesForTx(3000)
    const big = await post(url, JSON.stringify(call("broadcast_tx_sync", 1, { tx: Buffer.alloc(6200).toString("base64") })))
    assert.is(big.status, 413)
    assert.match(big.json.error.message, `max_body_bytes (${limit})`)
    assert.ok(big.bytes < 512)
    const fits = await post(url, JSON.stringify(call("broadcast_tx_sync", 1, { tx: Buffer.alloc(3000, 1).toString("base64") })))
    assert.ok(fits.json.result !== undefined, "a tx of max_tx_bytes fits the body limit")

    const many = await post(url, JSON.stringify(Array.from({ length: 5 }, (_, i) => call("status", i))))
    assert.is(many.status, 500)
    assert.is(many.json.error.code, -32603, "5 status replies pass 1024 bytes")
    assert.match(many.json.error.message, "response exceeds max_response_bytes (1024)")
    assert.match(many.json.error.data, "stopped at request")
    const one = await post(url, JSON.stringify(call("status")))
    assert.ok(one.json.result !== undefined && one.bytes <= 1024, `one status reply (${one.bytes} bytes) is within the limit`)
    await healthy(url)
  } finally {
    await n.close()
  }
})

test("tx_search stops before building a page past max_response_bytes", async () => {
  const n = await start({ maxResponseBytes: 8192 })
  try {
    for (let i = 0; i < 3; i++) await n.engine.broadcastTx(new TextEncoder().encode(`send:a:b:${i}:` + "p".repeat(2000)))
    await n.engine.produceBlock()
    const page = (perPage: number) => post(n.server.url, JSON.stringify(call("tx_search", 1, { query: "tx.height=1", per_page: String(perPage) })))
    const one = await page(1)
    assert.is(one.json.result.txs.length, 1, "one tx fits")
    const three = await page(3)
    assert.is(three.json.error.code, -32603)
    assert.match(three.json.error.message, "response exceeds max_response_bytes (8192)")
    assert.match(three.json.error.data, "smaller per_page")
    assert.is(three.json.id, 1)
  } finally {
    await n.close()
  }
})

test("echoed input is clipped: a 900 KB hash, long ids, bad params; 100,000-deep nesting", async () => {
  const n = await start({})
  try {
    const url = n.server.url
    const hugeDeep = await post(url, "[".repeat(100_000) + "]".repeat(100_000))
    assert.match(hugeDeep.json.error.message, "max_json_depth (64)")
    assert.ok(hugeDeep.bytes < 512, `error is ${hugeDeep.bytes} bytes`)
    const hash = Buffer.alloc(900_000, 0xab).toString("base64")
    const r = await post(url, JSON.stringify(call("tx", 1, { hash })))
    assert.is(r.json.error.code, -32603)
    assert.match(r.json.error.data, /^tx \(ABAB/)
    assert.ok(r.bytes < 4096, `error is ${r.bytes} bytes`)
    const bad = await post(url, JSON.stringify(call("block", 1, { height: "x".repeat(500_000) })))
    assert.is(bad.json.error.code, -32602)
    assert.ok(bad.bytes < 4096, `error is ${bad.bytes} bytes`)
    const longId = await post(url, JSON.stringify(call("health", "i".repeat(10_000))))
    assert.is(longId.json.error.code, -32600)
    assert.ok(longId.bytes < 4096)
    const notJson = await post(url, "{" + "x".repeat(500_000))
    assert.is(notJson.json.error.code, -32700)
    assert.ok(notJson.bytes < 4096)
    await healthy(url)
  } finally {
    await n.close()
  }
})

test("max_open_connections: connections past the limit get the limit's error", async () => {
  const n = await start({ maxOpenConnections: 2 })
  const url = new URL(n.server.url)
  const open = (): Promise<Socket> => new Promise((resolve, reject) => {
    const s = connect(Number(url.port), url.hostname, () => resolve(s))
    s.once("error", reject)
  })
  const ask = (s: Socket): Promise<string> => new Promise((resolve) => {
    let out = ""
    s.on("data", (d) => (out += d))
    s.on("end", () => resolve(out))
    s.on("close", () => resolve(out))
    const body = JSON.stringify(call("health"))
    s.write(`POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`)
  })
  try {
    const a = await open()
    const b = await open()
    await new Promise((r) => setTimeout(r, 50))
    const c = await open()
    const over = await ask(c)
    assert.match(over, /^HTTP\/1\.1 503/)
    assert.match(over, "max_open_connections (2)")
    const first = await ask(a)
    assert.match(first, /^HTTP\/1\.1 200/, "connections within the limit are served")
    b.destroy()
    await new Promise((r) => setTimeout(r, 50))
    await healthy(n.server.url)
  } finally {
    await n.close()
  }
})

test.run()
