/**
 * Batched thread crossings of the light-guest pool (LitePool.ts, internal/LiteWorker.ts,
 * internal/LiteWire.ts): everything the kernel thread hands one worker in one turn of its event
 * loop goes as one postMessage, and so does everything a worker answers in one turn; across two
 * workers a pipelined ping-pong therefore crosses threads far fewer times than it has messages,
 * with every pair still in order and every answer to its own request.
 */
import type { Worker } from "node:worker_threads"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { request } from "../../kernel/Message.ts"
import type { LiteBatch } from "../../kernel/userspace/internal/LiteWire.ts"
import { unpackFromLite, unpackToLite } from "../../kernel/userspace/internal/LiteWire.ts"
import { LitePool } from "../../kernel/userspace/LitePool.ts"
import { bytes, liteProgram, text } from "./lite-setup.ts"
import { pid, removeHome, startNode } from "./setup.ts"

/** Count the postMessages to a worker and the items in them, and the batches it sends back. */
const watch = (w: Worker) => {
  const c = { toPosts: 0, toItems: 0, fromPosts: 0, fromItems: 0 }
  const post = w.postMessage.bind(w)
  w.postMessage = (m: LiteBatch, transfer?: any) => {
    c.toPosts++
    c.toItems += unpackToLite({ buf: m.buf.slice(0), rest: m.rest }).length
    post(m, transfer)
  }
  w.on("message", (m: LiteBatch) => {
    c.fromPosts++
    c.fromItems += unpackFromLite({ buf: m.buf.slice(0), rest: m.rest }).length
  })
  return c
}

test("32 requests sent in one turn reach the worker in one postMessage and come back in one", async () => {
  const node = await startNode()
  const pool = new LitePool({ workers: 1 })
  try {
    const program = await liteProgram()
    node.kernel.spawn({ id: pid("b"), process: pool.process(program, { pipeline: 32 }), public: true })
    const client = node.kernel.spawn({ id: pid("client"), process: {} })
    const to = { node: client.our.node, process: pid("b") }
    assert.is(JSON.parse(text((await client.request(to, request(bytes("ping 0"), 10_000))).response.body)).pong, 0)
    const c = watch(pool.threads()[0]!)
    const answers = await Promise.all(Array.from({ length: 32 }, (_, i) =>
      client.request(to, request(bytes(`ping ${i}`), 10_000)).then((r) => JSON.parse(text(r.response.body)).pong as number)))
    assert.equal(answers, Array.from({ length: 32 }, (_, i) => i))
    assert.is(c.toItems, 32, "32 deliveries")
    assert.is(c.toPosts, 1, `32 deliveries in ${c.toPosts} postMessages`)
    assert.is(c.fromItems, 64, "32 responses and 32 done")
    assert.is(c.fromPosts, 1, `the worker's answers in ${c.fromPosts} postMessages`)
  } finally {
    await pool.close()
    await node.stop()
    await removeHome(node.home)
  }
})

test("pipeline 32 across two workers: 20,000 pairs in order, at least 8 messages per thread crossing", async () => {
  const node = await startNode()
  const pool = new LitePool({ workers: 2 })
  try {
    const program = await liteProgram()
    node.kernel.spawn({ id: pid("x"), process: pool.process(program, { pipeline: 32 }), public: true })
    node.kernel.spawn({ id: pid("y"), process: pool.process(program, { pipeline: 32 }), public: true })
    let report!: (v: any) => void
    const done = new Promise<any>((r) => (report = r))
    node.kernel.spawn({ id: pid("driver"), process: { onRequest: (_c, _s, req) => report(JSON.parse(text(req.body))) }, public: true })
    const client = node.kernel.spawn({ id: pid("client"), process: {} })
    const [w0, w1] = pool.threads()
    assert.ok(w0 !== undefined && w1 !== undefined, "x and y on two workers")
    const c0 = watch(w0)
    const c1 = watch(w1)
    const started = await client.request({ node: client.our.node, process: pid("x") }, request(bytes("pingpong alice.os@y:demo:sys 20000 100 alice.os@driver:demo:sys"), 60_000))
    assert.equal(JSON.parse(text(started.response.body)), { sent: true })
    assert.equal(await done, { pairs: 20000, bad: 0 })
    const posts = c0.toPosts + c1.toPosts + c0.fromPosts + c1.fromPosts
    const items = c0.toItems + c1.toItems + c0.fromItems + c1.fromItems
    // each pair: request and response each cross twice (worker -> kernel -> worker), plus dones
    assert.ok(items >= 80_000, `${items} items`)
    assert.ok(posts * 8 <= items, `${items} items in ${posts} postMessages`)
  } finally {
    await pool.close()
    await node.stop()
    await removeHome(node.home)
  }
})

test.run()
