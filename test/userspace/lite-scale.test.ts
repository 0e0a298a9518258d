/**
 * Acceptance (issue 16): 2,000 light-guest processes of one package on a node (kernel, runtime
 * modules, worker pool), each answers a request, the node's RSS stays under 2 GiB; 20 of them
 * misbehave (spin, memory bomb, trap) and exactly those 20 end.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import type { ProcessId } from "../../kernel/Address.ts"
import { request } from "../../kernel/Message.ts"
import { LitePool } from "../../kernel/userspace/LitePool.ts"
import type { UserspaceExit } from "../../kernel/userspace/UserspaceProcess.ts"
import { bytes, liteProgram, text } from "./lite-setup.ts"
import { pid, removeHome, startNode } from "./setup.ts"

const N = 2000
const MiB = 1024 * 1024

test(`${N} light processes start, each answers; 20 misbehave and only those end`, async () => {
  const crashes: Array<{ id: ProcessId; error: unknown }> = []
  const node = await startNode(undefined, { onCrash: (id, error) => crashes.push({ id, error }) })
  const pool = new LitePool()
  try {
    const program = await liteProgram(4 * MiB)
    const name = (i: number) => `p${i}`
    const t0 = performance.now()
    for (let i = 0; i < N; i++) node.kernel.spawn({ id: pid(name(i), "swarm"), process: pool.process(program, { fuel: 20_000_000 }), public: true })
    const client = node.kernel.spawn({ id: pid("client"), process: {} })
    const address = (i: number) => node.kernel.address(pid(name(i), "swarm"))
    const answers = await Promise.all(Array.from({ length: N }, (_, i) =>
      client.request(address(i), request(bytes(`ping ${i}`), 60_000)).then((r) => JSON.parse(text(r.response.body)).pong as number)
    ))
    const started = performance.now() - t0
    assert.equal(answers, Array.from({ length: N }, (_, i) => i))
    assert.is(pool.stats().length, N)
    const rss = process.memoryUsage().rss
    console.log(`  ${N} processes on ${pool.size} workers started and answered in ${started.toFixed(0)} ms; node RSS ${(rss / MiB).toFixed(0)} MiB`)
    assert.ok(rss < 2048 * MiB, `RSS ${(rss / MiB).toFixed(0)} MiB`)

    // 20 misbehave: 7 spin, 7 bomb, 6 trap, spread over the workers.
    const ops = ["spin", "bomb", "trap"] as const
    const guilty = Array.from({ length: 20 }, (_, k) => ({ i: k * 97 + 5, op: ops[k % 3]! }))
    const failed = await Promise.all(guilty.map(({ i, op }) => client.request(address(i), request(bytes(op), 60_000)).then(() => false, () => true)))
    assert.ok(failed.every((f) => f))
    assert.is(crashes.length, 20)
    const kinds = { spin: "cpu", bomb: "memory", trap: "trap" }
    const byName = new Map(crashes.map((c) => [c.id.processName, (c.error as UserspaceExit).kind]))
    for (const { i, op } of guilty) assert.is(byName.get(name(i)), kinds[op], `${name(i)} ${op}`)
    const dead = new Set(guilty.map((g) => g.i))
    // Every other process still answers, with its own state.
    const again = await Promise.all(Array.from({ length: N }, (_, i) =>
      dead.has(i) ? Promise.resolve(-1) : client.request(address(i), request(bytes(`ping ${i + 1}`), 60_000)).then((r) => JSON.parse(text(r.response.body)).pong as number)
    ))
    assert.equal(again, Array.from({ length: N }, (_, i) => (dead.has(i) ? -1 : i + 1)))
    assert.is(pool.stats().length, N - 20)
    for (const i of dead) assert.not.ok(node.kernel.has(pid(name(i), "swarm")))
  } finally {
    await pool.close()
    await node.stop()
    await removeHome(node.home)
  }
})

test.run()
