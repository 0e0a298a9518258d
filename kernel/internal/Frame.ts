/**
 * The wire format of kernel messages between nodes (version 1): one protobuf message `Frame`
 * per transport frame, written and read with cosmjs-types' BinaryWriter / BinaryReader (the
 * protobuf runtime already installed; no generated code). Decoding is strict: wrong wire types,
 * unknown or repeated singular fields, missing required fields, invalid process ids or
 * capability key/signature lengths throw `FrameError`, which the receiving kernel counts and
 * drops (never reaching a process).
 *
 * ```proto
 * message Frame { uint32 version = 1; /* 1 *\/ oneof kind { Request request = 2; Response response = 3; SendError send_error = 4; } }
 * message ProcessId { string process = 1; string package = 2; string publisher = 3; }
 * message Address { string node = 1; ProcessId process = 2; }
 * message Capability { Address issuer = 1; string params = 2; bytes signer = 3; /* 32 *\/ bytes signature = 4; /* 64 *\/ }
 * message Blob { optional string mime = 1; bytes bytes = 2; }
 * message Request { uint64 id = 1; ProcessId source = 2; ProcessId target = 3; bool inherit = 4;
 *   optional uint32 expects_response = 5; bytes body = 6; optional string metadata = 7;
 *   repeated Capability capabilities = 8; optional Blob blob = 9; }
 * message Response { uint64 id = 1; ProcessId source = 2; bool inherit = 3; bytes body = 4;
 *   optional string metadata = 5; repeated Capability capabilities = 6; optional Blob blob = 7; }
 * message SendError { uint64 id = 1; Kind kind = 2; enum Kind { UNSPECIFIED = 0; OFFLINE = 1; TIMEOUT = 2; } }
 * ```
 *
 * `id` is the request id of the sending kernel (0: no response expected); a response or send
 * error carries the id of the request it answers. The source node is not on the wire: it is the
 * transport's authenticated peer. Source: Hyperware's `KernelMessage` over its net module
 * (hyperware-ai/hyperware lib/src/core.rs), encoded as protobuf instead of bincode.
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import type { SignedCapability } from "../../capabilities/Capability.ts"
import type { ProcessId } from "../Address.ts"
import { address as checkAddress, processId as checkProcessId } from "../Address.ts"
import type { LazyLoadBlob, SendErrorKind } from "../Message.ts"

/** The frame version this kernel writes and reads. */
export const FRAME_VERSION = 1
/** Most capabilities one message may carry across nodes. */
export const MAX_FRAME_CAPABILITIES = 256

const VARINT = 0
const LEN = 2

/** A frame that does not parse as a version-1 `Frame`; `reason` names the field. */
export class FrameError extends Error {
  readonly _tag = "FrameError"
}

/** A request between nodes. */
export interface RequestFrame {
  readonly tag: "request"
  readonly id: number
  readonly source: ProcessId
  readonly target: ProcessId
  readonly inherit: boolean
  readonly expectsResponse: number | undefined
  readonly body: Uint8Array
  readonly metadata: string | undefined
  readonly capabilities: ReadonlyArray<SignedCapability>
  readonly blob: LazyLoadBlob | undefined
}

/** A response between nodes. */
export interface ResponseFrame {
  readonly tag: "response"
  readonly id: number
  readonly source: ProcessId
  readonly inherit: boolean
  readonly body: Uint8Array
  readonly metadata: string | undefined
  readonly capabilities: ReadonlyArray<SignedCapability>
  readonly blob: LazyLoadBlob | undefined
}

/** A send error between nodes: the request `id` failed on the remote node. */
export interface SendErrorFrame {
  readonly tag: "send-error"
  readonly id: number
  readonly kind: SendErrorKind
}

/** One decoded frame. */
export type Frame = RequestFrame | ResponseFrame | SendErrorFrame

// ---- encoding ---------------------------------------------------------------------------------

/** A request id as a protobuf uint64 (ids below 2^32 take the cheaper uint32 path: same varint bytes). */
const writeId = (w: BinaryWriter, id: number): void => {
  w.uint32(8)
  if (id <= 0xffff_ffff) w.uint32(id)
  else w.uint64(id)
}

const writeProcessId = (w: BinaryWriter, field: number, p: ProcessId): void => {
  w.uint32((field << 3) | LEN).fork()
  w.uint32(10).string(p.processName)
  w.uint32(18).string(p.packageName)
  w.uint32(26).string(p.publisherNode)
  w.ldelim()
}

const writeCapability = (w: BinaryWriter, field: number, c: SignedCapability): void => {
  w.uint32((field << 3) | LEN).fork()
  w.uint32(10).fork()
  w.uint32(10).string(c.issuer.node)
  writeProcessId(w, 2, c.issuer.process)
  w.ldelim()
  w.uint32(18).string(c.params)
  w.uint32(26).bytes(c.signer)
  w.uint32(34).bytes(c.signature)
  w.ldelim()
}

const writeBlob = (w: BinaryWriter, field: number, b: LazyLoadBlob): void => {
  w.uint32((field << 3) | LEN).fork()
  if (b.mime !== undefined) w.uint32(10).string(b.mime)
  w.uint32(18).bytes(b.bytes)
  w.ldelim()
}

/**
 * `w.finish()` into an exactly sized buffer. BinaryWriter.finish allocates from a fresh 8 KiB
 * slab per call (its pool is rebuilt each time), so every small frame would hold 8 KiB; this
 * walks the same op list (`head`, `next`, `proceed`: BinaryWriter's public interface).
 */
const finish = (w: BinaryWriter): Uint8Array => {
  const buf = new Uint8Array(w.len)
  let pos = 0
  for (let op = w.head.next; op !== undefined && op !== null; op = op.next) {
    op.proceed(buf, pos)
    pos += op.len
  }
  return buf
}

/** Encode `f` as a version-1 frame. */
export const encodeFrame = (f: Frame): Uint8Array => {
  const w = BinaryWriter.create()
  w.uint32(8).uint32(FRAME_VERSION)
  switch (f.tag) {
    case "request": {
      w.uint32(18).fork()
      writeId(w, f.id)
      writeProcessId(w, 2, f.source)
      writeProcessId(w, 3, f.target)
      w.uint32(32).bool(f.inherit)
      if (f.expectsResponse !== undefined) w.uint32(40).uint32(f.expectsResponse)
      w.uint32(50).bytes(f.body)
      if (f.metadata !== undefined) w.uint32(58).string(f.metadata)
      for (const c of f.capabilities) writeCapability(w, 8, c)
      if (f.blob !== undefined) writeBlob(w, 9, f.blob)
      w.ldelim()
      break
    }
    case "response": {
      w.uint32(26).fork()
      writeId(w, f.id)
      writeProcessId(w, 2, f.source)
      w.uint32(24).bool(f.inherit)
      w.uint32(34).bytes(f.body)
      if (f.metadata !== undefined) w.uint32(42).string(f.metadata)
      for (const c of f.capabilities) writeCapability(w, 6, c)
      if (f.blob !== undefined) writeBlob(w, 7, f.blob)
      w.ldelim()
      break
    }
    case "send-error":
      w.uint32(34).fork()
      writeId(w, f.id)
      w.uint32(16).int32(f.kind === "offline" ? 1 : 2)
      w.ldelim()
  }
  return finish(w)
}

// ---- decoding ---------------------------------------------------------------------------------

/**
 * Read the fields of one message from `r` up to `end`: `read(field)` consumes the value of a
 * known field with the expected wire type and returns false for an unknown one (refused).
 * A singular field seen twice is refused (`repeated` lists the repeated ones).
 */
const fields = (
  r: BinaryReader,
  end: number,
  what: string,
  wireOf: (field: number) => number | undefined,
  read: (field: number) => void,
  repeated: ReadonlySet<number> = NONE
): Set<number> => {
  const seen = new Set<number>()
  while (r.pos < end) {
    const tag = r.uint32()
    const field = tag >>> 3
    const wire = tag & 7
    const expected = wireOf(field)
    if (expected === undefined) throw new FrameError(`${what}: unknown field ${field}`)
    if (wire !== expected) throw new FrameError(`${what}: field ${field} has wire type ${wire}, expected ${expected}`)
    if (seen.has(field) && !repeated.has(field)) throw new FrameError(`${what}: field ${field} appears twice`)
    seen.add(field)
    read(field)
  }
  if (r.pos !== end) throw new FrameError(`${what}: length overruns its frame`)
  return seen
}

const NONE: ReadonlySet<number> = new Set()

/** The end offset of a length-delimited submessage starting at `r.pos`. */
const sub = (r: BinaryReader, what: string): number => {
  const n = r.uint32()
  const end = r.pos + n
  if (end > r.len) throw new FrameError(`${what}: length ${n} past the end of the frame`)
  return end
}

const id64 = (r: BinaryReader, what: string): number => {
  const v = r.uint64()
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FrameError(`${what}: id ${v} out of range`)
  return Number(v)
}

const need = (seen: Set<number>, field: number, what: string, name: string): void => {
  if (!seen.has(field)) throw new FrameError(`${what}: missing ${name}`)
}

const readProcessId = (r: BinaryReader, what: string): ProcessId => {
  const end = sub(r, what)
  let p = "", k = "", pub = ""
  const seen = fields(r, end, what, (f) => (f >= 1 && f <= 3 ? LEN : undefined), (f) => {
    const s = r.string()
    if (f === 1) p = s
    else if (f === 2) k = s
    else pub = s
  })
  for (const [f, n] of [[1, "process"], [2, "package"], [3, "publisher"]] as const) need(seen, f, what, n)
  try {
    return checkProcessId(p, k, pub)
  } catch (e) {
    throw new FrameError(`${what}: ${(e as Error).message}`)
  }
}

const readCapability = (r: BinaryReader, what: string): SignedCapability => {
  const end = sub(r, what)
  let node = ""
  let process: ProcessId | undefined
  let params = ""
  let signer = new Uint8Array(0)
  let signature = new Uint8Array(0)
  const seen = fields(r, end, what, (f) => (f >= 1 && f <= 4 ? LEN : undefined), (f) => {
    if (f === 1) {
      const aEnd = sub(r, `${what}.issuer`)
      const s = fields(r, aEnd, `${what}.issuer`, (g) => (g === 1 || g === 2 ? LEN : undefined), (g) => {
        if (g === 1) node = r.string()
        else process = readProcessId(r, `${what}.issuer.process`)
      })
      need(s, 1, `${what}.issuer`, "node")
      need(s, 2, `${what}.issuer`, "process")
    } else if (f === 2) params = r.string()
    else if (f === 3) signer = r.bytes().slice()
    else signature = r.bytes().slice()
  })
  for (const [f, n] of [[1, "issuer"], [2, "params"], [3, "signer"], [4, "signature"]] as const) need(seen, f, what, n)
  if (signer.length !== 32) throw new FrameError(`${what}: signer is ${signer.length} bytes, expected 32`)
  if (signature.length !== 64) throw new FrameError(`${what}: signature is ${signature.length} bytes, expected 64`)
  let issuer
  try {
    issuer = checkAddress(node, process!)
  } catch (e) {
    throw new FrameError(`${what}: ${(e as Error).message}`)
  }
  return { issuer, params, signer, signature }
}

const readBlob = (r: BinaryReader, what: string): LazyLoadBlob => {
  const end = sub(r, what)
  let mime: string | undefined
  let bytes: Uint8Array = new Uint8Array(0)
  const seen = fields(r, end, what, (f) => (f === 1 || f === 2 ? LEN : undefined), (f) => {
    if (f === 1) mime = r.string()
    else bytes = r.bytes()
  })
  need(seen, 2, what, "bytes")
  return mime === undefined ? { bytes } : { mime, bytes }
}

const REQUEST_WIRE = [undefined, VARINT, LEN, LEN, VARINT, VARINT, LEN, LEN, LEN, LEN]
const RESPONSE_WIRE = [undefined, VARINT, LEN, VARINT, LEN, LEN, LEN, LEN]
const REQUEST_REPEATED: ReadonlySet<number> = new Set([8])
const RESPONSE_REPEATED: ReadonlySet<number> = new Set([6])

const readRequest = (r: BinaryReader): RequestFrame => {
  const what = "request"
  const end = sub(r, what)
  let id = 0, inherit = false
  let source: ProcessId | undefined, target: ProcessId | undefined
  let expectsResponse: number | undefined
  let body: Uint8Array = new Uint8Array(0)
  let metadata: string | undefined
  let blob: LazyLoadBlob | undefined
  const capabilities: SignedCapability[] = []
  const seen = fields(r, end, what, (f) => REQUEST_WIRE[f], (f) => {
    switch (f) {
      case 1: id = id64(r, what); break
      case 2: source = readProcessId(r, "request.source"); break
      case 3: target = readProcessId(r, "request.target"); break
      case 4: inherit = r.bool(); break
      case 5: expectsResponse = r.uint32(); break
      case 6: body = r.bytes(); break
      case 7: metadata = r.string(); break
      case 8:
        if (capabilities.length >= MAX_FRAME_CAPABILITIES) throw new FrameError(`${what}: more than ${MAX_FRAME_CAPABILITIES} capabilities`)
        capabilities.push(readCapability(r, `request.capabilities[${capabilities.length}]`))
        break
      default: blob = readBlob(r, "request.blob")
    }
  }, REQUEST_REPEATED)
  need(seen, 2, what, "source")
  need(seen, 3, what, "target")
  if (id !== 0 && expectsResponse === undefined) throw new FrameError(`${what}: id ${id} without expects_response`)
  return { tag: "request", id, source: source!, target: target!, inherit, expectsResponse, body, metadata, capabilities, blob }
}

const readResponse = (r: BinaryReader): ResponseFrame => {
  const what = "response"
  const end = sub(r, what)
  let id = 0, inherit = false
  let source: ProcessId | undefined
  let body: Uint8Array = new Uint8Array(0)
  let metadata: string | undefined
  let blob: LazyLoadBlob | undefined
  const capabilities: SignedCapability[] = []
  const seen = fields(r, end, what, (f) => RESPONSE_WIRE[f], (f) => {
    switch (f) {
      case 1: id = id64(r, what); break
      case 2: source = readProcessId(r, "response.source"); break
      case 3: inherit = r.bool(); break
      case 4: body = r.bytes(); break
      case 5: metadata = r.string(); break
      case 6:
        if (capabilities.length >= MAX_FRAME_CAPABILITIES) throw new FrameError(`${what}: more than ${MAX_FRAME_CAPABILITIES} capabilities`)
        capabilities.push(readCapability(r, `response.capabilities[${capabilities.length}]`))
        break
      default: blob = readBlob(r, "response.blob")
    }
  }, RESPONSE_REPEATED)
  need(seen, 1, what, "id")
  need(seen, 2, what, "source")
  if (id === 0) throw new FrameError(`${what}: id 0`)
  return { tag: "response", id, source: source!, inherit, body, metadata, capabilities, blob }
}

const readSendError = (r: BinaryReader): SendErrorFrame => {
  const what = "send_error"
  const end = sub(r, what)
  let id = 0, kind = 0
  const seen = fields(r, end, what, (f) => (f === 1 || f === 2 ? VARINT : undefined), (f) => {
    if (f === 1) id = id64(r, what)
    else kind = r.int32()
  })
  need(seen, 1, what, "id")
  if (id === 0) throw new FrameError(`${what}: id 0`)
  if (kind !== 1 && kind !== 2) throw new FrameError(`${what}: kind ${kind} is neither OFFLINE (1) nor TIMEOUT (2)`)
  return { tag: "send-error", id, kind: kind === 1 ? "offline" : "timeout" }
}

/** Decode a version-1 frame. Throws FrameError naming what is wrong. */
export const decodeFrame = (bytes: Uint8Array): Frame => {
  // BinaryReader copies `bytes`: bodies and blobs are views of that copy, not of the caller's buffer.
  const r = new BinaryReader(bytes)
  let version = -1
  let frame: Frame | undefined
  try {
    fields(r, r.len, "frame", (f) => (f === 1 ? VARINT : f >= 2 && f <= 4 ? LEN : undefined), (f) => {
      if (f === 1) {
        version = r.uint32()
        if (version !== FRAME_VERSION) throw new FrameError(`frame: version ${version}, this kernel reads ${FRAME_VERSION}`)
        return
      }
      if (version === -1) throw new FrameError("frame: the version must come first")
      if (frame !== undefined) throw new FrameError("frame: more than one kind")
      frame = f === 2 ? readRequest(r) : f === 3 ? readResponse(r) : readSendError(r)
    })
  } catch (e) {
    if (e instanceof FrameError) throw e
    // BinaryReader's own bounds errors (truncated varints, lengths past the end, bad UTF-8).
    throw new FrameError(`frame: ${(e as Error).message}`)
  }
  if (frame === undefined) throw new FrameError(version === -1 ? "frame: missing version" : "frame: no request, response or send_error")
  return frame
}
