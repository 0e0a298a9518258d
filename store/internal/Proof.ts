/**
 * ICS-23 proofs of the store.
 *
 * - Inside a namespace (iavl spec): existence proofs as cosmos/iavl proof_ics23.go builds them
 *   (leaf op prefix varint(0) varint(1) varint(leafVersion), inner ops with prefix
 *   varint(height) varint(size) varint(version) [0x20 leftHash] 0x20 and suffix [0x20 rightHash]),
 *   and non-existence proofs holding the existence proofs of the left and right neighbours.
 * - From namespace root to app hash (tendermint spec): the rootmulti CommitInfo hash, a
 *   simple Merkle map (cosmos-sdk store/internal/maps): leaves are uvarint(len name) name
 *   uvarint(32) sha256(storeRoot), tree as RFC-6962 (leaf sha256(0x00 || leaf), inner
 *   sha256(0x01 || left || right), split at the largest power of two below n).
 */
import { CommitmentProof, type ExistenceProof, HashOp, type InnerOp, LengthOp } from "cosmjs-types/cosmos/ics23/v1/proofs"
import { concatBytes as concat, sha256 } from "../../lib/Bytes.ts"
import { EMPTY_HASH, hashBytes, putUvarint, varintBytes } from "./encoding.ts"
import type { TreeView } from "./Tree.ts"

const LENGTH_BYTE = new Uint8Array([32])

/** ICS-23 existence proof of a key present in `view` (iavl spec). */
export const iavlExistence = (view: TreeView, key: Uint8Array): ExistenceProof => {
  const { path, leaf } = view.pathToLeaf(key)
  const ops: InnerOp[] = []
  for (let i = path.length - 1; i >= 0; i--) {
    const s = path[i]!
    const hsv = concat(varintBytes(s.height), varintBytes(s.size), varintBytes(s.version))
    ops.push(
      s.left !== undefined
        ? { hash: HashOp.SHA256, prefix: concat(hsv, LENGTH_BYTE, hashBytes(s.left), LENGTH_BYTE), suffix: new Uint8Array() }
        : { hash: HashOp.SHA256, prefix: concat(hsv, LENGTH_BYTE), suffix: concat(LENGTH_BYTE, hashBytes(s.right!)) }
    )
  }
  return {
    key: leaf.key,
    value: leaf.value!,
    leaf: {
      hash: HashOp.SHA256,
      prehashKey: HashOp.NO_HASH,
      prehashValue: HashOp.SHA256,
      length: LengthOp.VAR_PROTO,
      prefix: concat(varintBytes(0), varintBytes(1), varintBytes(leaf.version))
    },
    path: ops
  }
}

/**
 * ICS-23 commitment proof for `key` in `view`: existence when present, else non-existence with
 * the neighbours' existence proofs (either may be absent at the ends). Throws StoreError
 * "empty-tree" on an empty tree, as iavl's GetProof does.
 */
export const iavlProof = (view: TreeView, key: Uint8Array): CommitmentProof => {
  if (view.get(key) !== undefined) return CommitmentProof.fromPartial({ exist: iavlExistence(view, key) })
  view.pathToLeaf(key) // throws on an empty tree
  const leftEntry = view.descending(view.root, undefined, key).next()
  const rightEntry = view.ascending(view.root, key, undefined).next()
  return CommitmentProof.fromPartial({
    nonexist: {
      key,
      left: leftEntry.done ? undefined : iavlExistence(view, leftEntry.value[0]),
      right: rightEntry.done ? undefined : iavlExistence(view, rightEntry.value[0])
    }
  })
}

/** One (store name, store root hash) pair of a CommitInfo. */
export interface StoreRoot {
  readonly name: string
  readonly hash: Uint8Array
}

const kvLeafBytes = (name: Uint8Array, valueHash: Uint8Array): Uint8Array => {
  const b = new Uint8Array(20 + name.length + valueHash.length)
  let off = putUvarint(b, 0, name.length)
  b.set(name, off)
  off += name.length
  off = putUvarint(b, off, valueHash.length)
  b.set(valueHash, off)
  return b.subarray(0, off + valueHash.length)
}

const leafHash = (leaf: Uint8Array): Uint8Array => sha256(concat(new Uint8Array([0]), leaf))
const innerHash = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(concat(new Uint8Array([1]), l, r))
const splitPoint = (n: number): number => {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}
const rootOf = (leaves: Uint8Array[], lo: number, hi: number): Uint8Array => {
  if (hi - lo === 1) return leaves[lo]!
  const k = splitPoint(hi - lo)
  return innerHash(rootOf(leaves, lo, lo + k), rootOf(leaves, lo + k, hi))
}

const encoder = new TextEncoder()
const sortRoots = (roots: ReadonlyArray<StoreRoot>): StoreRoot[] =>
  [...roots].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
const leavesOf = (sorted: ReadonlyArray<StoreRoot>): Uint8Array[] =>
  sorted.map((r) => leafHash(kvLeafBytes(encoder.encode(r.name), sha256(r.hash))))

/** rootmulti CommitInfo.Hash over (name -> root) pairs; sha256("") when there are none. */
export const commitInfoHash = (roots: ReadonlyArray<StoreRoot>): Uint8Array =>
  roots.length === 0 ? EMPTY_HASH : rootOf(leavesOf(sortRoots(roots)), 0, roots.length)

/** ICS-23 existence proof (tendermint spec) of store `name`'s root under the CommitInfo hash. */
export const simpleProof = (roots: ReadonlyArray<StoreRoot>, name: string): CommitmentProof | undefined => {
  const sorted = sortRoots(roots)
  const index = sorted.findIndex((r) => r.name === name)
  if (index < 0) return undefined
  const leaves = leavesOf(sorted)
  const ops: InnerOp[] = []
  const walk = (lo: number, hi: number, i: number): void => {
    if (hi - lo === 1) return
    const k = splitPoint(hi - lo)
    if (i < lo + k) {
      walk(lo, lo + k, i)
      ops.push({ hash: HashOp.SHA256, prefix: new Uint8Array([1]), suffix: rootOf(leaves, lo + k, hi) })
    } else {
      walk(lo + k, hi, i)
      ops.push({ hash: HashOp.SHA256, prefix: concat(new Uint8Array([1]), rootOf(leaves, lo, lo + k)), suffix: new Uint8Array() })
    }
  }
  walk(0, sorted.length, index)
  return CommitmentProof.fromPartial({
    exist: {
      key: encoder.encode(name),
      value: sorted[index]!.hash,
      leaf: {
        hash: HashOp.SHA256,
        prehashKey: HashOp.NO_HASH,
        prehashValue: HashOp.SHA256,
        length: LengthOp.VAR_PROTO,
        prefix: new Uint8Array([0])
      },
      path: ops
    }
  })
}
