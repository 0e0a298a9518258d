/**
 * The contract between IBC core's channel keeper (modules/ibc/core) and an IBC application bound
 * to a port (ICS-20 transfer in modules/ibc/apps/transfer, CyberWasm programs on
 * `cyberwasm.<address>`): ibc-go's `IBCModule` callbacks (modules/core/05-port/types/module.go),
 * classic IBC v1. Types only. Callbacks run in the message's branch and are synchronous and
 * deterministic; a callback that throws refuses the handshake step or, for onRecvPacket,
 * is turned by core into an error acknowledgement (state of the callback rolled back, as ibc-go
 * does with a cache context), except OutOfGas and an error carrying `abortsTransaction: true`
 * (wasmd's panic on a contract's VM failure), which fail the whole MsgRecvPacket.
 *
 * Source: ibc-go modules/core/05-port/types/module.go, modules/core/04-channel/types.
 */
import type { ExecContext } from "../../chain/Machine.ts"
import type { Height } from "./LightClient.ts"

/** ICS-04 channel order. */
export type Order = "ORDER_UNORDERED" | "ORDER_ORDERED"

/** A packet as ibc-go's channeltypes.Packet. */
export interface Packet {
  readonly sequence: bigint
  readonly sourcePort: string
  readonly sourceChannel: string
  readonly destinationPort: string
  readonly destinationChannel: string
  readonly data: Uint8Array
  readonly timeoutHeight: Height
  /** Unix nanoseconds; 0 = none. */
  readonly timeoutTimestamp: bigint
}

/** Channel ends as the callbacks see them. */
export interface ChannelInfo {
  readonly order: Order
  readonly connectionHops: readonly string[]
  readonly portId: string
  readonly channelId: string
  readonly counterpartyPortId: string
  /** Empty on OpenInit. */
  readonly counterpartyChannelId: string
  readonly version: string
}

/** An acknowledgement written on receive: bytes as committed (ibc-go channeltypes.Acknowledgement JSON for ICS-20). */
export interface Acknowledgement {
  readonly bytes: Uint8Array
  /** Whether the ack is a success (core keeps the callback's writes only then). */
  readonly success: boolean
}

/** The application callbacks core calls for a port's channels and packets. */
export interface PortModule {
  /** Returns the version to use (may be "" to take the app's default). */
  onChanOpenInit(ctx: ExecContext, channel: ChannelInfo): string
  /** Returns this end's version given the counterparty's. */
  onChanOpenTry(ctx: ExecContext, channel: ChannelInfo, counterpartyVersion: string): string
  onChanOpenAck(ctx: ExecContext, channel: ChannelInfo, counterpartyVersion: string): void
  onChanOpenConfirm(ctx: ExecContext, channel: ChannelInfo): void
  onChanCloseInit(ctx: ExecContext, channel: ChannelInfo): void
  onChanCloseConfirm(ctx: ExecContext, channel: ChannelInfo): void
  /** `relayer` is the bech32 signer of MsgRecvPacket. Undefined = async ack (written later). */
  onRecvPacket(ctx: ExecContext, packet: Packet, relayer: string): Acknowledgement | undefined
  onAcknowledgementPacket(ctx: ExecContext, packet: Packet, acknowledgement: Uint8Array, relayer: string): void
  onTimeoutPacket(ctx: ExecContext, packet: Packet, relayer: string): void
}

/** What an application is given to send packets on its channels (core's SendPacket, ICS-04). */
export interface PacketSender {
  /** Commit a packet on `sourcePort/sourceChannel`; returns its sequence. Throws a channel error. */
  sendPacket(ctx: ExecContext, sourcePort: string, sourceChannel: string, timeoutHeight: Height, timeoutTimestamp: bigint, data: Uint8Array): bigint
}
