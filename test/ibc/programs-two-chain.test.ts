/**
 * CyberWasm programs on IBC ports between two in-process chains (test/ibc/programs-support.ts):
 * the ibcping program (sdk/assemblyscript/examples/ibcping.ts, built from source) owns
 * `cyberwasm.<address>` on each chain; the handshake negotiates the program's version, ten packets
 * travel an ORDERED channel in order with acknowledgements delivered back to the sender program,
 * an UNORDERED channel works too, and a timeout reaches the sender's timeout callback. Every step
 * is relayed with client updates and ICS-23 proofs as a relayer does (test/ibc/core-relay.ts).
 * Chain B runs a twin app fed the same blocks: every tx result and app hash must agree.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { Order, State as ChannelState } from "cosmjs-types/ibc/core/channel/v1/channel"
import * as CQ from "cosmjs-types/ibc/core/channel/v1/query"
import * as ChTx from "cosmjs-types/ibc/core/channel/v1/tx"
import { channelPath } from "../../modules/ibc/core/Host.ts"
import { ok } from "./core-chains.ts"
import { any } from "./core-relay.ts"
import { execMsg, openProgramChannel, programPair, programState, sentPackets, writtenAck, type ProgramPair } from "./programs-support.ts"

const dec = new TextDecoder()
let setup: Promise<ProgramPair> | undefined
const ready = () => (setup ??= programPair({ twinB: true }))
let ordered: { a: string; b: string } | undefined

const channelEnd = async (chain: ProgramPair["pair"]["a"], port: string, channelId: string) =>
  CQ.QueryChannelResponse.decode(await chain.query("/ibc.core.channel.v1.Query/Channel", CQ.QueryChannelRequest.encode({ portId: port, channelId }).finish())).channel!

test("an ORDERED channel opens between two program ports with the version the programs chose", async () => {
  const { pair, programsA, programsB } = await ready()
  const portA = `cyberwasm.${programsA[0]}`
  const portB = `cyberwasm.${programsB[1]}`
  assert.is.not(portA, portB)
  const ids = await openProgramChannel(pair, portA, portB, Order.ORDER_ORDERED)
  ordered = { a: ids.a, b: ids.b }
  assert.is(ids.versionA, "ping-1", "open-init: the program's version")
  assert.is(ids.versionB, "ping-1", "open-try: the program's version")
  const endA = await channelEnd(pair.a, portA, ids.a)
  const endB = await channelEnd(pair.b, portB, ids.b)
  assert.is(endA.state, ChannelState.STATE_OPEN)
  assert.is(endB.state, ChannelState.STATE_OPEN)
  assert.is(endA.ordering, Order.ORDER_ORDERED)
  assert.equal([endA.version, endB.version], ["ping-1", "ping-1"])
  assert.equal(endA.counterparty, { portId: portB, channelId: ids.b })
  // open-ack reached program A, open-confirm program B
  assert.is((await programState(pair.a, programsA[0]!)).channels, ids.a)
  assert.is((await programState(pair.b, programsB[1]!)).channels, ids.b)
})

test("ten packets sent by program A arrive at program B in order and A gets ten acks", async () => {
  const { pair, user, programsA, programsB } = await ready()
  const portA = `cyberwasm.${programsA[0]}`
  const r = ok(await pair.a.tx(user, [execMsg(user.address, programsA[0]!, `send ${ordered!.a} 10 pkt`)]), "program sends ten")
  const packets = sentPackets(r.events)
  assert.is(packets.length, 10)
  assert.equal(packets.map((p) => p.sequence), [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n])
  assert.ok(packets.every((p) => p.sourcePort === portA && p.destinationPort === `cyberwasm.${programsB[1]}`))
  // out of order on an ORDERED channel: refused by core, B unchanged
  const early = await pair.b.tx(pair.relayer, await pair.recvMsgs(pair.a, packets[1]!))
  assert.is(early.codespace, "channel")
  assert.is(early.code, 21, early.log) // PacketSequenceOutOfOrder
  assert.is((await programState(pair.b, programsB[1]!)).recv, "")
  const acks: Uint8Array[] = []
  for (const p of packets) acks.push(writtenAck(ok(await pair.b.tx(pair.relayer, await pair.recvMsgs(pair.a, p)), `recv ${p.sequence}`)))
  assert.equal(acks.map((a) => dec.decode(a)), packets.map((_, i) => `ack:pkt${i + 1}`), "the program's return bytes are the acks")
  assert.is((await programState(pair.b, programsB[1]!)).recv, packets.map((_, i) => `pkt${i + 1}`).join(","))
  for (const [i, p] of packets.entries()) ok(await pair.a.tx(pair.relayer, await pair.ackMsgs(pair.b, p, acks[i]!)), `ack ${p.sequence}`)
  assert.is((await programState(pair.a, programsA[0]!)).acks, packets.map((_, i) => `${i + 1}:ack:pkt${i + 1}`).join(","))
})

test("an UNORDERED channel between the same programs carries packets too, and closes with both programs told", async () => {
  const { pair, user, programsA, programsB } = await ready()
  const portA = `cyberwasm.${programsA[0]}`
  const portB = `cyberwasm.${programsB[1]}`
  const ids = await openProgramChannel(pair, portA, portB, Order.ORDER_UNORDERED, "ping-1")
  assert.is((await channelEnd(pair.a, `cyberwasm.${programsA[0]}`, ids.a)).ordering, Order.ORDER_UNORDERED)
  const packets = sentPackets(ok(await pair.a.tx(user, [execMsg(user.address, programsA[0]!, `send ${ids.a} 2 u`)]), "send").events)
  assert.equal(packets.map((p) => p.sequence), [1n, 2n])
  // unordered: the second may arrive first
  const ack2 = writtenAck(ok(await pair.b.tx(pair.relayer, await pair.recvMsgs(pair.a, packets[1]!)), "recv 2"))
  const ack1 = writtenAck(ok(await pair.b.tx(pair.relayer, await pair.recvMsgs(pair.a, packets[0]!)), "recv 1"))
  assert.equal([dec.decode(ack1), dec.decode(ack2)], ["ack:u1", "ack:u2"])
  ok(await pair.a.tx(pair.relayer, await pair.ackMsgs(pair.b, packets[0]!, ack1)), "ack 1")
  assert.ok((await programState(pair.b, programsB[1]!)).recv.endsWith("pkt10,u2,u1"))
  assert.ok((await programState(pair.a, programsA[0]!)).acks.endsWith(",1:ack:u1"))
  // closing: close-init on A, close-confirm on B reach the programs
  const s = pair.relayer.address
  ok(await pair.a.tx(pair.relayer, [any("/ibc.core.channel.v1.MsgChannelCloseInit", ChTx.MsgChannelCloseInit.encode({ portId: portA, channelId: ids.a, signer: s }).finish())]), "close init")
  const pr = await pair.a.proofFor(pair.clientId, channelPath(portA, ids.a), s)
  ok(await pair.b.tx(pair.relayer, [pr.update, any("/ibc.core.channel.v1.MsgChannelCloseConfirm", ChTx.MsgChannelCloseConfirm.encode({
    portId: portB, channelId: ids.b, proofInit: pr.proof, proofHeight: pr.proofHeight, signer: s
  }).finish())]), "close confirm")
  assert.is((await channelEnd(pair.a, portA, ids.a)).state, ChannelState.STATE_CLOSED)
  assert.is((await channelEnd(pair.b, portB, ids.b)).state, ChannelState.STATE_CLOSED)
  assert.is((await programState(pair.a, programsA[0]!)).closed, ids.a)
  assert.is((await programState(pair.b, programsB[1]!)).closed, ids.b)
})

test("a version the program refuses fails the handshake step and writes no channel", async () => {
  const { pair, programsA, programsB } = await ready()
  const before = pair.a.dump()
  const refused = await openProgramChannel(pair, `cyberwasm.${programsA[0]}`, `cyberwasm.${programsB[1]}`, Order.ORDER_ORDERED, "pong-9").then(() => undefined, (e: Error) => e.message)
  assert.match(refused ?? "", /chan open init: code 3 \(cyberwasm\): channel open init callback failed .*program returned error: version must be ping-1, got pong-9/)
  assert.equal(pair.a.dump(), before, "the ibc namespace is unchanged")
})

test("a receive callback sends a packet back on the same channel (program -> ibc -> program -> ibc)", async () => {
  const { pair, user, programsA, programsB } = await ready()
  const [out] = sentPackets(ok(await pair.a.tx(user, [execMsg(user.address, programsA[0]!, `sendt ${ordered!.a} 4102444800000000000 echo:back`)]), "send echo").events)
  assert.is(out!.sequence, 11n)
  const recv = ok(await pair.b.tx(pair.relayer, await pair.recvMsgs(pair.a, out!)), "recv echo")
  assert.is(dec.decode(writtenAck(recv)), "ack:echo:back")
  const [back] = sentPackets(recv.events)
  assert.equal([back!.sourcePort, back!.sourceChannel, back!.sequence, dec.decode(back!.data)], [`cyberwasm.${programsB[1]}`, ordered!.b, 1n, "back"])
  const recvBack = ok(await pair.a.tx(pair.relayer, await pair.recvMsgs(pair.b, back!)), "recv back")
  assert.is(dec.decode(writtenAck(recvBack)), "ack:back")
  assert.ok((await programState(pair.a, programsA[0]!)).recv.endsWith("back"))
  ok(await pair.a.tx(pair.relayer, await pair.ackMsgs(pair.b, out!, writtenAck(recv))), "ack echo")
  ok(await pair.b.tx(pair.relayer, await pair.ackMsgs(pair.a, back!, writtenAck(recvBack))), "ack back")
  assert.ok((await programState(pair.b, programsB[1]!)).acks.endsWith("1:ack:back"))
})

test("a packet timing out on the ORDERED channel reaches program A's timeout callback and closes the channel", async () => {
  const { pair, user, programsA, programsB } = await ready()
  const portA = `cyberwasm.${programsA[0]}`
  const deadline = pair.b.times.get(pair.b.height())! + 1_000_000_000n
  const [packet] = sentPackets(ok(await pair.a.tx(user, [execMsg(user.address, programsA[0]!, `sendt ${ordered!.a} ${deadline} late`)]), "send late").events)
  assert.is(packet!.sequence, 12n)
  await pair.b.block([])
  ok(await pair.a.tx(pair.relayer, await pair.timeoutMsgs(pair.b, packet!, true)), "timeout")
  assert.is((await programState(pair.a, programsA[0]!)).timeouts, "12")
  assert.is((await channelEnd(pair.a, portA, ordered!.a)).state, ChannelState.STATE_CLOSED)
  assert.not.ok((await programState(pair.b, programsB[1]!)).recv.includes("late"))
})

test("chain B's twin app, fed the same blocks, agreed on every result and app hash (program callbacks are deterministic)", async () => {
  const { pair } = await ready()
  assert.ok(pair.b.twinBlocks > 40, `blocks compared: ${pair.b.twinBlocks}`)
})

test.run()
