/**
 * KVStore conformance for every implementation: the IAVL working tree, a branch, a branch of a
 * branch, and a branch over a read-only committed snapshot; then branch-specific behaviour
 * (merge with parent content, deletes hiding parent keys, write order, read-only snapshots).
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import type { CommitMultiStore, KVStore } from "../../store/KVStore.ts"
import { b, kvConformance } from "./conformance.ts"

const N = 14
const pool: CommitMultiStore[] = []
for (let i = 0; i < 4 * N; i++) pool.push(await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["a"] }))
const snaps: KVStore[] = []
for (let i = 0; i < N; i++) {
  const ms = pool.pop()!
  await ms.commit()
  snaps.push((await ms.snapshot()).branch().store("a"))
}

kvConformance("IAVL working tree", () => pool.pop()!.store("a"))
kvConformance("branch", () => pool.pop()!.branch().store("a"))
kvConformance("branch of branch", () => pool.pop()!.branch().branch().store("a"))
kvConformance("branch over committed snapshot", () => snaps.pop()!)

const td = new TextDecoder()
const s = (u: Uint8Array): string => td.decode(u)
const t = suite("branch semantics")

t("merge with parent content; deletes hide parent keys; write applies in key order", async () => {
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["a", "b"] })
  const base = ms.store("a")
  for (const k of ["a", "c", "e", "g"]) base.set(b(k), b(`p${k}`))
  const br = ms.branch()
  const kv = br.store("a")
  kv.set(b("b"), b("xb"))
  kv.set(b("c"), b("xc"))
  kv.delete(b("e"))
  kv.set(b("h"), b("xh"))
  const all = [...kv.iterate()].map(([k, v]) => `${s(k)}=${s(v)}`)
  assert.equal(all, ["a=pa", "b=xb", "c=xc", "g=pg", "h=xh"])
  const rev = [...kv.iterate(b("b"), b("h"), true)].map(([k]) => s(k))
  assert.equal(rev, ["g", "c", "b"])
  assert.is(base.get(b("b")), undefined, "parent untouched before write")
  const inner = br.branch()
  inner.store("a").delete(b("a"))
  inner.store("b").set(b("z"), b("1"))
  assert.ok(kv.has(b("a")))
  inner.write()
  assert.not.ok(kv.has(b("a")))
  // write order: record what the parent receives
  const seen: string[] = []
  const spy: KVStore = {
    get: (k) => base.get(k),
    has: (k) => base.has(k),
    set: (k, v) => { seen.push(`set ${s(k)}`); base.set(k, v) },
    delete: (k) => { seen.push(`del ${s(k)}`); base.delete(k) },
    iterate: (lo, hi, r) => base.iterate(lo, hi, r)
  }
  const { CacheKV } = await import("../../store/internal/Cache.ts")
  const c = new CacheKV(spy)
  for (const k of ["m", "d", "z", "a"]) c.set(b(k), b("v"))
  c.delete(b("b"))
  c.write()
  assert.equal(seen, ["set a", "del b", "set d", "set m", "set z"])
  br.write()
  assert.equal([...base.iterate()].map(([k]) => s(k)), ["b", "c", "d", "g", "h", "m", "z"], "branch delete of a wins over the direct set")
  assert.is(s(ms.store("b").get(b("z"))!), "1")
  try {
    br.store("a")
    assert.unreachable()
  } catch (e) {
    assert.is((e as { reason?: string }).reason, "branch-written")
  }
  await ms.close()
})

t("snapshots are read-only and do not see the working state", async () => {
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["a"] })
  ms.store("a").set(b("k"), b("1"))
  await ms.commit()
  const snap = await ms.snapshot()
  ms.store("a").set(b("k"), b("2"))
  assert.is(s(snap.store("a").get(b("k"))!), "1")
  try {
    snap.store("a").set(b("k"), b("3"))
    assert.unreachable()
  } catch (e) {
    assert.is((e as { reason?: string }).reason, "read-only")
  }
  try {
    ms.store("nope")
    assert.unreachable()
  } catch (e) {
    assert.is((e as { reason?: string }).reason, "unknown-store")
  }
  await ms.close()
})

t.run()
