/**
 * The crypto and address imports of the CosmWasm VM, called by a hand-written contract with
 * vectors made here by @noble/curves: result codes as cosmwasm-crypto 2.2 (0 valid, 1 invalid,
 * 3/4/5 format errors...), outputs written back through regions, gas as cosmwasm-vm's GasConfig.
 */
import { bls12_381 } from "@noble/curves/bls12-381.js"
import { ed25519 } from "@noble/curves/ed25519.js"
import { p256 } from "@noble/curves/nist.js"
import { secp256k1 } from "@noble/curves/secp256k1.js"
import { toBech32 } from "@cosmjs/encoding"
import { sha256 } from "@noble/hashes/sha2.js"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { makeCosmWasmVm } from "../../modules/cyberwasm/cosmwasm/vm/CosmWasmVmLive.ts"
import { addr, contract, TestBackend } from "./vm-support.ts"

const test = suite("cosmwasm vm: crypto and address imports")
const vm = makeCosmWasmVm()

const imports = `
  (import "env" "secp256k1_verify" (func $k1v (param i32 i32 i32) (result i32)))
  (import "env" "secp256k1_recover_pubkey" (func $k1r (param i32 i32 i32) (result i64)))
  (import "env" "secp256r1_verify" (func $r1v (param i32 i32 i32) (result i32)))
  (import "env" "ed25519_verify" (func $edv (param i32 i32 i32) (result i32)))
  (import "env" "bls12_381_pairing_equality" (func $pair (param i32 i32 i32 i32) (result i32)))
  (import "env" "bls12_381_hash_to_g2" (func $h2g2 (param i32 i32 i32 i32) (result i32)))
  (import "env" "addr_canonicalize" (func $canon (param i32 i32) (result i32)))
  (import "env" "addr_humanize" (func $human (param i32 i32) (result i32)))
  (import "env" "addr_validate" (func $validate (param i32) (result i32)))`

/** Contract whose msg is `len1 len2 len3 (u32 LE each) || part1 || part2 || part3` and whose body calls `fn` on the 3 parts. */
const three = (call: string) => contract(`(local $d i32) (local $a i32) (local $b i32) (local $c i32) (local $r i64) (local $out i32) (local $e i32)
  (local.set $d (i32.load (local.get $msg)))
  (local.set $a (call $region (i32.add (local.get $d) (i32.const 12)) (i32.load (local.get $d)) (i32.load (local.get $d))))
  (local.set $b (call $region (i32.add (i32.add (local.get $d) (i32.const 12)) (i32.load (local.get $d))) (i32.load offset=4 (local.get $d)) (i32.load offset=4 (local.get $d))))
  (local.set $c (call $region (i32.add (i32.add (i32.add (local.get $d) (i32.const 12)) (i32.load (local.get $d))) (i32.load offset=4 (local.get $d))) (i32.load offset=8 (local.get $d)) (i32.load offset=8 (local.get $d))))
  ${call}`, { imports })

/** Returns the i32 result code as 4 bytes LE. */
const codeOf = (expr: string) => three(`(i32.store (i32.const 100) ${expr}) (call $region (i32.const 100) (i32.const 4) (i32.const 4))`)

const msg = (...parts: Uint8Array[]): Uint8Array => {
  const [a = new Uint8Array(0), b = new Uint8Array(0), c = new Uint8Array(0)] = parts
  const out = new Uint8Array(12 + a.length + b.length + c.length)
  const v = new DataView(out.buffer)
  v.setUint32(0, a.length, true)
  v.setUint32(4, b.length, true)
  v.setUint32(8, c.length, true)
  out.set(a, 12)
  out.set(b, 12 + a.length)
  out.set(c, 12 + a.length + b.length)
  return out
}

const query = (code: Uint8Array, m: Uint8Array, gasLimit = 10_000_000n) => {
  const { checksum } = vm.analyze(code)
  return vm.call({ checksum, entry: "query", args: [new Uint8Array(2), m], gasLimit, readOnly: true }, new TestBackend())
}
const code = (c: Uint8Array, m: Uint8Array) => Buffer.from(query(c, m).result).readUInt32LE(0)

const hash = sha256(new TextEncoder().encode("hello cosmwasm"))

test("secp256k1_verify: valid, wrong hash, high S accepted, format errors 3/4/5; 96 M CW gas", () => {
  const sk = new Uint8Array(32).fill(7)
  const pk = secp256k1.getPublicKey(sk, true)
  const sig = secp256k1.sign(hash, sk, { prehash: false })
  const c = codeOf("(call $k1v (local.get $a) (local.get $b) (local.get $c))")
  assert.is(code(c, msg(hash, sig, pk)), 0)
  assert.is(code(c, msg(sha256(hash), sig, pk)), 1)
  const s = secp256k1.Signature.fromBytes(sig, "compact")
  const high = new secp256k1.Signature(s.r, secp256k1.Point.CURVE().n - s.s).toBytes("compact")
  assert.is(code(c, msg(hash, high, pk)), 0, "high-S normalised as cosmwasm-crypto does")
  assert.is(code(c, msg(hash.subarray(0, 31), sig, pk)), 3)
  assert.is(code(c, msg(hash, sig.subarray(0, 63), pk)), 4)
  assert.is(code(c, msg(hash, sig, pk.subarray(0, 32))), 5)
  const base = query(codeOf("(i32.const 0)"), msg(hash, sig, pk)).gasUsed
  const used = query(c, msg(hash, sig, pk)).gasUsed
  assert.ok(used - base >= 96_000_000n / 140_000n, `verify charged ${used - base} SDK gas`)
})

test("secp256k1_recover_pubkey: the 65-byte key through a new region; bad recovery param is code 6 in the high half", () => {
  const sk = new Uint8Array(32).fill(9)
  const rec = secp256k1.sign(hash, sk, { prehash: false, format: "recovered" })
  const c = three(`(local.set $r (call $k1r (local.get $a) (local.get $b) (i32.load (i32.load (local.get $c)))))
    (if (result i32) (i64.eqz (i64.shr_u (local.get $r) (i64.const 32)))
      (then (i32.wrap_i64 (local.get $r)))
      (else (i32.store (i32.const 100) (i32.wrap_i64 (i64.shr_u (local.get $r) (i64.const 32)))) (call $region (i32.const 100) (i32.const 4) (i32.const 4))))`)
  const out = query(c, msg(hash, rec.subarray(1), Uint8Array.of(rec[0]!, 0, 0, 0))).result
  assert.equal([...out], [...secp256k1.getPublicKey(sk, false)])
  assert.is(Buffer.from(query(c, msg(hash, rec.subarray(1), Uint8Array.of(2, 0, 0, 0))).result).readUInt32LE(0), 6)
})

test("secp256r1_verify and ed25519_verify", () => {
  const sk = new Uint8Array(32).fill(3)
  const sig = p256.sign(hash, sk, { prehash: false })
  const r1 = codeOf("(call $r1v (local.get $a) (local.get $b) (local.get $c))")
  assert.is(code(r1, msg(hash, sig, p256.getPublicKey(sk, true))), 0)
  assert.is(code(r1, msg(hash, sig, p256.getPublicKey(new Uint8Array(32).fill(4), true))), 1)
  const ek = new Uint8Array(32).fill(5)
  const text = new TextEncoder().encode("a message of any length")
  const ed = codeOf("(call $edv (local.get $a) (local.get $b) (local.get $c))")
  assert.is(code(ed, msg(text, ed25519.sign(text, ek), ed25519.getPublicKey(ek))), 0)
  assert.is(code(ed, msg(hash, ed25519.sign(text, ek), ed25519.getPublicKey(ek))), 1)
  assert.is(code(ed, msg(text, ed25519.sign(text, ek).subarray(1), ed25519.getPublicKey(ek))), 4)
})

test("bls12-381: a BLS signature checks by pairing equality; hash_to_g2 writes the point noble computes", () => {
  const sk = new Uint8Array(32).fill(1)
  const dst = new TextEncoder().encode("BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_")
  const text = new TextEncoder().encode("drand round 42")
  const { longSignatures } = bls12_381
  const pk = longSignatures.getPublicKey(sk).toBytes(true)
  const sig = longSignatures.sign(longSignatures.hash(text, dst), sk).toBytes(true)
  const hm = longSignatures.hash(text, dst).toBytes(true)
  const g1 = bls12_381.G1.Point.BASE.toBytes(true)
  // e(pk, H(m)) == e(G1, sig); regions: ps = pk, qs = H(m) (from msg), r = G1, s = sig
  const four = contract(`(local $d i32)
    (local.set $d (i32.add (i32.load (local.get $msg)) (i32.const 0)))
    (i32.store (i32.const 100) (call $pair
      (call $region (local.get $d) (i32.const 48) (i32.const 48))
      (call $region (i32.add (local.get $d) (i32.const 48)) (i32.const 96) (i32.const 96))
      (call $region (i32.add (local.get $d) (i32.const 144)) (i32.const 48) (i32.const 48))
      (call $region (i32.add (local.get $d) (i32.const 192)) (i32.const 96) (i32.const 96))))
    (call $region (i32.const 100) (i32.const 4) (i32.const 4))`, { imports })
  const cat = (...xs: Uint8Array[]) => Uint8Array.from(xs.flatMap((x) => [...x]))
  assert.is(code(four, cat(pk, hm, g1, sig)), 0)
  assert.is(code(four, cat(pk, longSignatures.hash(new TextEncoder().encode("round 43"), dst).toBytes(true), g1, sig)), 1)
  assert.is(code(four, cat(pk.map((b, i) => (i === 47 ? b ^ 1 : b)), hm, g1, sig)), 8, "not a point")
  const h2 = three(`(local.set $out (call $alloc (i32.const 96)))
    (drop (call $h2g2 (i32.const 0) (local.get $a) (local.get $b) (local.get $out))) (local.get $out)`)
  assert.equal([...query(h2, msg(text, dst)).result], [...hm])
})

test("addresses: canonicalize / humanize round trip, user errors as messages, validate normalisation", () => {
  const human = addr(0x42)
  const enc = new TextEncoder()
  const canon = three(`(local.set $out (call $alloc (i32.const 64)))
    (local.set $e (call $canon (local.get $a) (local.get $out)))
    (if (result i32) (local.get $e) (then (local.get $e)) (else (local.get $out)))`)
  assert.equal([...query(canon, msg(enc.encode(human))).result], Array(20).fill(0x42))
  assert.is(new TextDecoder().decode(query(canon, msg(enc.encode(toBech32("osmo", new Uint8Array(20).fill(1))))).result), "invalid Bech32 prefix; expected cosmos, got osmo")
  assert.is(new TextDecoder().decode(query(canon, msg(new Uint8Array(0))).result), "Input is empty")
  assert.ok(new TextDecoder().decode(query(canon, msg(enc.encode("cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"))).result).startsWith("decoding bech32 failed"))
  const human2 = three(`(local.set $out (call $alloc (i32.const 128)))
    (local.set $e (call $human (local.get $a) (local.get $out)))
    (if (result i32) (local.get $e) (then (local.get $e)) (else (local.get $out)))`)
  assert.is(new TextDecoder().decode(query(human2, msg(new Uint8Array(20).fill(0x42))).result), human)
  assert.is(new TextDecoder().decode(query(human2, msg(new Uint8Array(0))).result), "addresses cannot be empty: unknown address")
  const validate = three(`(local.set $e (call $validate (local.get $a)))
    (if (result i32) (local.get $e) (then (local.get $e)) (else (call $region (i32.const 100) (i32.const 0) (i32.const 0))))`)
  assert.is(query(validate, msg(enc.encode(human))).result.length, 0)
  assert.is(new TextDecoder().decode(query(validate, msg(enc.encode(human.toUpperCase()))).result), "address not normalized")
})

test.run()
