/**
 * IBC core between two in-process chains (chain/Application.ts over the IAVL multistore each),
 * relayed message by message as a relayer does: every handshake step and packet carries a client
 * update and the `store/ibc/key` ICS-23 proof of the counterparty's state, checked by the real
 * @confio/ics23 verifier inside the test-double client (test/ibc/core-support.ts). Covers the
 * connection and channel handshakes, unordered and ordered packets, acknowledgements (success,
 * error, redundant), timeouts by height and timestamp, channel close and timeout on close, and
 * refusals with ibc-go's codes that leave the ibc namespace unchanged.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { sha256 } from "@noble/hashes/sha2.js"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import { Order, State as ChannelState } from "cosmjs-types/ibc/core/channel/v1/channel"
import * as CQ from "cosmjs-types/ibc/core/channel/v1/query"
import * as ChTx from "cosmjs-types/ibc/core/channel/v1/tx"
import * as ClQ from "cosmjs-types/ibc/core/client/v1/query"
import { MsgSubmitMisbehaviour } from "cosmjs-types/ibc/core/client/v1/tx"
import { State as ConnectionState } from "cosmjs-types/ibc/core/connection/v1/connection"
import * as CoQ from "cosmjs-types/ibc/core/connection/v1/query"
import * as CoTx from "cosmjs-types/ibc/core/connection/v1/tx"
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { Any as AnyCodec } from "cosmjs-types/google/protobuf/any"
import { channelPath, packetCommitmentPath } from "../../modules/ibc/core/Host.ts"
import { ok, proofFrom, updateClientMsg } from "./core-chains.ts"
import { any, attr, Pair } from "./core-relay.ts"
import { echoSend, testMisbehaviour } from "./core-support.ts"
import type { Event } from "cosmjs-types/tendermint/abci/types"
import type { ChainError } from "../../chain/ChainError.ts"
import type { ExecContext } from "../../chain/Machine.ts"
import { ChannelRequest, ChannelResponse, SendPacketRequest, SendPacketResponse } from "../../chain/generated/ibc.ts"
import { ownedPort } from "../../modules/ibc/Ibc.ts"
import { packetOf } from "../../modules/ibc/core/PacketKeeper.ts"

const enc = new TextEncoder()
const dec = new TextDecoder()
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

/** ResponseResultType of message `i` of a packet message's tx (1 NOOP, 2 SUCCESS). */
const resultOf = (r: ExecTxResult, i: number): number => {
  const resp = TxMsgData.decode(r.data).msgResponses[i]!
  return ChTx.MsgRecvPacketResponse.decode(resp.value).result
}

const sendEcho = async (p: Pair, channel: string, data: string, timeout: { height?: bigint; ns?: bigint } = {}) => {
  const h = timeout.height === 0n ? { revisionNumber: 0n, revisionHeight: 0n } : p.b.ibcHeight(Number(timeout.height ?? 10_000n))
  const r = ok(await p.a.tx(p.relayer, [echoSend(p.relayer.address, channel, h, timeout.ns ?? 0n, enc.encode(data))]), `send ${data}`)
  return Pair.sentPacket(r.events)
}

test("connection and channel handshakes complete on both chains with proofs of each counterparty end", async () => {
  const p = await Pair.connected()
  for (const c of [p.a, p.b]) {
    const conn = CoQ.QueryConnectionResponse.decode(await c.query("/ibc.core.connection.v1.Query/Connection", CoQ.QueryConnectionRequest.encode({ connectionId: "connection-0" }).finish())).connection!
    assert.is(conn.state, ConnectionState.STATE_OPEN)
    assert.is(conn.clientId, "99-test-0")
    assert.equal(conn.counterparty.connectionId, "connection-0")
    assert.equal(conn.versions, [{ identifier: "1", features: ["ORDER_ORDERED", "ORDER_UNORDERED"] }])
    assert.is(dec.decode(conn.counterparty.prefix.keyPrefix), "ibc")
  }
  const ids = await p.openChannel(Order.ORDER_UNORDERED)
  assert.equal(ids, { a: "channel-0", b: "channel-0" })
  for (const c of [p.a, p.b]) {
    const chan = CQ.QueryChannelResponse.decode(await c.query("/ibc.core.channel.v1.Query/Channel", CQ.QueryChannelRequest.encode({ portId: "echo", channelId: "channel-0" }).finish())).channel!
    assert.is(chan.state, ChannelState.STATE_OPEN)
    assert.is(chan.version, "echo-1")
    assert.equal(chan.counterparty, { portId: "echo", channelId: "channel-0" })
    const status = ClQ.QueryClientStatusResponse.decode(await c.query("/ibc.core.client.v1.Query/ClientStatus", ClQ.QueryClientStatusRequest.encode({ clientId: "99-test-0" }).finish()))
    assert.is(status.status, "Active")
  }
  assert.equal(p.a.log.events, ["init channel-0", "ack channel-0"])
  assert.equal(p.b.log.events, ["try channel-0 echo-1", "confirm channel-0"])
  const conns = CQ.QueryConnectionChannelsResponse.decode(await p.a.query("/ibc.core.channel.v1.Query/ConnectionChannels", CQ.QueryConnectionChannelsRequest.encode({ connection: "connection-0" }).finish()))
  assert.equal(conns.channels.map((c) => `${c.portId}/${c.channelId}`), ["echo/channel-0"])
})

test("unordered packet: send, receive with ack, redundant receive is a NOOP, acknowledge deletes the commitment, redundant ack is a NOOP", async () => {
  const p = await Pair.connected()
  const ids = await p.openChannel(Order.ORDER_UNORDERED)
  const sent = ok(await p.a.tx(p.relayer, [echoSend(p.relayer.address, ids.a, p.b.ibcHeight(10_000), 0n, enc.encode("hello"))]), "send")
  assert.is(attr(sent.events, "send_packet", "packet_data_hex"), hex(enc.encode("hello")))
  assert.is(attr(sent.events, "send_packet", "packet_channel_ordering"), "ORDER_UNORDERED")
  assert.is(attr(sent.events, "send_packet", "packet_connection"), "connection-0")
  assert.is(attr(sent.events, "send_packet", "connection_id"), "connection-0")
  assert.ok(sent.events.some((e) => e.type === "message" && e.attributes.some((a) => a.key === "module" && a.value === "ibc_channel")), "message module=ibc_channel")
  const packet = Pair.sentPacket(sent.events)
  assert.is(packet.sequence, 1n)
  const commitments = CQ.QueryPacketCommitmentsResponse.decode(await p.a.query("/ibc.core.channel.v1.Query/PacketCommitments", CQ.QueryPacketCommitmentsRequest.encode({ portId: "echo", channelId: ids.a }).finish()))
  assert.equal(commitments.commitments.map((c) => c.sequence), [1n])

  const recvMsgs = await p.recvMsgs(p.a, packet)
  const recv = ok(await p.b.tx(p.relayer, recvMsgs), "recv")
  assert.is(resultOf(recv, 1), ChTx.ResponseResultType.RESPONSE_RESULT_TYPE_SUCCESS)
  const ack = enc.encode(`{"result":"${Buffer.from("hello").toString("base64")}"}`)
  assert.is(attr(recv.events, "write_acknowledgement", "packet_ack_hex"), hex(ack))
  assert.is(attr(recv.events, "recv_packet", "packet_sequence"), "1")
  const stored = CQ.QueryPacketAcknowledgementResponse.decode(await p.b.query("/ibc.core.channel.v1.Query/PacketAcknowledgement", CQ.QueryPacketAcknowledgementRequest.encode({ portId: "echo", channelId: ids.b, sequence: 1n }).finish()))
  assert.is(hex(stored.acknowledgement), hex(sha256(ack)))
  const receipt = CQ.QueryPacketReceiptResponse.decode(await p.b.query("/ibc.core.channel.v1.Query/PacketReceipt", CQ.QueryPacketReceiptRequest.encode({ portId: "echo", channelId: ids.b, sequence: 1n }).finish()))
  assert.ok(receipt.received)
  const unreceived = CQ.QueryUnreceivedPacketsResponse.decode(await p.b.query("/ibc.core.channel.v1.Query/UnreceivedPackets", CQ.QueryUnreceivedPacketsRequest.encode({ portId: "echo", channelId: ids.b, packetCommitmentSequences: [1n, 2n] }).finish()))
  assert.equal(unreceived.sequences, [2n])

  // the same MsgRecvPacket again (its client update is already applied): NOOP, ibc state unchanged
  const before = p.b.dump()
  const again = ok(await p.b.tx(p.relayer, [recvMsgs[1]!]), "redundant recv")
  assert.is(resultOf(again, 0), ChTx.ResponseResultType.RESPONSE_RESULT_TYPE_NOOP)
  assert.equal(p.b.dump(), before)
  assert.not.ok(again.events.some((e) => e.type === "recv_packet"), "no recv_packet event for a no-op")

  const ackMsgs = await p.ackMsgs(p.b, packet, ack)
  const acked = ok(await p.a.tx(p.relayer, ackMsgs), "ack")
  assert.is(resultOf(acked, 1), ChTx.ResponseResultType.RESPONSE_RESULT_TYPE_SUCCESS)
  assert.is(attr(acked.events, "acknowledge_packet", "packet_sequence"), "1")
  assert.ok(p.a.log.events.includes(`acked 1 ${dec.decode(ack)}`))
  const gone = await p.a.rawQuery("/ibc.core.channel.v1.Query/PacketCommitment", CQ.QueryPacketCommitmentRequest.encode({ portId: "echo", channelId: ids.a, sequence: 1n }).finish())
  assert.is(gone.code, 16, gone.log)
  const beforeAck = p.a.dump()
  const ackAgain = ok(await p.a.tx(p.relayer, [ackMsgs[1]!]), "redundant ack")
  assert.is(resultOf(ackAgain, 0), ChTx.ResponseResultType.RESPONSE_RESULT_TYPE_NOOP)
  assert.equal(p.a.dump(), beforeAck)
})

test("a receive the application refuses writes ibc-go's error acknowledgement and rolls back the application's writes", async () => {
  const p = await Pair.connected()
  const ids = await p.openChannel(Order.ORDER_UNORDERED)
  const packet = await sendEcho(p, ids.a, "fail")
  const recv = ok(await p.b.tx(p.relayer, await p.recvMsgs(p.a, packet)), "recv")
  const ack = '{"error":"ABCI code: 18: error handling packet: see events for details"}'
  assert.is(attr(recv.events, "write_acknowledgement", "packet_ack"), ack)
  assert.is(p.b.store.store("ibc").get(enc.encode(`apps/echo/recv/${ids.b}/1`)), undefined, "the app's write is rolled back")
  assert.not.ok(recv.events.some((e) => e.type === "echo_recv"), "the app's events are dropped...")
  assert.is(attr(recv.events, "ibccallbackerror-echo_recv", "sequence"), "1", "...and emitted renamed, as ibc-go does")
  const receipt = CQ.QueryPacketReceiptResponse.decode(await p.b.query("/ibc.core.channel.v1.Query/PacketReceipt", CQ.QueryPacketReceiptRequest.encode({ portId: "echo", channelId: ids.b, sequence: 1n }).finish()))
  assert.ok(receipt.received, "the receipt stays")
  ok(await p.a.tx(p.relayer, await p.ackMsgs(p.b, packet, enc.encode(ack))), "error ack relayed")
  assert.ok(p.a.log.events.includes(`acked 1 ${ack}`))

  // a successful receive keeps the app's write
  const good = await sendEcho(p, ids.a, "fine")
  const fine = ok(await p.b.tx(p.relayer, await p.recvMsgs(p.a, good)), "recv fine")
  assert.is(attr(fine.events, "echo_recv", "sequence"), "2")
  assert.is(dec.decode(p.b.store.store("ibc").get(enc.encode(`apps/echo/recv/${ids.b}/2`))!), "fine")
})

test("timeouts: a packet past its timeout height is refused by the destination (channel 40) and timed out at the source with a receipt-absence proof", async () => {
  const p = await Pair.connected()
  const ids = await p.openChannel(Order.ORDER_UNORDERED)
  const deadline = BigInt(p.b.height() + 3)
  const packet = await sendEcho(p, ids.a, "late", { height: deadline })
  for (let i = 0; i < 4; i++) await p.b.block([])
  const msgs = await p.recvMsgs(p.a, packet)
  ok(await p.b.tx(p.relayer, [msgs[0]!]), "update")
  const before = p.b.dump()
  const late = await p.b.tx(p.relayer, [msgs[1]!])
  assert.is(late.code, 40, late.log)
  assert.is(late.codespace, "channel")
  assert.match(late.log, "receive packet verification failed: packet timeout elapsed: current height: 2-")
  assert.equal(p.b.dump(), before, "nothing written on the refused receive")

  const tmsgs = await p.timeoutMsgs(p.b, packet, false)
  const timed = ok(await p.a.tx(p.relayer, tmsgs), "timeout")
  assert.is(attr(timed.events, "timeout_packet", "packet_sequence"), "1")
  assert.ok(p.a.log.events.includes("timeout 1"))
  assert.is(p.a.store.store("ibc").get(enc.encode(packetCommitmentPath("echo", ids.a, 1n))), undefined)
  const again = ok(await p.a.tx(p.relayer, [tmsgs[1]!]), "redundant timeout")
  assert.is(resultOf(again, 0), ChTx.ResponseResultType.RESPONSE_RESULT_TYPE_NOOP)
})

test("timeouts by timestamp: not yet reached is refused (channel 39), reached once the destination's consensus time passes it", async () => {
  const p = await Pair.connected()
  const ids = await p.openChannel(Order.ORDER_UNORDERED)
  const bNow = p.b.times.get(p.b.height())!
  const packet = await sendEcho(p, ids.a, "tick", { height: 0n, ns: bNow + 30_000_000_000n })
  const early = await p.timeoutMsgs(p.b, packet, false)
  ok(await p.a.tx(p.relayer, [early[0]!]), "update")
  const r = await p.a.tx(p.relayer, [early[1]!])
  assert.is(r.code, 39, r.log)
  assert.match(r.log, "packet timeout not reached: current timestamp:")
  for (let i = 0; i < 7; i++) await p.b.block([])
  ok(await p.a.tx(p.relayer, await p.timeoutMsgs(p.b, packet, false)), "timeout after the deadline")
  assert.ok(p.a.log.events.includes("timeout 1"))
})

test("ordered channel: packets in sequence, an out-of-order receive is refused (channel 21), acks in order, a timeout closes the channel", async () => {
  const p = await Pair.connected()
  const ids = await p.openChannel(Order.ORDER_ORDERED)
  const p1 = await sendEcho(p, ids.a, "one")
  const p2 = await sendEcho(p, ids.a, "two")
  const m2 = await p.recvMsgs(p.a, p2)
  ok(await p.b.tx(p.relayer, [m2[0]!]), "update")
  const out = await p.b.tx(p.relayer, [m2[1]!])
  assert.is(out.code, 21, out.log)
  assert.match(out.log, "packet sequence ≠ next receive sequence (2 ≠ 1)")
  ok(await p.b.tx(p.relayer, await p.recvMsgs(p.a, p1)), "recv 1")
  ok(await p.b.tx(p.relayer, await p.recvMsgs(p.a, p2)), "recv 2")
  const next = CQ.QueryNextSequenceReceiveResponse.decode(await p.b.query("/ibc.core.channel.v1.Query/NextSequenceReceive", CQ.QueryNextSequenceReceiveRequest.encode({ portId: "echo", channelId: ids.b }).finish()))
  assert.is(next.nextSequenceReceive, 3n)
  const a2 = await p.ackMsgs(p.b, p2, enc.encode(`{"result":"${Buffer.from("two").toString("base64")}"}`))
  ok(await p.a.tx(p.relayer, [a2[0]!]), "update")
  const early = await p.a.tx(p.relayer, [a2[1]!])
  assert.is(early.code, 21, early.log)
  ok(await p.a.tx(p.relayer, await p.ackMsgs(p.b, p1, enc.encode(`{"result":"${Buffer.from("one").toString("base64")}"}`))), "ack 1")
  ok(await p.a.tx(p.relayer, [a2[1]!]), "ack 2 after 1")

  const deadline = BigInt(p.b.height() + 2)
  const p3 = await sendEcho(p, ids.a, "three", { height: deadline })
  for (let i = 0; i < 3; i++) await p.b.block([])
  const timed = ok(await p.a.tx(p.relayer, await p.timeoutMsgs(p.b, p3, true)), "ordered timeout")
  assert.is(attr(timed.events, "channel_close", "channel_id"), ids.a)
  const chan = CQ.QueryChannelResponse.decode(await p.a.query("/ibc.core.channel.v1.Query/Channel", CQ.QueryChannelRequest.encode({ portId: "echo", channelId: ids.a }).finish())).channel!
  assert.is(chan.state, ChannelState.STATE_CLOSED)
  const refused = await p.a.tx(p.relayer, [echoSend(p.relayer.address, ids.a, p.b.ibcHeight(10_000), 0n, enc.encode("after"))])
  assert.is(refused.code, 5, refused.log)
  assert.is(refused.codespace, "channel")
})

test("a proof of another value, an unknown channel and a malformed packet are refused with ibc-go's codes and change nothing", async () => {
  const p = await Pair.connected()
  const ids = await p.openChannel(Order.ORDER_UNORDERED)
  const packet = await sendEcho(p, ids.a, "real")
  const [update, recv] = await p.recvMsgs(p.a, packet)
  ok(await p.b.tx(p.relayer, [update!]), "update")
  const real = ChTx.MsgRecvPacket.decode(recv!.value)
  const before = p.b.dump()
  const forged = await p.b.tx(p.relayer, [p.recvMsg({ ...packet, data: enc.encode("forged") }, real.proofCommitment, real.proofHeight)])
  assert.is(forged.codespace, "commitment", forged.log)
  assert.is(forged.code, 2)
  assert.match(forged.log, "couldn't verify counterparty packet commitment: failed packet commitment verification for client (99-test-0)")
  const unknown = await p.b.tx(p.relayer, [p.recvMsg({ ...packet, destinationChannel: "channel-9" }, real.proofCommitment, real.proofHeight)])
  assert.equal([unknown.codespace, unknown.code], ["channel", 3], unknown.log)
  const badId = await p.b.tx(p.relayer, [p.recvMsg({ ...packet, sourcePort: "a/b" }, real.proofCommitment, real.proofHeight)])
  assert.equal([badId.codespace, badId.code], ["host", 2], badId.log)
  const zero = await p.b.tx(p.relayer, [p.recvMsg({ ...packet, sequence: 0n }, real.proofCommitment, real.proofHeight)])
  assert.equal([zero.codespace, zero.code], ["channel", 13], zero.log)
  const noProof = await p.b.tx(p.relayer, [p.recvMsg(packet, new Uint8Array(), real.proofHeight)])
  assert.equal([noProof.codespace, noProof.code], ["commitment", 2], noProof.log)
  const badVersion = await p.b.tx(p.relayer, [any("/ibc.core.connection.v1.MsgConnectionOpenTry", CoTx.MsgConnectionOpenTry.encode(CoTx.MsgConnectionOpenTry.fromPartial({
    clientId: "99-test-0", counterparty: { clientId: "99-test-0", connectionId: "connection-0", prefix: { keyPrefix: enc.encode("ibc") } }, delayPeriod: 0n,
    counterpartyVersions: [{ identifier: "2", features: ["ORDER_ORDERED"] }], proofInit: real.proofCommitment, proofHeight: real.proofHeight, signer: p.relayer.address
  })).finish())])
  assert.equal([badVersion.codespace, badVersion.code], ["connection", 10], badVersion.log)
  assert.match(badVersion.log, "connection handshake open try failed: failed to find a matching counterparty version")
  assert.equal(p.b.dump(), before, "no refusal wrote to the ibc namespace")
  ok(await p.b.tx(p.relayer, [recv!]), "the real proof still works")
})

test("misbehaviour freezes a client: status Frozen, updates and packets through it refused (client 29)", async () => {
  const p = await Pair.connected()
  const ids = await p.openChannel(Order.ORDER_UNORDERED)
  const r = ok(await p.b.tx(p.relayer, [any("/ibc.core.client.v1.MsgSubmitMisbehaviour", MsgSubmitMisbehaviour.encode({
    clientId: "99-test-0", misbehaviour: AnyCodec.fromPartial(testMisbehaviour()), signer: p.relayer.address
  }).finish())]), "misbehaviour")
  assert.is(attr(r.events, "client_misbehaviour", "client_id"), "99-test-0")
  const status = ClQ.QueryClientStatusResponse.decode(await p.b.query("/ibc.core.client.v1.Query/ClientStatus", ClQ.QueryClientStatusRequest.encode({ clientId: "99-test-0" }).finish()))
  assert.is(status.status, "Frozen")
  await p.a.block([])
  const upd = await p.b.tx(p.relayer, [updateClientMsg(p.a, "99-test-0", p.a.height(), p.relayer.address)])
  assert.equal([upd.codespace, upd.code], ["client", 29], upd.log)
  assert.match(upd.log, "cannot update client (99-test-0) with status Frozen")
  const send = await p.b.tx(p.relayer, [echoSend(p.relayer.address, ids.b, p.a.ibcHeight(10_000), 0n, enc.encode("x"))])
  assert.equal([send.codespace, send.code], ["client", 29], send.log)
})

test("channel close: CloseInit on one end, CloseConfirm with its proof on the other; a packet in flight times out on close", async () => {
  const p = await Pair.connected()
  const ids = await p.openChannel(Order.ORDER_UNORDERED)
  const packet = await sendEcho(p, ids.a, "stranded")
  ok(await p.b.tx(p.relayer, [any("/ibc.core.channel.v1.MsgChannelCloseInit", ChTx.MsgChannelCloseInit.encode({ portId: "echo", channelId: ids.b, signer: p.relayer.address }).finish())]), "close init")
  const pr = await proofFrom(p.b, "99-test-0", channelPath("echo", ids.b), p.relayer.address)
  const conf = ok(await p.a.tx(p.relayer, [pr.update, any("/ibc.core.channel.v1.MsgChannelCloseConfirm", ChTx.MsgChannelCloseConfirm.encode({
    portId: "echo", channelId: ids.a, proofInit: pr.proof, proofHeight: pr.proofHeight, signer: p.relayer.address
  }).finish())]), "close confirm")
  assert.is(attr(conf.events, "channel_close_confirm", "channel_id"), ids.a)
  assert.equal(p.b.log.events.slice(-1), [`close-init ${ids.b}`])
  assert.equal(p.a.log.events.slice(-1), [`close-confirm ${ids.a}`])
  // receiving on the closed end is refused
  const recv = await p.b.tx(p.relayer, await p.recvMsgs(p.a, packet))
  assert.equal([recv.codespace, recv.code], ["channel", 5], recv.log)
  // TimeoutOnClose: B's end CLOSED and no receipt there
  const closed = await proofFrom(p.b, "99-test-0", channelPath("echo", ids.b), p.relayer.address)
  const absent = await p.b.prove(`receipts/ports/echo/channels/${ids.b}/sequences/1`, closed.proofHeight.revisionHeight > 0n ? Number(closed.proofHeight.revisionHeight) - 1 : 0)
  const toc = ok(await p.a.tx(p.relayer, [closed.update, any("/ibc.core.channel.v1.MsgTimeoutOnClose", ChTx.MsgTimeoutOnClose.encode(ChTx.MsgTimeoutOnClose.fromPartial({
    packet, proofUnreceived: absent.proof, proofClose: closed.proof, proofHeight: closed.proofHeight, nextSequenceRecv: 1n, signer: p.relayer.address
  })).finish())]), "timeout on close")
  assert.is(attr(toc.events, "timeout_packet", "packet_sequence"), "1")
  assert.ok(p.a.log.events.includes("timeout 1"))
})

test("an application refusing a handshake step refuses the message (callback error, its code) and nothing is written; async acks are written later, once", async () => {
  const p = await Pair.connected()
  const s = p.relayer.address
  ok(await p.a.tx(p.relayer, [any("/ibc.core.channel.v1.MsgChannelOpenInit", ChTx.MsgChannelOpenInit.encode({
    portId: "echo", channel: { state: ChannelState.STATE_INIT, ordering: Order.ORDER_UNORDERED, counterparty: { portId: "echo", channelId: "" }, connectionHops: ["connection-0"], version: "echo-9" }, signer: s
  }).finish())]), "init with a version the counterparty refuses")
  const pr = await proofFrom(p.a, "99-test-0", channelPath("echo", "channel-0"), s)
  ok(await p.b.tx(p.relayer, [pr.update]), "update")
  const before = p.b.dump()
  const refused = await p.b.tx(p.relayer, [any("/ibc.core.channel.v1.MsgChannelOpenTry", ChTx.MsgChannelOpenTry.encode(ChTx.MsgChannelOpenTry.fromPartial({
    portId: "echo", channel: { state: ChannelState.STATE_TRYOPEN, ordering: Order.ORDER_UNORDERED, counterparty: { portId: "echo", channelId: "channel-0" }, connectionHops: ["connection-0"], version: "" },
    counterpartyVersion: "echo-9", proofInit: pr.proof, proofHeight: pr.proofHeight, signer: s
  })).finish())])
  assert.equal([refused.codespace, refused.code], ["sdk", 18], refused.log)
  assert.match(refused.log, "channel open try callback failed for port ID: echo, channel ID: channel-0: unsupported version echo-9")
  assert.equal(p.b.dump(), before, "no channel, no sequence counter")

  // async acknowledgement: nothing on receive, then WriteAcknowledgement through core, only once
  const ids = await p.openChannel(Order.ORDER_UNORDERED)
  const packet = Pair.sentPacket(ok(await p.a.tx(p.relayer, [echoSend(s, ids.a, p.b.ibcHeight(10_000), 0n, enc.encode("async"))]), "send").events)
  const recv = ok(await p.b.tx(p.relayer, await p.recvMsgs(p.a, packet)), "recv async")
  assert.not.ok(recv.events.some((e) => e.type === "write_acknowledgement"))
  const ackKey = enc.encode(`acks/ports/echo/channels/${ids.b}/sequences/1`)
  assert.is(p.b.store.store("ibc").get(ackKey), undefined)
  const events: Event[] = []
  const ctx = { chainId: p.b.chainId, height: p.b.height() + 1, time: { seconds: 1_800_000_000n, nanos: 0 }, store: p.b.store.store("ibc"), emit: (e: Event) => void events.push(e) } as unknown as ExecContext
  const ack = enc.encode('{"result":"bGF0ZXI="}')
  p.b.ibc.coreForApps.writeAcknowledgement(ctx, packetOf(packet), ack)
  assert.is(hex(p.b.store.store("ibc").get(ackKey)!), hex(sha256(ack)))
  assert.is(attr(events, "write_acknowledgement", "packet_ack_hex"), hex(ack))
  try {
    p.b.ibc.coreForApps.writeAcknowledgement(ctx, packetOf(packet), ack)
    assert.unreachable("a second ack")
  } catch (e) {
    assert.equal([(e as ChainError).codespace, (e as ChainError).code], ["channel", 17])
  }
})

test("call API: send-packet only on the caller's own port (channel 9 otherwise); channel lookup", async () => {
  const p = await Pair.connected()
  const ids = await p.openChannel(Order.ORDER_UNORDERED)
  const ibc = p.a.ibc
  const events: Event[] = []
  // a unit-level context over chain a's working ibc namespace (the executor's capability check is the conformance suite's)
  const ctx = { chainId: p.a.chainId, height: p.a.height() + 1, time: { seconds: 1_800_000_000n, nanos: 0 }, store: p.a.store.store("ibc"), emit: (e: Event) => void events.push(e) } as unknown as ExecContext
  const req = (port: string) => SendPacketRequest.encode({ sourcePort: port, sourceChannel: ids.a, timeoutHeight: { revisionNumber: 2n, revisionHeight: 10_000n }, timeoutTimestamp: 0n, data: enc.encode("via wit") })
  const seq = SendPacketResponse.decode(ibc.onCall(ctx, "machine:echo", "send-packet", req("echo"))).sequence
  assert.is(seq, 1n)
  assert.is(attr(events, "send_packet", "packet_data_hex"), hex(enc.encode("via wit")))
  assert.ok(p.a.store.store("ibc").get(enc.encode(packetCommitmentPath("echo", ids.a, 1n))))
  for (const caller of ["program:cyber1qqqq", "machine:bank", "authority:gov"]) {
    try {
      ibc.onCall(ctx, caller, "send-packet", req("echo"))
      assert.unreachable(`${caller} sent on port echo`)
    } catch (e) {
      assert.equal([(e as ChainError).codespace, (e as ChainError).code], ["channel", 9], String(e))
    }
  }
  assert.is(ownedPort("program:cyber1abc"), "cyberwasm.cyber1abc")
  const found = ChannelResponse.decode(ibc.onCall(ctx, "machine:bank", "channel", ChannelRequest.encode({ portId: "echo", channelId: ids.a })))
  assert.equal([found.found, found.state, found.ordering, found.counterpartyChannelId, found.connectionId, found.version], [true, "STATE_OPEN", "ORDER_UNORDERED", ids.b, "connection-0", "echo-1"])
  assert.not.ok(ChannelResponse.decode(ibc.onCall(ctx, "machine:bank", "channel", ChannelRequest.encode({ portId: "echo", channelId: "channel-77" }))).found)
})

test.run()
