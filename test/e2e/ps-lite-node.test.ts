/**
 * Light guests on the real node: a package whose component is of the process-lite world
 * (the AssemblyScript example, built from source) is installed with the CLI (`cyberkernel
 * package install --yes`); the node detects the world and runs it on its light-guest pool
 * (node/Node.ts, packages/Installer.ts), where it answers requests and keeps its state through a
 * node restart. Beside it a JavaScript package runs, and the node's `processes` RPC method and
 * `cyberkernel ps` show both with their CPU time, memory, mailbox and message counts.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { execFile, execFileSync } from "node:child_process"
import { promisify } from "node:util"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { strToU8, zipSync } from "fflate"
import { request } from "../../kernel/Message.ts"
import { loadHome } from "../../node/home/Home.ts"
import { startNode } from "../../node/Node.ts"
import { buildLite } from "../../sdk/assemblyscript-process/build.ts"
import { buildComponent } from "../../kernel/userspace/Build.ts"
import type { ProcessStats } from "../../kernel/userspace/ProcessStats.ts"
import { ask as askJson, pid, SERVICE_SOURCE } from "../userspace/setup.ts"
import { makeHome, rpc, startNode as startCliNode } from "./harness.ts"
import { openScoped } from "../support/Scoped.ts"

const root = new URL("../..", import.meta.url).pathname
const enc = new TextEncoder()
const dec = new TextDecoder()

const boot = async (home: string) => {
  const loaded = await Effect.runPromise(loadHome(home))
  const started = await openScoped(
    startNode({ home, config: loaded.config, genesis: loaded.genesis, validatorSeed: loaded.validatorKey.seed })
  )
  return { node: started.value, stop: started.close }
}

/** A package zip with one process `svc` of package `<name>:alice.os` (the component at `path`). */
const onePackage = (name: string, path: string): Uint8Array => {
  const wasm = new Uint8Array(readFileSync(path))
  const manifest = [{
    process_name: "svc", process_wasm_path: "/svc.wasm", on_exit: "Restart", request_networking: false,
    request_capabilities: [], grant_capabilities: [], public: true
  }]
  return zipSync({
    "pkg/manifest.json": strToU8(JSON.stringify(manifest)),
    "pkg/metadata.json": strToU8(JSON.stringify({ properties: { package_name: name, publisher: "alice.os" } })),
    "pkg/svc.wasm": wasm
  }, { level: 0 })
}

test("a CLI-installed light-guest package runs on the node's pool, answers, and keeps state across a restart", async () => {
  const h = await makeHome(100)
  const cli = (...args: string[]) => execFileSync(process.execPath, [join(root, "cli/main.ts"), ...args], { cwd: root, encoding: "utf8" })
  writeFileSync(join(h.home, "lite.zip"), onePackage("lite", await buildLite("service")))
  writeFileSync(join(h.home, "js.zip"), onePackage("js", await buildComponent(SERVICE_SOURCE)))
  assert.match(cli("package", "install", join(h.home, "lite.zip"), "--yes", "--home", h.home), /lite:alice\.os/)
  assert.match(cli("package", "install", join(h.home, "js.zip"), "--yes", "--home", h.home), /js:alice\.os/)

  const svc = pid("svc", "lite", "alice.os")
  const ask = async (ctx: { request: Function; our: { node: string } }, body: string) => {
    const r = await ctx.request({ node: ctx.our.node, process: svc }, request(enc.encode(body), 10_000))
    return JSON.parse(dec.decode(r.response.body))
  }
  let run = await boot(h.home)
  try {
    assert.ok(run.node.kernel.has(svc), "the light process was booted")
    const client = run.node.kernel.spawn({ id: pid("client"), process: {} })
    assert.equal(await ask(client, "ping 7"), { pong: 7 })
    assert.equal(await ask(client, "incr"), { count: 1 })
    assert.equal(await ask(client, "incr"), { count: 2 })
    assert.equal(await askJson(client, pid("svc", "js", "alice.os"), { op: "incr" }), { count: 1 })

    // The node's RPC and `cyberkernel ps` (a separate CLI process) list both processes.
    const r = await rpc<{ processes: ProcessStats[]; total: number }>(run.node.rpcAddress, "processes")
    assert.equal(r.processes.map((p) => [p.process, p.host]), [["svc:js:alice.os", "javascript"], ["svc:lite:alice.os", "light"]])
    const lite = r.processes[1]!
    assert.is(lite.received, 3)
    assert.is(lite.sent, 3, "three responses")
    assert.is(lite.mailbox, 0)
    assert.is(lite.inFlight, 0)
    assert.ok(lite.cpuMs > 0, `cpu ${lite.cpuMs}`)
    assert.ok(lite.memoryBytes >= 65536 && lite.memoryBytes <= 16 * 1024 * 1024, `memory ${lite.memoryBytes}`)
    const js = r.processes[0]!
    assert.is(js.received, 1)
    assert.is(js.sent, 1)
    assert.ok(js.cpuMs > 0 && js.memoryBytes > 1024 * 1024, `js cpu ${js.cpuMs} memory ${js.memoryBytes}`)
    const ps = async (...args: string[]) =>
      (await promisify(execFile)(process.execPath, [join(root, "cli/main.ts"), "ps", "--node", run.node.rpcAddress, ...args], { cwd: root, encoding: "utf8" })).stdout
    const rows = JSON.parse(await ps("--json")) as ProcessStats[]
    assert.equal(rows.map((p) => [p.process, p.host, p.received]), [["svc:js:alice.os", "javascript", 1], ["svc:lite:alice.os", "light", 3]])
    const table = await ps()
    console.log(table)
    assert.match(table, /^PROCESS\s+HOST\s+WORKER\s+CPU_MS\s+MEM_MIB\s+MAILBOX\s+IN_FLIGHT\s+RECEIVED\s+SENT$/m)
    assert.match(table, /^svc:lite:alice\.os\s+light\s+\d+\s+[\d.]+\s+[\d.]+\s+0\s+0\s+3\s+3$/m)
    assert.match(table, /^2 processes$/m)
    // Paging is bounded: a page past the end is a clear error, and the node keeps serving.
    const bad = await rpc(run.node.rpcAddress, "processes", { page: "3", per_page: "1" }).then(() => "", (e: Error) => e.message)
    assert.match(bad, /page should be within \[1, 2\] range, given 3/)
    assert.is((await rpc<{ count: number; total: number }>(run.node.rpcAddress, "processes", { page: "2", per_page: "1" })).count, 1)
  } finally {
    await run.stop()
  }
  run = await boot(h.home)
  try {
    const client = run.node.kernel.spawn({ id: pid("client"), process: {} })
    assert.equal(await ask(client, "incr"), { count: 3 }, "state survives the node restart")
  } finally {
    await run.stop()
  }
})

test("`cyberkernel ps` against a `cyberkernel start` node lists its booted light guest", async () => {
  const h = await makeHome(100)
  writeFileSync(join(h.home, "lite.zip"), onePackage("lite", await buildLite("service")))
  execFileSync(process.execPath, [join(root, "cli/main.ts"), "package", "install", join(h.home, "lite.zip"), "--yes", "--home", h.home], { cwd: root, encoding: "utf8" })
  const node = await startCliNode(h)
  try {
    const out = (await promisify(execFile)(process.execPath, [join(root, "cli/main.ts"), "ps", "--json", "--node", h.rpcUrl], { cwd: root, encoding: "utf8" })).stdout
    const rows = JSON.parse(out) as ProcessStats[]
    assert.is(rows.length, 1)
    const [row] = rows
    assert.is(row!.process, "svc:lite:alice.os")
    assert.is(row!.host, "light")
    assert.ok(row!.worker >= 0, "placed on a pool worker")
    assert.is(row!.received, 0)
    assert.ok(row!.memoryBytes >= 65536, `memory ${row!.memoryBytes}`)
  } finally {
    await node.kill()
  }
})

test.run()
