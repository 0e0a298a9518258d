/**
 * IAVL trees: a read-only view of one committed version (`TreeView`) and the mutable working
 * tree of a namespace (`WorkingTree`), both synchronous KVStores.
 *
 * Insertion, removal and AVL rebalancing follow cosmos/iavl v1 mutable_tree.go step by step
 * (recursiveSet / recursiveSetLeaf / recursiveRemove / balance / rotateLeft / rotateRight), so
 * the same sequence of versions and writes gives the same tree shape and root hash as go-iavl.
 * Where iavl clones a node we clone only persisted (or frozen) nodes and mutate fresh working
 * nodes in place: a fresh node already carries the working version, so hashes are identical.
 *
 * Persisted nodes are immutable and shared between versions; children load lazily from the
 * database through `NodeSource.load` (synchronous: LevelDB `getSync`), so the block path never
 * awaits disk.
 */
import type { Entry, KVStore } from "../KVStore.ts"
import { StoreError } from "../StoreError.ts"
import { compareBytes } from "../../lib/Bytes.ts"
import { copyBytes, EMPTY_HASH, hashBytes, keyPrefix } from "./encoding.ts"
import { hashTree } from "./HashBatch.ts"
import { nativeChain } from "./NativeHash.ts"
import { hashInner, hashLeaf, Node } from "./Node.ts"

/** Synchronous loader of persisted nodes by (version, nonce). */
export interface NodeSource {
  load(version: number, nonce: number): Node
}

/** One inner node on a root-to-leaf path, as iavl's ProofInnerNode. */
export interface PathStep {
  readonly height: number
  readonly size: number
  readonly version: number
  /** Sibling hash (latin1 string) when the path goes right (the sibling is on the left). */
  readonly left: string | undefined
  /** Sibling hash (latin1 string) when the path goes left. */
  readonly right: string | undefined
}

/** Order of (key, its keyPrefix kp) against node `n`'s key: the prefix first, bytes on a tie. */
const cmpKey = (key: Uint8Array, kp: number, n: Node): number => (kp !== n.kp ? kp - n.kp : compareBytes(key, n.key))

/** Read access to an IAVL tree rooted at `root` (undefined = empty). */
export class TreeView implements KVStore {
  root: Node | undefined
  readonly source: NodeSource
  /** Written into `seen` of every node this view walks (0 for read-only views). */
  stamp = 0

  constructor(root: Node | undefined, source: NodeSource) {
    this.root = root
    this.source = source
  }

  /** Left child, loading it on first use. */
  leftOf(n: Node): Node {
    const c = n.left ?? (n.left = this.source.load(n.lv, n.ln))
    if (c.seen < this.stamp) c.seen = this.stamp
    return c
  }

  /** Right child, loading it on first use. */
  rightOf(n: Node): Node {
    const c = n.right ?? (n.right = this.source.load(n.rv, n.rn))
    if (c.seen < this.stamp) c.seen = this.stamp
    return c
  }

  /**
   * Drops the in-memory children of persisted nodes that no working version at or after
   * `minSeen` walked through; they reload from the database on next use. Returns the number of
   * nodes still loaded. Only valid on a fully committed tree (every node persisted).
   */
  evict(minSeen: number): number {
    let loaded = 0
    const walk = (n: Node): void => {
      loaded++
      if (n.height === 0 || n.nonce === 0) return
      const l = n.left
      if (l !== undefined) {
        if (l.seen < minSeen) n.left = undefined
        else walk(l)
      }
      const r = n.right
      if (r !== undefined) {
        if (r.seen < minSeen) n.right = undefined
        else walk(r)
      }
    }
    if (this.root !== undefined) walk(this.root)
    return loaded
  }

  /** Root hash; the empty tree hashes to sha256("") as iavl v1 returns it. */
  hash(): Uint8Array {
    return this.root === undefined ? copyBytes(EMPTY_HASH) : hashBytes(this.hashNode(this.root))
  }

  /**
   * Hashes every unhashed node under `n`, loading the children it needs; `n`'s hash as a latin1
   * string. With the native addon: in a few batched calls (./HashBatch.ts); without it: node by
   * node, post-order, with node:crypto (the same bytes).
   */
  hashNode(n: Node): string {
    if (n.hash !== undefined) return n.hash
    const chain = nativeChain()
    return chain !== undefined ? hashTree(this, n, chain) : this.hashEach(n)
  }

  /** hashNode's node:crypto path: one call per hash, post-order. */
  private hashEach(n: Node): string {
    if (n.hash !== undefined) return n.hash
    if (n.height === 0) return hashLeaf(n)
    return hashInner(n, this.hashEach(this.leftOf(n)), this.hashEach(this.rightOf(n)))
  }

  /** Number of keys. */
  size(): number {
    return this.root === undefined ? 0 : this.root.size
  }

  get(key: Uint8Array): Uint8Array | undefined {
    let n = this.root
    if (n === undefined) return undefined
    const kp = keyPrefix(key)
    while (n.height > 0) n = cmpKey(key, kp, n) < 0 ? this.leftOf(n) : this.rightOf(n)
    return cmpKey(key, kp, n) === 0 ? n.value : undefined
  }

  has(key: Uint8Array): boolean {
    return this.get(key) !== undefined
  }

  set(_key: Uint8Array, _value: Uint8Array): void {
    throw new StoreError({ reason: "read-only", log: "cannot write to a read-only snapshot of the store" })
  }

  delete(_key: Uint8Array): void {
    throw new StoreError({ reason: "read-only", log: "cannot delete from a read-only snapshot of the store" })
  }

  iterate(start?: Uint8Array, end?: Uint8Array, reverse = false): IterableIterator<Entry> {
    return reverse ? this.descending(this.root, start, end) : this.ascending(this.root, start, end)
  }

  /** Leaves with start <= key < end in ascending order, from a fixed root. */
  *ascending(root: Node | undefined, start: Uint8Array | undefined, end: Uint8Array | undefined): IterableIterator<Entry> {
    if (root === undefined) return
    const stack: Node[] = []
    let n = root
    let lo = start
    for (;;) {
      while (n.height > 0) {
        if (lo !== undefined && compareBytes(lo, n.key) >= 0) n = this.rightOf(n)
        else {
          stack.push(n)
          n = this.leftOf(n)
        }
      }
      if (end !== undefined && compareBytes(n.key, end) >= 0) return
      if (lo === undefined || compareBytes(n.key, lo) >= 0) {
        lo = undefined
        yield [n.key, n.value!]
      }
      const p = stack.pop()
      if (p === undefined) return
      n = this.rightOf(p)
    }
  }

  /** Leaves with start <= key < end in descending order, from a fixed root. */
  *descending(root: Node | undefined, start: Uint8Array | undefined, end: Uint8Array | undefined): IterableIterator<Entry> {
    if (root === undefined) return
    const stack: Node[] = []
    let n = root
    let hi = end
    for (;;) {
      while (n.height > 0) {
        if (hi !== undefined && compareBytes(hi, n.key) <= 0) n = this.leftOf(n)
        else {
          stack.push(n)
          n = this.rightOf(n)
        }
      }
      if (start !== undefined && compareBytes(n.key, start) < 0) return
      if (hi === undefined || compareBytes(n.key, hi) < 0) {
        hi = undefined
        yield [n.key, n.value!]
      }
      const p = stack.pop()
      if (p === undefined) return
      n = this.leftOf(p)
    }
  }

  /**
   * The root-to-leaf path towards `key` (iavl PathToLeaf) and the leaf reached. Hashes the
   * tree first. Throws StoreError "empty-tree" on an empty tree.
   */
  pathToLeaf(key: Uint8Array): { readonly path: PathStep[]; readonly leaf: Node } {
    if (this.root === undefined) throw new StoreError({ reason: "empty-tree", log: "cannot build a proof in an empty tree" })
    this.hashNode(this.root)
    const path: PathStep[] = []
    const kp = keyPrefix(key)
    let n = this.root
    while (n.height > 0) {
      const l = this.leftOf(n)
      const r = this.rightOf(n)
      if (cmpKey(key, kp, n) < 0) {
        path.push({ height: n.height, size: n.size, version: n.version, left: undefined, right: r.hash! })
        n = l
      } else {
        path.push({ height: n.height, size: n.size, version: n.version, left: l.hash!, right: undefined })
        n = r
      }
    }
    return { path, leaf: n }
  }
}

const sealedError = (): never => {
  throw new StoreError({ reason: "commit-in-flight", log: "cannot write to the store while a commit is being written" })
}

/**
 * The mutable working tree of one namespace. `version` is the working version (last commit
 * + 1): every node created or cloned now carries it. Persisted nodes replaced since the last
 * commit are collected in `orphans` for pruning.
 */
export class WorkingTree extends TreeView {
  version: number
  gen = 1
  /** True while a commit is being written: writes then throw StoreError "commit-in-flight". */
  sealed = false
  /**
   * Persisted nodes no longer reachable from the working tree (since the last commit), as
   * (version, nonce) pairs: recorded while the node is at hand, so the commit never revisits it.
   */
  orphans: number[] = []
  private updated = false
  private removed = false
  private newKey: Uint8Array | undefined = undefined
  private newKp = 0

  constructor(root: Node | undefined, source: NodeSource, version: number) {
    super(root, source)
    this.version = version
    this.stamp = version
  }

  override set(key: Uint8Array, value: Uint8Array): void {
    this.setOwned(copyBytes(key), copyBytes(value))
  }

  /** `set` without copying: the tree takes ownership of `key` and `value` (cache layers). */
  setOwned(k: Uint8Array, v: Uint8Array): void {
    if (this.sealed) sealedError()
    if (k.length === 0) throw new StoreError({ reason: "empty-key", log: "key must not be empty" })
    if (this.root === undefined) {
      this.root = new Node(k, v, this.version, 0, 1, this.gen)
      return
    }
    this.updated = false
    this.root = this.setRec(this.root, k, keyPrefix(k), v)
  }

  override delete(key: Uint8Array): void {
    if (this.sealed) sealedError()
    if (this.root === undefined) return
    this.removed = false
    this.newKey = undefined
    const r = this.removeRec(this.root, key, keyPrefix(key))
    if (this.removed) this.root = r
  }

  override iterate(start?: Uint8Array, end?: Uint8Array, reverse = false): IterableIterator<Entry> {
    // Freeze the current nodes: later writes clone instead of mutating, so the iterator keeps
    // seeing the tree as it was when it was created.
    this.gen++
    return super.iterate(start, end, reverse)
  }

  /** Marks the tree as freshly committed: every node is persisted; start the next version. */
  committed(): void {
    this.version++
    this.stamp = this.version
    this.gen++
    this.orphans = []
  }

  private orphan(n: Node): void {
    if (n.nonce !== 0) this.orphans.push(n.version, n.nonce)
  }

  /** `n` itself when it may be changed in place, else a working copy (iavl node.clone). */
  private mutable(n: Node): Node {
    if (n.nonce === 0 && n.gen === this.gen) {
      n.hash = undefined
      return n
    }
    this.orphan(n)
    const c = new Node(n.key, undefined, this.version, n.height, n.size, this.gen, n.kp)
    c.left = n.left
    c.lv = n.lv
    c.ln = n.ln
    c.right = n.right
    c.rv = n.rv
    c.rn = n.rn
    return c
  }

  private inner(key: Uint8Array, kp: number, left: Node, right: Node): Node {
    const n = new Node(key, undefined, this.version, 1, 2, this.gen, kp)
    n.left = left
    n.right = right
    return n
  }

  private setRec(node: Node, key: Uint8Array, kp: number, value: Uint8Array): Node {
    if (node.height === 0) {
      const c = cmpKey(key, kp, node)
      if (c < 0) return this.inner(node.key, node.kp, new Node(key, value, this.version, 0, 1, this.gen, kp), node)
      if (c > 0) return this.inner(key, kp, node, new Node(key, value, this.version, 0, 1, this.gen, kp))
      this.orphan(node)
      this.updated = true
      return new Node(key, value, this.version, 0, 1, this.gen, kp)
    }
    const n = this.mutable(node)
    if (cmpKey(key, kp, n) < 0) n.left = this.setRec(this.leftOf(n), key, kp, value)
    else n.right = this.setRec(this.rightOf(n), key, kp, value)
    if (this.updated) return n
    this.calc(n)
    return this.balance(n)
  }

  private removeRec(node: Node, key: Uint8Array, kp: number): Node | undefined {
    if (node.height === 0) {
      if (cmpKey(key, kp, node) === 0) {
        this.orphan(node)
        this.removed = true
        return undefined
      }
      return node
    }
    if (cmpKey(key, kp, node) < 0) {
      const nl = this.removeRec(this.leftOf(node), key, kp)
      if (!this.removed) return node
      if (nl === undefined) {
        const right = this.rightOf(node)
        this.orphan(node)
        this.newKey = node.key
        this.newKp = node.kp
        return right
      }
      const n = this.mutable(node)
      n.left = nl
      this.calc(n)
      return this.balance(n)
    }
    const nr = this.removeRec(this.rightOf(node), key, kp)
    if (!this.removed) return node
    if (nr === undefined) {
      const left = this.leftOf(node)
      this.orphan(node)
      this.newKey = undefined
      return left
    }
    const n = this.mutable(node)
    n.right = nr
    if (this.newKey !== undefined) {
      n.key = this.newKey
      n.kp = this.newKp
      this.newKey = undefined
    }
    this.calc(n)
    return this.balance(n)
  }

  private calc(n: Node): void {
    const l = this.leftOf(n)
    const r = this.rightOf(n)
    n.height = (l.height > r.height ? l.height : r.height) + 1
    n.size = l.size + r.size
  }

  private balanceOf(n: Node): number {
    return this.leftOf(n).height - this.rightOf(n).height
  }

  /** iavl balance(): `n` must be a working (mutable) node. */
  private balance(n: Node): Node {
    const b = this.balanceOf(n)
    if (b > 1) {
      if (this.balanceOf(this.leftOf(n)) >= 0) return this.rotateRight(n)
      n.left = this.rotateLeft(this.leftOf(n))
      return this.rotateRight(n)
    }
    if (b < -1) {
      if (this.balanceOf(this.rightOf(n)) <= 0) return this.rotateLeft(n)
      n.right = this.rotateRight(this.rightOf(n))
      return this.rotateLeft(n)
    }
    return n
  }

  private rotateRight(node: Node): Node {
    const n = this.mutable(node)
    const nl = this.mutable(this.leftOf(n))
    n.left = nl.right
    n.lv = nl.rv
    n.ln = nl.rn
    nl.right = n
    this.calc(n)
    this.calc(nl)
    return nl
  }

  private rotateLeft(node: Node): Node {
    const n = this.mutable(node)
    const nr = this.mutable(this.rightOf(n))
    n.right = nr.left
    n.rv = nr.lv
    n.rn = nr.ln
    nr.left = n
    this.calc(n)
    this.calc(nr)
    return nr
  }
}
