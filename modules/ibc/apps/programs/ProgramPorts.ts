/**
 * CyberWasm programs on IBC ports: every port `cyberwasm.<bech32 program address>` is served by
 * {@link ProgramPorts}, a {@link PortRouter} and {@link PortModule} of the ibc machine that turns
 * each channel and packet callback into an envelope (Envelope.ts) and runs the owning program's
 * `cyberwasm_dispatch` through the cyberwasm machine's call API `ibc-callback`
 * (wit/chain/cyberwasm.wit), as `machine:ibc`, in the message's branch and gas meter (the relayer
 * pays, as wasmd's contract IBC entry points). Programs send with the ibc call API `send-packet`
 * (wit/chain/ibc.wit), which accepts only the caller's own port (Ibc.ts ownedPort).
 *
 * Results (docs/ibc.md "Programs on IBC"): open-init / open-try return the version (UTF-8, empty =
 * the proposed / counterparty version; InvalidChannelVersion, channel 24, for other bytes); recv
 * returns the acknowledgement bytes (an empty one is InvalidAcknowledgement, channel 16, which core
 * turns into an error acknowledgement as any failing receive); the other callbacks' data is ignored.
 * A port whose address holds no program refuses every callback (cyberwasm ProgramNotFound, 4);
 * without an active cyberwasm machine, InvalidRoute (port 5).
 *
 * Source: ibc-go modules/core/05-port/types/module.go; wasmd x/wasm/ibc.go (port `wasm.<address>`,
 * the IBC entry points of a contract, gas from the transaction).
 */
import type { Grant } from "../../../../chain/Capabilities.ts"
import { cyberwasmClient } from "../../../../chain/generated/cyberwasm.ts"
import type { ExecContext } from "../../../../chain/Machine.ts"
import type { PortRouter } from "../../core/ChannelKeeper.ts"
import { ibcLog, InvalidAcknowledgement, InvalidChannelVersion, InvalidRoute } from "../../core/IbcError.ts"
import type { Acknowledgement, ChannelInfo, Packet, PortModule } from "../../PortModule.ts"
import { channelEnvelope, packetEnvelope } from "./Envelope.ts"

/** Port id prefix of programs: `cyberwasm.<address>`. */
export const PROGRAM_PORT_PREFIX = "cyberwasm."

/** The program address of a program port, or undefined for any other port. */
export const programOfPort = (portId: string): string | undefined =>
  portId.startsWith(PROGRAM_PORT_PREFIX) && portId.length > PROGRAM_PORT_PREFIX.length ? portId.slice(PROGRAM_PORT_PREFIX.length) : undefined

const grant = (principal: string, iface: string, method: string): Grant => ({ principal, capability: { interface: iface, method, constraints: [] } })

/**
 * Capabilities of program ports, declared by the ibc machine: it may run programs' IBC callbacks;
 * every program may send packets (on its own port only: checked by send-packet) and read channels.
 */
export const PROGRAM_PORT_GRANTS: ReadonlyArray<Grant> = [
  grant("machine:ibc", "cyberwasm", "ibc-callback"),
  grant("program:*", "ibc", "send-packet"),
  grant("program:*", "ibc", "channel")
]

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** The router and port module of every `cyberwasm.<address>` port. */
export class ProgramPorts implements PortRouter, PortModule {
  /** Name of the machine hosting programs. */
  readonly cyberwasm: string
  constructor(cyberwasm = "cyberwasm") {
    this.cyberwasm = cyberwasm
  }

  route(portId: string): PortModule | undefined {
    return programOfPort(portId) === undefined ? undefined : this
  }

  private run(ctx: ExecContext, portId: string, message: Uint8Array): Uint8Array {
    if (!ctx.hasMachine(this.cyberwasm)) throw new InvalidRoute({ log: ibcLog(`no route for ${portId.slice(0, 128)}: cyberwasm is not active`, "route not found") })
    return cyberwasmClient((c) => ctx.call(c), this.cyberwasm).ibcCallback({ program: programOfPort(portId)!, message }).data
  }

  private version(data: Uint8Array, fallback: string): string {
    if (data.length === 0) return fallback
    try {
      return utf8.decode(data)
    } catch {
      throw new InvalidChannelVersion({ log: ibcLog("program returned a version that is not UTF-8", "invalid channel version") })
    }
  }

  onChanOpenInit(ctx: ExecContext, ch: ChannelInfo): string {
    return this.version(this.run(ctx, ch.portId, channelEnvelope("openInit", ch)), ch.version)
  }
  onChanOpenTry(ctx: ExecContext, ch: ChannelInfo, counterpartyVersion: string): string {
    return this.version(this.run(ctx, ch.portId, channelEnvelope("openTry", ch, counterpartyVersion)), counterpartyVersion)
  }
  onChanOpenAck(ctx: ExecContext, ch: ChannelInfo, counterpartyVersion: string): void {
    this.run(ctx, ch.portId, channelEnvelope("openAck", ch, counterpartyVersion))
  }
  onChanOpenConfirm(ctx: ExecContext, ch: ChannelInfo): void {
    this.run(ctx, ch.portId, channelEnvelope("openConfirm", ch))
  }
  onChanCloseInit(ctx: ExecContext, ch: ChannelInfo): void {
    this.run(ctx, ch.portId, channelEnvelope("closeInit", ch))
  }
  onChanCloseConfirm(ctx: ExecContext, ch: ChannelInfo): void {
    this.run(ctx, ch.portId, channelEnvelope("closeConfirm", ch))
  }
  onRecvPacket(ctx: ExecContext, packet: Packet, relayer: string): Acknowledgement {
    const bytes = this.run(ctx, packet.destinationPort, packetEnvelope("recv", packet, relayer))
    if (bytes.length === 0) throw new InvalidAcknowledgement({ log: ibcLog("program returned an empty acknowledgement", "invalid acknowledgement") })
    return { bytes, success: true }
  }
  onAcknowledgementPacket(ctx: ExecContext, packet: Packet, acknowledgement: Uint8Array, relayer: string): void {
    this.run(ctx, packet.sourcePort, packetEnvelope("ack", packet, relayer, acknowledgement))
  }
  onTimeoutPacket(ctx: ExecContext, packet: Packet, relayer: string): void {
    this.run(ctx, packet.sourcePort, packetEnvelope("timeout", packet, relayer))
  }
}
