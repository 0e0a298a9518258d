/**
 * Issue "Chain capabilities per principal", acceptance on a real node (CLI `start`, graph and
 * cyberwasm on at init) through CosmJS: the SDK's `intruder` program tries to send another
 * account's coins, mint, link as another neuron and call a machine method it was not granted
 * (cyberwasm.deliver, which would forge a sender). Each tx is refused with a log naming the
 * principal, the capability and the failed constraint; balances, supply and links stay as they
 * were. The same program paying from its own balance and linking as itself succeeds.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { createHash } from "node:crypto"
import { toBech32 } from "@cosmjs/encoding"
import { DirectSecp256k1HdWallet, Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, GasPrice, SigningStargateClient, type DeliverTxResponse } from "@cosmjs/stargate"
import { Comet38Client } from "@cosmjs/tendermint-rpc"
import { QueryBalanceRequest, QueryBalanceResponse, QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { cyberwasmRegistryTypes } from "../../modules/cyberwasm/Client.ts"
import { programAddress } from "../../modules/cyberwasm/internal/Address.ts"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { MSG_CYBERLINK_URL, MsgCyberlink, QueryGraphStatsResponse } from "../../modules/graph/Messages.ts"
import { buildExamples } from "../../sdk/assemblyscript/build.ts"
import { makeHome, startNode, type NodeProcess } from "./harness.ts"

test("a program acts only as itself: theft, minting, foreign links and ungranted calls are refused", async () => {
  const wasm = await buildExamples(["intruder"])
  const h = await makeHome(150, { modules: ["graph", "cyberwasm"] })
  let node: NodeProcess | undefined
  let comet: Comet38Client | undefined
  try {
    node = await startNode(h)
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber" })
    const alice = (await wallet.getAccounts())[0]!.address
    const client = await SigningStargateClient.connectWithSigner(h.rpcUrl, wallet, {
      registry: new Registry([...defaultRegistryTypes, ...cyberwasmRegistryTypes, [MSG_CYBERLINK_URL, MsgCyberlink as never]]), gasPrice: GasPrice.fromString("0.01boot"), broadcastPollIntervalMs: 100
    })
    comet = await Comet38Client.connect(h.rpcUrl)
    const abci = async (path: string, data: Uint8Array) => {
      const r = await comet!.abciQuery({ path, data })
      assert.is(r.code, 0, r.log)
      return r.value
    }
    const balance = async (address: string) =>
      BigInt(QueryBalanceResponse.decode(await abci("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "boot" }).finish())).balance?.amount ?? "0")
    const supply = async () => BigInt(QuerySupplyOfResponse.decode(await abci("/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom: "boot" }).finish())).amount?.amount ?? "0")
    const links = async () => QueryGraphStatsResponse.decode(await abci("/cyber.graph.v1beta1.Query/GraphStats", new Uint8Array())).cyberlinks

    // deploy the intruder and fund it; bob is an ordinary account with coins of his own
    const bob = toBech32("cyber", new Uint8Array(20).fill(1))
    const carol = toBech32("cyber", new Uint8Array(20).fill(2))
    const codeHash = createHash("sha256").update(wasm.intruder!).digest()
    const sign = (msgs: Array<{ typeUrl: string; value: unknown }>) => client.signAndBroadcast(alice, msgs, 3)
    assert.is((await sign([{ typeUrl: M.TypeUrl.storeCode, value: { sender: alice, wasmByteCode: wasm.intruder! } }])).code, 0)
    const inst = await sign([{ typeUrl: M.TypeUrl.instantiate, value: { sender: alice, codeHash, admin: alice, input: new Uint8Array(), reserve: 5_000_000n, label: "intruder" } }])
    assert.is(inst.code, 0, inst.rawLog)
    const prog = programAddress("cyber", 0n)
    const funded = await client.sendTokens(alice, prog, [{ denom: "boot", amount: "1000000" }], 3)
    assert.is(funded.code, 0, funded.rawLog)
    assert.is((await client.sendTokens(alice, bob, [{ denom: "boot", amount: "500" }], 3)).code, 0)
    const execute = (input: string): Promise<DeliverTxResponse> =>
      sign([{ typeUrl: M.TypeUrl.execute, value: { sender: alice, program: prog, input: new TextEncoder().encode(input) } }]).catch((e: Error) => ({ code: -1, rawLog: e.message }) as DeliverTxResponse)

    const before = { bob: await balance(bob), carol: await balance(carol), prog: await balance(prog), alice: await balance(alice), supply: await supply(), links: await links() }
    const principal = `program:${prog}`
    const refused = async (input: string, ...expected: RegExp[]) => {
      const res = await execute(input)
      assert.is.not(res.code, 0, `${input} must be refused`)
      for (const re of expected) assert.match(res.rawLog ?? "", re, `${input}: ${res.rawLog}`)
      assert.ok((res.rawLog ?? "").includes(principal), `${input}: the log names the principal: ${res.rawLog}`)
    }
    await refused(`steal ${bob} ${carol} 100`, /bank\.send \{from: self\} fails from: self/)
    await refused(`steal ${alice} ${carol} 100`, /bank\.send \{from: self\} fails from: self/) // not even the tx signer's coins
    await refused("mint 1000", /holds no capability bank\.mint/)
    await refused(`link-as ${alice}`, /graph\.link \{neuron: self\} fails neuron: self/)
    await refused(`forge ${prog}`, /holds no capability cyberwasm\.deliver/)

    // nothing moved: balances, supply, links (alice paid only fees)
    assert.is(await balance(bob), before.bob)
    assert.is(await balance(carol), before.carol)
    assert.is(await balance(prog), before.prog)
    assert.is(await supply(), before.supply)
    assert.is(await links(), before.links)

    // acting as itself works
    const pay = await execute(`pay ${carol} 10`)
    assert.is(pay.code, 0, pay.rawLog)
    assert.is(await balance(carol), before.carol + 10n)
    assert.is(await balance(prog), before.prog - 10n)
    const link = await execute("link")
    assert.is(link.code, 0, link.rawLog)
    assert.is(await links(), before.links + 1n)
    // query_machine reads as the program; outside a block (read-only dispatch) a program may read
    // but not write (the engine refuses any cross-machine write there; the executor would refuse
    // bank.send as a query too: test/chain/application.test.ts)
    const bal = await execute(`balance ${bob}`)
    assert.is(bal.code, 0, bal.rawLog)
    const dispatch = (input: string) => comet!.abciQuery({ path: M.QueryPath.dispatch, data: M.QueryDispatch.encode({ address: prog, input: new TextEncoder().encode(input) }) })
    const read = await dispatch(`balance ${bob}`)
    assert.is(read.code, 0, read.log)
    const write = await dispatch(`pay ${carol} 1`)
    assert.is.not(write.code, 0)
    assert.match(write.log ?? "", /a cross-machine write is not allowed in a read-only query/)
    assert.is(await balance(carol), before.carol + 10n)
    // and so does an ordinary signed cyberlink by alice (the fee capability is auth's, {from: signer})
    const own = await sign([{ typeUrl: MSG_CYBERLINK_URL, value: { neuron: alice, links: [{ from: "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", to: "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn" }] } }])
    assert.is(own.code, 0, own.rawLog)
    client.disconnect()
  } finally {
    comet?.disconnect()
    await node?.kill("SIGTERM")
  }
})

test.run()
