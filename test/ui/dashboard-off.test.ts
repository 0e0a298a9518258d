/**
 * `[rpc] dashboard = false`: a node started by the CLI serves no /ui and no /ui/api, its banner
 * names no dashboard, and its RPC works as before.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { makeHome, rpc, startNode } from "../e2e/harness.ts"

test("dashboard = false: /ui and /ui/api are 404, the RPC still answers", async () => {
  const h = await makeHome(200)
  const file = join(h.home, "config", "config.toml")
  const text = readFileSync(file, "utf8")
  assert.match(text, /\ndashboard = true\n/, "init writes the key with its default")
  writeFileSync(file, text.replace(/\ndashboard = true\n/, "\ndashboard = false\n"))
  const node = await startNode(h)
  try {
    for (const path of ["/ui", "/ui/", "/ui/app.js", "/ui/api/node"]) {
      const r = await fetch(`${h.rpcUrl}${path}`)
      await r.arrayBuffer()
      assert.is(r.status, 404, path)
    }
    assert.ok(Number((await rpc(h.rpcUrl, "status")).sync_info.latest_block_height) >= 1)
    assert.not.match(node.output(), /dashboard:/)
  } finally {
    await node.kill("SIGTERM")
    rmSync(h.home, { recursive: true, force: true })
  }
})

test.run()
