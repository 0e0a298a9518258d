/**
 * The IAVL root multistore on LevelDB: the CommitMultiStore of store/KVStore.ts.
 *
 * One IAVL tree per mounted namespace (one per machine); app hash = rootmulti CommitInfo hash
 * over (namespace -> IAVL root). Working trees live in memory and load persisted nodes lazily
 * with synchronous reads; `commit()` writes the new nodes, each namespace's root reference,
 * orphan records, the CommitInfo, the latest-version pointer and the pruning deletions in ONE
 * atomic batch. See docs/store.md for the database layout.
 *
 * Source: cosmos-sdk store/rootmulti/store.go (Commit, Query, CommitInfo), cosmos/iavl v1
 * (nodes, NodeKey = (version, nonce)), iavl 0.x orphan records for pruning.
 */
import { CommitInfo } from "cosmjs-types/cosmos/store/v1beta1/commit_info"
import { CommitmentProof } from "cosmjs-types/cosmos/ics23/v1/proofs"
import type {
  BranchedMultiStore,
  CommitId,
  CommitMultiStore,
  KVStore,
  MultiStore,
  PruningPolicy,
  StoreQueryResult
} from "./KVStore.ts"
import { StoreError } from "./StoreError.ts"
import { type Backend, MemoryStorage, openLevelBackend } from "./internal/Backend.ts"
import { Batch } from "./internal/Batch.ts"
import { CacheMultiStore } from "./internal/Cache.ts"
import { concatBytes as concat } from "../lib/Bytes.ts"
import { getU32, getU64, putU32, putU64 } from "./internal/encoding.ts"
import { saveTree } from "./internal/HashBatch.ts"
import { nativeChain } from "./internal/NativeHash.ts"
import { decodeNode, hashInner, hashLeaf, type Node } from "./internal/Node.ts"
import { commitInfoHash, iavlProof, simpleProof, type StoreRoot } from "./internal/Proof.ts"
import { type NodeSource, TreeView, WorkingTree } from "./internal/Tree.ts"

export { MemoryStorage }

/** Keep every version (no pruning). */
export const PRUNE_NOTHING: PruningPolicy = { keepRecent: 0, keepEvery: 0 }

/** Options of `openCommitMultiStore`. */
export interface OpenStoreOptions {
  /** LevelDB directory (created when missing). Exactly one of `path` and `memory`. */
  readonly path?: string
  /** A Map-backed storage (tests); reopen the same object to simulate a restart. */
  readonly memory?: MemoryStorage
  /** Mounted namespaces (one per machine): ASCII letters, digits, "_", "-", ".". */
  readonly namespaces: ReadonlyArray<string>
  /** Which old versions to keep; default PRUNE_NOTHING. */
  readonly pruning?: PruningPolicy
  /**
   * Node eviction: every `evictAfter` commits, drop from memory the loaded nodes that no block
   * of the last `evictAfter` versions walked through (they reload from LevelDB on next use).
   * Bounds memory by the recent working set. Default 0: never evict (every touched node stays).
   */
  readonly evictAfter?: number
  /**
   * fsync every commit batch (LevelDB `sync: true`). Default false: commits stay atomic and
   * survive a process crash; a power loss may lose the last commits (CometBFT replays them).
   */
  readonly sync?: boolean
}

const NAME_RE = /^[A-Za-z0-9_.-]+$/
const enc = new TextEncoder()

const LATEST_KEY = enc.encode("m/latest")
const COMMIT_PREFIX = enc.encode("m/c")

const u64 = (n: number): Uint8Array => {
  const b = new Uint8Array(8)
  putU64(b, 0, n)
  return b
}

/** Database key of node (version, nonce) under a namespace's node prefix. */
const nodeKey = (prefix: Uint8Array, version: number, nonce: number): Uint8Array => {
  const k = new Uint8Array(prefix.length + 12)
  k.set(prefix, 0)
  putU64(k, prefix.length, version)
  putU32(k, prefix.length + 8, nonce)
  return k
}

/**
 * Post-order: hashes the unsaved nodes under `n` (those not hashed yet), assigns them NodeKeys
 * (version, ++nonce) and puts their records into `batch`, in one walk; returns `n`'s hash.
 * With the native addon the hashes are batched (HashBatch.ts `saveTree`); without it, one
 * node:crypto call per hash. A persisted node's child references are set, so its children may
 * be evicted.
 */
const saveNew = (t: TreeView, prefix: Uint8Array, n: Node, batch: Batch, counter: { nonce: number }): string => {
  const chain = nativeChain()
  return chain !== undefined ? saveTree(t, n, chain, prefix, batch, counter) : saveEach(t, prefix, n, batch, counter)
}

/** saveNew with node:crypto: hashes each node as the walk leaves it. */
const saveEach = (t: TreeView, prefix: Uint8Array, n: Node, batch: Batch, counter: { nonce: number }): string => {
  if (n.nonce !== 0) return n.hash!
  if (n.height > 0) {
    // A hashed node needs only its loaded (new) children; an unhashed one needs both hashes.
    const hashed = n.hash !== undefined
    const l = hashed ? n.left : t.leftOf(n)
    const r = hashed ? n.right : t.rightOf(n)
    let lh = ""
    let rh = ""
    if (l !== undefined) {
      lh = saveEach(t, prefix, l, batch, counter)
      n.lv = l.version
      n.ln = l.nonce
    }
    if (r !== undefined) {
      rh = saveEach(t, prefix, r, batch, counter)
      n.rv = r.version
      n.rn = r.nonce
    }
    if (!hashed) hashInner(n, lh, rh)
  } else if (n.hash === undefined) {
    hashLeaf(n)
  }
  n.nonce = ++counter.nonce
  batch.putNode(prefix, n)
  return n.hash!
}

/** A plain Uint8Array copy (node:crypto returns Buffers; the API hands out Uint8Arrays). */
const plain = (u: Uint8Array): Uint8Array => new Uint8Array(u)

const rootRef = (n: Node | undefined): Uint8Array => {
  if (n === undefined) return new Uint8Array(0)
  const b = new Uint8Array(12)
  putU64(b, 0, n.version)
  putU32(b, 8, n.nonce)
  return b
}

/** One mounted namespace: key prefixes, working tree, last committed root. */
class Namespace implements NodeSource {
  readonly name: string
  readonly nodes: Uint8Array
  readonly orphans: Uint8Array
  readonly roots: Uint8Array
  readonly backend: Backend
  tree!: WorkingTree
  committedRoot: Node | undefined = undefined
  committedHash!: Uint8Array
  /** Whether the last commit's CommitInfo lists this namespace (false after a mount until the next commit). */
  inCommit = false

  constructor(name: string, backend: Backend) {
    this.name = name
    this.backend = backend
    this.nodes = enc.encode(`s/${name}/n`)
    this.orphans = enc.encode(`s/${name}/o`)
    this.roots = enc.encode(`s/${name}/r`)
  }

  load(version: number, nonce: number): Node {
    const rec = this.backend.getSync(nodeKey(this.nodes, version, nonce))
    if (rec === undefined) {
      throw new StoreError({ reason: "corrupt", log: `store ${this.name}: node (${version}, ${nonce}) is missing from the database` })
    }
    return decodeNode(version, nonce, rec)
  }

  /** The root of committed `version`, or undefined for an empty (or not yet mounted) tree. */
  rootAt(version: number): Node | undefined {
    const ref = this.backend.getSync(concat(this.roots, u64(version)))
    if (ref === undefined || ref.length === 0) return undefined
    return this.load(getU64(ref, 0), getU32(ref, 8))
  }
}

/** A read-only multistore over fixed roots. */
class SnapshotMultiStore implements MultiStore {
  private readonly views: Map<string, TreeView>
  constructor(views: Map<string, TreeView>) {
    this.views = views
  }
  store(name: string): KVStore {
    const v = this.views.get(name)
    if (v === undefined) throw unknownStore(name)
    return v
  }
  branch(): BranchedMultiStore {
    return new CacheMultiStore(this)
  }
}

const unknownStore = (name: string): StoreError =>
  new StoreError({ reason: "unknown-store", log: `store ${JSON.stringify(name)} is not mounted` })

/** The IAVL CommitMultiStore. Create with `openCommitMultiStore`. */
class IavlCommitMultiStore implements CommitMultiStore {
  private readonly backend: Backend
  private readonly pruning: PruningPolicy
  private readonly names: string[]
  private readonly spaces = new Map<string, Namespace>()
  private last: CommitId
  /** Committed versions still on disk, ascending. */
  private versions: number[]
  private state: "open" | "committing" | "closed" | "broken" = "open"
  /** Versions the in-flight commit's batch deletes (reads of them may already fail). */
  private dropping: ReadonlySet<number> = new Set()
  /** The last commit's batch while it is on its way to disk (pipelined backends only). */
  private landing: Promise<void> | undefined = undefined
  /** Bytes of the last commit's batch: the next one starts at that capacity. */
  private batchBytes = 1 << 16

  private readonly evictAfter: number

  constructor(backend: Backend, names: string[], pruning: PruningPolicy, last: CommitId, versions: number[], evictAfter: number) {
    this.backend = backend
    this.evictAfter = evictAfter
    this.names = names
    this.pruning = pruning
    this.last = last
    this.versions = versions
    for (const name of names) this.load(name)
  }

  /** Create namespace `name` over its root of the last commit (empty when it has none). */
  private load(name: string): void {
    const ns = new Namespace(name, this.backend)
    const root = this.last.version === 0 ? undefined : ns.rootAt(this.last.version)
    ns.committedRoot = root
    ns.tree = new WorkingTree(root, ns, this.last.version + 1)
    ns.committedHash = plain(new TreeView(root, ns).hash())
    ns.inCommit = this.last.version > 0 && this.backend.getSync(concat(ns.roots, u64(this.last.version))) !== undefined
    this.spaces.set(name, ns)
  }

  mount(name: string): void {
    this.live()
    if (this.spaces.has(name)) return
    if (!NAME_RE.test(name)) throw new StoreError({ reason: "invalid-store-name", log: `invalid store name ${JSON.stringify(name)}: use [A-Za-z0-9_.-]+` })
    if (this.state === "committing") throw new StoreError({ reason: "commit-in-flight", log: `mount(${JSON.stringify(name)}) called while a commit is in flight` })
    this.load(name)
    this.names.push(name)
    this.names.sort()
  }

  private live(): void {
    if (this.state === "closed") throw new StoreError({ reason: "closed", log: "the store is closed" })
    if (this.state === "broken") throw new StoreError({ reason: "commit-failed", log: "a previous commit failed to write; reopen the store" })
  }

  private space(name: string): Namespace {
    const ns = this.spaces.get(name)
    if (ns === undefined) throw unknownStore(name)
    return ns
  }

  store(name: string): KVStore {
    return this.space(name).tree
  }

  branch(): BranchedMultiStore {
    return new CacheMultiStore(this)
  }

  lastCommit(): CommitId {
    return this.last
  }

  workingHash(): Uint8Array {
    return plain(commitInfoHash(this.names.map((name) => ({ name, hash: this.space(name).tree.hash() }))))
  }

  storeRoots(): ReadonlyArray<{ readonly name: string; readonly hash: Uint8Array }> {
    return this.names.filter((name) => this.space(name).inCommit).map((name) => ({ name, hash: this.space(name).committedHash }))
  }

  private keep(v: number, latest: number): boolean {
    const { keepRecent, keepEvery } = this.pruning
    return v === latest || keepRecent === 0 || v > latest - keepRecent || (keepEvery > 0 && v % keepEvery === 0)
  }

  /**
   * Resolves once the last commit's batch is on disk (at once when none is on its way). A batch
   * that failed to land marks the store broken (the database still holds the version before
   * it) and rejects with StoreError "commit-failed". Not part of CommitMultiStore: commits never
   * need it (the next commit and `close` wait by themselves); benchmarks and tools use it.
   */
  async landed(): Promise<void> {
    const p = this.landing
    if (p === undefined) return
    try {
      await p
    } catch (e) {
      this.state = "broken"
      throw new StoreError({ reason: "commit-failed", log: `writing version ${this.last.version} failed: ${e instanceof Error ? e.message : String(e)}` })
    } finally {
      if (this.landing === p) this.landing = undefined
    }
  }

  async commit(): Promise<CommitId> {
    this.live()
    if (this.state === "committing") throw new StoreError({ reason: "commit-in-flight", log: "commit() called while a commit is in flight" })
    this.state = "committing"
    const version = this.last.version + 1
    for (const name of this.names) this.space(name).tree.sealed = true
    try {
      // Version - 1 must be on disk before this batch is built: pruning reads its orphan
      // lists, and eviction may drop (and later reload) its nodes.
      await this.landed()
      const batch = new Batch(this.batchBytes + (this.batchBytes >>> 2), this.backend.takeSpare())
      const roots: StoreRoot[] = []
      for (const name of this.names) {
        const ns = this.space(name)
        const t = ns.tree
        if (t.root !== undefined) saveNew(t, ns.nodes, t.root, batch, { nonce: 0 })
        roots.push({ name, hash: plain(t.hash()) })
        batch.put(concat(ns.roots, u64(version)), rootRef(t.root))
      }
      const all = [...this.versions, version]
      const kept = all.filter((v) => this.keep(v, version))
      const dropped = all.filter((v) => !this.keep(v, version))
      for (const name of this.names) this.pruneSpace(this.space(name), version, kept, dropped, batch)
      for (const v of dropped) batch.del(concat(COMMIT_PREFIX, u64(v)))
      const info = CommitInfo.fromPartial({
        version: BigInt(version),
        storeInfos: roots.map((r) => ({ name: r.name, commitId: { version: BigInt(version), hash: r.hash } }))
      })
      batch.put(concat(COMMIT_PREFIX, u64(version)), CommitInfo.encode(info).finish())
      batch.put(LATEST_KEY, u64(version))
      const hash = plain(commitInfoHash(roots))
      this.batchBytes = batch.length
      this.dropping = new Set(dropped)
      const write = this.backend.write(batch)
      if (this.backend.pipelined) {
        // Lands while the next block executes; awaited by the next commit and by close().
        this.landing = write
        write.catch(() => undefined)
      } else {
        try {
          await write
        } catch (e) {
          this.state = "broken"
          throw new StoreError({ reason: "commit-failed", log: `writing version ${version} failed: ${e instanceof Error ? e.message : String(e)}` })
        }
      }
      for (const [i, name] of this.names.entries()) {
        const ns = this.space(name)
        ns.committedRoot = ns.tree.root
        ns.committedHash = roots[i]!.hash
        ns.inCommit = true
        ns.tree.committed()
      }
      this.versions = kept
      this.last = { version, hash }
      const every = this.evictAfter
      if (every > 0 && version % every === 0) {
        // Only nodes that no version after `version - every` walked go: each was created at
        // or before version - 1, whose batch has landed.
        for (const name of this.names) this.space(name).tree.evict(version - every + 1)
      }
      return this.last
    } catch (e) {
      // NodeKeys were assigned in memory: the working trees no longer match the database.
      this.state = "broken"
      if (e instanceof StoreError && e.reason === "commit-failed") throw e
      throw new StoreError({ reason: "commit-failed", log: `commit of version ${version} failed: ${e instanceof Error ? e.message : String(e)}` })
    } finally {
      this.dropping = new Set()
      for (const name of this.names) this.space(name).tree.sealed = false
      if (this.state === "committing") this.state = "open"
    }
  }

  /**
   * Orphan bookkeeping and pruning of one namespace for the commit of `version`. The orphan
   * record `o | to` lists (12 bytes each: u64 nodeVersion, u32 nonce) the nodes that left the
   * tree after version `to`: each is live in versions [nodeVersion, to]. Deleting version `to`:
   * a node moves to the list of the newest kept version below `to` when that version still holds
   * it (p >= nodeVersion), else the node is deleted.
   */
  private pruneSpace(ns: Namespace, version: number, kept: number[], dropped: number[], batch: Batch): void {
    const prev = version - 1
    const orphans = ns.tree.orphans
    const fresh = new Uint8Array(orphans.length * 6)
    for (let i = 0, off = 0; i < orphans.length; i += 2, off += 12) {
      putU64(fresh, off, orphans[i]!)
      putU32(fresh, off + 8, orphans[i + 1]!)
    }
    const additions = new Map<number, Uint8Array[]>()
    const add = (to: number, list: Uint8Array): void => {
      if (list.length === 0) return
      const l = additions.get(to)
      if (l === undefined) additions.set(to, [list])
      else l.push(list)
    }
    if (!dropped.includes(prev)) add(prev, fresh)
    for (const v of dropped) {
      const key = concat(ns.orphans, u64(v))
      const lists = [this.backend.getSync(key) ?? new Uint8Array(0), v === prev ? fresh : new Uint8Array(0), ...(additions.get(v) ?? [])]
      additions.delete(v)
      let p = -1
      for (const k of kept) if (k < v && k > p) p = k
      const moved: Uint8Array[] = []
      for (const list of lists) {
        for (let off = 0; off < list.length; off += 12) {
          const nodeVersion = getU64(list, off)
          if (p >= nodeVersion) moved.push(list.subarray(off, off + 12))
          else batch.delNode(ns.nodes, nodeVersion, getU32(list, off + 8))
        }
      }
      if (moved.length > 0) add(p, concat(...moved))
      batch.del(key)
      batch.del(concat(ns.roots, u64(v)))
    }
    for (const [to, lists] of additions) {
      const key = concat(ns.orphans, u64(to))
      const existing = to === prev ? undefined : this.backend.getSync(key)
      batch.put(key, concat(...(existing === undefined ? [] : [existing]), ...lists))
    }
  }

  /** A read-only view of every namespace at committed `version`. */
  private viewsAt(version: number): Map<string, TreeView> {
    const views = new Map<string, TreeView>()
    for (const name of this.names) {
      const ns = this.space(name)
      views.set(name, new TreeView(version === this.last.version ? ns.committedRoot : ns.rootAt(version), ns))
    }
    return views
  }

  private checkVersion(version: number): void {
    if (version > this.last.version || version < 1) {
      throw new StoreError({
        reason: "unknown-version",
        log: `version ${version} does not exist; latest committed version is ${this.last.version}`
      })
    }
    if (!this.versions.includes(version)) {
      throw new StoreError({ reason: "pruned-version", log: `version ${version} was pruned; kept versions start at ${this.versions[0]}` })
    }
  }

  /** Re-labels a missing-node failure as "pruned-version" when `version` went away meanwhile. */
  private relabel(e: unknown, version: number): unknown {
    if (e instanceof StoreError && e.reason === "corrupt" && (!this.versions.includes(version) || this.dropping.has(version))) {
      return new StoreError({ reason: "pruned-version", log: `version ${version} was pruned while it was being read` })
    }
    return e
  }

  async snapshot(version?: number): Promise<MultiStore> {
    this.live()
    const v = version ?? this.last.version
    if (v === 0 && this.last.version === 0) return new SnapshotMultiStore(this.viewsAt(0))
    this.checkVersion(v)
    try {
      return new SnapshotMultiStore(this.viewsAt(v))
    } catch (e) {
      throw this.relabel(e, v)
    }
  }

  async query(name: string, key: Uint8Array, height: number, prove: boolean): Promise<StoreQueryResult> {
    this.live()
    const ns = this.space(name)
    const version = height === 0 ? this.last.version : height
    this.checkVersion(version)
    try {
      const view = new TreeView(version === this.last.version ? ns.committedRoot : ns.rootAt(version), ns)
      const value = view.get(key)
      if (!prove) return { height: version, key, value }
      const outer = simpleProof(this.rootsAt(version), name)
      if (outer === undefined) throw unknownStore(`${name}@${version}`)
      const inner = CommitmentProof.encode(iavlProof(view, key)).finish()
      return {
        height: version,
        key,
        value,
        proof: {
          ops: [
            { type: "ics23:iavl", key, data: inner },
            { type: "ics23:simple", key: enc.encode(name), data: CommitmentProof.encode(outer).finish() }
          ]
        }
      }
    } catch (e) {
      throw this.relabel(e, version)
    }
  }

  /** Namespace roots recorded in the CommitInfo of `version`. */
  private rootsAt(version: number): StoreRoot[] {
    if (version === this.last.version) return [...this.storeRoots()]
    const rec = this.backend.getSync(concat(COMMIT_PREFIX, u64(version)))
    if (rec === undefined) throw new StoreError({ reason: "pruned-version", log: `commit info of version ${version} is gone` })
    return CommitInfo.decode(rec).storeInfos.map((s) => ({ name: s.name, hash: s.commitId.hash }))
  }

  /**
   * Waits for the last commit's batch to land, then closes the database. A batch that failed
   * to land leaves the database at the version before it (as a crash would).
   */
  async close(): Promise<void> {
    if (this.state === "closed") return
    this.state = "closed"
    await this.landing?.catch(() => undefined)
    await this.backend.close()
  }
}

/**
 * Opens (or creates) the multistore and loads the latest committed version (roots only; nodes
 * load lazily). Rejects with StoreError "invalid-store-name" for a bad namespace name.
 */
export const openCommitMultiStore = async (opts: OpenStoreOptions): Promise<CommitMultiStore> => {
  const names = [...new Set(opts.namespaces)].sort()
  for (const n of names) {
    if (!NAME_RE.test(n)) throw new StoreError({ reason: "invalid-store-name", log: `invalid store name ${JSON.stringify(n)}: use [A-Za-z0-9_.-]+` })
  }
  const pruning = opts.pruning ?? PRUNE_NOTHING
  if (!(pruning.keepRecent >= 0 && pruning.keepEvery >= 0)) {
    throw new StoreError({ reason: "invalid-option", log: "pruning keepRecent and keepEvery must be >= 0" })
  }
  let backend: Backend
  if (opts.memory !== undefined) backend = opts.memory.open()
  else if (opts.path !== undefined) backend = await openLevelBackend(opts.path, opts.sync ?? false)
  else throw new StoreError({ reason: "invalid-option", log: "openCommitMultiStore needs a path or a memory storage" })
  try {
    const latestRec = backend.getSync(LATEST_KEY)
    const latest = latestRec === undefined ? 0 : getU64(latestRec, 0)
    const versions: number[] = []
    for await (const k of backend.keys(COMMIT_PREFIX, concat(COMMIT_PREFIX, new Uint8Array([0xff])))) {
      versions.push(getU64(k, COMMIT_PREFIX.length))
    }
    let hash = new Uint8Array(0)
    if (latest > 0) {
      const rec = backend.getSync(concat(COMMIT_PREFIX, u64(latest)))
      if (rec === undefined) throw new StoreError({ reason: "corrupt", log: `commit info of latest version ${latest} is missing` })
      const info = CommitInfo.decode(rec)
      hash = new Uint8Array(commitInfoHash(info.storeInfos.map((s) => ({ name: s.name, hash: s.commitId.hash }))))
    }
    return new IavlCommitMultiStore(backend, names, pruning, { version: latest, hash }, versions, Math.max(0, Math.floor(opts.evictAfter ?? 0)))
  } catch (e) {
    await backend.close()
    throw e
  }
}
