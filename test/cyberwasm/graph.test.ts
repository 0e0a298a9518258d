// CyberWasm programs on the graph through the real multiplexer: auth, bank, graph and cyberwasm
// loaded by node/Machines.ts (so with its grants), CosmJS-signed txs. A staked program creates a
// cyberlink as its own neuron and reads outlinks, backlinks and the published rank (in a tx and in
// a read-only query); a program without stake gets the graph's zero-power error as
// create_cyberlink's err, and the graph's state is unchanged.
import { DirectSecp256k1Wallet, Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { sha256 } from "@noble/hashes/sha2.js"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { Application } from "../../chain/Application.ts"
import { makeKernel } from "../../kernel/Kernel.ts"
import { cyberwasmRegistryTypes } from "../../modules/cyberwasm/Client.ts"
import { programAddress } from "../../modules/cyberwasm/internal/Address.ts"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { defaultConfig } from "../../node/config/ConfigFile.ts"
import { loadMachines } from "../../node/Machines.ts"
import { registerMachines } from "../../node/Node.ts"
import { buildExamples } from "../../sdk/assemblyscript/build.ts"
import { openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import { accountOf } from "../e2e/chainFixture.ts"
import { block, CHAIN_ID, cidOf, dump, genesisBytes, initChain } from "../graph/machineFixture.ts"

const wasm = await buildExamples(["linker"])
const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)
const test = suite("cyberwasm programs on the graph")

const open = async () => {
  const m = defaultConfig.modules
  const config = { ...defaultConfig, modules: { ...m, graph: { ...m.graph, enabled: true }, cyberwasm: { ...m.cyberwasm, enabled: true } } }
  const set = await loadMachines(config)
  const kernel = makeKernel({ node: "graph-cyberwasm" })
  const store = await openCommitMultiStore({ path: mkdtempSync(join(tmpdir(), "cw-graph-")), namespaces: Application.namespaces() })
  let app: Application | undefined
  registerMachines(kernel, set, () => app!)
  app = new Application({ chainId: CHAIN_ID, store, machines: set.machines.map((x) => x.machine), pipeline: set.pipeline, bech32Prefix: "cyber" })
  return { app, store, close: async () => { await store.close(); kernel.shutdown() } }
}

test("a staked program links and reads the graph; an unstaked one gets zero power and changes nothing", async () => {
  const wallet = await DirectSecp256k1Wallet.fromKey(sha256(enc("cyberwasm graph alice")), "cyber")
  const alice = (await wallet.getAccounts())[0]!.address
  const client = await SigningStargateClient.offline(wallet, { registry: new Registry([...defaultRegistryTypes, ...cyberwasmRegistryTypes]) })
  const { app, store, close } = await open()
  try {
    await initChain(app, genesisBytes([{ address: alice, coins: [{ denom: "boot", amount: "1000000000000" }] }]))
    let height = 1
    const tx = async (msgs: Array<{ typeUrl: string; value: unknown }>, gas = 20_000_000) => {
      const acc = await accountOf(app, alice)
      const raw = await client.sign(alice, msgs, { amount: [{ denom: "boot", amount: String(gas / 100) }], gas: String(gas) }, "", { accountNumber: BigInt(acc.accountNumber), sequence: acc.sequence, chainId: CHAIN_ID })
      const res = await block(app, height++, [TxRaw.encode(raw).finish()])
      return res.txResults[0]!
    }
    const ok = async (msgs: Array<{ typeUrl: string; value: unknown }>) => {
      const r = await tx(msgs)
      assert.is(r.code, 0, r.log)
      return r
    }
    await ok([{ typeUrl: M.TypeUrl.storeCode, value: { sender: alice, wasmByteCode: wasm.linker! } }])
    const codeHash = sha256(wasm.linker!)
    const inst = { typeUrl: M.TypeUrl.instantiate, value: { sender: alice, codeHash, admin: alice, input: new Uint8Array(), reserve: 1_000_000n, label: "" } }
    await ok([inst, inst])
    const staked = programAddress("cyber", 0n)
    const unstaked = programAddress("cyber", 1n)
    // the program's stake is its bank balance, as for any account
    await ok([{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: alice, toAddress: staked, amount: [{ denom: "boot", amount: "100000000000" }] } }])
    const exec = (program: string, input: string) => ({ typeUrl: M.TypeUrl.execute, value: { sender: alice, program, input: enc(input) } })
    const [a, b, c] = [cidOf("a"), cidOf("b"), cidOf("c")]

    // zero power: the graph's error reaches the program as create_cyberlink's err; state unchanged
    const before = dump(store, "graph")
    const refused = await tx([exec(unstaked, `link ${a} ${b}`)])
    assert.is.not(refused.code, 0)
    assert.match(refused.log, /zero power/)
    assert.equal(dump(store, "graph"), before)

    await ok([exec(staked, `link ${a} ${b}`)])
    const linked = await ok([exec(staked, `link ${a} ${c}`)])
    assert.ok(linked.events.some((e) => e.type === "cyberlink" && e.attributes.some((x) => x.key === "neuron" && x.value === staked)), "the program is the neuron")
    // the same link twice: the graph's CyberlinkExists, as a program error
    const again = await tx([exec(staked, `link ${a} ${b}`)])
    assert.is.not(again.code, 0)
    assert.match(again.log, /already exists/)
    // bad particle: the graph's validation
    const bad = await tx([exec(staked, `link ${a} QmNotACid`)])
    assert.is.not(bad.code, 0)
    assert.match(bad.log, /invalid particle/)

    const query = async (program: string, input: string) => {
      const r = await app.query({ path: M.QueryPath.dispatch, data: M.QueryDispatch.encode({ address: program, input: enc(input) }), height: 0n, prove: false })
      assert.is(r.code, 0, r.log)
      return dec(M.QueryDispatchResponse.decode(r.value).data)
    }
    assert.equal((await query(staked, `outlinks ${a}`)).split("\n").sort(), [b, c].sort())
    assert.is(await query(staked, `backlinks ${b}`), a)
    assert.is(await query(staked, `backlinks ${a}`), "")
    assert.is(await query(staked, `rank ${cidOf("unknown")}`), "0")
    // in a tx too (the call API rather than the public queries)
    const inTx = await ok([exec(staked, `backlinks ${c}`)])
    assert.ok(inTx.data.length > 0)

    // rank: published two rank periods (5 blocks) after the links
    while (height <= 16) await block(app, height++)
    const rankB = BigInt(await query(staked, `rank ${b}`))
    assert.ok(rankB > 0n, `rank of ${b} published: ${rankB}`)
    const rankA = BigInt(await query(staked, `rank ${a}`))
    assert.ok(rankB > rankA, `linked-to particle ranks above its source: ${rankB} > ${rankA}`)
  } finally {
    await close()
  }
})

test.run()
