// A real node (CLI `start`, child process) runs blocks of nested program calls at every depth up
// to and past the limits; a copy of its home without the application state starts in a fresh
// process: the handshake replays every block from the block store and checks each app hash
// against the saved one (modules/consensus/producer/Producer.ts), so it refuses to start if any
// result depended on the host (the finding of issue 9: cold vs warm V8 gave different app hashes).
import { Registry } from "@cosmjs/proto-signing"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { cpSync, rmSync } from "node:fs"
import { createHash } from "node:crypto"
import { join } from "node:path"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { cyberwasmRegistryTypes } from "../../modules/cyberwasm/Client.ts"
import { programAddress } from "../../modules/cyberwasm/internal/Address.ts"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { makeHome, rpc, startNode } from "../e2e/harness.ts"
import { catcher, nester } from "./fixtures/nester.ts"

const enc = (s: string) => new TextEncoder().encode(s)

test("a node's home copied without its state replays the nesting blocks in a fresh process and starts at the same app hash", async () => {
  const h = await makeHome(200, { modules: ["cyberwasm"] })
  let node = await startNode(h)
  let last: { height: string; appHash: string }
  try {
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber" })
    const alice = (await wallet.getAccounts())[0]!.address
    const client = await SigningStargateClient.connectWithSigner(h.rpcUrl, wallet, {
      registry: new Registry([...defaultRegistryTypes, ...cyberwasmRegistryTypes]),
      broadcastPollIntervalMs: 100
    })
    const fee = (gas: number) => ({ amount: [{ denom: "boot", amount: String(gas / 100) }], gas: String(gas) })
    const code = nester(500)
    const stored = await client.signAndBroadcast(alice, [
      { typeUrl: M.TypeUrl.storeCode, value: { sender: alice, wasmByteCode: code } },
      { typeUrl: M.TypeUrl.storeCode, value: { sender: alice, wasmByteCode: catcher } }
    ], fee(20_000_000))
    assert.is(stored.code, 0, stored.rawLog)
    const inst = (c: Uint8Array) => ({ typeUrl: M.TypeUrl.instantiate, value: { sender: alice, codeHash: createHash("sha256").update(c).digest(), admin: alice, input: new Uint8Array(), reserve: 1_000_000n, label: "" } })
    const made = await client.signAndBroadcast(alice, [inst(catcher), ...Array(13).fill(inst(code))], fee(60_000_000))
    assert.is(made.code, 0, made.rawLog)
    // the catcher calls the first nester and returns the callee's result discriminant, so the
    // nested calls that fail on a limit are inside blocks too (CheckTx refuses failing txs)
    const catcherAddr = programAddress("cyber", 0n)
    const progs = Array.from({ length: 13 }, (_, i) => programAddress("cyber", BigInt(i + 1)))
    const outcomes: number[] = []
    for (let depth = 12; depth >= 1; depth -= 1) {
      for (const k of [60, 4, 1]) {
        const input = new Uint8Array([k, ...enc(progs.slice(1, depth).join(","))])
        const viaCatcher = new Uint8Array([progs[0]!.length, ...enc(progs[0]!), ...input])
        const r = await client.signAndBroadcast(alice, [{ typeUrl: M.TypeUrl.execute, value: { sender: alice, program: catcherAddr, input: viaCatcher } }], fee(30_000_000))
        assert.is(r.code, 0, r.rawLog)
        outcomes.push(M.MsgExecuteResponse.decode(r.msgResponses[0]!.value).data[0]!)
      }
    }
    assert.ok(outcomes.includes(0) && outcomes.includes(1), `nested successes and limit failures: ${outcomes}`)
    client.disconnect()
    const status = await rpc(h.rpcUrl, "status")
    const height = status.sync_info.latest_block_height as string
    const block = await rpc(h.rpcUrl, "block", { height })
    last = { height, appHash: block.block.header.app_hash }
  } finally {
    await node.kill("SIGTERM")
  }
  // the copy: same keys, config, genesis and block store; no application state
  const copy = join(mkdtempSync(join(tmpdir(), "ck-copy-")), "home")
  cpSync(h.home, copy, { recursive: true })
  rmSync(join(copy, "data", "state"), { recursive: true, force: true })
  node = await startNode({ ...h, home: copy }, 120_000)
  try {
    // the application itself (not only the copied block store) is at the last height again,
    // with the app hash the original node committed there (the next header carries it)
    const info = await rpc(h.rpcUrl, "abci_info")
    assert.ok(Number(info.response.last_block_height) >= Number(last!.height), JSON.stringify(info))
    const block = await rpc(h.rpcUrl, "block", { height: last!.height })
    assert.is(block.block.header.app_hash, last!.appHash)
    assert.not.match(node.output(), /differs from the saved/)
  } finally {
    await node.kill("SIGTERM")
    rmSync(copy, { recursive: true, force: true })
    rmSync(h.home, { recursive: true, force: true })
  }
})

test.run()
