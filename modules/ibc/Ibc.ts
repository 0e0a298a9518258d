/**
 * The `ibc` machine: ibc-go v8–compatible IBC core (classic IBC v1) over the `ibc` namespace,
 * whose raw keys are ICS-24 paths, so `abci_query store/ibc/key` proofs verify on an ibc-go
 * counterparty under commitment prefix `ibc` (docs/ibc.md).
 *
 * Messages: `/ibc.core.client.v1.Msg{CreateClient,UpdateClient,SubmitMisbehaviour}`,
 * `/ibc.core.connection.v1.MsgConnectionOpen{Init,Try,Ack,Confirm}`,
 * `/ibc.core.channel.v1.Msg{ChannelOpenInit,ChannelOpenTry,ChannelOpenAck,ChannelOpenConfirm,
 * ChannelCloseInit,ChannelCloseConfirm,RecvPacket,Acknowledgement,Timeout,TimeoutOnClose}`,
 * plus the messages of the applications it hosts (ICS-20's MsgTransfer). Signer: each message's
 * `signer` (ibc InvalidAddress when not a bech32 account of this chain). Queries: core/Queries.ts
 * and the applications' prefixes. Genesis: core/Genesis.ts plus `apps.<port>` per application.
 *
 * Light clients are {@link ClientRoute}s (07-tendermint from modules/ibc/lightclients); applications
 * are {@link IbcApplication}s bound to a port, built with the machine's {@link PacketSender}.
 * Errors carry ibc-go's codespaces and codes (core/IbcError.ts). Call API (wit/chain/ibc.wit):
 * `send-packet` on the caller's own port ({@link ownedPort}) and the read-only `channel` lookup.
 *
 * Source: ibc-go v8.8.0 modules/core/keeper/msg_server.go, modules/core/module.go,
 * 02-client/types/msgs.go, 03-connection/types/msgs.go, 04-channel/types/msgs.go.
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import * as ChTx from "cosmjs-types/ibc/core/channel/v1/tx"
import { Channel, State } from "cosmjs-types/ibc/core/channel/v1/channel"
import { prefixEnd } from "../../lib/Bytes.ts"
import * as ClTx from "cosmjs-types/ibc/core/client/v1/tx"
import * as CoTx from "cosmjs-types/ibc/core/connection/v1/tx"
import type { Grant } from "../../chain/Capabilities.ts"
import { TxDecodeError, UnknownRequest } from "../../chain/ChainError.ts"
import type { ExecContext, Machine, MsgContext, MsgResult, QueryContext } from "../../chain/Machine.ts"
import { parsePrincipal, type PrincipalKind, selfAddress } from "../../chain/Principal.ts"
import { MsgTransfer, MsgTransferResponse } from "cosmjs-types/ibc/applications/transfer/v1/tx"
import { canonicalAddress } from "../auth/Address.ts"
import type { Height } from "./LightClient.ts"
import type { Packet, PacketSender, PortModule } from "./PortModule.ts"
import { ChannelKeeper, type PortRouter } from "./core/ChannelKeeper.ts"
import { ClientKeeper, type ClientRoute } from "./core/ClientKeeper.ts"
import { ConnectionKeeper } from "./core/ConnectionKeeper.ts"
import { coreContext } from "./core/CoreContext.ts"
import { exportCoreGenesis, importCoreGenesis } from "./core/Genesis.ts"
import { heightOf } from "./core/Height.ts"
import { validateChannelId, validatePortId } from "./core/Host.ts"
import { ChannelCapabilityNotFound, IbcInvalidAddress, ibcLog, IbcUnauthorized, InvalidClient, PortExists } from "./core/IbcError.ts"
import { channelStateName, orderName } from "./core/ChannelKeeper.ts"
import { ibcDispatcher, ibcInterface } from "../../chain/generated/ibc.ts"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import { PacketKeeper, type PacketResult } from "./core/PacketKeeper.ts"
import { CHANNEL_QUERY, CLIENT_QUERY, CONNECTION_QUERY, CoreQueries } from "./core/Queries.ts"

const CLIENT = "/ibc.core.client.v1."
const CONNECTION = "/ibc.core.connection.v1."
const CHANNEL = "/ibc.core.channel.v1."

/** Core message type URLs. */
export const IBC_MSG_TYPE_URLS: ReadonlyArray<string> = [
  ...["MsgCreateClient", "MsgUpdateClient", "MsgSubmitMisbehaviour"].map((m) => CLIENT + m),
  ...["MsgConnectionOpenInit", "MsgConnectionOpenTry", "MsgConnectionOpenAck", "MsgConnectionOpenConfirm"].map((m) => CONNECTION + m),
  ...["MsgChannelOpenInit", "MsgChannelOpenTry", "MsgChannelOpenAck", "MsgChannelOpenConfirm", "MsgChannelCloseInit", "MsgChannelCloseConfirm",
    "MsgRecvPacket", "MsgAcknowledgement", "MsgTimeout", "MsgTimeoutOnClose"].map((m) => CHANNEL + m)
]

/** What core writes for applications besides sending: an async acknowledgement (ibc-go WriteAcknowledgement). */
export interface AcknowledgementWriter {
  /** Write the acknowledgement of a received packet whose onRecvPacket returned undefined. Throws a channel error. */
  writeAcknowledgement(ctx: ExecContext, packet: Packet, acknowledgement: Uint8Array): void
}

/**
 * An application hosted by the machine: the port callbacks, and optionally its own messages,
 * queries, genesis (section `apps.<portId>`, state under `apps/<portId>/`) and grants.
 */
export interface IbcApplication extends PortModule {
  readonly portId: string
  readonly msgTypeUrls?: ReadonlyArray<string>
  readonly queryPrefixes?: ReadonlyArray<string>
  readonly grants?: ReadonlyArray<Grant>
  signers?(msg: Any): ReadonlyArray<string>
  handle?(ctx: MsgContext, msg: Any): MsgResult
  query?(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array
  initGenesis?(ctx: ExecContext, genesis: unknown): void
  exportGenesis?(ctx: QueryContext): unknown
}

/** Configuration of the ibc machine. */
export interface IbcConfig {
  /** Account prefix of signers (default "cyber"). */
  readonly bech32Prefix?: string
  /** Light client modules by client state type URL. */
  readonly lightClients?: ReadonlyArray<ClientRoute>
  /** The applications, given core's packet sender and ack writer. */
  readonly apps?: (core: PacketSender & AcknowledgementWriter) => ReadonlyArray<IbcApplication>
  /** Ports served outside the fixed applications (e.g. `cyberwasm.<address>` programs), consulted after them. */
  readonly ports?: PortRouter
  /** Capabilities the machine asks for besides its applications'. */
  readonly grants?: ReadonlyArray<Grant>
}

const decodeMsg = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new TxDecodeError({ log: `invalid ${what}: ${(e as Error).message}: tx parse error` })
  }
}

/**
 * The port a principal owns (ibc-go's port capability): `cyberwasm.<address>` for
 * `program:<address>`, `wasm.<address>` for `contract:<address>` (wasmd PortIDForContract),
 * `<name>` for `machine:<name>`; none for other principals.
 */
export const ownedPort = (principal: string): string | undefined => {
  const i = principal.indexOf(":")
  const kind = principal.slice(0, i)
  const id = principal.slice(i + 1)
  if (i <= 0 || id === "") return undefined
  return kind === "program" ? `cyberwasm.${id}` : kind === "contract" ? `wasm.${id}` : kind === "machine" ? id : undefined
}

/** Most channel ends one `list-channels` answer holds (a port's OPEN channels, in store order). */
export const MAX_LISTED_CHANNELS = 1_000

const enc = new TextEncoder()
const dec = new TextDecoder()

/** ICS-20 MsgTransfer (the transfer application's message, run for the call API's `transfer`). */
const MSG_TRANSFER_URL = "/ibc.applications.transfer.v1.MsgTransfer"

const RESULT = { NOOP: ChTx.ResponseResultType.RESPONSE_RESULT_TYPE_NOOP, SUCCESS: ChTx.ResponseResultType.RESPONSE_RESULT_TYPE_SUCCESS } as const
const result = (r: PacketResult) => RESULT[r]

/** The ibc machine. */
export class IbcMachine implements Machine {
  readonly name: string = "ibc"
  readonly version: string = "0.1.0"
  /** ICS-20's per-channel escrow accounts (`escrow:<port>.<channel>`, chain/Principal.ts): transfer unescrows as them. */
  readonly hosts: ReadonlyArray<PrincipalKind> = ["escrow"]
  readonly msgTypeUrls: ReadonlyArray<string>
  readonly queryPrefixes: ReadonlyArray<string>
  readonly grants: ReadonlyArray<Grant>
  readonly clients: ClientKeeper
  readonly connections: ConnectionKeeper
  readonly channels: ChannelKeeper
  readonly packets: PacketKeeper
  readonly apps: ReadonlyArray<IbcApplication>
  private readonly queries: CoreQueries
  private readonly prefix: string
  private readonly appByUrl = new Map<string, IbcApplication>()

  constructor(config: IbcConfig = {}) {
    this.prefix = config.bech32Prefix ?? "cyber"
    this.clients = new ClientKeeper(config.lightClients ?? [])
    this.connections = new ConnectionKeeper(this.clients)
    const byPort = new Map<string, IbcApplication>()
    this.channels = new ChannelKeeper(this.connections, { route: (port) => byPort.get(port) ?? config.ports?.route(port) })
    this.packets = new PacketKeeper(this.channels)
    this.apps = config.apps?.(this.coreForApps) ?? []
    for (const app of this.apps) {
      if (byPort.has(app.portId)) throw new PortExists({ log: ibcLog(`port ${app.portId} is bound twice`, "port is already binded") })
      byPort.set(app.portId, app)
      for (const url of app.msgTypeUrls ?? []) this.appByUrl.set(url, app)
    }
    this.queries = new CoreQueries(this.channels)
    this.msgTypeUrls = [...IBC_MSG_TYPE_URLS, ...this.appByUrl.keys()]
    this.queryPrefixes = [CLIENT_QUERY, CONNECTION_QUERY, CHANNEL_QUERY, ...this.apps.flatMap((a) => a.queryPrefixes ?? [])]
    this.grants = [...(config.grants ?? []), ...this.apps.flatMap((a) => a.grants ?? [])]
  }

  /** The call API: wit/chain/ibc.wit. */
  readonly interface: InterfaceSpec = ibcInterface

  /**
   * send-packet: SendPacket on the caller's own port (ChannelCapabilityNotFound, channel 9, for
   * another port, as ibc-go's capability check); channel: the channel end, `found` false if none
   * (InvalidIdentifier, host 2, for a malformed port or channel id); transfer: ICS-20 MsgTransfer on
   * port `transfer` whose sender is the calling contract or program itself (Unauthorized for other
   * callers; the escrow or burn moves the caller's coins through `bank.send {from: caller}` /
   * `bank.burn {address: caller}`, so nothing else can be spent); close-channel: MsgChannelCloseInit
   * on the caller's own port (ChannelCapabilityNotFound otherwise); list-channels: a port's OPEN
   * channel ends in store order, at most {@link MAX_LISTED_CHANNELS}.
   */
  readonly onCall = ibcDispatcher({
    transfer: (ctx, caller, req) => {
      const kind = caller.slice(0, caller.indexOf(":"))
      const app = this.appByUrl.get(MSG_TRANSFER_URL)
      if (!app || (kind !== "contract" && kind !== "program")) throw new IbcUnauthorized({ log: ibcLog(`${caller.slice(0, 128)} cannot transfer through the call API`, "unauthorized") })
      const sender = selfAddress(parsePrincipal(caller), this.prefix)
      const value = MsgTransfer.encode({
        sourcePort: "transfer", sourceChannel: req.sourceChannel, token: { denom: req.denom, amount: req.amount }, sender, receiver: req.receiver,
        timeoutHeight: req.timeoutHeight ?? { revisionNumber: 0n, revisionHeight: 0n }, timeoutTimestamp: req.timeoutTimestamp, memo: req.memo, encoding: ""
      }).finish()
      // the transfer app reads only the ExecContext part of a message context
      const r = app.handle!(ctx as unknown as MsgContext, { typeUrl: MSG_TRANSFER_URL, value })
      return { sequence: MsgTransferResponse.decode(r.value).sequence }
    },
    closeChannel: (ctx, caller, req) => {
      if (ownedPort(caller) !== req.sourcePort) {
        throw new ChannelCapabilityNotFound({
          log: ibcLog(`caller ${caller} does not own capability for channel, port ID (${req.sourcePort.slice(0, 128)}) channel ID (${req.channelId.slice(0, 64)})`, "channel capability not found")
        })
      }
      this.channels.closeInit(ctx, req.sourcePort, req.channelId)
      return {}
    },
    sendPacket: (ctx, caller, req) => {
      if (ownedPort(caller) !== req.sourcePort) {
        throw new ChannelCapabilityNotFound({
          log: ibcLog(`caller ${caller} does not own capability for channel, port ID (${req.sourcePort.slice(0, 128)}) channel ID (${req.sourceChannel.slice(0, 64)})`, "channel capability not found")
        })
      }
      const h = req.timeoutHeight ?? { revisionNumber: 0n, revisionHeight: 0n }
      return { sequence: this.packets.sendPacket(coreContext(ctx), req.sourcePort, req.sourceChannel, h, req.timeoutTimestamp, req.data) }
    },
    listChannels: (ctx, _caller, req) => {
      validatePortId(req.portId)
      const prefix = enc.encode(`channelEnds/ports/${req.portId}/channels/`)
      const channels: Array<{ channelId: string; ordering: string; counterpartyPortId: string; counterpartyChannelId: string; connectionId: string; version: string }> = []
      for (const [k, v] of ctx.store.iterate(prefix, prefixEnd(prefix))) {
        const ch = Channel.decode(v)
        if (ch.state !== State.STATE_OPEN) continue
        if (channels.length >= MAX_LISTED_CHANNELS) break
        channels.push({
          channelId: dec.decode(k.subarray(prefix.length)), ordering: orderName(ch.ordering), counterpartyPortId: ch.counterparty?.portId ?? "",
          counterpartyChannelId: ch.counterparty?.channelId ?? "", connectionId: ch.connectionHops[0] ?? "", version: ch.version
        })
      }
      return { channels }
    },
    channel: (ctx, _caller, req) => {
      validatePortId(req.portId)
      validateChannelId(req.channelId)
      const ch = this.channels.get(ctx.store, req.portId, req.channelId)
      if (!ch) return { found: false, state: "", ordering: "", counterpartyPortId: "", counterpartyChannelId: "", connectionId: "", version: "" }
      return {
        found: true, state: channelStateName(ch.state), ordering: orderName(ch.ordering), counterpartyPortId: ch.counterparty.portId,
        counterpartyChannelId: ch.counterparty.channelId, connectionId: ch.connectionHops[0] ?? "", version: ch.version
      }
    }
  })

  /** SendPacket and WriteAcknowledgement for applications, in the caller's branch. */
  readonly coreForApps: PacketSender & AcknowledgementWriter = {
    sendPacket: (ctx, sourcePort, sourceChannel, timeoutHeight, timeoutTimestamp, data) =>
      this.packets.sendPacket(coreContext(ctx), sourcePort, sourceChannel, timeoutHeight, timeoutTimestamp, data),
    writeAcknowledgement: (ctx, packet, ack) => this.packets.writeAcknowledgement(coreContext(ctx), packet, ack)
  }

  private signer(address: string): string {
    try {
      return canonicalAddress(address, this.prefix)
    } catch (e) {
      throw new IbcInvalidAddress({ log: ibcLog(`string could not be parsed as address: ${(e as { log?: string }).log ?? String(e)}`, "invalid address") })
    }
  }

  /** The `signer` of a core message; an application's own signers for its messages. */
  signers(msg: Any): ReadonlyArray<string> {
    const app = this.appByUrl.get(msg.typeUrl)
    if (app?.signers) return app.signers(msg)
    const codec = this.codec(msg.typeUrl)
    return [this.signer(decodeMsg(msg.typeUrl.slice(1), () => codec.decode(msg.value)).signer)]
  }

  private codec(typeUrl: string): { decode(b: Uint8Array): { signer: string } } {
    const name = typeUrl.slice(typeUrl.lastIndexOf(".") + 1)
    const table: Record<string, unknown> = typeUrl.startsWith(CLIENT) ? ClTx : typeUrl.startsWith(CONNECTION) ? CoTx : typeUrl.startsWith(CHANNEL) ? ChTx : {}
    if (!IBC_MSG_TYPE_URLS.includes(typeUrl) || !Object.hasOwn(table, name)) {
      throw new UnknownRequest({ log: `unrecognized ibc message type: ${typeUrl.slice(0, 200)}: unknown request` })
    }
    return table[name] as { decode(b: Uint8Array): { signer: string } }
  }

  handle(ctx: MsgContext, msg: Any): MsgResult {
    const app = this.appByUrl.get(msg.typeUrl)
    if (app?.handle) return app.handle(ctx, msg)
    const m = decodeMsg(msg.typeUrl.slice(1), () => this.codec(msg.typeUrl).decode(msg.value)) as never
    const relayer = this.signer((m as { signer: string }).signer)
    const core = coreContext(ctx)
    const ph = (h: { revisionNumber: bigint; revisionHeight: bigint } | undefined): Height => heightOf(h)
    const out = (typeUrl: string, value: Uint8Array): MsgResult => ({ typeUrl: `${typeUrl}Response`, value })
    switch (msg.typeUrl) {
      case `${CLIENT}MsgCreateClient`: {
        const r = m as ClTx.MsgCreateClient
        if (!r.clientState) throw new InvalidClient({ log: ibcLog("client state cannot be nil", "light client is invalid") })
        if (!r.consensusState) throw new InvalidClient({ log: ibcLog("consensus state cannot be nil", "light client is invalid") })
        const clientId = this.clients.create(core, r.clientState, r.consensusState)
        return out(msg.typeUrl, ClTx.MsgCreateClientResponse.encode({ clientId }).finish())
      }
      case `${CLIENT}MsgUpdateClient`:
      case `${CLIENT}MsgSubmitMisbehaviour`: {
        const r = m as ClTx.MsgUpdateClient & ClTx.MsgSubmitMisbehaviour
        const message = msg.typeUrl.endsWith("MsgUpdateClient") ? r.clientMessage : r.misbehaviour
        if (!message) throw new InvalidClient({ log: ibcLog("client message cannot be nil", "light client is invalid") })
        this.clients.update(core, r.clientId, message)
        return out(msg.typeUrl, new Uint8Array())
      }
      case `${CONNECTION}MsgConnectionOpenInit`: {
        const r = m as CoTx.MsgConnectionOpenInit
        this.connections.openInit(core, r.clientId, r.counterparty, r.version, r.delayPeriod)
        return out(msg.typeUrl, new Uint8Array())
      }
      case `${CONNECTION}MsgConnectionOpenTry`: {
        const r = m as CoTx.MsgConnectionOpenTry
        this.connections.openTry(core, r.clientId, r.counterparty, r.delayPeriod, r.counterpartyVersions, r.proofInit, ph(r.proofHeight), r.previousConnectionId)
        return out(msg.typeUrl, new Uint8Array())
      }
      case `${CONNECTION}MsgConnectionOpenAck`: {
        const r = m as CoTx.MsgConnectionOpenAck
        this.connections.openAck(core, r.connectionId, r.counterpartyConnectionId, r.version, r.proofTry, ph(r.proofHeight))
        return out(msg.typeUrl, new Uint8Array())
      }
      case `${CONNECTION}MsgConnectionOpenConfirm`: {
        const r = m as CoTx.MsgConnectionOpenConfirm
        this.connections.openConfirm(core, r.connectionId, r.proofAck, ph(r.proofHeight))
        return out(msg.typeUrl, new Uint8Array())
      }
      case `${CHANNEL}MsgChannelOpenInit`: {
        const r = m as ChTx.MsgChannelOpenInit
        const { channelId, version } = this.channels.openInit(ctx, r.portId, r.channel)
        return out(msg.typeUrl, ChTx.MsgChannelOpenInitResponse.encode({ channelId, version }).finish())
      }
      case `${CHANNEL}MsgChannelOpenTry`: {
        const r = m as ChTx.MsgChannelOpenTry
        const { channelId, version } = this.channels.openTry(ctx, r.portId, r.channel, r.counterpartyVersion, r.proofInit, ph(r.proofHeight), r.previousChannelId)
        return out(msg.typeUrl, ChTx.MsgChannelOpenTryResponse.encode({ channelId, version }).finish())
      }
      case `${CHANNEL}MsgChannelOpenAck`: {
        const r = m as ChTx.MsgChannelOpenAck
        this.channels.openAck(ctx, r.portId, r.channelId, r.counterpartyChannelId, r.counterpartyVersion, r.proofTry, ph(r.proofHeight))
        return out(msg.typeUrl, new Uint8Array())
      }
      case `${CHANNEL}MsgChannelOpenConfirm`: {
        const r = m as ChTx.MsgChannelOpenConfirm
        this.channels.openConfirm(ctx, r.portId, r.channelId, r.proofAck, ph(r.proofHeight))
        return out(msg.typeUrl, new Uint8Array())
      }
      case `${CHANNEL}MsgChannelCloseInit`: {
        const r = m as ChTx.MsgChannelCloseInit
        this.channels.closeInit(ctx, r.portId, r.channelId)
        return out(msg.typeUrl, new Uint8Array())
      }
      case `${CHANNEL}MsgChannelCloseConfirm`: {
        const r = m as ChTx.MsgChannelCloseConfirm
        this.channels.closeConfirm(ctx, r.portId, r.channelId, r.proofInit, ph(r.proofHeight))
        return out(msg.typeUrl, new Uint8Array())
      }
      case `${CHANNEL}MsgRecvPacket`: {
        const r = m as ChTx.MsgRecvPacket
        const res = this.packets.recvPacket(ctx, r.packet, r.proofCommitment, ph(r.proofHeight), relayer)
        return out(msg.typeUrl, ChTx.MsgRecvPacketResponse.encode({ result: result(res) }).finish())
      }
      case `${CHANNEL}MsgAcknowledgement`: {
        const r = m as ChTx.MsgAcknowledgement
        const res = this.packets.acknowledgePacket(ctx, r.packet, r.acknowledgement, r.proofAcked, ph(r.proofHeight), relayer)
        return out(msg.typeUrl, ChTx.MsgAcknowledgementResponse.encode({ result: result(res) }).finish())
      }
      case `${CHANNEL}MsgTimeout`: {
        const r = m as ChTx.MsgTimeout
        const res = this.packets.timeoutPacket(ctx, r.packet, r.proofUnreceived, ph(r.proofHeight), r.nextSequenceRecv, relayer)
        return out(msg.typeUrl, ChTx.MsgTimeoutResponse.encode({ result: result(res) }).finish())
      }
      case `${CHANNEL}MsgTimeoutOnClose`: {
        const r = m as ChTx.MsgTimeoutOnClose
        const res = this.packets.timeoutOnClose(ctx, r.packet, r.proofUnreceived, r.proofClose, ph(r.proofHeight), r.nextSequenceRecv, relayer)
        return out(msg.typeUrl, ChTx.MsgTimeoutOnCloseResponse.encode({ result: result(res) }).finish())
      }
    }
    throw new UnknownRequest({ log: `unrecognized ibc message type: ${msg.typeUrl.slice(0, 200)}: unknown request` })
  }

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    for (const app of this.apps) {
      if (app.query && (app.queryPrefixes ?? []).some((p) => path.startsWith(p))) return app.query(ctx, path, data)
    }
    return this.queries.query(ctx, path, data)
  }

  /** Core sections (core/Genesis.ts) and `apps.<port>` for each application with a genesis. */
  initGenesis(ctx: ExecContext, genesis: unknown): void {
    importCoreGenesis(ctx.store, genesis)
    const apps = typeof genesis === "object" && genesis !== null ? (genesis as { apps?: Record<string, unknown> }).apps : undefined
    for (const app of this.apps) {
      const section = apps !== undefined && typeof apps === "object" && Object.hasOwn(apps, app.portId) ? apps[app.portId] : undefined
      app.initGenesis?.(ctx, section)
    }
  }

  exportGenesis(ctx: QueryContext): unknown {
    const withGenesis = this.apps.filter((a) => a.exportGenesis)
    const apps: Record<string, unknown> = {}
    for (const a of withGenesis) apps[a.portId] = a.exportGenesis!(ctx)
    return { ...exportCoreGenesis(ctx.store, withGenesis.map((a) => a.portId)), apps }
  }
}
