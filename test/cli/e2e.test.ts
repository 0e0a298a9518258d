/**
 * The CLI against a real node: `start` as a child process on a free port, then `status`,
 * `keys add`, `tx bank send` (signed from the dev key in the test keyring, gas auto), `query bank
 * balances`, `query tx`, a rejected overdraw, SIGINT (clean exit), and a second `start` that
 * resumes the same chain.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "../support/Port.ts"
import { cli, root } from "./cliProcess.ts"

interface Started { readonly child: ChildProcess; readonly out: () => string; readonly exited: Promise<number | null> }

/** Start `cyberkernel start` and resolve once it prints its started report. */
const startNode = (home: string): Promise<Started> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["cli/main.ts", "start", "--home", home], { cwd: root, env: { ...process.env, FORCE_COLOR: "0" } })
    let out = ""
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)))
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`node did not start:\n${out}`)) }, 30_000)
    const onData = (d: Buffer) => {
      out += d
      if (out.includes("press Ctrl-C to stop")) { clearTimeout(timer); resolve({ child, out: () => out, exited }) }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.once("exit", () => { clearTimeout(timer); reject(new Error(`node exited before starting:\n${out}`)) })
  })

const stop = async (n: Started): Promise<number | null> => {
  n.child.kill("SIGINT")
  return n.exited
}

test("start, status, send, balances, tx, overdraw, stop, resume", async () => {
  const home = mkdtempSync(join(tmpdir(), "ck-e2e-"))
  const port = await freePort()
  const node = `http://127.0.0.1:${port}`
  const init = await cli(["init", "--home", home, "--chain-id", "e2e-1", "--output", "json"])
  assert.is(init.code, 0, init.stderr)
  const dev = JSON.parse(init.stdout).dev_account
  const cfgFile = join(home, "config", "config.toml")
  writeFileSync(cfgFile, readFileSync(cfgFile, "utf8")
    .replace(/listen = "127\.0\.0\.1:26657"/, `listen = "127.0.0.1:${port}"`)
    .replace(/block_time_ms = \d+/, "block_time_ms = 200"))

  let n = await startNode(home)
  let bob = ""
  try {
    assert.match(n.out(), "chain id: e2e-1")
    assert.match(n.out(), `rpc:`)
    // tcp:// is accepted as Cosmos CLIs accept it
    const status = await cli(["status", "--node", `tcp://127.0.0.1:${port}`, "--output", "json"])
    assert.is(status.code, 0, status.stderr)
    assert.is(JSON.parse(status.stdout).node_info.network, "e2e-1")
    // `npm install` builds libsecp256k1 from vendored source on every machine: the node runs it,
    // with worker threads pre-verifying broadcast txs.
    assert.is(JSON.parse(status.stdout).secp256k1_verifier, "libsecp256k1")
    assert.ok(JSON.parse(status.stdout).signature_workers >= 1)

    bob = JSON.parse((await cli(["keys", "add", "bob", "--home", home, "--output", "json"])).stdout).address as string
    const send = await cli(["tx", "bank", "send", "dev", bob, "12345boot", "--home", home, "--node", node, "--output", "json"])
    assert.is(send.code, 0, send.stderr + send.stdout)
    const sent = JSON.parse(send.stdout)
    assert.is(sent.code, 0)
    assert.match(sent.txhash, /^[0-9A-F]{64}$/)

    const bal = await cli(["query", "bank", "balances", bob, "--node", node, "--output", "json"])
    assert.equal(JSON.parse(bal.stdout).balances, [{ denom: "boot", amount: "12345" }])

    const tx = await cli(["query", "tx", sent.txhash, "--node", node, "--output", "json"])
    assert.is(tx.code, 0, tx.stderr)
    const txj = JSON.parse(tx.stdout)
    assert.is(txj.height, sent.height)
    assert.is(txj.messages[0]["@type"], "/cosmos.bank.v1beta1.MsgSend")
    assert.is(txj.messages[0].fromAddress, dev.address)

    const over = await cli(["tx", "bank", "send", "bob", dev.address, "999999999boot", "--home", home, "--node", node])
    assert.is(over.code, 1)
    assert.match(over.stderr, "insufficient funds")

  } finally {
    assert.is(await stop(n), 0, "SIGINT shuts the node down cleanly")
  }
  assert.match(n.out(), "shutting down")
  const heightBefore = Number(/shutting down at height (\d+)/.exec(n.out())![1])

  n = await startNode(home)
  try {
    assert.not.match(n.out(), "mnemonic", "a resumed chain prints no mnemonic")
    const status = JSON.parse((await cli(["status", "--node", node, "--output", "json"])).stdout)
    assert.ok(status.sync_info.latest_block_height >= heightBefore, "the chain resumes at its last height")
    const bal = await cli(["query", "bank", "balances", bob, "--node", node, "--output", "json"])
    assert.equal(JSON.parse(bal.stdout).balances, [{ denom: "boot", amount: "12345" }])
  } finally {
    assert.is(await stop(n), 0)
  }
})

test.run()
