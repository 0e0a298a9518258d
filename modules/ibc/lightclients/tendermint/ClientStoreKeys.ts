/**
 * The 07-tendermint client's keys in its client-prefixed store, and the reads and writes on them:
 * the client state and consensus states (ICS-24 `clientState`, `consensusStates/<rev>-<h>`,
 * each an encoded Any as ibc-go stores them), ibc-go's per-consensus-state metadata
 * (`.../processedTime` 8-byte big-endian unix ns, `.../processedHeight` the host height as
 * `<rev>-<h>`) and the iteration keys (`iterateConsensusStates` + revision and height as 8-byte
 * big-endian each, value the consensus state key) that order consensus states by height.
 * Keys are byte strings (latin1), as modules/ibc/LightClient.ts's ClientStore defines them.
 *
 * Source: ibc-go v8 modules/light-clients/07-tendermint/store.go, modules/core/24-host/keys.go.
 */
import { Any } from "cosmjs-types/google/protobuf/any"
import { ClientState, ConsensusState } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import type { ClientStore, Height } from "../../LightClient.ts"
import { heightString, TypeUrl } from "./ClientState.ts"
import { ConsensusStateNotFound, InvalidClient } from "./TendermintError.ts"

/** host.ClientStateKey. */
export const CLIENT_STATE_KEY = "clientState"
/** host.KeyConsensusStatePrefix. */
export const CONSENSUS_STATE_PREFIX = "consensusStates"
/** KeyIterateConsensusStatePrefix. */
export const ITERATE_PREFIX = "iterateConsensusStates"

/** host.ConsensusStateKey: `consensusStates/<rev>-<h>`. */
export const consensusStateKey = (h: Height): string => `${CONSENSUS_STATE_PREFIX}/${heightString(h)}`
/** ProcessedTimeKey. */
export const processedTimeKey = (h: Height): string => `${consensusStateKey(h)}/processedTime`
/** ProcessedHeightKey. */
export const processedHeightKey = (h: Height): string => `${consensusStateKey(h)}/processedHeight`

const be8 = (v: bigint): string => {
  let s = ""
  for (let i = 7n; i >= 0n; i--) s += String.fromCharCode(Number((v >> (8n * i)) & 0xffn))
  return s
}
const fromBe8 = (s: string, off: number): bigint => {
  let v = 0n
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(s.charCodeAt(off + i) & 0xff)
  return v
}
/** bigEndianHeightBytes as a latin1 string. */
const heightBytes = (h: Height): string => be8(h.revisionNumber) + be8(h.revisionHeight)
/** IterationKey. */
export const iterationKey = (h: Height): string => ITERATE_PREFIX + heightBytes(h)
/** GetHeightFromIterationKey. */
export const heightFromIterationKey = (k: string): Height => ({
  revisionNumber: fromBe8(k, ITERATE_PREFIX.length), revisionHeight: fromBe8(k, ITERATE_PREFIX.length + 8)
})

const latin1 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "latin1"))
const latin1Text = (b: Uint8Array): string => Buffer.from(b).toString("latin1")

/** The stored client state; InvalidClient when the store has none (a core bug, not user input). */
export const getClientState = (store: ClientStore): ClientState => {
  const bz = store.get(CLIENT_STATE_KEY)
  if (bz === undefined || bz.length === 0) throw new InvalidClient({ log: "client state not found in the client store: light client is invalid" })
  return ClientState.decode(Any.decode(bz).value)
}

/** Stores the client state as an Any (MustMarshalClientState). */
export const setClientState = (store: ClientStore, cs: ClientState): void =>
  store.set(CLIENT_STATE_KEY, Any.encode({ typeUrl: TypeUrl.clientState, value: ClientState.encode(cs).finish() }).finish())

/** The consensus state at `h`, if stored. */
export const getConsensusState = (store: ClientStore, h: Height): ConsensusState | undefined => {
  const bz = store.get(consensusStateKey(h))
  return bz === undefined || bz.length === 0 ? undefined : ConsensusState.decode(Any.decode(bz).value)
}

/** The consensus state at `h`; ConsensusStateNotFound with ibc-go's `height (<h>)` text otherwise. */
export const mustConsensusState = (store: ClientStore, h: Height): ConsensusState => {
  const cs = getConsensusState(store, h)
  if (cs === undefined) throw new ConsensusStateNotFound({ log: `height (${heightString(h)}): consensus state not found` })
  return cs
}

/** Stores a consensus state as an Any at `h`. */
export const setConsensusState = (store: ClientStore, cs: ConsensusState, h: Height): void =>
  store.set(consensusStateKey(h), Any.encode({ typeUrl: TypeUrl.consensusState, value: ConsensusState.encode(cs).finish() }).finish())

/** setConsensusMetadata: processed time and host height for `h`, and its iteration key. */
export const setConsensusMetadata = (store: ClientStore, h: Height, hostHeight: Height, hostTimeNs: bigint): void => {
  store.set(processedTimeKey(h), latin1(be8(hostTimeNs)))
  store.set(processedHeightKey(h), new TextEncoder().encode(heightString(hostHeight)))
  store.set(iterationKey(h), latin1(consensusStateKey(h)))
}

/** GetProcessedTime (unix ns), if stored. */
export const getProcessedTime = (store: ClientStore, h: Height): bigint | undefined => {
  const bz = store.get(processedTimeKey(h))
  return bz === undefined || bz.length === 0 ? undefined : fromBe8(latin1Text(bz).padStart(8, "\0").slice(-8), 0)
}

/** GetProcessedHeight, if stored and parseable as `<rev>-<h>`. */
export const getProcessedHeight = (store: ClientStore, h: Height): Height | undefined => {
  const bz = store.get(processedHeightKey(h))
  if (bz === undefined || bz.length === 0) return undefined
  const m = /^(\d+)-(\d+)$/.exec(new TextDecoder().decode(bz))
  return m === null ? undefined : { revisionNumber: BigInt(m[1]!), revisionHeight: BigInt(m[2]!) }
}

/** Deletes the consensus state at `h` and its metadata (deleteConsensusState + deleteConsensusMetadata). */
export const deleteConsensusState = (store: ClientStore, h: Height): void => {
  store.delete(consensusStateKey(h))
  store.delete(processedTimeKey(h))
  store.delete(processedHeightKey(h))
  store.delete(iterationKey(h))
}

/** Heights of the stored consensus states, ascending (IterateConsensusStateAscending). */
export const consensusHeights = (store: ClientStore): Height[] =>
  store.keys(ITERATE_PREFIX).filter((k) => k.length === ITERATE_PREFIX.length + 16).map(heightFromIterationKey)

const byIterationValue = (store: ClientStore, k: string): ConsensusState | undefined => {
  const v = store.get(k)
  if (v === undefined) return undefined
  const bz = store.get(latin1Text(v))
  if (bz === undefined || bz.length === 0) return undefined
  try {
    const any = Any.decode(bz)
    return any.typeUrl === TypeUrl.consensusState ? ConsensusState.decode(any.value) : undefined
  } catch {
    return undefined
  }
}

/** GetPreviousConsensusState: the consensus state at the greatest height below `h`. */
export const previousConsensusState = (store: ClientStore, h: Height): ConsensusState | undefined => {
  const target = iterationKey(h)
  const below = store.keys(ITERATE_PREFIX).filter((k) => k < target)
  return below.length === 0 ? undefined : byIterationValue(store, below[below.length - 1]!)
}

/** GetNextConsensusState: the consensus state at the smallest height above `h`. */
export const nextConsensusState = (store: ClientStore, h: Height): ConsensusState | undefined => {
  const target = iterationKey(h)
  const above = store.keys(ITERATE_PREFIX).find((k) => k > target)
  return above === undefined ? undefined : byIterationValue(store, above)
}
