import { test } from "uvu"
import * as assert from "uvu/assert"
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js"
import { compareBytes, concatBytes, equalBytes, fromHex, InvalidHex, sha256, sha256Parts, toHex } from "../../lib/Bytes.ts"

const u = (...b: number[]) => Uint8Array.from(b)

test("sha256: FIPS 180-4 vectors, strings as UTF-8, plain Uint8Array, agrees with @noble/hashes", () => {
  assert.is(toHex(sha256(new Uint8Array(0))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  assert.is(toHex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  assert.equal(sha256("é"), sha256(u(0xc3, 0xa9)))
  const h = sha256(u(1, 2, 3))
  assert.is(h.constructor, Uint8Array)
  assert.is(h.length, 32)
  for (let n = 0; n < 200; n += 7) {
    const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff)
    assert.equal(sha256(data), nobleSha256(data))
  }
  assert.equal([u(1), u(2)].map(sha256), [sha256(u(1)), sha256(u(2))], "map passes one argument")
})

test("sha256Parts hashes the concatenation", () => {
  assert.equal(sha256Parts([u(0), u(1, 2), "x"]), sha256(u(0, 1, 2, 0x78)))
  assert.equal(sha256Parts([]), sha256(new Uint8Array(0)))
})

test("toHex / fromHex round trip; fromHex rejects odd length and non-hex", () => {
  assert.is(toHex(new Uint8Array(0)), "")
  const b = u(0, 1, 0xab, 0xff)
  assert.is(toHex(b), "0001abff")
  assert.is(toHex(b.subarray(1, 3)), "01ab", "a view's own bytes")
  assert.equal(fromHex("0001ABff"), b)
  assert.is(fromHex("00").constructor, Uint8Array)
  assert.throws(() => fromHex("abc"), (e: unknown) => e instanceof InvalidHex && /odd length 3/.test(e.message))
  assert.throws(() => fromHex("zz"), (e: unknown) => e instanceof InvalidHex && e._tag === "InvalidHex")
  assert.throws(() => fromHex("0x00"), (e: unknown) => e instanceof InvalidHex)
})

test("concatBytes copies", () => {
  const a = u(1, 2)
  const c = concatBytes(a)
  assert.equal(c, a)
  assert.is.not(c, a)
  assert.equal(concatBytes(u(1), new Uint8Array(0), u(2, 3)), u(1, 2, 3))
  assert.equal(concatBytes(), new Uint8Array(0))
})

test("equalBytes and compareBytes (Go bytes.Compare order)", () => {
  assert.ok(equalBytes(u(1, 2), u(1, 2)))
  assert.not.ok(equalBytes(u(1, 2), u(1, 3)))
  assert.not.ok(equalBytes(u(1), u(1, 0)))
  assert.ok(equalBytes(new Uint8Array(0), new Uint8Array(0)))
  assert.ok(compareBytes(u(1), u(1, 0)) < 0, "a proper prefix first")
  assert.ok(compareBytes(u(0xff), u(0x00, 0xff)) > 0, "unsigned")
  assert.is(compareBytes(u(5, 6), u(5, 6)), 0)
  const sorted = [u(2), u(1, 9), u(1), u(0xff), new Uint8Array(0)].sort(compareBytes).map(toHex)
  assert.equal(sorted, ["", "01", "0109", "02", "ff"])
})

test.run()
