/**
 * Packets relayed per second end to end between two local chains (issue 12, "Measured"), with a
 * bank baseline from the same run. Run: `npx node bench/ibc-relay.bench.ts [packets=200] [perTx=50]`;
 * figures go to docs/performance.md ("IBC relayed end to end").
 *
 * Two chains started by the CLI (`cyberkernel start`, block time 300 ms, `[modules.ibc] enabled`),
 * @confio/relayer 0.12 from npm between them: `Link.createWithNewConnections` and an unordered
 * `transfer` channel. Then, timed:
 *  1. baseline: `packets` bank MsgSends on chain A in txs of `perTx` messages, broadcast with CosmJS
 *     and waited for (`signAndBroadcast`), one tx at a time;
 *  2. the same number of ICS-20 MsgTransfers on A the same way (this commits the packets);
 *  3. `link.relayAll()`: client updates, every MsgRecvPacket on B with its proof, and every
 *     acknowledgement back on A, as the relayer batches them.
 * Reported: packets relayed/s (step 3) against MsgSends/s (step 1), and each node's CPU seconds
 * (/proc, Linux) per packet against per MsgSend.
 */
import { readFileSync } from "node:fs"
import { performance } from "node:perf_hooks"
import type { EncodeObject } from "@cosmjs/proto-signing"
import { calculateFee, GasPrice } from "@cosmjs/stargate"
import type { NodeProcess } from "../test/e2e/harness.ts"
import { Link, ORDER_UNORDERED, relayerChain, type RelayerChain } from "../test/ibc/relayer-support.ts"

const packets = Number(process.argv[2] ?? 200)
const perTx = Number(process.argv[3] ?? 50)
const price = GasPrice.fromString("0.01boot")

/** CPU seconds (user + system) of a child process so far, from /proc (Linux). */
const cpu = (node: NodeProcess): number => {
  const f = readFileSync(`/proc/${node.child.pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(f[11]) + Number(f[12])) / 100
}

/** Broadcast `msgs` in txs of `perTx`, one tx at a time, each waited for; seconds taken. */
const sendAll = async (c: RelayerChain, msgs: EncodeObject[]): Promise<number> => {
  const t0 = performance.now()
  for (let i = 0; i < msgs.length; i += perTx) {
    const batch = msgs.slice(i, i + perTx)
    const sim = await c.client.simulate(c.user, batch, "")
    const res = await c.client.signAndBroadcast(c.user, batch, calculateFee(Math.ceil(sim * 1.3), price))
    if (res.code !== 0) throw new Error(`tx failed: ${res.rawLog}`)
  }
  return (performance.now() - t0) / 1000
}

// the users send: funded for the fees of 2 x `packets` messages and the transfers' coins
const a = await relayerChain("bench-a-1", ["ibc"], { userFunds: "1000000000" })
const b = await relayerChain("bench-b-1", ["ibc"])
try {
  const link = await Link.createWithNewConnections(a.ibc, b.ibc, undefined, 600, 600)
  const channel = await link.createChannel("A", "transfer", "transfer", ORDER_UNORDERED as never, "ics20-1")
  const sends: EncodeObject[] = Array.from({ length: packets }, () => ({
    typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: a.user, toAddress: b.user, amount: [{ denom: "boot", amount: "1" }] }
  }))
  const cpuA0 = cpu(a.node)
  const sendSec = await sendAll(a, sends)
  const cpuSend = cpu(a.node) - cpuA0
  const timeout = await b.ibc.timeoutHeight(100_000)
  const transfers: EncodeObject[] = Array.from({ length: packets }, () => ({
    typeUrl: "/ibc.applications.transfer.v1.MsgTransfer",
    value: { sourcePort: "transfer", sourceChannel: channel.src.channelId, token: { denom: "boot", amount: "1" }, sender: a.user, receiver: b.user, timeoutHeight: timeout, timeoutTimestamp: 0n, memo: "" }
  }))
  const transferSec = await sendAll(a, transfers)
  const [cpuA1, cpuB1] = [cpu(a.node), cpu(b.node)]
  const t0 = performance.now()
  const relayed = await link.relayAll()
  const relaySec = (performance.now() - t0) / 1000
  const [cpuA2, cpuB2] = [cpu(a.node), cpu(b.node)]
  const rate = (n: number, s: number) => `${(n / s).toFixed(1)}/s`
  const acked = relayed.acksFromB.length
  if (relayed.packetsFromA !== packets || acked !== packets) throw new Error(`relayed ${relayed.packetsFromA} packets and ${acked} acks, expected ${packets}`)
  console.log(`bank MsgSend on A (baseline):     ${packets} in ${sendSec.toFixed(2)} s: ${rate(packets, sendSec)}; node A CPU ${(cpuSend * 1000 / packets).toFixed(2)} ms per MsgSend`)
  console.log(`ICS-20 MsgTransfer on A:          ${packets} in ${transferSec.toFixed(2)} s: ${rate(packets, transferSec)}`)
  console.log(`relayAll (recv on B, acks on A):  ${packets} in ${relaySec.toFixed(2)} s: ${rate(packets, relaySec)} (${(sendSec / relaySec).toFixed(2)}x the MsgSend rate)`)
  console.log(`node CPU during relayAll:         B ${((cpuB2 - cpuB1) * 1000 / packets).toFixed(2)} ms per packet, A ${((cpuA2 - cpuA1) * 1000 / packets).toFixed(2)} ms per packet`)
} finally {
  await Promise.all([a.node.kill("SIGTERM"), b.node.kill("SIGTERM")])
}
