/**
 * The IBC callback envelope of program ports (modules/ibc/apps/programs/Envelope.ts) byte for
 * byte as docs/ibc.md "Programs on IBC" documents it (programs decode it by hand, so the layout is
 * a contract), and which ports the program router serves.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { channelEnvelope, packetEnvelope } from "../../modules/ibc/apps/programs/Envelope.ts"
import { programOfPort, ProgramPorts } from "../../modules/ibc/apps/programs/ProgramPorts.ts"

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const packet = {
  sequence: 1n, sourcePort: "a", sourceChannel: "b", destinationPort: "c", destinationChannel: "d",
  data: new TextEncoder().encode("hi"), timeoutHeight: { revisionNumber: 1n, revisionHeight: 2n }, timeoutTimestamp: 3n
}
const PACKET_BODY = "0000000000000001" + "000161" + "000162" + "000163" + "000164" + "000172" + "0000000000000001" + "0000000000000002" + "0000000000000003" + "000000026869"

test("packet envelopes: 0xff 'I' kind, sequence, four ids, relayer, timeout height and timestamp, data; ack appends the ack", () => {
  assert.is(hex(packetEnvelope("recv", packet, "r")), "ff4907" + PACKET_BODY)
  assert.is(hex(packetEnvelope("timeout", packet, "r")), "ff4909" + PACKET_BODY)
  assert.is(hex(packetEnvelope("ack", packet, "r", new TextEncoder().encode("ok!"))), "ff4908" + PACKET_BODY + "000000036f6b21")
  // u64 fields are full 64-bit big-endian
  assert.is(hex(packetEnvelope("recv", { ...packet, sequence: 0xfffffffffffffffen }, "r")).slice(6, 22), "fffffffffffffffe")
})

test("channel envelopes: order byte, connection, port, channel, counterparty port and channel, version, counterparty version", () => {
  const ch = { order: "ORDER_ORDERED" as const, connectionHops: ["c0"], portId: "p", channelId: "ch", counterpartyPortId: "q", counterpartyChannelId: "", version: "" }
  assert.is(hex(channelEnvelope("openTry", ch, "v1")), "ff4902" + "02" + "00026330" + "000170" + "00026368" + "000171" + "0000" + "0000" + "00027631")
  assert.is(hex(channelEnvelope("openInit", { ...ch, order: "ORDER_UNORDERED", version: "v1" })), "ff4901" + "01" + "00026330" + "000170" + "00026368" + "000171" + "0000" + "00027631" + "0000")
  for (const [kind, byte] of [["openAck", "03"], ["openConfirm", "04"], ["closeInit", "05"], ["closeConfirm", "06"]] as const) {
    assert.is(hex(channelEnvelope(kind, ch)).slice(0, 6), `ff49${byte}`)
  }
  // a version too long for the u16 length is a chain error (ibc 8), not an exception of the node
  try {
    channelEnvelope("openTry", ch, "v".repeat(65536))
    assert.unreachable("a 65536-byte version was encoded")
  } catch (e) {
    assert.is((e as { _tag?: string })._tag, "IbcInvalidRequest")
    assert.is((e as { code?: number }).code, 8)
  }
  assert.is(channelEnvelope("openTry", ch, "v".repeat(65535)).length, 3 + 1 + 4 + 3 + 4 + 3 + 2 + 2 + 2 + 65535)
  // strings are UTF-8 with a byte length
  assert.is(hex(channelEnvelope("openInit", { ...ch, version: "é" })).slice(-12), "0002c3a90000")
})

test("the router serves exactly the ports cyberwasm.<non-empty>", () => {
  const ports = new ProgramPorts()
  assert.is(ports.route("cyberwasm.cyber1abc"), ports)
  for (const p of ["cyberwasm.", "cyberwasm", "transfer", "wasm.cyber1abc", "Cyberwasm.cyber1abc"]) assert.is(ports.route(p), undefined, p)
  assert.is(programOfPort("cyberwasm.cyber1abc"), "cyber1abc")
})

test("without an active cyberwasm machine a program port is InvalidRoute (port 5) and nothing is called", () => {
  let called = 0
  // a context double: only hasMachine and call are reached
  const ctx = { hasMachine: () => false, call: () => (called++, new Uint8Array()) } as never
  const ch = { order: "ORDER_ORDERED" as const, connectionHops: ["connection-0"], portId: "cyberwasm.cyber1abc", channelId: "channel-0", counterpartyPortId: "cyberwasm.x", counterpartyChannelId: "", version: "" }
  try {
    new ProgramPorts().onChanOpenInit(ctx, ch)
    assert.unreachable("open-init ran")
  } catch (e) {
    assert.is((e as { _tag?: string })._tag, "InvalidRoute")
    assert.is((e as { codespace?: string }).codespace, "port")
    assert.is((e as { code?: number }).code, 5)
  }
  assert.is(called, 0)
})

test.run()
