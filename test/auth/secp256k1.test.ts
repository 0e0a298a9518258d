/**
 * The signature verifiers agree: libsecp256k1 (addon, when built), node:crypto and @noble/curves
 * (reference) on valid signatures and on every kind of bad input, with the SDK's low-S rule.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { secp256k1 } from "@noble/curves/secp256k1.js"
import { createHash } from "node:crypto"
import { clearVerifyCache, selectVerifier, verifySecp256k1 } from "../../modules/auth/internal/Secp256k1.ts"

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const hex32 = (v: bigint) => Buffer.from(v.toString(16).padStart(64, "0"), "hex")
const sha = (m: Uint8Array) => createHash("sha256").update(m).digest()

interface Vector { readonly name: string; readonly pub: Uint8Array; readonly msg: Uint8Array; readonly sig: Uint8Array; readonly valid: boolean }

const vectors: Vector[] = []
for (let i = 1; i <= 20; i++) {
  const sk = sha(Buffer.from(`key ${i}`))
  const pub = secp256k1.getPublicKey(sk, true)
  const msg = Buffer.from(`sign doc ${i} `.repeat(i))
  const sig = secp256k1.sign(sha(msg), sk, { prehash: false })
  vectors.push({ name: `valid ${i}`, pub, msg, sig, valid: true })
  vectors.push({ name: `other message ${i}`, pub, msg: Buffer.concat([msg, Buffer.of(1)]), sig, valid: false })
  const bad = Uint8Array.from(sig)
  bad[i % 64] = bad[i % 64]! ^ 0x80
  vectors.push({ name: `flipped bit ${i}`, pub, msg, sig: bad, valid: false })
  const s = BigInt("0x" + Buffer.from(sig.subarray(32)).toString("hex"))
  vectors.push({ name: `high S ${i}`, pub, msg, sig: Uint8Array.from([...sig.subarray(0, 32), ...hex32(N - s)]), valid: false })
  vectors.push({ name: `r overflow ${i}`, pub, msg, sig: Uint8Array.from([...hex32(N + 1n), ...sig.subarray(32)]), valid: false })
  vectors.push({ name: `s zero ${i}`, pub, msg, sig: Uint8Array.from([...sig.subarray(0, 32), ...hex32(0n)]), valid: false })
  const offCurve = Uint8Array.from(pub)
  offCurve[32] = offCurve[32]! ^ 1
  vectors.push({ name: `key ${i} altered`, pub: offCurve, msg, sig, valid: false })
  const otherPrefix = Uint8Array.from(pub)
  otherPrefix[0] = pub[0] === 2 ? 3 : 2
  vectors.push({ name: `key ${i} negated`, pub: otherPrefix, msg, sig, valid: false })
}
vectors.push({ name: "short signature", pub: vectors[0]!.pub, msg: vectors[0]!.msg, sig: vectors[0]!.sig.subarray(0, 63), valid: false })
vectors.push({ name: "uncompressed key", pub: secp256k1.getPublicKey(sha(Buffer.from("key 1")), false), msg: vectors[0]!.msg, sig: vectors[0]!.sig, valid: false })

const reference = (v: Vector): boolean => {
  try {
    return v.pub.length === 33 && secp256k1.verify(v.sig, sha(v.msg), v.pub, { prehash: false, lowS: true })
  } catch {
    return false
  }
}

for (const name of ["node:crypto", "libsecp256k1"] as const) {
  test(`${name} agrees with @noble/curves on ${vectors.length} vectors`, () => {
    // `npm install` builds the addon from the libsecp256k1 source in node_modules/secp256k1 on
    // every machine, so its absence is a failure here, not a skip.
    assert.is(selectVerifier(name), name, `${name} verifier not available: run \`node modules/auth/native/build.mjs\` and read its warning`)
    for (const v of vectors) {
      clearVerifyCache()
      assert.is(reference(v), v.valid, `reference: ${v.name}`)
      assert.is(verifySecp256k1(v.pub, v.msg, v.sig), v.valid, v.name)
      assert.is(verifySecp256k1(v.pub, v.msg, v.sig), v.valid, `${v.name} (cached)`)
    }
  })
}

test("a message given as a function: asked for only when needed (no digest, or a verification to run), at most once", () => {
  for (const name of ["node:crypto", "libsecp256k1"] as const) {
    selectVerifier(name)
    for (const v of vectors.slice(0, 16)) {
      let asked = 0
      const msg = () => (asked++, v.msg)
      clearVerifyCache()
      assert.is(verifySecp256k1(v.pub, msg, v.sig), v.valid, `${name} ${v.name}: no digest`)
      assert.ok(asked <= 1, `${name} ${v.name}: asked ${asked} times`)
      asked = 0
      clearVerifyCache()
      assert.is(verifySecp256k1(v.pub, msg, v.sig, sha(v.msg)), v.valid, `${name} ${v.name}: with digest`)
      // libsecp256k1 verifies the digest alone; node:crypto needs the message for a valid signature
      if (name === "libsecp256k1") assert.is(asked, 0, `${v.name}: libsecp256k1 asked for the message`)
      else if (v.valid) assert.is(asked, 1, `${v.name}: node:crypto verified without the message`)
      else assert.ok(asked <= 1)
      asked = 0
      if (v.valid) {
        assert.ok(verifySecp256k1(v.pub, msg, v.sig, sha(v.msg)), `${name} ${v.name}: cached`)
        assert.is(asked, 0, `${name} ${v.name}: a cache hit with the digest does not need the message`)
      }
    }
  }
})

test.run()
