/**
 * What the ibc machine's contract port module (modules/ibc/apps/contracts/ContractPorts.ts) hands
 * the cyberwasm machine, byte for byte: the `0xff 'W' <entry>` envelope around wasmvm's message JSON
 * (wasmvm types/ibc.go: IBCChannelOpenMsg, IBCChannelConnectMsg, IBCChannelCloseMsg,
 * IBCPacketReceiveMsg, IBCPacketAckMsg, IBCPacketTimeoutMsg), u64s exact past 2^53, and how each
 * result becomes a version or an acknowledgement (wasmd IBCHandler). A test double stands in for the
 * cyberwasm call API; the whole path runs for real in ibc-reflect / ibc-receive / ibc-relayer-e2e.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { IbcCallbackRequest, IbcCallbackResponse } from "../../chain/generated/cyberwasm.ts"
import type { ChainCall, ExecContext } from "../../chain/Machine.ts"
import { decodeContractIbc, encodeContractIbcResult, type ContractIbcResult } from "../../modules/cyberwasm/cosmwasm/IbcEntryPoints.ts"
import { contractOfPort, ContractPorts } from "../../modules/ibc/apps/contracts/ContractPorts.ts"
import type { ChannelInfo, Packet } from "../../modules/ibc/PortModule.ts"

const dec = new TextDecoder()
const enc = new TextEncoder()
const A = "cyber14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9sjxkrqd"

/** A context whose cyberwasm call API records the request and answers `result`. */
const fake = (result: ContractIbcResult, active = true) => {
  const seen: Array<{ program: string; entry: string; json: string }> = []
  const events: string[] = []
  const ctx = {
    hasMachine: () => active,
    call: (c: ChainCall) => {
      assert.equal([c.target, c.method], ["cyberwasm", "ibc-callback"])
      const req = IbcCallbackRequest.decode(c.body)
      const e = decodeContractIbc(req.message)
      seen.push({ program: req.program, entry: e.entry, json: dec.decode(e.msg) })
      return IbcCallbackResponse.encode({ data: encodeContractIbcResult(result) })
    },
    emit: (e: { type: string; attributes: ReadonlyArray<{ key: string; value: string }> }) => events.push(`${e.type} ${e.attributes.map((a) => `${a.key}=${a.value}`).join(" ")}`)
  } as unknown as ExecContext
  return { ctx, seen, events }
}

const channel: ChannelInfo = {
  order: "ORDER_ORDERED", connectionHops: ["connection-0"], portId: `wasm.${A}`, channelId: "channel-3", counterpartyPortId: "transfer", counterpartyChannelId: "channel-9", version: "v1"
}
const packet: Packet = {
  sequence: 18446744073709551615n, sourcePort: `wasm.${A}`, sourceChannel: "channel-3", destinationPort: "transfer", destinationChannel: "channel-9", data: enc.encode("hi"),
  timeoutHeight: { revisionNumber: 9007199254740993n, revisionHeight: 12n }, timeoutTimestamp: 1700000000000000000n
}
/** The same packet arriving at the contract (A is the destination). */
const incoming: Packet = { ...packet, sourcePort: "transfer", sourceChannel: "channel-9", destinationPort: `wasm.${A}`, destinationChannel: "channel-3" }
const ch = `{"endpoint":{"port_id":"wasm.${A}","channel_id":"channel-3"},"counterparty_endpoint":{"port_id":"transfer","channel_id":"channel-9"},"order":"ORDER_ORDERED","version":"v1","connection_id":"connection-0"}`
const pk = `{"data":"aGk=","src":{"port_id":"wasm.${A}","channel_id":"channel-3"},"dest":{"port_id":"transfer","channel_id":"channel-9"},"sequence":18446744073709551615,"timeout":{"block":{"revision":9007199254740993,"height":12},"timestamp":"1700000000000000000"}}`
const pkIn = `{"data":"aGk=","src":{"port_id":"transfer","channel_id":"channel-9"},"dest":{"port_id":"wasm.${A}","channel_id":"channel-3"},"sequence":18446744073709551615,"timeout":{"block":{"revision":9007199254740993,"height":12},"timestamp":"1700000000000000000"}}`

test("the router serves wasm.<address> ports only", () => {
  const ports = new ContractPorts()
  assert.ok(ports.route(`wasm.${A}`))
  assert.is(ports.route("wasm."), undefined)
  assert.is(ports.route(`cyberwasm.${A}`), undefined)
  assert.is(ports.route("transfer"), undefined)
  assert.is(contractOfPort(`wasm.${A}`), A)
})

test("channel callbacks: wasmvm's IBCChannelOpenMsg / ConnectMsg / CloseMsg JSON", () => {
  const ports = new ContractPorts()
  const f = fake({ kind: "none" })
  assert.is(ports.onChanOpenInit(f.ctx, channel), "v1", "null keeps the proposed version")
  assert.is(ports.onChanOpenTry(f.ctx, { ...channel, version: "" }, "v2"), "v2", "null takes the counterparty's version")
  ports.onChanOpenAck(f.ctx, channel, "v1")
  ports.onChanOpenConfirm(f.ctx, channel)
  ports.onChanCloseInit(f.ctx, channel)
  ports.onChanCloseConfirm(f.ctx, channel)
  const v2 = ch.replace(`"version":"v1"`, `"version":"v2"`)
  assert.equal(f.seen, [
    { program: A, entry: "ibc_channel_open", json: `{"open_init":{"channel":${ch}}}` },
    { program: A, entry: "ibc_channel_open", json: `{"open_try":{"channel":${v2},"counterparty_version":"v2"}}` },
    { program: A, entry: "ibc_channel_connect", json: `{"open_ack":{"channel":${ch},"counterparty_version":"v1"}}` },
    { program: A, entry: "ibc_channel_connect", json: `{"open_confirm":{"channel":${ch}}}` },
    { program: A, entry: "ibc_channel_close", json: `{"close_init":{"channel":${ch}}}` },
    { program: A, entry: "ibc_channel_close", json: `{"close_confirm":{"channel":${ch}}}` }
  ])
  assert.is(ports.onChanOpenInit(fake({ kind: "data", data: enc.encode("mine") }).ctx, channel), "mine")
  assert.throws(() => ports.onChanOpenInit(fake({ kind: "none" }).ctx, { ...channel, version: "" }), (e: { log: string; code: number }) => e.code === 12 && e.log === "version: empty")
})

test("packet callbacks: u64s exact, the ack and timeout messages", () => {
  const ports = new ContractPorts()
  const f = fake({ kind: "none" })
  assert.is(ports.onRecvPacket(f.ctx, incoming, "cyber1relayer"), undefined, "no acknowledgement: async")
  ports.onAcknowledgementPacket(f.ctx, packet, enc.encode(`{"ok":1}`), "cyber1relayer")
  ports.onTimeoutPacket(f.ctx, { ...packet, timeoutHeight: { revisionNumber: 0n, revisionHeight: 0n }, timeoutTimestamp: 0n }, "cyber1relayer")
  assert.equal(f.seen.map((s) => s.json), [
    `{"packet":${pkIn},"relayer":"cyber1relayer"}`,
    `{"acknowledgement":{"data":"eyJvayI6MX0="},"original_packet":${pk},"relayer":"cyber1relayer"}`,
    `{"packet":${pk.replace(`{"block":{"revision":9007199254740993,"height":12},"timestamp":"1700000000000000000"}`, `{"block":null}`)},"relayer":"cyber1relayer"}`
  ])
  for (const s of f.seen) JSON.parse(s.json)
})

test("receive results: the contract's bytes, its error, wasmd's redacted error (with the failure event)", () => {
  const ports = new ContractPorts()
  assert.equal(ports.onRecvPacket(fake({ kind: "data", data: enc.encode("ack") }).ctx, incoming, "r"), { bytes: enc.encode("ack"), success: true })
  const own = fake({ kind: "contract-error", error: `bad <"x">` })
  assert.equal(ports.onRecvPacket(own.ctx, incoming, "r"), { bytes: enc.encode(`{"error":"bad \\u003c\\"x\\"\\u003e"}`), success: false }, "Go's JSON escaping, as ibc-go marshals it")
  assert.equal(own.events, [`ibc_packet_received module=wasm _contract_address=${A} success=false`])
  const redacted = fake({ kind: "redacted-error", codespace: "sdk", code: 5, log: "0boot is smaller than 1boot: insufficient funds" })
  assert.equal(ports.onRecvPacket(redacted.ctx, incoming, "r"), { bytes: enc.encode(`{"error":"ABCI error: sdk/5: error handling packet: see events for details"}`), success: false })
  assert.equal(redacted.events, [`ibc_packet_received module=wasm _contract_address=${A} success=false error=0boot is smaller than 1boot: insufficient funds`])
})

test("without an active cyberwasm machine every callback is InvalidRoute (port 5)", () => {
  const ports = new ContractPorts()
  assert.throws(() => ports.onChanOpenInit(fake({ kind: "none" }, false).ctx, channel), (e: { codespace: string; code: number }) => e.codespace === "port" && e.code === 5)
})

test.run()
