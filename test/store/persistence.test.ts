/**
 * Persistence: close/reopen on LevelDB, crash consistency (a refused batch in the Map double,
 * pipelined batches that have not landed yet, and a SIGKILLed LevelDB writer process), pruning (kept versions exactly as the policy says,
 * pruned heights fail with StoreError "pruned-version", the database holds exactly the nodes
 * reachable from kept versions).
 */
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
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

t("pipelined commits: commit() returns before its batch lands; a crash then reopens at the version before", async () => {
  const storage = new MemoryStorage()
  storage.pipelined = true
  const ms = await openCommitMultiStore({ memory: storage, namespaces: ["a"] })
  ms.store("a").set(b("k"), b("1"))
  const c1 = await ms.commit()
  ms.store("a").set(b("k"), b("2"))
  const c2 = await ms.commit() // awaits c1's batch first, returns before c2's lands
  assert.is(c2.version, 2)
  // a process killed now: the database holds version 1, complete
  const crashed = await openCommitMultiStore({ memory: storage, namespaces: ["a"] })
  assert.equal(crashed.lastCommit(), c1)
  assert.is(s(crashed.store("a").get(b("k"))), "1")
  // the live store answers from memory meanwhile, proofs included
  assert.is(s((await ms.query("a", b("k"), 2, true)).value), "2")
  await ms.close() // waits for the batch
  const again = await openCommitMultiStore({ memory: storage, namespaces: ["a"] })
  assert.equal(again.lastCommit(), c2)
  assert.is(s(again.store("a").get(b("k"))), "2")
  await again.close()
})

t("pipelined commits: a batch that fails to land breaks the store at the next commit; the database keeps the version before", async () => {
  const storage = new MemoryStorage()
  storage.pipelined = true
  const ms = await openCommitMultiStore({ memory: storage, namespaces: ["a"] })
  ms.store("a").set(b("k"), b("1"))
  const c1 = await ms.commit()
  ms.store("a").set(b("k"), b("2"))
  storage.failWrites = true
  const c2 = await ms.commit()
  assert.is(c2.version, 2)
  storage.failWrites = false
  ms.store("a").set(b("k"), b("3"))
  try {
    await ms.commit()
    assert.unreachable()
  } catch (e) {
    assert.is((e as { reason?: string }).reason, "commit-failed")
    assert.match((e as { log?: string }).log ?? "", /version 2/)
  }
  try {
    ms.store("a")
    await ms.commit()
    assert.unreachable()
  } catch (e) {
    assert.is((e as { reason?: string }).reason, "commit-failed")
  }
  await ms.close()
  const again = await openCommitMultiStore({ memory: storage, namespaces: ["a"] })
  assert.equal(again.lastCommit(), c1)
  assert.is(s(again.store("a").get(b("k"))), "1")
  await again.close()
})

t("pipelined and awaited commits give the same hashes, values and stored nodes", async () => {
  const names = ["a", "b"]
  const stores: MemoryStorage[] = []
  const runs = []
  for (const pipelined of [false, true]) {
    const storage = new MemoryStorage()
    storage.pipelined = pipelined
    stores.push(storage)
    const ms = await openCommitMultiStore({ memory: storage, namespaces: names, pruning: { keepRecent: 3, keepEvery: 4 }, evictAfter: 1 })
    runs.push(await writeVersions(ms, names, 1, 14, 5, new Map()))
    await ms.close()
  }
  assert.equal([...runs[1]!.hashes.values()], [...runs[0]!.hashes.values()])
  assert.equal([...stores[1]!.data.keys()].sort(), [...stores[0]!.data.keys()].sort())
  for (const [k, v] of stores[0]!.data) assert.equal(stores[1]!.data.get(k), v, k)
})

t("on-disk format: a fixed workload writes exactly the database bytes the store wrote before the pipelined commit (golden digest)", async () => {
  // Digest and app hash recorded with store/ as of commit e65068c (records encoded per node,
  // one awaited batch per commit): homes written before open and read the same.
  for (const pipelined of [false, true]) {
    const storage = new MemoryStorage()
    storage.pipelined = pipelined
    const ms = await openCommitMultiStore({ memory: storage, namespaces: ["a", "b"], pruning: { keepRecent: 3, keepEvery: 5 } })
    let x = 7
    for (let v = 1; v <= 12; v++) {
      for (let j = 0; j < 200; j++) {
        x = (x * 1103515245 + 12345) % 2147483648
        const k = b(`key-${x % 1000}`.repeat(1 + (x % 3)))
        if (x % 5 === 0) ms.store(x % 2 ? "a" : "b").delete(k)
        else ms.store(x % 2 ? "a" : "b").set(k, b(`v${v}-${j}`.repeat(1 + (x % 40))))
      }
      await ms.commit()
    }
    await ms.close()
    const h = createHash("sha256")
    for (const k of [...storage.data.keys()].sort()) {
      const v = storage.data.get(k)!
      h.update(`${k.length}:${v.length}:`)
      h.update(Buffer.from(k, "latin1"))
      h.update(v)
    }
    assert.is(storage.data.size, 1931)
    assert.is(h.digest("hex"), "e5498de160bbec4ac54bac4d8f22deb6e36eba899c5ef0d0dce6c9506fccb5dd")
    assert.is(Buffer.from(ms.lastCommit().hash).toString("hex"), "c22299073323d87ba9cabb3f350575f2229d733b2b27e236c28a55fd848e218d")
  }
})

t("a LevelDB store open in this process cannot be opened twice", async () => {
  const dir = tmp()
  const ms = await openCommitMultiStore({ path: dir, namespaces: ["a"] })
  try {
    await openCommitMultiStore({ path: join(dir, "."), namespaces: ["a"] })
    assert.unreachable()
  } catch (e) {
    assert.match(String((e as Error).message), /already open/)
  }
  ms.store("a").set(b("k"), b("v"))
  const c = await ms.commit()
  await ms.close()
  const again = await openCommitMultiStore({ path: dir, namespaces: ["a"] })
  assert.equal(again.lastCommit(), c)
  await again.close()
  rmSync(dir, { recursive: true, force: true })
})

/**
 * Runs crash-writer.ts on `dir`, SIGKILLs it `delayMs` after its `after`-th printed commit and
 * returns what it printed (version -> app hash hex).
 */
const killWriter = async (dir: string, after: number, delayMs: number): Promise<Map<number, string>> => {
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
        if (printed.size === after) setTimeout(() => child.kill("SIGKILL"), delayMs)
      }
    })
    child.on("exit", () => resolve())
  })
  return printed
}

// The kill lands at moments that vary with the delay and the machine's load: mid-execution,
// mid-commit, and while a pipelined batch is still on the writer thread.
for (const [after, delayMs] of [[25, 3], [12, 0], [40, 11]] as const) {
  t(`SIGKILL during commits on LevelDB (after ${after} commits + ${delayMs} ms): reopening finds a complete version with verified hashes`, async () => {
    const dir = tmp()
    const printed = await killWriter(dir, after, delayMs)
    assert.ok(printed.size >= after, `writer committed ${printed.size} versions`)
    const ms = await openCommitMultiStore({ path: dir, namespaces: ["a", "b"], pruning: { keepRecent: 4, keepEvery: 0 } })
    const last = ms.lastCommit()
    const maxPrinted = Math.max(...printed.keys())
    // commit() returns before its batch lands (it lands while the next block runs): at most
    // the last returned version is lost, and the block store replays it (docs/store.md).
    assert.ok(last.version >= maxPrinted - 1, `reopened at ${last.version}, writer had confirmed ${maxPrinted}`)
    if (printed.has(last.version)) assert.is(Buffer.from(last.hash).toString("hex"), printed.get(last.version))
    for (const name of ["a", "b"]) {
      const view = ms.store(name) as unknown as TreeView
      assert.equal(checkTree(view, last.version), view.hash())
    }
    assert.equal(ms.workingHash(), last.hash)
    // replaying the lost blocks (as the node's handshake does) gives the app hashes printed
    let x = 1
    for (let v = 1; v <= maxPrinted; v++) {
      for (let j = 0; j < 300; j++) {
        x = (x * 1103515245 + 12345) % 2147483648
        if (v <= last.version) continue
        const k = b(`k${x % 5000}`)
        if (x % 7 === 0) ms.store(x % 2 ? "a" : "b").delete(k)
        else ms.store(x % 2 ? "a" : "b").set(k, b(`${v}`))
      }
      if (v > last.version) assert.is(Buffer.from((await ms.commit()).hash).toString("hex"), printed.get(v), `replayed version ${v}`)
    }
    await ms.close()
    rmSync(dir, { recursive: true, force: true })
  })
}

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

const pruneCase = (policy: PruningPolicy, versions: number, expectKept: number[], pipelined = false) =>
  t(`pruning ${JSON.stringify(policy)} over ${versions} versions keeps ${expectKept.join(",")}${pipelined ? " (pipelined batches)" : ""}`, async () => {
    const storage = new MemoryStorage()
    storage.pipelined = pipelined
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
    // exactly the nodes reachable from kept versions remain (once the last batch has landed)
    const reachable = new Map<string, Set<string>>()
    for (const name of names) {
      const r = new Set<string>()
      for (const h of expectKept) {
        const snap = await ms.snapshot(h)
        checkTree(snap.store(name) as unknown as TreeView, h, r, `${name}@${h}`)
      }
      reachable.set(name, r)
    }
    await ms.close()
    for (const [name, r] of reachable) {
      const stored = storedNodes(storage, name)
      assert.is(stored.size, r.size, `${name}: stored ${stored.size} nodes, reachable ${r.size}`)
      for (const k of r) assert.ok(stored.has(k))
    }
    // reopen: the same kept versions
    const again = await openCommitMultiStore({ memory: storage, namespaces: names, pruning: policy })
    assert.equal(again.lastCommit().hash, hashes.get(versions))
    await again.close()
  })

pruneCase({ keepRecent: 2, keepEvery: 5 }, 17, [5, 10, 15, 16, 17])
pruneCase({ keepRecent: 1, keepEvery: 0 }, 9, [9])
pruneCase({ keepRecent: 3, keepEvery: 0 }, 12, [10, 11, 12])
pruneCase({ keepRecent: 0, keepEvery: 0 }, 6, [1, 2, 3, 4, 5, 6])
pruneCase({ keepRecent: 2, keepEvery: 5 }, 17, [5, 10, 15, 16, 17], true)
pruneCase({ keepRecent: 1, keepEvery: 0 }, 9, [9], true)

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
