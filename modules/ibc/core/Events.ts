/**
 * The ABCI events IBC core emits, with ibc-go v8's event types and attribute keys (relayers find
 * packets and handshake steps by them): each step emits its event then `message` with
 * `module = ibc_client | ibc_connection | ibc_channel`.
 *
 * Source: ibc-go v8.8.0 modules/core/02-client/keeper/events.go + types/events.go,
 * 03-connection/keeper/events.go + types/events.go, 04-channel/keeper/events.go + types/events.go.
 */
import type { Event } from "cosmjs-types/tendermint/abci/types"
import type { Height } from "../LightClient.ts"
import type { Order, Packet } from "../PortModule.ts"
import { toHex } from "../../../lib/Bytes.ts"
import { heightString } from "./Height.ts"

const event = (type: string, attrs: ReadonlyArray<readonly [string, string]>): Event => ({
  type,
  attributes: attrs.map(([key, value]) => ({ key, value, index: true }))
})

/** `message` with `module = <module>` (sdk.EventTypeMessage / AttributeKeyModule). */
export const messageEvent = (module: "ibc_client" | "ibc_connection" | "ibc_channel"): Event => event("message", [["module", module]])

/** create_client: client_id, client_type, consensus_height. */
export const createClientEvent = (clientId: string, clientType: string, consensusHeight: Height): Event =>
  event("create_client", [["client_id", clientId], ["client_type", clientType], ["consensus_height", heightString(consensusHeight)]])

/** update_client: client_id, client_type, consensus_height (first), consensus_heights (comma list), header (hex of the client message Any). */
export const updateClientEvent = (clientId: string, clientType: string, heights: ReadonlyArray<Height>, headerAnyBytes: Uint8Array): Event =>
  event("update_client", [
    ["client_id", clientId], ["client_type", clientType],
    ["consensus_height", heights.length > 0 ? heightString(heights[0]!) : ""],
    ["consensus_heights", heights.map(heightString).join(",")],
    ["header", toHex(headerAnyBytes)]
  ])

/** client_misbehaviour: client_id, client_type. */
export const misbehaviourEvent = (clientId: string, clientType: string): Event =>
  event("client_misbehaviour", [["client_id", clientId], ["client_type", clientType]])

/** connection_open_init / _try / _ack / _confirm: connection_id, client_id, counterparty_client_id, counterparty_connection_id (not on init). */
export const connectionEvent = (
  step: "init" | "try" | "ack" | "confirm", connectionId: string, clientId: string, counterpartyClientId: string, counterpartyConnectionId: string
): Event =>
  event(`connection_open_${step}`, [
    ["connection_id", connectionId], ["client_id", clientId], ["counterparty_client_id", counterpartyClientId],
    ...(step === "init" ? [] : [["counterparty_connection_id", counterpartyConnectionId] as const])
  ])

/** The channel fields a channel event names. */
export interface ChannelEventFields {
  readonly portId: string
  readonly channelId: string
  readonly counterpartyPortId: string
  readonly counterpartyChannelId: string
  readonly connectionId: string
  readonly version: string
}

/**
 * channel_open_init (no counterparty_channel_id; with version), channel_open_try (with version),
 * channel_open_ack, channel_open_confirm, channel_close_init, channel_close_confirm.
 */
export const channelEvent = (type: "channel_open_init" | "channel_open_try" | "channel_open_ack" | "channel_open_confirm" | "channel_close_init" | "channel_close_confirm", c: ChannelEventFields): Event => {
  const attrs: Array<readonly [string, string]> = [["port_id", c.portId], ["channel_id", c.channelId], ["counterparty_port_id", c.counterpartyPortId]]
  if (type !== "channel_open_init") attrs.push(["counterparty_channel_id", c.counterpartyChannelId])
  attrs.push(["connection_id", c.connectionId])
  if (type === "channel_open_init" || type === "channel_open_try") attrs.push(["version", c.version])
  return event(type, attrs)
}

/** channel_close (an ordered channel closed by a timeout): port_id, channel_id, counterparties, connection_id, packet_channel_ordering. */
export const channelClosedEvent = (c: ChannelEventFields, order: Order): Event =>
  event("channel_close", [
    ["port_id", c.portId], ["channel_id", c.channelId], ["counterparty_port_id", c.counterpartyPortId],
    ["counterparty_channel_id", c.counterpartyChannelId], ["connection_id", c.connectionId], ["packet_channel_ordering", order]
  ])

const utf8 = new TextDecoder("utf-8", { fatal: false })
const packetHead = (p: Packet): Array<readonly [string, string]> => [
  ["packet_timeout_height", heightString(p.timeoutHeight)],
  ["packet_timeout_timestamp", String(p.timeoutTimestamp)],
  ["packet_sequence", String(p.sequence)],
  ["packet_src_port", p.sourcePort], ["packet_src_channel", p.sourceChannel],
  ["packet_dst_port", p.destinationPort], ["packet_dst_channel", p.destinationChannel]
]

/** send_packet / recv_packet: packet_data (deprecated, UTF-8), packet_data_hex, the packet fields, ordering, packet_connection, connection_id. */
export const packetEvent = (type: "send_packet" | "recv_packet", p: Packet, order: Order, connectionId: string): Event =>
  event(type, [
    ["packet_data", utf8.decode(p.data)], ["packet_data_hex", toHex(p.data)], ...packetHead(p),
    ["packet_channel_ordering", order], ["packet_connection", connectionId], ["connection_id", connectionId]
  ])

/** write_acknowledgement: as recv_packet plus packet_ack and packet_ack_hex. */
export const writeAckEvent = (p: Packet, order: Order, connectionId: string, ack: Uint8Array): Event =>
  event("write_acknowledgement", [
    ["packet_data", utf8.decode(p.data)], ["packet_data_hex", toHex(p.data)], ...packetHead(p),
    ["packet_ack", utf8.decode(ack)], ["packet_ack_hex", toHex(ack)],
    ["packet_channel_ordering", order], ["packet_connection", connectionId], ["connection_id", connectionId]
  ])

/** acknowledge_packet: the packet fields (no data), ordering, packet_connection, connection_id. */
export const acknowledgePacketEvent = (p: Packet, order: Order, connectionId: string): Event =>
  event("acknowledge_packet", [...packetHead(p), ["packet_channel_ordering", order], ["packet_connection", connectionId], ["connection_id", connectionId]])

/** timeout_packet: the packet fields, connection_id, packet_channel_ordering (ibc-go's order). */
export const timeoutPacketEvent = (p: Packet, order: Order, connectionId: string): Event =>
  event("timeout_packet", [...packetHead(p), ["connection_id", connectionId], ["packet_channel_ordering", order]])
