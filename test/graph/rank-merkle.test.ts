/** go-cyber's rank Merkle tree: root shape, proofs for every leaf, short tree and export/import. */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { createHash } from "node:crypto"
import { RankMerkleTree, rankLeafHash, verifyRankProof } from "../../modules/graph/rank/RankMerkleTree.ts"

const h = (...parts: Uint8Array[]) => { const x = createHash("sha256"); for (const p of parts) x.update(p); return new Uint8Array(x.digest()) }
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const values = (n: number) => BigUint64Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_003n + 17n)

test("empty tree root is sha256 of nothing", () => {
  assert.is(hex(new RankMerkleTree(true).root()), hex(h()))
})

test("root of 1, 2, 3, 5 leaves follows go-cyber's right-to-left fold", () => {
  const v = values(5)
  const L = [...v].map((x) => rankLeafHash(x))
  assert.is(hex(L[0]!), hex(h(Buffer.from(new BigUint64Array([v[0]!]).buffer))))
  assert.is(hex(RankMerkleTree.fromValues(v.subarray(0, 1), true).root()), hex(L[0]!))
  assert.is(hex(RankMerkleTree.fromValues(v.subarray(0, 2), true).root()), hex(h(L[0]!, L[1]!)))
  // 3 leaves: subtrees [0,1] and [2]; root = sha(rightRoot || leftRoot)
  assert.is(hex(RankMerkleTree.fromValues(v.subarray(0, 3), true).root()), hex(h(L[2]!, h(L[0]!, L[1]!))))
  // 5 leaves: subtrees [0..3], [4]
  const four = h(h(L[0]!, L[1]!), h(L[2]!, L[3]!))
  assert.is(hex(RankMerkleTree.fromValues(v, false).root()), hex(h(L[4]!, four)))
})

test("7 leaves: three subtrees folded right to left", () => {
  const L = [...values(7)].map((x) => rankLeafHash(x))
  const s4 = h(h(L[0]!, L[1]!), h(L[2]!, L[3]!)), s2 = h(L[4]!, L[5]!), s1 = L[6]!
  assert.is(hex(RankMerkleTree.fromValues(values(7), true).root()), hex(h(h(s1, s2), s4)))
})

test("every leaf's proof verifies for sizes 1..70; wrong value or index fails", () => {
  for (let n = 1; n <= 70; n++) {
    const v = values(n)
    const t = RankMerkleTree.fromValues(v, true)
    const root = t.root()
    for (let i = 0; i < n; i++) {
      const p = t.proof(i)
      assert.ok(verifyRankProof(v[i]!, p, root), `n=${n} i=${i}`)
      assert.not.ok(verifyRankProof(v[i]! + 1n, p, root))
      if (n > 1) assert.not.ok(verifyRankProof(v[(i + 1) % n]!, p, root))
    }
  }
})

test("short tree (subtree roots only) has the same root; export/import round trip; push extends", () => {
  for (const n of [1, 6, 31, 64, 1000]) {
    const full = RankMerkleTree.fromValues(values(n), true)
    const short = RankMerkleTree.fromValues(values(n), false)
    assert.is(hex(short.root()), hex(full.root()))
    const exported = full.exportSubtreeRoots()
    assert.is(exported.length, 40 * [...n.toString(2)].filter((c) => c === "1").length)
    assert.equal(exported, short.exportSubtreeRoots())
    const back = RankMerkleTree.importSubtreeRoots(exported)
    assert.is(back.size, n)
    assert.is(hex(back.root()), hex(full.root()))
    // go-cyber AddNewCids: new particles are pushed with rank 0
    back.push(0n); full.push(0n)
    assert.is(hex(back.root()), hex(full.root()))
    assert.ok(verifyRankProof(0n, full.proof(n), full.root()))
  }
})

test("native-hashed tree (RankMerkleTree.build) equals the TypeScript one, full and short", async () => {
  for (const n of [0, 1, 2, 3, 5, 8, 31, 100, 1025]) {
    const v = values(n)
    const js = RankMerkleTree.fromValues(v, true)
    const full = await RankMerkleTree.build(v, true)
    const short = await RankMerkleTree.build(v, false)
    assert.is(hex(full.root()), hex(js.root()), `full n=${n}`)
    assert.is(hex(short.root()), hex(js.root()), `short n=${n}`)
    assert.equal(short.exportSubtreeRoots(), js.exportSubtreeRoots())
    for (let i = 0; i < n; i += Math.max(1, n >> 4)) assert.equal(full.proof(i), js.proof(i))
    full.push(9n); js.push(9n)
    assert.is(hex(full.root()), hex(js.root()))
  }
})

test("bad inputs: proof on a short tree, index out of range, malformed export", () => {
  assert.throws(() => RankMerkleTree.fromValues(values(3), false).proof(0), /short/)
  assert.throws(() => RankMerkleTree.fromValues(values(3), true).proof(3), /out of range/)
  assert.throws(() => RankMerkleTree.importSubtreeRoots(new Uint8Array(39)), /40-byte/)
})

test.run()
