/**
 * Commit batches and their buffers: the LevelDB writer thread hands each landed batch's buffer
 * back (Backend.takeSpare), the next Batch is built in it when it fits, and what lands is exactly
 * what was put, also when the recycled buffer still holds a longer earlier batch's bytes.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { openLevelBackend, MemoryStorage } from "../../store/internal/Backend.ts"
import { Batch, ops, PUT } from "../../store/internal/Batch.ts"
import { b } from "./conformance.ts"

const t = suite("batch")
const td = new TextDecoder()

t("Batch uses a spare buffer only when it fits (at least 4/5 and at most 4x the capacity)", () => {
  const spare = Buffer.allocUnsafeSlow(1000)
  assert.ok(new Batch(1000, spare).buf === spare)
  assert.ok(new Batch(1250, spare).buf === spare, "the last batch's size (capacity / 1.25) fits")
  assert.ok(new Batch(1300, spare).buf !== spare, "too small")
  assert.ok(new Batch(200, spare).buf !== spare, "more than 4x too large: dropped")
  assert.is(new Batch(1300, spare).buf.length, 1300)
})

t("a batch built in a recycled buffer reads back only its own operations", () => {
  const first = new Batch(64)
  for (let i = 0; i < 20; i++) first.put(b(`old-key-${i}`), b(`old-value-${i}`))
  const next = new Batch(first.buf.length, first.buf)
  assert.ok(next.buf === first.buf)
  next.put(b("k"), b("v"))
  next.del(b("gone"))
  const got = [...ops(next.buf, next.length)].map((o) => [o.kind, td.decode(o.key), td.decode(o.value)])
  assert.equal(got, [[PUT, "k", "v"], [1, "gone", ""]])
})

t("LevelDB: the writer thread hands the landed batch's buffer back; the next batch built in it lands intact", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ck-batch-"))
  const be = await openLevelBackend(join(dir, "db"))
  try {
    assert.is(be.takeSpare(), undefined)
    const one = new Batch(1 << 12)
    for (let i = 0; i < 100; i++) one.put(b(`a${i}`), b(`first-${i}`.repeat(3)))
    const buf = one.buf
    const bytes = buf.length
    await be.write(one)
    assert.is(buf.length, 0, "transferred to the writer thread")
    const spare = be.takeSpare()
    assert.ok(spare !== undefined && spare.length === bytes, "handed back at full size")
    assert.is(be.takeSpare(), undefined, "taken once")
    const two = new Batch(1 << 12, spare)
    assert.ok(two.buf === spare)
    two.put(b("a1"), b("second"))
    two.del(b("a2"))
    await be.write(two)
    assert.is(td.decode(be.getSync(b("a1"))!), "second")
    assert.is(be.getSync(b("a2")), undefined)
    assert.is(td.decode(be.getSync(b("a3"))!), "first-3".repeat(3))
    assert.is(be.getSync(b("a100")), undefined)
  } finally {
    await be.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

t("Map double: a refused batch's buffer is not handed back; an applied one is", async () => {
  const storage = new MemoryStorage()
  const be = storage.open()
  storage.failWrites = true
  const one = new Batch(256)
  one.put(b("k"), b("v"))
  await be.write(one).then(() => assert.unreachable(), () => undefined)
  assert.is(be.takeSpare(), undefined)
  storage.failWrites = false
  await be.write(one)
  assert.ok(be.takeSpare() === one.buf)
  assert.is(td.decode(storage.data.get("k")!), "v")
})

t.run()
