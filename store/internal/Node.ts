/**
 * One IAVL node in memory, its hash and its database record.
 *
 * Hashing follows cosmos/iavl v1 node.go (writeHashBytes), Go zigzag varints throughout:
 * - leaf:  sha256( varint(0) varint(1) varint(version) uvarint(len key) key 0x20 sha256(value) )
 * - inner: sha256( varint(height) varint(size) varint(version) 0x20 leftHash 0x20 rightHash )
 * An inner node's key is the smallest key of its right subtree (iavl convention).
 *
 * Persistence: a node is identified by (version, nonce) like iavl v1's NodeKey. `nonce === 0`
 * means "not yet persisted" (created or cloned in the working version). Children are held as
 * objects once loaded, or as (version, nonce) references to be loaded from the database.
 */
import { copyInto, keyPrefix, putUvarint, putVarint, Reader, sha256String, writeHash } from "./encoding.ts"

/** An IAVL node. Leaves have height 0, size 1 and a value; inner nodes have two children. */
export class Node {
  key: Uint8Array
  /** keyPrefix(key): set it whenever `key` changes. */
  kp: number
  value: Uint8Array | undefined
  /** The version that created this node (iavl NodeKey.version), part of the hash. */
  version: number
  height: number
  size: number
  left: Node | undefined
  right: Node | undefined
  /** Persisted reference of the left child (used only while `left` is not loaded). */
  lv: number
  ln: number
  /** Persisted reference of the right child (used only while `right` is not loaded). */
  rv: number
  rn: number
  /** sha256 node hash as a 32-char latin1 string, undefined until computed (or after a mutation). */
  hash: string | undefined
  /** Nonce of the persisted NodeKey; 0 while the node exists only in memory. */
  nonce: number
  /** Mutation generation: a working node is mutable in place only in its own generation. */
  gen: number
  /** The last working version that walked through this node (drives node eviction). */
  seen: number

  constructor(key: Uint8Array, value: Uint8Array | undefined, version: number, height: number, size: number, gen: number, kp = keyPrefix(key)) {
    this.key = key
    this.kp = kp
    this.value = value
    this.version = version
    this.height = height
    this.size = size
    this.left = undefined
    this.right = undefined
    this.lv = 0
    this.ln = 0
    this.rv = 0
    this.rn = 0
    this.hash = undefined
    this.nonce = 0
    this.gen = gen
    this.seen = version
  }
}

/** Preimage scratch and its views by length (a subarray per hash call costs more than the hash). */
let scratch = Buffer.allocUnsafeSlow(1024)
let views: Buffer[] = []
const view = (len: number): Buffer => views[len] ?? (views[len] = scratch.subarray(0, len))

/**
 * Writes the start of leaf `n`'s hash preimage at `off` (IAVL: height 0, size 1, version as
 * varints, the key length-prefixed, then 32, the value hash's length); returns where the 32-byte
 * value hash goes. Shared by hashLeaf and the batched hashing (HashBatch.ts).
 */
export const putLeafHead = (b: Uint8Array, off: number, n: Node): number => {
  const key = n.key
  b[off] = 0
  b[off + 1] = 2
  off = putVarint(b, off + 2, n.version)
  off = putUvarint(b, off, key.length)
  copyInto(b, off, key)
  off += key.length
  b[off] = 32
  return off + 1
}

/**
 * Writes inner node `n`'s height, size and version (varints) at `off`, the start of its hash
 * preimage; returns the offset of the left hash's length byte. Shared by hashInner and HashBatch.ts.
 */
export const putInnerHead = (b: Uint8Array, off: number, n: Node): number => {
  off = putVarint(b, off, n.height)
  off = putVarint(b, off, n.size)
  return putVarint(b, off, n.version)
}

/** Computes and caches the hash of a leaf. */
export const hashLeaf = (n: Node): string => {
  const key = n.key
  const need = 24 + key.length + 33
  if (scratch.length < need) {
    scratch = Buffer.allocUnsafeSlow(need * 2)
    views = []
  }
  const b = scratch
  let off = putLeafHead(b, 0, n)
  writeHash(b, off, sha256String(n.value!))
  off += 32
  const h = sha256String(view(off))
  n.hash = h
  return h
}

/** Computes and caches the hash of an inner node from its children's hashes. */
export const hashInner = (n: Node, leftHash: string, rightHash: string): string => {
  const b = scratch
  let off = putInnerHead(b, 0, n)
  b[off++] = 32
  writeHash(b, off, leftHash)
  off += 32
  b[off++] = 32
  writeHash(b, off, rightHash)
  off += 32
  const h = sha256String(view(off))
  n.hash = h
  return h
}

/**
 * Decodes a node record (written by Batch.putNode; version and nonce live in the database key):
 * height(1) uvarint(size) uvarint(len key) key hash(32), then the value (leaf) or
 * uvarint(leftVersion) uvarint(leftNonce) uvarint(rightVersion) uvarint(rightNonce) (inner).
 */
export const decodeNode = (version: number, nonce: number, rec: Uint8Array): Node => {
  const r = new Reader(rec)
  const height = rec[0]!
  r.off = 1
  const size = r.uvarint()
  const key = r.bytes(r.uvarint())
  const n = new Node(key, undefined, version, height, size, -1)
  n.hash = Buffer.from(rec.buffer, rec.byteOffset, rec.byteLength).toString("latin1", r.off, r.off + 32)
  r.off += 32
  n.nonce = nonce
  if (height === 0) {
    n.value = r.rest()
  } else {
    n.lv = r.uvarint()
    n.ln = r.uvarint()
    n.rv = r.uvarint()
    n.rn = r.uvarint()
  }
  return n
}
