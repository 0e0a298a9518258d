// Attack review of the evm JSON-RPC service: slow bodies. The service (plugins/evm/rpc/Server.ts
// start()) set no request / headers timeout of its own and no connection limit, so Node's defaults
// applied (requestTimeout 300 s, headersTimeout 60 s, connections unbounded). Each connection may
// buffer up to rpc_max_body_bytes (5 MiB) of an unfinished body in the node's own process.
// go-ethereum cuts a request body after its HTTP ReadTimeout (30 s). Fixed: rpc_request_timeout_ms
// (30 s, checked every second) and rpc_max_connections (100).
// Run: npx node node_modules/uvu/bin.js test/evm-rpc attack-rpc-slowloris   (slow: about 40 s)
import { test } from "uvu"
import * as assert from "uvu/assert"
import { connect, type Socket } from "node:net"
import { createEthRpcService, DEFAULT_LIMITS } from "../../plugins/evm/rpc/Server.ts"
import { buildChain, fakeBackend } from "./fixtures/chain.ts"

const CONNECTIONS = 40
const HOLD_S = 35

test(`fixed: rpc/Server.ts start() had no body timeout or connection limit: ${CONNECTIONS} connections each holding an unfinished ~5 MiB body stayed open (and buffered in the node process) after ${HOLD_S} s`, async () => {
  const { store } = await buildChain()
  const service = createEthRpcService(fakeBackend(store).ctx)
  await service.start()
  const socks: Socket[] = []
  try {
    const u = new URL(service.url!)
    const rss0 = process.memoryUsage().rss
    const len = DEFAULT_LIMITS.maxBodyBytes
    const chunk = Buffer.alloc(len - 1024, 0x20)
    for (let i = 0; i < CONNECTIONS; i++) {
      const s = connect(Number(u.port), u.hostname)
      s.on("error", () => undefined)
      await new Promise<void>((r) => s.once("connect", () => r()))
      s.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${len}\r\n\r\n`)
      s.write(chunk)
      socks.push(s)
    }
    const open = () => socks.filter((s) => !s.destroyed && s.readyState === "open").length
    await new Promise((r) => setTimeout(r, 2000))
    const rss1 = process.memoryUsage().rss
    // trickle one byte every 5 s on each (a slowloris keeps the request alive)
    const drip = setInterval(() => { for (const s of socks) if (!s.destroyed) s.write(" ") }, 5000)
    await new Promise((r) => setTimeout(r, HOLD_S * 1000))
    clearInterval(drip)
    const still = open()
    console.log(`${still}/${CONNECTIONS} slow connections still open after ${HOLD_S} s; rss grew ${((rss1 - rss0) / 2 ** 20).toFixed(0)} MiB while they uploaded`)
    assert.ok(still < CONNECTIONS, `all ${CONNECTIONS} slow-body connections held for ${HOLD_S} s (Node default requestTimeout 300 s), about ${((CONNECTIONS * len) / 2 ** 20).toFixed(0)} MiB of bodies buffered`)
  } finally {
    for (const s of socks) s.destroy()
    await service.stop()
    await store.close()
  }
})

test.run()
