/**
 * The ibc machine as a node loads it, and its determinism.
 * - node/Machines.ts: `[modules.ibc] enabled` switches the machine on (off by default) with
 *   07-tendermint and ICS-20 wired; the rendered config file carries the switch.
 * - Two independent apps of the same chain fed the same seeded blocks of IBC traffic (handshakes,
 *   sends both ways, receives including redundant, forged and refused ones, error and async
 *   acknowledgements, acknowledgements, timeouts, garbage txs) agree on every tx result and app hash.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { Order, type Packet as PacketProto } from "cosmjs-types/ibc/core/channel/v1/channel"
import { defaultConfig, renderConfig } from "../../node/config/ConfigFile.ts"
import type { NodeConfig } from "../../node/config/NodeConfig.ts"
import { enabledMachineNames, loadMachines } from "../../node/Machines.ts"
import type { IbcMachine } from "../../modules/ibc/Ibc.ts"
import { IbcChain } from "./core-chains.ts"
import { Pair } from "./core-relay.ts"
import { echoSend } from "./core-support.ts"

test("[modules.ibc] enabled loads the ibc machine with 07-tendermint and ICS-20; off by default", async () => {
  assert.not.ok(enabledMachineNames(defaultConfig).includes("ibc"))
  const config: NodeConfig = { ...defaultConfig, modules: { ...defaultConfig.modules, ibc: { enabled: true } } }
  assert.ok(enabledMachineNames(config).includes("ibc"))
  const set = await loadMachines(config)
  const ibc = set.machines.find((m) => m.machine.name === "ibc")?.machine as IbcMachine | undefined
  assert.ok(ibc, "ibc loaded")
  assert.ok(ibc.msgTypeUrls.includes("/ibc.core.channel.v1.MsgRecvPacket"))
  assert.ok(ibc.msgTypeUrls.includes("/ibc.applications.transfer.v1.MsgTransfer"))
  assert.ok(ibc.queryPrefixes.includes("/ibc.applications.transfer.v1.Query/"))
  assert.equal(ibc.clients.clientTypes(), ["07-tendermint"])
  assert.ok(ibc.channels.ports.route("transfer"), "transfer bound")
  assert.ok((ibc.grants ?? []).some((g) => g.capability.interface === "bank" && g.capability.method === "mint"))
  assert.match(renderConfig(defaultConfig), /\[modules\.ibc\]\nenabled = false/)
})

test("a chain whose genesis has no ibc section stores ibc-go's InitGenesis defaults (sequences 0, default params), so absence is provable from height 1", async () => {
  const c = await IbcChain.open("ibc-fresh-1")
  await c.init([])
  const dump = c.dump()
  const key = (s: string) => Buffer.from(s).toString("hex")
  for (const k of ["nextClientSequence", "nextConnectionSequence", "nextChannelSequence"]) assert.is(dump.get(key(k)), "0000000000000000", k)
  assert.ok(dump.has(key("clientParams")) && dump.has(key("connectionParams")))
  const absent = await c.app.query({ path: "store/ibc/key", data: new TextEncoder().encode("receipts/ports/echo/channels/channel-0/sequences/1"), height: 1n, prove: true })
  assert.is(absent.code, 0, absent.log)
  assert.is(absent.proofOps?.ops.length, 2, "non-existence proof and namespace root proof")
})

/** mulberry32 (test code): the traffic's seeded choices. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

test("two apps of one chain, same seeded blocks of IBC traffic: same tx results and app hash at every height", async () => {
  const rnd = prng(1212)
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(rnd() * xs.length)]!
  const p = await Pair.connected({ twinB: true })
  const un = await p.openChannel(Order.ORDER_UNORDERED)
  const or = await p.openChannel(Order.ORDER_ORDERED, "echo2")
  const enc = new TextEncoder()
  const inflight: Array<{ packet: PacketProto; ordered: boolean }> = []
  const received: Array<{ packet: PacketProto; ack: Uint8Array }> = []
  const codes = new Map<string, number[]>()
  const note = (kind: string, code: number) => codes.set(kind, [...(codes.get(kind) ?? []), code])
  for (let step = 0; step < 100; step++) {
    const r = rnd()
    if (r < 0.3) {
      const ordered = rnd() < 0.3
      const data = pick(["ok", "fail", "async", "x".repeat(1 + Math.floor(rnd() * 300))])
      const timeout = rnd() < 0.2 ? BigInt(p.b.height() + 2) : 10_000n
      const res = await p.a.tx(p.relayer, [echoSend(p.relayer.address, ordered ? or.a : un.a, p.b.ibcHeight(Number(timeout)), 0n, enc.encode(data), ordered ? "echo2" : "echo")])
      note("send", res.code)
      if (res.code === 0) inflight.push({ packet: Pair.sentPacket(res.events), ordered })
    } else if (r < 0.6 && inflight.length > 0) {
      const { packet } = pick(inflight)
      const msgs = await p.recvMsgs(p.a, packet)
      const forged = rnd() < 0.15
      const res = await p.b.tx(p.relayer, forged ? [msgs[0]!, p.recvMsg({ ...packet, data: enc.encode("forged") }, new Uint8Array(8).fill(1), { revisionNumber: 1n, revisionHeight: BigInt(p.a.height()) })] : msgs)
      note(forged ? "recv-forged" : "recv", res.code)
      const ackHex = res.events.find((e) => e.type === "write_acknowledgement")?.attributes.find((a) => a.key === "packet_ack_hex")?.value
      if (res.code === 0 && ackHex) received.push({ packet, ack: Buffer.from(ackHex, "hex") })
    } else if (r < 0.75 && received.length > 0) {
      const { packet, ack } = pick(received)
      const res = await p.a.tx(p.relayer, await p.ackMsgs(p.b, packet, ack))
      note("ack", res.code)
    } else if (r < 0.85 && inflight.length > 0) {
      const { packet, ordered } = pick(inflight)
      const res = await p.a.tx(p.relayer, await p.timeoutMsgs(p.b, packet, ordered))
      note("timeout", res.code)
    } else if (r < 0.92) {
      const res = (await p.b.block([Uint8Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256))]))[0]!
      note("garbage", res.code)
    } else {
      const res = await p.b.tx(p.relayer, [echoSend(p.relayer.address, un.b, p.a.ibcHeight(10_000), 0n, enc.encode("back"))])
      note("send-back", res.code)
    }
  }
  const seen = JSON.stringify(Object.fromEntries(codes))
  console.log(`[ibc determinism] ${p.b.twinBlocks} blocks compared; result codes by kind: ${seen}`)
  assert.ok(p.b.twinBlocks > 60, `blocks compared with the twin: ${p.b.twinBlocks}`)
  assert.ok((codes.get("recv") ?? []).includes(0), `some receives succeed: ${seen}`)
  assert.ok((codes.get("recv") ?? []).some((c) => c !== 0) || (codes.get("recv-forged") ?? []).some((c) => c !== 0), `some receives are refused: ${seen}`)
  assert.ok((codes.get("ack") ?? []).includes(0), `some acks succeed: ${seen}`)
  assert.ok((codes.get("garbage") ?? []).every((c) => c !== 0), `garbage refused: ${seen}`)
})

test.run()
