/**
 * 02-client: creates light clients, updates them with headers (or freezes them on misbehaviour),
 * reports their status and runs membership proofs for 03-connection and 04-channel, over the
 * {@link LightClientModule}s registered by client type. A client's own store is the `clients/<id>/`
 * prefix of the `ibc` namespace (ibc-go's client-prefixed store).
 *
 * State: `nextClientSequence` (uint64 BE), `clientParams` (ibc.core.client.v1.Params, absent =
 * default allowlist `["*"]`), and whatever each client writes under `clients/<id>/`.
 *
 * Errors (02-client codespace "client"): ClientNotFound, ClientNotActive, InvalidClientType,
 * ClientTypeNotFound; a light client's own errors pass through unchanged.
 *
 * Source: ibc-go v8.8.0 modules/core/02-client/keeper/client.go (CreateClient, UpdateClient),
 * keeper/keeper.go (GenerateClientIdentifier, GetClientStatus, ClientStore), types/params.go.
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import { Any as AnyCodec } from "cosmjs-types/google/protobuf/any"
import { Params } from "cosmjs-types/ibc/core/client/v1/client"
import type { KVStore } from "../../../store/KVStore.ts"
import type { ClientStatus, ClientStore, CommitmentPath, Height, HostContext, LightClientModule } from "../LightClient.ts"
import type { CoreContext } from "./CoreContext.ts"
import { createClientEvent, messageEvent, misbehaviourEvent, updateClientEvent } from "./Events.ts"
import { clientTypeOf, formatClientId, fullClientPath, key, NEXT_CLIENT_SEQUENCE, uint64Bytes, uint64Of } from "./Host.ts"
import { prefixEnd } from "../../../lib/Bytes.ts"
import { ClientNotActive, ClientNotFound, ClientTypeNotFound, ibcLog, InvalidClientType, InvalidPrefix } from "./IbcError.ts"
import { prefixError } from "./internal/Wrap.ts"

/** A light client module with the protobuf type URL of its client state (how MsgCreateClient finds it). */
export interface ClientRoute {
  readonly clientStateTypeUrl: string
  readonly module: LightClientModule
}

/** ibc-go's params key of 02-client. */
export const CLIENT_PARAMS_KEY = "clientParams"

const latin1 = (k: string): Uint8Array => {
  const b = new Uint8Array(k.length)
  for (let i = 0; i < k.length; i++) b[i] = k.charCodeAt(i) & 0xff
  return b
}
/** Bytes as a latin1 string (one character per byte): the ClientStore key form. */
export const latin1String = (b: Uint8Array): string => {
  let s = ""
  for (const x of b) s += String.fromCharCode(x)
  return s
}
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/**
 * The client store of `clientId`: keys relative to `clients/<clientId>/` in `store`, each key
 * string read as latin1 bytes (LightClient.ts ClientStore).
 */
export const clientStore = (store: KVStore, clientId: string): ClientStore => {
  const base = key(`clients/${clientId}/`)
  const full = (k: string) => concat(base, latin1(k))
  return {
    get: (k) => store.get(full(k)),
    set: (k, v) => store.set(full(k), v),
    delete: (k) => store.delete(full(k)),
    keys: (prefix) => {
      const start = full(prefix)
      const out: string[] = []
      for (const [k] of store.iterate(start, prefixEnd(start))) out.push(latin1String(k.subarray(base.length)))
      return out
    }
  }
}

/** The 02-client keeper over a fixed set of light client modules. */
export class ClientKeeper {
  private readonly byType = new Map<string, LightClientModule>()
  private readonly byUrl = new Map<string, LightClientModule>()

  constructor(routes: ReadonlyArray<ClientRoute>) {
    for (const r of routes) {
      this.byType.set(r.module.clientType, r.module)
      this.byUrl.set(r.clientStateTypeUrl, r.module)
    }
  }

  /** The client types this keeper runs. */
  clientTypes(): ReadonlyArray<string> {
    return [...this.byType.keys()]
  }

  /** Params (allowlist) as stored, or ibc-go's default `["*"]`. */
  params(store: KVStore): Params {
    const bz = store.get(key(CLIENT_PARAMS_KEY))
    return bz ? Params.decode(bz) : { allowedClients: ["*"] }
  }

  /** Params.IsAllowedClient. */
  isAllowed(store: KVStore, clientType: string): boolean {
    const { allowedClients } = this.params(store)
    if (allowedClients.length === 1 && allowedClients[0] === "*") return true
    return allowedClients.includes(clientType)
  }

  /** The module of an existing client id; throws ClientTypeNotFound / InvalidIdentifier. */
  moduleOf(clientId: string): LightClientModule {
    const type = clientTypeOf(clientId)
    const m = this.byType.get(type)
    if (!m) throw new ClientTypeNotFound({ log: ibcLog(`light client module ${type} not found`, "client type not found") })
    return m
  }

  /** Whether a client state is stored under `clientId`. */
  exists(store: KVStore, clientId: string): boolean {
    return store.has(key(fullClientPath(clientId, "clientState")))
  }

  private existing(store: KVStore, clientId: string, what: string): LightClientModule {
    if (!this.exists(store, clientId)) throw new ClientNotFound({ log: ibcLog(what, "light client not found") })
    return this.moduleOf(clientId)
  }

  /**
   * GetClientStatus: "Unauthorized" for a type off the allowlist, else the light client's status;
   * "Unknown" for an unknown client.
   */
  status(store: KVStore, host: HostContext, clientId: string): ClientStatus {
    if (!this.exists(store, clientId)) return "Unknown"
    const m = this.moduleOf(clientId)
    if (!this.isAllowed(store, m.clientType)) return "Unauthorized"
    return m.status(clientStore(store, clientId), host)
  }

  /** Throws ClientNotFound (`clientID (<id>)`) or ClientNotActive (`client (<id>) status is <s>`) unless the client is Active. */
  requireActive(store: KVStore, host: HostContext, clientId: string): LightClientModule {
    const m = this.existing(store, clientId, `clientID (${clientId})`)
    const s = this.status(store, host, clientId)
    if (s !== "Active") throw new ClientNotActive({ log: ibcLog(`client (${clientId}) status is ${s}`, "client state is not active") })
    return m
  }

  /**
   * MsgCreateClient: picks the module by the client state's type URL (InvalidClientType when none
   * or off the allowlist), allocates `<type>-<n>`, lets the module validate and store both states,
   * requires the new client Active, emits create_client. Returns the client id.
   */
  create(ctx: CoreContext, clientState: Any, consensusState: Any): string {
    const m = this.byUrl.get(clientState.typeUrl)
    if (!m) throw new InvalidClientType({ log: ibcLog(`client state type ${clientState.typeUrl.slice(0, 128)} is not supported`, "invalid client type") })
    if (!this.isAllowed(ctx.store, m.clientType)) {
      throw new InvalidClientType({ log: ibcLog(`client state type ${m.clientType} is not registered in the allowlist`, "invalid client type") })
    }
    const seq = uint64Of(ctx.store.get(key(NEXT_CLIENT_SEQUENCE)) ?? new Uint8Array(8))
    const clientId = formatClientId(m.clientType, seq)
    ctx.store.set(key(NEXT_CLIENT_SEQUENCE), uint64Bytes(seq + 1n))
    const cs = clientStore(ctx.store, clientId)
    m.initialize(cs, ctx.host, { typeUrl: clientState.typeUrl, value: clientState.value }, { typeUrl: consensusState.typeUrl, value: consensusState.value })
    const s = this.status(ctx.store, ctx.host, clientId)
    if (s !== "Active") throw new ClientNotActive({ log: ibcLog(`cannot create client (${clientId}) with status ${s}`, "client state is not active") })
    ctx.emit(createClientEvent(clientId, m.clientType, m.latestHeight(cs)))
    ctx.emit(messageEvent("ibc_client"))
    return clientId
  }

  /**
   * MsgUpdateClient / MsgSubmitMisbehaviour (ibc-go v8 UpdateClient): the client must be Active;
   * the module verifies the message; misbehaviour freezes the client (client_misbehaviour event),
   * a header stores its consensus state (update_client event with the header's Any as hex).
   */
  update(ctx: CoreContext, clientId: string, message: Any): void {
    const m = this.existing(ctx.store, clientId, `cannot update client with ID ${clientId}`)
    const s = this.status(ctx.store, ctx.host, clientId)
    if (s !== "Active") throw new ClientNotActive({ log: ibcLog(`cannot update client (${clientId}) with status ${s}`, "client state is not active") })
    const cs = clientStore(ctx.store, clientId)
    const msg = { typeUrl: message.typeUrl, value: message.value }
    m.verifyClientMessage(cs, ctx.host, msg)
    if (m.checkForMisbehaviour(cs, ctx.host, msg)) {
      m.updateStateOnMisbehaviour(cs, ctx.host, msg)
      ctx.emit(misbehaviourEvent(clientId, m.clientType))
      ctx.emit(messageEvent("ibc_client"))
      return
    }
    const heights = m.updateState(cs, ctx.host, msg)
    ctx.emit(updateClientEvent(clientId, m.clientType, heights, AnyCodec.encode(msg).finish()))
    ctx.emit(messageEvent("ibc_client"))
  }

  /** Consensus state timestamp (ns) at `height` (the module throws when it has none). */
  timestampAtHeight(store: KVStore, clientId: string, height: Height): bigint {
    const m = this.existing(store, clientId, `clientID (${clientId})`)
    return m.timestampAtHeight(clientStore(store, clientId), height)
  }

  /** The client state's latest height. */
  latestHeight(store: KVStore, clientId: string): Height {
    const m = this.existing(store, clientId, `clientID (${clientId})`)
    return m.latestHeight(clientStore(store, clientId))
  }

  /**
   * Membership of `value` at `prefix/path` in the counterparty's state at `height`, through an
   * Active client. `what` prefixes a failure's log (ibc-go's "failed ... verification for client").
   */
  verifyMembership(
    ctx: Pick<CoreContext, "store" | "host">, clientId: string, height: Height, delay: readonly [bigint, bigint],
    proof: Uint8Array, prefix: Uint8Array, path: string, value: Uint8Array, what: string
  ): void {
    const m = this.requireActive(ctx.store, ctx.host, clientId)
    const p = merklePath(prefix, path)
    prefixError(`failed ${what} verification for client (${clientId})`, () =>
      m.verifyMembership(clientStore(ctx.store, clientId), ctx.host, height, delay[0], delay[1], proof, p, value))
  }

  /** Non-membership of `prefix/path` at `height` through an Active client (timeouts of unordered packets). */
  verifyNonMembership(
    ctx: Pick<CoreContext, "store" | "host">, clientId: string, height: Height, delay: readonly [bigint, bigint],
    proof: Uint8Array, prefix: Uint8Array, path: string, what: string
  ): void {
    const m = this.requireActive(ctx.store, ctx.host, clientId)
    const p = merklePath(prefix, path)
    prefixError(`failed ${what} verification for client (${clientId})`, () =>
      m.verifyNonMembership(clientStore(ctx.store, clientId), ctx.host, height, delay[0], delay[1], proof, p))
  }
}

/** ApplyPrefix: the counterparty's prefix (non-empty, InvalidPrefix) and the ICS-24 path. */
const merklePath = (prefix: Uint8Array, path: string): CommitmentPath => {
  if (prefix.length === 0) throw new InvalidPrefix({ log: ibcLog("prefix can't be empty", "invalid prefix") })
  return { prefix, key: key(path) }
}
