/**
 * The shared KVStore conformance suite: every implementation of store/KVStore.ts's KVStore
 * (IAVL working tree, branch, branch of a branch, ...) runs these same tests, including a
 * randomized comparison against a sorted Map model.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import type { Entry, KVStore } from "../../store/KVStore.ts"

const te = new TextEncoder()
const td = new TextDecoder()
export const b = (s: string): Uint8Array => te.encode(s)
const s = (u: Uint8Array): string => td.decode(u)
const keysOf = (it: Iterable<Entry>): string[] => [...it].map(([k]) => s(k))

/** Deterministic PRNG (mulberry32) for randomized tests. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const hex = (u: Uint8Array): string => Buffer.from(u).toString("hex")

/** Runs the conformance suite on stores made by `make` (a fresh, empty store per test). */
export const kvConformance = (name: string, make: () => KVStore): void => {
  const t = suite(`KVStore conformance: ${name}`)

  t("get/has/set/delete", () => {
    const kv = make()
    assert.is(kv.get(b("a")), undefined)
    assert.not.ok(kv.has(b("a")))
    kv.set(b("a"), b("1"))
    assert.is(s(kv.get(b("a"))!), "1")
    assert.ok(kv.has(b("a")))
    kv.set(b("a"), b("2"))
    assert.is(s(kv.get(b("a"))!), "2")
    kv.delete(b("a"))
    assert.is(kv.get(b("a")), undefined)
    kv.delete(b("missing"))
  })

  t("empty values allowed, empty keys rejected with StoreError empty-key", () => {
    const kv = make()
    kv.set(b("k"), new Uint8Array())
    assert.ok(kv.has(b("k")))
    assert.is(kv.get(b("k"))!.length, 0)
    try {
      kv.set(new Uint8Array(), b("v"))
      assert.unreachable("empty key accepted")
    } catch (e) {
      assert.is((e as { _tag?: string })._tag, "StoreError")
      assert.is((e as { reason?: string }).reason, "empty-key")
    }
  })

  t("caller buffers may be reused after set", () => {
    const kv = make()
    const k = b("key")
    const v = b("val")
    kv.set(k, v)
    k[0] = 0x7a
    v[0] = 0x7a
    assert.is(s(kv.get(b("key"))!), "val")
  })

  t("Node Buffers as keys and values are copied too (Buffer.slice is a view)", () => {
    const kv = make()
    const k = Buffer.from("bufkey")
    const v = Buffer.from("bufval")
    kv.set(k, v)
    k[0] = 0x7a
    v[0] = 0x7a
    assert.is(s(kv.get(b("bufkey"))!), "bufval")
    assert.equal(keysOf(kv.iterate()), ["bufkey"])
  })

  t("long keys and large values", () => {
    const kv = make()
    const long = new Uint8Array(2000).fill(0x61)
    const big = new Uint8Array(300_000).fill(7)
    kv.set(long, big)
    kv.set(b("a"), b("1"))
    assert.is(kv.get(long)!.length, 300_000)
    assert.equal([...kv.iterate()].map(([k]) => k.length), [1, 2000])
  })

  t("iterate: byte order, bounds, reverse", () => {
    const kv = make()
    for (const k of ["b", "a", "c", "ab", "\u0000", "ba"]) kv.set(b(k), b(k.toUpperCase()))
    assert.equal(keysOf(kv.iterate()), ["\u0000", "a", "ab", "b", "ba", "c"])
    assert.equal(keysOf(kv.iterate(b("ab"), b("ba"))), ["ab", "b"])
    assert.equal(keysOf(kv.iterate(b("ab"), b("ba"), true)), ["b", "ab"])
    assert.equal(keysOf(kv.iterate(undefined, b("b"), true)), ["ab", "a", "\u0000"])
    assert.equal(keysOf(kv.iterate(b("bb"))), ["c"])
    assert.equal(keysOf(kv.iterate(b("x"))), [])
    const [first] = kv.iterate(b("a"))
    assert.is(s(first![1]), "A")
  })

  t("unsigned byte order (0xff after 0x7f)", () => {
    const kv = make()
    kv.set(new Uint8Array([0xff]), b("hi"))
    kv.set(new Uint8Array([0x7f]), b("lo"))
    kv.set(new Uint8Array([0x7f, 0x00]), b("lo0"))
    assert.equal([...kv.iterate()].map(([k]) => hex(k)), ["7f", "7f00", "ff"])
  })

  t("short keys and long shared prefixes (bytes 0x00, 0x01, 0xff; lengths 1 to 9)", () => {
    const kv = make()
    const rnd = prng(13)
    const model = new Map<string, Uint8Array>()
    const alphabet = [0x00, 0x01, 0xff]
    for (let i = 0; i < 600; i++) {
      const len = 1 + Math.floor(rnd() * 9)
      const k = new Uint8Array(len).map(() => alphabet[Math.floor(rnd() * 3)]!)
      const h = hex(k)
      if (rnd() < 0.25) {
        kv.delete(k)
        model.delete(h)
      } else {
        kv.set(k, k)
        model.set(h, k)
      }
    }
    const want = [...model.values()].sort((x, y) => Buffer.compare(x, y)).map(hex)
    assert.equal([...kv.iterate()].map(([k]) => hex(k)), want)
    for (const [h, k] of model) assert.is(hex(kv.get(k)!), h)
    assert.is(kv.get(new Uint8Array([0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01])), undefined)
  })

  t("writes during iteration are not seen by the iterator", () => {
    const kv = make()
    for (const k of ["a", "c", "e"]) kv.set(b(k), b(k))
    const seen: string[] = []
    for (const [k] of kv.iterate()) {
      seen.push(s(k))
      if (s(k) === "a") {
        kv.set(b("b"), b("b"))
        kv.delete(b("e"))
        kv.set(b("c"), b("changed"))
      }
    }
    assert.equal(seen, ["a", "c", "e"])
    assert.equal(keysOf(kv.iterate()), ["a", "b", "c"])
  })

  t("randomized against a sorted model (set/delete/get/iterate)", () => {
    const kv = make()
    const model = new Map<string, string>()
    const rnd = prng(7)
    for (let i = 0; i < 3000; i++) {
      const k = `k${Math.floor(rnd() * 500).toString().padStart(3, "0")}`
      const r = rnd()
      if (r < 0.6) {
        const v = `v${i}`
        kv.set(b(k), b(v))
        model.set(k, v)
      } else if (r < 0.9) {
        kv.delete(b(k))
        model.delete(k)
      } else {
        const got = kv.get(b(k))
        assert.is(got === undefined ? undefined : s(got), model.get(k))
      }
    }
    const sorted = [...model.keys()].sort()
    assert.equal(keysOf(kv.iterate()), sorted)
    assert.equal(keysOf(kv.iterate(undefined, undefined, true)), [...sorted].reverse())
    for (let i = 0; i < 50; i++) {
      const lo = `k${Math.floor(rnd() * 500).toString().padStart(3, "0")}`
      const hi = `k${Math.floor(rnd() * 500).toString().padStart(3, "0")}`
      const want = sorted.filter((k) => k >= lo && k < hi)
      assert.equal(keysOf(kv.iterate(b(lo), b(hi))), want)
      assert.equal(keysOf(kv.iterate(b(lo), b(hi), true)), [...want].reverse())
    }
    for (const [k, v] of kv.iterate()) assert.is(s(v), model.get(s(k)))
  })

  t.run()
}
