/**
 * Test support for IBC core: a test-double light client (client type `99-test`) and an echo
 * application, used until the tests run over 07-tendermint headers.
 *
 * The double trusts the relayer for headers (a header names height, time and root) but checks
 * every proof for real: in mode "ics23" a proof is ibc-go's MerkleProof (the two CommitmentProofs of
 * `abci_query store/ibc/key`), verified with @confio/ics23 (iavl spec to the namespace root,
 * tendermint spec to the root = the counterparty's app hash); in mode "hash" (the conformance
 * fixture, where no app hash is known ahead) a proof is sha256(prefix "/" key "\0" value) for
 * membership and sha256("absent" prefix "/" key) for non-membership, so a proof of another value fails.
 */
import { calculateExistenceRoot, iavlSpec, ics23, tendermintSpec, verifyMembership, verifyNonMembership } from "@confio/ics23"
import { sha256 } from "@noble/hashes/sha2.js"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { InvalidRequest } from "../../chain/ChainError.ts"
import type { ExecContext, MsgContext, MsgResult } from "../../chain/Machine.ts"
import type { AnyBytes, ClientStatus, ClientStore, CommitmentPath, Height, HostContext, LightClientModule } from "../../modules/ibc/LightClient.ts"
import type { Acknowledgement, ChannelInfo, Packet, PacketSender } from "../../modules/ibc/PortModule.ts"
import type { IbcApplication } from "../../modules/ibc/Ibc.ts"
import { ConsensusStateNotFound, InvalidHeader, InvalidProof } from "../../modules/ibc/core/IbcError.ts"
import { compareHeight, heightString } from "../../modules/ibc/core/Height.ts"
import { uint64Bytes, uint64Of } from "../../modules/ibc/core/Host.ts"

export const TEST_CLIENT_STATE_URL = "/test.lightclient.ClientState"
export const TEST_CONSENSUS_STATE_URL = "/test.lightclient.ConsensusState"
export const TEST_HEADER_URL = "/test.lightclient.Header"
export const TEST_MISBEHAVIOUR_URL = "/test.lightclient.Misbehaviour"

const enc = new TextEncoder()
const dec = new TextDecoder()
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}
const heightBytes = (h: Height) => cat(uint64Bytes(h.revisionNumber), uint64Bytes(h.revisionHeight))
const heightFrom = (b: Uint8Array, at = 0): Height => ({ revisionNumber: uint64Of(b.subarray(at, at + 8)), revisionHeight: uint64Of(b.subarray(at + 8, at + 16)) })

/** Client state: mode byte (0 ics23, 1 hash), latest height (16 bytes), frozen byte, chain id. */
export const testClientState = (mode: "ics23" | "hash", latest: Height, chainId: string, frozen = false): AnyBytes => ({
  typeUrl: TEST_CLIENT_STATE_URL, value: cat(Uint8Array.of(mode === "ics23" ? 0 : 1), heightBytes(latest), Uint8Array.of(frozen ? 1 : 0), enc.encode(chainId))
})
/** Consensus state: time (ns, 8 bytes) then root. */
export const testConsensusState = (timeNs: bigint, root: Uint8Array): AnyBytes => ({ typeUrl: TEST_CONSENSUS_STATE_URL, value: cat(uint64Bytes(timeNs), root) })
/** Header: height (16), time (8), root. */
export const testHeader = (h: Height, timeNs: bigint, root: Uint8Array): AnyBytes => ({ typeUrl: TEST_HEADER_URL, value: cat(heightBytes(h), uint64Bytes(timeNs), root) })
/** Misbehaviour: any bytes; freezes the client. */
export const testMisbehaviour = (): AnyBytes => ({ typeUrl: TEST_MISBEHAVIOUR_URL, value: Uint8Array.of(1) })

/** Proof of membership in "hash" mode. */
export const hashProof = (path: CommitmentPath, value: Uint8Array): Uint8Array => sha256(cat(path.prefix, enc.encode("/"), path.key, Uint8Array.of(0), value))
/** Proof of non-membership in "hash" mode. */
export const hashAbsenceProof = (path: CommitmentPath): Uint8Array => sha256(cat(enc.encode("absent"), path.prefix, enc.encode("/"), path.key))

interface State { mode: number; latest: Height; frozen: boolean; chainId: string }
const readState = (store: ClientStore): State => {
  const v = store.get("clientState")!
  return { mode: v[0]!, latest: heightFrom(v, 1), frozen: v[17] === 1, chainId: dec.decode(v.subarray(18)) }
}
const writeState = (store: ClientStore, s: State) =>
  store.set("clientState", testClientState(s.mode === 0 ? "ics23" : "hash", s.latest, s.chainId, s.frozen).value)

const consensusKey = (h: Height) => `consensusStates/${heightString(h)}`

/** ibc-go MerkleProof bytes from abci_query proof ops (field 1: each op's CommitmentProof). */
export const merkleProofFromOps = (ops: ReadonlyArray<{ data: Uint8Array }>): Uint8Array => {
  const parts: Uint8Array[] = []
  for (const op of ops) {
    const len: number[] = []
    let n = op.data.length
    do {
      len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0))
      n >>>= 7
    } while (n > 0)
    parts.push(Uint8Array.of(0x0a, ...len), op.data)
  }
  return cat(...parts)
}

const decodeMerkle = (proof: Uint8Array): ics23.CommitmentProof[] => {
  const out: ics23.CommitmentProof[] = []
  let i = 0
  try {
    while (i < proof.length) {
      if (proof[i] !== 0x0a) throw new Error("field")
      i++
      let len = 0
      let shift = 0
      while (proof[i]! & 0x80) {
        len |= (proof[i]! & 0x7f) << shift
        shift += 7
        i++
      }
      len |= proof[i]! << shift
      i++
      out.push(ics23.CommitmentProof.decode(proof.subarray(i, i + len)))
      i += len
    }
  } catch {
    throw new InvalidProof({ log: "could not decode merkle proof: invalid proof" })
  }
  if (out.length !== 2) throw new InvalidProof({ log: `expected 2 commitment proofs, got ${out.length}: invalid proof` })
  return out
}

const fail = (what: string) => new InvalidProof({ log: `${what}: invalid proof` })

/** The test-double light client. */
export const testLightClient: LightClientModule = {
  clientType: "99-test",
  initialize(store, _host, clientState, consensusState) {
    if (clientState.typeUrl !== TEST_CLIENT_STATE_URL || clientState.value.length < 18) throw new InvalidRequest({ log: "bad test client state: invalid request" })
    if (consensusState.typeUrl !== TEST_CONSENSUS_STATE_URL || consensusState.value.length < 8) throw new InvalidRequest({ log: "bad test consensus state: invalid request" })
    store.set("clientState", clientState.value)
    store.set(consensusKey(heightFrom(clientState.value, 1)), consensusState.value)
  },
  status(store): ClientStatus {
    return readState(store).frozen ? "Frozen" : "Active"
  },
  latestHeight: (store) => readState(store).latest,
  clientState: (store) => ({ typeUrl: TEST_CLIENT_STATE_URL, value: store.get("clientState")! }),
  consensusState(store, h) {
    const v = store.get(consensusKey(h))
    return v ? { typeUrl: TEST_CONSENSUS_STATE_URL, value: v } : undefined
  },
  timestampAtHeight(store, h) {
    const v = store.get(consensusKey(h))
    if (!v) throw new ConsensusStateNotFound({ log: `height ${heightString(h)}: consensus state not found` })
    return uint64Of(v.subarray(0, 8))
  },
  verifyClientMessage(_store, _host, m) {
    if (m.typeUrl === TEST_MISBEHAVIOUR_URL) return
    if (m.typeUrl !== TEST_HEADER_URL || m.value.length < 24) throw new InvalidHeader({ log: "not a test header: invalid client header" })
  },
  checkForMisbehaviour: (_s, _h, m) => m.typeUrl === TEST_MISBEHAVIOUR_URL,
  updateStateOnMisbehaviour(store) {
    writeState(store, { ...readState(store), frozen: true })
  },
  updateState(store, _host, m) {
    const h = heightFrom(m.value)
    store.set(consensusKey(h), m.value.subarray(16))
    const s = readState(store)
    if (compareHeight(h, s.latest) > 0) writeState(store, { ...s, latest: h })
    return [h]
  },
  verifyMembership(store, _host, h, _dt, _db, proof, path, value) {
    const cs = store.get(consensusKey(h))
    if (!cs) throw new ConsensusStateNotFound({ log: `height ${heightString(h)}: consensus state not found` })
    if (readState(store).mode === 1) {
      if (!equal(proof, hashProof(path, value))) throw fail("hash proof does not match path and value")
      return
    }
    const [inner, outer] = decodeMerkle(proof)
    if (!inner!.exist) throw fail("no existence proof")
    const sub = calculateExistenceRoot(inner!.exist)
    if (!verifyMembership(inner!, iavlSpec, sub, path.key, value)) throw fail("iavl membership")
    if (!verifyMembership(outer!, tendermintSpec, cs.subarray(8), path.prefix, sub)) throw fail("namespace root membership")
  },
  verifyNonMembership(store, _host, h, _dt, _db, proof, path) {
    const cs = store.get(consensusKey(h))
    if (!cs) throw new ConsensusStateNotFound({ log: `height ${heightString(h)}: consensus state not found` })
    if (readState(store).mode === 1) {
      if (!equal(proof, hashAbsenceProof(path))) throw fail("hash absence proof does not match path")
      return
    }
    const [inner, outer] = decodeMerkle(proof)
    const neighbour = inner!.nonexist?.left ?? inner!.nonexist?.right
    if (!neighbour) throw fail("no non-existence proof")
    const sub = calculateExistenceRoot(neighbour)
    if (!verifyNonMembership(inner!, iavlSpec, sub, path.key)) throw fail("iavl non-membership")
    if (!verifyMembership(outer!, tendermintSpec, cs.subarray(8), path.prefix, sub)) throw fail("namespace root membership")
  }
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

/** The route for IbcConfig.lightClients. */
export const testClientRoute = { clientStateTypeUrl: TEST_CLIENT_STATE_URL, module: testLightClient }

/** Message of the echo app: send `data` on `channel` (value: port/channel/timeout fields, see encodeEchoSend). */
export const ECHO_SEND_URL = "/test.echo.MsgSend"

/** Echo send message value: signer, channel, timeout height (rev, h), timeout ns, data, each length-prefixed text/bytes. */
export const echoSend = (signer: string, channel: string, timeoutHeight: Height, timeoutNs: bigint, data: Uint8Array, port = "echo"): Any => {
  const f = (b: Uint8Array) => cat(uint64Bytes(BigInt(b.length)), b)
  return { typeUrl: ECHO_SEND_URL, value: cat(f(enc.encode(signer)), f(enc.encode(port)), f(enc.encode(channel)), heightBytes(timeoutHeight), uint64Bytes(timeoutNs), f(data)) }
}
const decodeEcho = (v: Uint8Array) => {
  let i = 0
  const take = (n: number) => {
    if (i + n > v.length) throw new InvalidRequest({ log: "truncated echo message: invalid request" })
    const b = v.subarray(i, i + n)
    i += n
    return b
  }
  const f = () => take(Number(uint64Of(take(8))))
  const signer = dec.decode(f())
  const port = dec.decode(f())
  const channel = dec.decode(f())
  const timeoutHeight = heightFrom(take(16))
  const timeoutNs = uint64Of(take(8))
  const data = f()
  return { signer, port, channel, timeoutHeight, timeoutNs, data }
}

/** What the echo app saw (per app instance). */
export interface EchoLog {
  readonly events: string[]
}

/**
 * The echo application on port `port`: version "echo-1"; onRecvPacket writes `apps/<port>/recv/<seq>`
 * and acks `{"result":"<base64 data>"}`, but data "fail" throws (error ack) and data "async" gives no
 * ack; acks and timeouts are logged and written under `apps/<port>/`.
 */
export const echoApp = (sender: PacketSender, log: EchoLog = { events: [] }, port = "echo"): IbcApplication => ({
  portId: port,
  msgTypeUrls: port === "echo" ? [ECHO_SEND_URL] : [],
  signers: (msg: Any) => [decodeEcho(msg.value).signer],
  handle(ctx: MsgContext, msg: Any): MsgResult {
    const m = decodeEcho(msg.value)
    const seq = sender.sendPacket(ctx, m.port, m.channel, m.timeoutHeight, m.timeoutNs, m.data)
    return { typeUrl: `${ECHO_SEND_URL}Response`, value: uint64Bytes(seq) }
  },
  onChanOpenInit: (_c, ch: ChannelInfo) => {
    log.events.push(`init ${ch.channelId}`)
    return ch.version === "" ? "echo-1" : ch.version
  },
  onChanOpenTry: (_c, ch, cv) => {
    log.events.push(`try ${ch.channelId} ${cv}`)
    if (cv !== "echo-1") throw new InvalidRequest({ log: `unsupported version ${cv}: invalid request` })
    return "echo-1"
  },
  onChanOpenAck: (_c, ch) => void log.events.push(`ack ${ch.channelId}`),
  onChanOpenConfirm: (_c, ch) => void log.events.push(`confirm ${ch.channelId}`),
  onChanCloseInit: (_c, ch) => void log.events.push(`close-init ${ch.channelId}`),
  onChanCloseConfirm: (_c, ch) => void log.events.push(`close-confirm ${ch.channelId}`),
  onRecvPacket(ctx: ExecContext, p: Packet): Acknowledgement | undefined {
    ctx.store.set(enc.encode(`apps/${port}/recv/${p.destinationChannel}/${p.sequence}`), p.data)
    ctx.emit({ type: "echo_recv", attributes: [{ key: "sequence", value: String(p.sequence), index: true }] })
    const text = dec.decode(p.data)
    if (text === "fail") throw new InvalidRequest({ log: "echo refuses 'fail': invalid request" })
    if (text === "async") return undefined
    return { bytes: enc.encode(`{"result":"${Buffer.from(p.data).toString("base64")}"}`), success: true }
  },
  onAcknowledgementPacket(ctx, p, ack) {
    log.events.push(`acked ${p.sequence} ${dec.decode(ack)}`)
    ctx.store.set(enc.encode(`apps/${port}/acked/${p.sourceChannel}/${p.sequence}`), ack)
  },
  onTimeoutPacket(ctx, p) {
    log.events.push(`timeout ${p.sequence}`)
    ctx.store.set(enc.encode(`apps/${port}/timeout/${p.sourceChannel}/${p.sequence}`), Uint8Array.of(1))
  }
})
