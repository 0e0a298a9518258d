/**
 * The knowledge graph from the command line on a real node (graph module on): `tx graph link`
 * creates cyberlinks signed by the dev key, and after a rank period `query graph top | search |
 * backlinks | rank | stats` read them back, ranked.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { execFile } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import { packageCid } from "../../scripts/debian-graph.ts"
import { makeHome, rpc, startNode } from "./harness.ts"

const root = new URL("../..", import.meta.url).pathname
const run = promisify(execFile)
const cli = async (home: string, rpcUrl: string, ...args: string[]) =>
  JSON.parse((await run(process.execPath, [join(root, "cli/main.ts"), ...args, "--home", home, "--node", rpcUrl, "--output", "json"], { cwd: root })).stdout)

test("link from the CLI, then search, backlinks, top, rank and stats from the CLI", async () => {
  // graph enabled at init: it is in the genesis machine registry (docs/registry.md)
  const h = await makeHome(200, { modules: ["graph"] })
  const node = await startNode(h)
  try {
    const [libc, gcc, python, perl] = ["libc6", "gcc-12-base", "python3", "perl"].map(packageCid)
    // python3 and perl depend on libc6; libc6 depends on gcc-12-base
    for (const [from, to] of [[python, libc], [perl, libc], [libc, gcc]] as const) {
      const r = await cli(h.home, h.rpcUrl, "tx", "graph", "link", "dev", from!, to!)
      assert.is(r.code, 0)
    }
    const stats = await cli(h.home, h.rpcUrl, "query", "graph", "stats")
    assert.equal(stats, { cyberlinks: "3", particles: "4" })
    // wait two rank periods (5 blocks each) so the links are ranked and published
    const start = Number((await rpc(h.rpcUrl, "status")).sync_info.latest_block_height)
    while (Number((await rpc(h.rpcUrl, "status")).sync_info.latest_block_height) < start + 11) await new Promise((r) => setTimeout(r, 200))
    const top = await cli(h.home, h.rpcUrl, "query", "graph", "top")
    assert.is(top.result[0].particle, gcc, "gcc-12-base, reached through libc6, ranks first")
    assert.is(top.result[1].particle, libc)
    const backlinks = await cli(h.home, h.rpcUrl, "query", "graph", "backlinks", libc!)
    assert.equal(backlinks.result.map((p: { particle: string }) => p.particle).sort(), [python, perl].sort())
    const search = await cli(h.home, h.rpcUrl, "query", "graph", "search", python!)
    assert.equal(search.result.map((p: { particle: string }) => p.particle), [libc])
    const rank = await cli(h.home, h.rpcUrl, "query", "graph", "rank", libc!)
    assert.ok(BigInt(rank.rank) > 0n)
    assert.is(rank.rank, top.result[1].rank)
  } finally {
    await node.kill("SIGTERM")
  }
})

test.run()
