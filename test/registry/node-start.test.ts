/**
 * Node start against the machine registry, through the real CLI: `init` writes the config's machine
 * set as the genesis registry; a node whose config switches off a machine the chain runs refuses to
 * start, naming machine, version and height; a machine switched on for a chain that never activated
 * it loads inert and the node says how to activate it.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { defaultConfig, writeConfig } from "../../node/config/ConfigFile.ts"
import type { NodeConfig } from "../../node/config/NodeConfig.ts"
import { homePaths } from "../../node/home/Home.ts"
import { makeHome, rpc, startNode, type TestHome } from "../e2e/harness.ts"
import { initHome } from "../../node/home/Home.ts"

const root = new URL("../..", import.meta.url).pathname

const withGraph = (config: NodeConfig, enabled: boolean): NodeConfig => ({ ...config, modules: { ...config.modules, graph: { ...config.modules.graph, enabled } } })
const readConfig = (h: TestHome): NodeConfig => {
  const port = new URL(h.rpcUrl).port
  return { ...defaultConfig, rpc: { ...defaultConfig.rpc, listen: `127.0.0.1:${port}` }, consensus: { ...defaultConfig.consensus, blockTimeMs: 200 } }
}

/** Run `start` and wait for it to exit; resolves with the exit code and everything printed. */
const startExpectingExit = (h: TestHome, timeoutMs = 30_000): Promise<{ code: number | null; out: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "cli/main.ts"), "start", "--home", h.home], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    child.stdout!.on("data", (d) => (out += d))
    child.stderr!.on("data", (d) => (out += d))
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.once("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, out })
    })
  })

test("init: the config's machines become the genesis registry; graph switched off later: the node refuses to start", async () => {
  const h = await makeHome(200)
  const config = withGraph(readConfig(h), true)
  writeConfig(h.home, config)
  // makeHome wrote genesis with the default machine set; re-init the genesis with graph enabled
  const fresh = { ...h, home: h.home + "-graph" }
  await Effect.runPromise(initHome({ home: fresh.home, config }))
  const genesis = JSON.parse(readFileSync(homePaths(fresh.home).genesis, "utf8"))
  const names = genesis.app_state.registry.machines.map((m: { name: string }) => m.name)
  assert.equal(names, ["auth", "bank", "distribution", "gov", "staking", "graph"])
  assert.is(genesis.app_state.registry.machines[2].version, "0.1.0")
  assert.match(genesis.app_state.registry.machines[2].code_hash, /^[0-9a-f]{64}$/)

  const node = await startNode(fresh)
  const status = await rpc(fresh.rpcUrl, "status")
  assert.ok(Number(status.sync_info.latest_block_height) >= 1)
  await node.kill("SIGTERM")

  writeConfig(fresh.home, withGraph(config, false))
  const r = await startExpectingExit(fresh)
  assert.is.not(r.code, 0, r.out)
  assert.match(r.out, /machine registry/, r.out)
  assert.match(r.out, /machine "graph" version 0\.1\.0/, r.out)
  assert.match(r.out, /at height [1-9]/, r.out)
  assert.match(r.out, /active since height 1/, r.out)
  assert.match(r.out, /does not have its code/, r.out)
})

test("graph switched on for a chain that never activated it: loads inert, and the node says how to activate it", async () => {
  const h = await makeHome(200)
  const genesis = JSON.parse(readFileSync(homePaths(h.home).genesis, "utf8"))
  assert.equal(genesis.app_state.registry.machines.map((m: { name: string }) => m.name), ["auth", "bank", "distribution", "gov", "staking"])
  writeConfig(h.home, withGraph(readConfig(h), true))
  const node = await startNode(h)
  try {
    assert.match(node.output(), /machine "graph" 0\.1\.0 is enabled in config\.toml but not active on chain/, node.output())
    assert.match(node.output(), /governance proposal/)
    const q = await rpc(h.rpcUrl, "abci_query", { path: JSON.stringify("/cyber.graph.v1beta1.Query/GraphStats"), data: "" })
    assert.is(q.response.code, 6, JSON.stringify(q))
  } finally {
    await node.kill()
  }
})

test.run()
