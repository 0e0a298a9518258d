/**
 * Program call against contract call doing the same work (issue 13, item 4). Run:
 * `npx node bench/cosmwasm-bridge.bench.ts`. Results go to docs/performance.md ("CosmWasm VM",
 * "Programs and contracts").
 *
 * Through the real Application (auth ante, bank, cyberwasm with the real CosmWasm VM), blocks of
 * CosmJS-signed txs by one signer, same run:
 *   send     bank MsgSend (the baseline: ante, signature, fee; no Wasm)
 *   program  MsgExecute of the bridge program: "inc" (a counter in memory, one page written)
 *   contract MsgExecuteContract of queue: enqueue {value} (one storage write)
 *   p->c     MsgExecute "call <queue> {enqueue}" (a program calling the contract, cosmwasm/Bridge.ts)
 *   p->p     MsgExecute "call <program2> inc" (a program calling a program)
 * Reported: microseconds per tx (best of the rounds), the same minus the baseline (the machine's
 * share), and gas used per tx.
 */
import { bridgeChain, buildBridgeProgram } from "../test/cosmwasm/bridge-support.ts"
import * as M from "../modules/cyberwasm/Messages.ts"

const PER_BLOCK = Number(process.env.PER_BLOCK ?? 100)
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const enc = new TextEncoder()

const wasm = await buildBridgeProgram()
const c = await bridgeChain(2)
const [alice, bob] = c.addresses as [string, string]
const program = await c.deployProgram(alice, wasm, 500_000_000n)
const program2 = await c.deployProgram(alice, wasm, 500_000_000n)
const queue = await c.instantiate(alice, await c.storeContract(alice, "queue"), {})

type Msg = { typeUrl: string; value: unknown }
const kinds: Record<string, () => Msg> = {
  send: () => ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: alice, toAddress: bob, amount: [{ denom: "boot", amount: "1" }] } }),
  program: () => ({ typeUrl: M.TypeUrl.execute, value: { sender: alice, program, input: enc.encode("inc") } }),
  contract: () => ({ typeUrl: "/cosmwasm.wasm.v1.MsgExecuteContract", value: { sender: alice, contract: queue, msg: enc.encode('{"enqueue":{"value":1}}'), funds: [] } }),
  "p->c": () => ({ typeUrl: M.TypeUrl.execute, value: { sender: alice, program, input: enc.encode(`call ${queue} {"enqueue":{"value":1}}`) } }),
  "p->p": () => ({ typeUrl: M.TypeUrl.execute, value: { sender: alice, program, input: enc.encode(`call ${program2} inc`) } })
}

const results: Record<string, { us: number; gas: number }> = {}
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, make] of Object.entries(kinds)) {
    const txs: Uint8Array[] = []
    for (let i = 0; i < PER_BLOCK; i++) txs.push(await c.sign(alice, [make()], 2_000_000))
    const t0 = performance.now()
    const out = await c.chain.block(txs)
    const us = ((performance.now() - t0) * 1000) / PER_BLOCK
    const failed = out.find((r) => r.code !== 0)
    if (failed) throw new Error(`${name}: tx failed: ${failed.log}`)
    const gas = out.reduce((a, r) => a + Number(r.gasUsed), 0) / PER_BLOCK
    if (!results[name] || us < results[name]!.us) results[name] = { us, gas }
  }
}

const base = results.send!.us
process.stdout.write(`blocks of ${PER_BLOCK} txs, best of ${ROUNDS} rounds (node ${process.version})\n`)
process.stdout.write("kind       µs/tx   minus send   gas/tx\n")
for (const [name, r] of Object.entries(results)) {
  process.stdout.write(`${name.padEnd(9)} ${r.us.toFixed(0).padStart(6)}   ${(r.us - base).toFixed(0).padStart(10)}   ${r.gas.toFixed(0).padStart(7)}\n`)
}
const ratio = (a: string, b: string) => (results[a]!.us - base) / (results[b]!.us - base)
process.stdout.write(`contract / program (machine share): ${ratio("contract", "program").toFixed(2)}x\n`)
process.stdout.write(`p->c / p->p (machine share):       ${ratio("p->c", "p->p").toFixed(2)}x\n`)
process.stdout.write(`gas contract / program:            ${(results.contract!.gas / results.program!.gas).toFixed(2)}x\n`)
