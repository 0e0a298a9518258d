/**
 * The binary batch form between the kernel thread and a light-guest worker
 * (kernel/userspace/internal/LiteWire.ts): every item of a batch comes back equal and in order,
 * payloads byte for byte (empty, large, non-ASCII addresses), the batch crosses a real
 * MessagePort as one message whose buffer is transferred, and a malformed batch is refused with
 * a RangeError naming what is wrong.
 */
import { MessageChannel } from "node:worker_threads"
import { test } from "uvu"
import * as assert from "uvu/assert"
import type { FromLite, ToLite } from "../../kernel/userspace/internal/LiteProtocol.ts"
import { type LiteBatch, packFromLite, packToLite, unpackFromLite, unpackToLite } from "../../kernel/userspace/internal/LiteWire.ts"

const b = (...xs: number[]) => new Uint8Array(xs)
const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (_k, v) => (v instanceof Uint8Array ? { bytes: [...v] } : v)))

const big = new Uint8Array(1 << 20).map((_, i) => i * 7)
const toLite: ToLite[] = [
  { t: "grant", from: 1, target: "alice.os@b:p:pub", slot: 7, gen: 3 },
  { t: "deliver", id: 1, seq: 1, source: "alice.os@a:p:pub", kind: 0, body: b(1, 2, 3), context: b(), caps: [] },
  { t: "stop", id: 9 },
  {
    t: "deliver", id: 2, seq: 2 ** 40, source: "ålice.os@ä:p:pub", kind: 1, body: big, context: b(9),
    caps: [["alice.os@kv:distro:sys", '{"kv":"read","db":"main"}'], ["bob.os@x:y:z", '"messaging"']],
    fence: { from: 4, target: "alice.os@b:p:pub" }, answers: 12345
  },
  { t: "deliver", id: 3, seq: 3, source: "n@p:q:r", kind: 2, body: b(), context: b(), caps: [], answers: 1 },
  { t: "deliver", id: 3, seq: 4, source: "é".repeat(300), kind: 3, body: b(0), context: b(0, 255), caps: [], fence: { from: 0, target: "" } },
  { t: "release", from: 2, target: "alice.os@b:p:pub" }
]

const fromLite: FromLite[] = [
  { t: "op", id: 1, op: { fn: "sendRequest", target: "alice.os@b:p:pub", body: b(1), timeoutMs: 30_000, context: b(5, 6), caps: [] } },
  { t: "op", id: 1, op: { fn: "sendRequest", target: "alice.os@b:p:pub", body: b(), timeoutMs: undefined, context: b(), caps: [["a@b:c:d", "\"messaging\""]], fence: "alice.os@b:p:pub" } },
  { t: "op", id: 2, op: { fn: "print", verbosity: 1, message: "hi" } },
  { t: "op", id: 2, op: { fn: "sendResponse", body: big, caps: [] } },
  { t: "op", id: 2, op: { fn: "sendResponse", body: b(7), caps: [["ünïcode@b:c:d", "{}"]], fence: "x@y:z:w" } },
  { t: "done", id: 2, seq: 2 ** 33 + 1, cpuMs: 0.0123, fuel: 11_000, memoryBytes: 65536 },
  { t: "stats", id: 3, cpuMs: 1.5, fuel: 2 ** 45, memoryBytes: 131072, received: 4096, sent: 4095 },
  { t: "op", id: 3, op: { fn: "setState", bytes: b(1, 2) } },
  { t: "exit", id: 3, seq: 5, kind: "trap", reason: "RuntimeError: unreachable", cpuMs: 0.2 }
]

test("a kernel-to-worker batch unpacks to the same items in the same order", () => {
  const batch = packToLite(toLite)
  assert.is(batch.rest.length, 3, "only grant, stop and release travel as cloned objects")
  const back = unpackToLite(batch)
  assert.equal(plain(back), plain(toLite))
  const d = back[3] as Extract<ToLite, { t: "deliver" }>
  assert.is(d.body.length, 1 << 20)
  assert.ok(d.body.every((x, i) => x === big[i]), "a 1 MiB payload arrives byte for byte")
})

test("a worker-to-kernel batch unpacks to the same items in the same order, payloads copied out", () => {
  const batch = packFromLite(fromLite)
  assert.is(batch.rest.length, 3, "print, setState and exit travel as cloned objects")
  const back = unpackFromLite(batch)
  assert.equal(plain(back), plain(fromLite))
  const op = (back[3] as Extract<FromLite, { t: "op" }>).op as { body: Uint8Array }
  // a copy, not a view: the kernel may keep the body (mailbox) without the whole batch
  assert.is(op.body.buffer.byteLength, op.body.length)
  assert.is((back[0] as any).op.timeoutMs, 30_000)
  assert.is((back[1] as any).op.timeoutMs, undefined)
})

test("one postMessage carries a batch of 10,000 messages; its buffer is transferred, not cloned", async () => {
  const items: FromLite[] = Array.from({ length: 10_000 }, (_, i) => ({
    t: "op", id: i % 7, op: { fn: "sendRequest", target: "alice.os@b:p:pub", body: new TextEncoder().encode(`ping ${i}`), timeoutMs: 30_000, context: b(i & 255), caps: [] }
  }))
  const { port1, port2 } = new MessageChannel()
  const got: LiteBatch[] = []
  const arrived = new Promise<void>((r) => port2.once("message", (m: LiteBatch) => (got.push(m), r())))
  const batch = packFromLite(items)
  port1.postMessage(batch, [batch.buf])
  assert.is(batch.buf.byteLength, 0, "the sender's buffer is detached (moved, not copied)")
  await arrived
  port1.close()
  assert.is(got.length, 1)
  assert.is(got[0]!.rest.length, 0)
  const back = unpackFromLite(got[0]!)
  assert.is(back.length, 10_000)
  back.forEach((m, i) => {
    const op = (m as Extract<FromLite, { t: "op" }>).op as { body: Uint8Array; context: Uint8Array }
    assert.is(new TextDecoder().decode(op.body), `ping ${i}`)
    assert.is(op.context[0], i & 255)
  })
})

test("a malformed batch is refused with a RangeError naming what is wrong", () => {
  const good = packToLite(toLite.slice(1, 2))
  assert.throws(() => unpackToLite({ buf: good.buf.slice(0, 20), rest: [] }), (e: Error) => e instanceof RangeError)
  const long = new Uint8Array(good.buf.slice(0))
  // the source string's length prefix (after count, tag, id, seq, kind, flags) made huge
  new DataView(long.buffer).setUint32(4 + 1 + 16 + 2, 0xffff_fff0, true)
  assert.throws(() => unpackToLite({ buf: long.buffer, rest: [] }), /runs past the end/)
  const tag = new Uint8Array(good.buf.slice(0))
  tag[4] = 9
  assert.throws(() => unpackToLite({ buf: tag.buffer, rest: [] }), /unknown kernel-to-worker tag 9/)
  const rest = packFromLite(fromLite.slice(2, 3))
  assert.throws(() => unpackFromLite({ buf: rest.buf, rest: [] }), /item 0 of rest missing/)
  const count = new Uint8Array(packFromLite([]).buf)
  new DataView(count.buffer).setUint32(0, 5, true)
  assert.throws(() => unpackFromLite({ buf: count.buffer, rest: [] }), /truncated/)
})

test.run()
