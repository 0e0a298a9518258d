/**
 * 04-channel packets: SendPacket (for applications), RecvPacket with replay protection (receipts on
 * unordered channels, nextSequenceRecv on ordered ones), WriteAcknowledgement, AcknowledgePacket,
 * TimeoutPacket and TimeoutOnClose, with ibc-go's msg_server around them: a redundant relay is a
 * no-op (result NOOP, nothing written, no events); the app's onRecvPacket runs in a sub-branch kept
 * only for a successful (or async) acknowledgement, so a failed receive leaves only the receipt and
 * the error acknowledgement; a timeout on an ORDERED channel closes it.
 *
 * State: `commitments/.../sequences/<n>` (CommitPacket), `receipts/.../sequences/<n>` (0x01),
 * `acks/.../sequences/<n>` (sha256(ack)), the next-sequence counters (ChannelKeeper).
 *
 * Source: ibc-go v8.8.0 modules/core/04-channel/keeper/packet.go, timeout.go,
 * types/packet.go (ValidateBasic), types/timeout.go, types/acknowledgement.go,
 * core/keeper/msg_server.go (RecvPacket, Acknowledgement, Timeout, TimeoutOnClose).
 */
import { Channel, Order as OrderProto, State, type Packet as PacketProto } from "cosmjs-types/ibc/core/channel/v1/channel"
import type { ConnectionEnd } from "cosmjs-types/ibc/core/connection/v1/connection"
import type { Event } from "cosmjs-types/tendermint/abci/types"
import { isChainError } from "../../../chain/ChainError.ts"
import type { ExecContext } from "../../../chain/Machine.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import type { Height } from "../LightClient.ts"
import type { Acknowledgement, Order, Packet } from "../PortModule.ts"
import type { ChannelKeeper } from "./ChannelKeeper.ts"
import { channelStateName, orderName } from "./ChannelKeeper.ts"
import { requireProofHeight } from "./ConnectionKeeper.ts"
import { coreContext, type CoreContext } from "./CoreContext.ts"
import { acknowledgePacketEvent, channelClosedEvent, messageEvent, packetEvent, timeoutPacketEvent, writeAckEvent } from "./Events.ts"
import { compareHeight, heightOf, heightString, isZeroHeight } from "./Height.ts"
import { key, packetAckPath, packetCommitmentPath, packetReceiptPath, validateChannelId, validatePortId } from "./Host.ts"
import {
  AcknowledgementExists, ChannelNotFound, IbcInvalidSequence, ibcLog, InvalidAcknowledgement, InvalidChannelState, InvalidPacket, InvalidProof,
  NoOpMsg, PacketReceived, PacketSequenceOutOfOrder, SequenceAckNotFound, SequenceReceiveNotFound, SequenceSendNotFound, TimeoutElapsed, TimeoutNotReached
} from "./IbcError.ts"
import { commitAcknowledgement, commitPacket, RECEIPT } from "./PacketCommitment.ts"
import { prefixError } from "./internal/Wrap.ts"
import { ackMarshalsCanonically, errorAcknowledgement } from "./internal/AckJson.ts"

/** ibc-go ResponseResultType. */
export type PacketResult = "NOOP" | "SUCCESS"

/** A protobuf packet as the PortModule's Packet. */
export const packetOf = (p: PacketProto | undefined): Packet => ({
  sequence: p?.sequence ?? 0n, sourcePort: p?.sourcePort ?? "", sourceChannel: p?.sourceChannel ?? "",
  destinationPort: p?.destinationPort ?? "", destinationChannel: p?.destinationChannel ?? "",
  data: p?.data ?? new Uint8Array(), timeoutHeight: heightOf(p?.timeoutHeight), timeoutTimestamp: p?.timeoutTimestamp ?? 0n
})

/** Packet.ValidateBasic: throws InvalidIdentifier / InvalidPacket. */
export const validatePacket = (p: Packet): void => {
  prefixError("invalid source port ID", () => validatePortId(p.sourcePort))
  prefixError("invalid destination port ID", () => validatePortId(p.destinationPort))
  prefixError("invalid source channel ID", () => validateChannelId(p.sourceChannel))
  prefixError("invalid destination channel ID", () => validateChannelId(p.destinationChannel))
  if (p.sequence === 0n) throw new InvalidPacket({ log: ibcLog("packet sequence cannot be 0", "invalid packet") })
  if (isZeroHeight(p.timeoutHeight) && p.timeoutTimestamp === 0n) {
    throw new InvalidPacket({ log: ibcLog("packet timeout height and packet timeout timestamp cannot both be 0", "invalid packet") })
  }
  if (p.data.length === 0) throw new InvalidPacket({ log: ibcLog("packet data bytes cannot be empty", "invalid packet") })
}

const heightElapsed = (timeout: Height, h: Height): boolean => !isZeroHeight(timeout) && compareHeight(h, timeout) >= 0
const timestampElapsed = (timeout: bigint, t: bigint): boolean => timeout !== 0n && t >= timeout
/** Timeout.Elapsed. */
export const timeoutElapsed = (p: Packet, h: Height, t: bigint): boolean => heightElapsed(p.timeoutHeight, h) || timestampElapsed(p.timeoutTimestamp, t)
const elapsedError = (p: Packet, h: Height, t: bigint, detail: string) =>
  new TimeoutElapsed({
    log: `${detail}: ${heightElapsed(p.timeoutHeight, h)
      ? `current height: ${heightString(h)}, timeout height ${heightString(p.timeoutHeight)}`
      : `current timestamp: ${t}, timeout timestamp ${p.timeoutTimestamp}`}: timeout elapsed`
  })
const notReachedError = (p: Packet, h: Height, t: bigint) =>
  new TimeoutNotReached({
    log: `packet timeout not reached: ${!isZeroHeight(p.timeoutHeight) && !heightElapsed(p.timeoutHeight, h)
      ? `current height: ${heightString(h)}, timeout height ${heightString(p.timeoutHeight)}`
      : `current timestamp: ${t}, timeout timestamp ${p.timeoutTimestamp}`}: timeout not reached`
  })

const requireProof = (proof: Uint8Array, what: string): void => {
  if (proof.length === 0) throw new InvalidProof({ log: ibcLog(`cannot submit an empty ${what}`, "invalid proof") })
}

/** Thrown inside a branch to drop an unsuccessful receive's writes (never leaves this module). */
class Rollback {
  readonly ack: Acknowledgement
  constructor(ack: Acknowledgement) {
    this.ack = ack
  }
}

/** The packet half of 04-channel. */
export class PacketKeeper {
  readonly channels: ChannelKeeper
  constructor(channels: ChannelKeeper) {
    this.channels = channels
  }

  /** The stored packet commitment, if any. */
  commitment(store: KVStore, portId: string, channelId: string, sequence: bigint): Uint8Array | undefined {
    return store.get(key(packetCommitmentPath(portId, channelId, sequence)))
  }

  private connectionOf(core: CoreContext, ch: Channel): ConnectionEnd {
    return this.channels.connections.require(core.store, ch.connectionHops[0]!)
  }

  private openConnectionOf(core: CoreContext, ch: Channel): ConnectionEnd {
    const c = this.connectionOf(core, ch)
    this.channels.connections.requireOpen(c)
    return c
  }

  private order(ch: Channel): Order {
    return orderName(ch.ordering) as Order
  }

  /**
   * SendPacket: commits a packet on an OPEN channel through an Active client whose latest
   * consensus state has not passed the timeout; returns the sequence. Throws ChannelNotFound,
   * InvalidChannelState, InvalidPacket, ClientNotActive, TimeoutElapsed ("invalid packet timeout").
   */
  sendPacket(ctx: CoreContext, sourcePort: string, sourceChannel: string, timeoutHeight: Height, timeoutTimestamp: bigint, data: Uint8Array): bigint {
    const ch = this.channels.get(ctx.store, sourcePort, sourceChannel)
    if (!ch) throw new ChannelNotFound({ log: ibcLog(sourceChannel, "channel not found") })
    if (ch.state !== State.STATE_OPEN) throw new InvalidChannelState({ log: ibcLog(`channel is not OPEN (got ${channelStateName(ch.state)})`, "invalid channel state") })
    const sequence = this.channels.sequence(ctx.store, "send", sourcePort, sourceChannel)
    if (sequence === undefined) throw new SequenceSendNotFound({ log: ibcLog(`source port: ${sourcePort}, source channel: ${sourceChannel}`, "sequence send not found") })
    const packet: Packet = {
      sequence, sourcePort, sourceChannel, destinationPort: ch.counterparty.portId, destinationChannel: ch.counterparty.channelId,
      data, timeoutHeight, timeoutTimestamp
    }
    prefixError("constructed packet failed basic validation", () => validatePacket(packet))
    const c = this.connectionOf(ctx, ch)
    const clients = this.channels.connections.clients
    clients.requireActive(ctx.store, ctx.host, c.clientId)
    const latest = clients.latestHeight(ctx.store, c.clientId)
    const latestTime = clients.timestampAtHeight(ctx.store, c.clientId, latest)
    if (timeoutElapsed(packet, latest, latestTime)) throw elapsedError(packet, latest, latestTime, "invalid packet timeout")
    this.channels.setSequence(ctx.store, "send", sourcePort, sourceChannel, sequence + 1n)
    ctx.store.set(key(packetCommitmentPath(sourcePort, sourceChannel, sequence)), commitPacket(packet))
    ctx.emit(packetEvent("send_packet", packet, this.order(ch), ch.connectionHops[0]!))
    ctx.emit(messageEvent("ibc_channel"))
    return sequence
  }

  /** RecvPacket's checks and replay protection (keeper), NoOpMsg for a redundant relay. Writes only when it returns. */
  private recvChecks(core: CoreContext, packet: Packet, proof: Uint8Array, proofHeight: Height): Channel {
    const ch = this.channels.get(core.store, packet.destinationPort, packet.destinationChannel)
    if (!ch) throw new ChannelNotFound({ log: ibcLog(packet.destinationChannel, "channel not found") })
    if (ch.state !== State.STATE_OPEN) {
      throw new InvalidChannelState({ log: ibcLog(`expected channel state to be one of [STATE_OPEN, STATE_FLUSHING, STATE_FLUSHCOMPLETE], but got ${channelStateName(ch.state)}`, "invalid channel state") })
    }
    if (packet.sourcePort !== ch.counterparty.portId) {
      throw new InvalidPacket({ log: ibcLog(`packet source port doesn't match the counterparty's port (${packet.sourcePort} ≠ ${ch.counterparty.portId})`, "invalid packet") })
    }
    if (packet.sourceChannel !== ch.counterparty.channelId) {
      throw new InvalidPacket({ log: ibcLog(`packet source channel doesn't match the counterparty's channel (${packet.sourceChannel} ≠ ${ch.counterparty.channelId})`, "invalid packet") })
    }
    const c = this.openConnectionOf(core, ch)
    if (timeoutElapsed(packet, core.host.height, core.host.timeNs)) throw elapsedError(packet, core.host.height, core.host.timeNs, "packet timeout elapsed")
    prefixError("couldn't verify counterparty packet commitment", () =>
      this.channels.connections.verifyPacketCommitment(core, c, proofHeight, proof, packet.sourcePort, packet.sourceChannel, packet.sequence, commitPacket(packet)))
    const { destinationPort: port, destinationChannel: chan, sequence } = packet
    if (ch.ordering === OrderProto.ORDER_UNORDERED) {
      if (core.store.has(key(packetReceiptPath(port, chan, sequence)))) throw new NoOpMsg({ log: "message is redundant, no-op will be performed" })
      core.store.set(key(packetReceiptPath(port, chan, sequence)), RECEIPT)
    } else {
      const next = this.channels.sequence(core.store, "recv", port, chan)
      if (next === undefined) throw new SequenceReceiveNotFound({ log: ibcLog(`destination port: ${port}, destination channel: ${chan}`, "sequence receive not found") })
      if (sequence < next) throw new NoOpMsg({ log: "message is redundant, no-op will be performed" })
      if (sequence !== next) throw new PacketSequenceOutOfOrder({ log: ibcLog(`packet sequence ≠ next receive sequence (${sequence} ≠ ${next})`, "packet sequence is out of order") })
      this.channels.setSequence(core.store, "recv", port, chan, next + 1n)
    }
    core.emit(packetEvent("recv_packet", packet, this.order(ch), ch.connectionHops[0]!))
    core.emit(messageEvent("ibc_channel"))
    return ch
  }

  /**
   * MsgRecvPacket: verification and replay protection, then the app's onRecvPacket in a
   * sub-branch (kept only when the ack succeeds or is async; a throwing callback becomes ibc-go's
   * error acknowledgement `{"error":"ABCI code: <n>: error handling packet: see events for details"}`),
   * then WriteAcknowledgement for a synchronous ack. "NOOP" for a redundant relay.
   */
  recvPacket(ctx: ExecContext, packetProto: PacketProto | undefined, proof: Uint8Array, proofHeight: Height, relayer: string): PacketResult {
    requireProof(proof, "commitment proof")
    requireProofHeight(proofHeight)
    const packet = packetOf(packetProto)
    validatePacket(packet)
    const core = coreContext(ctx)
    const app = prefixError("could not retrieve module from port-id", () => this.channels.app(packet.destinationPort))
    try {
      prefixError("receive packet verification failed", () => this.recvChecks(core, packet, proof, proofHeight))
    } catch (e) {
      if (e instanceof NoOpMsg) return "NOOP"
      throw e
    }
    const ack = this.runRecv(ctx, app.onRecvPacket.bind(app), packet, relayer)
    if (ack !== undefined) this.writeAcknowledgement(core, packet, ack.bytes)
    return "SUCCESS"
  }

  private runRecv(ctx: ExecContext, onRecv: (ctx: ExecContext, p: Packet, relayer: string) => Acknowledgement | undefined, packet: Packet, relayer: string): Acknowledgement | undefined {
    // the callback's events: dropped with its branch on failure, then re-emitted renamed
    // `ibccallbackerror-<type>` (ibc-go msg_server convertToErrorEvents)
    let captured: Event[] = []
    const attempt = (c: ExecContext): Acknowledgement | undefined => {
      captured = []
      const spy = new Proxy(c, {
        get(target, prop) {
          if (prop === "emit") {
            return (e: Event) => {
              captured.push(e)
              target.emit(e)
            }
          }
          const v: unknown = Reflect.get(target, prop, target)
          return typeof v === "function" ? v.bind(target) : v
        }
      })
      try {
        const ack = onRecv(spy, packet, relayer)
        if (ack !== undefined && !ack.success) throw new Rollback(ack)
        return ack
      } catch (e) {
        // `abortsTransaction`: the app fails the whole message (wasmd: a contract's VM failure in ibc_packet_receive)
        if (e instanceof Rollback || !isChainError(e) || e._tag === "OutOfGas" || (e as { abortsTransaction?: unknown }).abortsTransaction === true) throw e
        throw new Rollback({ bytes: errorAcknowledgement(e.code), success: false })
      }
    }
    try {
      return ctx.branch ? ctx.branch(attempt) : attempt(ctx)
    } catch (e) {
      if (!(e instanceof Rollback)) throw e
      for (const ev of captured) ctx.emit({ type: `ibccallbackerror-${ev.type}`, attributes: ev.attributes })
      return e.ack
    }
  }

  /**
   * WriteAcknowledgement (sync acks, and async ones an app writes later): stores sha256(ack) once
   * per packet on an OPEN channel; AcknowledgementExists for a second ack, InvalidAcknowledgement for empty bytes.
   */
  writeAcknowledgement(ctx: CoreContext, packet: Packet, ack: Uint8Array): void {
    const ch = this.channels.get(ctx.store, packet.destinationPort, packet.destinationChannel)
    if (!ch) throw new ChannelNotFound({ log: ibcLog(packet.destinationChannel, "channel not found") })
    if (ch.state !== State.STATE_OPEN) {
      throw new InvalidChannelState({ log: ibcLog(`expected one of [STATE_OPEN, STATE_FLUSHING, STATE_FLUSHCOMPLETE], got ${channelStateName(ch.state)}`, "invalid channel state") })
    }
    const path = key(packetAckPath(packet.destinationPort, packet.destinationChannel, packet.sequence))
    if (ctx.store.has(path)) throw new AcknowledgementExists({ log: "acknowledgement for packet already exists" })
    if (ack.length === 0) throw new InvalidAcknowledgement({ log: ibcLog("acknowledgement cannot be empty", "invalid acknowledgement") })
    ctx.store.set(path, commitAcknowledgement(ack))
    ctx.emit(writeAckEvent(packet, this.order(ch), ch.connectionHops[0]!, ack))
    ctx.emit(messageEvent("ibc_channel"))
  }

  /**
   * MsgAcknowledgement: the packet's commitment must still be stored (else NOOP), equal
   * CommitPacket(packet), and the counterparty must hold sha256(ack); ordered channels take acks in
   * sequence. Deletes the commitment, then calls the app's onAcknowledgementPacket.
   */
  acknowledgePacket(ctx: ExecContext, packetProto: PacketProto | undefined, ack: Uint8Array, proof: Uint8Array, proofHeight: Height, relayer: string): PacketResult {
    requireProof(proof, "acknowledgement proof")
    if (ack.length === 0) throw new InvalidAcknowledgement({ log: ibcLog("ack bytes cannot be empty", "invalid acknowledgement") })
    requireProofHeight(proofHeight)
    const packet = packetOf(packetProto)
    validatePacket(packet)
    const core = coreContext(ctx)
    const app = prefixError("could not retrieve module from port-id", () => this.channels.app(packet.sourcePort))
    const { sourcePort: port, sourceChannel: chan, sequence } = packet
    const ch = this.channels.get(core.store, port, chan)
    if (!ch) throw new ChannelNotFound({ log: ibcLog(`port ID (${port}) channel ID (${chan})`, "channel not found") })
    if (ch.state !== State.STATE_OPEN) throw new InvalidChannelState({ log: ibcLog(`packets cannot be acknowledged on channel with state (${channelStateName(ch.state)})`, "invalid channel state") })
    this.requireDestination(packet, ch)
    const c = this.openConnectionOf(core, ch)
    const stored = this.commitment(core.store, port, chan, sequence)
    if (stored === undefined || stored.length === 0) return "NOOP"
    if (!ackMarshalsCanonically(ack)) throw new InvalidAcknowledgement({ log: ibcLog("acknowledgement marshalling error", "invalid acknowledgement") })
    if (!bytesEqual(stored, commitPacket(packet))) throw new InvalidPacket({ log: ibcLog("commitment bytes are not equal", "invalid packet") })
    this.channels.connections.verifyPacketAcknowledgement(core, c, proofHeight, proof, packet.destinationPort, packet.destinationChannel, sequence, commitAcknowledgement(ack))
    if (ch.ordering === OrderProto.ORDER_ORDERED) {
      const next = this.channels.sequence(core.store, "ack", port, chan)
      if (next === undefined) throw new SequenceAckNotFound({ log: ibcLog(`source port: ${port}, source channel: ${chan}`, "sequence acknowledgement not found") })
      if (sequence !== next) throw new PacketSequenceOutOfOrder({ log: ibcLog(`packet sequence ≠ next ack sequence (${sequence} ≠ ${next})`, "packet sequence is out of order") })
      this.channels.setSequence(core.store, "ack", port, chan, next + 1n)
    }
    core.store.delete(key(packetCommitmentPath(port, chan, sequence)))
    core.emit(acknowledgePacketEvent(packet, this.order(ch), ch.connectionHops[0]!))
    core.emit(messageEvent("ibc_channel"))
    prefixError("acknowledge packet callback failed", () => app.onAcknowledgementPacket(ctx, packet, ack, relayer))
    return "SUCCESS"
  }

  private requireDestination(packet: Packet, ch: Channel): void {
    if (packet.destinationPort !== ch.counterparty.portId) {
      throw new InvalidPacket({ log: ibcLog(`packet destination port doesn't match the counterparty's port (${packet.destinationPort} ≠ ${ch.counterparty.portId})`, "invalid packet") })
    }
    if (packet.destinationChannel !== ch.counterparty.channelId) {
      throw new InvalidPacket({ log: ibcLog(`packet destination channel doesn't match the counterparty's channel (${packet.destinationChannel} ≠ ${ch.counterparty.channelId})`, "invalid packet") })
    }
  }

  /** The receipt-absence (unordered) or next-sequence-recv (ordered) proof of a timeout. */
  private verifyUnreceived(core: CoreContext, c: ConnectionEnd, ch: Channel, packet: Packet, proof: Uint8Array, proofHeight: Height, nextSequenceRecv: bigint, onClose: boolean): void {
    const connections = this.channels.connections
    if (ch.ordering === OrderProto.ORDER_ORDERED) {
      if (nextSequenceRecv > packet.sequence) {
        const detail = `packet already received, next sequence receive > packet sequence (${nextSequenceRecv} > ${packet.sequence}${onClose ? "" : ")"}`
        throw onClose ? new InvalidPacket({ log: ibcLog(detail, "invalid packet") }) : new PacketReceived({ log: ibcLog(detail, "packet already received") })
      }
      connections.verifyNextSequenceRecv(core, c, proofHeight, proof, packet.destinationPort, packet.destinationChannel, nextSequenceRecv)
    } else {
      connections.verifyPacketReceiptAbsence(core, c, proofHeight, proof, packet.destinationPort, packet.destinationChannel, packet.sequence)
    }
  }

  /** TimeoutExecuted: delete the commitment; an ORDERED channel closes (channel_close event). */
  private timeoutExecuted(core: CoreContext, packet: Packet, ch: Channel): void {
    core.store.delete(key(packetCommitmentPath(packet.sourcePort, packet.sourceChannel, packet.sequence)))
    if (ch.ordering === OrderProto.ORDER_ORDERED) {
      const closed: Channel = { ...ch, state: State.STATE_CLOSED }
      this.channels.set(core.store, packet.sourcePort, packet.sourceChannel, closed)
      core.emit(channelClosedEvent(this.channels.eventFields(packet.sourcePort, packet.sourceChannel, closed), this.order(ch)))
      core.emit(messageEvent("ibc_channel"))
    }
    core.emit(timeoutPacketEvent(packet, this.order(ch), ch.connectionHops[0]!))
    core.emit(messageEvent("ibc_channel"))
  }

  private timeoutCommon(ctx: ExecContext, packetProto: PacketProto | undefined, proof: Uint8Array, proofHeight: Height, nextSequenceRecv: bigint) {
    requireProof(proof, "unreceived proof")
    requireProofHeight(proofHeight)
    const packet = packetOf(packetProto)
    validatePacket(packet)
    const core = coreContext(ctx)
    const app = prefixError("could not retrieve module from port-id", () => this.channels.app(packet.sourcePort))
    const ch = this.channels.get(core.store, packet.sourcePort, packet.sourceChannel)
    if (!ch) throw new ChannelNotFound({ log: ibcLog(`port ID (${packet.sourcePort}) channel ID (${packet.sourceChannel})`, "channel not found") })
    // ibc-go's MsgTimeout.ValidateBasic refuses 0 on every channel, yet since v7.1 its own
    // NextSequenceReceive query answers 0 for an unordered one, which @confio/relayer 0.12 sends
    // as is; an unordered timeout never reads the value (docs/ibc.md "Where this differs")
    if (nextSequenceRecv === 0n && ch.ordering !== OrderProto.ORDER_UNORDERED) {
      throw new IbcInvalidSequence({ log: ibcLog("next sequence receive cannot be 0", "invalid sequence") })
    }
    this.requireDestination(packet, ch)
    const c = this.connectionOf(core, ch)
    return { packet, core, app, ch, c }
  }

  /**
   * MsgTimeout: the counterparty's state at proofHeight has passed the packet's timeout (its
   * consensus state's time or the height) and has not received it; NOOP when the commitment is
   * gone. Deletes the commitment (closing an ORDERED channel), then onTimeoutPacket.
   */
  timeoutPacket(ctx: ExecContext, packetProto: PacketProto | undefined, proof: Uint8Array, proofHeight: Height, nextSequenceRecv: bigint, relayer: string): PacketResult {
    const { packet, core, app, ch, c } = this.timeoutCommon(ctx, packetProto, proof, proofHeight, nextSequenceRecv)
    const proofTime = this.channels.connections.clients.timestampAtHeight(core.store, c.clientId, proofHeight)
    if (!timeoutElapsed(packet, proofHeight, proofTime)) throw notReachedError(packet, proofHeight, proofTime)
    const stored = this.commitment(core.store, packet.sourcePort, packet.sourceChannel, packet.sequence)
    if (stored === undefined || stored.length === 0) return "NOOP"
    if (!bytesEqual(stored, commitPacket(packet))) throw new InvalidPacket({ log: ibcLog("packet commitment bytes are not equal", "invalid packet") })
    this.verifyUnreceived(core, c, ch, packet, proof, proofHeight, nextSequenceRecv, false)
    this.timeoutExecuted(core, packet, ch)
    prefixError("timeout packet callback failed", () => app.onTimeoutPacket(ctx, packet, relayer))
    return "SUCCESS"
  }

  /**
   * MsgTimeoutOnClose: the counterparty's channel end is CLOSED (proofClose) and the packet was
   * not received there; then as a timeout.
   */
  timeoutOnClose(ctx: ExecContext, packetProto: PacketProto | undefined, proof: Uint8Array, proofClose: Uint8Array, proofHeight: Height, nextSequenceRecv: bigint, relayer: string): PacketResult {
    requireProof(proofClose, "proof of closed counterparty channel end")
    const { packet, core, app, ch, c } = this.timeoutCommon(ctx, packetProto, proof, proofHeight, nextSequenceRecv)
    const stored = this.commitment(core.store, packet.sourcePort, packet.sourceChannel, packet.sequence)
    if (stored === undefined || stored.length === 0) return "NOOP"
    if (!bytesEqual(stored, commitPacket(packet))) throw new InvalidPacket({ log: ibcLog("packet commitment bytes are not equal", "invalid packet") })
    const expected: Channel = {
      state: State.STATE_CLOSED, ordering: ch.ordering, counterparty: { portId: packet.sourcePort, channelId: packet.sourceChannel },
      connectionHops: [c.counterparty.connectionId], version: ch.version
    }
    this.channels.connections.verifyChannelState(core, c, proofHeight, proofClose, ch.counterparty.portId, ch.counterparty.channelId, Channel.encode(expected).finish())
    this.verifyUnreceived(core, c, ch, packet, proof, proofHeight, nextSequenceRecv, true)
    this.timeoutExecuted(core, packet, ch)
    prefixError("timeout on close callback failed", () => app.onTimeoutPacket(ctx, packet, relayer))
    return "SUCCESS"
  }
}

const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])
