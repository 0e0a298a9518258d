/**
 * The IBC CLI (modules/ibc/cli): argument handling of `tx ibc-transfer transfer` (ibc-go's four
 * arguments or the three, trace-path denoms sent as their voucher, timeout heights), and
 * against a node started by the CLI with `[modules.ibc] enabled = true`: the `query ibc-transfer`
 * and `query ibc client|connection|channel` commands over RPC, and a transfer on a channel that
 * does not exist refused by the chain with core's error, the CLI exiting 1 with the log.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { execFile } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { toBech32 } from "@cosmjs/encoding"
import { Effect, Exit } from "effect"
import { escrowAddressBytes } from "../../modules/ibc/apps/transfer/Denom.ts"
import { parseHeight, transferArgs } from "../../modules/ibc/cli/Transfer.ts"
import { defaultConfig } from "../../node/config/ConfigFile.ts"
import { initHome } from "../../node/home/Home.ts"
import { freePort, startNode, type NodeProcess, type TestHome } from "../e2e/harness.ts"

const root = new URL("../..", import.meta.url).pathname

const run = (home: TestHome | undefined, ...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const extra = home ? ["--home", home.home, "--node", home.rpcUrl, "--output", "json"] : ["--output", "json"]
    execFile(process.execPath, [join(root, "cli/main.ts"), ...args, ...extra], { cwd: root, encoding: "utf8" }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }))
  })

test("transfer arguments: [src-port] channel receiver amount; trace-path denoms become their ibc/ voucher", async () => {
  const ok = (args: string[]) => Effect.runPromise(transferArgs(args))
  assert.equal(await ok(["channel-0", "cosmos1r", "100boot"]), { port: "transfer", channel: "channel-0", receiver: "cosmos1r", token: { denom: "boot", amount: "100" } })
  assert.equal(await ok(["custom", "channel-3", "cosmos1r", "7boot"]), { port: "custom", channel: "channel-3", receiver: "cosmos1r", token: { denom: "boot", amount: "7" } })
  // ibc-go's CLI: a denom that is a trace path is sent as its voucher
  assert.equal((await ok(["channel-0", "r", "5transfer/channel-0/uatom"])).token.denom, "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2")
  assert.equal((await ok(["channel-0", "r", "5ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2"])).token.denom, "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2")
  for (const bad of [["channel-0", "r"], ["channel-0", "r", "boot"], ["channel-0", "r", "1.5boot"], ["channel-0", "r", "5boot,6hydrogen"], ["a", "b", "c", "d", "e"]]) {
    const exit = await Effect.runPromiseExit(transferArgs(bad))
    assert.ok(Exit.isFailure(exit), bad.join(" "))
  }
  assert.equal(parseHeight("0-1000"), { revisionNumber: 0n, revisionHeight: 1000n })
  assert.equal(parseHeight("3-7"), { revisionNumber: 3n, revisionHeight: 7n })
  for (const bad of ["1000", "0-", "-5", "a-b", "1-2-3", "18446744073709551616-1"]) assert.is(parseHeight(bad), undefined, bad)
})

test("the CLI refuses a bad timeout height before contacting a node", async () => {
  const r = await run(undefined, "tx", "ibc-transfer", "transfer", "channel-0", "cosmos1r", "5boot", "--from", "dev", "--packet-timeout-height", "1000", "--node", "http://127.0.0.1:9")
  assert.is(r.status, 1, r.stdout)
  assert.match(r.stderr, /invalid --packet-timeout-height "1000": expected height string format: \{revision\}-\{height\}/)
})

const ibcAvailable = "ibc" in defaultConfig.modules
if (!ibcAvailable) console.log("cli-ibc: SKIPPED the node tests: this build has no [modules.ibc] (node/config/NodeConfig.ts)")

;(ibcAvailable ? test : test.skip)("against a node with modules.ibc: query ibc-transfer and query ibc commands; a transfer on a missing channel is refused", async () => {
  const homeDir = mkdtempSync(join(tmpdir(), "ck-cli-ibc-"))
  const port = await freePort()
  const config = {
    ...defaultConfig,
    rpc: { ...defaultConfig.rpc, listen: `127.0.0.1:${port}` },
    consensus: { ...defaultConfig.consensus, blockTimeMs: 200 },
    modules: { ...defaultConfig.modules, ibc: { ...(defaultConfig.modules as Record<string, object>).ibc, enabled: true } }
  }
  const init = await Effect.runPromise(initHome({ home: homeDir, config: config as typeof defaultConfig }))
  const home: TestHome = { home: homeDir, rpcUrl: `http://127.0.0.1:${port}`, chainId: init.chainId, mnemonic: init.devAccount!.mnemonic!, devAddress: init.devAccount!.address }
  let node: NodeProcess | undefined
  try {
    node = await startNode(home)
    const json = async (...args: string[]) => {
      const r = await run(home, ...args)
      assert.is(r.status, 0, `${args.join(" ")}: ${r.stderr}`)
      return JSON.parse(r.stdout)
    }
    const [escrow, params, traces, clients, connections, channels, total] = await Promise.all([
      json("query", "ibc-transfer", "escrow-address", "transfer", "channel-0"),
      json("query", "ibc-transfer", "params"),
      json("query", "ibc-transfer", "denom-traces"),
      json("query", "ibc", "client", "states"),
      json("query", "ibc", "connection", "connections"),
      json("query", "ibc", "channel", "channels"),
      json("query", "ibc-transfer", "total-escrow", "boot")
    ])
    assert.equal(total, { amount: { denom: "boot", amount: "0" } })
    assert.equal(escrow, { escrow_address: toBech32("cyber", escrowAddressBytes("transfer", "channel-0")) })
    assert.equal(params, { params: { send_enabled: true, receive_enabled: true } })
    assert.equal(traces.denom_traces, [])
    assert.equal(clients.client_states, [])
    assert.equal(connections.connections, [])
    assert.equal(channels.channels, [])
    const missing = await run(home, "query", "ibc", "client", "state", "07-tendermint-0")
    assert.is(missing.status, 1)
    assert.match(missing.stderr, /query failed with code/)
    const hash = await run(home, "query", "ibc-transfer", "denom-trace", "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2")
    assert.is(hash.status, 1)
    assert.match(hash.stderr, /denomination trace not found/)
    const unknownHash = await run(home, "query", "ibc-transfer", "denom-hash", "transfer/channel-0/uatom")
    assert.is(unknownHash.status, 1)
    assert.match(unknownHash.stderr, /code 22: .*transfer\/channel-0\/uatom: denomination trace not found/)
    const sent = await run(home, "tx", "ibc-transfer", "transfer", "channel-0", "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a", "5boot", "--from", "dev", "--absolute-timeouts", "--gas", "300000")
    assert.is(sent.status, 1, sent.stdout)
    assert.match(sent.stderr, /code 3 \(codespace: channel\)\. Log: port ID \(transfer\) channel ID \(channel-0\): channel not found/)
  } finally {
    await node?.kill("SIGTERM")
  }
})

test.run()
