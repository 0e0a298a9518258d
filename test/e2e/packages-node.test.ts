/**
 * Userspace on the real node: a package installed with the CLI (`cyberkernel package install
 * --yes`) runs when the node starts (node/Node.ts boots packages after the runtime modules), keeps
 * its state through a node restart, and the node keeps producing blocks meanwhile.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { execFileSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { strToU8, zipSync } from "fflate"
import { buildComponent } from "../../kernel/userspace/Build.ts"
import { loadHome } from "../../node/home/Home.ts"
import { startNode } from "../../node/Node.ts"
import { ask, pid, SERVICE_SOURCE } from "../userspace/setup.ts"
import { makeHome } from "./harness.ts"
import { openScoped } from "../support/Scoped.ts"

const root = new URL("../..", import.meta.url).pathname

const boot = async (home: string) => {
  const loaded = await Effect.runPromise(loadHome(home))
  const started = await openScoped(
    startNode({ home, config: loaded.config, genesis: loaded.genesis, validatorSeed: loaded.validatorKey.seed })
  )
  return { node: started.value, stop: started.close }
}

test("a CLI-installed package runs on node start and keeps its state across a restart", async () => {
  const wasm = new Uint8Array(readFileSync(await buildComponent(SERVICE_SOURCE)))
  const manifest = [{
    process_name: "svc", process_wasm_path: "/svc.wasm", on_exit: "Restart", request_networking: false,
    request_capabilities: ["timer:distro:sys"], grant_capabilities: [], public: true
  }]
  const zip = zipSync({
    "pkg/manifest.json": strToU8(JSON.stringify(manifest)),
    "pkg/metadata.json": strToU8(JSON.stringify({ properties: { package_name: "demo", publisher: "alice.os" } })),
    "pkg/svc.wasm": wasm
  }, { level: 0 })
  const h = await makeHome(100)
  const zipFile = join(h.home, "demo.zip")
  writeFileSync(zipFile, zip)
  const out = execFileSync(process.execPath, [join(root, "cli/main.ts"), "package", "install", zipFile, "--yes", "--home", h.home], { cwd: root, encoding: "utf8" })
  assert.match(out, /demo:alice\.os/)

  const svc = pid("svc", "demo", "alice.os")
  let run = await boot(h.home)
  try {
    const client = run.node.kernel.spawn({ id: pid("client"), process: {} })
    assert.equal(await ask(client, svc, { op: "incr" }), { count: 1 })
    assert.equal(await ask(client, svc, { op: "incr" }), { count: 2 })
    const h0 = run.node.height()
    while (run.node.height() < h0 + 2) await new Promise((r) => setTimeout(r, 50))
  } finally {
    await run.stop()
  }
  run = await boot(h.home)
  try {
    const client = run.node.kernel.spawn({ id: pid("client"), process: {} })
    assert.equal(await ask(client, svc, { op: "count" }), { count: 2 }, "state survives the node restart")
  } finally {
    await run.stop()
  }
})

test.run()
