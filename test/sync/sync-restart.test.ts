/**
 * A full node keeps following when its peer restarts: the producer started by the CLI is stopped
 * and started again on the same home and sync address; the full node (CLI, `--sync-from`) dials
 * it again and reaches its new blocks with the same app hashes, without halting.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { startNode, type NodeProcess } from "../e2e/harness.ts"
import { appHashes, heightOf, makeFullNodeHome, makeProducerHome, startFullNode, waitHeight } from "./support.ts"

test("the full node dials its restarted peer again and follows on", async () => {
  const p = await makeProducerHome(50)
  let pn: NodeProcess | undefined = await startNode(p)
  let fn: (NodeProcess & { exited: Promise<number | null> }) | undefined
  try {
    await waitHeight(p.rpcUrl, 20, 60_000, pn.output)
    const f = await makeFullNodeHome(50)
    fn = await startFullNode(f.home, f.rpcUrl, p.syncAddr)
    await waitHeight(f.rpcUrl, 20, 60_000, fn.output)
    await pn.kill("SIGTERM")
    const stoppedAt = await heightOf(f.rpcUrl)
    await new Promise((r) => setTimeout(r, 1500))
    pn = await startNode(p)
    const target = (await heightOf(p.rpcUrl)) + 10
    await waitHeight(f.rpcUrl, target, 60_000, fn.output)
    assert.is(fn.child.exitCode, null, "the full node did not stop")
    const [a, b] = await Promise.all([appHashes(p.rpcUrl, stoppedAt - 2, target), appHashes(f.rpcUrl, stoppedAt - 2, target)])
    for (let h = stoppedAt - 2; h <= target; h++) assert.is(b.get(h), a.get(h), `app hash at ${h}`)
  } finally {
    await fn?.kill("SIGTERM")
    await pn?.kill("SIGTERM")
  }
})

test.run()
