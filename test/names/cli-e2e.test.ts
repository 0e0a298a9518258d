/**
 * The names machine on a node started by the CLI (`[modules.names] enabled` at init, so the genesis
 * registry has it and the `os` zone is open): a name registered and given notes with
 * `cyberkernel tx names ...`, another with CosmJS (the message types in its Registry); both resolved
 * with `cyberkernel query names resolve` and through the chain RPC reader (NodeRecord.ts
 * rpcNodeRecords) that the network service uses; refusals come back as a failing CLI with the
 * machine's message, and the node keeps running.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { execFile } from "node:child_process"
import { join } from "node:path"
import { promisify } from "node:util"
import { DirectSecp256k1HdWallet, Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, GasPrice, SigningStargateClient } from "@cosmjs/stargate"
import { makeHome, startNode } from "../e2e/harness.ts"
import { MSG_REGISTER_URL, MSG_SET_NOTE_URL, MSG_TRANSFER_URL, MsgRegister, MsgSetNote, MsgTransfer } from "../../modules/names/Messages.ts"
import { rpcNodeRecords } from "../../modules/names/NodeRecord.ts"

const root = new URL("../..", import.meta.url).pathname
const run = promisify(execFile)
const cli = async (home: string, rpcUrl: string, ...args: string[]) =>
  JSON.parse((await run(process.execPath, [join(root, "cli/main.ts"), ...args, "--home", home, "--node", rpcUrl, "--output", "json"], { cwd: root })).stdout)
const cliFails = async (home: string, rpcUrl: string, ...args: string[]): Promise<string> => {
  try {
    await run(process.execPath, [join(root, "cli/main.ts"), ...args, "--home", home, "--node", rpcUrl], { cwd: root })
  } catch (e) {
    const err = e as { code: number; stderr: string; stdout: string }
    assert.is.not(err.code, 0)
    return err.stderr + err.stdout
  }
  throw new Error(`cyberkernel ${args.join(" ")} succeeded`)
}

test("register, set notes and resolve by CLI and CosmJS on a CLI node; refusals are clear", async () => {
  const h = await makeHome(200, { modules: ["names"] })
  const node = await startNode(h)
  try {
    const netKey = "ab".repeat(32)
    assert.is((await cli(h.home, h.rpcUrl, "tx", "names", "register", "dev", "alice.os")).code, 0)
    for (const [k, v] of [["~net-key", netKey], ["~ip", "127.0.0.1"], ["~tcp-port", "4001"], ["~routers", "r1.os"]]) {
      assert.is((await cli(h.home, h.rpcUrl, "tx", "names", "set", "dev", "alice.os", k!, v!)).code, 0, k)
    }
    const resolved = await cli(h.home, h.rpcUrl, "query", "names", "resolve", "alice.os")
    assert.is(resolved.owner, h.devAddress)
    assert.equal(resolved.notes.map((n: { key: string; value: string }) => [n.key, n.value]), [["~ip", "127.0.0.1"], ["~net-key", netKey], ["~routers", "r1.os"], ["~tcp-port", "4001"]])

    // CosmJS signs the names messages once they are in its Registry
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber" })
    const registry = new Registry([...defaultRegistryTypes, [MSG_REGISTER_URL, MsgRegister], [MSG_SET_NOTE_URL, MsgSetNote], [MSG_TRANSFER_URL, MsgTransfer]])
    const client = await SigningStargateClient.connectWithSigner(h.rpcUrl, wallet, { registry, gasPrice: GasPrice.fromString("0.01boot"), broadcastPollIntervalMs: 250 })
    const r = await client.signAndBroadcast(h.devAddress, [
      { typeUrl: MSG_REGISTER_URL, value: { sender: h.devAddress, name: "bob.os", owner: "" } },
      { typeUrl: MSG_SET_NOTE_URL, value: { owner: h.devAddress, name: "bob.os", key: "~ip", value: Uint8Array.of(10, 1, 2, 3) } },
      { typeUrl: MSG_REGISTER_URL, value: { sender: h.devAddress, name: "app.bob.os", owner: "" } }
    ], 1.5)
    assert.is(r.code, 0, r.rawLog)
    // CheckTx runs the message: a taken name is refused before it reaches a block
    const refused = await client.signAndBroadcast(h.devAddress, [{ typeUrl: MSG_REGISTER_URL, value: { sender: h.devAddress, name: "bob.os", owner: "" } }], { amount: [{ denom: "boot", amount: "10000" }], gas: "300000" })
      .then(() => "accepted", (e: Error) => e.message)
    assert.match(refused, /code 3 \(codespace: names\).*already registered/)
    client.disconnect()

    // the chain RPC reader the network service uses for a node that does not run the chain
    const read = rpcNodeRecords(h.rpcUrl)
    assert.equal(await read("alice.os"), { name: "alice.os", owner: h.devAddress, netKey: Uint8Array.from(Buffer.from(netKey, "hex")), ip: "127.0.0.1", tcpPort: 4001, routers: ["r1.os"] })
    assert.equal(await read("bob.os"), { name: "bob.os", owner: h.devAddress, ip: "10.1.2.3", routers: [] })
    assert.is(await read("nobody.os"), undefined)
    assert.equal((await cli(h.home, h.rpcUrl, "query", "names", "owned", h.devAddress)).names, ["alice.os", "app.bob.os", "bob.os"])

    // refusals: a zone without owner, a malformed value (checked before signing), a taken name
    assert.match(await cliFails(h.home, h.rpcUrl, "tx", "names", "set", "dev", "os", "~ip", "1.2.3.4"), /\b5\b.*does not own "os"/)
    assert.match(await cliFails(h.home, h.rpcUrl, "tx", "names", "set", "dev", "alice.os", "~ip", "999.1.1.1"), /not an IPv4 or IPv6 address/)
    assert.match(await cliFails(h.home, h.rpcUrl, "tx", "names", "register", "dev", "alice.os"), /\b3\b.*already registered/)
    assert.match(await cliFails(h.home, h.rpcUrl, "query", "names", "resolve", "nobody.os"), /code 4: .*not registered/)
    // the node still runs and answers
    assert.is((await cli(h.home, h.rpcUrl, "query", "names", "resolve", "alice.os")).name, "alice.os")
  } finally {
    await node.kill("SIGTERM")
  }
})

test.run()
