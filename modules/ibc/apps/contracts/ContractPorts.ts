/**
 * CosmWasm contracts on IBC ports: every port `wasm.<bech32 contract address>` (wasmd's
 * PortIDForContract) is served by {@link ContractPorts}, a {@link PortRouter} and
 * {@link PortModule} of the ibc machine that turns each channel and packet callback into wasmvm's
 * message JSON (IBCChannelOpenMsg, IBCChannelConnectMsg, IBCChannelCloseMsg, IBCPacketReceiveMsg,
 * IBCPacketAckMsg, IBCPacketTimeoutMsg) and runs the contract's `ibc_*` entry point through the
 * cyberwasm call API `ibc-callback` (modules/cyberwasm/cosmwasm/IbcEntryPoints.ts), as
 * `machine:ibc`, in the message's branch and gas meter (the relayer pays, as in wasmd).
 *
 * Results as wasmd's IBCHandler: open-init takes the contract's version, else the proposed one
 * (wasm 12 "version: empty" when both are empty); open-try the contract's, else the counterparty's;
 * a receive's acknowledgement is the contract's bytes as is, `{"error":"<contract error>"}` when the
 * contract returned an error, wasmd's redacted `{"error":"ABCI error: <codespace>/<code>: error
 * handling packet: see events for details"}` when a submessage failed (both roll the contract's
 * writes back), none (async) when the contract returned no acknowledgement. A port whose address
 * holds no contract refuses every callback (wasm 22, no such contract), one whose contract has no
port (its code lacks the IBC entry points) too (wasm 17, as ibc-go refuses an unbound port); without an active
 * cyberwasm machine, InvalidRoute (port 5). Contracts send packets with IbcMsg::SendPacket, which
 * the cyberwasm machine passes to the ibc call API `send-packet` as `contract:<address>`: only
 * that contract's own port is accepted (Ibc.ts ownedPort).
 *
 * Source: wasmd x/wasm/ibc.go (IBCHandler, newIBCPacket, CreateErrorAcknowledgement),
 * x/wasm/keeper/ibc.go (PortIDForContract); wasmvm types/ibc.go (the JSON).
 */
import { toBase64 } from "@cosmjs/encoding"
import type { Grant } from "../../../../chain/Capabilities.ts"
import { cyberwasmClient } from "../../../../chain/generated/cyberwasm.ts"
import type { ExecContext } from "../../../../chain/Machine.ts"
import { type IbcEntryPoint, ibcChannelJson } from "../../../cyberwasm/cosmwasm/Contracts.ts"
import { decodeContractIbcResult, encodeContractIbc, received } from "../../../cyberwasm/cosmwasm/IbcEntryPoints.ts"
import { jsonBytes } from "../../../cyberwasm/cosmwasm/Json.ts"
import { Empty } from "../../../cyberwasm/cosmwasm/WasmdError.ts"
import type { PortRouter } from "../../core/ChannelKeeper.ts"
import { ibcLog, InvalidRoute } from "../../core/IbcError.ts"
import { errorAcknowledgementText } from "../../core/internal/AckJson.ts"
import type { Acknowledgement, ChannelInfo, Packet, PortModule } from "../../PortModule.ts"

/** Port id prefix of contracts: `wasm.<address>` (wasmd portIDPrefix). */
export const CONTRACT_PORT_PREFIX = "wasm."

/** The contract address of a contract port, or undefined for any other port. */
export const contractOfPort = (portId: string): string | undefined =>
  portId.startsWith(CONTRACT_PORT_PREFIX) && portId.length > CONTRACT_PORT_PREFIX.length ? portId.slice(CONTRACT_PORT_PREFIX.length) : undefined

const grant = (principal: string, iface: string, method: string): Grant => ({ principal, capability: { interface: iface, method, constraints: [] } })

/**
 * Capabilities of contract ports, declared by the ibc machine: every contract may send packets
 * and close channels (its own port only: checked by the ibc machine), read channel ends
 * (IbcQuery::Channel) and transfer its own coins over ICS-20 (IbcMsg::Transfer; the ibc machine
 * may move a caller's coins only while serving that caller's call: `{from: caller}`). The ibc
 * machine's `cyberwasm.ibc-callback` is granted with the program ports (PROGRAM_PORT_GRANTS).
 */
export const CONTRACT_PORT_GRANTS: ReadonlyArray<Grant> = [
  grant("contract:*", "ibc", "send-packet"),
  grant("contract:*", "ibc", "channel"),
  grant("contract:*", "ibc", "list-channels"),
  grant("contract:*", "ibc", "transfer"),
  grant("contract:*", "ibc", "close-channel"),
  // IbcMsg::Transfer: the ibc machine escrows or burns the calling contract's own coins only
  { principal: "machine:ibc", capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "caller", value: "" }] } },
  {
    principal: "machine:ibc",
    capability: { interface: "bank", method: "burn", constraints: [{ field: "address", op: "caller", value: "" }, { field: "coins[].denom", op: "prefix", value: "ibc/" }] }
  }
]

const enc = new TextEncoder()
const dec = new TextDecoder()

const endpoint = (portId: string, channelId: string) => ({ port_id: portId, channel_id: channelId })

/** wasmvm IBCChannel of a channel end. */
const channelJson = (ch: ChannelInfo) =>
  ibcChannelJson(ch.portId, ch.channelId, { ordering: ch.order, counterpartyPortId: ch.counterpartyPortId, counterpartyChannelId: ch.counterpartyChannelId, version: ch.version, connectionId: ch.connectionHops[0] ?? "" })

/** JSON text of a value without u64s (jsonBytes: objects in a fixed field order). */
const json = (v: unknown): string => dec.decode(jsonBytes(v))

/**
 * wasmd newIBCPacket as wasmvm's JSON text: block timeout only when set, timestamp (ns, a string)
 * only when set. Written by hand because `sequence`, `revision` and `height` are u64 JSON numbers,
 * exact past 2^53 only as digits.
 */
const packetJson = (p: Packet): string => {
  const block = p.timeoutHeight.revisionHeight === 0n && p.timeoutHeight.revisionNumber === 0n
    ? "null"
    : `{"revision":${p.timeoutHeight.revisionNumber},"height":${p.timeoutHeight.revisionHeight}}`
  const timestamp = p.timeoutTimestamp === 0n ? "" : `,"timestamp":"${p.timeoutTimestamp}"`
  return `{"data":${json(toBase64(p.data))},"src":${json(endpoint(p.sourcePort, p.sourceChannel))},"dest":${json(endpoint(p.destinationPort, p.destinationChannel))},` +
    `"sequence":${p.sequence},"timeout":{"block":${block}${timestamp}}}`
}

/** The router and port module of every `wasm.<address>` port. */
export class ContractPorts implements PortRouter, PortModule {
  /** Name of the machine hosting contracts. */
  readonly cyberwasm: string
  constructor(cyberwasm = "cyberwasm") {
    this.cyberwasm = cyberwasm
  }

  route(portId: string): PortModule | undefined {
    return contractOfPort(portId) === undefined ? undefined : this
  }

  /** Run `entry` with `msg` (a value, or JSON text already written). */
  private run(ctx: ExecContext, portId: string, entry: IbcEntryPoint, msg: unknown) {
    if (!ctx.hasMachine(this.cyberwasm)) throw new InvalidRoute({ log: ibcLog(`no route for ${portId.slice(0, 128)}: cyberwasm is not active`, "route not found") })
    const message = encodeContractIbc({ entry, msg: typeof msg === "string" ? enc.encode(msg) : jsonBytes(msg) })
    return decodeContractIbcResult(cyberwasmClient((c) => ctx.call(c), this.cyberwasm).ibcCallback({ program: contractOfPort(portId)!, message }).data)
  }

  private version(ctx: ExecContext, ch: ChannelInfo, msg: unknown): string | undefined {
    const r = this.run(ctx, ch.portId, "ibc_channel_open", msg)
    return r.kind === "data" ? dec.decode(r.data) : undefined
  }

  onChanOpenInit(ctx: ExecContext, ch: ChannelInfo): string {
    const v = this.version(ctx, ch, { open_init: { channel: channelJson(ch) } }) ?? ch.version
    if (v === "") throw new Empty({ log: "version: empty" })
    return v
  }
  onChanOpenTry(ctx: ExecContext, ch: ChannelInfo, counterpartyVersion: string): string {
    return this.version(ctx, ch, { open_try: { channel: channelJson({ ...ch, version: counterpartyVersion }), counterparty_version: counterpartyVersion } }) ?? counterpartyVersion
  }
  onChanOpenAck(ctx: ExecContext, ch: ChannelInfo, counterpartyVersion: string): void {
    this.run(ctx, ch.portId, "ibc_channel_connect", { open_ack: { channel: channelJson(ch), counterparty_version: counterpartyVersion } })
  }
  onChanOpenConfirm(ctx: ExecContext, ch: ChannelInfo): void {
    this.run(ctx, ch.portId, "ibc_channel_connect", { open_confirm: { channel: channelJson(ch) } })
  }
  onChanCloseInit(ctx: ExecContext, ch: ChannelInfo): void {
    this.run(ctx, ch.portId, "ibc_channel_close", { close_init: { channel: channelJson(ch) } })
  }
  onChanCloseConfirm(ctx: ExecContext, ch: ChannelInfo): void {
    this.run(ctx, ch.portId, "ibc_channel_close", { close_confirm: { channel: channelJson(ch) } })
  }
  onRecvPacket(ctx: ExecContext, packet: Packet, relayer: string): Acknowledgement | undefined {
    const r = this.run(ctx, packet.destinationPort, "ibc_packet_receive", `{"packet":${packetJson(packet)},"relayer":${json(relayer)}}`)
    switch (r.kind) {
      case "data": return { bytes: r.data, success: true }
      case "none": return undefined
      case "contract-error":
        ctx.emit(received(contractOfPort(packet.destinationPort)!, false))
        return { bytes: enc.encode(errorAcknowledgementText(r.error)), success: false }
      case "redacted-error":
        ctx.emit(received(contractOfPort(packet.destinationPort)!, false, r.log))
        return { bytes: enc.encode(errorAcknowledgementText(`ABCI error: ${r.codespace}/${r.code}: error handling packet: see events for details`)), success: false }
    }
  }
  onAcknowledgementPacket(ctx: ExecContext, packet: Packet, acknowledgement: Uint8Array, relayer: string): void {
    this.run(ctx, packet.sourcePort, "ibc_packet_ack", `{"acknowledgement":{"data":${json(toBase64(acknowledgement))}},"original_packet":${packetJson(packet)},"relayer":${json(relayer)}}`)
  }
  onTimeoutPacket(ctx: ExecContext, packet: Packet, relayer: string): void {
    this.run(ctx, packet.sourcePort, "ibc_packet_timeout", `{"packet":${packetJson(packet)},"relayer":${json(relayer)}}`)
  }
}
