/**
 * A fast encoder of a block's results (tendermint.abci.ResponseFinalizeBlock) for the results
 * record, byte for byte what cosmjs-types' ResponseFinalizeBlock.encode writes (the tests compare
 * them), for the part that grows with the block: each ExecTxResult with its events. Measured on
 * a 3,000-MsgSend block (12 events, 27 attributes per tx) cosmjs-types' generic writer took most
 * of the save before Commit; here sizes are computed first and everything is written into one
 * buffer (strings by Buffer.write), and each tx result stays addressable as a view for the tx
 * index. Block events and validator updates (a few per block) still go through cosmjs-types.
 *
 * Source: cometbft v0.38 proto/tendermint/abci/types.proto (ExecTxResult fields 1-8, Event 1-2,
 * EventAttribute 1-3, ResponseFinalizeBlock 1-5); protobuf encoding (varints, int64 as 10-byte
 * two's complement when negative, proto3 defaults omitted).
 */
import { BinaryWriter } from "cosmjs-types/binary"
import { Event, type ExecTxResult, ValidatorUpdate } from "cosmjs-types/tendermint/abci/types"
import type { StoredBlockResults } from "../../../chain/BlockStore.ts"

const varintLen = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5)
const varint64Len = (v: bigint): number => {
  let u = BigInt.asUintN(64, v)
  let n = 1
  while (u >= 0x80n) (u >>= 7n), n++
  return n
}
const strLen = (s: string): number => {
  // ASCII fast path: one byte per char
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, "utf8")
  return s.length
}
const field = (tagLen: number, len: number): number => tagLen + varintLen(len) + len

/** Encoded size of one ExecTxResult; pushes the nested lengths it computed onto `lens` in write order. */
const sizeOf = (r: ExecTxResult, lens: number[]): number => {
  let n = 0
  if (r.code !== 0) n += 1 + varintLen(r.code >>> 0)
  if (r.data.length !== 0) n += field(1, r.data.length)
  if (r.log !== "") n += field(1, strLen(r.log))
  if (r.info !== "") n += field(1, strLen(r.info))
  if (r.gasWanted !== 0n) n += 1 + varint64Len(r.gasWanted)
  if (r.gasUsed !== 0n) n += 1 + varint64Len(r.gasUsed)
  for (const e of r.events) {
    const at = lens.length
    lens.push(0)
    let en = 0
    if (e.type !== "") {
      const t = strLen(e.type)
      lens.push(t)
      en += field(1, t)
    }
    for (const a of e.attributes) {
      const aAt = lens.length
      lens.push(0)
      let an = 0
      if (a.key !== "") {
        const k = strLen(a.key)
        lens.push(k)
        an += field(1, k)
      }
      if (a.value !== "") {
        const v = strLen(a.value)
        lens.push(v)
        an += field(1, v)
      }
      if (a.index === true) an += 2
      lens[aAt] = an
      en += field(1, an)
    }
    lens[at] = en
    n += field(1, en)
  }
  if (r.codespace !== "") n += field(1, strLen(r.codespace))
  return n
}

/** Writes into a Buffer at a moving position. */
class Out {
  pos = 0
  readonly buf: Buffer
  constructor(buf: Buffer) {
    this.buf = buf
  }
  byte(b: number): void {
    this.buf[this.pos++] = b
  }
  varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80
      n = n >>> 7
    }
    this.buf[this.pos++] = n
  }
  varint64(v: bigint): void {
    let u = BigInt.asUintN(64, v)
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80
      u >>= 7n
    }
    this.buf[this.pos++] = Number(u)
  }
  str(tag: number, s: string, len: number): void {
    this.byte(tag)
    this.varint(len)
    this.pos += len === s.length && len < 16 ? this.ascii(s) : this.buf.write(s, this.pos, len, "utf8")
  }
  private ascii(s: string): number {
    for (let i = 0; i < s.length; i++) this.buf[this.pos + i] = s.charCodeAt(i)
    return s.length
  }
  bytes(tag: number, b: Uint8Array): void {
    this.byte(tag)
    this.varint(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }
}

/** Write one ExecTxResult whose nested lengths `sizeOf` pushed onto `lens` from `li`; returns the next li. */
const write = (o: Out, r: ExecTxResult, lens: ReadonlyArray<number>, li: number): number => {
  if (r.code !== 0) (o.byte(8), o.varint(r.code >>> 0))
  if (r.data.length !== 0) o.bytes(18, r.data)
  if (r.log !== "") o.str(26, r.log, strLen(r.log))
  if (r.info !== "") o.str(34, r.info, strLen(r.info))
  if (r.gasWanted !== 0n) (o.byte(40), o.varint64(r.gasWanted))
  if (r.gasUsed !== 0n) (o.byte(48), o.varint64(r.gasUsed))
  for (const e of r.events) {
    o.byte(58)
    o.varint(lens[li++]!)
    if (e.type !== "") o.str(10, e.type, lens[li++]!)
    for (const a of e.attributes) {
      o.byte(18)
      o.varint(lens[li++]!)
      if (a.key !== "") o.str(10, a.key, lens[li++]!)
      if (a.value !== "") o.str(18, a.value, lens[li++]!)
      if (a.index === true) (o.byte(24), o.byte(1))
    }
  }
  if (r.codespace !== "") o.str(66, r.codespace, strLen(r.codespace))
  return li
}

/**
 * The results record of a block as cosmjs-types' ResponseFinalizeBlock.encode writes it (no
 * consensus param updates: the store does not keep them), and each tx result's ExecTxResult
 * encoding as a view into it.
 */
export const encodeResultsRecord = (r: StoredBlockResults): { record: Uint8Array; txResults: Uint8Array[] } => {
  const head = BinaryWriter.create()
  for (const e of r.events) Event.encode(e, head.uint32(10).fork()).ldelim()
  const headBytes = head.finish()
  const tail = BinaryWriter.create()
  for (const v of r.validatorUpdates) ValidatorUpdate.encode(v, tail.uint32(26).fork()).ldelim()
  if (r.appHash.length !== 0) tail.uint32(42).bytes(r.appHash)
  const tailBytes = tail.finish()
  const lens: number[] = []
  const sizes = r.txResults.map((t) => sizeOf(t, lens))
  let total = headBytes.length + tailBytes.length
  for (const s of sizes) total += field(1, s)
  const o = new Out(Buffer.allocUnsafe(total))
  o.buf.set(headBytes, 0)
  o.pos = headBytes.length
  const txResults: Uint8Array[] = []
  let li = 0
  r.txResults.forEach((t, i) => {
    o.byte(18)
    o.varint(sizes[i]!)
    const start = o.pos
    li = write(o, t, lens, li)
    txResults.push(new Uint8Array(o.buf.buffer, o.buf.byteOffset + start, o.pos - start))
  })
  o.buf.set(tailBytes, o.pos)
  o.pos += tailBytes.length
  if (o.pos !== total) throw new Error(`encodeResultsRecord: wrote ${o.pos} bytes, sized ${total}`)
  return { record: new Uint8Array(o.buf.buffer, o.buf.byteOffset, total), txResults }
}
