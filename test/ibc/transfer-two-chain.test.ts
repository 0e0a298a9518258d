/**
 * ICS-20 between two in-process chains through the real IBC core (modules/ibc, test/ibc/core-*):
 * every step relayed as a relayer does, with client updates and `store/ibc/key` ICS-23 proofs
 * checked by @confio/ics23 in core's test-double light client. A -> B mints a voucher on B, B -> A
 * burns it and releases the escrow on A; a packet timed out on B and one answered with an error
 * ack are refunded on A; the totals in escrow follow.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { QueryBalanceRequest, QueryBalanceResponse, QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { Order, State as ChannelState, type Packet as PacketProto } from "cosmjs-types/ibc/core/channel/v1/channel"
import * as ChTx from "cosmjs-types/ibc/core/channel/v1/tx"
import { QueryTotalEscrowForDenomRequest, QueryTotalEscrowForDenomResponse } from "cosmjs-types/ibc/applications/transfer/v1/query"
import { MsgTransfer } from "cosmjs-types/ibc/applications/transfer/v1/tx"
import { ibcDenom, parseDenomTrace } from "../../modules/ibc/apps/transfer/Denom.ts"
import { TRANSFER_QUERY, TransferModule } from "../../modules/ibc/apps/transfer/Transfer.ts"
import { channelPath } from "../../modules/ibc/core/Host.ts"
import type { Height } from "../../modules/ibc/LightClient.ts"
import { IbcChain, makeKey, ok, proofFrom, type Key } from "./core-chains.ts"
import { any, attr, Pair } from "./core-relay.ts"
import { testClientState, testConsensusState } from "./core-support.ts"
import { Any as AnyCodec } from "cosmjs-types/google/protobuf/any"
import { MsgCreateClient } from "cosmjs-types/ibc/core/client/v1/tx"

const dec = new TextDecoder()
const ch = (name: string) => `/ibc.core.channel.v1.${name}`
/** The transfer module of each chain (by chain id), created with its core. */
const modules = new Map<string, TransferModule>()
const transferApp = (chainId: string) => (core: ConstructorParameters<typeof TransferModule>[0]["packetSender"]) => {
  const m = new TransferModule({ bech32Prefix: "cyber", packetSender: core })
  modules.set(chainId, m)
  return [m]
}

const balance = async (c: IbcChain, address: string, denom: string) =>
  BigInt(QueryBalanceResponse.decode(await c.query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom }).finish())).balance?.amount ?? "0")
const supply = async (c: IbcChain, denom: string) =>
  BigInt(QuerySupplyOfResponse.decode(await c.query("/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom }).finish())).amount?.amount ?? "0")
const escrowed = async (c: IbcChain, denom: string) =>
  BigInt(QueryTotalEscrowForDenomResponse.decode(await c.query(TRANSFER_QUERY + "TotalEscrowForDenom", QueryTotalEscrowForDenomRequest.encode({ denom }).finish())).amount.amount)

/** The ICS-20 channel handshake (version ics20-1, unordered) from `a`; returns both channel ids. */
const openTransferChannel = async (p: Pair): Promise<{ a: string; b: string }> => {
  const { a, b, relayer } = p
  const s = relayer.address
  const init = ok(await a.tx(relayer, [any(ch("MsgChannelOpenInit"), ChTx.MsgChannelOpenInit.encode({
    portId: "transfer", channel: { state: ChannelState.STATE_INIT, ordering: Order.ORDER_UNORDERED, counterparty: { portId: "transfer", channelId: "" }, connectionHops: ["connection-0"], version: "ics20-1" }, signer: s
  }).finish())]), "chan open init")
  const aId = attr(init.events, "channel_open_init", "channel_id")!
  let pr = await proofFrom(a, "99-test-0", channelPath("transfer", aId), s)
  const tr = ok(await b.tx(relayer, [pr.update, any(ch("MsgChannelOpenTry"), ChTx.MsgChannelOpenTry.encode(ChTx.MsgChannelOpenTry.fromPartial({
    portId: "transfer", channel: { state: ChannelState.STATE_TRYOPEN, ordering: Order.ORDER_UNORDERED, counterparty: { portId: "transfer", channelId: aId }, connectionHops: ["connection-0"], version: "" },
    counterpartyVersion: "ics20-1", proofInit: pr.proof, proofHeight: pr.proofHeight, signer: s
  })).finish())]), "chan open try")
  const bId = attr(tr.events, "channel_open_try", "channel_id")!
  pr = await proofFrom(b, "99-test-0", channelPath("transfer", bId), s)
  ok(await a.tx(relayer, [pr.update, any(ch("MsgChannelOpenAck"), ChTx.MsgChannelOpenAck.encode(ChTx.MsgChannelOpenAck.fromPartial({
    portId: "transfer", channelId: aId, counterpartyChannelId: bId, counterpartyVersion: "ics20-1", proofTry: pr.proof, proofHeight: pr.proofHeight, signer: s
  })).finish())]), "chan open ack")
  pr = await proofFrom(a, "99-test-0", channelPath("transfer", aId), s)
  ok(await b.tx(relayer, [pr.update, any(ch("MsgChannelOpenConfirm"), ChTx.MsgChannelOpenConfirm.encode({
    portId: "transfer", channelId: bId, proofAck: pr.proof, proofHeight: pr.proofHeight, signer: s
  }).finish())]), "chan open confirm")
  return { a: aId, b: bId }
}

const transferMsg = (sender: Key, receiver: string, denom: string, amount: string, channel: string, timeoutHeight: Height) =>
  any("/ibc.applications.transfer.v1.MsgTransfer", MsgTransfer.encode(MsgTransfer.fromPartial({
    sourcePort: "transfer", sourceChannel: channel, token: { denom, amount }, sender: sender.address, receiver, timeoutHeight, timeoutTimestamp: 0n
  })).finish())

const other = (p: Pair, c: IbcChain): IbcChain => (c === p.a ? p.b : p.a)

/** MsgCreateClient (core's test-double client, ICS-23 mode) on `dst` tracking `src` at its latest height. */
const createClient = async (p: Pair, dst: IbcChain, src: IbcChain): Promise<void> => {
  await src.block([])
  const h = src.height()
  const cs = testClientState("ics23", src.ibcHeight(h), src.chainId)
  const cons = testConsensusState(src.times.get(h)!, src.appHashes.get(h - 1)!)
  ok(await dst.tx(p.relayer, [any("/ibc.core.client.v1.MsgCreateClient", MsgCreateClient.encode({
    clientState: AnyCodec.fromPartial(cs), consensusState: AnyCodec.fromPartial(cons), signer: p.relayer.address
  }).finish())]), "create client")
}

/** Relay a packet sent on `src` to the other chain; returns the acknowledgement bytes it wrote. */
const relayRecv = async (p: Pair, src: IbcChain, packet: PacketProto): Promise<Uint8Array> => {
  const dst = other(p, src)
  const r = ok(await dst.tx(p.relayer, await p.recvMsgs(src, packet)), "recv")
  return Buffer.from(attr(r.events, "write_acknowledgement", "packet_ack_hex")!, "hex")
}

const relayAck = async (p: Pair, src: IbcChain, packet: PacketProto, ack: Uint8Array) =>
  ok(await src.tx(p.relayer, await p.ackMsgs(other(p, src), packet, ack)), "ack")

test("A -> B -> A: voucher minted on B, burnt on its way back, escrow released on A; timeout and error ack refund", async () => {
  const relayer = await makeKey("transfer two-chain relayer")
  const alice = await makeKey("transfer alice")
  const bob = await makeKey("transfer bob")
  const a = await IbcChain.open("ibc-a-1", undefined, transferApp("ibc-a-1"))
  const b = await IbcChain.open("ibc-b-2", undefined, transferApp("ibc-b-2"))
  await a.init([relayer.address, alice.address])
  await b.init([relayer.address, bob.address])
  const p = new Pair(a, b, relayer)
  await createClient(p, b, a)
  await createClient(p, a, b)
  await p.connect()
  const ids = await openTransferChannel(p)
  assert.equal(ids, { a: "channel-0", b: "channel-0" })
  const voucher = ibcDenom(parseDenomTrace(`transfer/${ids.b}/boot`))
  const start = await balance(a, alice.address, "boot")
  const far = () => b.ibcHeight(b.height() + 1000)

  // A -> B: 1000 boot escrowed on A, 1000 vouchers minted to bob on B
  const sent = ok(await a.tx(alice, [transferMsg(alice, bob.address, "boot", "1000", ids.a, far())]), "transfer A->B")
  const packet = Pair.sentPacket(sent.events)
  assert.is(dec.decode(packet.data), `{"amount":"1000","denom":"boot","receiver":"${bob.address}","sender":"${alice.address}"}`)
  const ack = await relayRecv(p, a, packet)
  assert.is(dec.decode(ack), `{"result":"AQ=="}`)
  assert.is(await balance(b, bob.address, voucher), 1000n)
  assert.is(await supply(b, voucher), 1000n)
  await relayAck(p, a, packet, ack)
  const escrowA = modules.get("ibc-a-1")!.escrowAddress("transfer", ids.a)
  assert.is(await balance(a, escrowA, "boot"), 1000n)
  assert.is(await escrowed(a, "boot"), 1000n)

  // B -> A: 400 vouchers burnt on B, 400 boot released from A's escrow to alice
  const back = ok(await b.tx(bob, [transferMsg(bob, alice.address, voucher, "400", ids.b, a.ibcHeight(a.height() + 1000))]), "transfer B->A")
  const backPacket = Pair.sentPacket(back.events)
  assert.is(dec.decode(backPacket.data), `{"amount":"400","denom":"transfer/${ids.b}/boot","receiver":"${alice.address}","sender":"${bob.address}"}`)
  assert.is(await supply(b, voucher), 600n)
  const backAck = await relayRecv(p, b, backPacket)
  assert.is(dec.decode(backAck), `{"result":"AQ=="}`)
  await relayAck(p, b, backPacket, backAck)
  assert.is(await escrowed(a, "boot"), 600n)

  // timeout: a packet B never receives before its timeout height comes back to alice
  const shortTimeout = b.ibcHeight(b.height() + 2)
  const lost = Pair.sentPacket(ok(await a.tx(alice, [transferMsg(alice, bob.address, "boot", "70", ids.a, shortTimeout)]), "transfer to time out").events)
  assert.is(await escrowed(a, "boot"), 670n)
  await b.block([])
  await b.block([])
  await b.block([])
  const paidBefore = await balance(a, alice.address, "boot")
  const t = ok(await a.tx(p.relayer, await p.timeoutMsgs(b, lost, false)), "timeout")
  assert.ok(t.events.some((e) => e.type === "timeout" && e.attributes.some((x) => x.key === "refund_amount" && x.value === "70")))
  assert.is(await balance(a, alice.address, "boot"), paidBefore + 70n)
  assert.is(await escrowed(a, "boot"), 600n)

  // error ack: B refuses a receiver of another chain's prefix; A refunds on the ack
  const bad = Pair.sentPacket(ok(await a.tx(alice, [transferMsg(alice, "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a", "boot", "5", ids.a, far())]), "transfer to a bad receiver").events)
  const errAck = await relayRecv(p, a, bad)
  assert.is(dec.decode(errAck), `{"error":"ABCI code: 1: error handling packet: see events for details"}`)
  const beforeRefund = await balance(a, alice.address, "boot")
  await relayAck(p, a, bad, errAck)
  assert.is(await balance(a, alice.address, "boot"), beforeRefund + 5n)
  assert.is(await escrowed(a, "boot"), 600n)
  assert.is(await balance(b, bob.address, voucher), 600n)
  assert.is(await balance(a, escrowA, "boot"), 600n)
  // alice signed three transfers (fee 1000000 each) and is 600 boot short: the 600 vouchers bob holds
  assert.is(await balance(a, alice.address, "boot"), start - 3n * 1_000_000n - 600n)
})

test.run()
