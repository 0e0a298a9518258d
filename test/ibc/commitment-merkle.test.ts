/**
 * 23-commitment MerkleProof verification (ibc-go merkle.go) over proofs from our IAVL multi-store:
 * GetSDKSpecs, the argument checks and their commitment codes, spec mismatch, chained roots.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { iavlSpec, tendermintSpec } from "@confio/ics23"
import { CommitmentProof, HashOp, LengthOp } from "cosmjs-types/cosmos/ics23/v1/proofs"
import { MerkleProof } from "cosmjs-types/ibc/core/commitment/v1/commitment"
import { applyPrefix, decodeMerkleProof, sdkSpecs, verifyMembership, verifyNonMembership } from "../../modules/ibc/commitment/MerkleProof.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import { refused } from "./lightclient-support.ts"

const enc = new TextEncoder()
const KEY = enc.encode("connections/connection-0")
const VALUE = enc.encode("connection end bytes")

const fixture = async () => {
  const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["acc", "bank", "ibc"] })
  ms.store("ibc").set(KEY, VALUE)
  ms.store("ibc").set(enc.encode("clients/07-tendermint-0/clientState"), enc.encode("cs"))
  ms.store("bank").set(enc.encode("b"), enc.encode("1"))
  const c = await ms.commit()
  const q = async (k: Uint8Array) => {
    const r = await ms.query("ibc", k, c.version, true)
    return MerkleProof.fromPartial({ proofs: r.proof!.ops.map((op) => CommitmentProof.decode(op.data)) })
  }
  return { ms, root: c.hash, present: await q(KEY), absent: await q(enc.encode("connections/connection-9")) }
}

test("GetSDKSpecs: the IAVL spec then the Tendermint spec, as cosmos/ics23 defines them", () => {
  const [iavl, tmSpec] = sdkSpecs()
  assert.equal([...iavl!.leafSpec!.prefix], [0])
  assert.is(iavl!.leafSpec!.hash, HashOp.SHA256)
  assert.is(iavl!.leafSpec!.prehashValue, HashOp.SHA256)
  assert.is(iavl!.leafSpec!.length, LengthOp.VAR_PROTO)
  assert.equal([iavl!.innerSpec!.childSize, iavl!.innerSpec!.minPrefixLength, iavl!.innerSpec!.maxPrefixLength], [33, 4, 12])
  assert.equal([tmSpec!.innerSpec!.childSize, tmSpec!.innerSpec!.minPrefixLength, tmSpec!.innerSpec!.maxPrefixLength], [32, 1, 1])
  assert.is(sdkSpecs().length, 2)
  assert.ok(iavlSpec && tendermintSpec)
})

test("membership and non-membership of our store's proofs; path is [prefix, key]", async () => {
  const f = await fixture()
  try {
    verifyMembership(sdkSpecs(), f.root, f.present, applyPrefix(enc.encode("ibc"), KEY), VALUE)
    verifyNonMembership(sdkSpecs(), f.root, f.absent, applyPrefix(enc.encode("ibc"), enc.encode("connections/connection-9")))
    // decoding the bytes a relayer sends gives the same proof
    verifyMembership(sdkSpecs(), f.root, decodeMerkleProof(MerkleProof.encode(f.present).finish()), [enc.encode("ibc"), KEY], VALUE)
  } finally { await f.ms.close() }
})

test("argument checks with ibc-go's codes: empty proof/root, spec count, path length, empty value", async () => {
  const f = await fixture()
  try {
    const p = [enc.encode("ibc"), KEY]
    const cases: Array<[() => void, string]> = [
      [() => verifyMembership(sdkSpecs(), f.root, { proofs: [] }, p, VALUE), "commitment/4 proof cannot be empty: invalid merkle proof"],
      [() => verifyMembership(sdkSpecs(), new Uint8Array(0), f.present, p, VALUE), "commitment/4 root cannot be empty: invalid merkle proof"],
      [() => verifyMembership(sdkSpecs().slice(0, 1), f.root, f.present, p, VALUE), "commitment/4 length of specs: 1 not equal to length of proof: 2: invalid merkle proof"],
      [() => verifyMembership(sdkSpecs(), f.root, f.present, [...p, KEY], VALUE), "commitment/2 path length 3 not same as proof 2: invalid proof"],
      [() => verifyMembership(sdkSpecs(), f.root, f.present, p, new Uint8Array(0)), "commitment/2 empty value in membership proof: invalid proof"],
      [() => verifyNonMembership(sdkSpecs(), f.root, { proofs: [{}, f.present.proofs[1]!] }, p), "commitment/2 expected proof type: *ics23.CommitmentProof_Exist, got: <nil>: invalid proof"],
      [() => verifyMembership(sdkSpecs(), f.root, { proofs: [{ batch: { entries: [] } }, f.present.proofs[1]!] }, p, VALUE), "commitment/2 expected proof type: *ics23.CommitmentProof_Exist, got: *ics23.CommitmentProof_Batch: invalid proof"]
    ]
    for (const [f2, want] of cases) {
      const e = refused(f2)
      assert.is(`${e.codespace}/${e.code} ${e.log}`, want)
    }
  } finally { await f.ms.close() }
})

test("specs matter: an IAVL proof checked with the Tendermint spec (swapped specs) is refused", async () => {
  const f = await fixture()
  try {
    const swapped = [sdkSpecs()[1]!, sdkSpecs()[0]!]
    const e = refused(() => verifyMembership(swapped, f.root, f.present, [enc.encode("ibc"), KEY], VALUE))
    assert.is(`${e.codespace}/${e.code}`, "commitment/2")
    assert.match(e.log, /^chained membership proof failed to verify membership of value: .* at index 0\./)
    // a wrong root: the chain computes the app hash and compares
    const wrongRoot = Uint8Array.from(f.root)
    wrongRoot[31]! ^= 1
    const e2 = refused(() => verifyMembership(sdkSpecs(), wrongRoot, f.present, [enc.encode("ibc"), KEY], VALUE))
    assert.match(e2.log, /^proof did not commit to expected root: /)
    // a non-membership proof for a key it does not cover
    const e3 = refused(() => verifyNonMembership(sdkSpecs(), f.root, f.absent, [enc.encode("ibc"), KEY]))
    assert.is(e3.log, "could not verify absence of key connections/connection-0. Please ensure that the path is correct.: invalid proof")
  } finally { await f.ms.close() }
})

test.run()
