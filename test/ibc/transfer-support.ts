/**
 * Test support for ICS-20 transfer before IBC core lands: a test-double `ibc` machine that hosts
 * the real TransferModule on the real Application (auth + bank, IAVL store, signed CosmJS txs),
 * with a PacketSender double that records packets, and channel messages (MsgRecvPacket,
 * MsgAcknowledgement, MsgTimeout from cosmjs-types) delivered straight to the transfer callbacks
 * without proofs. Like core (ibc-go msg_server RecvPacket), an error acknowledgement discards the
 * callback's writes and renames its events `ibccallbackerror-...` (convertToErrorEvents). Replace with the real core machine once modules/ibc/core is committed.
 */
import { Registry, type DirectSecp256k1HdWallet, type EncodeObject } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { QueryBalanceRequest, QueryBalanceResponse, QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { BinaryWriter } from "cosmjs-types/binary"
import { Params as TransferParams } from "cosmjs-types/ibc/applications/transfer/v1/transfer"
import type { Any } from "cosmjs-types/google/protobuf/any"
import {
  MsgAcknowledgement, MsgAcknowledgementResponse, MsgRecvPacket, MsgRecvPacketResponse, MsgTimeout, MsgTimeoutResponse, ResponseResultType
} from "cosmjs-types/ibc/core/channel/v1/tx"
import { Channel, Order, State as ChannelState, type Packet as ProtoPacket } from "cosmjs-types/ibc/core/channel/v1/channel"
import type { Event, ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { chainErrorClass, TxDecodeError } from "../../chain/ChainError.ts"
import type { ExecContext, Machine, MsgContext, MsgResult, QueryContext } from "../../chain/Machine.ts"
import type { Height } from "../../modules/ibc/LightClient.ts"
import { channelPath, key } from "../../modules/ibc/core/Host.ts"
import type { Acknowledgement, Packet, PacketSender } from "../../modules/ibc/PortModule.ts"
import { TRANSFER_GRANTS, TransferModule } from "../../modules/ibc/apps/transfer/Transfer.ts"
import { CHAIN_ID, TestChain } from "../auth/support/Chain.ts"

/** channel 3 "channel not found" (as core's SendPacket throws it). */
export class ChannelNotFoundDouble extends chainErrorClass("ErrChannelNotFound", "channel", 3) {}

/** A sent packet as the double recorded it. */
export interface SentPacket extends Packet {}

/** PacketSender double: open channels (port/channel -> counterparty), sequences in memory, packets recorded. */
export class PacketSenderDouble implements PacketSender {
  readonly sent: SentPacket[] = []
  private readonly next = new Map<string, bigint>()
  readonly channels: Map<string, { port: string; channel: string }>
  constructor(channels: Map<string, { port: string; channel: string }>) {
    this.channels = channels
  }
  sendPacket(_ctx: ExecContext, sourcePort: string, sourceChannel: string, timeoutHeight: Height, timeoutTimestamp: bigint, data: Uint8Array): bigint {
    const key = `${sourcePort}/${sourceChannel}`
    const cp = this.channels.get(key)
    if (!cp) throw new ChannelNotFoundDouble({ log: `port ID (${sourcePort}) channel ID (${sourceChannel}): channel not found` })
    const sequence = this.next.get(key) ?? 1n
    this.next.set(key, sequence + 1n)
    this.sent.push({ sequence, sourcePort, sourceChannel, destinationPort: cp.port, destinationChannel: cp.channel, data, timeoutHeight, timeoutTimestamp })
    return sequence
  }
}

const toPacket = (p: ProtoPacket | undefined): Packet => {
  if (!p) throw new TxDecodeError({ log: "missing packet" })
  return {
    sequence: p.sequence, sourcePort: p.sourcePort, sourceChannel: p.sourceChannel, destinationPort: p.destinationPort,
    destinationChannel: p.destinationChannel, data: p.data,
    timeoutHeight: { revisionNumber: p.timeoutHeight?.revisionNumber ?? 0n, revisionHeight: p.timeoutHeight?.revisionHeight ?? 0n },
    timeoutTimestamp: p.timeoutTimestamp
  }
}

/** ibc-go coretypes.ErrorAttributeKeyPrefix. */
export const ERROR_PREFIX = "ibccallbackerror-"

/** Thrown inside the double's branch to discard the writes of a failed receive. */
class Discard extends Error {}

/** The `ibc` machine double: transfer's messages, queries and grants, plus proof-less channel messages. */
export class IbcDouble implements Machine {
  readonly name = "ibc"
  readonly version = "0.0.1"
  readonly grants = TRANSFER_GRANTS
  /** As the real ibc machine: transfer unescrows as `escrow:<port>.<channel>`. */
  readonly hosts = ["escrow"] as const
  readonly transfer: TransferModule
  readonly sender: PacketSenderDouble
  /** Acks written by MsgRecvPacket, in order. */
  readonly acks: Acknowledgement[] = []
  readonly msgTypeUrls: ReadonlyArray<string>
  readonly queryPrefixes: ReadonlyArray<string>

  constructor(channels: Map<string, { port: string; channel: string }>, opts: { blockedAddresses?: string[] } = {}) {
    this.sender = new PacketSenderDouble(channels)
    this.transfer = new TransferModule({ bech32Prefix: "cyber", packetSender: this.sender, ...opts })
    this.msgTypeUrls = [...this.transfer.msgTypeUrls, MsgRecvPacket.typeUrl, MsgAcknowledgement.typeUrl, MsgTimeout.typeUrl]
    this.queryPrefixes = this.transfer.queryPrefixes
  }

  signers(msg: Any): ReadonlyArray<string> {
    if (msg.typeUrl === MsgRecvPacket.typeUrl) return [MsgRecvPacket.decode(msg.value).signer]
    if (msg.typeUrl === MsgAcknowledgement.typeUrl) return [MsgAcknowledgement.decode(msg.value).signer]
    if (msg.typeUrl === MsgTimeout.typeUrl) return [MsgTimeout.decode(msg.value).signer]
    return this.transfer.signers(msg)
  }

  handle(ctx: MsgContext, msg: Any): MsgResult {
    if (msg.typeUrl === MsgRecvPacket.typeUrl) {
      const m = MsgRecvPacket.decode(msg.value)
      let ack: Acknowledgement | undefined
      const events: Event[] = []
      try {
        ctx.branch!((b) => {
          ack = this.transfer.onRecvPacket({ ...b, emit: (e) => events.push(e) }, toPacket(m.packet), m.signer)
          if (!ack!.success) throw new Discard("error ack")
          for (const e of events) b.emit(e)
        })
      } catch (e) {
        if (!(e instanceof Discard)) throw e
        // ibc-go core convertToErrorEvents: the failed callback's events, renamed
        for (const ev of events) ctx.emit({ type: ERROR_PREFIX + ev.type, attributes: ev.attributes.map((a) => ({ ...a, key: ERROR_PREFIX + a.key })) })
      }
      this.acks.push(ack!)
      return { typeUrl: "/ibc.core.channel.v1.MsgRecvPacketResponse", value: MsgRecvPacketResponse.encode({ result: ResponseResultType.RESPONSE_RESULT_TYPE_SUCCESS }).finish() }
    }
    if (msg.typeUrl === MsgAcknowledgement.typeUrl) {
      const m = MsgAcknowledgement.decode(msg.value)
      this.transfer.onAcknowledgementPacket(ctx, toPacket(m.packet), m.acknowledgement, m.signer)
      return { typeUrl: "/ibc.core.channel.v1.MsgAcknowledgementResponse", value: MsgAcknowledgementResponse.encode({ result: ResponseResultType.RESPONSE_RESULT_TYPE_SUCCESS }).finish() }
    }
    if (msg.typeUrl === MsgTimeout.typeUrl) {
      const m = MsgTimeout.decode(msg.value)
      this.transfer.onTimeoutPacket(ctx, toPacket(m.packet), m.signer)
      return { typeUrl: "/ibc.core.channel.v1.MsgTimeoutResponse", value: MsgTimeoutResponse.encode({ result: ResponseResultType.RESPONSE_RESULT_TYPE_SUCCESS }).finish() }
    }
    return this.transfer.handle(ctx, msg)
  }

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    return this.transfer.query(ctx, path, data)
  }

  /** Transfer's genesis, and an OPEN unordered `ics20-1` channel end (ICS-24 key) for each configured channel. */
  initGenesis(ctx: ExecContext, genesis: unknown): void {
    for (const [portChannel, cp] of this.sender.channels) {
      const [port, channel] = portChannel.split("/") as [string, string]
      ctx.store.set(key(channelPath(port, channel)), Channel.encode({
        state: ChannelState.STATE_OPEN, ordering: Order.ORDER_UNORDERED, counterparty: { portId: cp.port, channelId: cp.channel }, connectionHops: ["connection-0"], version: "ics20-1"
      }).finish())
    }
    this.transfer.initGenesis(ctx, (genesis as { transfer?: unknown } | undefined)?.transfer)
  }

  exportGenesis(ctx: QueryContext): unknown {
    return { transfer: this.transfer.exportGenesis(ctx) }
  }
}

/** transfer MsgUpdateParams {1: signer, 2: transfer Params} (cosmjs-types types its params as core client Params). */
const UpdateParamsCodec = {
  encode: (m: { signer: string; params: { sendEnabled: boolean; receiveEnabled: boolean } }) => {
    const w = BinaryWriter.create().uint32(10).string(m.signer)
    TransferParams.encode(m.params, w.uint32(18).fork()).ldelim()
    return w
  },
  decode: () => {
    throw new Error("not decoded in tests")
  },
  fromPartial: (m: unknown) => m
}

/** Signing registry: CosmJS defaults (MsgTransfer included) plus the channel messages. */
export const registry = new Registry([
  ...defaultRegistryTypes,
  [MsgRecvPacket.typeUrl, MsgRecvPacket as never],
  [MsgAcknowledgement.typeUrl, MsgAcknowledgement as never],
  [MsgTimeout.typeUrl, MsgTimeout as never],
  ["/ibc.applications.transfer.v1.MsgUpdateParams", UpdateParamsCodec as never]
])

/** A chain with the ibc double; accounts from genesis balances. */
export interface IbcChain {
  readonly chain: TestChain
  readonly ibc: IbcDouble
  /** Sign (next sequence of `signer`) and run `msgs` in one block; returns the tx result. */
  tx(signer: string, msgs: EncodeObject[], gas?: string): Promise<ExecTxResult>
  balance(address: string, denom: string): Promise<bigint>
  supply(denom: string): Promise<bigint>
  query(path: string, data: Uint8Array): Promise<{ code: number; log: string; value: Uint8Array; codespace: string }>
}

/** Start a chain with the ibc double, genesis balances and optional transfer genesis. */
export const startIbcChain = async (opts: {
  wallet: DirectSecp256k1HdWallet
  balances: ReadonlyArray<{ address: string; coins: Array<{ denom: string; amount: string }> }>
  channels: Array<[string, { port: string; channel: string }]>
  transfer?: unknown
  blockedAddresses?: string[]
  capabilities?: unknown
}): Promise<IbcChain> => {
  const ibc = new IbcDouble(new Map(opts.channels), { blockedAddresses: opts.blockedAddresses })
  const genesis: Record<string, unknown> = { auth: { accounts: [] }, bank: { balances: opts.balances }, ibc: { transfer: opts.transfer } }
  if (opts.capabilities) genesis.capabilities = opts.capabilities
  const chain = await TestChain.start({ extraMachines: [ibc], genesis })
  const client = await SigningStargateClient.offline(opts.wallet, { registry })
  return {
    chain,
    ibc,
    async tx(signer, msgs, gas = "400000") {
      const acc = await chain.queryClient().auth.account(signer)
      if (!acc) throw new Error(`no account ${signer}`)
      const { sequence, accountNumber } = BaseAccount.decode(acc.value)
      const raw = await client.sign(signer, msgs, { amount: [{ denom: "boot", amount: "4000" }], gas }, "", { accountNumber, sequence: Number(sequence), chainId: CHAIN_ID })
      const [res] = await chain.block([TxRaw.encode(raw).finish()])
      return res!
    },
    async balance(address, denom) {
      const r = await chain.query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom }).finish())
      return BigInt(QueryBalanceResponse.decode(r.value).balance?.amount ?? "0")
    },
    async supply(denom) {
      const r = await chain.query("/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom }).finish())
      return BigInt(QuerySupplyOfResponse.decode(r.value).amount?.amount ?? "0")
    },
    async query(path, data) {
      const r = await chain.query(path, data)
      return { code: r.code, log: r.log, value: r.value, codespace: r.codespace }
    }
  }
}

/** MsgTransfer encode object (timeout height 1-1000 unless given). */
export const msgTransfer = (o: {
  sender: string; receiver: string; denom: string; amount: string; channel?: string; port?: string; memo?: string
  timeoutHeight?: { revisionNumber: bigint; revisionHeight: bigint }; timeoutTimestamp?: bigint
}): EncodeObject => ({
  typeUrl: "/ibc.applications.transfer.v1.MsgTransfer",
  value: {
    sourcePort: o.port ?? "transfer", sourceChannel: o.channel ?? "channel-0", token: { denom: o.denom, amount: o.amount },
    sender: o.sender, receiver: o.receiver, timeoutHeight: o.timeoutHeight ?? { revisionNumber: 1n, revisionHeight: 1000n },
    timeoutTimestamp: o.timeoutTimestamp ?? 0n, memo: o.memo ?? "", encoding: ""
  }
})

const protoPacket = (p: Packet): ProtoPacket => ({ ...p, timeoutHeight: { ...p.timeoutHeight } })

/** MsgRecvPacket of `packet` signed by `relayer` (no proof: the double does not verify). */
export const msgRecv = (packet: Packet, relayer: string): EncodeObject => ({
  typeUrl: MsgRecvPacket.typeUrl,
  value: { packet: protoPacket(packet), proofCommitment: new Uint8Array([1]), proofHeight: { revisionNumber: 0n, revisionHeight: 1n }, signer: relayer }
})

/** MsgAcknowledgement of `packet` with `ack` bytes. */
export const msgAck = (packet: Packet, ack: Uint8Array, relayer: string): EncodeObject => ({
  typeUrl: MsgAcknowledgement.typeUrl,
  value: { packet: protoPacket(packet), acknowledgement: ack, proofAcked: new Uint8Array([1]), proofHeight: { revisionNumber: 0n, revisionHeight: 1n }, signer: relayer }
})

/** MsgTimeout of `packet`. */
export const msgTimeout = (packet: Packet, relayer: string): EncodeObject => ({
  typeUrl: MsgTimeout.typeUrl,
  value: { packet: protoPacket(packet), proofUnreceived: new Uint8Array([1]), proofHeight: { revisionNumber: 0n, revisionHeight: 1n }, nextSequenceRecv: packet.sequence, signer: relayer }
})

/** A packet as a counterparty would send it to `channel` here (for receive tests). */
export const incoming = (data: string | Uint8Array, o: { sequence?: bigint; srcPort?: string; srcChannel?: string; dstPort?: string; dstChannel?: string } = {}): Packet => ({
  sequence: o.sequence ?? 1n, sourcePort: o.srcPort ?? "transfer", sourceChannel: o.srcChannel ?? "channel-7",
  destinationPort: o.dstPort ?? "transfer", destinationChannel: o.dstChannel ?? "channel-0",
  data: typeof data === "string" ? new TextEncoder().encode(data) : data,
  timeoutHeight: { revisionNumber: 1n, revisionHeight: 1000n }, timeoutTimestamp: 0n
})

/** Attributes of the events of `type` in a tx result, as key -> value maps. */
export const eventsOf = (res: ExecTxResult, type: string): Array<Record<string, string>> =>
  res.events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])))
