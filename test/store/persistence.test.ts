/**
 * Persistence: close/reopen on LevelDB, crash consistency (a refused batch in the Map double,
 * and a SIGKILLed LevelDB writer process), pruning (kept versions exactly as the policy says,
 * pruned heights fail with StoreError "pruned-version", the database holds exactly the nodes
 * reachable from kept versions).
 */
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import type { CommitMultiStore, PruningPolicy } from "../../store/KVStore.ts"
import { fromByteString, getU32, getU64 } from "../../store/internal/encoding.ts"
import type { TreeView } from "../../store/internal/Tree.ts"
import { b, prng } from "./conformance.ts"
import { checkTree } from "./invariants.ts"

const t = suite("persistence")
const td = new TextDecoder()
const s = (u: Uint8Array | undefined) => (u === undefined ? undefined : td.decode(u))
const tmp = () => mkdtempSync(join(tmpdir(), "ck-store-"))

/** Random writes over `names`; returns the per-version model of namespace names[0]. */
const writeVersions = async (ms: CommitMultiStore, names: string[], from: number, to: number, seed: number, live: Map<string, string>) => {
  const models = new Map<number, Map<string, string>>()
  const hashes = new Map<number, Uint8Array>()
  const rnd = prng(seed)
  for (let v = from; v <= to; v++) {
    for (let j = 0; j < 150; j++) {
      const ns = names[Math.floor(rnd() * names.length)]!
      const k = `k${Math.floor(rnd() * 300)}`
      if (rnd() < 0.3) {
        ms.store(ns).delete(b(k))
        if (ns === names[0]) live.delete(k)
      } else {
        ms.store(ns).set(b(k), b(`${v}.${j}`))
        if (ns === names[0]) live.set(k, `${v}.${j}`)
      }
    }
    const c = await ms.commit()
    assert.is(c.version, v)
    models.set(v, new Map(live))
    hashes.set(v, c.hash)
  }
  return { models, hashes }
}

t("close and reopen on LevelDB: same version, hash, values, old heights; continues like a store that never closed", async () => {
  const dir = tmp()
  const names = ["bank", "graph"]
  const live = new Map<string, string>()
  let ms = await openCommitMultiStore({ path: dir, namespaces: names, sync: true })
  const first = await writeVersions(ms, names, 1, 5, 1, live)
  const last = ms.lastCommit()
  await ms.close()
  ms = await openCommitMultiStore({ path: dir, namespaces: names })
  assert.equal(ms.lastCommit(), last)
  assert.equal(ms.workingHash(), last.hash)
  for (const [k, v] of live) assert.is(s(ms.store("bank").get(b(k))), v)
  for (const h of [1, 3, 5]) {
    for (const [k, v] of first.models.get(h)!) assert.is(s((await ms.query("bank", b(k), h, false)).value), v)
  }
  const view = ms.store("bank") as unknown as TreeView
  assert.equal(checkTree(view, 5), view.hash(), "stored hashes match hashes recomputed from the nodes")
  const after = await writeVersions(ms, names, 6, 8, 2, live)
  // reference: a memory store fed the same writes without a restart
  const ref = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: names })
  const refLive = new Map<string, string>()
  const r1 = await writeVersions(ref, names, 1, 5, 1, refLive)
  const r2 = await writeVersions(ref, names, 6, 8, 2, refLive)
  assert.equal([...r1.hashes.values()], [...first.hashes.values()])
  assert.equal([...r2.hashes.values()], [...after.hashes.values()])
  await ms.close()
  await ref.close()
  rmSync(dir, { recursive: true, force: true })
})

t("a commit whose batch never lands leaves the previous version (Map double refuses the write)", async () => {
  const storage = new MemoryStorage()
  const ms = await openCommitMultiStore({ memory: storage, namespaces: ["a"] })
  ms.store("a").set(b("k"), b("1"))
  const c1 = await ms.commit()
  ms.store("a").set(b("k"), b("2"))
  ms.store("a").set(b("j"), b("2"))
  storage.failWrites = true
  try {
    await ms.commit()
    assert.unreachable()
  } catch (e) {
    assert.is((e as { reason?: string }).reason, "commit-failed")
  }
  storage.failWrites = false
  const again = await openCommitMultiStore({ memory: storage, namespaces: ["a"] })
  assert.equal(again.lastCommit(), c1)
  assert.is(s(again.store("a").get(b("k"))), "1")
  assert.is(again.store("a").get(b("j")), undefined)
  await again.close()
})

t("SIGKILL during commits on LevelDB: reopening finds a complete version with verified hashes", async () => {
  const dir = tmp()
  const child = spawn(process.execPath, [new URL("./crash-writer.ts", import.meta.url).pathname, dir], { stdio: ["ignore", "pipe", "inherit"] })
  const printed = new Map<number, string>()
  let buf = ""
  await new Promise<void>((resolve) => {
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString()
      let i: number
      while ((i = buf.indexOf("\n")) >= 0) {
        const [v, h] = buf.slice(0, i).split(" ")
        buf = buf.slice(i + 1)
        printed.set(Number(v), h!)
        // kill mid-run, at a moment that varies with the commit count
        if (printed.size === 25) setTimeout(() => child.kill("SIGKILL"), 3)
      }
    })
    child.on("exit", () => resolve())
  })
  assert.ok(printed.size >= 25, `writer committed ${printed.size} versions`)
  const ms = await openCommitMultiStore({ path: dir, namespaces: ["a", "b"] })
  const last = ms.lastCommit()
  const maxPrinted = Math.max(...printed.keys())
  assert.ok(last.version >= maxPrinted, `reopened at ${last.version}, writer had confirmed ${maxPrinted}`)
  if (printed.has(last.version)) assert.is(Buffer.from(last.hash).toString("hex"), printed.get(last.version))
  for (const name of ["a", "b"]) {
    const view = ms.store(name) as unknown as TreeView
    assert.equal(checkTree(view, last.version), view.hash())
  }
  assert.equal(ms.workingHash(), last.hash)
  await ms.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Node keys present in the Map double, per namespace. */
const storedNodes = (storage: MemoryStorage, name: string): Set<string> => {
  const prefix = `s/${name}/n`
  const out = new Set<string>()
  for (const k of storage.data.keys()) {
    if (!k.startsWith(prefix)) continue
    const raw = fromByteString(k)
    out.add(`${getU64(raw, prefix.length)}/${getU32(raw, prefix.length + 8)}`)
  }
  return out
}

const pruneCase = (policy: PruningPolicy, versions: number, expectKept: number[]) =>
  t(`pruning ${JSON.stringify(policy)} over ${versions} versions keeps ${expectKept.join(",")}`, async () => {
    const storage = new MemoryStorage()
    const names = ["a", "b"]
    const ms = await openCommitMultiStore({ memory: storage, namespaces: names, pruning: policy })
    const live = new Map<string, string>()
    const { models, hashes } = await writeVersions(ms, names, 1, versions, 9, live)
    for (let h = 1; h <= versions; h++) {
      if (expectKept.includes(h)) {
        const r = await ms.query("a", b("k1"), h, true)
        assert.is(s(r.value), models.get(h)!.get("k1"))
        const snap = await ms.snapshot(h)
        for (const [k, v] of models.get(h)!) assert.is(s(snap.store("a").get(b(k))), v)
      } else {
        for (const call of [() => ms.query("a", b("k1"), h, false), () => ms.snapshot(h)]) {
          try {
            await call()
            assert.unreachable(`height ${h} should be pruned`)
          } catch (e) {
            assert.is((e as { _tag?: string })._tag, "StoreError")
            assert.is((e as { reason?: string }).reason, "pruned-version", `height ${h}`)
          }
        }
      }
    }
    // exactly the nodes reachable from kept versions remain
    for (const name of names) {
      const reachable = new Set<string>()
      for (const h of expectKept) {
        const snap = await ms.snapshot(h)
        checkTree(snap.store(name) as unknown as TreeView, h, reachable, `${name}@${h}`)
      }
      const stored = storedNodes(storage, name)
      assert.is(stored.size, reachable.size, `${name}: stored ${stored.size} nodes, reachable ${reachable.size}`)
      for (const k of reachable) assert.ok(stored.has(k))
    }
    // reopen: the same kept versions
    await ms.close()
    const again = await openCommitMultiStore({ memory: storage, namespaces: names, pruning: policy })
    assert.equal(again.lastCommit().hash, hashes.get(versions))
    await again.close()
  })

pruneCase({ keepRecent: 2, keepEvery: 5 }, 17, [5, 10, 15, 16, 17])
pruneCase({ keepRecent: 1, keepEvery: 0 }, 9, [9])
pruneCase({ keepRecent: 3, keepEvery: 0 }, 12, [10, 11, 12])
pruneCase({ keepRecent: 0, keepEvery: 0 }, 6, [1, 2, 3, 4, 5, 6])

t("writes while a commit is in flight are refused; a second concurrent commit too", async () => {
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["a"] })
  ms.store("a").set(b("k"), b("v"))
  const pending = ms.commit()
  for (const f of [() => ms.store("a").set(b("x"), b("y")), () => ms.store("a").delete(b("k"))]) {
    try {
      f()
      assert.unreachable()
    } catch (e) {
      assert.is((e as { reason?: string }).reason, "commit-in-flight")
    }
  }
  try {
    await ms.commit()
    assert.unreachable()
  } catch (e) {
    assert.is((e as { reason?: string }).reason, "commit-in-flight")
  }
  await pending
  ms.store("a").set(b("x"), b("y"))
  assert.is((await ms.commit()).version, 2)
  await ms.close()
})

t("mounting a new namespace on reopen: empty, joins the app hash from the next commit", async () => {
  const storage = new MemoryStorage()
  let ms = await openCommitMultiStore({ memory: storage, namespaces: ["a"] })
  ms.store("a").set(b("k"), b("v"))
  const c1 = await ms.commit()
  await ms.close()
  ms = await openCommitMultiStore({ memory: storage, namespaces: ["a", "b"] })
  assert.equal(ms.lastCommit(), c1)
  assert.not.equal(ms.workingHash(), c1.hash)
  assert.is(ms.store("b").get(b("k")), undefined)
  ms.store("b").set(b("k"), b("w"))
  const c2 = await ms.commit()
  assert.equal(ms.storeRoots().map((r) => r.name), ["a", "b"])
  assert.is(s((await ms.query("b", b("k"), 2, true)).value), "w")
  assert.is((await ms.query("b", b("k"), 1, false)).value, undefined)
  try {
    await ms.query("b", b("k"), 1, true)
    assert.unreachable()
  } catch (e) {
    assert.is((e as { reason?: string }).reason, "unknown-store")
  }
  assert.is(c2.version, 2)
  await ms.close()
})

t("node eviction (evictAfter) keeps hashes, values and proofs identical and bounds loaded nodes", async () => {
  const names = ["a"]
  const plainStore = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: names })
  const evicting = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: names, evictAfter: 2 })
  const loaded = (ms: CommitMultiStore) => (ms.store("a") as unknown as TreeView).evict(0)
  const rnd = prng(21)
  const live = new Map<string, string>()
  for (let v = 1; v <= 30; v++) {
    // early versions write everywhere; later ones touch a small hot range
    const span = v <= 10 ? 2000 : 20
    for (let j = 0; j < 200; j++) {
      const k = `k${Math.floor(rnd() * span)}`
      const val = `${v}.${j}`
      for (const ms of [plainStore, evicting]) {
        if (j % 7 === 0) ms.store("a").delete(b(k))
        else ms.store("a").set(b(k), b(val))
      }
      if (j % 7 === 0) live.delete(k)
      else live.set(k, val)
    }
    const [c1, c2] = [await plainStore.commit(), await evicting.commit()]
    assert.equal(c2, c1, `version ${v}`)
  }
  const all = loaded(plainStore)
  const few = loaded(evicting)
  assert.ok(few < all / 4, `evicting store holds ${few} loaded nodes, plain store ${all}`)
  for (const [k, v] of live) assert.is(s(evicting.store("a").get(b(k))), v)
  const view = evicting.store("a") as unknown as TreeView
  assert.equal(checkTree(view, 30), view.hash())
  assert.equal((await evicting.query("a", b("k5"), 0, true)).proof, (await plainStore.query("a", b("k5"), 0, true)).proof)
  await plainStore.close()
  await evicting.close()
})

t("unknown heights fail with StoreError unknown-version", async () => {
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["a"] })
  ms.store("a").set(b("k"), b("v"))
  await ms.commit()
  try {
    await ms.query("a", b("k"), 7, false)
    assert.unreachable()
  } catch (e) {
    assert.is((e as { reason?: string }).reason, "unknown-version")
    assert.is((e as { code?: number }).code, 26)
  }
  await ms.close()
})

t.run()
