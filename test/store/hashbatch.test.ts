/**
 * Batched commit hashing (store/internal/HashBatch.ts) against node-by-node hashing from scratch
 * (invariants.ts checkTree: Node.ts hashLeaf / hashInner), with the TypeScript chain hasher and
 * with the native addon's; and the contract of `sha256Chain` itself, bad input included, for both.
 * Where the addon is missing the native cases say so in their names and check only that.
 */
import { hash } from "node:crypto"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { hashBytes } from "../../store/internal/encoding.ts"
import { Batch } from "../../store/internal/Batch.ts"
import { hashTree, MAX_BYTES, MAX_INPUTS, saveTree } from "../../store/internal/HashBatch.ts"
import { hasherInfo, jsSha256Chain, nativeChain, type Sha256Chain } from "../../store/internal/NativeHash.ts"
import { type NodeSource, WorkingTree } from "../../store/internal/Tree.ts"
import { checkTree } from "./invariants.ts"

const t = suite("batched hashing")

const noDisk: NodeSource = { load: () => { throw new Error("in-memory tree") } }
const native = nativeChain()
const info = hasherInfo()
const hashers: Array<[string, Sha256Chain | undefined]> = [
  ["TypeScript chain", jsSha256Chain],
  [native !== undefined ? "native chain" : `native chain: ADDON MISSING (${info.reason}), only that is checked`, native]
]

if (native === undefined) console.log(`hashbatch: the native addon is MISSING (${info.reason}): only the TypeScript chain is checked`)

let seed = 7
const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648)
const bytes = (n: number): Uint8Array => {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = rand() & 0xff
  return b
}
const key = (i: number): Uint8Array => new Uint8Array(hash("sha256", `k${i}`, "buffer")).subarray(0, 4 + (i % 29))

/** Hashes `tree` with `hasher` and compares the root with a from-scratch recomputation. */
const same = (tree: WorkingTree, hasher: Sha256Chain, label: string): void => {
  const got = hashTree(tree, tree.root!, hasher)
  assert.equal(hashBytes(got), checkTree(tree, tree.version, undefined, label), label)
}

for (const [name, hasher] of hashers) {
  if (hasher === undefined) {
    t(name, () => {
      assert.is(info.kind, "js")
      assert.type(info.reason, "string")
    })
    continue
  }

  t(`${name}: ${MAX_INPUTS}+ inputs (batches cut), values of 0 to 300 bytes, then an update of hashed and unhashed nodes`, () => {
    const tree = new WorkingTree(undefined, noDisk, 1)
    for (let i = 0; i < 12_000; i++) tree.set(key(i), bytes(i % 7 === 0 ? 0 : rand() % 300))
    same(tree, hasher, "fresh tree")
    tree.committed()
    for (let i = 0; i < 900; i++) tree.set(key(rand() % 14_000), bytes(rand() % 90))
    for (let i = 0; i < 200; i++) tree.delete(key(rand() % 12_000))
    same(tree, hasher, "after an update")
  })

  t(`${name}: values larger than a batch (${MAX_BYTES} bytes), versions above 2^40 (long varints)`, () => {
    const tree = new WorkingTree(undefined, noDisk, 2 ** 40 + 3)
    for (let i = 0; i < 300; i++) tree.set(key(i), bytes(i % 100 === 5 ? MAX_BYTES + 12_345 : 40))
    same(tree, hasher, "huge values")
    // and the scratch buffer is usable (and smaller) again afterwards
    const small = new WorkingTree(undefined, noDisk, 9)
    for (let i = 0; i < 50; i++) small.set(key(i), bytes(10))
    same(small, hasher, "after huge values")
  })

  t(`${name}: the commit walk (saveTree) writes the same records as hashing first, across batch cuts, two versions`, () => {
    const trees = [new WorkingTree(undefined, noDisk, 1), new WorkingTree(undefined, noDisk, 1)]
    const prefix = new TextEncoder().encode("s/x/n")
    for (let v = 0; v < 2; v++) {
      const ops: Array<[Uint8Array, Uint8Array | undefined]> = []
      for (let i = 0; i < (v === 0 ? 12_000 : 3_000); i++) ops.push([key(rand() % 15_000), i % 11 === 3 ? undefined : bytes(rand() % 120)])
      const batches = trees.map((tree, j) => {
        for (const [k, val] of ops) val === undefined ? tree.delete(k) : tree.set(k, val)
        if (j === 1) hashTree(tree, tree.root!, hasher) // hashed first: saveTree only encodes
        const b = new Batch(1 << 10) // small: grows (and moves) while the walk fills it
        const root = saveTree(tree, tree.root!, hasher, prefix, b, { nonce: 0 })
        assert.equal(hashBytes(root), checkTree(tree, tree.version, undefined, `version ${v}`))
        tree.committed()
        return Buffer.from(b.buf.subarray(0, b.length))
      })
      assert.ok(batches[0]!.equals(batches[1]!), `version ${v}: same records`)
    }
  })

  t(`${name}: a single leaf, and an already hashed root`, () => {
    const tree = new WorkingTree(undefined, noDisk, 3)
    tree.set(key(1), bytes(5))
    same(tree, hasher, "one leaf")
    same(tree, hasher, "hashed")
  })

  const sha = (b: Uint8Array): Buffer => hash("sha256", b, "buffer")
  const setup = () => {
    const data = Buffer.from(bytes(100))
    const out = Buffer.alloc(96, 0xaa)
    return { data, out, data0: Buffer.from(data), out0: Buffer.from(out) }
  }

  t(`${name}: digests in order; a patch copies an earlier digest into a later input first; empty inputs`, () => {
    const { data, out } = setup()
    hasher(data, new Uint32Array([0, 50, 100, 100]), 3, out, new Uint32Array([60, 0]), 1)
    const expect1 = Buffer.from(data.subarray(50, 100))
    sha(data.subarray(0, 50)).copy(expect1, 10)
    assert.equal(out.subarray(0, 32), sha(data.subarray(0, 50)))
    assert.equal(data.subarray(60, 92), sha(data.subarray(0, 50)), "patched in place")
    assert.equal(out.subarray(32, 64), sha(expect1))
    assert.equal(out.subarray(64, 96), sha(new Uint8Array(0)))
    const before = Buffer.from(out)
    hasher(data, new Uint32Array(0), 0, out, new Uint32Array(0), 0)
    assert.equal(out, before, "count 0 writes nothing")
  })

  const bad: Array<[string, (h: Sha256Chain, d: Buffer, o: Buffer) => void, RegExp]> = [
    ["offsets decrease", (h, d, o) => h(d, new Uint32Array([0, 60, 50]), 2, o, new Uint32Array(0), 0), /not decrease/],
    ["offset past the data", (h, d, o) => h(d, new Uint32Array([0, 50, 101]), 2, o, new Uint32Array(0), 0), /past the end of data/],
    ["too few offsets", (h, d, o) => h(d, new Uint32Array([0, 50]), 2, o, new Uint32Array(0), 0), /count \+ 1/],
    ["count far above the offsets", (h, d, o) => h(d, new Uint32Array([0, 50]), 2 ** 32 - 1, o, new Uint32Array(0), 0), /count \+ 1/],
    ["out too short", (h, d) => h(d, new Uint32Array([0, 50, 100]), 2, Buffer.alloc(63), new Uint32Array(0), 0), /32 \* count/],
    ["patch running past its input", (h, d, o) => h(d, new Uint32Array([0, 50, 100]), 2, o, new Uint32Array([80, 0]), 1), /not inside one input/],
    ["patch of a digest not earlier", (h, d, o) => h(d, new Uint32Array([0, 50, 100]), 2, o, new Uint32Array([60, 1]), 1), /not earlier/],
    ["patch into the first input", (h, d, o) => h(d, new Uint32Array([0, 50, 100]), 2, o, new Uint32Array([0, 0]), 1), /not earlier/],
    ["patch past the last input", (h, d, o) => h(d, new Uint32Array([0, 50, 100]), 2, o, new Uint32Array([200, 0]), 1), /past the last input/],
    ["patches out of order", (h, d, o) => h(d, new Uint32Array([0, 50, 100]), 2, o, new Uint32Array([60, 0, 10, 0]), 2), /not inside one input/],
    ["patchCount above the patches", (h, d, o) => h(d, new Uint32Array([0, 50, 100]), 2, o, new Uint32Array([60, 0]), 2), /2 \* patchCount/],
    ["patches without inputs", (h, d, o) => h(d, new Uint32Array([0]), 0, o, new Uint32Array([0, 0]), 1), /without inputs/],
    ["count not an integer", (h, d, o) => h(d, new Uint32Array([0, 50, 100]), 1.5, o, new Uint32Array(0), 0), /integer/],
    ["negative count", (h, d, o) => h(d, new Uint32Array([0, 50, 100]), -1, o, new Uint32Array(0), 0), /integer/]
  ]
  t(`${name}: bad offsets, positions and sources throw RangeError and write nothing`, () => {
    for (const [what, call, message] of bad) {
      const { data, out, data0, out0 } = setup()
      try {
        call(hasher, data, out)
        assert.unreachable(`${what}: no error`)
      } catch (e) {
        assert.instance(e, RangeError, what)
        assert.match((e as Error).message, message, what)
      }
      assert.equal(data, data0, `${what}: data untouched`)
      assert.equal(out, out0, `${what}: out untouched`)
    }
  })

  t(`${name}: arguments of the wrong type throw TypeError`, () => {
    const { data, out } = setup()
    const off = new Uint32Array([0, 50, 100])
    const calls: Array<() => void> = [
      () => hasher([1, 2, 3] as unknown as Uint8Array, off, 1, out, new Uint32Array(0), 0),
      () => hasher(data, new Int32Array([0, 50, 100]) as unknown as Uint32Array, 2, out, new Uint32Array(0), 0),
      () => hasher(data, off, "2" as unknown as number, out, new Uint32Array(0), 0),
      () => hasher(data, off, 2, new Uint16Array(64) as unknown as Uint8Array, new Uint32Array(0), 0),
      () => hasher(data, off, 2, out, [60, 0] as unknown as Uint32Array, 1)
    ]
    for (const [i, call] of calls.entries()) assert.throws(call, (e: unknown) => e instanceof TypeError, `call ${i}`)
  })
}

t.run()
