/**
 * Machine-side cost of one MsgRecvPacket against one bank MsgSend, same run (issue 12, "Measured").
 * Run: `npx node bench/ibc-recv.bench.ts` (env N = txs per block, default 200). Results go to
 * docs/performance.md ("IBC receive").
 *
 * Two in-process chains (test/ibc/core-chains.ts: real Application, auth ante with secp256k1
 * signature checks and fees, IAVL in memory). Chain A commits N packets on an unordered channel;
 * chain B, after one client update, runs a block of N txs each holding one MsgRecvPacket with its
 * `store/ibc/key` ICS-23 proof (verified by @confio/ics23 in the test-double client, as 07-tendermint
 * does with its own), the echo app writing and acknowledging; then a block of N bank MsgSend txs.
 * FinalizeBlock + Commit of each block is timed; txs are signed before the clock starts.
 */
import { Order } from "cosmjs-types/ibc/core/channel/v1/channel"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { performance } from "node:perf_hooks"
import { packetCommitmentPath } from "../modules/ibc/core/Host.ts"
import { ok, updateClientMsg } from "../test/ibc/core-chains.ts"
import { Pair } from "../test/ibc/core-relay.ts"
import { echoSend } from "../test/ibc/core-support.ts"

const N = Number(process.env.N ?? 200)
const enc = new TextEncoder()

const p = await Pair.connected()
const ids = await p.openChannel(Order.ORDER_UNORDERED)
const s = p.relayer.address

// N packets on A in one block
const sends: Uint8Array[] = []
for (let i = 0; i < N; i++) sends.push(await p.a.sign(p.relayer, [echoSend(s, ids.a, p.b.ibcHeight(1_000_000), 0n, enc.encode(`{"amount":"${i}","denom":"boot"}`))], 50_000_000, BigInt(i)))
const sent = await p.a.block(sends)
const packets = sent.map((r, i) => {
  if (r.code !== 0) throw new Error(`send ${i}: ${r.log}`)
  return Pair.sentPacket(r.events)
})
const state = p.a.height()
await p.a.block([])
ok(await p.b.tx(p.relayer, [updateClientMsg(p.a, "99-test-0", state + 1, s)]), "update client")
const proofHeight = p.a.ibcHeight(state + 1)

const recvs: Uint8Array[] = []
for (const [i, packet] of packets.entries()) {
  const { proof } = await p.a.prove(packetCommitmentPath(packet.sourcePort, packet.sourceChannel, packet.sequence), state)
  recvs.push(await p.b.sign(p.relayer, [p.recvMsg(packet, proof, proofHeight)], 50_000_000, BigInt(i)))
}
const timed = async (txs: Uint8Array[]) => {
  const t0 = performance.now()
  const res = await p.b.block(txs)
  const ms = performance.now() - t0
  const bad = res.filter((r) => r.code !== 0)
  if (bad.length > 0) throw new Error(`${bad.length} txs failed: ${bad[0]!.log}`)
  return { ms, gas: res.reduce((g, r) => g + Number(r.gasUsed), 0) / res.length }
}
const recv = await timed(recvs)

const other = (await import("../test/ibc/core-chains.ts")).makeKey
const to = (await other("bench receiver")).address
const bank: Uint8Array[] = []
for (let i = 0; i < N; i++) {
  bank.push(await p.b.sign(p.relayer, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: s, toAddress: to, amount: [{ denom: "boot", amount: "1" }] }).finish() }], 200_000, BigInt(i)))
}
const send = await timed(bank)

const row = (name: string, r: { ms: number; gas: number }) =>
  `${name.padEnd(14)} ${(r.ms / N * 1000).toFixed(0).padStart(6)} µs/tx  ${(N / (r.ms / 1000)).toFixed(0).padStart(6)} tx/s  gas/tx ${r.gas.toFixed(0)}`
console.log(`N = ${N} txs per block, FinalizeBlock + Commit`)
console.log(row("MsgRecvPacket", recv))
console.log(row("MsgSend", send))
console.log(`ratio recv/send: ${(recv.ms / send.ms).toFixed(2)}x time, ${(recv.gas / send.gas).toFixed(2)}x gas`)
