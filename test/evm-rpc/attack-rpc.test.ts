// Attack review of the evm JSON-RPC service (plugins/evm/rpc): it runs inside the node process, so
// nothing a client sends may take the node down. Tests whose title starts with "BUG" prove a defect
// and fail until it is fixed; the others pin a property that holds.
// Run: npx node node_modules/uvu/bin.js test/evm-rpc attack-rpc
import { test } from "uvu"
import * as assert from "uvu/assert"
import { connect } from "node:net"
import { createEthRpcService, makeDispatcher, DEFAULT_LIMITS } from "../../plugins/evm/rpc/Server.ts"
import type { EthRpcContext } from "../../plugins/evm/rpc/Server.ts"
import { buildChain, fakeBackend } from "./fixtures/chain.ts"

const BIG: `0x${string}` = `0x${"9a".repeat(20)}`
const SLOW: `0x${string}` = `0x${"51".repeat(20)}`
const json = (v: unknown) => ({ code: 0, log: "", value: new TextEncoder().encode(JSON.stringify(v)) })

/** The fixture backend, with two extra contracts: BIG returns `bigChars` hex chars, SLOW answers after `slowMs`. */
const backendWith = async (opts: { bigChars?: number; slowMs?: number } = {}) => {
  const { store } = await buildChain()
  const fake = fakeBackend(store)
  const big = `0x${"ab".repeat(Math.floor((opts.bigChars ?? 0) / 2))}`
  const ctx: EthRpcContext = {
    ...fake.ctx,
    abciQuery: async (req) => {
      if (req.path.endsWith("/Call")) {
        const body = JSON.parse(new TextDecoder().decode(req.data)) as { to?: string }
        if (body.to === BIG) return json({ status: 1, return_data: big, gas_used: "30000000", revert_reason: "" })
        if (body.to === SLOW) {
          await new Promise((r) => setTimeout(r, opts.slowMs ?? 0))
          return json({ status: 1, return_data: "0x01", gas_used: "21000", revert_reason: "" })
        }
      }
      return fake.ctx.abciQuery(req)
    }
  }
  return { store, ctx, logs: fake.logs }
}

/** Capture unhandled rejections and uncaught exceptions (each would stop a node process). */
const watchProcess = () => {
  const seen: string[] = []
  const onRej = (e: unknown) => void seen.push(`unhandledRejection: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
  const onExc = (e: unknown) => void seen.push(`uncaughtException: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
  process.on("unhandledRejection", onRej)
  process.on("uncaughtException", onExc)
  return { seen, done: () => (process.off("unhandledRejection", onRej), process.off("uncaughtException", onExc)) }
}

const call = (id: number, method: string, params: unknown[]) => ({ jsonrpc: "2.0", id, method, params })

test("BUG rpc/Server.ts handle(): a batch whose answer is longer than V8's max string length makes JSON.stringify throw inside send() in the .then callback: an unhandled rejection (Node's default: the node process exits) and the client never gets an answer", async () => {
  // 100 eth_call answers of 5.5 M hex chars each = 550 M chars > 2^29 - 24. On a real chain the same
  // size comes from 100 x eth_getLogs of rpc_max_logs = 10000 logs (about 600 bytes of JSON each)
  // or from calls returning a few MB of memory (a 3 MB return is under 30 M gas).
  const { store, ctx } = await backendWith({ bigChars: 5_500_000 })
  const service = createEthRpcService(ctx)
  await service.start()
  const watch = watchProcess()
  try {
    const batch = Array.from({ length: DEFAULT_LIMITS.maxBatch }, (_, i) => call(i, "eth_call", [{ to: BIG, data: "0x" }, "latest"]))
    let status: number | string
    try {
      const res = await fetch(service.url!, { method: "POST", body: JSON.stringify(batch), headers: { "content-type": "application/json" }, signal: AbortSignal.timeout(20_000) })
      status = res.status
      await res.arrayBuffer().catch(() => undefined)
    } catch (e) {
      status = `no answer (${(e as Error).name})`
    }
    await new Promise((r) => setTimeout(r, 200))
    assert.equal(watch.seen, [], `the service threw out of its handler: ${watch.seen.join("; ")} (client: ${status})`)
    assert.type(status, "number", `client got ${status}`)
  } finally {
    watch.done()
    await service.stop()
    await store.close()
  }
})

test("holds: stop() while a request is in flight (slow backend) closes the socket and the late answer does not throw out of the service", async () => {
  const { store, ctx } = await backendWith({ slowMs: 300 })
  const service = createEthRpcService(ctx)
  await service.start()
  const watch = watchProcess()
  try {
    const pending = fetch(service.url!, { method: "POST", body: JSON.stringify(call(1, "eth_call", [{ to: SLOW }, "latest"])) }).then((r) => r.status, (e: Error) => `closed: ${e.name}`)
    await new Promise((r) => setTimeout(r, 50))
    const t0 = performance.now()
    await service.stop()
    const stopMs = performance.now() - t0
    const outcome = await pending
    await new Promise((r) => setTimeout(r, 500))
    assert.equal(watch.seen, [], watch.seen.join("; "))
    assert.ok(stopMs < 1000, `stop took ${stopMs} ms`)
    assert.ok(typeof outcome === "string", `the in-flight client saw ${outcome}`)
  } finally {
    watch.done()
    await store.close()
  }
})

test("holds: stop() with a slowloris connection (headers sent, body trickling) closes it promptly", async () => {
  const { store, ctx } = await backendWith()
  const service = createEthRpcService(ctx)
  await service.start()
  try {
    const u = new URL(service.url!)
    const sock = connect(Number(u.port), u.hostname)
    await new Promise<void>((r) => sock.once("connect", () => r()))
    sock.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"jsonrpc":`)
    const closed = new Promise<void>((r) => sock.once("close", () => r()))
    sock.on("error", () => undefined)
    await new Promise((r) => setTimeout(r, 100))
    const t0 = performance.now()
    await service.stop()
    await closed
    assert.ok(performance.now() - t0 < 1000)
  } finally {
    await store.close()
  }
})

test("holds: deeply nested / huge JSON inside the body limit is an error answer, not a crash (params, filter topics, ids)", async () => {
  const { store, ctx, logs } = await backendWith()
  const dispatch = makeDispatcher(ctx, DEFAULT_LIMITS)
  const watch = watchProcess()
  try {
    const depth = 1_000_000
    const deep = `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[${"[".repeat(depth)}${"]".repeat(depth)}]}`
    const a = (await dispatch(deep)) as { error?: { code: number; message: string } }
    // answered (echo() of the value overflows the stack: -32603 "Maximum call stack size exceeded", not -32602; minor)
    assert.ok(a.error !== undefined, JSON.stringify(a).slice(0, 200))
    console.log("deep params:", a.error.code, a.error.message.slice(0, 120))
    // input vs data compared with String(): a nested array makes String() recurse
    const deepInput = `{"jsonrpc":"2.0","id":2,"method":"eth_call","params":[{"input":${"[".repeat(depth)}${"]".repeat(depth)},"data":"0x"}]}`
    const b = (await dispatch(deepInput)) as { error?: { code: number; message: string } }
    assert.ok(b.error !== undefined, JSON.stringify(b).slice(0, 200))
    console.log("deep input:", b.error.code, b.error.message.slice(0, 120))
    const objInput = JSON.stringify(call(3, "eth_call", [{ input: { toString: 1 }, data: "0x" }]))
    const c = (await dispatch(objInput)) as { error?: { code: number; message: string } }
    assert.ok(c.error !== undefined)
    console.log("object input:", c.error.code, c.error.message.slice(0, 120))
    // a topic position with 60000 alternatives over the fixture chain: answered
    const topics = [Array.from({ length: 60_000 }, (_, i) => `0x${i.toString(16).padStart(64, "0")}`)]
    const t0 = performance.now()
    const d = (await dispatch(JSON.stringify(call(4, "eth_getLogs", [{ fromBlock: "0x1", toBlock: "latest", topics }])))) as { result?: unknown[] }
    assert.ok(Array.isArray(d.result), JSON.stringify(d).slice(0, 200))
    console.log("getLogs with 60000 topic alternatives:", (performance.now() - t0).toFixed(0), "ms")
    assert.ok(performance.now() - t0 < 5000)
    // malformed quantities and tags
    for (const bad of ["0x", "0X1", "1", "-0x1", "0x" + "f".repeat(65), "latestt", 1, true, {}, []]) {
      const r = (await dispatch(JSON.stringify(call(5, "eth_getBalance", [`0x${"11".repeat(20)}`, bad])))) as { error?: { code: number } }
      assert.ok(r.error !== undefined && r.error.code === -32602, `${JSON.stringify(bad)}: ${JSON.stringify(r)}`)
    }
    const far = (await dispatch(JSON.stringify(call(6, "eth_getBalance", [`0x${"11".repeat(20)}`, "0x1fffffffffffff"])))) as { error?: { code: number } }
    assert.is(far.error?.code, -32000)
    const tooFar = (await dispatch(JSON.stringify(call(7, "eth_getBalance", [`0x${"11".repeat(20)}`, "0x20000000000000"])))) as { error?: { code: number } }
    assert.is(tooFar.error?.code, -32602)
    assert.equal(watch.seen, [])
    void logs
  } finally {
    watch.done()
    await store.close()
  }
})

test.run()
