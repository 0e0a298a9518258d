/**
 * ICS-23 proofs from `query(name, key, height, prove=true)`, checked with @confio/ics23 as an
 * independent verifier: iavl spec from key to namespace root, tendermint spec from namespace
 * root to app hash, for present and absent keys, at the latest and at an older height.
 */
import { calculateExistenceRoot, ics23, iavlSpec, tendermintSpec, verifyMembership, verifyNonMembership } from "@confio/ics23"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import type { CommitMultiStore, StoreQueryResult } from "../../store/KVStore.ts"
import { b, prng } from "./conformance.ts"

const t = suite("ICS-23 proofs")
const enc = new TextEncoder()

/** Verifies the two-op proof chain of `r` against `appHash`; returns whether it holds. */
const verifyChain = (r: StoreQueryResult, name: string, appHash: Uint8Array): boolean => {
  const [iavlOp, simpleOp] = r.proof!.ops
  assert.is(iavlOp!.type, "ics23:iavl")
  assert.is(simpleOp!.type, "ics23:simple")
  assert.equal(simpleOp!.key, enc.encode(name))
  const inner = ics23.CommitmentProof.decode(iavlOp!.data)
  const outer = ics23.CommitmentProof.decode(simpleOp!.data)
  const ex = inner.exist ?? inner.nonexist!.left ?? inner.nonexist!.right
  const storeRoot = calculateExistenceRoot(ex!)
  const rootOk = verifyMembership(outer, tendermintSpec, appHash, enc.encode(name), storeRoot)
  const keyOk = r.value !== undefined
    ? verifyMembership(inner, iavlSpec, storeRoot, r.key, r.value)
    : verifyNonMembership(inner, iavlSpec, storeRoot, r.key)
  return rootOk && keyOk
}

const key = (i: number) => b(`key/${i.toString().padStart(5, "0")}`)

const build = async (): Promise<{ ms: CommitMultiStore; hashes: Map<number, Uint8Array>; model: Map<number, Map<string, string>> }> => {
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["bank", "graph", "acc", "wasm", "ibc"] })
  const hashes = new Map<number, Uint8Array>()
  const model = new Map<number, Map<string, string>>()
  const live = new Map<string, string>()
  const rnd = prng(11)
  for (let v = 1; v <= 4; v++) {
    for (let j = 0; j < 300; j++) {
      const i = Math.floor(rnd() * 600) * 2 // even keys only: odd keys are always absent
      const k = key(i)
      if (rnd() < 0.25) {
        ms.store("bank").delete(k)
        live.delete(String(i))
      } else {
        ms.store("bank").set(k, b(`v${v}-${j}`))
        live.set(String(i), `v${v}-${j}`)
      }
      ms.store("graph").set(k, b("g"))
    }
    const c = await ms.commit()
    hashes.set(c.version, c.hash)
    model.set(c.version, new Map(live))
  }
  return { ms, hashes, model }
}

t("present and absent keys at the latest height verify up to the app hash", async () => {
  const { ms, hashes, model } = await build()
  const last = ms.lastCommit()
  assert.equal(last.hash, hashes.get(4))
  let present = 0
  let absent = 0
  for (let i = -1; i <= 1201; i += 7) {
    const k = i < 0 ? b("a-before-all") : i > 1200 ? b("z-after-all") : key(i)
    const r = await ms.query("bank", k, 0, true)
    assert.is(r.height, 4)
    const want = model.get(4)!.get(String(i))
    assert.is(r.value === undefined ? undefined : new TextDecoder().decode(r.value), want)
    assert.ok(verifyChain(r, "bank", last.hash), `proof of key ${i}`)
    if (r.value) present++
    else absent++
  }
  assert.ok(present > 20 && absent > 20, `${present} present, ${absent} absent`)
  await ms.close()
})

t("older height: value and proof are those of that version", async () => {
  const { ms, hashes, model } = await build()
  for (const h of [1, 2, 3]) {
    for (let i = 0; i <= 1200; i += 37) {
      const r = await ms.query("bank", key(i), h, true)
      assert.is(r.height, h)
      const want = model.get(h)!.get(String(i))
      assert.is(r.value === undefined ? undefined : new TextDecoder().decode(r.value), want)
      assert.ok(verifyChain(r, "bank", hashes.get(h)!), `height ${h} key ${i}`)
      assert.not.ok(verifyChain(r, "bank", hashes.get(4)!), "an old proof does not verify against the new app hash")
    }
  }
  await ms.close()
})

t("a tampered value or a wrong key fails verification", async () => {
  const { ms } = await build()
  const appHash = ms.lastCommit().hash
  let r = await ms.query("bank", key(0), 0, true)
  for (let i = 2; r.value === undefined; i += 2) r = await ms.query("bank", key(i), 0, true)
  assert.ok(verifyChain(r, "bank", appHash))
  assert.not.ok(verifyChain({ ...r, value: b("forged") }, "bank", appHash))
  const absent = await ms.query("bank", key(1), 0, true)
  assert.not.ok(verifyChain({ ...absent, key: r.key }, "bank", appHash), "non-existence of a present key must fail")
  await ms.close()
})

t("proof in a namespace with a single key, and an empty namespace gives a typed error", async () => {
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["one", "empty"] })
  ms.store("one").set(b("k"), b("v"))
  const c = await ms.commit()
  assert.ok(verifyChain(await ms.query("one", b("k"), 1, true), "one", c.hash))
  assert.ok(verifyChain(await ms.query("one", b("a"), 1, true), "one", c.hash))
  assert.ok(verifyChain(await ms.query("one", b("z"), 1, true), "one", c.hash))
  const plain = await ms.query("empty", b("k"), 1, false)
  assert.is(plain.value, undefined)
  try {
    await ms.query("empty", b("k"), 1, true)
    assert.unreachable()
  } catch (e) {
    assert.is((e as { reason?: string }).reason, "empty-tree")
  }
  await ms.close()
})

t.run()
