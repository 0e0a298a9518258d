/**
 * The crypto imports' semantics (cosmwasm-crypto 2.2, packages/crypto/src) over @noble/curves:
 * results are cosmwasm's codes (0 valid / success, 1 invalid, CryptoError::code() otherwise:
 * 3 hash format, 4 signature format, 5 pubkey format, 6 recovery param, 7 batch, 8 invalid
 * point, 9 unknown hash function, 10 generic, 11/12/13 pairing input, 14/15 aggregation input).
 */
import { bls12_381 } from "@noble/curves/bls12-381.js"
import { ed25519 } from "@noble/curves/ed25519.js"
import { p256 } from "@noble/curves/nist.js"
import { secp256k1 } from "@noble/curves/secp256k1.js"

/** A code, or a code with output bytes. */
export type CryptoResult = { readonly code: number; readonly out?: Uint8Array }

const G1_LEN = 48
const G2_LEN = 96

type Ecdsa = typeof secp256k1

const checkPubkey = (pk: Uint8Array): boolean =>
  ((pk[0] === 2 || pk[0] === 3) && pk.length === 33) || (pk[0] === 4 && pk.length === 65)

/** secp256k1_verify / secp256r1_verify: prehashed 32-byte hash, 64-byte r||s (high S accepted), SEC1 key. */
export const ecdsaVerify = (curve: Ecdsa | typeof p256, hash: Uint8Array, sig: Uint8Array, pubkey: Uint8Array): number => {
  if (hash.length !== 32) return 3
  if (sig.length !== 64) return 4
  if (!checkPubkey(pubkey)) return 5
  try {
    return curve.verify(sig, hash, pubkey, { prehash: false, lowS: false, format: "compact" }) ? 0 : 1
  } catch {
    return 1
  }
}

/** secp256k1/r1_recover_pubkey: the 65-byte uncompressed key, recovery param 0 or 1 only. */
export const ecdsaRecover = (curve: Ecdsa | typeof p256, hash: Uint8Array, sig: Uint8Array, param: number): CryptoResult => {
  if (hash.length !== 32) return { code: 3 }
  if (sig.length !== 64) return { code: 4 }
  if (param !== 0 && param !== 1) return { code: 6 }
  try {
    const s = curve.Signature.fromBytes(sig, "compact").addRecoveryBit(param)
    return { code: 0, out: s.recoverPublicKey(hash).toBytes(false) }
  } catch {
    return { code: 10 }
  }
}

/** ed25519_verify (ZIP-215 rules, as ed25519-zebra). */
export const ed25519Verify = (msg: Uint8Array, sig: Uint8Array, pubkey: Uint8Array): number => {
  if (sig.length !== 64) return 4
  if (pubkey.length !== 32) return 5
  try {
    return ed25519.verify(sig, msg, pubkey, { zip215: true }) ? 0 : 1
  } catch {
    return 1
  }
}

/** ed25519_batch_verify: one message or one key may be shared by all signatures. */
export const ed25519BatchVerify = (msgs: Uint8Array[], sigs: Uint8Array[], keys: Uint8Array[]): number => {
  let m = msgs
  let k = keys
  if (m.length === sigs.length && m.length === k.length) { /* as given */ }
  else if (m.length === 1 && sigs.length === k.length) m = sigs.map(() => msgs[0]!)
  else if (k.length === 1 && m.length === sigs.length) k = m.map(() => keys[0]!)
  else return 7
  for (const s of sigs) if (s.length !== 64) return 4
  for (const p of k) if (p.length !== 32) return 5
  for (let i = 0; i < sigs.length; i++) if (ed25519Verify(m[i]!, sigs[i]!, k[i]!) !== 0) return 1
  return 0
}

const g1 = (b: Uint8Array) => bls12_381.G1.Point.fromBytes(b)
const g2 = (b: Uint8Array) => bls12_381.G2.Point.fromBytes(b)

/** bls12_381_aggregate_g1/g2: sum of compressed points. */
export const blsAggregate = (group: 1 | 2, points: Uint8Array): CryptoResult => {
  const len = group === 1 ? G1_LEN : G2_LEN
  if (points.length === 0) return { code: 14 }
  if (points.length % len !== 0) return { code: 15 }
  try {
    if (group === 1) {
      let acc = bls12_381.G1.Point.ZERO
      for (let i = 0; i < points.length; i += len) acc = acc.add(g1(points.subarray(i, i + len)))
      return { code: 0, out: acc.toBytes(true) }
    }
    let acc = bls12_381.G2.Point.ZERO
    for (let i = 0; i < points.length; i += len) acc = acc.add(g2(points.subarray(i, i + len)))
    return { code: 0, out: acc.toBytes(true) }
  } catch {
    return { code: 8 }
  }
}

/** bls12_381_pairing_equality: e(p1, q1) * … * e(pn, qn) == e(r, s). */
export const blsPairingEquality = (ps: Uint8Array, qs: Uint8Array, r: Uint8Array, s: Uint8Array): number => {
  if (ps.length % G1_LEN !== 0) return 11
  if (qs.length % G2_LEN !== 0) return 12
  if (Math.floor(ps.length / G1_LEN) !== Math.floor(qs.length / G2_LEN)) return 13
  try {
    const pairs = []
    for (let i = 0; i * G1_LEN < ps.length; i++) {
      pairs.push({ g1: g1(ps.subarray(i * G1_LEN, (i + 1) * G1_LEN)), g2: g2(qs.subarray(i * G2_LEN, (i + 1) * G2_LEN)) })
    }
    pairs.push({ g1: g1(r).negate(), g2: g2(s) })
    const { Fp12 } = bls12_381.fields
    return Fp12.eql(bls12_381.pairingBatch(pairs), Fp12.ONE) ? 0 : 1
  } catch {
    return 8
  }
}

/** bls12_381_hash_to_g1/g2 (RFC 9380, hash function 0 = SHA-256 only). */
export const blsHashToCurve = (group: 1 | 2, hashFunction: number, msg: Uint8Array, dst: Uint8Array): CryptoResult => {
  if (hashFunction !== 0) return { code: 9 }
  const point = group === 1 ? bls12_381.G1.hashToCurve(msg, { DST: dst }) : bls12_381.G2.hashToCurve(msg, { DST: dst })
  return { code: 0, out: point.toBytes(true) }
}
