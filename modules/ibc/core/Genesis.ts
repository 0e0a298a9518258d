/**
 * IBC core genesis: ibc-go's GenesisState JSON shape (snake_case proto JSON: `client_genesis`,
 * `connection_genesis`, `channel_genesis`, integers as strings, bytes as base64) written into and
 * read back from the `ibc` namespace, so export then import reproduces every entry.
 *
 * Deviation: a client is exported as its raw client store (`clients[].store`: key relative to
 * `clients/<id>/`, base64 value) instead of ibc-go's Any-JSON client and consensus states, which
 * would need every light client's JSON codec; relayers never read genesis. Keys under
 * `apps/<port>/` belong to the application on that port (its own genesis); anything else
 * unrecognised round-trips through `other_entries` (hex key, base64 value).
 *
 * As ibc-go's InitGenesis, import always stores the three identifier sequences and both params
 * (0 and the defaults when the section leaves them out), so a new chain's `ibc` tree is never empty.
 *
 * Errors: InvalidRequest naming the bad field.
 *
 * Source: ibc-go v8.8.0 modules/core/types/genesis.go, 02-client/types/genesis.go,
 * 03-connection/types/genesis.go, 04-channel/types/genesis.go.
 */
import { Channel, Order, State as ChannelState } from "cosmjs-types/ibc/core/channel/v1/channel"
import { Params as ClientParams } from "cosmjs-types/ibc/core/client/v1/client"
import { ClientPaths, ConnectionEnd, Params as ConnectionParams, State as ConnectionState } from "cosmjs-types/ibc/core/connection/v1/connection"
import { InvalidRequest } from "../../../chain/ChainError.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import { fromHex, toHex } from "../../../lib/Bytes.ts"
import { CLIENT_PARAMS_KEY, latin1String } from "./ClientKeeper.ts"
import { CONNECTION_PARAMS_KEY, DEFAULT_TIME_PER_BLOCK } from "./ConnectionKeeper.ts"
import { key, NEXT_CHANNEL_SEQUENCE, NEXT_CLIENT_SEQUENCE, NEXT_CONNECTION_SEQUENCE, pathOf, uint64Bytes, uint64Of } from "./Host.ts"

type Json = Record<string, unknown>
const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64")
const bad = (what: string): never => {
  throw new InvalidRequest({ log: `invalid ibc genesis: ${what}: invalid request` })
}
const obj = (v: unknown, what: string): Json => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : bad(`${what} must be an object`))
const arr = (v: unknown, what: string): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : bad(`${what} must be an array`))
const str = (v: unknown, what: string): string => (typeof v === "string" ? v : bad(`${what} must be a string`))
const u64 = (v: unknown, what: string): bigint => {
  const s = str(v, what)
  if (!/^[0-9]{1,20}$/.test(s) || BigInt(s) > 0xffffffffffffffffn) bad(`${what} must be a uint64 string`)
  return BigInt(s)
}
const bytes = (v: unknown, what: string): Uint8Array => {
  const s = str(v, what)
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s)) bad(`${what} must be base64`)
  return new Uint8Array(Buffer.from(s, "base64"))
}
const enumOf = <E extends Record<string, string | number>>(e: E, v: unknown, what: string): number => {
  const s = str(v, what)
  const n = e[s]
  return typeof n === "number" && n >= 0 ? n : bad(`${what}: unknown value ${s.slice(0, 64)}`)
}
const name = <E extends Record<string | number, string | number>>(e: E, n: number): string => String(e[n] ?? n)

const CHANNEL_PATH = /^(nextSequenceSend|nextSequenceRecv|nextSequenceAck|channelEnds)\/ports\/([^/]+)\/channels\/([^/]+)$/
const PACKET_PATH = /^(commitments|acks|receipts)\/ports\/([^/]+)\/channels\/([^/]+)\/sequences\/([0-9]{1,20})$/

/** Export the namespace (apps' `apps/<port>/` keys excluded for `appPorts`). */
export const exportCoreGenesis = (store: KVStore, appPorts: ReadonlyArray<string>): Json => {
  const clients = new Map<string, Array<{ key: string; value: string }>>()
  const paths: Json[] = []
  const connections: Json[] = []
  const channels: Json[] = []
  const packets: Record<string, Json[]> = { commitments: [], acks: [], receipts: [] }
  const seqs: Record<string, Json[]> = { nextSequenceSend: [], nextSequenceRecv: [], nextSequenceAck: [] }
  const other: Json[] = []
  const client: Json = {}
  const connection: Json = {}
  const channel: Json = {}
  for (const [k, v] of store.iterate()) {
    const p = pathOf(k)
    if (p === NEXT_CLIENT_SEQUENCE) client.next_client_sequence = String(uint64Of(v))
    else if (p === CLIENT_PARAMS_KEY) client.params = { allowed_clients: ClientParams.decode(v).allowedClients }
    else if (p === NEXT_CONNECTION_SEQUENCE) connection.next_connection_sequence = String(uint64Of(v))
    else if (p === CONNECTION_PARAMS_KEY) connection.params = { max_expected_time_per_block: String(ConnectionParams.decode(v).maxExpectedTimePerBlock) }
    else if (p === NEXT_CHANNEL_SEQUENCE) channel.next_channel_sequence = String(uint64Of(v))
    else if (p.startsWith("clients/") && p.split("/").length >= 3) {
      const id = p.split("/")[1]!
      // client store keys are byte strings (latin1): the light client's iteration keys are binary
      const relative = latin1String(k.subarray(`clients/${id}/`.length))
      if (relative === "connections") paths.push({ client_id: id, paths: ClientPaths.decode(v).paths })
      else clients.set(id!, [...(clients.get(id!) ?? []), { key: relative, value: b64(v) }])
    } else if (p.startsWith("connections/") && p.split("/").length === 2) {
      const c = ConnectionEnd.decode(v)
      connections.push({
        id: p.slice("connections/".length), client_id: c.clientId, versions: c.versions.map((x) => ({ identifier: x.identifier, features: x.features })),
        state: name(ConnectionState, c.state),
        counterparty: { client_id: c.counterparty.clientId, connection_id: c.counterparty.connectionId, prefix: { key_prefix: b64(c.counterparty.prefix?.keyPrefix ?? new Uint8Array()) } },
        delay_period: String(c.delayPeriod)
      })
    } else if (CHANNEL_PATH.test(p)) {
      const [, kind, portId, channelId] = CHANNEL_PATH.exec(p)!
      if (kind === "channelEnds") {
        const ch = Channel.decode(v)
        channels.push({
          state: name(ChannelState, ch.state), ordering: name(Order, ch.ordering),
          counterparty: { port_id: ch.counterparty.portId, channel_id: ch.counterparty.channelId },
          connection_hops: ch.connectionHops, version: ch.version, port_id: portId, channel_id: channelId
        })
      } else seqs[kind!]!.push({ port_id: portId, channel_id: channelId, sequence: String(uint64Of(v)) })
    } else if (PACKET_PATH.test(p)) {
      const [, kind, portId, channelId, seq] = PACKET_PATH.exec(p)!
      packets[kind!]!.push({ port_id: portId, channel_id: channelId, sequence: seq, data: b64(v) })
    } else if (appPorts.some((port) => p.startsWith(`apps/${port}/`))) continue
    else other.push({ key: toHex(k), value: b64(v) })
  }
  client.clients = [...clients].map(([client_id, store]) => ({ client_id, store }))
  connection.connections = connections
  connection.client_connection_paths = paths
  Object.assign(channel, {
    channels, acknowledgements: packets.acks, commitments: packets.commitments, receipts: packets.receipts,
    send_sequences: seqs.nextSequenceSend, recv_sequences: seqs.nextSequenceRecv, ack_sequences: seqs.nextSequenceAck
  })
  return { client_genesis: client, connection_genesis: connection, channel_genesis: channel, other_entries: other }
}

/** Write an exported genesis into `store`. Throws InvalidRequest naming the first bad field. */
export const importCoreGenesis = (store: KVStore, genesis: unknown): void => {
  const g = obj(genesis ?? {}, "genesis")
  const client = obj(g.client_genesis ?? {}, "client_genesis")
  const connection = obj(g.connection_genesis ?? {}, "connection_genesis")
  const channel = obj(g.channel_genesis ?? {}, "channel_genesis")
  const writes: Array<[Uint8Array, Uint8Array]> = []
  const put = (path: string, v: Uint8Array) => writes.push([key(path), v])
  const id = (v: unknown, what: string) => {
    const s = str(v, what)
    if (s === "" || s.includes("/") || s.length > 128) bad(`${what}: invalid identifier ${s.slice(0, 64)}`)
    return s
  }
  // as ibc-go's InitGenesis, the sequences and params are always stored (zero / default when absent)
  put(NEXT_CLIENT_SEQUENCE, uint64Bytes(u64(client.next_client_sequence ?? "0", "client_genesis.next_client_sequence")))
  const allowed = client.params === undefined
    ? ["*"]
    : arr(obj(client.params, "client_genesis.params").allowed_clients, "client_genesis.params.allowed_clients").map((x, i) => str(x, `allowed_clients[${i}]`))
  put(CLIENT_PARAMS_KEY, ClientParams.encode({ allowedClients: allowed }).finish())
  arr(client.clients, "client_genesis.clients").forEach((c, i) => {
    const o = obj(c, `clients[${i}]`)
    const cid = id(o.client_id, `clients[${i}].client_id`)
    arr(o.store, `clients[${i}].store`).forEach((e, j) => {
      const entry = obj(e, `clients[${i}].store[${j}]`)
      const rel = str(entry.key, `clients[${i}].store[${j}].key`)
      if (rel === "" || rel === "connections") bad(`clients[${i}].store[${j}].key`)
      if ([...rel].some((ch) => ch.charCodeAt(0) > 0xff)) bad(`clients[${i}].store[${j}].key must be a latin1 byte string`)
      writes.push([Uint8Array.from([...key(`clients/${cid}/`), ...[...rel].map((ch) => ch.charCodeAt(0))]), bytes(entry.value, `clients[${i}].store[${j}].value`)])
    })
  })
  put(NEXT_CONNECTION_SEQUENCE, uint64Bytes(u64(connection.next_connection_sequence ?? "0", "connection_genesis.next_connection_sequence")))
  const perBlock = connection.params === undefined
    ? DEFAULT_TIME_PER_BLOCK
    : u64(obj(connection.params, "connection_genesis.params").max_expected_time_per_block, "max_expected_time_per_block")
  put(CONNECTION_PARAMS_KEY, ConnectionParams.encode({ maxExpectedTimePerBlock: perBlock }).finish())
  arr(connection.client_connection_paths, "client_connection_paths").forEach((c, i) => {
    const o = obj(c, `client_connection_paths[${i}]`)
    put(`clients/${id(o.client_id, `client_connection_paths[${i}].client_id`)}/connections`, ClientPaths.encode({ paths: arr(o.paths, "paths").map((x, j) => str(x, `paths[${j}]`)) }).finish())
  })
  arr(connection.connections, "connection_genesis.connections").forEach((c, i) => {
    const o = obj(c, `connections[${i}]`)
    const cp = obj(o.counterparty, `connections[${i}].counterparty`)
    const end: ConnectionEnd = {
      clientId: str(o.client_id, `connections[${i}].client_id`),
      versions: arr(o.versions, "versions").map((v, j) => {
        const vo = obj(v, `versions[${j}]`)
        return { identifier: str(vo.identifier, "identifier"), features: arr(vo.features, "features").map((f) => str(f, "feature")) }
      }),
      state: enumOf(ConnectionState, o.state, `connections[${i}].state`),
      counterparty: { clientId: str(cp.client_id, "counterparty.client_id"), connectionId: str(cp.connection_id ?? "", "counterparty.connection_id"), prefix: { keyPrefix: bytes(obj(cp.prefix, "prefix").key_prefix, "prefix.key_prefix") } },
      delayPeriod: u64(o.delay_period ?? "0", "delay_period")
    }
    put(`connections/${id(o.id, `connections[${i}].id`)}`, ConnectionEnd.encode(end).finish())
  })
  put(NEXT_CHANNEL_SEQUENCE, uint64Bytes(u64(channel.next_channel_sequence ?? "0", "channel_genesis.next_channel_sequence")))
  const pc = (o: Json, what: string) => `ports/${id(o.port_id, `${what}.port_id`)}/channels/${id(o.channel_id, `${what}.channel_id`)}`
  arr(channel.channels, "channel_genesis.channels").forEach((c, i) => {
    const o = obj(c, `channels[${i}]`)
    const cp = obj(o.counterparty, `channels[${i}].counterparty`)
    const ch: Channel = {
      state: enumOf(ChannelState, o.state, `channels[${i}].state`), ordering: enumOf(Order, o.ordering, `channels[${i}].ordering`),
      counterparty: { portId: str(cp.port_id, "counterparty.port_id"), channelId: str(cp.channel_id ?? "", "counterparty.channel_id") },
      connectionHops: arr(o.connection_hops, "connection_hops").map((h) => str(h, "connection hop")), version: str(o.version ?? "", "version")
    }
    put(`channelEnds/${pc(o, `channels[${i}]`)}`, Channel.encode(ch).finish())
  })
  for (const [field, prefix] of [["send_sequences", "nextSequenceSend"], ["recv_sequences", "nextSequenceRecv"], ["ack_sequences", "nextSequenceAck"]] as const) {
    arr(channel[field], field).forEach((s, i) => {
      const o = obj(s, `${field}[${i}]`)
      put(`${prefix}/${pc(o, `${field}[${i}]`)}`, uint64Bytes(u64(o.sequence, `${field}[${i}].sequence`)))
    })
  }
  for (const [field, prefix] of [["commitments", "commitments"], ["acknowledgements", "acks"], ["receipts", "receipts"]] as const) {
    arr(channel[field], field).forEach((s, i) => {
      const o = obj(s, `${field}[${i}]`)
      put(`${prefix}/${pc(o, `${field}[${i}]`)}/sequences/${u64(o.sequence, `${field}[${i}].sequence`)}`, bytes(o.data, `${field}[${i}].data`))
    })
  }
  arr(g.other_entries, "other_entries").forEach((e, i) => {
    const o = obj(e, `other_entries[${i}]`)
    const k = str(o.key, `other_entries[${i}].key`)
    if (!/^([0-9a-f]{2})+$/.test(k)) bad(`other_entries[${i}].key must be hex`)
    writes.push([fromHex(k), bytes(o.value, `other_entries[${i}].value`)])
  })
  // everything validated before the first write
  for (const [k, v] of writes) store.set(k, v)
}
