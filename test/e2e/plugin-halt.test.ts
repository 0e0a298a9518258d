/**
 * A plugin machine activated on a live chain (docs/plugins.md): two homes share one genesis whose
 * registry schedules the hello plugin at height H (version and code hash given). Node A has the
 * plugin installed; node B does not: B stops before H (exit code 1, the error names hello, its
 * version and code hash; B's state and block store end at H-1: nothing of block H was saved).
 * After `plugin install` B starts again, resumes at H and runs on. Both nodes have the same
 * validator key, so they make the same chain but with different block times; the app hash does not
 * depend on block time here, so A's and B's app hashes at every height up to H+2 must be equal,
 * and the hello greeting and registry record read the same on both.
 */
import { spawn } from "node:child_process"
import { copyFileSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { openLevelBlockStore } from "../../node/blockstore/LevelBlockStore.ts"
import { pluginCodeHash, readChainRegistry } from "../../node/Plugins.ts"
import { pluginHost } from "../../plugins/Host.ts"
import { helloCodecs } from "../../plugins/hello/Codecs.ts"
import { makeHome, rpc, startNode, type NodeProcess, type TestHome } from "./harness.ts"

const root = new URL("../..", import.meta.url).pathname
const PLUGIN = join(root, "plugins/hello")
const H = 8
const codecs = helloCodecs(pluginHost)

/** Run the real CLI to completion; resolves with exit code and output. */
const cli = (args: ReadonlyArray<string>, timeoutMs = 60_000): Promise<{ code: number | null; out: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "cli/main.ts"), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    child.stdout.on("data", (d) => (out += d))
    child.stderr.on("data", (d) => (out += d))
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`cli ${args.join(" ")} ran over ${timeoutMs} ms:\n${out}`)) }, timeoutMs)
    child.once("exit", (code) => { clearTimeout(timer); resolve({ code, out }) })
  })

/** A second home for the same chain: its own ports and node key, A's genesis and validator key. */
const secondHome = async (a: TestHome): Promise<TestHome> => {
  const b = await makeHome(200)
  for (const f of ["genesis.json", "priv_validator_key.json"]) copyFileSync(join(a.home, "config", f), join(b.home, "config", f))
  return { ...b, chainId: a.chainId, devAddress: a.devAddress, mnemonic: a.mnemonic }
}

const appHashes = async (url: string, upTo: number): Promise<string[]> => {
  const out: string[] = []
  // the header of block h+1 carries the app hash after block h
  for (let h = 2; h <= upTo + 1; h++) out.push((await rpc(url, "block", { height: String(h) })).block.header.app_hash as string)
  return out
}

const waitHeight = async (url: string, height: number, timeoutMs = 60_000): Promise<void> => {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    const s = await rpc(url, "status").catch(() => undefined)
    if (Number(s?.sync_info?.latest_block_height ?? 0) >= height) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} did not reach height ${height} within ${timeoutMs} ms`)
}

const greeting = async (url: string, address: string) => {
  const r = await rpc(url, "abci_query", { path: JSON.stringify("/cyberkernel.hello.v1.Query/Greeting"), data: "0x" + Buffer.from(codecs.greetingRequest.encode({ address })).toString("hex") })
  assert.is(r.response.code, 0, `greeting query: ${r.response.log}`)
  return codecs.greetingResponse.decode(new Uint8Array(Buffer.from(r.response.value ?? "", "base64")))
}

test(`a node without the hello plugin stops before height ${H}, resumes after install, and matches the node that had it`, async () => {
  const a = await makeHome(200)
  const b = await secondHome(a)
  const codeHash = pluginCodeHash(PLUGIN)
  // Schedule hello at H in the shared genesis (docs/registry.md "Genesis": version and code hash
  // are required for a machine a node may not have).
  const genesisPath = join(a.home, "config", "genesis.json")
  const genesis = JSON.parse(readFileSync(genesisPath, "utf8"))
  genesis.app_state.registry.machines.push({
    name: "hello", version: "0.1.0", code_hash: codeHash, activation_height: String(H),
    genesis: { greetings: [{ address: a.devAddress, text: "gm from genesis" }] }
  })
  for (const home of [a.home, b.home]) writeFileSync(join(home, "config", "genesis.json"), JSON.stringify(genesis, null, 2))

  const install = (home: string) => cli(["plugin", "install", PLUGIN, "--home", home])
  const ia = await install(a.home)
  assert.is(ia.code, 0, ia.out)
  assert.ok(ia.out.includes(codeHash), ia.out)

  let nodeA: NodeProcess | undefined
  let nodeB: NodeProcess | undefined
  try {
    nodeA = await startNode(a)
    // B runs until it stops on its own before H.
    const first = await cli(["start", "--home", b.home], 120_000)
    assert.is(first.code, 1, `B's exit code:\n${first.out}`)
    for (const part of [`machine "hello"`, "version 0.1.0", codeHash, `at height ${H}`, `last committed height ${H - 1}`, "cyberkernel plugin install"]) {
      assert.ok(first.out.includes(part), `B's error names ${part}:\n${first.out}`)
    }
    const stateB = await readChainRegistry(b.home)
    assert.ok(stateB.available, "B has chain state")
    if (!stateB.available) return
    assert.is(stateB.height, H - 1, "B's last committed height")
    assert.is(stateB.records.find((r) => r.name === "hello")?.status, "scheduled")
    const blocksB = await openLevelBlockStore(join(b.home, "data", "blocks"))
    try {
      assert.is(blocksB.height(), H - 1, "B saved no block at H")
    } finally {
      await blocksB.close()
    }
    // `plugin list` on the stopped node shows what the chain expects.
    const listed = await cli(["plugin", "list", "--home", b.home])
    assert.ok(listed.out.includes("no plugins installed"), listed.out)
    assert.ok(listed.out.includes(`hello  0.1.0  ${codeHash}  scheduled at height ${H}, NOT INSTALLED here`), listed.out)

    // Install and start again: B resumes at H and runs on.
    const ib = await install(b.home)
    assert.is(ib.code, 0, ib.out)
    nodeB = await startNode(b)
    await waitHeight(b.rpcUrl, H + 2)
    await waitHeight(a.rpcUrl, H + 2)

    const hashesA = await appHashes(a.rpcUrl, H + 1)
    const hashesB = await appHashes(b.rpcUrl, H + 1)
    assert.equal(hashesB, hashesA, "app hashes after blocks 1..H+1 on B equal A's")
    for (const url of [a.rpcUrl, b.rpcUrl]) {
      assert.equal(await greeting(url, a.devAddress), { found: true, text: "gm from genesis" }, `greeting on ${url}`)
    }
  } finally {
    await nodeA?.kill("SIGTERM")
    await nodeB?.kill("SIGTERM")
  }
  const [ra, rb] = [await readChainRegistry(a.home), await readChainRegistry(b.home)]
  assert.ok(ra.available && rb.available)
  if (!ra.available || !rb.available) return
  const helloA = ra.records.find((r) => r.name === "hello")
  const helloB = rb.records.find((r) => r.name === "hello")
  assert.is(helloA?.status, "active")
  assert.is(helloA?.activationHeight, H)
  assert.equal(helloB, helloA, "hello's registry record on B equals A's")
})

test.run()
