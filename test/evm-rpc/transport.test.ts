/**
 * The evm JSON-RPC transport: JSON-RPC 2.0 framing and its error codes (-32700, -32600, -32601),
 * batches (order, ids, notifications, empty, too long), the body size limit, CORS (headers and
 * OPTIONS preflight), non-POST methods, config parsing, ephemeral ports, a disabled service, and
 * a clean stop that closes kept-alive sockets.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { request } from "node:http"
import { readdirSync, readFileSync } from "node:fs"
import { startHarness } from "./fixtures/harness.ts"
import { buildChain, fakeBackend } from "./fixtures/chain.ts"
import { createEthRpcService, limitsFromConfig, splitAddress, DEFAULT_LIMITS } from "../../plugins/evm/rpc/Server.ts"
import type { PluginServiceFactory } from "../../plugins/Host.ts"

/** Type check: the service is a plugin service factory over the kernel's real PluginServiceContext. */
export const asPluginService: PluginServiceFactory = createEthRpcService

test("framing errors: parse error, invalid request, unknown method; ids echoed", async () => {
  const h = await startHarness()
  try {
    const parse = await h.post("{not json")
    assert.is(parse.status, 200)
    assert.equal(parse.json, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error: the body is not valid JSON" } })
    assert.is((await h.post("42")).json.error.code, -32600)
    assert.is((await h.post(JSON.stringify({ id: 1, method: "eth_chainId" }))).json.error.code, -32600, "jsonrpc missing")
    assert.is((await h.post(JSON.stringify({ jsonrpc: "1.0", id: 1, method: "eth_chainId" }))).json.error.code, -32600)
    assert.is((await h.post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: 5 }))).json.error.code, -32600)
    assert.equal((await h.post(JSON.stringify({ jsonrpc: "2.0", id: { a: 1 }, method: "eth_chainId" }))).json.id, null, "an object id is invalid")
    const unknown = await h.post(JSON.stringify({ jsonrpc: "2.0", id: "abc", method: "eth_nope", params: [] }))
    assert.is(unknown.json.id, "abc")
    assert.is(unknown.json.error.code, -32601)
    assert.ok(unknown.json.error.message.includes("eth_nope"))
    const ok = await h.post(JSON.stringify({ jsonrpc: "2.0", id: 7, method: "eth_chainId" }))
    assert.equal(ok.json, { jsonrpc: "2.0", id: 7, result: "0x539" })
    assert.is(ok.headers.get("content-type"), "application/json")
  } finally {
    await h.close()
  }
})

test("batches: answers in order with their ids, notifications unanswered, errors per entry; empty and over-long batches refused", async () => {
  const h = await startHarness({ rpc_max_batch: 4 })
  try {
    const batch = [
      { jsonrpc: "2.0", id: 1, method: "eth_blockNumber" },
      { jsonrpc: "2.0", method: "eth_chainId" },
      { jsonrpc: "2.0", id: "x", method: "eth_nope" },
      { jsonrpc: "2.0", id: 3, method: "eth_getBalance", params: ["0x12"] }
    ]
    const r = await h.post(JSON.stringify(batch))
    assert.is(r.status, 200)
    assert.equal(r.json.map((x: any) => x.id), [1, "x", 3])
    assert.is(r.json[0].result, "0x5")
    assert.is(r.json[1].error.code, -32601)
    assert.is(r.json[2].error.code, -32602)
    const mixed = await h.post(JSON.stringify([1, { jsonrpc: "2.0", id: 2, method: "net_version" }]))
    assert.is(mixed.json[0].error.code, -32600)
    assert.is(mixed.json[1].result, "1337")
    const empty = await h.post("[]")
    assert.is(empty.json.error.code, -32600)
    assert.ok(empty.json.error.message.includes("empty batch"))
    const long = await h.post(JSON.stringify(Array.from({ length: 5 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "eth_chainId" }))))
    assert.is(long.json.error.code, -32600)
    assert.ok(long.json.error.message.includes("at most 4 (rpc_max_batch)"), long.json.error.message)
    const notes = await h.post(JSON.stringify([{ jsonrpc: "2.0", method: "eth_chainId" }]))
    assert.is(notes.status, 204, "only notifications: nothing to answer")
    assert.is(notes.text, "")
    const note = await h.post(JSON.stringify({ jsonrpc: "2.0", method: "eth_chainId" }))
    assert.is(note.status, 204)
    assert.is((await h.call("eth_chainId")).result, "0x539", "still answering")
  } finally {
    await h.close()
  }
})

test("body limit: an over-limit body is refused with 413 and -32600 naming the limit; the server keeps answering", async () => {
  const h = await startHarness({ rpc_max_body_bytes: 1000 })
  try {
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [`0x${"00".repeat(2000)}`] })
    const r = await h.post(big)
    assert.is(r.status, 413)
    assert.is(r.json.error.code, -32600)
    assert.ok(r.json.error.message.includes("at most 1000 bytes (rpc_max_body_bytes)"))
    const huge = await h.post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [`0x${"00".repeat(1_500_000)}`] }))
    assert.is(huge.status, 413, "a 3 MB body is drained and answered, not reset")
    assert.is(huge.json.error.code, -32600)
    // Chunked (no content-length): cut while streaming.
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(h.url)
      const req = request({ host: u.hostname, port: u.port, method: "POST", path: "/", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
        let body = ""
        res.on("data", (d) => (body += d))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on("error", reject)
      for (let i = 0; i < 10; i++) req.write("x".repeat(200))
      req.end()
    })
    assert.is(chunked.status, 413)
    assert.is(JSON.parse(chunked.body).error.code, -32600)
    assert.is((await h.call("eth_chainId")).result, "0x539")
    assert.is(DEFAULT_LIMITS.maxBodyBytes, 5 * 1024 * 1024)
  } finally {
    await h.close()
  }
})

test("CORS: every answer allows any origin; OPTIONS preflight is 204 with methods and the asked headers; GET is 405", async () => {
  const h = await startHarness()
  try {
    const r = await h.post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }), { "content-type": "application/json", origin: "https://dapp.example" })
    assert.is(r.headers.get("access-control-allow-origin"), "*")
    const pre = await fetch(h.url, {
      method: "OPTIONS",
      headers: { origin: "https://dapp.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type,x-foo" }
    })
    assert.is(pre.status, 204)
    assert.is(pre.headers.get("access-control-allow-origin"), "*")
    assert.ok(pre.headers.get("access-control-allow-methods")!.includes("POST"))
    assert.is(pre.headers.get("access-control-allow-headers"), "content-type,x-foo")
    const get = await fetch(h.url)
    assert.is(get.status, 405)
    assert.is(((await get.json()) as { error: { code: number } }).error.code, -32600)
    const textPlain = await h.post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }), { "content-type": "text/plain" })
    assert.is(textPlain.json.result, "0x539", "any content type is read as JSON (browsers' simple requests)")
  } finally {
    await h.close()
  }
})

test("lifecycle: port 0 binds an ephemeral port and exposes the url; stop closes kept-alive sockets and is idempotent", async () => {
  const { store } = await buildChain()
  const f = fakeBackend(store)
  const s = createEthRpcService(f.ctx)
  assert.is(s.url, undefined)
  await s.start()
  assert.match(s.url!, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.ok(!s.url!.endsWith(":0"))
  assert.ok(f.logs.some((l) => l.includes(s.url!)))
  let threw = false
  try {
    await s.start()
  } catch {
    threw = true
  }
  assert.ok(threw, "a second start is refused")
  const url = s.url!
  await fetch(url, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }), keepalive: true })
  const t0 = Date.now()
  await s.stop()
  assert.ok(Date.now() - t0 < 2000, "stop does not wait for idle keep-alive sockets")
  await s.stop()
  let refused = false
  try {
    await fetch(url, { method: "POST", body: "{}" })
  } catch {
    refused = true
  }
  assert.ok(refused, "nothing listens after stop")
  await store.close()
})

test("config: rpc_address default, disabled, malformed; limits from [plugins.evm]", async () => {
  assert.equal(splitAddress("127.0.0.1:8545"), { host: "127.0.0.1", port: 8545 })
  assert.equal(splitAddress("tcp://0.0.0.0:0"), { host: "0.0.0.0", port: 0 })
  assert.equal(splitAddress("[::1]:8545"), { host: "::1", port: 8545 })
  assert.throws(() => splitAddress("8545"), /rpc_address must be host:port/)
  assert.throws(() => splitAddress("localhost:99999"), /rpc_address/)
  const { store } = await buildChain()
  const f = fakeBackend(store)
  assert.throws(() => createEthRpcService({ ...f.ctx, config: { rpc_address: 8545 } }), /rpc_address must be a string/)
  assert.throws(() => createEthRpcService({ ...f.ctx, config: { rpc_address: "nohost" } }), /rpc_address/)
  assert.throws(() => createEthRpcService({ ...f.ctx, config: { rpc_max_batch: 0 } }), /rpc_max_batch must be a positive integer/)
  const off = createEthRpcService({ ...f.ctx, config: { rpc_address: "" } })
  await off.start()
  assert.is(off.url, undefined, "an empty rpc_address disables the service")
  await off.stop()
  assert.equal(limitsFromConfig({}), DEFAULT_LIMITS)
  assert.equal(limitsFromConfig({ rpc_max_body_bytes: 2048, rpc_max_batch: "7", rpc_max_block_range: 10n, rpc_max_logs: 5 }), {
    ...DEFAULT_LIMITS, maxBodyBytes: 2048, maxBatch: 7, maxBlockRange: 10, maxLogs: 5, maxFeeHistory: 1024
  })
  assert.equal(limitsFromConfig({ rpc_max_response_bytes: 1000, rpc_batch_budget_ms: 50, rpc_max_connections: 3, rpc_request_timeout_ms: 9000 }), {
    ...DEFAULT_LIMITS, maxResponseBytes: 1000, batchBudgetMs: 50, maxConnections: 3, requestTimeoutMs: 9000
  })
  assert.is(limitsFromConfig({ rpc_max_response_bytes: 2 ** 40 }).maxResponseBytes, 256 * 1024 * 1024, "clamped to 256 MiB")
  assert.throws(() => limitsFromConfig({ rpc_batch_budget_ms: 0 }), /rpc_batch_budget_ms must be a positive integer/)
  await store.close()
})

test("backend failures: a throwing query is -32603 and logged, a malformed query answer is -32603, the server keeps answering", async () => {
  const { store } = await buildChain()
  const f = fakeBackend(store)
  let mode: "throw" | "garbage" | "ok" = "throw"
  const s = createEthRpcService({
    ...f.ctx,
    abciQuery: async (req) => {
      if (mode === "throw") throw new Error("app is gone")
      if (mode === "garbage") return { code: 0, log: "", value: new TextEncoder().encode("not json") }
      return f.ctx.abciQuery(req)
    }
  })
  await s.start()
  try {
    const call = async () =>
      (await (await fetch(s.url!, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }) })).json()) as {
        result?: string; error?: { code: number; message: string }
      }
    const thrown = await call()
    assert.is(thrown.error?.code, -32603)
    assert.ok(thrown.error!.message.includes("app is gone"))
    assert.ok(f.logs.some((l) => l.includes("eth_chainId failed: app is gone")))
    mode = "garbage"
    const garbage = await call()
    assert.is(garbage.error?.code, -32603)
    assert.ok(garbage.error!.message.includes("not a JSON object"), garbage.error!.message)
    mode = "ok"
    assert.is((await call()).result, "0x539")
  } finally {
    await s.stop()
    await store.close()
  }
})

test("the service runs from an installed plugin copy: value imports are only files of the plugin, node: builtins and declared npm packages", () => {
  const dir = new URL("../../plugins/evm/rpc/", import.meta.url)
  const pkg = JSON.parse(readFileSync(new URL("../package.json", dir), "utf8")) as { dependencies?: Record<string, string> }
  const declared = Object.keys(pkg.dependencies ?? {})
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(new URL(file, dir), "utf8")
    for (const m of text.matchAll(/^import\s+(type\s+)?[^"']*from\s+["']([^"']+)["']/gm)) {
      const [, isType, spec] = m
      if (isType !== undefined) continue
      // a relative import must stay inside plugins/evm, which the installer copies whole
      if (spec!.startsWith(".")) {
        const target = new URL(spec!, new URL(file, dir)).href
        assert.ok(target.startsWith(new URL("../", dir).href), `${file} imports ${spec}, outside plugins/evm`)
        continue
      }
      if (spec!.startsWith("node:")) continue
      const name = spec!.startsWith("@") ? spec!.split("/").slice(0, 2).join("/") : spec!.split("/")[0]!
      assert.ok(declared.includes(name), `${file} imports ${spec} at run time, not a declared dependency of plugins/evm (${declared.join(", ")})`)
    }
  }
})

test.run()
