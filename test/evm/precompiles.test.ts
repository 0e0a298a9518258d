/**
 * The chain precompiles from Solidity, in process: a contract reads a particle's cyber•rank and
 * gets the graph machine's value; a contract may send only its own coins (bank.send {from: self}
 * for its evm: principal), a reverted frame that sent through the bank precompile refuses the tx,
 * the EVM's own coin moves only by value transfer, static calls cannot send.
 */
import { toBech32 } from "@cosmjs/encoding"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { decodeFunctionResult, encodeDeployData, encodeFunctionData, type Abi } from "viem"
import { GraphMachine } from "../../modules/graph/Graph.ts"
import { QueryRankResponse, StringRequest } from "../../modules/graph/Messages.ts"
import { makeRankRunner } from "../../modules/graph/RankRunner.ts"
import { accountOf, cidOf, GRAPH_GENESIS, signLinks, signSend } from "../registry/registryChain.ts"
import { ethEvent, evmQuery, openEvmChain, type EvmChain, bankBalance } from "./fixtures/evmChain.ts"
import { contracts } from "./fixtures/solidity.ts"
import { buildCircuit, keyHashOf, releaseSnarkjs } from "../zk/fixtures/circuit.ts"
import { loadPlugin } from "../../node/Plugins.ts"

const ZK_DIR = new URL("../../plugins/zk", import.meta.url).pathname


const cyberAbi = (): Abi => contracts().Cyber!.abi as Abi

/** Deploy Cyber from eth key 0 (nonce 0) and return its address. */
const deployCyber = async (chain: EvmChain): Promise<`0x${string}`> => {
  const { Cyber } = contracts()
  const res = await chain.next([await chain.sign(0, { nonce: 0, gas: 3_000_000n, data: encodeDeployData({ abi: cyberAbi(), bytecode: Cyber!.bytecode }) })])
  const ev = ethEvent(res, 0)
  assert.is(ev.status, "1", ev.revert_reason)
  return ev.contract_address as `0x${string}`
}

test("a contract reads a particle's cyber•rank through the graph precompile: the graph machine's value", async () => {
  const chain = await openEvmChain({
    extra: { graph: GRAPH_GENESIS },
    machines: () => [new GraphMachine({ bech32Prefix: "cyber", runner: makeRankRunner({ engine: "fallback" }) })]
  })
  try {
    const cyber = await deployCyber(chain)
    const [k1] = chain.keys
    const P = [cidOf("alpha"), cidOf("beta"), cidOf("gamma")]
    await chain.next([await signLinks(k1!, [[P[0]!, P[1]!], [P[1]!, P[2]!], [P[2]!, P[1]!]], await accountOf(chain.app, k1!.address))])
    for (let i = 0; i < 6; i++) await chain.next()
    const q = await chain.app.query({ path: "/cyber.rank.v1beta1.Query/Rank", data: StringRequest.encode({ value: P[1]! }).finish(), height: 0n, prove: false })
    assert.is(q.code, 0, q.log)
    const want = BigInt(QueryRankResponse.decode(q.value).rank as bigint | number)
    assert.ok(want > 0n, "the particle has a published rank")
    const call = await evmQuery(chain.app, "Call", { to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "rankOf", args: [P[1]!] }) })
    assert.is(call.status, 1, JSON.stringify(call))
    assert.is(decodeFunctionResult({ abi: cyberAbi(), functionName: "rankOf", data: call.return_data as `0x${string}` }), want)
    // and in a transaction, stored in contract state
    const res = await chain.next([await chain.sign(0, { nonce: 1, gas: 300_000n, to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "storeRank", args: [P[1]!] }) })])
    assert.is(ethEvent(res, 0).status, "1", ethEvent(res, 0).revert_reason)
    const stored = await evmQuery(chain.app, "Call", { to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "lastRank" }) })
    assert.is(decodeFunctionResult({ abi: cyberAbi(), functionName: "lastRank", data: stored.return_data as `0x${string}` }), want)
    // a contract cyberlinks as its own neuron (graph.link {neuron: self} for its evm: principal), with its own stake
    const cyberBech32 = toBech32("cyber", Buffer.from(cyber.slice(2), "hex"))
    const none = await chain.next([await chain.sign(0, { nonce: 2, gas: 500_000n, to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "linkAs", args: [P[0]!, P[2]!] }) })])
    assert.is(ethEvent(none, 0).status, "0", "no stake, no bandwidth")
    assert.match(ethEvent(none, 0).revert_reason!, /bandwidth|stake|volt/i)
    await chain.next([await signSend(k1!, cyberBech32, "volt", "500", await accountOf(chain.app, k1!.address))])
    const linked = await chain.next([await chain.sign(0, { nonce: 3, gas: 500_000n, to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "linkAs", args: [P[0]!, P[2]!] }) })])
    assert.is(ethEvent(linked, 0).status, "1", ethEvent(linked, 0).revert_reason)
    const neurons = linked.txResults[0]!.events.filter((e) => e.type === "cyberlink").flatMap((e) => e.attributes.filter((a) => a.key === "neuron").map((a) => a.value))
    assert.equal(neurons, [cyberBech32])

    // an unknown particle reverts with the graph machine's error
    const unknown = await evmQuery(chain.app, "Call", { to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "rankOf", args: [cidOf("nobody")] }) })
    assert.is(unknown.status, 0)
    assert.match(String(unknown.revert_reason), /not found|unknown|particle/i)
  } finally {
    await chain.close()
  }
})

test("bank precompile: a contract sends only its own coins; another account's are refused by capability", async () => {
  const chain = await openEvmChain()
  try {
    const cyber = await deployCyber(chain)
    const [alice, bob] = chain.eth
    const cyberBech32 = toBech32("cyber", Buffer.from(cyber.slice(2), "hex"))
    // fund the contract with 100 volt from a Cosmos key
    const [k1] = chain.keys
    let res = await chain.next([await signSend(k1!, cyberBech32, "volt", "100", await accountOf(chain.app, k1!.address))])
    assert.is(res.txResults[0]!.code, 0, res.txResults[0]!.log)
    // the contract reads a bank balance
    const rb = await evmQuery(chain.app, "Call", { to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "bankBalance", args: [cyber, "volt"] }) })
    assert.is(decodeFunctionResult({ abi: cyberAbi(), functionName: "bankBalance", data: rb.return_data as `0x${string}` }), 100n)

    // attack: the contract asks bank to send alice's volt to bob
    const aliceVolt = await bankBalance(chain.app, alice!.bech32, "volt")
    res = await chain.next([await chain.sign(0, { nonce: 1, gas: 300_000n, to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "sendFrom", args: [alice!.account.address, bob!.account.address, "volt", 5n] }) })])
    const attack = ethEvent(res, 0)
    assert.is(attack.status, "0")
    assert.match(attack.revert_reason!, /capability|unauthorized/i)
    assert.is(await bankBalance(chain.app, alice!.bech32, "volt"), aliceVolt, "alice's coins did not move")

    // its own coins: allowed
    res = await chain.next([await chain.sign(0, { nonce: 2, gas: 300_000n, to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "sendFrom", args: [cyber, bob!.account.address, "volt", 7n] }) })])
    assert.is(ethEvent(res, 0).status, "1", ethEvent(res, 0).revert_reason)
    assert.is(await bankBalance(chain.app, cyberBech32, "volt"), 93n)
    assert.is(await bankBalance(chain.app, bob!.bech32, "volt"), 1007n)

    // the EVM's own coin moves by value transfer, not through the bank precompile
    res = await chain.next([await chain.sign(0, { nonce: 3, gas: 300_000n, to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "sendFrom", args: [cyber, bob!.account.address, "boot", 1n] }) })])
    assert.match(ethEvent(res, 0).revert_reason!, /value transfer/)

    // a frame that sent through the precompile then reverted: the tx is refused, nothing changes
    const before = await bankBalance(chain.app, cyberBech32, "volt")
    const aliceBoot = await bankBalance(chain.app, alice!.bech32, "boot")
    res = await chain.next([await chain.sign(0, { nonce: 4, gas: 500_000n, to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "trySendThenRevert", args: [bob!.account.address, "volt", 3n] }) })])
    assert.is(res.txResults[0]!.code, 18, res.txResults[0]!.log)
    assert.match(res.txResults[0]!.log, /precompile reverted/)
    assert.is(await bankBalance(chain.app, cyberBech32, "volt"), before)
    const acc = await evmQuery(chain.app, "Account", { address: alice!.account.address })
    assert.is(acc.nonce, "5", "a tx refused after it ran has used its nonce: the same bytes never run again")
    assert.is(await bankBalance(chain.app, alice!.bech32, "boot"), aliceBoot - 500_000n * 2n, "and paid its whole gas limit at its price")

    // value transfers: into the contract and out of it, bank balances follow
    const bobBoot = await bankBalance(chain.app, bob!.bech32, "boot")
    res = await chain.next([await chain.sign(0, { nonce: 5, gas: 100_000n, to: cyber, value: 1000n })])
    assert.is(ethEvent(res, 0).status, "1")
    assert.is(await bankBalance(chain.app, cyberBech32, "boot"), 1000n)
    res = await chain.next([await chain.sign(0, { nonce: 6, gas: 100_000n, to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "pay", args: [bob!.account.address, 400n] }) })])
    assert.is(ethEvent(res, 0).status, "1", ethEvent(res, 0).revert_reason)
    assert.is(await bankBalance(chain.app, cyberBech32, "boot"), 600n)
    assert.is(await bankBalance(chain.app, bob!.bech32, "boot"), bobBoot + 400n)
  } finally {
    await chain.close()
  }
})

test("a contract verifies a Groth16 proof through the zk precompile; one changed public input fails", async () => {
  const circuit = await buildCircuit(1)
  try {
    const zk = (await loadPlugin(ZK_DIR, { bech32Prefix: "cyber", bondDenom: "boot" })).machine
    const chain = await openEvmChain({ extra: { zk: { keys: [{ key: circuit.vkey }] } }, machines: () => [zk] })
    try {
      const cyber = await deployCyber(chain)
      const keyHash = `0x${keyHashOf(circuit.vkey)}` as const
      const inputs = circuit.publicSignals.map(BigInt)
      const call = (publicInputs: bigint[]) => evmQuery(chain.app, "Call", { to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "verify", args: [keyHash, circuit.proof, publicInputs] }) })
      const ok = await call(inputs)
      assert.is(ok.status, 1, JSON.stringify(ok))
      assert.is(decodeFunctionResult({ abi: cyberAbi(), functionName: "verify", data: ok.return_data as `0x${string}` }), true)
      const changed = await call([inputs[0]! + 1n, ...inputs.slice(1)])
      assert.is(decodeFunctionResult({ abi: cyberAbi(), functionName: "verify", data: changed.return_data as `0x${string}` }), false)
      // in a transaction, and the precompile's gas is charged
      const res = await chain.next([await chain.sign(0, { nonce: 1, gas: 1_000_000n, to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "verify", args: [keyHash, circuit.proof, inputs] }) })])
      const ev = ethEvent(res, 0)
      assert.is(ev.status, "1", ev.revert_reason)
      assert.ok(BigInt(ev.gas_used!) > 180_000n, `gas ${ev.gas_used}`)
      // a malformed proof reverts with the zk machine's typed error
      const bad = await evmQuery(chain.app, "Call", { to: cyber, data: encodeFunctionData({ abi: cyberAbi(), functionName: "verify", args: [keyHash, "{not json", inputs] }) })
      assert.is(bad.status, 0)
      assert.match(String(bad.revert_reason), /proof/i)
    } finally {
      await chain.close()
    }
  } finally {
    await releaseSnarkjs()
  }
})

test.run()
