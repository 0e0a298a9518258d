/**
 * RPC server benchmark: requests per second over HTTP (loopback, keep-alive, 16 in flight) for
 * `GET /health`, `POST status`, `POST tx` (by hash, LevelDB read) and `POST tx_search`, against a
 * bare node:http server answering a fixed JSON body, measured with the same client in the same run.
 *
 * Run: `npx node bench/rpc.bench.ts [requests]` (default 5000 per case, best of 3 runs).
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { openLevelBlockStore } from "../node/blockstore/index.ts"
import { startRpcServer } from "../node/rpc/index.ts"
import { fakeApp, FakeEngine, GENESIS, VALIDATOR_KEY } from "../test/rpc/fixtures/doubles.ts"
import { sha256, utf8 } from "../test/blockstore/fixtures/chain.ts"

const N = Number(process.argv[2] ?? 5000)
const IN_FLIGHT = 16
const dir = mkdtempSync(join(tmpdir(), "rpcbench-"))
const store = await openLevelBlockStore(join(dir, "blocks"))
const engine = new FakeEngine(store)
for (let h = 0; h < 20; h++) {
  for (let i = 0; i < 50; i++) await engine.broadcastTx(utf8(`send:cyber1a${i}:cyber1b${i % 10}:${h}`))
  await engine.produceBlock()
}
const rpc = await startRpcServer({
  address: "127.0.0.1:0", app: fakeApp(engine), engine, blockStore: store, genesis: GENESIS,
  nodeInfo: { nodeId: "a".repeat(40), moniker: "bench", listenAddr: "tcp://0.0.0.0:26656", validatorPubKeyEd25519: VALIDATOR_KEY }
})
const fixed = JSON.stringify({ jsonrpc: "2.0", id: 1, result: {} })
const bare = createServer((req, res) => {
  req.resume()
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(fixed) })
    res.end(fixed)
  })
})
await new Promise<void>((r) => bare.listen(0, "127.0.0.1", () => r()))
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`

const once = async (label: string, send: (i: number) => Promise<Response>): Promise<number> => {
  let next = 0
  const t = performance.now()
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    for (let i = next++; i < N; i = next++) {
      const r = await send(i)
      const body = await r.json() as { error?: unknown }
      if (!r.ok || body.error !== undefined) throw new Error(`${label}: ${JSON.stringify(body)}`)
    }
  }))
  return N / ((performance.now() - t) / 1000)
}
/** Best of 3 runs. */
const run = async (label: string, send: (i: number) => Promise<Response>, base?: number): Promise<number> => {
  let rps = 0
  for (let k = 0; k < 3; k++) rps = Math.max(rps, await once(label, send))
  console.log(`  ${label}: ${rps.toFixed(0)} req/s${base === undefined ? "" : ` (${(rps / base).toFixed(2)}x)`}`)
  return rps
}
const postJson = (url: string, method: string, params: unknown) =>
  fetch(url, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }), headers: { "content-type": "application/json" } })

console.log(`${N} requests per case, ${IN_FLIGHT} in flight, fetch client`)
await run("warm-up", () => fetch(`${rpc.url}/health`))
const getBase = await run("bare node:http, fixed JSON, GET (baseline for GET)", () => fetch(`${bareUrl}/health`))
await run("GET /health", () => fetch(`${rpc.url}/health`), getBase)
const base = await run("bare node:http, fixed JSON, POST (baseline for POST)", () => postJson(bareUrl, "status", {}))
await run("POST status", () => postJson(rpc.url, "status", {}), base)
const hashes = Array.from({ length: 50 }, (_, i) => Buffer.from(sha256(utf8(`send:cyber1a${i}:cyber1b${i % 10}:3`))).toString("base64"))
await run("POST tx (by hash)", (i) => postJson(rpc.url, "tx", { hash: hashes[i % 50] }), base)
await run("POST tx_search tx.height=H (50 txs, page of 30)", (i) => postJson(rpc.url, "tx_search", { query: `tx.height=${1 + (i % 20)}` }), base)
await rpc.close()
bare.close()
await store.close()
rmSync(dir, { recursive: true, force: true })
