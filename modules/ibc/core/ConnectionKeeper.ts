/**
 * 03-connection: the connection handshake (OpenInit / OpenTry / OpenAck / OpenConfirm) with
 * version negotiation (version "1", features ORDER_ORDERED / ORDER_UNORDERED), commitment prefix
 * `ibc`, and the proofs of the counterparty's state the channel keeper verifies through a
 * connection (connection, channel, packet commitment, ack, receipt absence, next sequence recv).
 *
 * As ibc-go since v8.5.0, OpenTry and OpenAck verify only the counterparty's connection end; the
 * client-state and consensus-state proofs (and the self-client validation) are accepted and
 * ignored (ibc-go removed them: they could not be checked for every host).
 *
 * State: `connections/<id>` (ibc.core.connection.v1.ConnectionEnd), `clients/<id>/connections`
 * (ClientPaths), `nextConnectionSequence`, `connectionParams` (Params, absent = 30 s per block).
 *
 * Source: ibc-go v8.8.0 modules/core/03-connection/keeper/handshake.go, verify.go, keeper.go,
 * types/version.go, types/msgs.go (ValidateBasic), types/params.go.
 */
import { ClientPaths, ConnectionEnd, Params, State, type Counterparty, type Version } from "cosmjs-types/ibc/core/connection/v1/connection"
import type { KVStore } from "../../../store/KVStore.ts"
import type { Height } from "../LightClient.ts"
import type { ClientKeeper } from "./ClientKeeper.ts"
import type { CoreContext } from "./CoreContext.ts"
import { connectionEvent, messageEvent } from "./Events.ts"
import { isZeroHeight } from "./Height.ts"
import {
  channelPath, clientConnectionsPath, connectionPath, formatConnectionId, key, NEXT_CONNECTION_SEQUENCE, nextSequenceRecvPath,
  packetAckPath, packetCommitmentPath, packetReceiptPath, uint64Bytes, uint64Of, validateClientId, validateConnectionId
} from "./Host.ts"
import {
  ClientNotFound, ConnectionNotFound, IbcInvalidHeight, IbcInvalidVersion, ibcLog, InvalidConnectionCounterparty, InvalidConnectionIdentifier,
  InvalidConnectionState, InvalidConnectionVersion, InvalidPrefix, InvalidProof, VersionNegotiationFailed
} from "./IbcError.ts"
import { prefixError } from "./internal/Wrap.ts"

/** This chain's commitment prefix: the `ibc` namespace (store key) as ibc-go's `ibc` store. */
export const COMMITMENT_PREFIX: Uint8Array = new TextEncoder().encode("ibc")
/** ibc-go's one compatible version: "1" with both orderings. */
export const DEFAULT_VERSION: Version = { identifier: "1", features: ["ORDER_ORDERED", "ORDER_UNORDERED"] }
/** Params key of 03-connection. */
export const CONNECTION_PARAMS_KEY = "connectionParams"
/** DefaultTimePerBlock: 30 s in ns. */
export const DEFAULT_TIME_PER_BLOCK = 30_000_000_000n

const stateName = (s: State): string => ["STATE_UNINITIALIZED_UNSPECIFIED", "STATE_INIT", "STATE_TRYOPEN", "STATE_OPEN"][s] ?? String(s)
const versionText = (v: Version): string => `{${v.identifier} [${v.features.join(" ")}]}`.slice(0, 200)

/** ValidateVersion. */
export const validateVersion = (v: Version | undefined): void => {
  if (v === undefined) throw new InvalidConnectionVersion({ log: ibcLog("version cannot be nil", "invalid connection version") })
  if (v.identifier.trim() === "") throw new InvalidConnectionVersion({ log: ibcLog("version identifier cannot be blank", "invalid connection version") })
  v.features.forEach((f, i) => {
    if (f.trim() === "") throw new InvalidConnectionVersion({ log: ibcLog(`feature cannot be blank, index ${i}`, "invalid connection version") })
  })
}

/** Version.VerifyProposedVersion against a supported version; throws VersionNegotiationFailed. */
const verifyProposedVersion = (supported: Version, proposed: Version): void => {
  const fail = (d: string) => new VersionNegotiationFailed({ log: ibcLog(d, "connection version negotiation failed") })
  if (proposed.identifier !== supported.identifier) throw fail(`proposed version identifier does not equal supported version identifier (${proposed.identifier.slice(0, 200)} != ${supported.identifier})`)
  if (proposed.features.length === 0) throw fail(`nil feature sets are not supported for version identifier (${proposed.identifier.slice(0, 200)})`)
  for (const f of proposed.features) if (!supported.features.includes(f)) throw fail(`proposed feature (${f.slice(0, 200)}) is not a supported feature set (${supported.features.join(",")})`)
}

/** IsSupportedVersion. */
export const isSupportedVersion = (supported: ReadonlyArray<Version>, proposed: Version): boolean => {
  const s = supported.find((v) => v.identifier === proposed.identifier)
  if (!s) return false
  try {
    verifyProposedVersion(s, proposed)
    return true
  } catch {
    return false
  }
}

/** PickVersion: the first supported version the counterparty shares, features intersected. */
export const pickVersion = (supported: ReadonlyArray<Version>, counterparty: ReadonlyArray<Version>): Version => {
  for (const s of supported) {
    const c = counterparty.find((v) => v.identifier === s.identifier)
    if (!c) continue
    const features = s.features.filter((f) => c.features.includes(f))
    if (features.length > 0) return { identifier: s.identifier, features }
  }
  throw new VersionNegotiationFailed({
    log: ibcLog(`failed to find a matching counterparty version (${counterparty.map(versionText).join(" ").slice(0, 1000)}) from the supported version list (${supported.map(versionText).join(" ")})`, "connection version negotiation failed")
  })
}

/** VerifySupportedFeature. */
export const supportsFeature = (v: Version, feature: string): boolean => v.features.includes(feature)

const IS_CONNECTION_ID = /^connection-[0-9]{1,20}$/

/** Throws InvalidConnectionIdentifier unless `id` is `connection-<n>` (IsValidConnectionID). */
const requireConnectionIdFormat = (id: string): void => {
  if (!IS_CONNECTION_ID.test(id) || BigInt(id.slice(11)) > 0xffffffffffffffffn) {
    throw new InvalidConnectionIdentifier({ log: ibcLog(`invalid connection identifier ${id.slice(0, 128)}`, "invalid connection identifier") })
  }
}

/** Counterparty.ValidateBasic. */
const validateCounterparty = (c: Counterparty | undefined): Counterparty => {
  const cp: Counterparty = c ?? { clientId: "", connectionId: "", prefix: { keyPrefix: new Uint8Array() } }
  if (cp.connectionId !== "") prefixError("invalid counterparty connection ID", () => validateConnectionId(cp.connectionId))
  prefixError("invalid counterparty client ID", () => validateClientId(cp.clientId))
  if ((cp.prefix?.keyPrefix.length ?? 0) === 0) throw new InvalidPrefix({ log: ibcLog("counterparty prefix cannot be empty", "invalid prefix") })
  return cp
}

const requireProof = (proof: Uint8Array, what: string): void => {
  if (proof.length === 0) throw new InvalidProof({ log: ibcLog(`cannot submit an empty ${what}`, "invalid proof") })
}

/** Proof height must be non-zero (ibc-go msgs: ibcerrors.ErrInvalidHeight). */
export const requireProofHeight = (h: Height): void => {
  if (isZeroHeight(h)) throw new IbcInvalidHeight({ log: ibcLog("proof height must be non-zero", "invalid height") })
}

/** The 03-connection keeper. */
export class ConnectionKeeper {
  readonly clients: ClientKeeper
  constructor(clients: ClientKeeper) {
    this.clients = clients
  }

  /** The connection end, if stored. */
  get(store: KVStore, connectionId: string): ConnectionEnd | undefined {
    const bz = store.get(key(connectionPath(connectionId)))
    return bz ? ConnectionEnd.decode(bz) : undefined
  }

  /** The connection end or ConnectionNotFound (`<id>: connection not found`). */
  require(store: KVStore, connectionId: string): ConnectionEnd {
    const c = this.get(store, connectionId)
    if (!c) throw new ConnectionNotFound({ log: ibcLog(connectionId, "connection not found") })
    return c
  }

  /** Throws InvalidConnectionState unless OPEN. */
  requireOpen(c: ConnectionEnd): void {
    if (c.state !== State.STATE_OPEN) throw new InvalidConnectionState({ log: ibcLog(`connection state is not OPEN (got ${stateName(c.state)})`, "invalid connection state") })
  }

  private set(store: KVStore, connectionId: string, c: ConnectionEnd): void {
    store.set(key(connectionPath(connectionId)), ConnectionEnd.encode(c).finish())
  }

  /** Connection ids of a client. */
  clientConnections(store: KVStore, clientId: string): string[] {
    const bz = store.get(key(clientConnectionsPath(clientId)))
    return bz ? ClientPaths.decode(bz).paths : []
  }

  /** Params.MaxExpectedTimePerBlock (ns). */
  maxExpectedTimePerBlock(store: KVStore): bigint {
    const bz = store.get(key(CONNECTION_PARAMS_KEY))
    return bz ? Params.decode(bz).maxExpectedTimePerBlock : DEFAULT_TIME_PER_BLOCK
  }

  private nextId(store: KVStore): string {
    const seq = uint64Of(store.get(key(NEXT_CONNECTION_SEQUENCE)) ?? new Uint8Array(8))
    store.set(key(NEXT_CONNECTION_SEQUENCE), uint64Bytes(seq + 1n))
    return formatConnectionId(seq)
  }

  private addToClient(store: KVStore, clientId: string, connectionId: string): void {
    if (!this.clients.exists(store, clientId)) throw new ClientNotFound({ log: ibcLog(`clientID (${clientId})`, "light client not found") })
    const paths = this.clientConnections(store, clientId)
    store.set(key(clientConnectionsPath(clientId)), ClientPaths.encode({ paths: [...paths, connectionId] }).finish())
  }

  /** MsgConnectionOpenInit: a new INIT end on an Active client. Returns the connection id. */
  openInit(ctx: CoreContext, clientId: string, counterparty: Counterparty | undefined, version: Version | undefined, delayPeriod: bigint): string {
    prefixError("invalid client ID", () => validateClientId(clientId))
    if (counterparty?.connectionId) throw new InvalidConnectionCounterparty({ log: ibcLog("counterparty connection identifier must be empty", "invalid counterparty connection") })
    if (version !== undefined) prefixError("basic validation of the provided version failed", () => validateVersion(version))
    const cp = validateCounterparty(counterparty)
    return prefixError("connection handshake open init failed", () => this.writeInit(ctx, clientId, cp, version, delayPeriod))
  }

  private writeInit(ctx: CoreContext, clientId: string, cp: Counterparty, version: Version | undefined, delayPeriod: bigint): string {
    let versions = [DEFAULT_VERSION]
    if (version !== undefined) {
      if (!isSupportedVersion([DEFAULT_VERSION], version)) throw new InvalidConnectionVersion({ log: ibcLog("version is not supported", "invalid connection version") })
      versions = [version]
    }
    this.clients.requireActive(ctx.store, ctx.host, clientId)
    const connectionId = this.nextId(ctx.store)
    this.addToClient(ctx.store, clientId, connectionId)
    this.set(ctx.store, connectionId, { clientId, versions, state: State.STATE_INIT, counterparty: cp, delayPeriod })
    ctx.emit(connectionEvent("init", connectionId, clientId, cp.clientId, ""))
    ctx.emit(messageEvent("ibc_connection"))
    return connectionId
  }

  /** MsgConnectionOpenTry: verifies the counterparty's INIT end, stores a TRYOPEN end. Returns the connection id. */
  openTry(
    ctx: CoreContext, clientId: string, counterparty: Counterparty | undefined, delayPeriod: bigint, counterpartyVersions: ReadonlyArray<Version>,
    proofInit: Uint8Array, proofHeight: Height, previousConnectionId = ""
  ): string {
    if (previousConnectionId !== "") {
      throw new InvalidConnectionIdentifier({ log: ibcLog("previous connection identifier must be empty, this field has been deprecated as crossing hellos are no longer supported", "invalid connection identifier") })
    }
    prefixError("invalid client ID", () => validateClientId(clientId))
    prefixError("invalid counterparty connection ID", () => validateConnectionId(counterparty?.connectionId ?? ""))
    if (counterpartyVersions.length === 0) throw new IbcInvalidVersion({ log: ibcLog("empty counterparty versions", "invalid version") })
    counterpartyVersions.forEach((v, i) => prefixError(`basic validation failed on version with index ${i}`, () => validateVersion(v)))
    requireProof(proofInit, "proof init")
    requireProofHeight(proofHeight)
    const cp = validateCounterparty(counterparty)
    return prefixError("connection handshake open try failed", () => this.writeTry(ctx, clientId, cp, delayPeriod, counterpartyVersions, proofInit, proofHeight))
  }

  private writeTry(ctx: CoreContext, clientId: string, cp: Counterparty, delayPeriod: bigint, counterpartyVersions: ReadonlyArray<Version>, proofInit: Uint8Array, proofHeight: Height): string {
    const connectionId = this.nextId(ctx.store)
    const expected: ConnectionEnd = {
      clientId: cp.clientId, versions: [...counterpartyVersions], state: State.STATE_INIT,
      counterparty: { clientId, connectionId: "", prefix: { keyPrefix: COMMITMENT_PREFIX } }, delayPeriod
    }
    const version = pickVersion([DEFAULT_VERSION], counterpartyVersions)
    const end: ConnectionEnd = { clientId, versions: [version], state: State.STATE_TRYOPEN, counterparty: cp, delayPeriod }
    this.verifyConnectionState(ctx, end, proofHeight, proofInit, cp.connectionId, expected)
    prefixError(`failed to add connection with ID ${connectionId} to client with ID ${clientId}`, () => this.addToClient(ctx.store, clientId, connectionId))
    this.set(ctx.store, connectionId, end)
    ctx.emit(connectionEvent("try", connectionId, clientId, cp.clientId, cp.connectionId))
    ctx.emit(messageEvent("ibc_connection"))
    return connectionId
  }

  /** MsgConnectionOpenAck: verifies the counterparty's TRYOPEN end; INIT -> OPEN with the chosen version. */
  openAck(ctx: CoreContext, connectionId: string, counterpartyConnectionId: string, version: Version | undefined, proofTry: Uint8Array, proofHeight: Height): void {
    requireConnectionIdFormat(connectionId)
    prefixError("invalid counterparty connection ID", () => validateConnectionId(counterpartyConnectionId))
    validateVersion(version)
    requireProof(proofTry, "proof try")
    requireProofHeight(proofHeight)
    const v = version!
    prefixError("connection handshake open ack failed", () => this.writeAck(ctx, connectionId, counterpartyConnectionId, v, proofTry, proofHeight))
  }

  private writeAck(ctx: CoreContext, connectionId: string, counterpartyConnectionId: string, v: Version, proofTry: Uint8Array, proofHeight: Height): void {
    const c = this.require(ctx.store, connectionId)
    if (c.state !== State.STATE_INIT) throw new InvalidConnectionState({ log: ibcLog(`connection state is not INIT (got ${stateName(c.state)})`, "invalid connection state") })
    if (!isSupportedVersion(c.versions, v)) {
      throw new InvalidConnectionState({ log: ibcLog(`the counterparty selected version ${versionText(v)} is not supported by versions selected on INIT`, "invalid connection state") })
    }
    const expected: ConnectionEnd = {
      clientId: c.counterparty.clientId, versions: [v], state: State.STATE_TRYOPEN,
      counterparty: { clientId: c.clientId, connectionId, prefix: { keyPrefix: COMMITMENT_PREFIX } }, delayPeriod: c.delayPeriod
    }
    this.verifyConnectionState(ctx, c, proofHeight, proofTry, counterpartyConnectionId, expected)
    const open: ConnectionEnd = { ...c, state: State.STATE_OPEN, versions: [v], counterparty: { ...c.counterparty, connectionId: counterpartyConnectionId } }
    this.set(ctx.store, connectionId, open)
    ctx.emit(connectionEvent("ack", connectionId, c.clientId, c.counterparty.clientId, counterpartyConnectionId))
    ctx.emit(messageEvent("ibc_connection"))
  }

  /** MsgConnectionOpenConfirm: verifies the counterparty's OPEN end; TRYOPEN -> OPEN. */
  openConfirm(ctx: CoreContext, connectionId: string, proofAck: Uint8Array, proofHeight: Height): void {
    requireConnectionIdFormat(connectionId)
    requireProof(proofAck, "proof ack")
    requireProofHeight(proofHeight)
    prefixError("connection handshake open confirm failed", () => this.writeConfirm(ctx, connectionId, proofAck, proofHeight))
  }

  private writeConfirm(ctx: CoreContext, connectionId: string, proofAck: Uint8Array, proofHeight: Height): void {
    const c = this.require(ctx.store, connectionId)
    if (c.state !== State.STATE_TRYOPEN) throw new InvalidConnectionState({ log: ibcLog(`connection state is not TRYOPEN (got ${stateName(c.state)})`, "invalid connection state") })
    const expected: ConnectionEnd = {
      clientId: c.counterparty.clientId, versions: c.versions, state: State.STATE_OPEN,
      counterparty: { clientId: c.clientId, connectionId, prefix: { keyPrefix: COMMITMENT_PREFIX } }, delayPeriod: c.delayPeriod
    }
    this.verifyConnectionState(ctx, c, proofHeight, proofAck, c.counterparty.connectionId, expected)
    this.set(ctx.store, connectionId, { ...c, state: State.STATE_OPEN })
    ctx.emit(connectionEvent("confirm", connectionId, c.clientId, c.counterparty.clientId, c.counterparty.connectionId))
    ctx.emit(messageEvent("ibc_connection"))
  }

  private prefixOf(c: ConnectionEnd): Uint8Array {
    return c.counterparty.prefix?.keyPrefix ?? new Uint8Array()
  }

  /** getBlockDelay: ceil(delay period / max expected time per block), 0 when that param is 0. */
  blockDelay(store: KVStore, c: ConnectionEnd): bigint {
    const per = this.maxExpectedTimePerBlock(store)
    return per === 0n ? 0n : (c.delayPeriod + per - 1n) / per
  }

  private packetDelay(store: KVStore, c: ConnectionEnd): readonly [bigint, bigint] {
    return [c.delayPeriod, this.blockDelay(store, c)]
  }

  /** VerifyConnectionState: the counterparty stores `expected` at `connections/<counterpartyConnectionId>`. */
  verifyConnectionState(ctx: CoreContext, c: ConnectionEnd, h: Height, proof: Uint8Array, counterpartyConnectionId: string, expected: ConnectionEnd): void {
    this.clients.verifyMembership(ctx, c.clientId, h, [0n, 0n], proof, this.prefixOf(c), connectionPath(counterpartyConnectionId), ConnectionEnd.encode(expected).finish(), "connection state")
  }

  /** VerifyChannelState: the counterparty stores the channel end bytes `channel` at its channel path. */
  verifyChannelState(ctx: CoreContext, c: ConnectionEnd, h: Height, proof: Uint8Array, portId: string, channelId: string, channel: Uint8Array): void {
    this.clients.verifyMembership(ctx, c.clientId, h, [0n, 0n], proof, this.prefixOf(c), channelPath(portId, channelId), channel, "channel state")
  }

  /** VerifyPacketCommitment (with the connection's delay). */
  verifyPacketCommitment(ctx: CoreContext, c: ConnectionEnd, h: Height, proof: Uint8Array, portId: string, channelId: string, sequence: bigint, commitment: Uint8Array): void {
    this.clients.verifyMembership(ctx, c.clientId, h, this.packetDelay(ctx.store, c), proof, this.prefixOf(c), packetCommitmentPath(portId, channelId, sequence), commitment, "packet commitment")
  }

  /** VerifyPacketAcknowledgement: the counterparty stores sha256(ack) at its ack path. */
  verifyPacketAcknowledgement(ctx: CoreContext, c: ConnectionEnd, h: Height, proof: Uint8Array, portId: string, channelId: string, sequence: bigint, ackCommitment: Uint8Array): void {
    this.clients.verifyMembership(ctx, c.clientId, h, this.packetDelay(ctx.store, c), proof, this.prefixOf(c), packetAckPath(portId, channelId, sequence), ackCommitment, "packet acknowledgement")
  }

  /** VerifyPacketReceiptAbsence (unordered timeouts). */
  verifyPacketReceiptAbsence(ctx: CoreContext, c: ConnectionEnd, h: Height, proof: Uint8Array, portId: string, channelId: string, sequence: bigint): void {
    this.clients.verifyNonMembership(ctx, c.clientId, h, this.packetDelay(ctx.store, c), proof, this.prefixOf(c), packetReceiptPath(portId, channelId, sequence), "packet receipt absence")
  }

  /** VerifyNextSequenceRecv (ordered timeouts): uint64 BE at the counterparty's nextSequenceRecv path. */
  verifyNextSequenceRecv(ctx: CoreContext, c: ConnectionEnd, h: Height, proof: Uint8Array, portId: string, channelId: string, next: bigint): void {
    this.clients.verifyMembership(ctx, c.clientId, h, this.packetDelay(ctx.store, c), proof, this.prefixOf(c), nextSequenceRecvPath(portId, channelId), uint64Bytes(next), "next sequence receive")
  }
}
