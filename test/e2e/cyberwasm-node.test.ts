/**
 * CyberWasm switched on in the operator config of a real node (CLI `start`, child process): a
 * CosmJS client uploads, instantiates and calls the SDK's counter program; the CLI reads the
 * program record and a read-only dispatch; the program's memory survives a node restart.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { execFileSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { DirectSecp256k1HdWallet, Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, GasPrice, SigningStargateClient } from "@cosmjs/stargate"
import { createHash } from "node:crypto"
import { cyberwasmRegistryTypes } from "../../modules/cyberwasm/Client.ts"
import { programAddress } from "../../modules/cyberwasm/internal/Address.ts"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { buildExamples } from "../../sdk/assemblyscript/build.ts"
import { makeHome, startNode } from "./harness.ts"

const root = new URL("../..", import.meta.url).pathname
const cli = (home: string, rpcUrl: string, ...args: string[]) =>
  execFileSync(process.execPath, [join(root, "cli/main.ts"), ...args, "--home", home, "--node", rpcUrl, "--output", "json"], { cwd: root, encoding: "utf8" })

test("a node with modules.cyberwasm.enabled runs a counter program end to end and across a restart", async () => {
  const wasm = await buildExamples(["counter"])
  // cyberwasm enabled at init: it is in the genesis machine registry (docs/registry.md)
  const h = await makeHome(200, { modules: ["cyberwasm"] })
  const config = readFileSync(join(h.home, "config", "config.toml"), "utf8")
  assert.match(config, /\[modules\.cyberwasm\]\nenabled = true/)

  let node = await startNode(h)
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber" })
  const alice = (await wallet.getAccounts())[0]!.address
  const client = await SigningStargateClient.connectWithSigner(h.rpcUrl, wallet, {
    registry: new Registry([...defaultRegistryTypes, ...cyberwasmRegistryTypes]),
    gasPrice: GasPrice.fromString("0.01boot"),
    broadcastPollIntervalMs: 100
  })
  const codeHash = createHash("sha256").update(wasm.counter!).digest()
  const store = await client.signAndBroadcast(alice, [{ typeUrl: M.TypeUrl.storeCode, value: { sender: alice, wasmByteCode: wasm.counter! } }], 1.5)
  assert.is(store.code, 0, store.rawLog)
  const inst = await client.signAndBroadcast(alice, [{ typeUrl: M.TypeUrl.instantiate, value: { sender: alice, codeHash, admin: alice, input: new Uint8Array(), reserve: 1_000_000n, label: "counter" } }], 1.5)
  assert.is(inst.code, 0, inst.rawLog)
  const counter = programAddress("cyber", 0n)
  const exec = { typeUrl: M.TypeUrl.execute, value: { sender: alice, program: counter, input: new TextEncoder().encode("inc") } }
  const res = await client.signAndBroadcast(alice, [exec, exec, exec], 1.5)
  assert.is(res.code, 0, res.rawLog)
  client.disconnect()

  const info = JSON.parse(cli(h.home, h.rpcUrl, "query", "cyberwasm", "program", counter)) as { status: string; code_hash: string }
  assert.is(info.status, "active")
  assert.is(info.code_hash, codeHash.toString("hex"))
  const count = () => JSON.parse(cli(h.home, h.rpcUrl, "query", "cyberwasm", "dispatch", counter, "")) as { data: string }
  const le = (hex: string) => Buffer.from(hex, "hex").readBigUInt64LE(0)
  assert.is(le(count().data), 3n)

  await node.kill("SIGTERM")
  node = await startNode(h)
  assert.is(le(count().data), 3n, "program memory survives the restart")
  await node.kill("SIGTERM")
})

test.run()
