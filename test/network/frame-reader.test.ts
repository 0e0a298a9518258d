/**
 * The kernel protocol's frame decoder (node/network/internal/FrameReader.ts): frames split at
 * any byte, many frames in one chunk, empty payloads, and the violations that cut a peer off.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { frameHeader, FrameKind, FrameReader } from "../../node/network/internal/FrameReader.ts"

const encode = (frames: ReadonlyArray<[number, Uint8Array]>): Uint8Array => {
  const parts = frames.flatMap(([k, p]) => [frameHeader(k, p.length), p])
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

const frames: Array<[number, Uint8Array]> = [
  [FrameKind.hello, new TextEncoder().encode("alice.os")],
  [FrameKind.data, new Uint8Array(0)],
  [FrameKind.data, Uint8Array.from({ length: 300 }, (_, i) => i & 0xff)],
  [FrameKind.data, new Uint8Array([1, 2, 3])]
]
const wire = encode(frames)

test("frames come out whole and in order however the bytes are split", () => {
  for (const step of [1, 2, 3, 5, 7, 64, wire.length]) {
    const got: Array<[number, Uint8Array]> = []
    const r = new FrameReader(1024, (k, p) => got.push([k, p]))
    for (let at = 0; at < wire.length; at += step) assert.is(r.push(wire.subarray(at, at + step)), undefined)
    assert.equal(got, frames, `split every ${step} bytes`)
  }
})

test("a length over the limit is a violation at the header; nothing after it is decoded", () => {
  const got: Array<number> = []
  const r = new FrameReader(100, (k) => got.push(k))
  const v = r.push(encode([[FrameKind.data, new Uint8Array(10)], [FrameKind.data, new Uint8Array(101)], [FrameKind.data, new Uint8Array(1)]]))
  assert.equal(v, { kind: "oversized", length: 101 })
  assert.equal(got, [FrameKind.data])
  assert.is(r.push(encode([[FrameKind.data, new Uint8Array(1)]])), undefined)
  assert.equal(got, [FrameKind.data])
})

test("an unknown kind is a violation; a stopped reader ignores input", () => {
  const r = new FrameReader(100, () => assert.unreachable("no frame"))
  assert.equal(r.push(frameHeader(9, 0)), { kind: "bad-kind", value: 9 })
  const s = new FrameReader(100, () => assert.unreachable("no frame after stop"))
  s.stop()
  assert.is(s.push(encode([[FrameKind.data, new Uint8Array(1)]])), undefined)
})

test.run()
