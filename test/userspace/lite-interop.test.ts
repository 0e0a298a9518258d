/**
 * Acceptance (issue 16): a light-guest (AssemblyScript) process and a JavaScript (componentize-js)
 * process exchange requests and share a kv capability: the light process opens a kv database,
 * writes to it and attaches its read capability to a request; the JavaScript process saves it and
 * reads the light process's database with it, which it could not do before.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { request } from "../../kernel/Message.ts"
import { LitePool } from "../../kernel/userspace/LitePool.ts"
import { userspaceProcess } from "../../kernel/userspace/UserspaceProcess.ts"
import { bytes, liteProgram, text } from "./lite-setup.ts"
import { ask, pid, removeHome, serviceProgram, startNode } from "./setup.ts"

test("a light process and a JavaScript process exchange requests and share a kv capability", async () => {
  const node = await startNode()
  const pool = new LitePool({ workers: 1 })
  try {
    const [lite, js] = await Promise.all([liteProgram(), serviceProgram()])
    node.kernel.spawn({ id: pid("lite", "lite"), process: pool.process(lite), public: true })
    node.kernel.spawn({ id: pid("svc"), process: userspaceProcess(js, { state: node.runtime.state }), public: true })
    // The light process reports its asynchronous results here (requests to `reporter`).
    const reports: unknown[] = []
    let wake: (() => void) | undefined
    node.kernel.spawn({
      id: pid("reporter"),
      process: { onRequest: (_ctx, _source, req) => { reports.push(JSON.parse(text(req.body))); wake?.() } },
      public: true
    })
    const report = async (): Promise<any> => {
      for (let i = 0; reports.length === 0 && i < 500; i++) await new Promise<void>((r) => { wake = r; setTimeout(r, 20) })
      return reports.shift()
    }
    const client = node.kernel.spawn({ id: pid("client"), process: {} })
    const reporter = "alice.os@reporter:demo:sys"
    const askLite = async (body: string) => JSON.parse(text((await client.request(node.kernel.address(pid("lite", "lite")), request(bytes(body), 10_000))).response.body))

    // JavaScript -> light: the JS process calls the light one (send-and-await-response).
    assert.equal(await ask(client, pid("svc"), { op: "call", target: "alice.os@lite:lite:sys", body: "ping 3" }), { pong: 3 })

    // The light process opens its database and writes to it (kv answers come back through handle).
    assert.equal(await askLite(`kv-open shared ${reporter}`), { sent: true })
    assert.equal(await report(), { ok: { db: "lite:sys/shared" } })
    assert.equal(await askLite(`kv-set shared greeting hello ${reporter}`), { sent: true })
    assert.ok("ok" in (await report()))

    // Without the capability the JS process cannot read the light process's database.
    const refused = await ask(client, pid("svc"), { op: "kv-get", db: "shared", key: "greeting", package: "lite:sys" })
    assert.is(refused.error.tag, "CapabilityNotHeld")

    // light -> JavaScript, with the read capability attached: the JS process saves it and reads.
    assert.equal(await askLite(`share alice.os@svc:demo:sys shared greeting ${reporter}`), { sent: true })
    assert.equal(await report(), { ok: { value: "hello" } })
    // The capability was saved: the JS process reads again on its own.
    assert.equal(await ask(client, pid("svc"), { op: "kv-get", db: "shared", key: "greeting", package: "lite:sys" }), { ok: { value: "hello" } })

    // Bad input from the guest: a malformed target address, and a capability it does not hold
    // (another package's database). Each send is refused; the guest gets `offline` with its
    // context (forwarded to the reporter), and the light process keeps serving.
    assert.equal(await askLite(`share not-an-address shared greeting ${reporter}`), { sent: true })
    assert.equal(await report(), { error: "offline" })
    assert.equal(await askLite(`share alice.os@svc:demo:sys never-opened greeting ${reporter}`), { sent: true })
    assert.equal(await report(), { error: "offline" })
    assert.equal(await askLite("ping 4"), { pong: 4 })
  } finally {
    await pool.close()
    await node.stop()
    await removeHome(node.home)
  }
})

test.run()
