import { test } from "uvu"
import * as assert from "uvu/assert"
import type { ProcessId } from "../../kernel/Address.ts"
import { request } from "../../kernel/Message.ts"
import { LitePool } from "../../kernel/userspace/LitePool.ts"
import { UserspaceExit } from "../../kernel/userspace/UserspaceProcess.ts"
import { bytes, liteProgram, text } from "./lite-setup.ts"
import { pid, removeHome, startNode } from "./setup.ts"

const ask = async (client: { request: Function; our: { node: string } }, target: ProcessId, body: string, timeoutMs = 10_000): Promise<any> => {
  const r = await client.request({ node: client.our.node, process: target }, request(bytes(body), timeoutMs))
  return JSON.parse(text(r.response.body))
}

test("a light guest built from AssemblyScript serves requests and keeps state", async () => {
  const node = await startNode()
  const pool = new LitePool({ workers: 2 })
  const program = await liteProgram()
  node.kernel.spawn({ id: pid("lite"), process: pool.process(program), public: true })
  const client = node.kernel.spawn({ id: pid("client"), process: {} })
  assert.equal(await ask(client, pid("lite"), "ping 7"), { pong: 7 })
  assert.equal(await ask(client, pid("lite"), "incr"), { count: 1 })
  assert.equal(await ask(client, pid("lite"), "incr"), { count: 2 })
  assert.equal(await ask(client, pid("lite"), "nonsense"), { error: "unknown command" })
  const stats = pool.stats()
  assert.is(stats.length, 1)
  assert.is(stats[0]!.process, "alice.os@lite:demo:sys")
  assert.is(stats[0]!.received, 4)
  assert.ok(stats[0]!.fuel > 0 && stats[0]!.memoryBytes > 0)
  await pool.close()
  await node.stop()
  await removeHome(node.home)
})

test.run()
