/**
 * `start`'s per-block status line: the formatter on a hand-made block (unit), then a node started
 * by the real CLI prints one line per block after its banner, with consecutive heights and the tx
 * count of a block CosmJS put a send in; `--quiet` and `--log-level warn` print none while the
 * chain goes on; `--output json` prints one block event per line.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { spawn } from "node:child_process"
import { join } from "node:path"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate"
import { ExecTxResult, ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types"
import { blockStatus, statusJson, statusPrinter, statusText } from "../../cli/internal/StatusLine.ts"
import type { CommittedBlock } from "../../modules/consensus/producer/Producer.ts"
import { makeHome, rpc, type TestHome } from "../e2e/harness.ts"
import { root } from "./cliProcess.ts"

const unit = suite("status line: formatting")

const block = (height: number, timeNs: bigint, codes: ReadonlyArray<number>): CommittedBlock => ({
  height,
  timeNs,
  blockHash: new Uint8Array(32),
  appHash: Uint8Array.from([0x3f, 0x2a, 0x9c, 0x1b, 0xde, 0xad, 0xbe, 0xef]),
  block: { header: {} as never, hash: new Uint8Array(32), txs: codes.map(() => new Uint8Array(1)), lastCommit: {} as never },
  results: ResponseFinalizeBlock.fromPartial({ txResults: codes.map((code, i) => ExecTxResult.fromPartial({ code, gasUsed: BigInt(1000 * (i + 1)) })) })
})

unit("text: height, txs, failed, gas, ISO time, interval, app hash prefix", () => {
  const t0 = 1_764_732_968_123_000_000n
  const s = blockStatus(block(42, t0 + 1_002_400_000n, [0, 5, 0]), t0)
  assert.is(statusText(s), "height=42 txs=3 failed=1 gas=6000 time=2025-12-03T03:36:09.125Z interval=1.002s app=3F2A9C1B")
  const first = blockStatus(block(1, t0, []), undefined)
  assert.is(statusText(first), "height=1 txs=0 failed=0 gas=0 time=2025-12-03T03:36:08.123Z interval=- app=3F2A9C1B")
  assert.equal(statusJson(s), {
    event: "block", height: 42, txs: 3, failed_txs: 1, gas_used: "6000", time: "2025-12-03T03:36:09.125Z", interval_ms: 1002, app_hash: "3F2A9C1BDEADBEEF"
  })
  assert.is(statusJson(first).interval_ms, null)
})

unit("printer: silent until opened, then one line per block; the interval spans the silent blocks", () => {
  const lines: string[] = []
  const p = statusPrinter("text", (l) => lines.push(l))
  p.onCommitted(block(1, 1_000_000_000n, []))
  assert.equal(lines, [], "nothing before open (the banner is not out yet)")
  p.open()
  p.onCommitted(block(2, 1_500_000_000n, [0]))
  assert.is(lines.length, 1)
  assert.match(lines[0]!, /^height=2 txs=1 failed=0 gas=1000 time=\S+ interval=0\.500s app=3F2A9C1B\n$/)
  const json: string[] = []
  const pj = statusPrinter("json", (l) => json.push(l))
  pj.open()
  pj.onCommitted(block(7, 2_000_000_000n, []))
  assert.is(JSON.parse(json[0]!).height, 7)
})

unit.run()

interface Run { out: () => string; stop: () => Promise<void> }

/** `cyberkernel start --home <home> ...extra`, stdout and stderr apart. */
const start = (h: TestHome, extra: ReadonlyArray<string>): Run & { stdout: () => string } => {
  const child = spawn(process.execPath, [join(root, "cli/main.ts"), "start", "--home", h.home, ...extra], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } })
  let out = ""
  let stdout = ""
  child.stdout!.on("data", (d) => { out += d; stdout += d })
  child.stderr!.on("data", (d) => { out += d })
  const exited = new Promise<void>((r) => child.once("exit", () => r()))
  return {
    out: () => out,
    stdout: () => stdout,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
      await exited
    }
  }
}

const until = async (what: string, cond: () => boolean | Promise<boolean>, run: Run, timeoutMs = 30_000): Promise<void> => {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (await cond()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${what}:\n${run.out()}`)
}

const statusLines = (stdout: string): string[] => stdout.split("\n").filter((l) => l.startsWith("height="))
const height = async (h: TestHome): Promise<number> => {
  try {
    return Number((await rpc<{ sync_info: { latest_block_height: string } }>(h.rpcUrl, "status")).sync_info.latest_block_height)
  } catch {
    return 0
  }
}

const node = suite<{ h: TestHome }>("status line: a CLI node")

node.before(async (ctx) => {
  ctx.h = await makeHome(200)
})

node("one line per block after the banner, heights consecutive, a send counted in its block", async ({ h }) => {
  const n = start(h, [])
  try {
    await until("the banner and 3 status lines", () => n.stdout().includes("press Ctrl-C to stop") && statusLines(n.stdout()).length >= 3, n)
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber" })
    const client = await SigningStargateClient.connectWithSigner(h.rpcUrl, wallet, { gasPrice: GasPrice.fromString("0.01boot"), broadcastPollIntervalMs: 100 })
    const sent = await client.sendTokens(h.devAddress, h.devAddress, [{ denom: "boot", amount: "1" }], "auto")
    client.disconnect()
    assert.is(sent.code, 0)
    await until(`the status line of height ${sent.height}`, () => statusLines(n.stdout()).some((l) => l.startsWith(`height=${sent.height} `)), n)
    const out = n.stdout()
    assert.ok(out.indexOf("press Ctrl-C to stop") < out.indexOf("height="), "status lines follow the banner")
    const lines = statusLines(out)
    const heights = lines.map((l) => Number(/^height=(\d+) /.exec(l)![1]))
    for (let i = 1; i < heights.length; i++) assert.is(heights[i], heights[i - 1]! + 1, `consecutive heights: ${heights.join(",")}`)
    for (const l of lines) assert.match(l, /^height=\d+ txs=\d+ failed=\d+ gas=\d+ time=\d{4}-\d\d-\d\dT[\d:.]+Z interval=(-|\d+\.\d{3}s) app=[0-9A-F]{8}$/)
    const withTx = lines.find((l) => l.startsWith(`height=${sent.height} `))!
    assert.match(withTx, / txs=1 failed=0 gas=[1-9]\d* /, withTx)
    assert.match(withTx, new RegExp(`gas=${sent.gasUsed} `), "the block's gas is the tx's gas used")
  } finally {
    await n.stop()
  }
})

node("--quiet and --log-level warn: no status lines while blocks are made; --output json: block events", async ({ h }) => {
  for (const flags of [["--quiet"], ["--log-level", "warn"]]) {
    const n = start(h, flags)
    try {
      const from = await (async () => { await until("the banner", () => n.stdout().includes("press Ctrl-C to stop"), n); return height(h) })()
      await until("3 more blocks", async () => (await height(h)) >= from + 3, n)
      assert.equal(statusLines(n.stdout()), [], `${flags.join(" ")}: no status line`)
      assert.match(n.stdout(), "chain id:", "the banner is still printed")
    } finally {
      await n.stop()
    }
  }
  const n = start(h, ["--output", "json"])
  try {
    // the started event is an indented object; each block event is one compact line
    const blocks = () => n.stdout().split("\n").filter((l) => l.startsWith(`{"event":"block"`)).map((l) => JSON.parse(l) as { height: number; txs: number; app_hash: string })
    await until("2 block events", () => blocks().length >= 2, n)
    const out = n.stdout()
    assert.ok(out.includes(`"event": "started"`) && out.indexOf(`"event": "started"`) < out.indexOf(`{"event":"block"`), "the started event comes first")
    const [a, b] = blocks() as [{ height: number; txs: number; app_hash: string }, { height: number }]
    assert.is(b.height, a.height + 1)
    assert.is(a.txs, 0)
    assert.match(a.app_hash, /^[0-9A-F]{64}$/)
  } finally {
    await n.stop()
  }
})

node.run()
