/**
 * Groth16 over BN254 (snarkjs's "bn128"): parsing snarkjs JSON, the canonical key encoding and
 * synchronous verification with `@noble/curves/bn254.js` (audited, pure BigInt arithmetic, no
 * workers or Wasm, so it runs inside a synchronous machine handler and is deterministic).
 *
 * Canonical key bytes (what a key's hash is taken over and what state holds), all big-endian:
 *   n_public u32 | alpha G1 | beta G2 | gamma G2 | delta G2 | IC[0..n_public] G1
 * G1 = x (32) || y (32); the point at infinity is 64 zero bytes (EIP-196).
 * G2 = x.c1 || x.c0 || y.c1 || y.c0, 32 bytes each (EIP-197 order: imaginary part first).
 * snarkjs writes G2 coordinates as [c0, c1] pairs; `vk_alphabeta_12` is ignored (recomputed).
 *
 * Verification (snarkjs groth16_verify.js, eprint 2016/260):
 *   vk_x = IC[0] + sum_i input_i * IC[i+1]
 *   e(A, B) == e(alpha, beta) * e(vk_x, gamma) * e(C, delta)
 * computed as one Miller loop over (A, B), (-vk_x, gamma), (-C, delta), one final exponentiation,
 * compared with e(alpha, beta) (kept per prepared key). Zero G1 terms contribute 1 and are skipped.
 *
 * Errors are raised through the {@link Refusals} callbacks so the caller's typed chain errors
 * name the field; nothing here decides gas.
 */
import { bn254 } from "@noble/curves/bn254.js"

type G1Point = InstanceType<typeof bn254.G1.Point>
type G2Point = InstanceType<typeof bn254.G2.Point>
type Fp12 = ReturnType<typeof bn254.fields.Fp12.create>
type Precompute = Parameters<typeof bn254.millerLoopBatch>[0][number][0]

/** Base field modulus p of BN254. */
export const FIELD_P: bigint = bn254.fields.Fp.ORDER
/** Scalar field modulus r of BN254: public inputs must be below it. */
export const FIELD_R: bigint = bn254.fields.Fr.ORDER

/** How a parse or check failure is reported: each returns the error to throw. */
export interface Refusals {
  /** The key JSON is not a valid Groth16 BN254 snarkjs key; `field` names the JSON path. */
  malformedKey(field: string, why: string): Error
  /** The proof JSON is not a valid Groth16 BN254 snarkjs proof; `field` names the JSON path. */
  malformedProof(field: string, why: string): Error
}

/** A parsed, validated verifying key. */
export interface VerifyingKey {
  readonly nPublic: number
  readonly alpha: G1Point
  readonly beta: G2Point
  readonly gamma: G2Point
  readonly delta: G2Point
  readonly ic: ReadonlyArray<G1Point>
}

/** A parsed, validated proof. */
export interface Proof {
  readonly a: G1Point
  readonly b: G2Point
  readonly c: G1Point
}

/** A key made ready for repeated verification: Miller-loop precomputes and e(alpha, beta). */
export interface PreparedKey {
  readonly key: VerifyingKey
  readonly gammaPre: Precompute
  readonly deltaPre: Precompute
  readonly alphaBeta: Fp12
}

const DECIMAL = /^[0-9]{1,80}$/

/** A decimal string below `modulus` as a bigint, or undefined. */
export const decimalBelow = (v: unknown, modulus: bigint): bigint | undefined => {
  if (typeof v !== "string" || !DECIMAL.test(v)) return undefined
  const n = BigInt(v)
  return n < modulus ? n : undefined
}

type Fail = (field: string, why: string) => Error

const coord = (v: unknown, field: string, fail: Fail): bigint => {
  const n = decimalBelow(v, FIELD_P)
  if (n === undefined) throw fail(field, "expected a decimal string below the BN254 base field modulus")
  return n
}

const isArray = (v: unknown, lengths: ReadonlyArray<number>): v is unknown[] => Array.isArray(v) && lengths.includes(v.length)

/**
 * A snarkjs G1 point `[x, y, z]` (z "1", or "0" with [0, 1, 0] for infinity when `zeroOk`). Checked
 * on the curve. Affine (0, 0) is infinity to noble (and EIP-196): refused like z = 0 unless `zeroOk`.
 */
const g1 = (v: unknown, field: string, fail: Fail, zeroOk: boolean): G1Point => {
  if (!isArray(v, [2, 3])) throw fail(field, "expected a G1 point [x, y, z] of decimal strings")
  const x = coord(v[0], `${field}[0]`, fail)
  const y = coord(v[1], `${field}[1]`, fail)
  const z = v.length === 3 ? coord(v[2], `${field}[2]`, fail) : 1n
  if (z === 0n) {
    if (!zeroOk) throw fail(field, "the point at infinity is not allowed here")
    if (x !== 0n || y !== 1n) throw fail(field, "the point at infinity must be written [\"0\", \"1\", \"0\"]")
    return bn254.G1.Point.ZERO
  }
  if (z !== 1n) throw fail(`${field}[2]`, "expected affine coordinates (z = \"1\")")
  if (x === 0n && y === 0n) {
    if (!zeroOk) throw fail(field, "the point at infinity is not allowed here")
    return bn254.G1.Point.ZERO
  }
  let p: G1Point
  try {
    p = bn254.G1.Point.fromAffine({ x, y })
    p.assertValidity()
  } catch {
    throw fail(field, "not a point of the BN254 G1 curve")
  }
  if (p.is0()) throw fail(field, "the point at infinity is not allowed here") // not reached: (0, 0) handled above
  return p
}

/**
 * A snarkjs G2 point `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`, checked on the twist and in the
 * r-torsion subgroup. Never at infinity: affine (0, 0) (noble's infinity, which its validity check
 * accepts) is refused; no G2 point of a key or proof may be infinity (beta, gamma, delta, B).
 */
const g2 = (v: unknown, field: string, fail: Fail): G2Point => {
  if (!isArray(v, [2, 3])) throw fail(field, "expected a G2 point [[x0, x1], [y0, y1], [\"1\", \"0\"]]")
  const pair = (w: unknown, f: string): [bigint, bigint] => {
    if (!isArray(w, [2])) throw fail(f, "expected a pair of decimal strings [c0, c1]")
    return [coord(w[0], `${f}[0]`, fail), coord(w[1], `${f}[1]`, fail)]
  }
  const [x0, x1] = pair(v[0], `${field}[0]`)
  const [y0, y1] = pair(v[1], `${field}[1]`)
  if (v.length === 3) {
    const [z0, z1] = pair(v[2], `${field}[2]`)
    if (z0 !== 1n || z1 !== 0n) throw fail(`${field}[2]`, "expected affine coordinates (z = [\"1\", \"0\"])")
  }
  if (x0 === 0n && x1 === 0n && y0 === 0n && y1 === 0n) throw fail(field, "the point at infinity is not allowed here")
  const Fp2 = bn254.fields.Fp2
  let p: G2Point
  try {
    p = bn254.G2.Point.fromAffine({ x: Fp2.create({ c0: x0, c1: x1 }), y: Fp2.create({ c0: y0, c1: y1 }) })
    p.assertValidity()
  } catch {
    throw fail(field, "not a point of the BN254 G2 subgroup")
  }
  if (p.is0()) throw fail(field, "the point at infinity is not allowed here")
  return p
}

const object = (v: unknown, field: string, fail: Fail): Record<string, unknown> => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw fail(field, "expected a JSON object")
  return v as Record<string, unknown>
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** Parse UTF-8 JSON text; `fail("", why)` on invalid UTF-8 or JSON. */
const json = (bytes: Uint8Array, fail: Fail): unknown => {
  try {
    return JSON.parse(utf8.decode(bytes))
  } catch (e) {
    throw fail("", `not UTF-8 JSON: ${(e as Error).message}`)
  }
}

/** A JSON value for a log, without calling anything on it (attacker JSON: no String(), no toString). */
const shown = (v: unknown): string =>
  typeof v === "string" ? JSON.stringify(v.slice(0, 40)) : typeof v === "number" || typeof v === "boolean" || v === null ? `${v}` : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : "nothing" // determinism-ok: a string

const header = (o: Record<string, unknown>, fail: Fail): void => {
  if (o.protocol !== undefined && (typeof o.protocol !== "string" || o.protocol !== "groth16")) throw fail("protocol", `expected "groth16", got ${shown(o.protocol)}`)
  if (o.curve !== undefined && (typeof o.curve !== "string" || (o.curve !== "bn128" && o.curve !== "bn254"))) throw fail("curve", `expected "bn128" (BN254), got ${shown(o.curve)}`)
}

/** A key JSON read but not yet checked: the object and its `nPublic` (what gas is charged on). */
export interface KeyDraft {
  readonly json: Record<string, unknown>
  readonly nPublic: number
}

const keyFail = (refusals: Refusals): Fail => (f, why) => refusals.malformedKey(f === "" ? "key" : `key.${f}`, why)

/**
 * First step of parsing a snarkjs verification_key.json (UTF-8 bytes): JSON, protocol, curve and
 * `nPublic` (at most `maxPublic`). Cheap; {@link parseKey} then checks the points. Throws
 * `refusals.malformedKey(field, why)`.
 */
export const readKeyJson = (bytes: Uint8Array, maxPublic: number, refusals: Refusals): KeyDraft => {
  const fail = keyFail(refusals)
  const o = object(json(bytes, fail), "", fail)
  if (typeof o.protocol !== "string" || o.protocol !== "groth16") throw fail("protocol", `expected "groth16", got ${shown(o.protocol)}`)
  header(o, fail)
  const n = o.nPublic
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw fail("nPublic", "expected a non-negative integer")
  if (n > maxPublic) throw fail("nPublic", `${n} public inputs, more than the limit ${maxPublic}`)
  if (!Array.isArray(o.IC) || o.IC.length !== n + 1) throw fail("IC", `expected nPublic + 1 = ${n + 1} points, got ${Array.isArray(o.IC) ? o.IC.length : "none"}`)
  return { json: o, nPublic: n }
}

/**
 * Second step: every point of the key, on its curve (G2 in the r-torsion subgroup); alpha, beta,
 * gamma and delta not at infinity. Throws `refusals.malformedKey(field, why)`.
 */
export const parseKey = (draft: KeyDraft, refusals: Refusals): VerifyingKey => {
  const fail = keyFail(refusals)
  const o = draft.json
  return {
    nPublic: draft.nPublic,
    alpha: g1(o.vk_alpha_1, "vk_alpha_1", fail, false),
    beta: g2(o.vk_beta_2, "vk_beta_2", fail),
    gamma: g2(o.vk_gamma_2, "vk_gamma_2", fail),
    delta: g2(o.vk_delta_2, "vk_delta_2", fail),
    ic: (o.IC as unknown[]).map((p, i) => g1(p, `IC[${i}]`, fail, true))
  }
}

/** Both steps: a snarkjs verification_key.json (UTF-8 bytes) with at most `maxPublic` inputs. */
export const parseKeyJson = (bytes: Uint8Array, maxPublic: number, refusals: Refusals): VerifyingKey =>
  parseKey(readKeyJson(bytes, maxPublic, refusals), refusals)

/**
 * Parse a snarkjs proof.json (UTF-8 bytes). Throws `refusals.malformedProof(field, why)`. A and B
 * at infinity are refused: e(A, B) would be 1, which no honest proof gives (A = alpha + ... + r delta
 * with r random); C at infinity is a point the equation can hold with, so it is allowed.
 */
export const parseProofJson = (bytes: Uint8Array, refusals: Refusals): Proof => {
  const fail: Fail = (f, why) => refusals.malformedProof(f === "" ? "proof" : `proof.${f}`, why)
  const o = object(json(bytes, fail), "", fail)
  header(o, fail)
  return { a: g1(o.pi_a, "pi_a", fail, false), b: g2(o.pi_b, "pi_b", fail), c: g1(o.pi_c, "pi_c", fail, true) }
}

// ---------------------------------------------------------------- canonical bytes

const G1_BYTES = 64
const G2_BYTES = 128

const put32 = (out: Uint8Array, at: number, n: bigint): void => {
  for (let i = 31; i >= 0; i--) {
    out[at + i] = Number(n & 0xffn)
    n >>= 8n
  }
}
const get32 = (b: Uint8Array, at: number): bigint => {
  let n = 0n
  for (let i = 0; i < 32; i++) n = (n << 8n) | BigInt(b[at + i]!)
  return n
}
const putG1 = (out: Uint8Array, at: number, p: G1Point): void => {
  if (p.is0()) return // 64 zero bytes
  const a = p.toAffine()
  put32(out, at, a.x)
  put32(out, at + 32, a.y)
}
const putG2 = (out: Uint8Array, at: number, p: G2Point): void => {
  const a = p.toAffine()
  put32(out, at, a.x.c1)
  put32(out, at + 32, a.x.c0)
  put32(out, at + 64, a.y.c1)
  put32(out, at + 96, a.y.c0)
}

/** Length of the canonical encoding of a key with `nPublic` inputs. */
export const canonicalKeyLength = (nPublic: number): number => 4 + G1_BYTES + 3 * G2_BYTES + (nPublic + 1) * G1_BYTES

/** The `n_public` of canonical key bytes (their first 4 bytes; 0 when shorter), without decoding any point. */
export const canonicalKeyInputs = (b: Uint8Array): number => (b.length < 4 ? 0 : new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0))

/** The canonical key bytes (module doc). */
export const encodeKey = (k: VerifyingKey): Uint8Array => {
  const out = new Uint8Array(canonicalKeyLength(k.nPublic))
  new DataView(out.buffer).setUint32(0, k.nPublic)
  let at = 4
  putG1(out, at, k.alpha)
  at += G1_BYTES
  for (const p of [k.beta, k.gamma, k.delta]) {
    putG2(out, at, p)
    at += G2_BYTES
  }
  for (const p of k.ic) {
    putG1(out, at, p)
    at += G1_BYTES
  }
  return out
}

/**
 * Decode canonical key bytes written by {@link encodeKey}: points are rebuilt without the subgroup
 * checks (they passed them when the key was stored). Throws Error on a wrong length.
 */
export const decodeKey = (b: Uint8Array): VerifyingKey => {
  if (b.length < 4) throw new Error("canonical key: too short")
  const n = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0)
  if (b.length !== canonicalKeyLength(n)) throw new Error(`canonical key: ${b.length} bytes for ${n} public inputs`)
  const Fp2 = bn254.fields.Fp2
  const G1 = (at: number): G1Point => {
    const x = get32(b, at)
    const y = get32(b, at + 32)
    return x === 0n && y === 0n ? bn254.G1.Point.ZERO : bn254.G1.Point.fromAffine({ x, y })
  }
  const G2 = (at: number): G2Point =>
    bn254.G2.Point.fromAffine({ x: Fp2.create({ c1: get32(b, at), c0: get32(b, at + 32) }), y: Fp2.create({ c1: get32(b, at + 64), c0: get32(b, at + 96) }) })
  let at = 4
  const alpha = G1(at)
  at += G1_BYTES
  const [beta, gamma, delta] = [G2(at), G2(at + G2_BYTES), G2(at + 2 * G2_BYTES)]
  at += 3 * G2_BYTES
  const ic: G1Point[] = []
  for (let i = 0; i <= n; i++, at += G1_BYTES) ic.push(G1(at))
  return { nPublic: n, alpha, beta: beta!, gamma: gamma!, delta: delta!, ic }
}

const g1Json = (p: G1Point): string[] => {
  if (p.is0()) return ["0", "1", "0"]
  const a = p.toAffine()
  return [a.x.toString(), a.y.toString(), "1"]
}
const g2Json = (p: G2Point): string[][] => {
  const a = p.toAffine()
  return [[a.x.c0.toString(), a.x.c1.toString()], [a.y.c0.toString(), a.y.c1.toString()], ["1", "0"]]
}

/** The key as snarkjs verification_key.json text (fixed field order, no vk_alphabeta_12). */
export const keyJson = (k: VerifyingKey): string =>
  JSON.stringify({ // determinism-ok: object literal with a fixed key order
    protocol: "groth16",
    curve: "bn128",
    nPublic: k.nPublic,
    vk_alpha_1: g1Json(k.alpha),
    vk_beta_2: g2Json(k.beta),
    vk_gamma_2: g2Json(k.gamma),
    vk_delta_2: g2Json(k.delta),
    IC: k.ic.map(g1Json)
  })

// ---------------------------------------------------------------- verification

/** Precompute what every verification with `key` reuses (one pairing and two G2 line tables). */
export const prepareKey = (key: VerifyingKey): PreparedKey => ({
  key,
  gammaPre: bn254.utils.calcPairingPrecomputes(key.gamma),
  deltaPre: bn254.utils.calcPairingPrecomputes(key.delta),
  alphaBeta: bn254.pairing(key.alpha, key.beta)
})

/**
 * The Groth16 check for a parsed proof and public inputs already reduced below r (the caller
 * checks their count and range). True when the pairing equation holds.
 */
export const verifyPrepared = (pk: PreparedKey, proof: Proof, inputs: ReadonlyArray<bigint>): boolean => {
  const { key } = pk
  if (inputs.length !== key.nPublic) throw new Error(`verifyPrepared: ${inputs.length} inputs for a key with ${key.nPublic}`)
  let vkx = key.ic[0]!
  for (let i = 0; i < inputs.length; i++) {
    const s = inputs[i]!
    const p = key.ic[i + 1]!
    if (s !== 0n && !p.is0()) vkx = vkx.add(p.multiplyUnsafe(s))
  }
  const terms: Array<[Precompute, bigint, bigint]> = []
  if (!proof.a.is0()) {
    const a = proof.a.toAffine()
    terms.push([bn254.utils.calcPairingPrecomputes(proof.b), a.x, a.y])
  }
  if (!vkx.is0()) {
    const x = vkx.negate().toAffine()
    terms.push([pk.gammaPre, x.x, x.y])
  }
  if (!proof.c.is0()) {
    const c = proof.c.negate().toAffine()
    terms.push([pk.deltaPre, c.x, c.y])
  }
  const Fp12 = bn254.fields.Fp12
  const lhs = terms.length === 0 ? Fp12.ONE : Fp12.finalExponentiate(bn254.millerLoopBatch(terms))
  return Fp12.eql(lhs, pk.alphaBeta)
}
