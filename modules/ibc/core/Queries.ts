/**
 * IBC core's gRPC queries over a committed snapshot of the `ibc` namespace:
 * `/ibc.core.client.v1.Query/` (ClientState, ClientStates, ConsensusState, ConsensusStates,
 * ConsensusStateHeights, ClientStatus, ClientParams), `/ibc.core.connection.v1.Query/`
 * (Connection, Connections, ClientConnections, ConnectionClientState, ConnectionConsensusState,
 * ConnectionParams), `/ibc.core.channel.v1.Query/` (Channel, Channels, ConnectionChannels,
 * ChannelClientState, PacketCommitment(s), PacketReceipt, PacketAcknowledgement(s),
 * UnreceivedPackets, UnreceivedAcks, NextSequenceReceive, NextSequenceSend).
 *
 * As ibc-go's gRPC server, responses carry an empty `proof` and `proof_height` = this chain's
 * height at the query: relayers prove through `abci_query` on `store/ibc/key` (ICS-24 keys, prove
 * = true), which the node serves for every namespace. Lists are paginated (SDK Paginate).
 *
 * Source: ibc-go v8.8.0 modules/core/02-client/keeper/grpc_query.go,
 * 03-connection/keeper/grpc_query.go, 04-channel/keeper/grpc_query.go.
 */
import { BinaryWriter } from "cosmjs-types/binary"
import type { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination"
import { Channel, State as ChannelState } from "cosmjs-types/ibc/core/channel/v1/channel"
import * as CQ from "cosmjs-types/ibc/core/channel/v1/query"
import * as ClQ from "cosmjs-types/ibc/core/client/v1/query"
import { ConnectionEnd, Params as ConnectionParams } from "cosmjs-types/ibc/core/connection/v1/connection"
import * as CoQ from "cosmjs-types/ibc/core/connection/v1/query"
import { InvalidRequest, TxDecodeError, UnknownRequest } from "../../../chain/ChainError.ts"
import type { QueryContext } from "../../../chain/Machine.ts"
import type { Height, HostContext } from "../LightClient.ts"
import type { ChannelKeeper } from "./ChannelKeeper.ts"
import { clientStore } from "./ClientKeeper.ts"
import { CONNECTION_PARAMS_KEY, DEFAULT_TIME_PER_BLOCK } from "./ConnectionKeeper.ts"
import { heightProto, selfHeight } from "./Height.ts"
import {
  key, packetAckPath, packetAckPrefix, packetCommitmentPath, packetCommitmentPrefix, packetReceiptPath, pathOf, uint64Of,
  validateChannelId, validateClientId, validateConnectionId, validatePortId
} from "./Host.ts"
import { ChannelNotFound, ClientNotFound, ConnectionNotFound, ConsensusStateNotFound, ibcLog, IbcNotFound, SequenceReceiveNotFound, SequenceSendNotFound } from "./IbcError.ts"
import { prefixEnd } from "../../../lib/Bytes.ts"

/** Query path prefixes. */
export const CLIENT_QUERY = "/ibc.core.client.v1.Query/"
export const CONNECTION_QUERY = "/ibc.core.connection.v1.Query/"
export const CHANNEL_QUERY = "/ibc.core.channel.v1.Query/"

/** At most this many sequences in one UnreceivedPackets / UnreceivedAcks / PacketAcknowledgements request. */
export const MAX_QUERY_SEQUENCES = 10_000

const decode = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new TxDecodeError({ log: `invalid ${what}: ${(e as Error).message}: tx parse error` })
  }
}

const enc = new TextEncoder()
const noProof = new Uint8Array()

const parseConsensusHeight = (s: string): Height | undefined => {
  const m = /^([0-9]{1,20})-([0-9]{1,20})$/.exec(s)
  return m ? { revisionNumber: BigInt(m[1]!), revisionHeight: BigInt(m[2]!) } : undefined
}

/** Most items one filtered page returns (the SDK's default limit is 100; a larger request is capped here). */
export const MAX_PAGE = 1_000n


/**
 * SDK FilteredPaginate over `prefix`: entries `pick` maps to undefined are skipped and not counted;
 * `key` resumes at a key relative to the prefix, `offset` skips kept items, `limit` (default 100,
 * at most {@link MAX_PAGE}) bounds the page, `next_key` is the relative key after the last kept item.
 */
const filteredPage = <T>(store: QueryContext["store"], prefix: Uint8Array, req: PageRequest | undefined, pick: (e: readonly [Uint8Array, Uint8Array]) => T | undefined): { items: T[]; page: PageResponse } => {
  const key = req?.key ?? new Uint8Array()
  const offset = req?.offset ?? 0n
  if (key.length > 0 && offset > 0n) throw new InvalidRequest({ log: "either offset or key is expected, got both: invalid request" })
  const limit = req && req.limit > 0n ? (req.limit > MAX_PAGE ? MAX_PAGE : req.limit) : 100n
  const start = key.length > 0 ? Uint8Array.from([...prefix, ...key]) : prefix
  const items: T[] = []
  let skipped = 0n
  let total = 0n
  let nextKey: Uint8Array = new Uint8Array()
  for (const e of store.iterate(start, prefixEnd(prefix))) {
    const v = pick(e)
    if (v === undefined) continue
    total++
    if (skipped < offset) {
      skipped++
      continue
    }
    if (BigInt(items.length) >= limit) {
      if (nextKey.length === 0) nextKey = e[0].subarray(prefix.length)
      if (!req?.countTotal) break
      continue
    }
    items.push(v)
  }
  return { items, page: { nextKey, total: req?.countTotal && key.length === 0 ? total : 0n } }
}

/** The query side of IBC core. */
export class CoreQueries {
  readonly channels: ChannelKeeper
  constructor(channels: ChannelKeeper) {
    this.channels = channels
  }

  private get clients() {
    return this.channels.connections.clients
  }

  private host(ctx: QueryContext): HostContext {
    const t = ctx.time ?? { seconds: 0n, nanos: 0 }
    return { chainId: ctx.chainId, height: selfHeight(ctx.chainId, ctx.height), timeNs: t.seconds * 1_000_000_000n + BigInt(t.nanos) }
  }

  private proofHeight(ctx: QueryContext) {
    return heightProto(selfHeight(ctx.chainId, ctx.height))
  }

  private clientState(ctx: QueryContext, clientId: string) {
    if (!this.clients.exists(ctx.store, clientId)) throw new ClientNotFound({ log: ibcLog(`client-id: ${clientId}`, "light client not found") })
    return this.clients.moduleOf(clientId).clientState(clientStore(ctx.store, clientId))
  }

  private consensusState(ctx: QueryContext, clientId: string, h: Height) {
    const cs = this.clients.moduleOf(clientId).consensusState(clientStore(ctx.store, clientId), h)
    if (!cs) throw new ConsensusStateNotFound({ log: ibcLog(`client-id: ${clientId}, height: ${h.revisionNumber}-${h.revisionHeight}`, "consensus state not found") })
    return cs
  }

  private consensusHeights(ctx: QueryContext, clientId: string, pagination: PageRequest | undefined): { heights: Height[]; page: PageResponse } {
    // FilteredPaginate: metadata under `consensusStates/<h>/...` is skipped and not counted
    const prefix = enc.encode(`clients/${clientId}/consensusStates/`)
    const { items, page } = filteredPage(ctx.store, prefix, pagination, ([k]) => parseConsensusHeight(pathOf(k.subarray(prefix.length))))
    return { heights: items, page }
  }

  private connection(ctx: QueryContext, connectionId: string): ConnectionEnd {
    const c = this.channels.connections.get(ctx.store, connectionId)
    if (!c) throw new ConnectionNotFound({ log: ibcLog(`connection-id: ${connectionId}`, "connection not found") })
    return c
  }

  private channel(ctx: QueryContext, portId: string, channelId: string): Channel {
    const ch = this.channels.get(ctx.store, portId, channelId)
    if (!ch) throw new ChannelNotFound({ log: ibcLog(`port-id: ${portId}, channel-id: ${channelId}`, "channel not found") })
    return ch
  }

  private portChannel(portId: string, channelId: string): void {
    validatePortId(portId)
    validateChannelId(channelId)
  }

  /** Answer one query path (a prefix above); UnknownRequest for other methods. */
  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    if (path.startsWith(CLIENT_QUERY)) return this.client(ctx, path.slice(CLIENT_QUERY.length), data)
    if (path.startsWith(CONNECTION_QUERY)) return this.connectionQuery(ctx, path.slice(CONNECTION_QUERY.length), data)
    if (path.startsWith(CHANNEL_QUERY)) return this.channelQuery(ctx, path.slice(CHANNEL_QUERY.length), data)
    throw new UnknownRequest({ log: `unknown query path ${path.slice(0, 200)}: unknown request` })
  }

  private client(ctx: QueryContext, method: string, data: Uint8Array): Uint8Array {
    switch (method) {
      case "ClientState": {
        const r = decode("QueryClientStateRequest", () => ClQ.QueryClientStateRequest.decode(data))
        validateClientId(r.clientId)
        return ClQ.QueryClientStateResponse.encode({ clientState: this.clientState(ctx, r.clientId), proof: noProof, proofHeight: this.proofHeight(ctx) }).finish()
      }
      case "ClientStates": {
        const r = decode("QueryClientStatesRequest", () => ClQ.QueryClientStatesRequest.decode(data))
        // FilteredPaginate over clients/: only `clients/<id>/clientState` entries count
        const prefix = enc.encode("clients/")
        const { items, page } = filteredPage(ctx.store, prefix, r.pagination, ([k]) => {
          const parts = pathOf(k.subarray(prefix.length)).split("/")
          return parts.length === 2 && parts[1] === "clientState" ? parts[0]! : undefined
        })
        const clientStates = items.map((clientId) => ({ clientId, clientState: this.clientState(ctx, clientId) }))
        const all = { page }
        return ClQ.QueryClientStatesResponse.encode({ clientStates, pagination: all.page }).finish()
      }
      case "ConsensusState": {
        const r = decode("QueryConsensusStateRequest", () => ClQ.QueryConsensusStateRequest.decode(data))
        validateClientId(r.clientId)
        this.clientState(ctx, r.clientId)
        const h = r.latestHeight ? this.clients.latestHeight(ctx.store, r.clientId) : { revisionNumber: r.revisionNumber, revisionHeight: r.revisionHeight }
        if (!r.latestHeight && r.revisionHeight === 0n) throw new InvalidRequest({ log: "consensus state height cannot be 0: invalid request" })
        return ClQ.QueryConsensusStateResponse.encode({ consensusState: this.consensusState(ctx, r.clientId, h), proof: noProof, proofHeight: this.proofHeight(ctx) }).finish()
      }
      case "ConsensusStates": {
        const r = decode("QueryConsensusStatesRequest", () => ClQ.QueryConsensusStatesRequest.decode(data))
        validateClientId(r.clientId)
        this.clientState(ctx, r.clientId)
        const { heights, page } = this.consensusHeights(ctx, r.clientId, r.pagination)
        const consensusStates = heights.map((h) => ({ height: heightProto(h), consensusState: this.consensusState(ctx, r.clientId, h) }))
        return ClQ.QueryConsensusStatesResponse.encode({ consensusStates, pagination: page }).finish()
      }
      case "ConsensusStateHeights": {
        const r = decode("QueryConsensusStateHeightsRequest", () => ClQ.QueryConsensusStateHeightsRequest.decode(data))
        validateClientId(r.clientId)
        this.clientState(ctx, r.clientId)
        const { heights, page } = this.consensusHeights(ctx, r.clientId, r.pagination)
        return ClQ.QueryConsensusStateHeightsResponse.encode({ consensusStateHeights: heights.map(heightProto), pagination: page }).finish()
      }
      case "ClientStatus": {
        const r = decode("QueryClientStatusRequest", () => ClQ.QueryClientStatusRequest.decode(data))
        validateClientId(r.clientId)
        this.clientState(ctx, r.clientId)
        return ClQ.QueryClientStatusResponse.encode({ status: this.clients.status(ctx.store, this.host(ctx), r.clientId) }).finish()
      }
      case "ClientParams":
        decode("QueryClientParamsRequest", () => ClQ.QueryClientParamsRequest.decode(data))
        return ClQ.QueryClientParamsResponse.encode({ params: this.clients.params(ctx.store) }).finish()
    }
    throw new UnknownRequest({ log: `unknown query method ${CLIENT_QUERY}${method.slice(0, 100)}: unknown request` })
  }

  private connectionQuery(ctx: QueryContext, method: string, data: Uint8Array): Uint8Array {
    switch (method) {
      case "Connection": {
        const r = decode("QueryConnectionRequest", () => CoQ.QueryConnectionRequest.decode(data))
        validateConnectionId(r.connectionId)
        return CoQ.QueryConnectionResponse.encode({ connection: this.connection(ctx, r.connectionId), proof: noProof, proofHeight: this.proofHeight(ctx) }).finish()
      }
      case "Connections": {
        const r = decode("QueryConnectionsRequest", () => CoQ.QueryConnectionsRequest.decode(data))
        const prefix = enc.encode("connections/")
        const { items, page } = filteredPage(ctx.store, prefix, r.pagination, ([k, v]) => ({ id: pathOf(k.subarray(prefix.length)), ...ConnectionEnd.decode(v) }))
        return CoQ.QueryConnectionsResponse.encode({ connections: items, pagination: page, height: this.proofHeight(ctx) }).finish()
      }
      case "ClientConnections": {
        const r = decode("QueryClientConnectionsRequest", () => CoQ.QueryClientConnectionsRequest.decode(data))
        validateClientId(r.clientId)
        const paths = this.channels.connections.clientConnections(ctx.store, r.clientId)
        if (paths.length === 0) throw new IbcNotFound({ log: ibcLog(`client-id: ${r.clientId}: light client connection paths not found`, "not found") })
        return CoQ.QueryClientConnectionsResponse.encode({ connectionPaths: paths, proof: noProof, proofHeight: this.proofHeight(ctx) }).finish()
      }
      case "ConnectionClientState": {
        const r = decode("QueryConnectionClientStateRequest", () => CoQ.QueryConnectionClientStateRequest.decode(data))
        validateConnectionId(r.connectionId)
        const c = this.connection(ctx, r.connectionId)
        return CoQ.QueryConnectionClientStateResponse.encode({
          identifiedClientState: { clientId: c.clientId, clientState: this.clientState(ctx, c.clientId) }, proof: noProof, proofHeight: this.proofHeight(ctx)
        }).finish()
      }
      case "ConnectionConsensusState": {
        const r = decode("QueryConnectionConsensusStateRequest", () => CoQ.QueryConnectionConsensusStateRequest.decode(data))
        validateConnectionId(r.connectionId)
        const c = this.connection(ctx, r.connectionId)
        const cs = this.consensusState(ctx, c.clientId, { revisionNumber: r.revisionNumber, revisionHeight: r.revisionHeight })
        return CoQ.QueryConnectionConsensusStateResponse.encode({ consensusState: cs, clientId: c.clientId, proof: noProof, proofHeight: this.proofHeight(ctx) }).finish()
      }
      case "ConnectionParams": {
        decode("QueryConnectionParamsRequest", () => CoQ.QueryConnectionParamsRequest.decode(data))
        const bz = ctx.store.get(key(CONNECTION_PARAMS_KEY))
        // cosmjs-types 0.11 types this response with 02-client's Params (a generator slip): field 1 is written by hand
        const params = bz ? ConnectionParams.decode(bz) : { maxExpectedTimePerBlock: DEFAULT_TIME_PER_BLOCK }
        const w = new BinaryWriter()
        w.uint32(10).fork()
        ConnectionParams.encode(params, w)
        w.ldelim()
        return w.finish()
      }
    }
    throw new UnknownRequest({ log: `unknown query method ${CONNECTION_QUERY}${method.slice(0, 100)}: unknown request` })
  }

  private identifiedChannels(ctx: QueryContext, pagination: PageRequest | undefined, keep: (ch: Channel) => boolean) {
    const prefix = enc.encode("channelEnds/ports/")
    const { items, page } = filteredPage(ctx.store, prefix, pagination, ([k, v]) => {
      const [portId, , channelId] = pathOf(k.subarray(prefix.length)).split("/")
      const ch = Channel.decode(v)
      return keep(ch) ? { ...ch, portId: portId!, channelId: channelId! } : undefined
    })
    return { channels: items, page }
  }

  private sequences(list: ReadonlyArray<bigint>): void {
    if (list.length > MAX_QUERY_SEQUENCES) throw new InvalidRequest({ log: `at most ${MAX_QUERY_SEQUENCES} sequences per query, got ${list.length}: invalid request` })
    for (const s of list) if (s === 0n) throw new InvalidRequest({ log: "packet sequence cannot be 0: invalid request" })
  }

  private channelQuery(ctx: QueryContext, method: string, data: Uint8Array): Uint8Array {
    const h = this.proofHeight(ctx)
    switch (method) {
      case "Channel": {
        const r = decode("QueryChannelRequest", () => CQ.QueryChannelRequest.decode(data))
        this.portChannel(r.portId, r.channelId)
        return CQ.QueryChannelResponse.encode({ channel: this.channel(ctx, r.portId, r.channelId), proof: noProof, proofHeight: h }).finish()
      }
      case "Channels": {
        const r = decode("QueryChannelsRequest", () => CQ.QueryChannelsRequest.decode(data))
        const { channels, page } = this.identifiedChannels(ctx, r.pagination, () => true)
        return CQ.QueryChannelsResponse.encode({ channels, pagination: page, height: h }).finish()
      }
      case "ConnectionChannels": {
        const r = decode("QueryConnectionChannelsRequest", () => CQ.QueryConnectionChannelsRequest.decode(data))
        validateConnectionId(r.connection)
        const { channels, page } = this.identifiedChannels(ctx, r.pagination, (ch) => ch.connectionHops[0] === r.connection)
        return CQ.QueryConnectionChannelsResponse.encode({ channels, pagination: page, height: h }).finish()
      }
      case "ChannelClientState": {
        const r = decode("QueryChannelClientStateRequest", () => CQ.QueryChannelClientStateRequest.decode(data))
        this.portChannel(r.portId, r.channelId)
        const c = this.connection(ctx, this.channel(ctx, r.portId, r.channelId).connectionHops[0] ?? "")
        return CQ.QueryChannelClientStateResponse.encode({ identifiedClientState: { clientId: c.clientId, clientState: this.clientState(ctx, c.clientId) }, proof: noProof, proofHeight: h }).finish()
      }
      case "ChannelConsensusState": {
        const r = decode("QueryChannelConsensusStateRequest", () => CQ.QueryChannelConsensusStateRequest.decode(data))
        this.portChannel(r.portId, r.channelId)
        const c = this.connection(ctx, this.channel(ctx, r.portId, r.channelId).connectionHops[0] ?? "")
        const cs = this.consensusState(ctx, c.clientId, { revisionNumber: r.revisionNumber, revisionHeight: r.revisionHeight })
        return CQ.QueryChannelConsensusStateResponse.encode({ consensusState: cs, clientId: c.clientId, proof: noProof, proofHeight: h }).finish()
      }
      case "PacketCommitment": {
        const r = decode("QueryPacketCommitmentRequest", () => CQ.QueryPacketCommitmentRequest.decode(data))
        this.portChannel(r.portId, r.channelId)
        if (r.sequence === 0n) throw new InvalidRequest({ log: "packet sequence cannot be 0: invalid request" })
        const commitment = ctx.store.get(key(packetCommitmentPath(r.portId, r.channelId, r.sequence)))
        if (!commitment) throw new IbcNotFound({ log: "packet commitment hash not found: not found" })
        return CQ.QueryPacketCommitmentResponse.encode({ commitment, proof: noProof, proofHeight: h }).finish()
      }
      case "PacketCommitments": {
        const r = decode("QueryPacketCommitmentsRequest", () => CQ.QueryPacketCommitmentsRequest.decode(data))
        this.portChannel(r.portId, r.channelId)
        this.channel(ctx, r.portId, r.channelId)
        const prefix = key(packetCommitmentPrefix(r.portId, r.channelId))
        const { items, page } = filteredPage(ctx.store, prefix, r.pagination, ([k, v]) => ({ portId: r.portId, channelId: r.channelId, sequence: BigInt(pathOf(k.subarray(prefix.length))), data: v }))
        return CQ.QueryPacketCommitmentsResponse.encode({ commitments: items, pagination: page, height: h }).finish()
      }
      case "PacketReceipt": {
        const r = decode("QueryPacketReceiptRequest", () => CQ.QueryPacketReceiptRequest.decode(data))
        this.portChannel(r.portId, r.channelId)
        if (r.sequence === 0n) throw new InvalidRequest({ log: "packet sequence cannot be 0: invalid request" })
        return CQ.QueryPacketReceiptResponse.encode({ received: ctx.store.has(key(packetReceiptPath(r.portId, r.channelId, r.sequence))), proof: noProof, proofHeight: h }).finish()
      }
      case "PacketAcknowledgement": {
        const r = decode("QueryPacketAcknowledgementRequest", () => CQ.QueryPacketAcknowledgementRequest.decode(data))
        this.portChannel(r.portId, r.channelId)
        if (r.sequence === 0n) throw new InvalidRequest({ log: "packet sequence cannot be 0: invalid request" })
        const acknowledgement = ctx.store.get(key(packetAckPath(r.portId, r.channelId, r.sequence)))
        if (!acknowledgement) throw new IbcNotFound({ log: "packet acknowledgement hash not found: not found" })
        return CQ.QueryPacketAcknowledgementResponse.encode({ acknowledgement, proof: noProof, proofHeight: h }).finish()
      }
      case "PacketAcknowledgements": {
        const r = decode("QueryPacketAcknowledgementsRequest", () => CQ.QueryPacketAcknowledgementsRequest.decode(data))
        this.portChannel(r.portId, r.channelId)
        this.channel(ctx, r.portId, r.channelId)
        this.sequences(r.packetCommitmentSequences)
        if (r.packetCommitmentSequences.length > 0) {
          const acknowledgements = r.packetCommitmentSequences.flatMap((sequence) => {
            const v = ctx.store.get(key(packetAckPath(r.portId, r.channelId, sequence)))
            return v ? [{ portId: r.portId, channelId: r.channelId, sequence, data: v }] : []
          })
          return CQ.QueryPacketAcknowledgementsResponse.encode({ acknowledgements, pagination: { nextKey: new Uint8Array(), total: 0n }, height: h }).finish()
        }
        const prefix = key(packetAckPrefix(r.portId, r.channelId))
        const { items, page } = filteredPage(ctx.store, prefix, r.pagination, ([k, v]) => ({ portId: r.portId, channelId: r.channelId, sequence: BigInt(pathOf(k.subarray(prefix.length))), data: v }))
        return CQ.QueryPacketAcknowledgementsResponse.encode({ acknowledgements: items, pagination: page, height: h }).finish()
      }
      case "UnreceivedPackets": {
        const r = decode("QueryUnreceivedPacketsRequest", () => CQ.QueryUnreceivedPacketsRequest.decode(data))
        this.portChannel(r.portId, r.channelId)
        const ch = this.channel(ctx, r.portId, r.channelId)
        this.sequences(r.packetCommitmentSequences)
        let sequences: bigint[]
        if (ch.ordering === 2) {
          const next = this.channels.sequence(ctx.store, "recv", r.portId, r.channelId)
          if (next === undefined) throw new SequenceReceiveNotFound({ log: ibcLog(`destination port: ${r.portId}, destination channel: ${r.channelId}`, "sequence receive not found") })
          sequences = r.packetCommitmentSequences.filter((s) => s >= next)
        } else {
          sequences = r.packetCommitmentSequences.filter((s) => !ctx.store.has(key(packetReceiptPath(r.portId, r.channelId, s))))
        }
        return CQ.QueryUnreceivedPacketsResponse.encode({ sequences, height: h }).finish()
      }
      case "UnreceivedAcks": {
        const r = decode("QueryUnreceivedAcksRequest", () => CQ.QueryUnreceivedAcksRequest.decode(data))
        this.portChannel(r.portId, r.channelId)
        this.channel(ctx, r.portId, r.channelId)
        this.sequences(r.packetAckSequences)
        const sequences = r.packetAckSequences.filter((s) => ctx.store.has(key(packetCommitmentPath(r.portId, r.channelId, s))))
        return CQ.QueryUnreceivedAcksResponse.encode({ sequences, height: h }).finish()
      }
      case "NextSequenceReceive": {
        const r = decode("QueryNextSequenceReceiveRequest", () => CQ.QueryNextSequenceReceiveRequest.decode(data))
        this.portChannel(r.portId, r.channelId)
        this.channel(ctx, r.portId, r.channelId)
        // the stored value (1 on an unordered channel) as ibc-go ≤ v7.0 answered; since v7.1 ibc-go
        // answers 0 there, which relayers such as @confio/relayer 0.12 put in a MsgTimeout that
        // an ibc-go counterparty refuses (docs/ibc.md "Where this differs")
        const next = this.channels.sequence(ctx.store, "recv", r.portId, r.channelId)
        if (next === undefined) throw new SequenceReceiveNotFound({ log: ibcLog(`port-id: ${r.portId}, channel-id ${r.channelId}`, "sequence receive not found") })
        return CQ.QueryNextSequenceReceiveResponse.encode({ nextSequenceReceive: next, proof: noProof, proofHeight: h }).finish()
      }
      case "NextSequenceSend": {
        const r = decode("QueryNextSequenceSendRequest", () => CQ.QueryNextSequenceSendRequest.decode(data))
        this.portChannel(r.portId, r.channelId)
        const next = this.channels.sequence(ctx.store, "send", r.portId, r.channelId)
        if (next === undefined) throw new SequenceSendNotFound({ log: ibcLog(`port-id: ${r.portId}, channel-id ${r.channelId}`, "sequence send not found") })
        return CQ.QueryNextSequenceSendResponse.encode({ nextSequenceSend: next, proof: noProof, proofHeight: h }).finish()
      }
    }
    throw new UnknownRequest({ log: `unknown query method ${CHANNEL_QUERY}${method.slice(0, 100)}: unknown request` })
  }
}

export { ChannelState, uint64Of }
