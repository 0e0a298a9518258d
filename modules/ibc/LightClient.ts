/**
 * The contract between IBC core (modules/ibc/core) and a light client module
 * (modules/ibc/lightclients/<type>): what 02-client needs of a client, after ibc-go v8's
 * `LightClientModule` / `ClientState` interfaces (modules/core/exported/client.go), reduced to the
 * classic IBC v1 paths relayers use. Types only; every method is synchronous and deterministic
 * (chain plane) and throws a chain error (IbcError subclasses with ibc-go's codespace and code)
 * on refusal, having changed nothing.
 *
 * Source: ibc-go modules/core/exported/client.go, modules/core/02-client/keeper/client.go.
 */

/** ibc-go clienttypes.Height: revision number and revision height (ordered lexicographically). */
export interface Height {
  readonly revisionNumber: bigint
  readonly revisionHeight: bigint
}

/** ibc-go exported.Status (the strings ibc-go's ClientStatus query returns). */
export type ClientStatus = "Active" | "Frozen" | "Expired" | "Unknown" | "Unauthorized"

/**
 * One client's own store: ibc-go's client-prefixed store, keys relative to `clients/<client-id>/`
 * under the `ibc` namespace, so `"clientState"` is ICS-24 `clients/<id>/clientState` and
 * `"consensusStates/<rev>-<height>"` is that consensus state. A client may keep ibc-go's
 * metadata keys there too (processedTime, processedHeight, iterateConsensusStates).
 * Keys are byte strings: each character (code 0-255) is one byte, as latin1 (`Buffer.from(key,
 * "latin1")`). ICS-24 paths are ASCII, so they read the same either way; ibc-go's iteration keys
 * (`iterateConsensusStates` + revision and height as 8-byte big-endian each) use the full range.
 */
export interface ClientStore {
  get(key: string): Uint8Array | undefined
  set(key: string, value: Uint8Array): void
  delete(key: string): void
  /** Keys under `prefix` in ascending byte order (for pruning expired consensus states). */
  keys(prefix: string): readonly string[]
}

/** The host chain's block, as a client sees it. */
export interface HostContext {
  /** This chain's height, revision from its chain id as ibc-go parses it (`name-<rev>`). */
  readonly height: Height
  /** Block time in unix nanoseconds. */
  readonly timeNs: bigint
  /** This chain's id. */
  readonly chainId: string
}

/** A protobuf Any as bytes: type URL and the encoded value. */
export interface AnyBytes {
  readonly typeUrl: string
  readonly value: Uint8Array
}

/** A commitment path: ibc-go's MerklePath with the counterparty's prefix (e.g. `ibc`) and an ICS-24 key. */
export interface CommitmentPath {
  readonly prefix: Uint8Array
  readonly key: Uint8Array
}

/** What 02-client calls on a client type. */
export interface LightClientModule {
  /** ibc-go client type, e.g. `07-tendermint`; client ids are `<type>-<n>`. */
  readonly clientType: string
  /** MsgCreateClient: validate both Anys, store client state and the consensus state at its latest height. */
  initialize(store: ClientStore, host: HostContext, clientState: AnyBytes, consensusState: AnyBytes): void
  /** The client's status now (trusting period from the latest consensus state's timestamp, frozen height). */
  status(store: ClientStore, host: HostContext): ClientStatus
  /** The client state's latest height. */
  latestHeight(store: ClientStore): Height
  /** The stored client state as an Any (for queries and the connection handshake). */
  clientState(store: ClientStore): AnyBytes
  /** The consensus state at `height` as an Any, if stored. */
  consensusState(store: ClientStore, height: Height): AnyBytes | undefined
  /** Counterparty timestamp (unix ns) of the consensus state at `height`; throws if none. */
  timestampAtHeight(store: ClientStore, height: Height): bigint
  /** MsgUpdateClient / MsgSubmitMisbehaviour: verify a header or misbehaviour; throws on refusal. */
  verifyClientMessage(store: ClientStore, host: HostContext, message: AnyBytes): void
  /** Whether a verified message is misbehaviour (conflicting headers, or a header conflicting with a stored one). */
  checkForMisbehaviour(store: ClientStore, host: HostContext, message: AnyBytes): boolean
  /** Freeze the client (frozen height 0-1 as ibc-go sets it). */
  updateStateOnMisbehaviour(store: ClientStore, host: HostContext, message: AnyBytes): void
  /** Store the verified header's consensus state (and prune expired ones); returns the heights updated. */
  updateState(store: ClientStore, host: HostContext, message: AnyBytes): readonly Height[]
  /** Verify an ICS-23 membership proof of `value` at `path` against the consensus state root at `height`. */
  verifyMembership(store: ClientStore, host: HostContext, height: Height, delayTimePeriod: bigint, delayBlockPeriod: bigint, proof: Uint8Array, path: CommitmentPath, value: Uint8Array): void
  /** Verify an ICS-23 non-membership proof at `path`. */
  verifyNonMembership(store: ClientStore, host: HostContext, height: Height, delayTimePeriod: bigint, delayBlockPeriod: bigint, proof: Uint8Array, path: CommitmentPath): void
}
