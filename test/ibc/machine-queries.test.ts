/**
 * IBC core's gRPC queries over ABCI on a chain with several clients, consensus states, channels and
 * packets (test/ibc/core-relay.ts): answers, ibc-go's filtered pagination (consensus-state metadata
 * and other client keys never fill a page), and typed errors for unknown and malformed identifiers.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { BinaryReader } from "cosmjs-types/binary"
import { Order } from "cosmjs-types/ibc/core/channel/v1/channel"
import * as CQ from "cosmjs-types/ibc/core/channel/v1/query"
import * as ClQ from "cosmjs-types/ibc/core/client/v1/query"
import { Params as ConnectionParams } from "cosmjs-types/ibc/core/connection/v1/connection"
import * as CoQ from "cosmjs-types/ibc/core/connection/v1/query"
import { ok } from "./core-chains.ts"
import { Pair } from "./core-relay.ts"
import { echoSend } from "./core-support.ts"

const enc = new TextEncoder()

test("client, connection and channel queries answer with pagination and typed errors", async () => {
  const p = await Pair.connected()
  await Pair.createTestClient(p, p.b, p.a)
  await Pair.createTestClient(p, p.b, p.a)
  const ids = await p.openChannel(Order.ORDER_UNORDERED)
  await p.openChannel(Order.ORDER_ORDERED, "echo2")
  for (const data of ["1", "2", "3"]) ok(await p.a.tx(p.relayer, [echoSend(p.relayer.address, ids.a, p.b.ibcHeight(10_000), 0n, enc.encode(data))]), "send")
  const b = p.b
  const q = (path: string, data: Uint8Array) => b.query(path, data)

  // ClientStates: 3 clients on b (99-test-0..2), pages of 2
  const page1 = ClQ.QueryClientStatesResponse.decode(await q("/ibc.core.client.v1.Query/ClientStates", ClQ.QueryClientStatesRequest.encode({ pagination: { key: new Uint8Array(), offset: 0n, limit: 2n, countTotal: true, reverse: false } }).finish()))
  assert.equal(page1.clientStates.map((c) => c.clientId), ["99-test-0", "99-test-1"])
  assert.is(page1.pagination!.total, 3n)
  const page2 = ClQ.QueryClientStatesResponse.decode(await q("/ibc.core.client.v1.Query/ClientStates", ClQ.QueryClientStatesRequest.encode({ pagination: { key: page1.pagination!.nextKey, offset: 0n, limit: 2n, countTotal: false, reverse: false } }).finish()))
  assert.equal(page2.clientStates.map((c) => c.clientId), ["99-test-2"])
  assert.is(page2.pagination!.nextKey.length, 0)

  // consensus states of client 0 on b: one per relayed proof
  const heights = ClQ.QueryConsensusStateHeightsResponse.decode(await q("/ibc.core.client.v1.Query/ConsensusStateHeights", ClQ.QueryConsensusStateHeightsRequest.encode({ clientId: "99-test-0" }).finish()))
  assert.ok(heights.consensusStateHeights.length >= 4, `heights: ${heights.consensusStateHeights.length}`)
  assert.ok(heights.consensusStateHeights.every((h) => h.revisionNumber === 1n))
  const two = ClQ.QueryConsensusStatesResponse.decode(await q("/ibc.core.client.v1.Query/ConsensusStates", ClQ.QueryConsensusStatesRequest.encode({ clientId: "99-test-0", pagination: { key: new Uint8Array(), offset: 1n, limit: 2n, countTotal: false, reverse: false } }).finish()))
  assert.is(two.consensusStates.length, 2)
  const latest = ClQ.QueryConsensusStateResponse.decode(await q("/ibc.core.client.v1.Query/ConsensusState", ClQ.QueryConsensusStateRequest.encode({ clientId: "99-test-0", revisionNumber: 0n, revisionHeight: 0n, latestHeight: true }).finish()))
  assert.is(latest.consensusState?.typeUrl, "/test.lightclient.ConsensusState")
  assert.is(latest.proofHeight.revisionHeight, BigInt(b.height()))

  const conns = CoQ.QueryClientConnectionsResponse.decode(await q("/ibc.core.connection.v1.Query/ClientConnections", CoQ.QueryClientConnectionsRequest.encode({ clientId: "99-test-0" }).finish()))
  assert.equal(conns.connectionPaths, ["connection-0"])
  const cs = CoQ.QueryConnectionClientStateResponse.decode(await q("/ibc.core.connection.v1.Query/ConnectionClientState", CoQ.QueryConnectionClientStateRequest.encode({ connectionId: "connection-0" }).finish()))
  assert.is(cs.identifiedClientState?.clientId, "99-test-0")
  // ConnectionParams: field 1 = ibc.core.connection.v1.Params (written by hand, see Queries.ts)
  const raw = await q("/ibc.core.connection.v1.Query/ConnectionParams", CoQ.QueryConnectionParamsRequest.encode({}).finish())
  const r = new BinaryReader(raw)
  assert.is(r.uint32(), 10)
  assert.is(ConnectionParams.decode(r.bytes()).maxExpectedTimePerBlock, 30_000_000_000n)

  const chans = CQ.QueryChannelsResponse.decode(await q("/ibc.core.channel.v1.Query/Channels", CQ.QueryChannelsRequest.encode({}).finish()))
  assert.equal(chans.channels.map((c) => `${c.portId}/${c.channelId}/${c.ordering}`), ["echo/channel-0/1", "echo2/channel-1/2"])
  const a = p.a
  const commits = CQ.QueryPacketCommitmentsResponse.decode(await a.query("/ibc.core.channel.v1.Query/PacketCommitments", CQ.QueryPacketCommitmentsRequest.encode({ portId: "echo", channelId: ids.a, pagination: { key: new Uint8Array(), offset: 0n, limit: 2n, countTotal: true, reverse: false } }).finish()))
  assert.equal(commits.commitments.map((c) => c.sequence), [1n, 2n])
  assert.is(commits.pagination!.total, 3n)
  const unacked = CQ.QueryUnreceivedAcksResponse.decode(await a.query("/ibc.core.channel.v1.Query/UnreceivedAcks", CQ.QueryUnreceivedAcksRequest.encode({ portId: "echo", channelId: ids.a, packetAckSequences: [1n, 2n, 3n, 4n] }).finish()))
  assert.equal(unacked.sequences, [1n, 2n, 3n])
  const nextSend = CQ.QueryNextSequenceSendResponse.decode(await a.query("/ibc.core.channel.v1.Query/NextSequenceSend", CQ.QueryNextSequenceSendRequest.encode({ portId: "echo", channelId: ids.a }).finish()))
  assert.is(nextSend.nextSequenceSend, 4n)

  const err = async (path: string, data: Uint8Array) => {
    const res = await b.rawQuery(path, data)
    return `${res.codespace}/${res.code}`
  }
  assert.is(await err("/ibc.core.client.v1.Query/ClientState", ClQ.QueryClientStateRequest.encode({ clientId: "99-test-9" }).finish()), "client/4")
  assert.is(await err("/ibc.core.client.v1.Query/ClientState", ClQ.QueryClientStateRequest.encode({ clientId: "a/b" }).finish()), "host/2")
  assert.is(await err("/ibc.core.client.v1.Query/ConsensusState", ClQ.QueryConsensusStateRequest.encode({ clientId: "99-test-0", revisionNumber: 1n, revisionHeight: 999_999n, latestHeight: false }).finish()), "client/7")
  assert.is(await err("/ibc.core.connection.v1.Query/Connection", CoQ.QueryConnectionRequest.encode({ connectionId: "connection-9" }).finish()), "connection/3")
  assert.is(await err("/ibc.core.channel.v1.Query/Channel", CQ.QueryChannelRequest.encode({ portId: "echo", channelId: "channel-9" }).finish()), "channel/3")
  assert.is(await err("/ibc.core.channel.v1.Query/PacketCommitment", CQ.QueryPacketCommitmentRequest.encode({ portId: "echo", channelId: "channel-0", sequence: 9n }).finish()), "ibc/16")
  const many = Array.from({ length: 10_001 }, (_, i) => BigInt(i + 1))
  assert.is(await err("/ibc.core.channel.v1.Query/UnreceivedPackets", CQ.QueryUnreceivedPacketsRequest.encode({ portId: "echo", channelId: "channel-0", packetCommitmentSequences: many }).finish()), "sdk/18")
  assert.is(await err("/ibc.core.channel.v1.Query/NoSuchMethod", new Uint8Array()), "sdk/6")
})

test.run()
