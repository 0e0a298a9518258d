/**
 * `tendermintClient`: the 07-tendermint light client as a LightClientModule
 * (modules/ibc/LightClient.ts) — create from a client state and consensus state, verify and apply
 * headers (adjacent and non-adjacent, CometBFT's light verifier), detect and freeze on
 * misbehaviour, expire after the trusting period, prune expired consensus states, and verify
 * ICS-23 membership / non-membership proofs against stored roots with delay periods.
 * Every method is synchronous and deterministic; a refusal throws ibc-go's error (codespace,
 * code, text) having written nothing.
 *
 * Source: ibc-go v8 modules/light-clients/07-tendermint (client_state.go, update.go,
 * misbehaviour_handle.go, store.go), cometbft v0.38 light/verifier.go.
 */
import type { AnyBytes, ClientStatus, ClientStore, CommitmentPath, Height, HostContext, LightClientModule } from "../../LightClient.ts"
import { applyPrefix, decodeMerkleProof, verifyMembership as merkleVerifyMembership, verifyNonMembership as merkleVerifyNonMembership } from "../../commitment/MerkleProof.ts"
import {
  ClientState, CLIENT_TYPE, compareHeight, durationNs, FROZEN_HEIGHT, heightString, heightStruct, isExpired, isRevisionFormat,
  isZeroHeight, parseChainId, setRevisionNumber, TypeUrl, validateClientState
} from "./ClientState.ts"
import {
  consensusHeights, deleteConsensusState, getClientState, getConsensusState, getProcessedHeight, getProcessedTime, mustConsensusState,
  nextConsensusState, previousConsensusState, setClientState, setConsensusMetadata, setConsensusState
} from "./ClientStoreKeys.ts"
import { ConsensusState, consensusStateOf, consensusTimeNs, validateConsensusState } from "./ConsensusState.ts"
import { Header, validateHeader, type ValidHeader } from "./Header.ts"
import { Misbehaviour, validateMisbehaviour } from "./Misbehaviour.ts"
import {
  ConsensusStateNotFound, DelayPeriodNotPassed, IbcInvalidHeight, IbcUnpackAny, InvalidClientType, InvalidHeaderHeight, InvalidMisbehaviour,
  InvalidValidatorSet, ProcessedHeightNotFound, ProcessedTimeNotFound, TrustingPeriodExpired, UnregisteredError
} from "./TendermintError.ts"
import { validatorSetFromProto, type ValSet } from "./ValidatorSet.ts"
import { CometError, NotEnoughVotingPowerSigned } from "./internal/CometError.ts"
import { verifyCommitLightTrusting } from "./internal/CommitVerifier.ts"
import { lightVerify } from "./internal/LightVerifier.ts"
import { goHex, protoTextValidatorSet } from "./internal/GoFormat.ts"

type Message = { readonly kind: "header"; readonly value: Header } | { readonly kind: "misbehaviour"; readonly value: Misbehaviour }

const decodeAs = <T>(any: AnyBytes, decode: (b: Uint8Array) => T, name: string): T => {
  try {
    return decode(any.value)
  } catch (e) {
    throw new IbcUnpackAny({ log: `cannot decode ${name} from Any ${any.typeUrl}: ${(e as Error).message}: failed unpacking protobuf message from Any` })
  }
}

/** The client message as a Header or Misbehaviour; other types are ibc-go's ErrInvalidClientType. */
const decodeMessage = (m: AnyBytes): Message => {
  if (m.typeUrl === TypeUrl.header) return { kind: "header", value: decodeAs(m, (b) => Header.decode(b), "Header") }
  if (m.typeUrl === TypeUrl.misbehaviour) return { kind: "misbehaviour", value: decodeAs(m, (b) => Misbehaviour.decode(b), "Misbehaviour") }
  throw new InvalidClientType({ log: "invalid client type" })
}

const cometWrapped = <T>(context: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    if (e instanceof CometError) throw new UnregisteredError({ log: `${context}: ${e.message}` })
    throw e
  }
}

/** checkTrustedHeader: the header's trusted validators hash to the trusted consensus state's next validators hash. */
const checkTrustedHeader = (h: Header, cons: ConsensusState, decodeContext = "trusted validator set in not tendermint validator set type"): ValSet => {
  const trusted = cometWrapped(decodeContext, () => validatorSetFromProto(h.trustedValidators))
  if (!Buffer.from(cons.nextValidatorsHash).equals(Buffer.from(trusted.hash))) {
    throw new InvalidValidatorSet({
      log: `trusted validators ${validatorSetText(h)}, does not hash to latest trusted validators. Expected: ${goHex(cons.nextValidatorsHash)}, got: ${goHex(trusted.hash)}: invalid validator set`
    })
  }
  return trusted
}

/** Go's `%s` of the trusted validator set protobuf (gogoproto CompactTextString), as ibc-go prints it. */
const validatorSetText = (h: Header): string => h.trustedValidators === undefined ? "nil" : protoTextValidatorSet(h.trustedValidators)

/** verifyHeader: the header descends from the trusted consensus state under CometBFT's light verification. */
const verifyHeader = (store: ClientStore, host: HostContext, cs: ClientState, valid: ValidHeader): void => {
  const h = valid.header
  const cons = getConsensusState(store, h.trustedHeight)
  if (cons === undefined) {
    throw new ConsensusStateNotFound({ log: `could not get trusted consensus state from clientStore for Header at TrustedHeight: ${heightString(h.trustedHeight)}: consensus state not found` })
  }
  const trustedVals = checkTrustedHeader(h, cons)
  if (valid.height.revisionNumber !== h.trustedHeight.revisionNumber) {
    throw new InvalidHeaderHeight({
      log: `header height revision ${valid.height.revisionNumber} does not match trusted header revision ${h.trustedHeight.revisionNumber}: invalid header height`
    })
  }
  cometWrapped("failed to verify header", () =>
    lightVerify(
      { chainId: cs.chainId, height: h.trustedHeight.revisionHeight, timeNs: consensusTimeNs(cons), nextValidatorsHash: cons.nextValidatorsHash },
      trustedVals, valid.signed, valid.validators,
      durationNs(cs.trustingPeriod), host.timeNs, durationNs(cs.maxClockDrift), cs.trustLevel
    ))
}


/** checkMisbehaviourHeader: trusted validators match, within the trusting period, trust level of them signed. */
const checkMisbehaviourHeader = (cs: ClientState, cons: ConsensusState, valid: ValidHeader, nowNs: bigint): void => {
  // checkMisbehaviourHeader decodes the trusted set first, with its own wording
  const trusted = checkTrustedHeader(valid.header, cons, "trusted validator set is not tendermint validator set type")
  const elapsed = nowNs - consensusTimeNs(cons)
  const trusting = durationNs(cs.trustingPeriod)
  if (elapsed >= trusting) {
    throw new TrustingPeriodExpired({
      log: `current timestamp minus the latest consensus state timestamp is greater than or equal to the trusting period (${elapsed} >= ${trusting}): time since latest trusted state has passed the trusting period`
    })
  }
  const chainId = isRevisionFormat(cs.chainId) ? setRevisionNumber(cs.chainId, valid.height.revisionNumber) : cs.chainId
  try {
    verifyCommitLightTrusting(chainId, trusted, valid.signed.commit, cs.trustLevel)
  } catch (e) {
    if (e instanceof CometError || e instanceof NotEnoughVotingPowerSigned) {
      throw new InvalidMisbehaviour({ log: `validator set in header has too much change from trusted validator set: ${e.message}: invalid light client misbehaviour` })
    }
    throw e
  }
}

/** errorsmod.Wrap(err, context) of a registered error: same class and code, the context before its log. */
const prefixLog = (context: string, f: () => void): void => {
  try {
    f()
  } catch (e) {
    const err = e as { log?: string }
    if (typeof err.log === "string") {
      const Ctor = (e as object).constructor as new (a: { log: string }) => Error
      throw new Ctor({ log: `${context}: ${err.log}` })
    }
    throw e
  }
}

/** verifyMisbehaviour: both headers verify from their trusted consensus states. */
const verifyMisbehaviour = (store: ClientStore, host: HostContext, cs: ClientState, m: Misbehaviour): void => {
  const valid = validateMisbehaviour(m)
  const cons1 = getConsensusState(store, m.header1!.trustedHeight)
  if (cons1 === undefined) {
    throw new ConsensusStateNotFound({ log: `could not get trusted consensus state from clientStore for Header1 at TrustedHeight: ${heightString(m.header1!.trustedHeight)}: consensus state not found` })
  }
  const cons2 = getConsensusState(store, m.header2!.trustedHeight)
  if (cons2 === undefined) {
    throw new ConsensusStateNotFound({ log: `could not get trusted consensus state from clientStore for Header2 at TrustedHeight: ${heightString(m.header2!.trustedHeight)}: consensus state not found` })
  }
  prefixLog("verifying Header1 in Misbehaviour failed", () => checkMisbehaviourHeader(cs, cons1, valid.header1, host.timeNs))
  prefixLog("verifying Header2 in Misbehaviour failed", () => checkMisbehaviourHeader(cs, cons2, valid.header2, host.timeNs))
}

const sameConsensusState = (a: ConsensusState, b: ConsensusState): boolean =>
  Buffer.from(ConsensusState.encode(a).finish()).equals(Buffer.from(ConsensusState.encode(b).finish()))

/** pruneOldestConsensusState: the earliest consensus state, if expired, with its metadata. */
const pruneOldest = (store: ClientStore, host: HostContext, cs: ClientState): void => {
  const first = consensusHeights(store)[0]
  if (first === undefined) return
  const cons = getConsensusState(store, first)
  if (cons === undefined) throw new ConsensusStateNotFound({ log: `failed to retrieve consensus state at height: ${heightString(first)}: consensus state not found` })
  if (isExpired(cs, consensusTimeNs(cons), host.timeNs)) deleteConsensusState(store, first)
}

/**
 * PruneAllExpiredConsensusStates: deletes every expired consensus state and its metadata;
 * returns how many (ibc-go's migration helper, for a chain upgrade or an operator tool).
 */
export const pruneAllExpiredConsensusStates = (store: ClientStore, host: HostContext): number => {
  const cs = getClientState(store)
  const expired = consensusHeights(store).filter((h) => {
    const cons = getConsensusState(store, h)
    return cons !== undefined && isExpired(cs, consensusTimeNs(cons), host.timeNs)
  })
  for (const h of expired) deleteConsensusState(store, h)
  return expired.length
}

/** verifyDelayPeriodPassed: enough host time and blocks since the consensus state at `h` was stored. */
const verifyDelayPeriodPassed = (store: ClientStore, host: HostContext, h: Height, delayTime: bigint, delayBlocks: bigint): void => {
  if (delayTime !== 0n) {
    const processed = getProcessedTime(store, h)
    if (processed === undefined) throw new ProcessedTimeNotFound({ log: `processed time not found for height: ${heightString(h)}: processed time not found` })
    const valid = processed + delayTime
    if (host.timeNs < valid) {
      throw new DelayPeriodNotPassed({ log: `cannot verify packet until time: ${valid}, current time: ${host.timeNs}: packet-specified delay period has not been reached` })
    }
  }
  if (delayBlocks !== 0n) {
    const processed = getProcessedHeight(store, h)
    if (processed === undefined) throw new ProcessedHeightNotFound({ log: `processed height not found for height: ${heightString(h)}: processed height not found` })
    const valid: Height = { revisionNumber: processed.revisionNumber, revisionHeight: processed.revisionHeight + delayBlocks }
    if (compareHeight(host.height, valid) < 0) {
      throw new DelayPeriodNotPassed({ log: `cannot verify packet until height: ${heightString(valid)}, current height: ${heightString(host.height)}: packet-specified delay period has not been reached` })
    }
  }
}

/** The checks before a proof: height within the client, delay passed, proof decodes, consensus state stored. */
const proofContext = (store: ClientStore, host: HostContext, height: Height, delayTime: bigint, delayBlocks: bigint, proof: Uint8Array, path: CommitmentPath) => {
  const cs = getClientState(store)
  if (compareHeight(cs.latestHeight, height) < 0) {
    throw new IbcInvalidHeight({ log: `client state height < proof height (${heightStruct(cs.latestHeight)} < ${heightStruct(height)}), please ensure the client has been updated: invalid height` })
  }
  verifyDelayPeriodPassed(store, host, height, delayTime, delayBlocks)
  const merkleProof = decodeMerkleProof(proof)
  const merklePath = applyPrefix(path.prefix, path.key)
  const cons = getConsensusState(store, height)
  if (cons === undefined) {
    throw new ConsensusStateNotFound({ log: "please ensure the proof was constructed against a height that exists on the client: consensus state not found" })
  }
  return { cs, merkleProof, merklePath, root: cons.root.hash }
}

/** The 07-tendermint LightClientModule. */
export const tendermintClient: LightClientModule = {
  clientType: CLIENT_TYPE,

  initialize(store, host, clientStateAny, consensusStateAny) {
    if (clientStateAny.typeUrl !== TypeUrl.clientState) throw new InvalidClientType({ log: `expected ${TypeUrl.clientState}, got ${clientStateAny.typeUrl}: invalid client type` })
    const cs = decodeAs(clientStateAny, (b) => ClientState.decode(b), "ClientState")
    validateClientState(cs)
    if (consensusStateAny.typeUrl !== TypeUrl.consensusState) {
      throw new InvalidClientType({ log: "client type for client state and consensus state do not match: invalid client type" })
    }
    const cons = decodeAs(consensusStateAny, (b) => ConsensusState.decode(b), "ConsensusState")
    validateConsensusState(cons)
    setClientState(store, cs)
    setConsensusState(store, cons, cs.latestHeight)
    setConsensusMetadata(store, cs.latestHeight, host.height, host.timeNs)
  },

  status(store, host): ClientStatus {
    const cs = getClientState(store)
    if (!isZeroHeight(cs.frozenHeight)) return "Frozen"
    const cons = getConsensusState(store, cs.latestHeight)
    if (cons === undefined) return "Expired"
    return isExpired(cs, consensusTimeNs(cons), host.timeNs) ? "Expired" : "Active"
  },

  latestHeight: (store) => getClientState(store).latestHeight,

  clientState(store) {
    const cs = getClientState(store)
    return { typeUrl: TypeUrl.clientState, value: ClientState.encode(cs).finish() }
  },

  consensusState(store, height) {
    const cons = getConsensusState(store, height)
    return cons === undefined ? undefined : { typeUrl: TypeUrl.consensusState, value: ConsensusState.encode(cons).finish() }
  },

  timestampAtHeight: (store, height) => consensusTimeNs(mustConsensusState(store, height)),

  verifyClientMessage(store, host, message) {
    const cs = getClientState(store)
    const m = decodeMessage(message)
    if (m.kind === "header") verifyHeader(store, host, cs, validateHeader(m.value))
    else verifyMisbehaviour(store, host, cs, m.value)
  },

  checkForMisbehaviour(store, _host, message) {
    const m = decodeMessage(message)
    if (m.kind === "header") {
      const tm = m.value.signedHeader?.header
      if (tm === undefined) return false
      const height = { revisionNumber: parseChainId(tm.chainId), revisionHeight: tm.height }
      const cons = consensusStateOf(tm)
      const existing = getConsensusState(store, height)
      if (existing !== undefined) return !sameConsensusState(existing, cons)
      const t = consensusTimeNs(cons)
      const prev = previousConsensusState(store, height)
      if (prev !== undefined && !(consensusTimeNs(prev) < t)) return true
      const next = nextConsensusState(store, height)
      if (next !== undefined && !(consensusTimeNs(next) > t)) return true
      return false
    }
    const h1 = m.value.header1?.signedHeader, h2 = m.value.header2?.signedHeader
    if (h1?.header === undefined || h2?.header === undefined) return false
    const height1 = { revisionNumber: parseChainId(h1.header.chainId), revisionHeight: h1.header.height }
    const height2 = { revisionNumber: parseChainId(h2.header.chainId), revisionHeight: h2.header.height }
    if (compareHeight(height1, height2) === 0) {
      const b1 = h1.commit?.blockId.hash ?? new Uint8Array(0)
      const b2 = h2.commit?.blockId.hash ?? new Uint8Array(0)
      return !Buffer.from(b1).equals(Buffer.from(b2))
    }
    const t1 = h1.header.time.seconds * 1_000_000_000n + BigInt(h1.header.time.nanos)
    const t2 = h2.header.time.seconds * 1_000_000_000n + BigInt(h2.header.time.nanos)
    return !(t1 > t2)
  },

  updateStateOnMisbehaviour(store) {
    const cs = getClientState(store)
    setClientState(store, { ...cs, frozenHeight: FROZEN_HEIGHT })
  },

  updateState(store, host, message) {
    const m = decodeMessage(message)
    if (m.kind !== "header") return []
    const cs = getClientState(store)
    pruneOldest(store, host, cs)
    const tm = m.value.signedHeader!.header!
    const height: Height = { revisionNumber: parseChainId(tm.chainId), revisionHeight: tm.height }
    if (getConsensusState(store, height) !== undefined) return [height]
    const latest = compareHeight(height, cs.latestHeight) > 0 ? height : cs.latestHeight
    setClientState(store, { ...cs, latestHeight: latest })
    setConsensusState(store, consensusStateOf(tm), height)
    setConsensusMetadata(store, height, host.height, host.timeNs)
    return [height]
  },

  verifyMembership(store, host, height, delayTimePeriod, delayBlockPeriod, proof, path, value) {
    const c = proofContext(store, host, height, delayTimePeriod, delayBlockPeriod, proof, path)
    merkleVerifyMembership(c.cs.proofSpecs, c.root, c.merkleProof, c.merklePath, value)
  },

  verifyNonMembership(store, host, height, delayTimePeriod, delayBlockPeriod, proof, path) {
    const c = proofContext(store, host, height, delayTimePeriod, delayBlockPeriod, proof, path)
    merkleVerifyNonMembership(c.cs.proofSpecs, c.root, c.merkleProof, c.merklePath)
  }
}


/** Encodes a 07-tendermint message as the Any a MsgUpdateClient / MsgSubmitMisbehaviour carries. */
export const headerAny = (h: Header): AnyBytes => ({ typeUrl: TypeUrl.header, value: Header.encode(h).finish() })
/** Encodes a Misbehaviour as an Any. */
export const misbehaviourAny = (m: Misbehaviour): AnyBytes => ({ typeUrl: TypeUrl.misbehaviour, value: Misbehaviour.encode(m).finish() })
/** Encodes a client state as an Any (MsgCreateClient). */
export const clientStateAny = (cs: ClientState): AnyBytes => ({ typeUrl: TypeUrl.clientState, value: ClientState.encode(cs).finish() })
/** Encodes a consensus state as an Any (MsgCreateClient). */
export const consensusStateAny = (cs: ConsensusState): AnyBytes => ({ typeUrl: TypeUrl.consensusState, value: ConsensusState.encode(cs).finish() })
