/**
 * State layout of the cyberwasm namespace and the canonical (protobuf) encodings of its records.
 *
 * Keys (addr = the program's 32 raw address bytes, heights and ids u64 big-endian, page u32 BE):
 *   0x01 codeHash                 -> uploaded (original) code bytes, stored once per hash
 *   0x02 addr                     -> ProgramInfo
 *   0x03 addr page                -> one 64 KiB memory page (absent = all zero)
 *   0x04 addr                     -> mutable globals (LiveInstance.readGlobals layout)
 *   0x05 height addr id           -> ScheduleEntry (the schedule table, ordered by height then address)
 *   0x06 addr id                  -> height of schedule `id` (for cancel and queries)
 *   0x07                          -> next program sequence (u64 BE)
 *   0x08 addr page                -> one 64 KiB stable-memory page
 *   0x09 height seq               -> DelayedSend (send_delayed queue)
 *   0x0a height addr              -> reserve exhaustion index (program freezes at that height)
 *   0x0b height addr              -> eviction index (frozen program evicted at that height)
 *   0x0c                          -> next delayed-send sequence (u64 BE)
 *   0x0d                          -> chain params (ChainParams.ts; governance-changeable)
 *
 * Source: issue 5 ("Persistent memory", "Scheduling", "Economics and lifecycle"); wasmd
 * x/wasm/types/keys.go for the prefix-per-record-kind layout.
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"

/** Lifecycle of a program. */
export type ProgramStatus = "active" | "frozen" | "evicted"
const STATUS: ReadonlyArray<ProgramStatus> = ["active", "frozen", "evicted"]

/** The record of one program. Gas amounts are chain gas units. */
export interface ProgramInfo {
  readonly address: string
  codeHash: Uint8Array
  readonly creator: string
  admin: string
  readonly label: string
  status: ProgramStatus
  /** Gas reserve (gas units) paying rent, scheduled runs and async sends. */
  reserve: bigint
  /** Linear memory size in pages. */
  pages: number
  /** Memory commitment: sha256 chain over every persisted page change and globals (PageStore). */
  memoryRoot: Uint8Array
  /** Height up to which rent is paid. */
  rentPaidHeight: number
  /** Height the program froze at (0 when never). */
  frozenHeight: number
  readonly createdHeight: number
  /** Next schedule / message id. */
  nextId: bigint
  /** Stable memory size in pages. */
  stablePages: number
}

/** Canonical protobuf bytes of a program record (fields 1-14 as read by decodeInfo). */
export const encodeInfo = (i: ProgramInfo): Uint8Array => {
  const w = BinaryWriter.create()
  w.uint32(10).string(i.address)
  w.uint32(18).bytes(i.codeHash)
  w.uint32(26).string(i.creator)
  if (i.admin) w.uint32(34).string(i.admin)
  if (i.label) w.uint32(42).string(i.label)
  if (i.status !== "active") w.uint32(48).uint32(STATUS.indexOf(i.status))
  if (i.reserve !== 0n) w.uint32(56).uint64(i.reserve)
  if (i.pages !== 0) w.uint32(64).uint32(i.pages)
  w.uint32(74).bytes(i.memoryRoot)
  if (i.rentPaidHeight !== 0) w.uint32(80).uint64(BigInt(i.rentPaidHeight))
  if (i.frozenHeight !== 0) w.uint32(88).uint64(BigInt(i.frozenHeight))
  if (i.createdHeight !== 0) w.uint32(96).uint64(BigInt(i.createdHeight))
  if (i.nextId !== 0n) w.uint32(104).uint64(i.nextId)
  if (i.stablePages !== 0) w.uint32(112).uint32(i.stablePages)
  return w.finish()
}

/** Decode a program record; unknown fields are skipped. */
export const decodeInfo = (bytes: Uint8Array): ProgramInfo => {
  const r = new BinaryReader(bytes)
  const i: ProgramInfo = {
    address: "", codeHash: new Uint8Array(), creator: "", admin: "", label: "", status: "active", reserve: 0n, pages: 0,
    memoryRoot: new Uint8Array(), rentPaidHeight: 0, frozenHeight: 0, createdHeight: 0, nextId: 0n, stablePages: 0
  }
  const m = i as { -readonly [K in keyof ProgramInfo]: ProgramInfo[K] }
  while (r.pos < r.len) {
    const tag = r.uint32()
    switch (tag >>> 3) {
      case 1: m.address = r.string(); break
      case 2: m.codeHash = r.bytes(); break
      case 3: m.creator = r.string(); break
      case 4: m.admin = r.string(); break
      case 5: m.label = r.string(); break
      case 6: m.status = STATUS[r.uint32()] ?? "active"; break
      case 7: m.reserve = r.uint64(); break
      case 8: m.pages = r.uint32(); break
      case 9: m.memoryRoot = r.bytes(); break
      case 10: m.rentPaidHeight = Number(r.uint64()); break
      case 11: m.frozenHeight = Number(r.uint64()); break
      case 12: m.createdHeight = Number(r.uint64()); break
      case 13: m.nextId = r.uint64(); break
      case 14: m.stablePages = r.uint32(); break
      default: r.skipType(tag & 7)
    }
  }
  return i
}

/** One schedule table entry: run `dispatch(input)`; periodic when `every` > 0. */
export interface ScheduleEntry {
  readonly id: bigint
  readonly every: bigint
  readonly input: Uint8Array
}

/** Canonical bytes of a schedule entry ({1 id, 2 every, 3 input}). */
export const encodeSchedule = (e: ScheduleEntry): Uint8Array => {
  const w = BinaryWriter.create()
  w.uint32(8).uint64(e.id)
  if (e.every !== 0n) w.uint32(16).uint64(e.every)
  w.uint32(26).bytes(e.input)
  return w.finish()
}
/** Decode a schedule entry. */
export const decodeSchedule = (bytes: Uint8Array): ScheduleEntry => {
  const r = new BinaryReader(bytes)
  let id = 0n
  let every = 0n
  let input: Uint8Array = new Uint8Array()
  while (r.pos < r.len) {
    const tag = r.uint32()
    if (tag >>> 3 === 1) id = r.uint64()
    else if (tag >>> 3 === 2) every = r.uint64()
    else if (tag >>> 3 === 3) input = r.bytes()
    else r.skipType(tag & 7)
  }
  return { id, every, input }
}

/** An async message between programs: delivered after the block's txs (or at a later height). */
export interface ProgramMessage {
  readonly from: string
  readonly to: string
  readonly input: Uint8Array
  readonly id: bigint
  /** Reply to `from` with this tag when `withReply`. */
  readonly withReply: boolean
  readonly tag: bigint
}
/** Canonical bytes of an async program message ({1 from, 2 to, 3 input, 4 id, 5 with_reply, 6 tag}). */
export const encodeMessage = (m: ProgramMessage): Uint8Array => {
  const w = BinaryWriter.create()
  w.uint32(10).string(m.from)
  w.uint32(18).string(m.to)
  w.uint32(26).bytes(m.input)
  w.uint32(32).uint64(m.id)
  if (m.withReply) w.uint32(40).bool(true)
  if (m.tag !== 0n) w.uint32(48).uint64(m.tag)
  return w.finish()
}
/** Decode an async program message. */
export const decodeMessage = (bytes: Uint8Array): ProgramMessage => {
  const r = new BinaryReader(bytes)
  const m: { -readonly [K in keyof ProgramMessage]: ProgramMessage[K] } = { from: "", to: "", input: new Uint8Array(), id: 0n, withReply: false, tag: 0n }
  while (r.pos < r.len) {
    const tag = r.uint32()
    switch (tag >>> 3) {
      case 1: m.from = r.string(); break
      case 2: m.to = r.string(); break
      case 3: m.input = r.bytes(); break
      case 4: m.id = r.uint64(); break
      case 5: m.withReply = r.bool(); break
      case 6: m.tag = r.uint64(); break
      default: r.skipType(tag & 7)
    }
  }
  return m
}

const u64 = (v: bigint | number): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(v))
  return b
}
const u32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, v)
  return b
}
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}
const P = (b: number) => Uint8Array.of(b)

/** Key builders. */
export const Keys = {
  code: (hash: Uint8Array) => cat(P(1), hash),
  info: (addr: Uint8Array) => cat(P(2), addr),
  infoPrefix: P(2),
  page: (addr: Uint8Array, page: number) => cat(P(3), addr, u32(page)),
  pagePrefix: (addr: Uint8Array) => cat(P(3), addr),
  globals: (addr: Uint8Array) => cat(P(4), addr),
  schedule: (height: bigint | number, addr: Uint8Array, id: bigint) => cat(P(5), u64(height), addr, u64(id)),
  scheduleUpTo: (height: bigint | number) => cat(P(5), u64(BigInt(height) + 1n)),
  scheduleStart: P(5),
  scheduleIndex: (addr: Uint8Array, id: bigint) => cat(P(6), addr, u64(id)),
  scheduleIndexPrefix: (addr: Uint8Array) => cat(P(6), addr),
  programSeq: P(7),
  stable: (addr: Uint8Array, page: number) => cat(P(8), addr, u32(page)),
  stablePrefix: (addr: Uint8Array) => cat(P(8), addr),
  delayed: (height: bigint | number, seq: bigint) => cat(P(9), u64(height), u64(seq)),
  delayedStart: P(9),
  delayedUpTo: (height: number) => cat(P(9), u64(BigInt(height) + 1n)),
  exhaust: (height: number, addr: Uint8Array) => cat(P(0x0a), u64(height), addr),
  exhaustStart: P(0x0a),
  exhaustUpTo: (height: number) => cat(P(0x0a), u64(BigInt(height) + 1n)),
  evict: (height: number, addr: Uint8Array) => cat(P(0x0b), u64(height), addr),
  evictStart: P(0x0b),
  evictUpTo: (height: number) => cat(P(0x0b), u64(BigInt(height) + 1n)),
  delayedSeq: P(0x0c)
} as const

/** Read a u64 BE counter (0 when absent). */
export const readCounter = (v: Uint8Array | undefined): bigint => (v ? new DataView(v.buffer, v.byteOffset).getBigUint64(0) : 0n)
/** A u64 counter as 8 big-endian bytes. */
export const counterBytes = (v: bigint): Uint8Array => u64(v)
/** End of a prefix range (prefix with its last byte + 1; prefixes here never end in 0xff runs). */
export const prefixEnd = (prefix: Uint8Array): Uint8Array => {
  const end = prefix.slice()
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++
      return end.subarray(0, i + 1)
    }
  }
  return new Uint8Array()
}
/** Decode the big-endian u64 at `offset`. */
export const readU64 = (b: Uint8Array, offset: number): bigint => new DataView(b.buffer, b.byteOffset).getBigUint64(offset)
