/**
 * Hashing of a tree's unhashed nodes in a few calls instead of one node:crypto call per hash.
 *
 * One post-order walk packs every unhashed node's preimage into one buffer (a leaf as two
 * inputs: its value, then its preimage), in the order they can be hashed: children before their
 * parent. Where a preimage needs a digest computed in the same batch (a child's, or the leaf's
 * value hash) it records a patch (position, input index) instead; an already-hashed child's
 * latin1 hash string is written in directly. One `Sha256Chain` call (./NativeHash.ts: the
 * native addon) then hashes the inputs in order, filling the patches from its own output, and
 * the digests become the nodes' hash strings. A batch is cut at MAX_INPUTS inputs or about
 * MAX_BYTES bytes; the nodes of a cut batch are hashed by then, so later preimages take their
 * strings.
 *
 * Same bytes as Node.ts `hashLeaf` / `hashInner` (cosmos/iavl v1 writeHashBytes):
 * - leaf:  sha256( varint(0) varint(1) varint(version) uvarint(len key) key 0x20 sha256(value) )
 * - inner: sha256( varint(height) varint(size) varint(version) 0x20 leftHash 0x20 rightHash )
 *
 * Memory: the scratch buffers are module-level, allocated on first use (about 2 MiB), the byte
 * buffer grown geometrically for a batch that needs more than MAX_BYTES (a huge value) and given
 * back after it. Not reentrant (the walk calls only the node source, never back into it).
 */
import { copyInto, grown, latin1At, writeHash } from "./encoding.ts"
import type { Batch } from "./Batch.ts"
import { type Node, putInnerHead, putLeafHead } from "./Node.ts"
import type { Sha256Chain } from "./NativeHash.ts"

/** Child access that loads persisted children (TreeView's `leftOf` / `rightOf`). */
export interface Children {
  leftOf(n: Node): Node
  rightOf(n: Node): Node
}

/** Most inputs in one hasher call. */
export const MAX_INPUTS = 1 << 14
/** Bytes of input after which a batch is cut (a batch always takes at least one node). */
export const MAX_BYTES = 1 << 20
/** Bytes of an inner preimage at most: three varints below 2^54 (8 bytes each) + 2 * 33. */
const INNER_MAX = 24 + 66

interface Scratch {
  data: Buffer
  readonly offsets: Uint32Array
  /** (pos, src) pairs: at most one per input (a digest is patched into one parent at most). */
  readonly patches: Uint32Array
  readonly out: Buffer
  /** nodes[i]: the node whose hash is digest i (undefined for a leaf's value input). */
  readonly nodes: Array<Node | undefined>
  /** holes[i]: where node i's record in `sink` takes its hash (commit walk only). */
  readonly holes: Uint32Array
  count: number
  end: number
  patchCount: number
  hasher: Sha256Chain
  /** The commit's batch while packSave runs, else undefined. */
  sink: Batch | undefined
}

const BASE_BYTES = MAX_BYTES + 256

let scratch: Scratch | undefined

/** Runs the batch, gives its nodes their hash strings and empties it. */
const flush = (s: Scratch): void => {
  const count = s.count
  if (count === 0) return
  s.offsets[count] = s.end
  s.hasher(s.data, s.offsets, count, s.out, s.patches, s.patchCount)
  const { nodes, out, holes, sink } = s
  for (let i = 0; i < count; i++) {
    const n = nodes[i]
    if (n === undefined) continue
    n.hash = latin1At(out, 32 * i, 32 * i + 32)
    nodes[i] = undefined
    if (sink !== undefined) {
      // packSave put n's record with its hash bytes left to fill, at holes[i] of the batch.
      const buf = sink.buf
      const h = holes[i]!
      const o = 32 * i
      for (let j = 0; j < 32; j++) buf[h + j] = out[o + j]!
    }
  }
  reset(s)
}

const reset = (s: Scratch): void => {
  s.count = 0
  s.end = 0
  s.patchCount = 0
}

/** Room for `inputs` more inputs and `bytes` more bytes (cutting the batch first when full). */
const reserve = (s: Scratch, inputs: number, bytes: number): Buffer => {
  if (s.count + inputs > MAX_INPUTS || (s.count > 0 && s.end + bytes > MAX_BYTES)) flush(s)
  s.data = grown(s.data, s.end, s.end + bytes)
  return s.data
}

const patch = (s: Scratch, pos: number, src: number): void => {
  const p = 2 * s.patchCount++
  s.patches[p] = pos
  s.patches[p + 1] = src
}

/** Packs leaf `n` (unhashed) as two inputs, its value and its preimage; returns the second. */
const packLeaf = (s: Scratch, n: Node): number => {
  const v = n.value!
  const k = n.key
  const b = reserve(s, 2, v.length + 2 + 10 + 5 + k.length + 1 + 32)
  const vi = s.count
  let off = s.end
  s.offsets[vi] = off
  copyInto(b, off, v)
  off += v.length
  s.offsets[vi + 1] = off
  off = putLeafHead(b, off, n)
  patch(s, off, vi)
  s.end = off + 32
  s.nodes[vi + 1] = n
  s.count = vi + 2
  return vi + 1
}

/**
 * Packs inner node `n` (unhashed) whose children `l`, `r` are hashed or packed (as inputs `li`,
 * `ri`); returns its input index.
 */
const packInner = (s: Scratch, n: Node, l: Node, r: Node, li: number, ri: number): number => {
  // A cut batch (here in reserve, or while packing r) has hashed l and r: test the strings first.
  const b = reserve(s, 1, INNER_MAX)
  const i = s.count
  let off = s.end
  s.offsets[i] = off
  off = putInnerHead(b, off, n)
  b[off] = 32
  if (l.hash !== undefined) writeHash(b, off + 1, l.hash)
  else patch(s, off + 1, li)
  b[off + 33] = 32
  if (r.hash !== undefined) writeHash(b, off + 34, r.hash)
  else patch(s, off + 34, ri)
  s.end = off + 66
  s.nodes[i] = n
  s.count = i + 1
  return i
}

/** Packs `n` and its unhashed descendants (post-order); returns n's input index, -1 if hashed. */
const pack = (s: Scratch, t: Children, n: Node): number => {
  if (n.hash !== undefined) return -1
  if (n.height === 0) return packLeaf(s, n)
  const l = t.leftOf(n)
  const r = t.rightOf(n)
  const li = pack(s, t, l)
  const ri = pack(s, t, r)
  return packInner(s, n, l, r, li, ri)
}

/**
 * The commit walk: post-order over the unsaved nodes under `n` (nonce 0), packing the unhashed
 * ones as `pack` does, assigning NodeKeys (version, ++counter.nonce) and putting each record into
 * `batch` (Batch.putNode), whose hash bytes the flush fills in for a node hashed here. The same
 * nonce order as hashing first and saving after. Returns n's input index, -1 if hashed.
 */
const packSave = (s: Scratch, t: Children, n: Node, prefix: Uint8Array, batch: Batch, counter: { nonce: number }): number => {
  if (n.nonce !== 0) return -1
  let i = -1
  if (n.height > 0) {
    // An unhashed node needs both children's hashes; a hashed one only its loaded (new) children.
    const hashed = n.hash !== undefined
    const l = hashed ? n.left : t.leftOf(n)
    const r = hashed ? n.right : t.rightOf(n)
    let li = -1
    let ri = -1
    if (l !== undefined) {
      li = packSave(s, t, l, prefix, batch, counter)
      n.lv = l.version
      n.ln = l.nonce
    }
    if (r !== undefined) {
      ri = packSave(s, t, r, prefix, batch, counter)
      n.rv = r.version
      n.rn = r.nonce
    }
    if (!hashed) i = packInner(s, n, l!, r!, li, ri)
  } else if (n.hash === undefined) {
    i = packLeaf(s, n)
  }
  n.nonce = ++counter.nonce
  const hole = batch.putNode(prefix, n)
  if (i >= 0) s.holes[i] = hole
  return i
}

const scratchFor = (hasher: Sha256Chain): Scratch => {
  const s = (scratch ??= {
    data: Buffer.allocUnsafeSlow(BASE_BYTES),
    offsets: new Uint32Array(MAX_INPUTS + 1),
    patches: new Uint32Array(2 * MAX_INPUTS),
    out: Buffer.allocUnsafeSlow(32 * MAX_INPUTS),
    nodes: new Array<Node | undefined>(MAX_INPUTS).fill(undefined),
    holes: new Uint32Array(MAX_INPUTS),
    count: 0,
    end: 0,
    patchCount: 0,
    hasher,
    sink: undefined
  })
  s.hasher = hasher
  return s
}

/** Drops what a failed walk left packed, and a scratch buffer grown for a huge value. */
const release = (s: Scratch): void => {
  if (s.count !== 0) {
    s.nodes.fill(undefined, 0, s.count)
    reset(s)
  }
  s.sink = undefined
  if (s.data.length > 2 * BASE_BYTES) s.data = Buffer.allocUnsafeSlow(BASE_BYTES)
}

/**
 * Hashes every unhashed node under `root` with `hasher` (sets `hash` on each, a 32-char latin1
 * string) and returns `root`'s hash. Throws what loading a child throws (StoreError from the
 * node source) or what `hasher` throws; nodes hashed before that keep their (correct) hashes.
 */
export const hashTree = (t: Children, root: Node, hasher: Sha256Chain): string => {
  if (root.hash !== undefined) return root.hash
  const s = scratchFor(hasher)
  try {
    pack(s, t, root)
    flush(s)
  } finally {
    release(s)
  }
  return root.hash!
}

/**
 * A commit's walk over the unsaved nodes under `root` (nonce 0), in one pass: hashes the
 * unhashed ones with `hasher` (batched as `hashTree`), assigns NodeKeys (version,
 * ++counter.nonce) in post-order and puts every record into `batch` under `prefix`
 * (Batch.putNode; the hash bytes of a record whose node is hashed here are filled in when its
 * batch of hashes is done). A persisted node's child references are set, so its children may be
 * evicted. Returns `root`'s hash. On a throw (a child that fails to load, StoreError), NodeKeys
 * and records are partly assigned: the caller must drop the batch and the store (it does: the
 * store is then broken).
 */
export const saveTree = (t: Children, root: Node, hasher: Sha256Chain, prefix: Uint8Array, batch: Batch, counter: { nonce: number }): string => {
  const s = scratchFor(hasher)
  s.sink = batch
  try {
    packSave(s, t, root, prefix, batch, counter)
    flush(s)
  } finally {
    release(s)
  }
  return root.hash!
}
