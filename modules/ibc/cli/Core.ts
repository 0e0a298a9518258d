/**
 * `cyberkernel query ibc ...`: ibc-go's core query commands over `--node` (abci_query on the
 * `/ibc.core.{client,connection,channel}.v1.Query/*` paths the `ibc` machine serves).
 *
 *   query ibc client state <client-id>          client state (07-tendermint decoded)
 *   query ibc client states [--limit --page-key] every client
 *   query ibc client status <client-id>         Active | Frozen | Expired | Unknown | Unauthorized
 *   query ibc connection end <connection-id>    connection end
 *   query ibc connection connections            every connection
 *   query ibc channel end <port-id> <channel-id> channel end
 *   query ibc channel channels                  every channel
 *
 * JSON as ibc-go's CLI prints it (internal/ProtoJson.ts); proofs are left out (they are for relayers).
 *
 * Source: ibc-go v8 modules/core/02-client/client/cli/query.go, 03-connection/client/cli/query.go,
 * 04-channel/client/cli/query.go; messages from cosmjs-types ibc/core/*\/v1/query.
 */
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { PageRequest, type PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination"
import { Channel, IdentifiedChannel } from "cosmjs-types/ibc/core/channel/v1/channel"
import { QueryChannelRequest, QueryChannelResponse, QueryChannelsRequest, QueryChannelsResponse } from "cosmjs-types/ibc/core/channel/v1/query"
import {
  QueryClientStateRequest, QueryClientStateResponse, QueryClientStatesRequest, QueryClientStatesResponse, QueryClientStatusRequest,
  QueryClientStatusResponse
} from "cosmjs-types/ibc/core/client/v1/query"
import { ConnectionEnd, IdentifiedConnection } from "cosmjs-types/ibc/core/connection/v1/connection"
import { QueryConnectionRequest, QueryConnectionResponse, QueryConnectionsRequest, QueryConnectionsResponse } from "cosmjs-types/ibc/core/connection/v1/query"
import { abciQuery, CliFailure, emit, toJson } from "../../../cli/Globals.ts"
import { anyJson, snakeKeys } from "./internal/ProtoJson.ts"

const show = (json: unknown) => emit(json, () => toJson(json))
const fail = (message: string) => Effect.fail(new CliFailure({ message }))
const pageJson = (p: PageResponse | undefined) => ({ next_key: p && p.nextKey.length > 0 ? Buffer.from(p.nextKey).toString("base64") : null, total: (p?.total ?? 0n).toString() })
const heightJson = (h: { revisionNumber: bigint; revisionHeight: bigint } | undefined) => ({ revision_number: (h?.revisionNumber ?? 0n).toString(), revision_height: (h?.revisionHeight ?? 0n).toString() })

const pageFlags = {
  limit: Flag.Int("limit").pipe(Flag.withDescription("page size (default 100)"), Flag.withDefault(100)),
  pageKey: Flag.String("page-key").pipe(Flag.withDescription("base64 next_key of the previous page"), Flag.optional)
}
const pageOf = (o: { readonly limit: number; readonly pageKey: Option.Option<string> }) =>
  Effect.gen(function* () {
    if (!Number.isSafeInteger(o.limit) || o.limit < 1) return yield* fail(`invalid --limit ${o.limit}: a positive integer`)
    const key = Option.isSome(o.pageKey) ? Uint8Array.from(Buffer.from(o.pageKey.value, "base64")) : new Uint8Array()
    return PageRequest.fromPartial({ key, limit: BigInt(o.limit) })
  })

const clientState = Command.make("state", { clientId: Argument.String("client-id").pipe(Argument.withDescription("e.g. 07-tendermint-0")) }, (o) =>
  Effect.gen(function* () {
    const r = QueryClientStateResponse.decode(yield* abciQuery("/ibc.core.client.v1.Query/ClientState", QueryClientStateRequest.encode({ clientId: o.clientId }).finish()))
    yield* show({ client_state: anyJson(r.clientState), proof_height: heightJson(r.proofHeight) })
  })).pipe(Command.withDescription("A client's state"))

const clientStates = Command.make("states", { ...pageFlags }, (o) =>
  Effect.gen(function* () {
    const pagination = yield* pageOf(o)
    const r = QueryClientStatesResponse.decode(yield* abciQuery("/ibc.core.client.v1.Query/ClientStates", QueryClientStatesRequest.encode({ pagination }).finish()))
    yield* show({ client_states: r.clientStates.map((c) => ({ client_id: c.clientId, client_state: anyJson(c.clientState) })), pagination: pageJson(r.pagination) })
  })).pipe(Command.withDescription("Every client's state"))

const clientStatus = Command.make("status", { clientId: Argument.String("client-id").pipe(Argument.withDescription("e.g. 07-tendermint-0")) }, (o) =>
  Effect.gen(function* () {
    const r = QueryClientStatusResponse.decode(yield* abciQuery("/ibc.core.client.v1.Query/ClientStatus", QueryClientStatusRequest.encode({ clientId: o.clientId }).finish()))
    yield* emit({ status: r.status }, () => r.status)
  })).pipe(Command.withDescription("A client's status"))

const client = Command.make("client").pipe(Command.withDescription("IBC light client queries (02-client)"), Command.withSubcommands([clientState, clientStates, clientStatus]))

const connectionEnd = Command.make("end", { connectionId: Argument.String("connection-id").pipe(Argument.withDescription("e.g. connection-0")) }, (o) =>
  Effect.gen(function* () {
    const r = QueryConnectionResponse.decode(yield* abciQuery("/ibc.core.connection.v1.Query/Connection", QueryConnectionRequest.encode({ connectionId: o.connectionId }).finish()))
    if (!r.connection) return yield* fail(`connection ${o.connectionId} not found`)
    yield* show({ connection: snakeKeys(ConnectionEnd.toJSON(r.connection)), proof_height: heightJson(r.proofHeight) })
  })).pipe(Command.withDescription("A connection end"))

const connections = Command.make("connections", { ...pageFlags }, (o) =>
  Effect.gen(function* () {
    const pagination = yield* pageOf(o)
    const r = QueryConnectionsResponse.decode(yield* abciQuery("/ibc.core.connection.v1.Query/Connections", QueryConnectionsRequest.encode({ pagination }).finish()))
    yield* show({ connections: r.connections.map((c) => snakeKeys(IdentifiedConnection.toJSON(c))), pagination: pageJson(r.pagination), height: heightJson(r.height) })
  })).pipe(Command.withDescription("Every connection end"))

const connection = Command.make("connection").pipe(Command.withDescription("IBC connection queries (03-connection)"), Command.withSubcommands([connectionEnd, connections]))

const channelEnd = Command.make("end", {
  portId: Argument.String("port-id").pipe(Argument.withDescription("e.g. transfer")),
  channelId: Argument.String("channel-id").pipe(Argument.withDescription("e.g. channel-0"))
}, (o) =>
  Effect.gen(function* () {
    const r = QueryChannelResponse.decode(yield* abciQuery("/ibc.core.channel.v1.Query/Channel", QueryChannelRequest.encode({ portId: o.portId, channelId: o.channelId }).finish()))
    if (!r.channel) return yield* fail(`channel ${o.portId}/${o.channelId} not found`)
    yield* show({ channel: snakeKeys(Channel.toJSON(r.channel)), proof_height: heightJson(r.proofHeight) })
  })).pipe(Command.withDescription("A channel end"))

const channels = Command.make("channels", { ...pageFlags }, (o) =>
  Effect.gen(function* () {
    const pagination = yield* pageOf(o)
    const r = QueryChannelsResponse.decode(yield* abciQuery("/ibc.core.channel.v1.Query/Channels", QueryChannelsRequest.encode({ pagination }).finish()))
    yield* show({ channels: r.channels.map((c) => snakeKeys(IdentifiedChannel.toJSON(c))), pagination: pageJson(r.pagination), height: heightJson(r.height) })
  })).pipe(Command.withDescription("Every channel end"))

const channel = Command.make("channel").pipe(Command.withDescription("IBC channel queries (04-channel)"), Command.withSubcommands([channelEnd, channels]))

/** `query ibc`. */
export const ibcQueryCommand = Command.make("ibc").pipe(Command.withDescription("IBC core queries: clients, connections, channels"), Command.withSubcommands([client, connection, channel]))
