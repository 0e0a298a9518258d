/**
 * Issue "Hostile input", coherent size limits end to end: on a real node (CLI `start`, cyberwasm
 * on at init), a program of exactly the chain's upload limit (genesis `cyberwasm.params.
 * max_code_bytes`) is uploaded through CosmJS over RPC and stored; one byte more is refused with
 * the upload limit's typed error, not by the HTTP layer and not as an internal error.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { DirectSecp256k1HdWallet, Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, GasPrice, SigningStargateClient } from "@cosmjs/stargate"
import { cyberwasmRegistryTypes } from "../../modules/cyberwasm/Client.ts"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { programOfSize } from "../cyberwasm/fixtures/wat.ts"
import { makeHome, startNode, type NodeProcess } from "./harness.ts"

test("the largest program the upload limit allows is stored over RPC; one byte more gets the limit's error", async () => {
  const h = await makeHome(150, { modules: ["cyberwasm"] })
  const genesis = JSON.parse(readFileSync(join(h.home, "config", "genesis.json"), "utf8")) as { app_state: { cyberwasm?: { params?: { max_code_bytes?: string } } } }
  const limit = Number(genesis.app_state.cyberwasm?.params?.max_code_bytes)
  assert.ok(limit > 500_000, `genesis names the upload limit: ${limit}`)
  let node: NodeProcess | undefined
  try {
    node = await startNode(h)
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber" })
    const alice = (await wallet.getAccounts())[0]!.address
    const client = await SigningStargateClient.connectWithSigner(h.rpcUrl, wallet, {
      registry: new Registry([...defaultRegistryTypes, ...cyberwasmRegistryTypes]), gasPrice: GasPrice.fromString("0.01boot"), broadcastPollIntervalMs: 100
    })
    const fee = { amount: [{ denom: "boot", amount: "600000" }], gas: "60000000" }
    const largest = programOfSize(limit, { pages: 17 })
    assert.is(largest.length, limit)
    const stored = await client.signAndBroadcast(alice, [{ typeUrl: M.TypeUrl.storeCode, value: { sender: alice, wasmByteCode: largest } }], fee)
    assert.is(stored.code, 0, stored.rawLog)
    const over = await client.signAndBroadcast(alice, [{ typeUrl: M.TypeUrl.storeCode, value: { sender: alice, wasmByteCode: programOfSize(limit + 1, { pages: 17 }) } }], fee)
      .then((r) => `${r.code} ${r.rawLog}`, (e: Error) => e.message)
    assert.match(over, new RegExp(`binary is ${limit + 1} bytes, limit ${limit}`))
    assert.not.match(over, /code 1\b|internal|413|body exceeds/)
    client.disconnect()
  } finally {
    await node?.kill("SIGTERM")
  }
})

test.run()
