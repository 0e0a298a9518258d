/**
 * Propose and activate a plugin on a real node (child process, the real CLI): a home with staking
 * and gov (voting period 3 s) and the hello plugin installed; `plugin proposal` writes the proposal
 * file; it is submitted and voted yes with the dev account's stake through CosmJS (gov's own CLI,
 * `tx gov submit-proposal` / `vote`, does the same; its start-up time under load would not fit a
 * 3 s voting period), and at the proposal's height hello is active: its query path answers with the
 * greeting from the proposal's genesis, where before that height it was unknown (code 6).
 */
import { spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { defaultConfig } from "../../node/config/ConfigFile.ts"
import { initHome } from "../../node/home/Home.ts"
import { pluginHost } from "../../plugins/Host.ts"
import { helloCodecs } from "../../plugins/hello/Codecs.ts"
import { freePort, rpc, setGovParams, startNode, submitAndVote, type NodeProcess, type ProposalFile, type TestHome } from "../e2e/harness.ts"

const root = new URL("../..", import.meta.url).pathname
const PLUGIN = join(root, "plugins/hello")
const codecs = helloCodecs(pluginHost)

const cli = (args: ReadonlyArray<string>, timeoutMs = 60_000): Promise<{ code: number | null; out: string; stdout: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "cli/main.ts"), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let stdout = ""
    child.stdout.on("data", (d) => { out += d; stdout += d })
    child.stderr.on("data", (d) => (out += d))
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`cli ${args.join(" ")} ran over ${timeoutMs} ms:\n${out}`)) }, timeoutMs)
    child.once("exit", (code) => { clearTimeout(timer); resolve({ code, out, stdout }) })
  })

const makeGovHome = async (): Promise<TestHome> => {
  const home = mkdtempSync(join(tmpdir(), "ck-plugin-gov-"))
  const port = await freePort()
  const on = { enabled: true }
  const config = {
    ...defaultConfig,
    rpc: { ...defaultConfig.rpc, listen: `127.0.0.1:${port}` },
    consensus: { ...defaultConfig.consensus, blockTimeMs: 200 },
    modules: { ...defaultConfig.modules, staking: { ...defaultConfig.modules.staking, ...on }, gov: { ...defaultConfig.modules.gov, ...on } }
  }
  const init = await Effect.runPromise(initHome({ home, config }))
  setGovParams(home, { voting_period: "3s", expedited_voting_period: "1s" })
  return { home, rpcUrl: `http://127.0.0.1:${port}`, chainId: init.chainId, mnemonic: init.devAccount!.mnemonic!, devAddress: init.devAccount!.address }
}

const greeting = async (url: string, address: string) => {
  const r = await rpc(url, "abci_query", { path: JSON.stringify("/cyberkernel.hello.v1.Query/Greeting"), data: "0x" + Buffer.from(codecs.greetingRequest.encode({ address })).toString("hex") })
  return { code: r.response.code as number, log: r.response.log as string, value: codecs.greetingResponse.decode(new Uint8Array(Buffer.from(r.response.value ?? "", "base64"))) }
}

const height = async (url: string): Promise<number> => Number((await rpc(url, "status")).sync_info.latest_block_height)

test("plugin proposal -> submit -> vote yes -> hello active at the proposal's height", async () => {
  const h = await makeGovHome()
  const installed = await cli(["plugin", "install", PLUGIN, "--home", h.home])
  assert.is(installed.code, 0, installed.out)
  let node: NodeProcess | undefined
  try {
    node = await startNode(h)
    // room for the proposal CLI (up to ~10 s under load), submit + vote, and the 3 s voting period
    const at = (await height(h.rpcUrl)) + 75
    const genesisFile = join(h.home, "hello-genesis.json")
    writeFileSync(genesisFile, JSON.stringify({ greetings: [{ address: h.devAddress, text: "activated by governance" }] }))
    const prop = await cli(["plugin", "proposal", PLUGIN, "--height", String(at), "--genesis", genesisFile, "--home", h.home])
    assert.is(prop.code, 0, prop.out)
    const file = JSON.parse(prop.stdout) as ProposalFile
    const id = await submitAndVote(h, file)
    const common = ["--home", h.home, "--node", h.rpcUrl, "--output", "json"]
    const before = await greeting(h.rpcUrl, h.devAddress)
    assert.is(before.code, 6, `hello is not active before height ${at}: ${before.log}`)
    assert.ok((await height(h.rpcUrl)) < at, "the test reached the activation height too early to check the refusal")
    const deadline = performance.now() + 60_000
    while ((await height(h.rpcUrl)) < at && performance.now() < deadline) await new Promise((r) => setTimeout(r, 200))
    const shown = await cli(["query", "gov", "proposal", id.toString(), ...common])
    assert.ok(/"status":\s*"PROPOSAL_STATUS_PASSED"/.test(shown.stdout), `proposal passed:\n${shown.out}`)
    const after = await greeting(h.rpcUrl, h.devAddress)
    assert.is(after.code, 0, after.log)
    assert.equal(after.value, { found: true, text: "activated by governance" })
  } finally {
    await node?.kill("SIGTERM")
  }
})

test.run()
