/**
 * 04-channel handshake: OpenInit / OpenTry / OpenAck / OpenConfirm and CloseInit / CloseConfirm,
 * ordered and unordered, each step calling the application bound to the port
 * ({@link PortModule}, looked up through a {@link PortRouter}); the channel state and sequences
 * are written only when the application accepts (ibc-go msg_server order: core checks, app
 * callback, then Write*Channel).
 *
 * State: `channelEnds/ports/<port>/channels/<id>` (ibc.core.channel.v1.Channel),
 * `nextSequenceSend|Recv|Ack/ports/<port>/channels/<id>` (uint64 BE), `nextChannelSequence`.
 *
 * Errors: 04-channel (codespace "channel"), 03-connection, 05-port (InvalidRoute for an unbound port).
 *
 * Source: ibc-go v8.8.0 modules/core/04-channel/keeper/handshake.go, keeper.go,
 * types/channel.go + msgs.go (ValidateBasic), core/keeper/msg_server.go (ChannelOpen*, ChannelClose*).
 */
import { Channel, Order as OrderProto, State, type Counterparty } from "cosmjs-types/ibc/core/channel/v1/channel"
import type { ConnectionEnd } from "cosmjs-types/ibc/core/connection/v1/connection"
import type { ExecContext } from "../../../chain/Machine.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import type { Height } from "../LightClient.ts"
import type { ChannelInfo, Order, PortModule } from "../PortModule.ts"
import type { ConnectionKeeper } from "./ConnectionKeeper.ts"
import { requireProofHeight, supportsFeature } from "./ConnectionKeeper.ts"
import { coreContext, type CoreContext } from "./CoreContext.ts"
import { channelEvent, messageEvent, type ChannelEventFields } from "./Events.ts"
import {
  channelPath, formatChannelId, key, NEXT_CHANNEL_SEQUENCE, nextSequenceAckPath, nextSequenceRecvPath, nextSequenceSendPath,
  uint64Bytes, uint64Of, validateChannelId, validateConnectionId, validatePortId
} from "./Host.ts"
import {
  ChannelNotFound, ibcLog, InvalidChannelCounterparty, InvalidChannelIdentifier, InvalidChannelOrdering, InvalidChannelState,
  InvalidConnectionVersion, InvalidProof, InvalidRoute, TooManyConnectionHops
} from "./IbcError.ts"
import { prefixError } from "./internal/Wrap.ts"

/** Finds the application bound to a port id. */
export interface PortRouter {
  route(portId: string): PortModule | undefined
}

/** Channel state names as ibc-go prints them. */
export const channelStateName = (s: State): string => ["STATE_UNINITIALIZED_UNSPECIFIED", "STATE_INIT", "STATE_TRYOPEN", "STATE_OPEN", "STATE_CLOSED"][s] ?? String(s)
/** Protobuf order -> PortModule order (ORDER_NONE for anything else). */
export const orderName = (o: OrderProto): Order | "ORDER_NONE_UNSPECIFIED" =>
  o === OrderProto.ORDER_ORDERED ? "ORDER_ORDERED" : o === OrderProto.ORDER_UNORDERED ? "ORDER_UNORDERED" : "ORDER_NONE_UNSPECIFIED"

const IS_CHANNEL_ID = /^channel-[0-9]{1,20}$/

/** IsValidChannelID (`channel-<n>`); throws InvalidChannelIdentifier. */
export const requireChannelIdFormat = (id: string): void => {
  if (!IS_CHANNEL_ID.test(id) || BigInt(id.slice(8)) > 0xffffffffffffffffn) {
    throw new InvalidChannelIdentifier({ log: ibcLog(`invalid channel identifier ${id.slice(0, 128)}`, "invalid channel identifier") })
  }
}

/** Channel.ValidateBasic (state set, order valid, one connection hop, counterparty ids). */
const validateChannel = (ch: Channel): void => {
  if (ch.state === State.STATE_UNINITIALIZED_UNSPECIFIED) throw new InvalidChannelState({ log: "invalid channel state" })
  if (ch.ordering !== OrderProto.ORDER_ORDERED && ch.ordering !== OrderProto.ORDER_UNORDERED) {
    throw new InvalidChannelOrdering({ log: ibcLog(orderName(ch.ordering), "invalid channel ordering") })
  }
  if (ch.connectionHops.length !== 1) throw new TooManyConnectionHops({ log: ibcLog("current IBC version only supports one connection hop", "too many connection hops") })
  prefixError("invalid connection hop ID", () => validateConnectionId(ch.connectionHops[0]!))
  prefixError("invalid counterparty port ID", () => validatePortId(ch.counterparty?.portId ?? ""))
  if (ch.counterparty?.channelId) prefixError("invalid counterparty channel ID", () => validateChannelId(ch.counterparty.channelId))
}

const requireProof = (proof: Uint8Array, what: string): void => {
  if (proof.length === 0) throw new InvalidProof({ log: ibcLog(`cannot submit an empty ${what}`, "invalid proof") })
}

/** The 04-channel keeper (handshake and channel storage; packets in PacketKeeper). */
export class ChannelKeeper {
  readonly connections: ConnectionKeeper
  readonly ports: PortRouter
  constructor(connections: ConnectionKeeper, ports: PortRouter) {
    this.connections = connections
    this.ports = ports
  }

  /** The channel end, if stored. */
  get(store: KVStore, portId: string, channelId: string): Channel | undefined {
    const bz = store.get(key(channelPath(portId, channelId)))
    return bz ? Channel.decode(bz) : undefined
  }

  /** The channel end or ChannelNotFound (`port ID (<p>) channel ID (<c>)`). */
  require(store: KVStore, portId: string, channelId: string): Channel {
    const ch = this.get(store, portId, channelId)
    if (!ch) throw new ChannelNotFound({ log: ibcLog(`port ID (${portId}) channel ID (${channelId})`, "channel not found") })
    return ch
  }

  /** Store a channel end. */
  set(store: KVStore, portId: string, channelId: string, ch: Channel): void {
    store.set(key(channelPath(portId, channelId)), Channel.encode(ch).finish())
  }

  /** A next-sequence counter (send / recv / ack), undefined when absent. */
  sequence(store: KVStore, which: "send" | "recv" | "ack", portId: string, channelId: string): bigint | undefined {
    const path = which === "send" ? nextSequenceSendPath : which === "recv" ? nextSequenceRecvPath : nextSequenceAckPath
    const bz = store.get(key(path(portId, channelId)))
    return bz ? uint64Of(bz) : undefined
  }

  /** Set a next-sequence counter. */
  setSequence(store: KVStore, which: "send" | "recv" | "ack", portId: string, channelId: string, v: bigint): void {
    const path = which === "send" ? nextSequenceSendPath : which === "recv" ? nextSequenceRecvPath : nextSequenceAckPath
    store.set(key(path(portId, channelId)), uint64Bytes(v))
  }

  /** The application on `portId` or InvalidRoute (`route not found to module: <port>`). */
  app(portId: string): PortModule {
    const m = this.ports.route(portId)
    if (!m) throw new InvalidRoute({ log: ibcLog(`route not found to module: ${portId}`, "route not found") })
    return m
  }

  /** The callbacks' view of a channel end. */
  info(portId: string, channelId: string, ch: Channel): ChannelInfo {
    return {
      order: orderName(ch.ordering) as Order, connectionHops: ch.connectionHops, portId, channelId,
      counterpartyPortId: ch.counterparty.portId, counterpartyChannelId: ch.counterparty.channelId, version: ch.version
    }
  }

  /** The fields channel events name. */
  eventFields(portId: string, channelId: string, ch: Channel): ChannelEventFields {
    return {
      portId, channelId, counterpartyPortId: ch.counterparty.portId, counterpartyChannelId: ch.counterparty.channelId,
      connectionId: ch.connectionHops[0] ?? "", version: ch.version
    }
  }

  private nextId(store: KVStore): string {
    const seq = uint64Of(store.get(key(NEXT_CHANNEL_SEQUENCE)) ?? new Uint8Array(8))
    store.set(key(NEXT_CHANNEL_SEQUENCE), uint64Bytes(seq + 1n))
    return formatChannelId(seq)
  }

  private requireOrderingSupported(c: ConnectionEnd, order: OrderProto): void {
    if (c.versions.length !== 1) {
      throw new InvalidConnectionVersion({ log: ibcLog(`single version must be negotiated on connection before opening channel, got: ${c.versions.length} versions`, "invalid connection version") })
    }
    if (!supportsFeature(c.versions[0]!, orderName(order))) {
      throw new InvalidConnectionVersion({ log: ibcLog(`connection version ${c.versions[0]!.identifier} does not support channel ordering: ${orderName(order)}`, "invalid connection version") })
    }
  }

  private openConnection(core: CoreContext, ch: Channel): ConnectionEnd {
    const c = this.connections.require(core.store, ch.connectionHops[0]!)
    this.connections.requireOpen(c)
    return c
  }

  /**
   * MsgChannelOpenInit: an INIT end on `portId` over an existing connection whose version allows
   * the order, on an Active client; the app's onChanOpenInit picks the version. Returns id and version.
   */
  openInit(ctx: ExecContext, portId: string, channel: Channel | undefined): { channelId: string; version: string } {
    prefixError("invalid port ID", () => validatePortId(portId))
    const ch = channel ?? Channel.fromPartial({})
    if (ch.state !== State.STATE_INIT) {
      throw new InvalidChannelState({ log: ibcLog(`channel state must be INIT in MsgChannelOpenInit. expected: STATE_INIT, got: ${channelStateName(ch.state)}`, "invalid channel state") })
    }
    if (ch.counterparty?.channelId) throw new InvalidChannelCounterparty({ log: ibcLog("counterparty channel identifier must be empty", "invalid counterparty channel") })
    validateChannel(ch)
    const core = coreContext(ctx)
    const app = this.app(portId)
    const channelId = prefixError("channel handshake open init failed", () => {
      const c = this.connections.require(core.store, ch.connectionHops[0]!)
      this.requireOrderingSupported(c, ch.ordering)
      this.connections.clients.requireActive(core.store, core.host, c.clientId)
      return this.nextId(core.store)
    })
    const version = prefixError(`channel open init callback failed for port ID: ${portId}, channel ID: ${channelId}`, () => app.onChanOpenInit(ctx, this.info(portId, channelId, { ...ch, counterparty: { portId: ch.counterparty.portId, channelId: "" } })))
    const stored: Channel = { state: State.STATE_INIT, ordering: ch.ordering, counterparty: { portId: ch.counterparty.portId, channelId: "" }, connectionHops: ch.connectionHops, version }
    this.set(core.store, portId, channelId, stored)
    for (const w of ["send", "recv", "ack"] as const) this.setSequence(core.store, w, portId, channelId, 1n)
    core.emit(channelEvent("channel_open_init", this.eventFields(portId, channelId, stored)))
    core.emit(messageEvent("ibc_channel"))
    return { channelId, version }
  }

  /**
   * MsgChannelOpenTry: verifies the counterparty's INIT end (ordering, hops reversed, counterparty
   * version) through an OPEN connection; the app's onChanOpenTry returns this end's version.
   */
  openTry(ctx: ExecContext, portId: string, channel: Channel | undefined, counterpartyVersion: string, proofInit: Uint8Array, proofHeight: Height, previousChannelId = ""): { channelId: string; version: string } {
    prefixError("invalid port ID", () => validatePortId(portId))
    if (previousChannelId !== "") {
      throw new InvalidChannelIdentifier({ log: ibcLog("previous channel identifier must be empty, this field has been deprecated as crossing hellos are no longer supported", "invalid channel identifier") })
    }
    requireProof(proofInit, "proof init")
    requireProofHeight(proofHeight)
    const ch = channel ?? Channel.fromPartial({})
    if (ch.state !== State.STATE_TRYOPEN) {
      throw new InvalidChannelState({ log: ibcLog(`channel state must be TRYOPEN in MsgChannelOpenTry. expected: STATE_TRYOPEN, got: ${channelStateName(ch.state)}`, "invalid channel state") })
    }
    validateChannel(ch)
    prefixError("invalid counterparty channel ID", () => validateChannelId(ch.counterparty.channelId))
    const core = coreContext(ctx)
    const app = this.app(portId)
    const channelId = this.nextId(core.store)
    prefixError("channel handshake open try failed", () => {
      const c = this.openConnection(core, ch)
      this.requireOrderingSupported(c, ch.ordering)
      const expected: Channel = {
        state: State.STATE_INIT, ordering: ch.ordering, counterparty: { portId, channelId: "" },
        connectionHops: [c.counterparty.connectionId], version: counterpartyVersion
      }
      this.connections.verifyChannelState(core, c, proofHeight, proofInit, ch.counterparty.portId, ch.counterparty.channelId, Channel.encode(expected).finish())
    })
    const version = prefixError(`channel open try callback failed for port ID: ${portId}, channel ID: ${channelId}`, () => app.onChanOpenTry(ctx, this.info(portId, channelId, ch), counterpartyVersion))
    const stored: Channel = { state: State.STATE_TRYOPEN, ordering: ch.ordering, counterparty: ch.counterparty, connectionHops: ch.connectionHops, version }
    for (const w of ["send", "recv", "ack"] as const) this.setSequence(core.store, w, portId, channelId, 1n)
    this.set(core.store, portId, channelId, stored)
    core.emit(channelEvent("channel_open_try", this.eventFields(portId, channelId, stored)))
    core.emit(messageEvent("ibc_channel"))
    return { channelId, version }
  }

  /** MsgChannelOpenAck: INIT -> OPEN after verifying the counterparty's TRYOPEN end and the app's onChanOpenAck. */
  openAck(ctx: ExecContext, portId: string, channelId: string, counterpartyChannelId: string, counterpartyVersion: string, proofTry: Uint8Array, proofHeight: Height): void {
    prefixError("invalid port ID", () => validatePortId(portId))
    requireChannelIdFormat(channelId)
    prefixError("invalid counterparty channel ID", () => validateChannelId(counterpartyChannelId))
    requireProof(proofTry, "proof try")
    requireProofHeight(proofHeight)
    const core = coreContext(ctx)
    const app = this.app(portId)
    const ch = prefixError("channel handshake open ack failed", () => {
      const ch = this.require(core.store, portId, channelId)
      if (ch.state !== State.STATE_INIT) throw new InvalidChannelState({ log: ibcLog(`channel state should be INIT (got ${channelStateName(ch.state)})`, "invalid channel state") })
      const c = this.openConnection(core, ch)
      const expected: Channel = {
        state: State.STATE_TRYOPEN, ordering: ch.ordering, counterparty: { portId, channelId },
        connectionHops: [c.counterparty.connectionId], version: counterpartyVersion
      }
      this.connections.verifyChannelState(core, c, proofHeight, proofTry, ch.counterparty.portId, counterpartyChannelId, Channel.encode(expected).finish())
      return ch
    })
    const open: Channel = { ...ch, state: State.STATE_OPEN, version: counterpartyVersion, counterparty: { portId: ch.counterparty.portId, channelId: counterpartyChannelId } }
    // ibc-go writes the OPEN end before the callback (msg_server ChannelOpenAck), so the app may send on it
    this.set(core.store, portId, channelId, open)
    core.emit(channelEvent("channel_open_ack", this.eventFields(portId, channelId, open)))
    core.emit(messageEvent("ibc_channel"))
    prefixError(`channel open ack callback failed for port ID: ${portId}, channel ID: ${channelId}`, () => app.onChanOpenAck(ctx, this.info(portId, channelId, open), counterpartyVersion))
  }

  /** MsgChannelOpenConfirm: TRYOPEN -> OPEN after verifying the counterparty's OPEN end. */
  openConfirm(ctx: ExecContext, portId: string, channelId: string, proofAck: Uint8Array, proofHeight: Height): void {
    prefixError("invalid port ID", () => validatePortId(portId))
    requireChannelIdFormat(channelId)
    requireProof(proofAck, "proof ack")
    requireProofHeight(proofHeight)
    const core = coreContext(ctx)
    const app = this.app(portId)
    const ch = prefixError("channel handshake open confirm failed", () => {
      const ch = this.require(core.store, portId, channelId)
      if (ch.state !== State.STATE_TRYOPEN) throw new InvalidChannelState({ log: ibcLog(`channel state is not TRYOPEN (got ${channelStateName(ch.state)})`, "invalid channel state") })
      const c = this.openConnection(core, ch)
      const expected: Channel = {
        state: State.STATE_OPEN, ordering: ch.ordering, counterparty: { portId, channelId },
        connectionHops: [c.counterparty.connectionId], version: ch.version
      }
      this.connections.verifyChannelState(core, c, proofHeight, proofAck, ch.counterparty.portId, ch.counterparty.channelId, Channel.encode(expected).finish())
      return ch
    })
    const open: Channel = { ...ch, state: State.STATE_OPEN }
    this.set(core.store, portId, channelId, open)
    core.emit(channelEvent("channel_open_confirm", this.eventFields(portId, channelId, open)))
    core.emit(messageEvent("ibc_channel"))
    prefixError(`channel open confirm callback failed for port ID: ${portId}, channel ID: ${channelId}`, () => app.onChanOpenConfirm(ctx, this.info(portId, channelId, open)))
  }

  /** MsgChannelCloseInit: the app may refuse (ICS-20 does); otherwise -> CLOSED. */
  closeInit(ctx: ExecContext, portId: string, channelId: string): void {
    prefixError("invalid port ID", () => validatePortId(portId))
    requireChannelIdFormat(channelId)
    const core = coreContext(ctx)
    const app = this.app(portId)
    const ch = this.require(core.store, portId, channelId)
    prefixError(`channel close init callback failed for port ID: ${portId}, channel ID: ${channelId}`, () => app.onChanCloseInit(ctx, this.info(portId, channelId, ch)))
    prefixError("channel handshake close init failed", () => {
      if (ch.state === State.STATE_CLOSED) throw new InvalidChannelState({ log: ibcLog("channel is already CLOSED", "invalid channel state") })
      const c = this.connections.require(core.store, ch.connectionHops[0]!)
      this.connections.clients.requireActive(core.store, core.host, c.clientId)
      this.connections.requireOpen(c)
    })
    const closed: Channel = { ...ch, state: State.STATE_CLOSED }
    this.set(core.store, portId, channelId, closed)
    core.emit(channelEvent("channel_close_init", this.eventFields(portId, channelId, closed)))
    core.emit(messageEvent("ibc_channel"))
  }

  /** MsgChannelCloseConfirm: verifies the counterparty's CLOSED end; -> CLOSED, then onChanCloseConfirm. */
  closeConfirm(ctx: ExecContext, portId: string, channelId: string, proofInit: Uint8Array, proofHeight: Height): void {
    prefixError("invalid port ID", () => validatePortId(portId))
    requireChannelIdFormat(channelId)
    requireProof(proofInit, "proof init")
    requireProofHeight(proofHeight)
    const core = coreContext(ctx)
    const app = this.app(portId)
    const ch = this.require(core.store, portId, channelId)
    prefixError("channel handshake close confirm failed", () => {
      if (ch.state === State.STATE_CLOSED) throw new InvalidChannelState({ log: ibcLog("channel is already CLOSED", "invalid channel state") })
      const c = this.openConnection(core, ch)
      const expected: Channel = {
        state: State.STATE_CLOSED, ordering: ch.ordering, counterparty: { portId, channelId },
        connectionHops: [c.counterparty.connectionId], version: ch.version
      }
      this.connections.verifyChannelState(core, c, proofHeight, proofInit, ch.counterparty.portId, ch.counterparty.channelId, Channel.encode(expected).finish())
    })
    const closed: Channel = { ...ch, state: State.STATE_CLOSED }
    this.set(core.store, portId, channelId, closed)
    core.emit(channelEvent("channel_close_confirm", this.eventFields(portId, channelId, closed)))
    core.emit(messageEvent("ibc_channel"))
    prefixError(`channel close confirm callback failed for port ID: ${portId}, channel ID: ${channelId}`, () => app.onChanCloseConfirm(ctx, this.info(portId, channelId, closed)))
  }
}

export type { Counterparty }
