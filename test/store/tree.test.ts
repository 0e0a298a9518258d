/**
 * IAVL tree structure: AVL/IAVL invariants and hash freshness under random writes over many
 * versions, known fixed values (empty-tree hash, a one-leaf tree computed by hand from the
 * iavl v1 formula), and determinism (same writes -> same hashes in two stores).
 */
import { createHash } from "node:crypto"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import type { TreeView } from "../../store/internal/Tree.ts"
import { b, prng } from "./conformance.ts"
import { checkTree } from "./invariants.ts"

const t = suite("IAVL tree")
const hex = (u: Uint8Array) => Buffer.from(u).toString("hex")
const sha = (...parts: Uint8Array[]) => {
  const h = createHash("sha256")
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

t("empty tree hash is sha256(\"\") as iavl v1 returns it; empty multistore hash likewise", async () => {
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["a"] })
  const view = ms.store("a") as unknown as TreeView
  assert.is(hex(view.hash()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  await ms.close()
})

t("one-leaf and two-leaf trees match the iavl v1 hash formula computed by hand", async () => {
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["a"] })
  const kv = ms.store("a")
  kv.set(b("k"), b("v"))
  // leaf: varint(height 0)=00 varint(size 1)=02 varint(version 1)=02 len(1) "k" len(32) sha256("v")
  const leafK = sha(new Uint8Array([0x00, 0x02, 0x02, 0x01]), b("k"), new Uint8Array([0x20]), sha(b("v")))
  assert.is(hex((kv as unknown as TreeView).hash()), hex(leafK))
  await ms.commit()
  kv.set(b("m"), b("w"))
  // version 2: the old leaf keeps version 1; new leaf and inner node get version 2 (varint 04)
  const leafM = sha(new Uint8Array([0x00, 0x02, 0x04, 0x01]), b("m"), new Uint8Array([0x20]), sha(b("w")))
  const inner = sha(new Uint8Array([0x02, 0x04, 0x04, 0x20]), leafK, new Uint8Array([0x20]), leafM)
  assert.is(hex((kv as unknown as TreeView).hash()), hex(inner))
  await ms.close()
})

t("invariants and fresh hashes after random writes over 30 versions", async () => {
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["a"] })
  const kv = ms.store("a")
  const view = kv as unknown as TreeView
  const rnd = prng(3)
  for (let v = 1; v <= 30; v++) {
    for (let j = 0; j < 200; j++) {
      const k = b(`k${Math.floor(rnd() * 800)}`)
      if (rnd() < 0.3) kv.delete(k)
      else kv.set(k, b(`${v}.${j}`))
      if (j % 50 === 0) [...kv.iterate(undefined, undefined, rnd() < 0.5)].length // freezes nodes
    }
    assert.is(hex(view.hash()), hex(checkTree(view, v, undefined, `v${v}`)), `working hash at v${v}`)
    await ms.commit()
  }
  await ms.close()
})

t("determinism: same writes give the same hashes in two stores; branch order does not matter", async () => {
  const a = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["x", "y"] })
  const c = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["y", "x"] })
  const rnd = prng(5)
  for (let v = 1; v <= 5; v++) {
    const writes: Array<[string, string, string | undefined]> = []
    for (let j = 0; j < 300; j++) {
      writes.push([rnd() < 0.5 ? "x" : "y", `k${Math.floor(rnd() * 400)}`, rnd() < 0.2 ? undefined : `v${v}${j}`])
    }
    // dedupe to last write per key so that order inside a branch is irrelevant
    const last = new Map(writes.map(([ns, k, val]) => [`${ns}/${k}`, [ns, k, val] as const]))
    const ba = a.branch()
    for (const [ns, k, val] of last.values()) val === undefined ? ba.store(ns).delete(b(k)) : ba.store(ns).set(b(k), b(val))
    const bc = c.branch()
    for (const [ns, k, val] of [...last.values()].reverse()) val === undefined ? bc.store(ns).delete(b(k)) : bc.store(ns).set(b(k), b(val))
    ba.write()
    bc.write()
    assert.equal(a.workingHash(), c.workingHash())
    const ca = await a.commit()
    const cc = await c.commit()
    assert.equal(ca, cc)
    assert.equal(a.storeRoots(), c.storeRoots())
  }
  await a.close()
  await c.close()
})

t.run()
