/**
 * The shared-memory ring between light-guest workers (kernel/userspace/internal/LiteRing.ts):
 * order and bounds on one thread, order across two threads with Atomics.waitAsync wake-ups
 * (non-pipelined and pipelined), and a corrupt record description that ends only that record,
 * with a typed error, without reading outside the ring.
 */
import { Worker } from "node:worker_threads"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { LiteRing, RingRecordError, RingShapeError, type RingShape } from "../../kernel/userspace/internal/LiteRing.ts"

const rec = (n: number, size: number): Uint8Array => {
  const b = new Uint8Array(size)
  new DataView(b.buffer).setUint32(0, n, true)
  for (let k = 4; k < size; k++) b[k] = (n + k) & 0xff
  return b
}
const num = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(0, true)
const intact = (b: Uint8Array): boolean => {
  const n = num(b)
  for (let k = 4; k < b.length; k++) if (b[k] !== ((n + k) & 0xff)) return false
  return true
}

test("ring: records come out in order and intact across many wrap-arounds", () => {
  const ring = LiteRing.create({ slots: 16, bytes: 1024, maxRecord: 200 })
  let sent = 0
  let got = 0
  for (let round = 0; round < 2000; round++) {
    // pushes of varied sizes until refused, then pops of a varied number
    while (ring.push(rec(sent, 4 + ((sent * 37) % 190)))) sent++
    for (let k = 0; k < 1 + (round % 7); k++) {
      const r = ring.pop()
      if (r === undefined) break
      assert.ok(!(r instanceof Error))
      assert.is(num(r as Uint8Array), got)
      assert.ok(intact(r as Uint8Array))
      got++
    }
  }
  assert.ok(sent > 5000, `sent ${sent}`)
  for (let r = ring.pop(); r !== undefined; r = ring.pop()) assert.is(num(r as Uint8Array), got++)
  assert.is(got, sent)
})

test("ring bounds: count, bytes and record size refuse the push (the caller takes the kernel path) and lose nothing", () => {
  const ring = LiteRing.create({ slots: 4, bytes: 64, maxRecord: 32 })
  assert.not.ok(ring.push(new Uint8Array(33)), "over maxRecord")
  for (let k = 0; k < 4; k++) assert.ok(ring.push(rec(k, 4)))
  assert.not.ok(ring.push(rec(4, 4)), "over slots")
  assert.is(ring.size, 4)
  for (let k = 0; k < 4; k++) assert.is(num(ring.pop() as Uint8Array), k)
  // 16 bytes used so far: 16 + 32 + 16 fill the 64 bytes exactly, 4 more do not fit
  assert.ok(ring.push(rec(10, 16)))
  assert.ok(ring.push(rec(11, 32)))
  assert.ok(ring.push(rec(12, 16)))
  assert.not.ok(ring.push(rec(13, 4)), "over bytes")
  assert.is(num(ring.pop() as Uint8Array), 10)
  assert.ok(ring.push(rec(13, 4)))
  for (const n of [11, 12, 13]) assert.is(num(ring.pop() as Uint8Array), n)
  assert.is(ring.pop(), undefined)
  ring.close()
  assert.not.ok(ring.push(rec(14, 4)), "closed")
})

test("ring shape: bad shapes and a buffer of the wrong size are refused with a typed error", () => {
  for (const s of [{ slots: 0, bytes: 64, maxRecord: 8 }, { slots: 3, bytes: 64, maxRecord: 8 }, { slots: 4, bytes: 100, maxRecord: 8 }, { slots: 4, bytes: 64, maxRecord: 65 }, { slots: 4, bytes: 64, maxRecord: 0 }]) {
    assert.throws(() => LiteRing.create(s), (e: unknown) => e instanceof RingShapeError)
  }
  assert.throws(() => new LiteRing(new SharedArrayBuffer(10), { slots: 4, bytes: 64, maxRecord: 8 }), (e: unknown) => e instanceof RingShapeError)
})

test("attack: a corrupt record description (bad length, bad start) ends only that record, typed, with no read outside the ring", () => {
  const shape = { slots: 8, bytes: 256, maxRecord: 64 }
  const ring = LiteRing.create(shape)
  for (let k = 0; k < 6; k++) assert.ok(ring.push(rec(k, 40)))
  ring.corruptForTest(1, 40, 0x7fff_0000) // a huge length
  ring.corruptForTest(2, 80, -5) // a negative length
  ring.corruptForTest(3, 120 + 4096, 40) // a start past the written bytes
  ring.corruptForTest(4, 250, 40) // crosses the end of the ring
  const out = Array.from({ length: 6 }, () => ring.pop())
  assert.is(num(out[0] as Uint8Array), 0)
  for (const k of [1, 2, 3, 4]) {
    assert.ok(out[k] instanceof RingRecordError, `record ${k}: ${String(out[k])}`)
    assert.is((out[k] as RingRecordError).index, k)
  }
  assert.is(num(out[5] as Uint8Array), 5)
  assert.ok(intact(out[5] as Uint8Array))
  assert.is(ring.pop(), undefined)
  // the ring goes on: its space was released by the record after the corrupt ones
  for (let k = 0; k < 6; k++) assert.ok(ring.push(rec(100 + k, 40)))
  for (let k = 0; k < 6; k++) assert.is(num(ring.pop() as Uint8Array), 100 + k)
})

test("attack, fuzzed: random descriptions written over 2,000 records never make pop throw or read out of bounds; untouched records stay intact and in order", () => {
  const shape = { slots: 32, bytes: 2048, maxRecord: 256 }
  const ring = LiteRing.create(shape)
  // a deterministic generator (xorshift32), so a failure reproduces
  let s = 0x9e3779b9
  const rnd = (): number => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return s >>> 0
  }
  const corrupt = new Set<number>()
  let sent = 0
  let popped = 0
  let lastGood = -1
  let errors = 0
  while (popped < 2000) {
    if (sent < 2000 && rnd() % 3 !== 0 && ring.push(rec(sent, 4 + (rnd() % 200)))) {
      if (rnd() % 5 === 0) {
        ring.corruptForTest(sent, rnd() | 0, rnd() % 2 === 0 ? rnd() | 0 : rnd() % 512)
        corrupt.add(sent)
      }
      sent++
      continue
    }
    const r = ring.pop()
    if (r === undefined) {
      // no later valid record released the bytes of the corrupt ones: push no more, drain
      if (sent === popped) break
      continue
    }
    if (r instanceof RingRecordError) errors++
    else {
      assert.ok(r.length <= shape.maxRecord)
      if (!corrupt.has(popped)) {
        assert.is(num(r), popped)
        assert.ok(intact(r))
        assert.ok(popped > lastGood)
        lastGood = popped
      }
    }
    popped++
  }
  assert.is(popped, 2000, "every record pushed and popped")
  assert.ok(corrupt.size > 100, `corrupted ${corrupt.size}`)
  assert.ok(errors > 50, `errors ${errors}`)
})

/** A peer thread echoing ring a -> ring b; `window` records in flight at once (1: not pipelined). */
const roundTrips = async (pairs: number, window: number, shape: RingShape): Promise<number> => {
  const a = LiteRing.create(shape)
  const b = LiteRing.create(shape)
  const peer = new Worker(new URL("./lite-ring-peer.ts", import.meta.url), { workerData: { ringTest: true, in: a.buffer, out: b.buffer, shape } })
  const done = new Promise<void>((resolve, reject) => {
    peer.once("message", () => resolve())
    peer.once("error", reject)
  })
  const t0 = performance.now()
  let sent = 0
  let got = 0
  while (got < pairs) {
    while (sent < pairs && sent - got < window) assert.ok(a.push(rec(sent++, 4 + (sent % 60))))
    for (let r = b.pop(); r !== undefined; r = b.pop()) {
      assert.ok(!(r instanceof Error))
      assert.is(num(r as Uint8Array), got, "order")
      assert.ok(intact(r as Uint8Array))
      got++
    }
    if (got < pairs && (sent === pairs || sent - got >= window)) {
      const w = b.wait()
      if (w !== undefined) await w
    }
  }
  const ms = performance.now() - t0
  a.close()
  await done
  await peer.terminate()
  return (pairs * 1000) / ms
}

test("two threads: 5,000 round trips one at a time, in order, woken by Atomics.waitAsync", async () => {
  const rate = await roundTrips(5000, 1, { slots: 64, bytes: 8192, maxRecord: 128 })
  console.log(`  ring round trips, not pipelined: ${Math.round(rate)}/s`)
})

test("two threads: 20,000 round trips pipelined 64 deep, in order", async () => {
  const rate = await roundTrips(20_000, 64, { slots: 64, bytes: 8192, maxRecord: 128 })
  console.log(`  ring round trips, pipelined 64: ${Math.round(rate)}/s`)
})

test("closing the ring wakes a consumer that sleeps on it", async () => {
  const ring = LiteRing.create({ slots: 4, bytes: 64, maxRecord: 8 })
  const w = ring.wait()
  assert.ok(w !== undefined)
  setTimeout(() => ring.close(), 5)
  await w
  assert.ok(ring.closed)
  assert.is(ring.wait(), undefined)
})

test.run()
