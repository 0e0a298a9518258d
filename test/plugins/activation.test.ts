/**
 * A plugin activated through governance, in process: two Applications over their own stores run
 * the same blocks. A has hello loaded by the plugin loader from an installed copy; B does not. A
 * machine holding `authority.execute` runs the MsgActivateMachine of `plugin proposal` (as a
 * passed proposal does) for height H. Before H, MsgHello is refused on both (code 6); at H, B's
 * stop check names the plugin and its FinalizeBlock refuses the block with nothing written; B
 * "installs" (a new Application with the plugin over the same store) and runs H: every app hash
 * and the hello state equal A's.
 */
import { DirectSecp256k1Wallet, Registry, type GeneratedType } from "@cosmjs/proto-signing"
import { SigningStargateClient } from "@cosmjs/stargate"
import { sha256 } from "@noble/hashes/sha2.js"
import { toBech32 } from "@cosmjs/encoding"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { Application } from "../../chain/Application.ts"
import { authorityMsgFromJSON } from "../../chain/Authority.ts"
import type { Machine } from "../../chain/Machine.ts"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { listRecords, MachineCodeMismatch, REGISTRY_NAMESPACE } from "../../chain/Registry.ts"
import { toHex } from "../../lib/Bytes.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { activationProposal, installPlugin, loadPlugin, missingActivation } from "../../node/Plugins.ts"
import { pluginHost } from "../../plugins/Host.ts"
import { helloCodecs, type MsgHello } from "../../plugins/hello/Codecs.ts"
import { HELLO_QUERY, MSG_HELLO } from "../../plugins/hello/Hello.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import type { CommitMultiStore } from "../../store/KVStore.ts"
import { accountOf, appState, block, CHAIN_ID, initChain } from "../registry/registryChain.ts"
import { ExecMachine } from "../support/ExecMachine.ts"

const HELLO_DIR = new URL("../../plugins/hello", import.meta.url).pathname
const OPTS = { bech32Prefix: "cyber", bondDenom: "boot" }
const GOV = toBech32("cyber", moduleAccountBytes("gov"))
const H = 4
const codecs = helloCodecs(pluginHost)

const MsgHelloType: GeneratedType = {
  encode: (m: MsgHello) => ({ finish: () => codecs.msgHello.encode(m) }),
  decode: (b: Uint8Array) => codecs.msgHello.decode(b),
  fromPartial: (o: Partial<MsgHello>) => ({ sender: o.sender ?? "", text: o.text ?? "" })
} as unknown as GeneratedType

const node = async (memory: MemoryStorage, hello: Machine | undefined, exec: ExecMachine): Promise<{ app: Application; store: CommitMultiStore; machines: Machine[] }> => {
  const auth = new AuthMachine({ minGasPrices: "0.001boot" })
  const machines: Machine[] = [auth, new BankMachine({}), exec, ...(hello ? [hello] : [])]
  const store = await openCommitMultiStore({ memory, namespaces: Application.namespaces() })
  return { app: new Application({ chainId: CHAIN_ID, store, machines, pipeline: auth }), store, machines }
}

test("hello activated by an authority message: refused before H, a node without it stops at H, installs, and matches", async () => {
  const home = mkdtempSync(join(tmpdir(), "ck-plugin-activation-"))
  try {
    const installed = await installPlugin(HELLO_DIR, home, OPTS)
    const helloOf = async () => (await loadPlugin(installed.dir, OPTS)).machine
    const wallet = await DirectSecp256k1Wallet.fromKey(sha256(new TextEncoder().encode("registry key 1")), "cyber")
    const address = (await wallet.getAccounts())[0]!.address
    const signer = await SigningStargateClient.offline(wallet, { registry: new Registry([[MSG_HELLO, MsgHelloType]]) })
    // The chain runs auth, bank and exec; hello is only code A has.
    const state = appState([{ address, signer }], { registry: { machines: [{ name: "auth" }, { name: "bank" }, { name: "exec" }] } })

    const execA = new ExecMachine()
    const execB = new ExecMachine()
    const memB = new MemoryStorage()
    const a = await node(new MemoryStorage(), await helloOf(), execA)
    let b = await node(memB, undefined, execB)
    await initChain(a.app, state)
    await initChain(b.app, state)

    const helloTx = async (app: Application, text: string) => {
      const acc = await accountOf(app, address)
      const raw = await signer.sign(address, [{ typeUrl: MSG_HELLO, value: { sender: address, text } }], { amount: [{ denom: "boot", amount: "2000" }], gas: "200000" }, "", {
        accountNumber: BigInt(acc.accountNumber), sequence: acc.sequence, chainId: CHAIN_ID
      })
      return TxRaw.encode(raw).finish()
    }
    const both = async (height: number, txs: Uint8Array[] = []) => {
      const ra = await block(a.app, height, txs)
      const rb = await block(b.app, height, txs)
      assert.is(toHex(rb.appHash), toHex(ra.appHash), `app hash after block ${height}`)
      return ra
    }

    await both(1)
    const proposal = await activationProposal(installed.dir, { ...OPTS, height: H, deposit: "1boot", genesis: { greetings: [{ address, text: "from the proposal" }] } })
    const msg = authorityMsgFromJSON((proposal.messages as Array<Record<string, unknown>>)[0]!)
    execA.pending = [msg]
    execB.pending = [msg]
    await both(2)
    assert.ok(execA.outcome?.ok !== false, execA.outcome?.log)
    const rec = listRecords(b.store.store(REGISTRY_NAMESPACE)).find((r) => r.name === "hello")
    assert.equal(rec && { status: rec.status, height: rec.activationHeight, version: rec.version, hash: toHex(rec.codeHash) }, { status: "scheduled", height: H, version: "0.1.0", hash: installed.codeHash })

    const early = await both(3, [await helloTx(a.app, "too early")])
    assert.is(early.txResults[0]!.code, 6, early.txResults[0]!.log)

    // B at H: the node's stop check names the plugin; FinalizeBlock refuses the block.
    const records = listRecords(b.store.store(REGISTRY_NAMESPACE))
    const missing = missingActivation(records, b.machines, CHAIN_ID, H)
    assert.ok(missing?.message.includes(`"hello" version 0.1.0 (code hash ${installed.codeHash}) at height ${H}`), missing?.message)
    assert.is(missingActivation(records, a.machines, CHAIN_ID, H), undefined)
    const tx = await helloTx(a.app, "gm")
    const hashBefore = toHex(b.store.lastCommit().hash)
    await block(b.app, H, [tx]).then(() => assert.unreachable("B ran block H"), (e: unknown) => assert.instance(e, MachineCodeMismatch))
    assert.is(b.store.lastCommit().version, H - 1)
    assert.is(toHex(b.store.lastCommit().hash), hashBefore)

    // "install" on B: a new process (Application) over the same committed store, with the plugin.
    b = await node(memB, await helloOf(), execB)
    const ra = await block(a.app, H, [tx])
    const rb = await block(b.app, H, [tx])
    assert.is(ra.txResults[0]!.code, 0, ra.txResults[0]!.log)
    assert.is(rb.txResults[0]!.code, 0, rb.txResults[0]!.log)
    assert.is(toHex(rb.appHash), toHex(ra.appHash), `app hash after block ${H}`)
    await both(H + 1)
    for (const app of [a.app, b.app]) {
      const q = await app.query({ path: HELLO_QUERY + "Greeting", data: codecs.greetingRequest.encode({ address }), height: 0n, prove: false })
      assert.equal(codecs.greetingResponse.decode(q.value), { found: true, text: "gm" })
    }
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
})

test.run()
