/**
 * The machine conformance suite (test/machines/conformance.ts) on the `ibc` machine. The chain's
 * genesis holds a client of the test double in "hash" mode (a proof is a hash of path and value,
 * so valid samples can be written ahead without a counterparty; test/ibc/core-support.ts), an OPEN
 * connection and an OPEN unordered channel on port `echo` with three packets in flight; the samples
 * then run every message type once, in order: client create/update/misbehaviour, the four
 * connection steps, the four channel steps, receive, acknowledgement, timeout, close init/confirm,
 * timeout on close, and the echo app's send.
 */
import { sha256 } from "@noble/hashes/sha2.js"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { Any as AnyCodec } from "cosmjs-types/google/protobuf/any"
import { Channel, Order, State as ChannelState, type Packet as PacketProto } from "cosmjs-types/ibc/core/channel/v1/channel"
import * as CQ from "cosmjs-types/ibc/core/channel/v1/query"
import * as ChTx from "cosmjs-types/ibc/core/channel/v1/tx"
import * as ClQ from "cosmjs-types/ibc/core/client/v1/query"
import * as ClTx from "cosmjs-types/ibc/core/client/v1/tx"
import { ConnectionEnd, State as ConnectionState } from "cosmjs-types/ibc/core/connection/v1/connection"
import * as CoQ from "cosmjs-types/ibc/core/connection/v1/query"
import * as CoTx from "cosmjs-types/ibc/core/connection/v1/tx"
import { ChannelRequest } from "../../chain/generated/ibc.ts"
import { IbcMachine } from "../../modules/ibc/Ibc.ts"
import { channelPath, connectionPath, packetAckPath, packetCommitmentPath, packetReceiptPath } from "../../modules/ibc/core/Host.ts"
import { commitPacket } from "../../modules/ibc/core/PacketCommitment.ts"
import { baseMachines, fundedGenesis, type Keys, type MachineFixture } from "../machines/Fixture.ts"
import { machineConformance } from "../machines/conformance.ts"
import { echoApp, echoSend, hashAbsenceProof, hashProof, testClientRoute, testClientState, testConsensusState, testHeader, testMisbehaviour } from "./core-support.ts"

const enc = new TextEncoder()
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64")
const IBC = enc.encode("ibc")
const V = { identifier: "1", features: ["ORDER_ORDERED", "ORDER_UNORDERED"] }
const H = (h: bigint) => ({ revisionNumber: 1n, revisionHeight: h })
const PROOF_H = H(100n)
const T0 = 1_600_000_000_000_000_000n
const root = new Uint8Array(32).fill(7)
const far = H(1_000_000n)

const prove = (path: string, value: Uint8Array) => hashProof({ prefix: IBC, key: enc.encode(path) }, value)
const absent = (path: string) => hashAbsenceProof({ prefix: IBC, key: enc.encode(path) })
const chan = (state: ChannelState, counterpartyChannel: string, version = "echo-1"): Uint8Array =>
  Channel.encode({ state, ordering: Order.ORDER_UNORDERED, counterparty: { portId: "echo", channelId: counterpartyChannel }, connectionHops: ["connection-7"], version }).finish()
const conn = (state: ConnectionState, counterpartyConnection: string): Uint8Array =>
  ConnectionEnd.encode({ clientId: "99-test-9", versions: [V], state, counterparty: { clientId: "99-test-0", connectionId: counterpartyConnection, prefix: { keyPrefix: IBC } }, delayPeriod: 0n }).finish()
const out = (seq: bigint, data: string, timeout = far): PacketProto =>
  ({ sequence: seq, sourcePort: "echo", sourceChannel: "channel-0", destinationPort: "echo", destinationChannel: "channel-5", data: enc.encode(data), timeoutHeight: timeout, timeoutTimestamp: 0n })
const P1 = out(1n, "a")
const P2 = out(2n, "b", H(50n))
const P3 = out(3n, "c")
const ACK = enc.encode('{"result":"AQ=="}')

const genesis = () => ({
  client_genesis: {
    clients: [{ client_id: "99-test-0", store: [
      { key: "clientState", value: b64(testClientState("hash", PROOF_H, "counterparty-1").value) },
      { key: "consensusStates/1-100", value: b64(testConsensusState(T0, root).value) }
    ] }],
    next_client_sequence: "1"
  },
  connection_genesis: {
    connections: [{ id: "connection-0", client_id: "99-test-0", versions: [V], state: "STATE_OPEN", counterparty: { client_id: "99-test-9", connection_id: "connection-7", prefix: { key_prefix: b64(IBC) } }, delay_period: "0" }],
    client_connection_paths: [{ client_id: "99-test-0", paths: ["connection-0"] }],
    next_connection_sequence: "1"
  },
  channel_genesis: {
    channels: [{ state: "STATE_OPEN", ordering: "ORDER_UNORDERED", counterparty: { port_id: "echo", channel_id: "channel-5" }, connection_hops: ["connection-0"], version: "echo-1", port_id: "echo", channel_id: "channel-0" }],
    commitments: [P1, P2, P3].map((p) => ({ port_id: "echo", channel_id: "channel-0", sequence: String(p.sequence), data: b64(commitPacket({ ...p, timeoutHeight: p.timeoutHeight })) })),
    send_sequences: [{ port_id: "echo", channel_id: "channel-0", sequence: "4" }],
    recv_sequences: [{ port_id: "echo", channel_id: "channel-0", sequence: "1" }],
    ack_sequences: [{ port_id: "echo", channel_id: "channel-0", sequence: "1" }],
    next_channel_sequence: "1"
  }
})

const m = (typeUrl: string, value: Uint8Array): Any => ({ typeUrl, value })
const CL = "/ibc.core.client.v1."
const CO = "/ibc.core.connection.v1."
const CH = "/ibc.core.channel.v1."

const createClient = (signer: string, chainId: string) => m(`${CL}MsgCreateClient`, ClTx.MsgCreateClient.encode({
  clientState: AnyCodec.fromPartial(testClientState("hash", PROOF_H, chainId)), consensusState: AnyCodec.fromPartial(testConsensusState(T0, root)), signer
}).finish())

const messages = (k: Keys): Any[] => {
  const s = k.signer
  const cp = (connectionId: string) => ({ clientId: "99-test-9", connectionId, prefix: { keyPrefix: IBC } })
  const inbound: PacketProto = { sequence: 1n, sourcePort: "echo", sourceChannel: "channel-5", destinationPort: "echo", destinationChannel: "channel-0", data: enc.encode("hello"), timeoutHeight: far, timeoutTimestamp: 0n }
  return [
    createClient(s, "counterparty-2"),
    m(`${CL}MsgUpdateClient`, ClTx.MsgUpdateClient.encode({ clientId: "99-test-0", clientMessage: AnyCodec.fromPartial(testHeader(H(200n), T0 + 1_000_000_000n, root)), signer: s }).finish()),
    m(`${CL}MsgSubmitMisbehaviour`, ClTx.MsgSubmitMisbehaviour.encode({ clientId: "99-test-1", misbehaviour: AnyCodec.fromPartial(testMisbehaviour()), signer: s }).finish()),
    m(`${CO}MsgConnectionOpenInit`, CoTx.MsgConnectionOpenInit.encode({ clientId: "99-test-0", counterparty: cp(""), version: V, delayPeriod: 0n, signer: s }).finish()),
    m(`${CO}MsgConnectionOpenTry`, CoTx.MsgConnectionOpenTry.encode(CoTx.MsgConnectionOpenTry.fromPartial({
      clientId: "99-test-0", counterparty: cp("connection-8"), delayPeriod: 0n, counterpartyVersions: [V], proofHeight: PROOF_H, signer: s,
      proofInit: prove(connectionPath("connection-8"), conn(ConnectionState.STATE_INIT, ""))
    })).finish()),
    m(`${CO}MsgConnectionOpenAck`, CoTx.MsgConnectionOpenAck.encode(CoTx.MsgConnectionOpenAck.fromPartial({
      connectionId: "connection-1", counterpartyConnectionId: "connection-8", version: V, proofHeight: PROOF_H, signer: s,
      proofTry: prove(connectionPath("connection-8"), conn(ConnectionState.STATE_TRYOPEN, "connection-1"))
    })).finish()),
    m(`${CO}MsgConnectionOpenConfirm`, CoTx.MsgConnectionOpenConfirm.encode({
      connectionId: "connection-2", proofHeight: PROOF_H, signer: s, proofAck: prove(connectionPath("connection-8"), conn(ConnectionState.STATE_OPEN, "connection-2"))
    }).finish()),
    m(`${CH}MsgChannelOpenInit`, ChTx.MsgChannelOpenInit.encode({
      portId: "echo", channel: { state: ChannelState.STATE_INIT, ordering: Order.ORDER_UNORDERED, counterparty: { portId: "echo", channelId: "" }, connectionHops: ["connection-0"], version: "echo-1" }, signer: s
    }).finish()),
    m(`${CH}MsgChannelOpenTry`, ChTx.MsgChannelOpenTry.encode(ChTx.MsgChannelOpenTry.fromPartial({
      portId: "echo", channel: { state: ChannelState.STATE_TRYOPEN, ordering: Order.ORDER_UNORDERED, counterparty: { portId: "echo", channelId: "channel-6" }, connectionHops: ["connection-0"], version: "" },
      counterpartyVersion: "echo-1", proofHeight: PROOF_H, signer: s, proofInit: prove(channelPath("echo", "channel-6"), chan(ChannelState.STATE_INIT, ""))
    })).finish()),
    m(`${CH}MsgChannelOpenAck`, ChTx.MsgChannelOpenAck.encode(ChTx.MsgChannelOpenAck.fromPartial({
      portId: "echo", channelId: "channel-1", counterpartyChannelId: "channel-9", counterpartyVersion: "echo-1", proofHeight: PROOF_H, signer: s,
      proofTry: prove(channelPath("echo", "channel-9"), chan(ChannelState.STATE_TRYOPEN, "channel-1"))
    })).finish()),
    m(`${CH}MsgChannelOpenConfirm`, ChTx.MsgChannelOpenConfirm.encode({
      portId: "echo", channelId: "channel-2", proofHeight: PROOF_H, signer: s, proofAck: prove(channelPath("echo", "channel-6"), chan(ChannelState.STATE_OPEN, "channel-2"))
    }).finish()),
    m(`${CH}MsgRecvPacket`, ChTx.MsgRecvPacket.encode({
      packet: inbound, proofHeight: PROOF_H, signer: s, proofCommitment: prove(packetCommitmentPath("echo", "channel-5", 1n), commitPacket({ ...inbound, timeoutHeight: inbound.timeoutHeight }))
    }).finish()),
    m(`${CH}MsgAcknowledgement`, ChTx.MsgAcknowledgement.encode({
      packet: P1, acknowledgement: ACK, proofHeight: PROOF_H, signer: s, proofAcked: prove(packetAckPath("echo", "channel-5", 1n), sha256(ACK))
    }).finish()),
    m(`${CH}MsgTimeout`, ChTx.MsgTimeout.encode({
      packet: P2, nextSequenceRecv: 1n, proofHeight: PROOF_H, signer: s, proofUnreceived: absent(packetReceiptPath("echo", "channel-5", 2n))
    }).finish()),
    m(`${CH}MsgChannelCloseInit`, ChTx.MsgChannelCloseInit.encode({ portId: "echo", channelId: "channel-1", signer: s }).finish()),
    m(`${CH}MsgChannelCloseConfirm`, ChTx.MsgChannelCloseConfirm.encode({
      portId: "echo", channelId: "channel-2", proofHeight: PROOF_H, signer: s, proofInit: prove(channelPath("echo", "channel-6"), chan(ChannelState.STATE_CLOSED, "channel-2"))
    }).finish()),
    m(`${CH}MsgTimeoutOnClose`, ChTx.MsgTimeoutOnClose.encode(ChTx.MsgTimeoutOnClose.fromPartial({
      packet: P3, nextSequenceRecv: 1n, proofHeight: PROOF_H, signer: s,
      proofUnreceived: absent(packetReceiptPath("echo", "channel-5", 3n)), proofClose: prove(channelPath("echo", "channel-5"), chan(ChannelState.STATE_CLOSED, "channel-0"))
    })).finish()),
    echoSend(s, "channel-0", far, 0n, enc.encode("outbound"))
  ]
}

const fixture: MachineFixture = {
  name: "ibc",
  machines: () => [...baseMachines(), new IbcMachine({ lightClients: [testClientRoute], apps: (core) => [echoApp(core)] })],
  genesis: (keys) => fundedGenesis(keys, { ibc: genesis() }),
  messages,
  queries: () => [
    { path: "/ibc.core.client.v1.Query/ClientState", data: ClQ.QueryClientStateRequest.encode({ clientId: "99-test-0" }).finish() },
    { path: "/ibc.core.client.v1.Query/ClientStates", data: ClQ.QueryClientStatesRequest.encode({}).finish(), emptyValid: true },
    { path: "/ibc.core.client.v1.Query/ConsensusStateHeights", data: ClQ.QueryConsensusStateHeightsRequest.encode({ clientId: "99-test-0" }).finish() },
    { path: "/ibc.core.connection.v1.Query/Connection", data: CoQ.QueryConnectionRequest.encode({ connectionId: "connection-0" }).finish() },
    { path: "/ibc.core.connection.v1.Query/Connections", data: CoQ.QueryConnectionsRequest.encode({}).finish(), emptyValid: true },
    { path: "/ibc.core.channel.v1.Query/Channel", data: CQ.QueryChannelRequest.encode({ portId: "echo", channelId: "channel-0" }).finish() },
    { path: "/ibc.core.channel.v1.Query/PacketCommitments", data: CQ.QueryPacketCommitmentsRequest.encode({ portId: "echo", channelId: "channel-0" }).finish() },
    { path: "/ibc.core.channel.v1.Query/UnreceivedPackets", data: CQ.QueryUnreceivedPacketsRequest.encode({ portId: "echo", channelId: "channel-0", packetCommitmentSequences: [1n, 2n] }).finish() }
  ],
  calls: () => [{ method: "channel", body: ChannelRequest.encode({ portId: "echo", channelId: "channel-0" }) }],
  sized: (keys) => [createClient(keys.signer, "c-1"), createClient(keys.signer, `c-${"x".repeat(400)}-1`)]
}

machineConformance(fixture).run()
