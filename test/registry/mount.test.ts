/**
 * CommitMultiStore.mount (how an activated machine's namespace joins the app hash): a mounted
 * namespace is absent from the CommitInfo until the next commit, is in every CommitInfo after, its
 * ICS-23 proofs verify (@confio/ics23) against the app hash from then on, and a proof at an earlier
 * height is refused as unknown-store. Reopening with the namespace mounted gives the same hashes.
 */
import { calculateExistenceRoot, ics23, iavlSpec, tendermintSpec, verifyMembership } from "@confio/ics23"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"

const enc = new TextEncoder()
const hex = (u: Uint8Array) => Buffer.from(u).toString("hex")

test("mount at runtime: joins the app hash at the next commit; proofs verify from then on", async () => {
  const memory = new MemoryStorage()
  const ms = await openCommitMultiStore({ memory, namespaces: ["registry"] })
  ms.store("registry").set(enc.encode("m/auth"), enc.encode("a"))
  const c1 = await ms.commit()
  const plain = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["registry"] })
  plain.store("registry").set(enc.encode("m/auth"), enc.encode("a"))
  assert.is(hex((await plain.commit()).hash), hex(c1.hash))

  ms.mount("graph")
  ms.mount("graph") // idempotent
  assert.equal(ms.storeRoots().map((r) => r.name), ["registry"], "not in the last CommitInfo yet")
  ms.store("graph").set(enc.encode("k"), enc.encode("v"))
  const c2 = await ms.commit()
  assert.equal(ms.storeRoots().map((r) => r.name), ["graph", "registry"])

  const r = await ms.query("graph", enc.encode("k"), 2, true)
  const [iavlOp, simpleOp] = r.proof!.ops
  const inner = ics23.CommitmentProof.decode(iavlOp!.data)
  const outer = ics23.CommitmentProof.decode(simpleOp!.data)
  const storeRoot = calculateExistenceRoot(inner.exist!)
  assert.ok(verifyMembership(inner, iavlSpec, storeRoot, enc.encode("k"), enc.encode("v")))
  assert.ok(verifyMembership(outer, tendermintSpec, c2.hash, enc.encode("graph"), storeRoot))
  try {
    await ms.query("graph", enc.encode("k"), 1, true)
    assert.unreachable("no proof before the namespace existed")
  } catch (e) {
    assert.is((e as { reason?: string }).reason, "unknown-store")
  }
  assert.throws(() => ms.mount("bad name"), /invalid store name/)
  await ms.close()

  // a restarted node mounts it again (as the Application does from the registry): same state and hash
  const again = await openCommitMultiStore({ memory, namespaces: ["registry"] })
  again.mount("graph")
  assert.is(hex(again.workingHash()), hex(c2.hash))
  assert.equal(again.storeRoots().map((x) => x.name), ["graph", "registry"])
  await again.close()
})

test.run()
