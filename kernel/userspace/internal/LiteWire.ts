/**
 * The binary form of a LiteProtocol batch: everything one side hands the other in one turn goes
 * as ONE postMessage holding one transferred ArrayBuffer, so the message path pays no structured
 * clone per message (no object graph, no Uint8Array per payload to clone).
 *
 * Layout (little-endian): `u32 count`, then `count` items, each a `u8` tag and its fields.
 * Numbers are `f64` (ids, sequence numbers and counters stay exact up to 2^53; times and fuel
 * as they are); a string is `u32 byte length` + UTF-8; bytes are `u32 length` + the bytes as the
 * guest gave them; a capability list is `u32 n` + n × (issuer string, params string).
 *
 * | Tag | Item | Fields after the tag |
 * |---|---|---|
 * | 0 | any other item | none: the next entry of the batch's `rest` (structured clone, in order) |
 * | 1 | `deliver` | id, seq, `u8` kind, `u8` flags (1: fence, 2: answers), source, body, context, caps, [fence from, fence target], [answers] |
 * | 2 | `op` `sendRequest` | id, `u8` flags (1: fence, 2: timeout), target, body, context, caps, [timeoutMs], [fence] |
 * | 3 | `op` `sendResponse` | id, `u8` flags (1: fence), body, caps, [fence] |
 * | 4 | `done` | id, seq, cpuMs, fuel, memoryBytes |
 * | 5 | `stats` | id, cpuMs, fuel, memoryBytes, received, sent |
 *
 * The rare items (program with its compiled modules, start with its state, stop, grants,
 * releases, the other ops, exits) go in `rest`; tag 0 keeps their place in the order.
 * Payloads unpacked on the worker are views into the batch's buffer (they are copied into the
 * guest's memory at once); on the kernel thread they are copied out, so a message the kernel
 * keeps (mailbox, state) does not hold the whole batch alive.
 */
import type { FromLite, LiteOp, ToLite, WireCap } from "./LiteProtocol.ts"

/** One postMessage: the packed items and, in order, those packed as tag 0. `buf` goes in the transfer list. */
export interface LiteBatch {
  readonly buf: ArrayBuffer
  readonly rest: ReadonlyArray<unknown>
  /** Bytes of `buf` the items use (set by the pack functions; `buf` may be longer, its tail unused). */
  readonly bytes?: number
}

const enc = new TextEncoder()
const dec = new TextDecoder()

class Writer {
  readonly buf: ArrayBuffer
  readonly u8: Uint8Array
  readonly dv: DataView
  pos = 0
  constructor(size: number) {
    this.buf = new ArrayBuffer(size)
    this.u8 = new Uint8Array(this.buf)
    this.dv = new DataView(this.buf)
  }
  u8w(n: number): void {
    this.u8[this.pos++] = n
  }
  u32(n: number): void {
    this.dv.setUint32(this.pos, n, true)
    this.pos += 4
  }
  f64(n: number): void {
    this.dv.setFloat64(this.pos, n, true)
    this.pos += 8
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length)
    this.u8.set(b, this.pos)
    this.pos += b.length
  }
  str(s: string): void {
    const at = this.pos
    this.pos += 4
    const n = s.length
    let k = 0
    // ASCII (addresses, JSON params) written directly; anything else through TextEncoder
    for (; k < n; k++) {
      const c = s.charCodeAt(k)
      if (c >= 0x80) break
      this.u8[this.pos + k] = c
    }
    let len = k
    if (k < n) len = k + enc.encodeInto(s.slice(k), this.u8.subarray(this.pos + k)).written
    this.dv.setUint32(at, len, true)
    this.pos += len
  }
  caps(list: ReadonlyArray<WireCap>): void {
    this.u32(list.length)
    for (const [issuer, params] of list) {
      this.str(issuer)
      this.str(params)
    }
  }
}

class Reader {
  readonly u8: Uint8Array
  readonly dv: DataView
  readonly copy: boolean
  pos = 0
  constructor(buf: ArrayBuffer, copy: boolean) {
    this.copy = copy
    this.u8 = new Uint8Array(buf)
    this.dv = new DataView(buf)
  }
  u8r(): number {
    if (this.pos >= this.u8.length) throw new RangeError("lite batch: truncated")
    return this.u8[this.pos++]!
  }
  u32(): number {
    const n = this.dv.getUint32(this.pos, true)
    this.pos += 4
    return n
  }
  f64(): number {
    const n = this.dv.getFloat64(this.pos, true)
    this.pos += 8
    return n
  }
  #span(): [number, number] {
    const n = this.u32()
    const a = this.pos
    if (a + n > this.u8.length) throw new RangeError(`lite batch: a field of ${n} bytes at ${a} runs past the end (${this.u8.length})`)
    this.pos = a + n
    return [a, a + n]
  }
  bytes(): Uint8Array {
    const [a, b] = this.#span()
    return this.copy ? this.u8.slice(a, b) : this.u8.subarray(a, b)
  }
  str(): string {
    const [a, b] = this.#span()
    const u8 = this.u8
    if (b - a > 256) return dec.decode(u8.subarray(a, b))
    let s = ""
    for (let k = a; k < b; k++) {
      const c = u8[k]!
      if (c >= 0x80) return dec.decode(u8.subarray(a, b))
      s += String.fromCharCode(c)
    }
    return s
  }
  caps(): WireCap[] {
    const n = this.u32()
    if (n > this.u8.length) throw new RangeError(`lite batch: ${n} capabilities in ${this.u8.length} bytes`)
    const list: WireCap[] = []
    for (let k = 0; k < n; k++) list.push([this.str(), this.str()])
    return list
  }
}

const restItem = (batch: LiteBatch, k: number): unknown => {
  if (k >= batch.rest.length) throw new RangeError(`lite batch: item ${k} of rest missing (${batch.rest.length} given)`)
  return batch.rest[k]
}

/** Upper bound of a string's UTF-8 length with its length prefix. */
const strSize = (s: string): number => 4 + s.length * 3
const capsSize = (list: ReadonlyArray<WireCap>): number => {
  let n = 4
  for (const [i, p] of list) n += strSize(i) + strSize(p)
  return n
}

const packed = (items: ReadonlyArray<unknown>, size: (x: any) => number, write: (w: Writer, x: any) => boolean): LiteBatch => {
  let total = 4
  for (const x of items) total += 1 + size(x)
  const w = new Writer(total)
  const rest: unknown[] = []
  w.u32(items.length)
  for (const x of items) {
    if (!write(w, x)) {
      w.u8w(0)
      rest.push(x)
    }
  }
  return { buf: w.buf, rest, bytes: w.pos }
}

const toLiteSize = (m: ToLite): number =>
  m.t !== "deliver" ? 0 : 16 + 2 + strSize(m.source) + 8 + m.body.length + m.context.length + capsSize(m.caps) +
    (m.fence !== undefined ? 8 + strSize(m.fence.target) : 0) + (m.answers !== undefined ? 8 : 0)

const writeToLite = (w: Writer, m: ToLite): boolean => {
  if (m.t !== "deliver") return false
  w.u8w(1)
  w.f64(m.id)
  w.f64(m.seq)
  w.u8w(m.kind)
  w.u8w((m.fence !== undefined ? 1 : 0) | (m.answers !== undefined ? 2 : 0))
  w.str(m.source)
  w.bytes(m.body)
  w.bytes(m.context)
  w.caps(m.caps)
  if (m.fence !== undefined) {
    w.f64(m.fence.from)
    w.str(m.fence.target)
  }
  if (m.answers !== undefined) w.f64(m.answers)
  return true
}

/** Pack a kernel → worker batch (ToLite items, in order). */
export const packToLite = (items: ReadonlyArray<ToLite>): LiteBatch => packed(items, toLiteSize, writeToLite)

/** Unpack a kernel → worker batch; payloads are views into `batch.buf`. Throws RangeError on a malformed batch. */
export const unpackToLite = (batch: LiteBatch): ToLite[] => {
  const r = new Reader(batch.buf, false)
  const n = r.u32()
  const out: ToLite[] = []
  let rest = 0
  for (let k = 0; k < n; k++) {
    const tag = r.u8r()
    if (tag === 0) {
      out.push(restItem(batch, rest++) as ToLite)
      continue
    }
    if (tag !== 1) throw new RangeError(`lite batch: unknown kernel-to-worker tag ${tag}`)
    const id = r.f64()
    const seq = r.f64()
    const kind = r.u8r()
    const flags = r.u8r()
    const source = r.str()
    const body = r.bytes()
    const context = r.bytes()
    const caps = r.caps()
    const fence = (flags & 1) !== 0 ? { from: r.f64(), target: r.str() } : undefined
    const answers = (flags & 2) !== 0 ? r.f64() : undefined
    out.push({ t: "deliver", id, seq, source, kind, body, context, caps, ...(fence !== undefined ? { fence } : {}), ...(answers !== undefined ? { answers } : {}) })
  }
  return out
}

const fromLiteSize = (m: FromLite): number => {
  switch (m.t) {
    case "done":
      return 40
    case "stats":
      return 48
    case "op": {
      const op = m.op
      if (op.fn === "sendRequest") {
        return 8 + 1 + strSize(op.target) + 8 + op.body.length + op.context.length + capsSize(op.caps) + 8 + (op.fence !== undefined ? strSize(op.fence) : 0)
      }
      if (op.fn === "sendResponse") return 8 + 1 + 4 + op.body.length + capsSize(op.caps) + (op.fence !== undefined ? strSize(op.fence) : 0)
      return 0
    }
    default:
      return 0
  }
}

const writeFromLite = (w: Writer, m: FromLite): boolean => {
  switch (m.t) {
    case "done":
      w.u8w(4)
      w.f64(m.id)
      w.f64(m.seq)
      w.f64(m.cpuMs)
      w.f64(m.fuel)
      w.f64(m.memoryBytes)
      return true
    case "stats":
      w.u8w(5)
      w.f64(m.id)
      w.f64(m.cpuMs)
      w.f64(m.fuel)
      w.f64(m.memoryBytes)
      w.f64(m.received)
      w.f64(m.sent)
      return true
    case "op": {
      const op = m.op
      if (op.fn === "sendRequest") {
        w.u8w(2)
        w.f64(m.id)
        w.u8w((op.fence !== undefined ? 1 : 0) | (op.timeoutMs !== undefined ? 2 : 0))
        w.str(op.target)
        w.bytes(op.body)
        w.bytes(op.context)
        w.caps(op.caps)
        if (op.timeoutMs !== undefined) w.f64(op.timeoutMs)
        if (op.fence !== undefined) w.str(op.fence)
        return true
      }
      if (op.fn === "sendResponse") {
        w.u8w(3)
        w.f64(m.id)
        w.u8w(op.fence !== undefined ? 1 : 0)
        w.bytes(op.body)
        w.caps(op.caps)
        if (op.fence !== undefined) w.str(op.fence)
        return true
      }
      return false
    }
    default:
      return false
  }
}

/** Pack a worker → kernel batch (FromLite items, in order). */
export const packFromLite = (items: ReadonlyArray<FromLite>): LiteBatch => packed(items, fromLiteSize, writeFromLite)

/** Unpack a worker → kernel batch; payloads are copied out of `batch.buf`. Throws RangeError on a malformed batch. */
export const unpackFromLite = (batch: LiteBatch): FromLite[] => {
  const r = new Reader(batch.buf, true)
  const n = r.u32()
  const out: FromLite[] = []
  let rest = 0
  for (let k = 0; k < n; k++) {
    const tag = r.u8r()
    switch (tag) {
      case 0:
        out.push(restItem(batch, rest++) as FromLite)
        break
      case 4:
        out.push({ t: "done", id: r.f64(), seq: r.f64(), cpuMs: r.f64(), fuel: r.f64(), memoryBytes: r.f64() })
        break
      case 5:
        out.push({ t: "stats", id: r.f64(), cpuMs: r.f64(), fuel: r.f64(), memoryBytes: r.f64(), received: r.f64(), sent: r.f64() })
        break
      case 2: {
        const id = r.f64()
        const flags = r.u8r()
        const target = r.str()
        const body = r.bytes()
        const context = r.bytes()
        const caps = r.caps()
        const timeoutMs = (flags & 2) !== 0 ? r.f64() : undefined
        const op: LiteOp = { fn: "sendRequest", target, body, timeoutMs, context, caps, ...((flags & 1) !== 0 ? { fence: r.str() } : {}) }
        out.push({ t: "op", id, op })
        break
      }
      case 3: {
        const id = r.f64()
        const flags = r.u8r()
        const body = r.bytes()
        const caps = r.caps()
        const op: LiteOp = { fn: "sendResponse", body, caps, ...((flags & 1) !== 0 ? { fence: r.str() } : {}) }
        out.push({ t: "op", id, op })
        break
      }
      default:
        throw new RangeError(`lite batch: unknown worker-to-kernel tag ${tag}`)
    }
  }
  return out
}
