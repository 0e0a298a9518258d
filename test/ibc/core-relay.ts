/**
 * A minimal in-test relayer between two {@link IbcChain}s: creates the test-double clients, runs
 * the connection and channel handshakes and relays packets, acknowledgements and timeouts, each
 * step carrying the client update and the `store/ibc/key` proof a real relayer would send.
 */
import { Any as AnyCodec, type Any } from "cosmjs-types/google/protobuf/any"
import { Order, State as ChannelState, type Packet as PacketProto } from "cosmjs-types/ibc/core/channel/v1/channel"
import * as ChTx from "cosmjs-types/ibc/core/channel/v1/tx"
import { MsgCreateClient } from "cosmjs-types/ibc/core/client/v1/tx"
import * as CoTx from "cosmjs-types/ibc/core/connection/v1/tx"
import type { Event, ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import type { Height } from "../../modules/ibc/LightClient.ts"
import { channelPath, connectionPath, nextSequenceRecvPath, packetAckPath, packetCommitmentPath, packetReceiptPath } from "../../modules/ibc/core/Host.ts"
import { IbcChain, makeKey, ok, type Key } from "./core-chains.ts"
import { testClientState, testConsensusState } from "./core-support.ts"

const enc = new TextEncoder()
export const PREFIX = { keyPrefix: enc.encode("ibc") }
export const VERSION = { identifier: "1", features: ["ORDER_ORDERED", "ORDER_UNORDERED"] }

export const any = (typeUrl: string, value: Uint8Array): Any => ({ typeUrl, value })
const ch = (name: string) => `/ibc.core.channel.v1.${name}`

/** Attribute `key` of the first event of `type`. */
export const attr = (events: ReadonlyArray<Event>, type: string, key: string): string | undefined =>
  events.find((e) => e.type === type)?.attributes.find((a) => a.key === key)?.value

/** What the relayer needs of a chain (IbcChain here; a producer-driven chain in machine-tendermint). */
export interface RelayChain {
  readonly chainId: string
  tx(key: Key, msgs: ReadonlyArray<Any>): Promise<ExecTxResult>
  height(): number
  ibcHeight(h?: number): Height
  /**
   * The counterparty's client update (`clientIdOnDst`) and the proof of `path` in this chain's
   * latest state, with the proof height the update makes provable.
   */
  proofFor(clientIdOnDst: string, path: string, signer: string): Promise<{ update: Any; proof: Uint8Array; proofHeight: Height; value: Uint8Array }>
}

/** Two chains with clients (`clientId` on both), an OPEN connection and relaying helpers. */
export class Pair<C extends RelayChain = IbcChain> {
  readonly a: C
  readonly b: C
  readonly relayer: Key
  readonly clientId: string
  constructor(a: C, b: C, relayer: Key, clientId = "99-test-0") {
    this.a = a
    this.b = b
    this.relayer = relayer
    this.clientId = clientId
  }

  /** Fresh chains `ibc-a-1` and `ibc-b-2`, clients `99-test-0` on both, connection-0 OPEN on both. */
  static async connected(opts: { twinB?: boolean } = {}): Promise<Pair<IbcChain>> {
    const relayer = await makeKey("ibc core relayer")
    const a = await IbcChain.open("ibc-a-1")
    const b = await IbcChain.open("ibc-b-2")
    if (opts.twinB) b.twin = await IbcChain.open("ibc-b-2")
    await a.init([relayer.address])
    await b.init([relayer.address])
    const p = new Pair<IbcChain>(a, b, relayer)
    await Pair.createTestClient(p, b, a)
    await Pair.createTestClient(p, a, b)
    await p.connect()
    return p
  }

  /** MsgCreateClient on `dst` tracking `src` at its latest committed height; returns the client id. */
  static async createTestClient(p: Pair<IbcChain>, dst: IbcChain, src: IbcChain): Promise<string> {
    await src.block([])
    const h = src.height()
    const header = src.header(h)
    const cs = testClientState("ics23", src.ibcHeight(h), src.chainId)
    const cons = testConsensusState(src.times.get(h)!, src.appHashes.get(h - 1)!)
    void header
    const r = ok(await dst.tx(p.relayer, [any("/ibc.core.client.v1.MsgCreateClient", MsgCreateClient.encode({
      clientState: AnyCodec.fromPartial(cs), consensusState: AnyCodec.fromPartial(cons), signer: p.relayer.address
    }).finish())]), "create client")
    return attr(r.events, "create_client", "client_id")!
  }

  async connect(): Promise<void> {
    const { a, b, relayer } = this
    const s = relayer.address
    ok(await a.tx(relayer, [any("/ibc.core.connection.v1.MsgConnectionOpenInit", CoTx.MsgConnectionOpenInit.encode({
      clientId: this.clientId, counterparty: { clientId: this.clientId, connectionId: "", prefix: PREFIX }, version: VERSION, delayPeriod: 0n, signer: s
    }).finish())]), "conn open init")
    let p = await a.proofFor(this.clientId, connectionPath("connection-0"), s)
    ok(await b.tx(relayer, [p.update, any("/ibc.core.connection.v1.MsgConnectionOpenTry", CoTx.MsgConnectionOpenTry.encode(CoTx.MsgConnectionOpenTry.fromPartial({
      clientId: this.clientId, counterparty: { clientId: this.clientId, connectionId: "connection-0", prefix: PREFIX }, delayPeriod: 0n,
      counterpartyVersions: [VERSION], proofInit: p.proof, proofHeight: p.proofHeight, signer: s
    })).finish())]), "conn open try")
    p = await b.proofFor(this.clientId, connectionPath("connection-0"), s)
    ok(await a.tx(relayer, [p.update, any("/ibc.core.connection.v1.MsgConnectionOpenAck", CoTx.MsgConnectionOpenAck.encode(CoTx.MsgConnectionOpenAck.fromPartial({
      connectionId: "connection-0", counterpartyConnectionId: "connection-0", version: VERSION, proofTry: p.proof, proofHeight: p.proofHeight, signer: s
    })).finish())]), "conn open ack")
    p = await a.proofFor(this.clientId, connectionPath("connection-0"), s)
    ok(await b.tx(relayer, [p.update, any("/ibc.core.connection.v1.MsgConnectionOpenConfirm", CoTx.MsgConnectionOpenConfirm.encode({
      connectionId: "connection-0", proofAck: p.proof, proofHeight: p.proofHeight, signer: s
    }).finish())]), "conn open confirm")
  }

  /** The channel handshake from `a` on `port` with `order`; returns the channel ids (a's, b's). */
  async openChannel(order: Order, port = "echo"): Promise<{ a: string; b: string }> {
    const { a, b, relayer } = this
    const s = relayer.address
    const init = ok(await a.tx(relayer, [any(ch("MsgChannelOpenInit"), ChTx.MsgChannelOpenInit.encode({
      portId: port, channel: { state: ChannelState.STATE_INIT, ordering: order, counterparty: { portId: port, channelId: "" }, connectionHops: ["connection-0"], version: "echo-1" }, signer: s
    }).finish())]), "chan open init")
    const aId = attr(init.events, "channel_open_init", "channel_id")!
    let p = await a.proofFor(this.clientId, channelPath(port, aId), s)
    const tr = ok(await b.tx(relayer, [p.update, any(ch("MsgChannelOpenTry"), ChTx.MsgChannelOpenTry.encode(ChTx.MsgChannelOpenTry.fromPartial({
      portId: port, channel: { state: ChannelState.STATE_TRYOPEN, ordering: order, counterparty: { portId: port, channelId: aId }, connectionHops: ["connection-0"], version: "" },
      counterpartyVersion: "echo-1", proofInit: p.proof, proofHeight: p.proofHeight, signer: s
    })).finish())]), "chan open try")
    const bId = attr(tr.events, "channel_open_try", "channel_id")!
    p = await b.proofFor(this.clientId, channelPath(port, bId), s)
    ok(await a.tx(relayer, [p.update, any(ch("MsgChannelOpenAck"), ChTx.MsgChannelOpenAck.encode(ChTx.MsgChannelOpenAck.fromPartial({
      portId: port, channelId: aId, counterpartyChannelId: bId, counterpartyVersion: "echo-1", proofTry: p.proof, proofHeight: p.proofHeight, signer: s
    })).finish())]), "chan open ack")
    p = await a.proofFor(this.clientId, channelPath(port, aId), s)
    ok(await b.tx(relayer, [p.update, any(ch("MsgChannelOpenConfirm"), ChTx.MsgChannelOpenConfirm.encode({
      portId: port, channelId: bId, proofAck: p.proof, proofHeight: p.proofHeight, signer: s
    }).finish())]), "chan open confirm")
    return { a: aId, b: bId }
  }

  /** The packet of the first send_packet event. */
  static sentPacket(events: ReadonlyArray<Event>): PacketProto {
    const g = (k: string) => attr(events, "send_packet", k)!
    const [rn, rh] = g("packet_timeout_height").split("-")
    return {
      sequence: BigInt(g("packet_sequence")), sourcePort: g("packet_src_port"), sourceChannel: g("packet_src_channel"),
      destinationPort: g("packet_dst_port"), destinationChannel: g("packet_dst_channel"), data: Buffer.from(g("packet_data_hex"), "hex"),
      timeoutHeight: { revisionNumber: BigInt(rn!), revisionHeight: BigInt(rh!) }, timeoutTimestamp: BigInt(g("packet_timeout_timestamp"))
    }
  }

  /** MsgRecvPacket on the destination of a packet sent by `src` (update + proof of its commitment). */
  async recvMsgs(src: C, packet: PacketProto): Promise<Any[]> {
    const p = await src.proofFor(this.clientId, packetCommitmentPath(packet.sourcePort, packet.sourceChannel, packet.sequence), this.relayer.address)
    return [p.update, this.recvMsg(packet, p.proof, p.proofHeight)]
  }

  recvMsg(packet: PacketProto, proof: Uint8Array, proofHeight: Height): Any {
    return any(ch("MsgRecvPacket"), ChTx.MsgRecvPacket.encode({ packet, proofCommitment: proof, proofHeight, signer: this.relayer.address }).finish())
  }

  /** MsgAcknowledgement back on the source (`dst` wrote the ack). */
  async ackMsgs(dst: C, packet: PacketProto, ack: Uint8Array): Promise<Any[]> {
    const p = await dst.proofFor(this.clientId, packetAckPath(packet.destinationPort, packet.destinationChannel, packet.sequence), this.relayer.address)
    return [p.update, any(ch("MsgAcknowledgement"), ChTx.MsgAcknowledgement.encode({ packet, acknowledgement: ack, proofAcked: p.proof, proofHeight: p.proofHeight, signer: this.relayer.address }).finish())]
  }

  /** MsgTimeout on the source: receipt absence (unordered) or nextSequenceRecv (ordered) on `dst`. */
  async timeoutMsgs(dst: C, packet: PacketProto, ordered: boolean): Promise<Any[]> {
    const path = ordered ? nextSequenceRecvPath(packet.destinationPort, packet.destinationChannel) : packetReceiptPath(packet.destinationPort, packet.destinationChannel, packet.sequence)
    const p = await dst.proofFor(this.clientId, path, this.relayer.address)
    const next = ordered ? new DataView(p.value.buffer, p.value.byteOffset, 8).getBigUint64(0) : packet.sequence
    return [p.update, any(ch("MsgTimeout"), ChTx.MsgTimeout.encode({ packet, proofUnreceived: p.proof, proofHeight: p.proofHeight, nextSequenceRecv: next, signer: this.relayer.address }).finish())]
  }
}
