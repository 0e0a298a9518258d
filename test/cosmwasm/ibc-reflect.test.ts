/**
 * CosmWasm contracts on IBC between two in-process chains (test/cosmwasm/ibc-support.ts), with
 * wasmd's published ibc_reflect_send (chain A) and ibc_reflect (chain B, reflect 2.0 as its
 * per-channel account): the ORDERED handshake between `wasm.<A>` and `wasm.<B>` with version
 * `ibc-reflect-v1`, ibc_reflect's account instantiated by a submessage and its reply, WhoAmI sent
 * by A's ibc_channel_connect, a Dispatch executed on B by the reflect account with its ack back on
 * A, a failing Dispatch as ibc_reflect's error ack, the attacks of the brief refused with state
 * unchanged, and a timeout reaching ibc_packet_timeout. Every step is relayed with client updates
 * and ICS-23 proofs (test/ibc/core-relay.ts); chain B runs a twin app that must agree on every block.
 * Expected values: cosmwasm contracts/ibc-reflect(-send) src and tests/integration.rs.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { QueryContractInfoRequest, QueryContractInfoResponse } from "cosmjs-types/cosmwasm/wasm/v1/query"
import { Order, State as ChannelState, type Packet } from "cosmjs-types/ibc/core/channel/v1/channel"
import * as CQ from "cosmjs-types/ibc/core/channel/v1/query"
import { sha256 } from "@noble/hashes/sha2.js"
import { ownedPort } from "../../modules/ibc/Ibc.ts"
import type { IbcChain } from "../ibc/core-chains.ts"
import { makeKey, ok } from "../ibc/core-chains.ts"
import { any, attr } from "../ibc/core-relay.ts"
import * as ChTx from "cosmjs-types/ibc/core/channel/v1/tx"
import { sentPackets, writtenAck } from "../ibc/programs-support.ts"
import { contractPair, type ContractPair, executeMsg, openContractChannel, smart } from "./ibc-support.ts"

const dec = new TextDecoder()
let setup: Promise<ContractPair> | undefined
const ready = () => (setup ??= contractPair({ twinB: true }))
let chan: { a: string; b: string } | undefined
let whoAmI: Packet | undefined
let reflectAccount = ""
let transferChannel: { a: string; b: string } | undefined

const contractInfo = async (chain: IbcChain, address: string) =>
  QueryContractInfoResponse.decode(await chain.query("/cosmwasm.wasm.v1.Query/ContractInfo", QueryContractInfoRequest.encode({ address }).finish())).contractInfo!
const balance = async (chain: IbcChain, address: string) =>
  BigInt(QueryBalanceResponse.decode(await chain.query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "boot" }).finish())).balance!.amount)
const channelEnd = async (chain: IbcChain, port: string, channelId: string) =>
  CQ.QueryChannelResponse.decode(await chain.query("/ibc.core.channel.v1.Query/Channel", CQ.QueryChannelRequest.encode({ portId: port, channelId }).finish())).channel!
const nextSend = async (chain: IbcChain, port: string, channelId: string) =>
  CQ.QueryNextSequenceSendResponse.decode(await chain.query("/ibc.core.channel.v1.Query/NextSequenceSend", CQ.QueryNextSequenceSendRequest.encode({ portId: port, channelId }).finish())).nextSequenceSend
const wasmAttrs = (events: ReadonlyArray<{ type: string; attributes: ReadonlyArray<{ key: string; value: string }> }>, type = "wasm") =>
  events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])))

/** Relay `packet` A -> B, then its ack B -> A; returns both tx results and the ack bytes. */
const relay = async (c: ContractPair, packet: Packet) => {
  const { pair } = c
  const recv = ok(await pair.b.tx(pair.relayer, await pair.recvMsgs(pair.a, packet)), "recv")
  const ack = writtenAck(recv)
  const back = ok(await pair.a.tx(pair.relayer, await pair.ackMsgs(pair.b, packet, ack)), "ack")
  return { recv, ack: dec.decode(ack), back }
}

test("contracts with IBC entry points own wasm.<address>; a contract without them has no port", async () => {
  const c = await ready()
  assert.is((await contractInfo(c.pair.a, c.send)).ibcPortId, `wasm.${c.send}`)
  assert.is((await contractInfo(c.pair.b, c.reflect)).ibcPortId, `wasm.${c.reflect}`)
  assert.is((await contractInfo(c.pair.a, c.plainA)).ibcPortId, "")
  // ibc-go's port capability: contract:<address> owns wasm.<address> only
  assert.is(ownedPort(`contract:${c.send}`), `wasm.${c.send}`)
  // a relayer cannot open a channel on the port of a contract without one, nor of no contract
  const ibcBefore = c.pair.a.dump()
  for (const [port, code] of [[`wasm.${c.plainA}`, 17], [`wasm.${c.user.address}`, 22]] as const) {
    const r = await c.pair.a.tx(c.pair.relayer, [any("/ibc.core.channel.v1.MsgChannelOpenInit", ChTx.MsgChannelOpenInit.encode({
      portId: port, channel: { state: ChannelState.STATE_INIT, ordering: Order.ORDER_ORDERED, counterparty: { portId: `wasm.${c.reflect}`, channelId: "" }, connectionHops: ["connection-0"], version: "ibc-reflect-v1" },
      signer: c.pair.relayer.address
    }).finish())])
    assert.is(r.codespace, "wasm", r.log)
    assert.is(r.code, code, r.log)
  }
  assert.equal(c.pair.a.dump(), ibcBefore)
})

test("ORDERED handshake wasm.<A> <-> wasm.<B> with ibc-reflect-v1; B instantiates a reflect account (submessage + reply); A sends WhoAmI", async () => {
  const c = await ready()
  const { pair } = c
  const portA = `wasm.${c.send}`
  const portB = `wasm.${c.reflect}`
  const ids = await openContractChannel(pair, portA, portB, Order.ORDER_ORDERED, "ibc-reflect-v1")
  chan = { a: ids.a, b: ids.b }
  assert.equal([ids.versionA, ids.versionB], ["ibc-reflect-v1", "ibc-reflect-v1"])
  assert.is((await channelEnd(pair.a, portA, ids.a)).state, ChannelState.STATE_OPEN)
  assert.is((await channelEnd(pair.b, portB, ids.b)).state, ChannelState.STATE_OPEN)
  // B's ibc_channel_connect: instantiate reflect as a submessage, its reply records the account
  const accounts = await smart(pair.b, c.reflect, { list_accounts: {} }) as { accounts: Array<{ account: string; channel_id: string }> }
  assert.is(accounts.accounts.length, 1)
  assert.is(accounts.accounts[0]!.channel_id, ids.b)
  reflectAccount = accounts.accounts[0]!.account
  assert.is((await contractInfo(pair.b, reflectAccount)).label, `ibc-reflect-${ids.b}`)
  assert.is((await contractInfo(pair.b, reflectAccount)).admin, "")
  assert.ok(wasmAttrs(ids.confirm.events).some((a) => a.action === "ibc_connect" && a.channel_id === ids.b))
  assert.ok(ids.confirm.events.some((e) => e.type === "reply"), "reply ran")
  assert.ok(wasmAttrs(ids.confirm.events, "wasm-ibc").some((a) => a.channel === "connect"))
  // A's ibc_channel_connect: an account placeholder and a WhoAmI packet on the new channel
  assert.equal(await smart(pair.a, c.send, { list_accounts: {} }), { accounts: [{ channel_id: ids.a, last_update_time: "0", remote_addr: null, remote_balance: [] }] })
  const sent = sentPackets(ids.ack.events)
  assert.is(sent.length, 1)
  whoAmI = sent[0]!
  assert.is(whoAmI.sourcePort, portA)
  assert.is(whoAmI.destinationPort, portB)
  assert.is(whoAmI.sequence, 1n)
  assert.is(dec.decode(whoAmI.data), `{"who_am_i":{}}`)
})

test("IbcQuery from a contract (reflect 2.0's chain query): PortId, Channel, ListChannels as wasmd's IBCQuerier", async () => {
  const c = await ready()
  const { pair } = c
  const ask = async (request: unknown) => JSON.parse(Buffer.from((await smart(pair.a, c.plainA, { chain: { request: { ibc: request } } }) as { data: string }).data, "base64").toString())
  const portA = `wasm.${c.send}`
  const channel = { endpoint: { port_id: portA, channel_id: chan!.a }, counterparty_endpoint: { port_id: `wasm.${c.reflect}`, channel_id: chan!.b }, order: "ORDER_ORDERED", version: "ibc-reflect-v1", connection_id: "connection-0" }
  assert.equal(await ask({ port_id: {} }), { port_id: "" }, "reflect has no port")
  assert.equal(await ask({ list_channels: {} }), { channels: [] }, "no port: no channels")
  assert.equal(await ask({ list_channels: { port_id: portA } }), { channels: [channel] })
  assert.equal(await ask({ channel: { channel_id: chan!.a, port_id: portA } }), { channel })
  assert.equal(await ask({ channel: { channel_id: "channel-77", port_id: portA } }), { channel: null })
})

test("WhoAmI: B answers with the reflect account, A records it as remote_addr", async () => {
  const c = await ready()
  const { recv, ack, back } = await relay(c, whoAmI!)
  assert.is(ack, `{"ok":{"account":"${reflectAccount}"}}`)
  const [received] = wasmAttrs(recv.events, "ibc_packet_received")
  assert.equal([received!.module, received!._contract_address, received!.success, received!.error], ["wasm", c.reflect, "true", undefined])
  assert.ok(wasmAttrs(recv.events).some((a) => a.action === "receive_who_am_i"))
  assert.ok(wasmAttrs(back.events).some((a) => a.action === "acknowledge_who_am_i"))
  const account = await smart(c.pair.a, c.send, { account: { channel_id: chan!.a } }) as { remote_addr: string }
  assert.is(account.remote_addr, reflectAccount)
})

test("Dispatch: a bank send by the reflect account on B, acknowledged {\"ok\":null}", async () => {
  const c = await ready()
  const { pair, user } = c
  ok(await pair.b.tx(user, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: user.address, toAddress: reflectAccount, amount: [{ denom: "boot", amount: "1000" }] }).finish() }]), "fund the reflect account")
  const to = (await makeKey("ibc contracts recipient")).address
  const r = ok(await pair.a.tx(user, [executeMsg(user.address, c.send, { send_msgs: { channel_id: chan!.a, msgs: [{ bank: { send: { to_address: to, amount: [{ denom: "boot", amount: "300" }] } } }] } })]), "send_msgs")
  const [packet] = sentPackets(r.events)
  assert.is(packet!.sequence, 2n)
  // the packet's timeout: A's block time + PACKET_LIFETIME (one hour), no block timeout
  assert.is(packet!.timeoutHeight.revisionHeight, 0n)
  assert.is(packet!.timeoutTimestamp, pair.a.times.get(pair.a.height())! + 3_600_000_000_000n)
  const { recv, ack, back } = await relay(c, packet!)
  assert.is(ack, `{"ok":null}`)
  assert.is(await balance(pair.b, to), 300n)
  assert.is(await balance(pair.b, reflectAccount), 700n)
  assert.ok(wasmAttrs(recv.events).some((a) => a.action === "receive_dispatch"))
  assert.ok(wasmAttrs(back.events).some((a) => a.action === "acknowledge_dispatch"))
})

test("a Dispatch the reflect account cannot pay: the submessage fails, its reply answers an error ack, B unchanged", async () => {
  const c = await ready()
  const { pair, user } = c
  const to = (await makeKey("ibc contracts recipient 2")).address
  const r = ok(await pair.a.tx(user, [executeMsg(user.address, c.send, { send_msgs: { channel_id: chan!.a, msgs: [{ bank: { send: { to_address: to, amount: [{ denom: "boot", amount: "5000" }] } } }] } })]), "send_msgs")
  const [packet] = sentPackets(r.events)
  const { ack } = await relay(c, packet!)
  assert.match(ack, /^\{"error":"/)
  assert.is(await balance(pair.b, to), 0n)
  assert.is(await balance(pair.b, reflectAccount), 700n)
})

test("attack: a contract without an IBC port cannot send a packet (wasm 17), not even on another contract's channel", async () => {
  const c = await ready()
  const { pair, user } = c
  const portA = `wasm.${c.send}`
  const before = await nextSend(pair.a, portA, chan!.a)
  const ibcBefore = pair.a.dump()
  const r = await pair.a.tx(user, [executeMsg(user.address, c.plainA, { reflect_msg: { msgs: [{ ibc: { send_packet: { channel_id: chan!.a, data: "e30=", timeout: { block: null, timestamp: "9999999999999999999" } } } }] } })])
  assert.is(r.codespace, "wasm", r.log)
  assert.is(r.code, 17, r.log)
  assert.match(r.log, /ibc not supported/)
  assert.is(await nextSend(pair.a, portA, chan!.a), before)
  assert.equal(pair.a.dump(), ibcBefore, "the ibc namespace is unchanged")
})

test("IbcMsg::Transfer: send_funds moves the coins sent with it over ICS-20 to the reflect account on B", async () => {
  const c = await ready()
  const { pair, user } = c
  const t = await openContractChannel(pair, "transfer", "transfer", Order.ORDER_UNORDERED, "ics20-1")
  transferChannel = { a: t.a, b: t.b }
  const before = await balance(pair.a, user.address)
  const r = ok(await pair.a.tx(user, [executeMsg(user.address, c.send, { send_funds: { reflect_channel_id: chan!.a, transfer_channel_id: t.a } }, [{ denom: "boot", amount: "777" }])]), "send_funds")
  const fee = BigInt(attr(r.events, "tx", "fee")!.replace("boot", ""))
  assert.is(before - (await balance(pair.a, user.address)), 777n + fee)
  assert.is(await balance(pair.a, c.send), 0n, "the contract sent what it received")
  assert.is(attr(r.events, "ibc_transfer", "sender"), c.send)
  const [packet] = sentPackets(r.events)
  assert.is(packet!.sourcePort, "transfer")
  assert.equal(JSON.parse(dec.decode(packet!.data)), { amount: "777", denom: "boot", receiver: reflectAccount, sender: c.send })
  const recv = ok(await pair.b.tx(pair.relayer, await pair.recvMsgs(pair.a, packet!)), "recv transfer")
  assert.is(dec.decode(writtenAck(recv)), `{"result":"AQ=="}`)
  const voucher = `ibc/${Buffer.from(sha256(new TextEncoder().encode(`transfer/${t.b}/boot`))).toString("hex").toUpperCase()}`
  const got = QueryBalanceResponse.decode(await pair.b.query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address: reflectAccount, denom: voucher }).finish())).balance!
  assert.is(got.amount, "777")
})

test("attack: IbcMsg::Transfer of coins the contract does not hold fails; nobody else's coins move", async () => {
  const c = await ready()
  const { pair, user } = c
  const before = await balance(pair.a, user.address)
  const ibcBefore = pair.a.dump()
  // the user signs the tx (so is a signer), but the transfer's sender is always the contract
  const transfer = { ibc: { transfer: { channel_id: transferChannel!.a, to_address: reflectAccount, amount: { denom: "boot", amount: "1000" }, timeout: { block: null, timestamp: "9999999999999999999" } } } }
  const r = await pair.a.tx(user, [executeMsg(user.address, c.plainA, { reflect_msg: { msgs: [transfer] } })])
  assert.is.not(r.code, 0)
  assert.match(r.log, /insufficient funds/)
  const fee = BigInt(attr(r.events, "tx", "fee")!.replace("boot", ""))
  assert.is(before - (await balance(pair.a, user.address)), fee, "only the fee was paid")
  assert.equal(pair.a.dump(), ibcBefore, "the ibc namespace is unchanged")
})

test("attack: a contract cannot close another contract's channel (its own port has no such channel)", async () => {
  const c = await ready()
  const { pair, user } = c
  const ibcBefore = pair.a.dump()
  const r = await pair.a.tx(user, [executeMsg(user.address, c.plainA, { reflect_msg: { msgs: [{ ibc: { close_channel: { channel_id: chan!.a } } }] } })])
  assert.is(r.codespace, "channel", r.log)
  assert.match(r.log, /channel not found/)
  assert.equal(pair.a.dump(), ibcBefore)
  assert.is((await channelEnd(pair.a, `wasm.${c.send}`, chan!.a)).state, ChannelState.STATE_OPEN)
})

test("attack: a user forging a callback is only an execute: refused by the contract, B unchanged", async () => {
  const c = await ready()
  const { pair, user } = c
  const forged = { ibc_packet_receive: { packet: { data: "eyJkaXNwYXRjaCI6eyJtc2dzIjpbXX19", src: { port_id: `wasm.${c.send}`, channel_id: chan!.a }, dest: { port_id: `wasm.${c.reflect}`, channel_id: chan!.b }, sequence: 9, timeout: { block: null } }, relayer: user.address } }
  const ibcBefore = pair.b.dump()
  const accountsBefore = await smart(pair.b, c.reflect, { list_accounts: {} })
  const r = await pair.b.tx(user, [executeMsg(user.address, c.reflect, forged)])
  assert.is(r.codespace, "wasm", r.log)
  assert.is(r.code, 5, r.log)
  assert.equal(await smart(pair.b, c.reflect, { list_accounts: {} }), accountsBefore)
  assert.equal(pair.b.dump(), ibcBefore)
})

test("a timeout reaches ibc_packet_timeout on A; the ORDERED channel closes", async () => {
  const c = await ready()
  const { pair, user } = c
  const r = ok(await pair.a.tx(user, [executeMsg(user.address, c.send, { send_msgs: { channel_id: chan!.a, msgs: [] } })]), "send_msgs")
  const [packet] = sentPackets(r.events)
  // B's clock passes the packet's one-hour lifetime without receiving it
  pair.b.blockSeconds = 4_000n
  await pair.b.block([])
  pair.b.blockSeconds = 5n
  const t = ok(await pair.a.tx(pair.relayer, await pair.timeoutMsgs(pair.b, packet!, true)), "timeout")
  assert.ok(wasmAttrs(t.events).some((a) => a.action === "ibc_packet_timeout" && a._contract_address === c.send))
  assert.is((await channelEnd(pair.a, `wasm.${c.send}`, chan!.a)).state, ChannelState.STATE_CLOSED)
  assert.ok(pair.b.twinBlocks > 0)
  assert.is(attr(t.events, "timeout_packet", "packet_sequence"), packet!.sequence.toString())
})

test.run()
