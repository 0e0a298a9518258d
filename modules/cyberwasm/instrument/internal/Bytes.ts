/**
 * LEB128 byte reader and writer for the Wasm binary format (WebAssembly core spec 5.2 "Values").
 * Internal to the instrumenter. The reader throws `WasmFormatError` on truncated input or
 * over-long encodings; callers turn it into a ProgramRejected.
 */

/** A malformed binary (truncated, over-long LEB128, bad section). */
export class WasmFormatError extends Error {}

/** Sequential reader over a byte slice. Offsets are absolute in `bytes`. */
export class Reader {
  readonly bytes: Uint8Array
  pos: number
  readonly end: number
  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes
    this.pos = pos
    this.end = end
  }
  eof(): boolean {
    return this.pos >= this.end
  }
  u8(): number {
    if (this.pos >= this.end) throw new WasmFormatError(`unexpected end of data at byte ${this.pos}`)
    return this.bytes[this.pos++]!
  }
  /** Unsigned LEB128 of at most 32 bits. */
  u32(): number {
    let result = 0
    let shift = 0
    for (let i = 0; i < 5; i++) {
      const b = this.u8()
      result += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) throw new WasmFormatError(`u32 out of range at byte ${this.pos}`)
        return result
      }
      shift += 7
    }
    throw new WasmFormatError(`over-long u32 at byte ${this.pos}`)
  }
  /** Skip a signed LEB128 of at most `bits` bits (values are copied, never interpreted). */
  skipSigned(bits: number): void {
    const max = Math.ceil(bits / 7)
    for (let i = 0; i < max; i++) if ((this.u8() & 0x80) === 0) return
    throw new WasmFormatError(`over-long signed LEB128 at byte ${this.pos}`)
  }
  /** Signed LEB128 up to 64 bits as a bigint. */
  s64(): bigint {
    let result = 0n
    let shift = 0n
    for (let i = 0; i < 10; i++) {
      const b = this.u8()
      result |= BigInt(b & 0x7f) << shift
      shift += 7n
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= 1n << shift
        return result
      }
    }
    throw new WasmFormatError(`over-long s64 at byte ${this.pos}`)
  }
  bytesN(n: number): Uint8Array {
    if (this.pos + n > this.end) throw new WasmFormatError(`unexpected end of data at byte ${this.pos}`)
    const out = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }
  name(): string {
    return new TextDecoder("utf-8", { fatal: true }).decode(this.bytesN(this.u32()))
  }
}

/** Growable byte writer. */
export class Writer {
  private buf = new Uint8Array(1024)
  length = 0
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
  }
  u8(b: number): this {
    this.ensure(1)
    this.buf[this.length++] = b
    return this
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length)
    this.buf.set(b, this.length)
    this.length += b.length
    return this
  }
  u32(v: number): this {
    let x = v >>> 0
    do {
      let b = x & 0x7f
      x >>>= 7
      if (x !== 0) b |= 0x80
      this.u8(b)
    } while (x !== 0)
    return this
  }
  s64(v: bigint): this {
    let x = v
    for (;;) {
      const b = Number(x & 0x7fn)
      x >>= 7n
      const done = (x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)
      this.u8(done ? b : b | 0x80)
      if (done) return this
    }
  }
  s32(v: number): this {
    return this.s64(BigInt(v | 0))
  }
  name(s: string): this {
    const b = new TextEncoder().encode(s)
    return this.u32(b.length).bytes(b)
  }
  /** A vector/section body prefixed by its byte length. */
  sized(body: Uint8Array): this {
    return this.u32(body.length).bytes(body)
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length)
  }
}
