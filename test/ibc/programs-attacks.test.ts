/**
 * Hostile use of program ports (modules/ibc/apps/programs) between two in-process chains: a
 * program cannot send on another program's port nor run another program's IBC callbacks, a user
 * cannot forge a callback, a failing receive becomes an error acknowledgement with its writes
 * rolled back, a receive cannot spend anybody else's funds, and a callback's gas is the
 * relayer's transaction gas (exhausting it fails the transaction, no error ack) capped by the
 * chain's max_call_gas (deterministic, then an error ack). Chain B runs a twin app fed the same
 * blocks, which must agree on every result and app hash.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { Order, State as ChannelState } from "cosmjs-types/ibc/core/channel/v1/channel"
import * as ChTx from "cosmjs-types/ibc/core/channel/v1/tx"
import { packetEnvelope } from "../../modules/ibc/apps/programs/Envelope.ts"
import { ok } from "./core-chains.ts"
import { any } from "./core-relay.ts"
import { execMsg, MAX_CALL_GAS, openProgramChannel, programPair, programState, sentPackets, writtenAck, type ProgramPair } from "./programs-support.ts"

const dec = new TextDecoder()
const FAR = 4102444800000000000n
const ERROR_ACK_3 = `{"error":"ABCI code: 3: error handling packet: see events for details"}`
let setup: Promise<ProgramPair & { channel: { a: string; b: string } }> | undefined
const ready = () => (setup ??= programPair({ twinB: true }).then(async (p) => ({
  ...p, channel: await openProgramChannel(p.pair, `cyberwasm.${p.programsA[0]}`, `cyberwasm.${p.programsB[1]}`, Order.ORDER_ORDERED)
})))

const balance = async (chain: ProgramPair["pair"]["b"], address: string): Promise<string> =>
  QueryBalanceResponse.decode(await chain.query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "boot" }).finish())).balance!.amount

const sendOne = async (s: Awaited<ReturnType<typeof ready>>, data: string) => {
  const [packet] = sentPackets(ok(await s.pair.a.tx(s.user, [execMsg(s.user.address, s.programsA[0]!, `sendt ${s.channel.a} ${FAR} ${data}`)]), `send ${data}`).events)
  return packet!
}

test("a program cannot send on another program's port: ChannelCapabilityNotFound, nothing committed", async () => {
  const s = await ready()
  const before = s.pair.a.dump()
  const r = await s.pair.a.tx(s.user, [execMsg(s.user.address, s.programsA[1]!, `sendon cyberwasm.${s.programsA[0]} ${s.channel.a} forged`)])
  assert.is(r.code, 3, r.log) // ProgramFailed: the program got the ibc error back
  assert.match(r.log, new RegExp(`caller program:${s.programsA[1]} does not own capability for channel, port ID \\(cyberwasm.${s.programsA[0]}\\) channel ID \\(${s.channel.a}\\): channel capability not found`))
  assert.equal(s.pair.a.dump(), before)
})

test("a program cannot run another program's IBC callbacks (cyberwasm ibc-callback is machine:ibc's)", async () => {
  const s = await ready()
  const envelope = packetEnvelope("recv", {
    sequence: 1n, sourcePort: `cyberwasm.${s.programsA[1]}`, sourceChannel: "channel-9", destinationPort: `cyberwasm.${s.programsA[0]}`, destinationChannel: s.channel.a,
    data: new TextEncoder().encode("forged"), timeoutHeight: { revisionNumber: 0n, revisionHeight: 0n }, timeoutTimestamp: FAR
  }, s.user.address)
  const r = await s.pair.a.tx(s.user, [execMsg(s.user.address, s.programsA[1]!, `fake ${s.programsA[0]} ${Buffer.from(envelope).toString("hex")}`)])
  assert.is(r.code, 3, r.log)
  assert.match(r.log, `ibc-callback: capability missing: program:${s.programsA[1]} holds no capability cyberwasm.ibc-callback: unauthorized`)
  // a user executing the envelope directly is no callback either: the caller is not machine:ibc
  const u = await s.pair.a.tx(s.user, [execMsg(s.user.address, s.programsA[0]!, envelope)])
  assert.is(u.code, 3)
  assert.match(u.log, /unknown command/)
  assert.not.ok((await programState(s.pair.a, s.programsA[0]!)).recv.includes("forged"))
})

test("a failing receive is an error acknowledgement, the program's writes rolled back; the sender's ack callback gets it", async () => {
  const s = await ready()
  const packet = await sendOne(s, "fail")
  const r = ok(await s.pair.b.tx(s.pair.relayer, await s.pair.recvMsgs(s.pair.a, packet)), "recv fail")
  const ack = writtenAck(r)
  assert.is(dec.decode(ack), ERROR_ACK_3)
  assert.ok(r.events.some((e) => e.type.startsWith("ibccallbackerror-") || e.type === "write_acknowledgement"))
  assert.not.ok((await programState(s.pair.b, s.programsB[1]!)).recv.includes("never-kept"), "the program's write was rolled back")
  ok(await s.pair.a.tx(s.pair.relayer, await s.pair.ackMsgs(s.pair.b, packet, ack)), "ack")
  assert.ok((await programState(s.pair.a, s.programsA[0]!)).acks.endsWith(`${packet.sequence}:${ERROR_ACK_3}`))
})

test("a receive cannot spend the relayer's or anyone's funds: the bank refuses, error ack, balances unchanged", async () => {
  const s = await ready()
  const packet = await sendOne(s, `steal:${s.user.address}`)
  const userBefore = await balance(s.pair.b, s.user.address)
  const msgs = await s.pair.recvMsgs(s.pair.a, packet)
  const r = ok(await s.pair.b.tx(s.pair.relayer, msgs), "recv steal")
  assert.is(dec.decode(writtenAck(r)), ERROR_ACK_3)
  assert.is(await balance(s.pair.b, s.user.address), userBefore)
  assert.not.ok((await programState(s.pair.b, s.programsB[1]!)).recv.includes("stolen"))
  ok(await s.pair.a.tx(s.pair.relayer, await s.pair.ackMsgs(s.pair.b, packet, writtenAck(r))), "ack")
})

test("callback gas: exhausting the relayer's tx gas fails the tx (no ack); with more gas than max_call_gas the cap makes an error ack", async () => {
  const s = await ready()
  const packet = await sendOne(s, "loop")
  const msgs = await s.pair.recvMsgs(s.pair.a, packet)
  const low = (await s.pair.b.block([await s.pair.b.sign(s.pair.relayer, msgs, 3_000_000)]))[0]!
  assert.is(low.code, 11, low.log) // sdk OutOfGas: the relayer cannot force an error ack by starving the callback
  assert.is(low.codespace, "sdk")
  assert.ok(low.gasUsed <= 3_000_000n)
  const again = await s.pair.recvMsgs(s.pair.a, packet)
  const high = ok((await s.pair.b.block([await s.pair.b.sign(s.pair.relayer, again, 50_000_000)]))[0]!, "recv loop with gas")
  assert.is(dec.decode(writtenAck(high)), ERROR_ACK_3)
  assert.ok(high.gasUsed > MAX_CALL_GAS && high.gasUsed < MAX_CALL_GAS + 2_000_000n, `gas used ${high.gasUsed}`)
  ok(await s.pair.a.tx(s.pair.relayer, await s.pair.ackMsgs(s.pair.b, packet, writtenAck(high))), "ack")
})

test("a port whose address holds no program, or is no address, refuses the handshake", async () => {
  const s = await ready()
  const before = s.pair.a.dump()
  for (const [port, code, re] of [
    [`cyberwasm.${s.user.address}`, 4, /channel open init callback failed for port ID: cyberwasm\.cyber1\w+, channel ID: channel-\d+: no program at cyber1/],
    ["cyberwasm.nonsense", 7, /channel open init callback failed for port ID: cyberwasm\.nonsense, channel ID: channel-\d+: invalid address "nonsense"/]
  ] as const) {
    const r = await s.pair.a.tx(s.pair.relayer, [any("/ibc.core.channel.v1.MsgChannelOpenInit", ChTx.MsgChannelOpenInit.encode({
      portId: port, channel: { state: ChannelState.STATE_INIT, ordering: Order.ORDER_ORDERED, counterparty: { portId: "cyberwasm.x", channelId: "" }, connectionHops: ["connection-0"], version: "" },
      signer: s.pair.relayer.address
    }).finish())])
    assert.is(r.code, code, r.log) // cyberwasm ProgramNotFound 4; sdk InvalidAddress 7
    assert.match(r.log, re)
  }
  assert.equal(s.pair.a.dump(), before)
})

test("chain B's twin app agreed on every result and app hash through the failing, refused and out-of-gas receives", async () => {
  const s = await ready()
  assert.ok(s.pair.b.twinBlocks > 15, `blocks compared: ${s.pair.b.twinBlocks}`)
})

test.run()
