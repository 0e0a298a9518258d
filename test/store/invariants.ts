/**
 * Test helper: walks an IAVL tree view, checks the AVL and IAVL invariants (balance, height,
 * size, inner key = smallest key of the right subtree, versions not above the tree's version)
 * and recomputes every hash from scratch, ignoring cached and stored hashes.
 */
import * as assert from "uvu/assert"
import { compareBytes } from "../../lib/Bytes.ts"
import { EMPTY_HASH, hashBytes, keyPrefix } from "../../store/internal/encoding.ts"
import { hashInner, hashLeaf, Node } from "../../store/internal/Node.ts"
import type { TreeView } from "../../store/internal/Tree.ts"

interface Walk {
  readonly hash: string
  readonly min: Uint8Array
  readonly height: number
  readonly size: number
}

/** Recomputed root hash of `view` after checking every invariant; counts nodes in `seen`. */
export const checkTree = (view: TreeView, maxVersion: number, seen?: Set<string>, label = ""): Uint8Array => {
  const walk = (n: Node): Walk => {
    assert.ok(n.version >= 1 && n.version <= maxVersion, `${label} node version ${n.version} within 1..${maxVersion}`)
    if (seen !== undefined && n.nonce !== 0) seen.add(`${n.version}/${n.nonce}`)
    assert.is(n.kp, keyPrefix(n.key), `${label} cached key prefix`)
    if (n.height === 0) {
      assert.is(n.size, 1)
      const copy = new Node(n.key, n.value, n.version, 0, 1, 0)
      return { hash: hashLeaf(copy), min: n.key, height: 0, size: 1 }
    }
    const l = walk(view.leftOf(n))
    const r = walk(view.rightOf(n))
    assert.is(n.height, Math.max(l.height, r.height) + 1, `${label} height`)
    assert.is(n.size, l.size + r.size, `${label} size`)
    assert.ok(Math.abs(l.height - r.height) <= 1, `${label} AVL balance`)
    assert.is(compareBytes(n.key, r.min), 0, `${label} inner key is the right subtree's smallest key`)
    assert.ok(compareBytes(l.min, r.min) < 0, `${label} order`)
    const copy = new Node(n.key, undefined, n.version, n.height, n.size, 0)
    return { hash: hashInner(copy, l.hash, r.hash), min: l.min, height: n.height, size: n.size }
  }
  return view.root === undefined ? EMPTY_HASH : hashBytes(walk(view.root).hash)
}
