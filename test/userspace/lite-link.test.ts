/**
 * The kernel <-> worker link of the `ring` transport on its own (internal/LiteLink.ts): batches
 * through a shared-memory ring, postMessage for those the ring cannot take, handed on in send
 * order whichever way each went; a full ring falls back without reordering (and the ring is not
 * used again until the posted batches are taken); a corrupt ring record or a batch that does not
 * unpack is lost alone. Sender and receiver sit on one thread here over a real MessageChannel, so
 * the test decides when the receiver runs.
 */
import { MessageChannel } from "node:worker_threads"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { LinkReceiver, LinkSender, newLink } from "../../kernel/userspace/internal/LiteLink.ts"
import type { ToLite } from "../../kernel/userspace/internal/LiteProtocol.ts"
import { RingRecordError } from "../../kernel/userspace/internal/LiteRing.ts"
import { type LiteBatch, packToLite, unpackToLite } from "../../kernel/userspace/internal/LiteWire.ts"

const EMPTY = new Uint8Array(0)
/** A packed item (rides in the ring) carrying number `n` and `body` (default one byte). */
const packedItem = (n: number, body = new Uint8Array([n & 255])): ToLite => ({ t: "deliver", id: n, seq: n, source: "a@b:c:d", kind: 0, body, context: EMPTY, caps: [] })
/** A cloned item (its batch must be posted) carrying number `n`. */
const clonedItem = (n: number): ToLite => ({ t: "stop", id: n })

/** A link over a real MessageChannel: what the receiver handed on, and its errors. */
const link = (slots = 8) => {
  const shared = newLink({ slots, bytes: 1 << 16, maxRecord: 1 << 12 })
  const ch = new MessageChannel()
  const got: number[] = []
  const errors: Error[] = []
  const receive = new LinkReceiver(shared, unpackToLite, (items) => {
    for (const m of items) got.push(m.t === "deliver" || m.t === "stop" ? m.id : -1)
  }, (e) => errors.push(e))
  ch.port2.on("message", (b: LiteBatch) => receive.posted(b))
  const send = new LinkSender(shared, (b) => ch.port1.postMessage(b, [b.buf]))
  receive.start()
  const settle = async (n: number) => {
    for (let i = 0; got.length + errors.length < n && i < 500; i++) await new Promise((r) => setTimeout(r, 2))
  }
  const close = () => {
    receive.close()
    ch.port1.close()
    ch.port2.close()
  }
  return { send, receive, got, errors, settle, close }
}

test("batches with cloned items are posted, the rest go through the ring, all in send order", async () => {
  const l = link(64)
  const ways: string[] = []
  // 8 turns of 5 batches, the fourth of each with a cloned item; the receiver runs between turns
  for (let i = 0; i < 40; i++) {
    ways.push(l.send.send(packToLite([i % 5 === 3 ? clonedItem(i) : packedItem(i)])))
    if (i % 5 === 4) await l.settle(i + 1)
  }
  await l.settle(40)
  assert.equal(l.got, Array.from({ length: 40 }, (_, i) => i))
  assert.is(l.send.counts.ring, 24, `${l.send.counts.ring} through the ring`)
  assert.is(l.send.counts.posted, 16, `${l.send.counts.posted} posted`)
  assert.is(ways[0], "ring")
  assert.is(ways[3], "posted")
  // after a posted batch, the next ones are posted too until the receiver took it
  assert.is(ways[4], "posted")
  assert.is(l.errors.length, 0)
  // once everything is taken, the ring is used again
  assert.is(l.send.send(packToLite([packedItem(40)])), "ring")
  await l.settle(41)
  assert.is(l.got[40], 40)
  l.close()
})

test("ring full: the overflow is posted and order holds, even when the ring drains before the posts arrive", async () => {
  const l = link(4)
  const ways: string[] = []
  for (let i = 0; i < 6; i++) ways.push(l.send.send(packToLite([packedItem(i)])))
  assert.equal(ways, ["ring", "ring", "ring", "ring", "posted", "posted"])
  // the receiver empties the ring before the posted batches 4 and 5 reach it: the ring has room
  // again, but batch 6 must not overtake 4 and 5
  l.receive.drain()
  assert.equal(l.got, [0, 1, 2, 3])
  for (let i = 6; i < 12; i++) ways.push(l.send.send(packToLite([packedItem(i)])))
  assert.equal(ways.slice(6), ["posted", "posted", "posted", "posted", "posted", "posted"])
  await l.settle(12)
  assert.equal(l.got, Array.from({ length: 12 }, (_, i) => i))
  assert.is(l.send.send(packToLite([packedItem(12)])), "ring")
  await l.settle(13)
  assert.equal(l.got, Array.from({ length: 13 }, (_, i) => i))
  l.close()
})

test("a batch over the ring's record bound is posted, in order", async () => {
  const l = link(8)
  l.send.send(packToLite([packedItem(0)]))
  const big = packedItem(1, new Uint8Array(8192))
  assert.is(l.send.send(packToLite([big])), "posted")
  l.send.send(packToLite([packedItem(2)]))
  await l.settle(3)
  assert.equal(l.got, [0, 1, 2])
  l.close()
})

test("attack: a corrupt ring record and a malformed batch are each lost alone; the batches around them arrive in order", async () => {
  const l = link(16)
  // the receiver must not run until the ring is corrupted: no await between the pushes and the corruption
  for (let i = 0; i < 3; i++) l.send.send(packToLite([packedItem(i)]))
  l.send.ring.corruptForTest(1, 0, 1 << 30)
  // a record whose description is sound but whose bytes are no batch (count 2^32-1, then nothing)
  assert.ok(l.send.ring.push(new Uint8Array([255, 255, 255, 255])))
  l.send.send(packToLite([packedItem(3)]))
  await l.settle(5)
  assert.equal(l.got, [0, 2, 3])
  assert.is(l.errors.length, 2)
  assert.ok(l.errors[0] instanceof RingRecordError, String(l.errors[0]))
  assert.ok(l.errors[1] instanceof RangeError, String(l.errors[1]))
  l.send.send(packToLite([packedItem(4)]))
  await l.settle(6)
  assert.equal(l.got, [0, 2, 3, 4])
  l.close()
})

test("close: the sender's pushes stop (posted instead) and a sleeping receiver's loop ends", async () => {
  const l = link(8)
  l.send.close()
  assert.is(l.send.send(packToLite([packedItem(0)])), "posted")
  await l.settle(1)
  assert.equal(l.got, [0])
  l.close()
})

test.run()
