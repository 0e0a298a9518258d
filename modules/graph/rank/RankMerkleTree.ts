/**
 * go-cyber's rank Merkle tree (package merkle: tree.go, subtree.go, node.go, proof.go, util.go).
 *
 * - Leaf i = sha256(uint64 little-endian rank_i) (ranks in go-cyber's published unit, rank × 1e15,
 *   see toCyberRank); inner node = sha256(left || right); no domain prefixes.
 * - The n leaves form perfect subtrees of power-of-two sizes, largest on the left (the binary
 *   digits of n). Root = fold from the right: h = rightmost root; for each subtree to its left,
 *   h = sha256(h || subtreeRoot). Empty tree: sha256("").
 * - A "short" tree keeps only the subtree roots (at most 64 hashes; go-cyber's consensus mode,
 *   ExportSubtreesRoots / ImportSubtreesRoots); a full tree keeps every node and gives proofs.
 * - Proof of leaf i: sibling hashes up its subtree, then one hash folding all subtrees to its
 *   right (placed on the left), then each subtree root to its left (placed on the right) —
 *   GetIndexProofs / GetRootProofs.
 */
import { hash } from "node:crypto"
import { loadNative } from "./internal/native.ts"

/** One proof step: `leftSide` true means sha256(hash || current), false sha256(current || hash). */
export interface RankProofStep {
  readonly leftSide: boolean
  readonly hash: Uint8Array
}

const sha = (...parts: Uint8Array[]): Uint8Array => {
  if (parts.length === 1) return hash("sha256", parts[0]!, "buffer")
  const total = parts.reduce((a, p) => a + p.length, 0)
  const buf = new Uint8Array(total)
  let o = 0
  for (const p of parts) { buf.set(p, o); o += p.length }
  return hash("sha256", buf, "buffer")
}

/** sha256 of the 8-byte little-endian encoding of `value` (a leaf). */
export const rankLeafHash = (value: bigint): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, value, true)
  return sha(b)
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** A growable array of 32-byte hashes. */
class HashArray {
  data: Uint8Array = new Uint8Array(32 * 16)
  length = 0
  push(h: Uint8Array): void {
    if ((this.length + 1) * 32 > this.data.length) {
      const next = new Uint8Array(this.data.length * 2)
      next.set(this.data)
      this.data = next
    }
    this.data.set(h, this.length * 32)
    this.length++
  }
  get(i: number): Uint8Array {
    return this.data.subarray(i * 32, i * 32 + 32)
  }
}

/** go-cyber's rank Merkle tree; build with {@link RankMerkleTree.fromValues} or push leaves. */
export class RankMerkleTree {
  /** full mode: level k holds the nodes over 2^k leaves */
  private readonly levels: HashArray[] = []
  /** short mode: subtree roots, left to right */
  private stack: Array<{ height: number; hash: Uint8Array }> = []
  private n = 0

  /** true: every node is kept (proofs available); false: only subtree roots. */
  readonly full: boolean

  /** `full` keeps every node (proofs available); otherwise only subtree roots. */
  constructor(full: boolean) {
    this.full = full
  }

  /** A tree over `values` (go-cyber's published rank × 1e15 per particle). */
  static fromValues(values: BigUint64Array, full: boolean): RankMerkleTree {
    const t = new RankMerkleTree(full)
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
    for (let i = 0; i < values.length; i++) {
      t.pushLeafHash(littleEndian ? sha(bytes.subarray(i * 8, i * 8 + 8)) : rankLeafHash(values[i]!))
    }
    return t
  }

  /**
   * Same tree as {@link fromValues}, hashed by the native addon off the JavaScript thread when it
   * is built (OpenSSL SHA-256 inside Node), else by fromValues.
   */
  static async build(values: BigUint64Array, full: boolean): Promise<RankMerkleTree> {
    const nat = loadNative()
    if (!("addon" in nat) || !littleEndian) return RankMerkleTree.fromValues(values, full)
    const bytes = await nat.addon.merkleLevels(values, full)
    const t = new RankMerkleTree(full)
    const n = values.length
    t.n = n
    if (full) {
      let off = 0
      for (let c = n; c > 0; c = Math.floor(c / 2)) {
        const level = new HashArray()
        level.data = bytes.subarray(off * 32, (off + c) * 32)
        level.length = c
        t.levels.push(level)
        off += c
      }
    } else {
      let j = 0
      for (let k = 52; k >= 0; k--) {
        if (Math.floor(n / 2 ** k) % 2 === 1) t.stack.push({ height: k, hash: bytes.slice(32 * j, 32 * ++j) })
      }
    }
    return t
  }

  /**
   * A short tree from go-cyber's ExportSubtreesRoots bytes: (32-byte hash, uint64 LE height) per
   * subtree, rightmost first. Throws RangeError on a malformed encoding.
   */
  static importSubtreeRoots(bytes: Uint8Array): RankMerkleTree {
    if (bytes.length % 40 !== 0) throw new RangeError(`subtree roots must be 40-byte entries, got ${bytes.length} bytes`)
    const t = new RankMerkleTree(false)
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const stack: Array<{ height: number; hash: Uint8Array }> = []
    for (let o = 0; o < bytes.length; o += 40) {
      const height = Number(dv.getBigUint64(o + 32, true))
      if (height > 63) throw new RangeError(`subtree height ${height} out of range`)
      stack.unshift({ height, hash: bytes.slice(o, o + 32) })
      t.n += 2 ** height
    }
    t.stack = stack
    return t
  }

  /** Number of leaves. */
  get size(): number {
    return this.n
  }

  /** Append a leaf for `value` (go-cyber Tree.Push of its 8-byte LE encoding). */
  push(value: bigint): void {
    this.pushLeafHash(rankLeafHash(value))
  }

  private pushLeafHash(leaf: Uint8Array): void {
    if (this.full) {
      if (this.levels.length === 0) this.levels.push(new HashArray())
      this.levels[0]!.push(leaf)
      let i = this.n, k = 0
      while ((i & 1) === 1) {
        const lv = this.levels[k]!
        const parent = sha(lv.get(i - 1), lv.get(i))
        if (this.levels.length === k + 1) this.levels.push(new HashArray())
        this.levels[k + 1]!.push(parent)
        k++
        i = Math.floor((i - 1) / 2)
      }
    } else {
      this.stack.push({ height: 0, hash: leaf })
      while (this.stack.length >= 2 && this.stack[this.stack.length - 1]!.height === this.stack[this.stack.length - 2]!.height) {
        const right = this.stack.pop()!, left = this.stack.pop()!
        this.stack.push({ height: left.height + 1, hash: sha(left.hash, right.hash) })
      }
    }
    this.n++
  }

  /** Subtree roots left to right with their first leaf index. */
  private roots(): Array<{ height: number; hash: Uint8Array; start: number }> {
    if (!this.full) {
      let start = 0
      return this.stack.map((s) => { const r = { ...s, start }; start += 2 ** s.height; return r })
    }
    const out: Array<{ height: number; hash: Uint8Array; start: number }> = []
    let start = 0
    for (let k = 52; k >= 0; k--) {
      const size = 2 ** k
      if (Math.floor(this.n / size) % 2 === 1) {
        out.push({ height: k, hash: this.levels[k]!.get(Math.floor(start / size)), start })
        start += size
      }
    }
    return out
  }

  /** The root hash (go-cyber Tree.RootHash). */
  root(): Uint8Array {
    const r = this.roots()
    if (r.length === 0) return sha(new Uint8Array(0))
    let h = r[r.length - 1]!.hash
    for (let j = r.length - 2; j >= 0; j--) h = sha(h, r[j]!.hash)
    return h
  }

  /** go-cyber ExportSubtreesRoots: (hash, uint64 LE height) per subtree, rightmost first. */
  exportSubtreeRoots(): Uint8Array {
    const r = this.roots()
    const out = new Uint8Array(40 * r.length)
    const dv = new DataView(out.buffer)
    r.reverse().forEach((s, j) => { out.set(s.hash, 40 * j); dv.setBigUint64(40 * j + 32, BigInt(s.height), true) })
    return out
  }

  /**
   * Proof of leaf `index` (go-cyber GetIndexProofs). Throws RangeError for an index out of range
   * or a short tree (which keeps no inner nodes).
   */
  proof(index: number): RankProofStep[] {
    if (!this.full) throw new RangeError("a short rank tree keeps no proofs (build it full)")
    if (!Number.isInteger(index) || index < 0 || index >= this.n) throw new RangeError(`leaf ${index} out of range 0..${this.n - 1}`)
    const r = this.roots()
    const j = r.findIndex((s) => index >= s.start && index < s.start + 2 ** s.height)
    const s = r[j]!
    const steps: RankProofStep[] = []
    let i = index
    for (let k = 0; k < s.height; k++) {
      const odd = (i & 1) === 1
      steps.push({ leftSide: odd, hash: this.levels[k]!.get(odd ? i - 1 : i + 1) })
      i = Math.floor(i / 2)
    }
    if (j < r.length - 1) {
      let h = r[r.length - 1]!.hash
      for (let x = r.length - 2; x > j; x--) h = sha(h, r[x]!.hash)
      steps.push({ leftSide: true, hash: h })
    }
    for (let x = j - 1; x >= 0; x--) steps.push({ leftSide: false, hash: r[x]!.hash })
    return steps
  }
}

/** Check a proof that leaf value `value` is in the tree with root `root` (ValidateIndexByProofs). */
export const verifyRankProof = (value: bigint, proof: readonly RankProofStep[], root: Uint8Array): boolean => {
  let h = rankLeafHash(value)
  for (const p of proof) h = p.leftSide ? sha(p.hash, h) : sha(h, p.hash)
  if (h.length !== root.length) return false
  for (let i = 0; i < h.length; i++) if (h[i] !== root[i]) return false
  return true
}
