/**
 * secp256k1 signature verification for SIGN_MODE_DIRECT, with a verification cache.
 *
 * Verifier: libsecp256k1 through the optional addon modules/auth/native (built by
 * `node modules/auth/native/build.mjs` where libsecp256k1-dev is installed; TOOLCHAIN.md: about
 * 20 k/s per core), else node:crypto (OpenSSL) with an IEEE-P1363 (r||s) signature and a cached
 * KeyObject per public key (2.7 k/s; @noble/curves: 0.69 k/s). Both give the same answer for every
 * input (standard ECDSA; the low-S rule is checked here, before either), so nodes with and without
 * the addon agree. The SDK's rule is kept: the signature is 64 bytes r||s with s in the lower half
 * of the order (low-S), the message is SHA-256 hashed.
 *
 * The cache maps (sha256(sign bytes), public key, signature) to "valid": verification is a pure
 * function of those bytes, so a signature checked in CheckTx is not checked again in
 * FinalizeBlock and the outcome is the same on every node (deterministic). Bounded FIFO.
 *
 * Source: cosmos-sdk crypto/keys/secp256k1/secp256k1_nocgo.go (VerifySignature: 64 bytes, reject
 * s > n/2), x/auth/ante/sigverify.go.
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto"
import { fromHex, sha256 } from "../../../lib/Bytes.ts"
import { createRequire } from "node:module"

/** The libsecp256k1 addon's interface (modules/auth/native/src/verify.c). */
interface NativeVerifier {
  verify(pubkey: Uint8Array, digest: Uint8Array, sig: Uint8Array): boolean
}

const loadNative = (): NativeVerifier | undefined => {
  try {
    return createRequire(import.meta.url)("../native/build/secp256k1_verify.node") as NativeVerifier
  } catch {
    return undefined // not built here: node:crypto below
  }
}
const native = loadNative()
let useNative = native !== undefined

/** Which verifier runs: "libsecp256k1" (native addon) or "node:crypto". */
export const verifierName = (): "libsecp256k1" | "node:crypto" => (useNative ? "libsecp256k1" : "node:crypto")

/** Choose the verifier (benchmarks and tests); "libsecp256k1" only when the addon is built. Returns the one in use. */
export const selectVerifier = (name: "libsecp256k1" | "node:crypto"): "libsecp256k1" | "node:crypto" => {
  useNative = name === "libsecp256k1" && native !== undefined
  return verifierName()
}

/** Order of the secp256k1 group. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const HALF_N = N >> 1n
/** SPKI DER header for an EC secp256k1 public key with a 33-byte compressed point. */
const SPKI_PREFIX = fromHex("3036301006072a8648ce3d020106052b8104000a032200")

const keys = new Map<string, KeyObject | null>()
const KEYS_MAX = 100_000
const verified = new Set<string>()
const VERIFIED_MAX = 200_000

/** One character per byte (a compact, exact map key). */
const bin = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1")

const keyObject = (pubkey: Uint8Array): KeyObject | null => {
  const id = bin(pubkey)
  let k = keys.get(id)
  if (k !== undefined) return k
  try {
    k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pubkey]), format: "der", type: "spki" })
  } catch {
    k = null // not a point on the curve
  }
  if (keys.size >= KEYS_MAX) keys.delete(keys.keys().next().value!)
  keys.set(id, k)
  return k
}

const HALF_N_BYTES = fromHex(HALF_N.toString(16).padStart(64, "0"))

/** 0 < s <= n/2, comparing the big-endian bytes of s (sig[32..64]) with n/2. */
const isLowS = (sig: Uint8Array): boolean => {
  let nonZero = false
  for (let i = 32; i < 64; i++) if (sig[i] !== 0) nonZero = true
  if (!nonZero) return false
  for (let i = 0; i < 32; i++) {
    const a = sig[32 + i]!
    const b = HALF_N_BYTES[i]!
    if (a !== b) return a < b
  }
  return true // s = n/2
}

/** Verification counters (for benchmarks and tests): real verifications and cache hits. */
export const verifyStats = { verified: 0, cacheHits: 0 }

/**
 * One verification without the cache: true when `sig` (64 bytes r||s, low-S) is a valid ECDSA
 * signature of `digest` = sha256(`message`) by the compressed key `pubkey` (33 bytes). The
 * native verifier reads the digest, node:crypto the message. Never throws. Worker threads of
 * modules/auth/VerifierPool.ts call this.
 */
export const verifyUncached = (pubkey: Uint8Array, message: Uint8Array, digest: Uint8Array, sig: Uint8Array): boolean => {
  if (pubkey.length !== 33 || (pubkey[0] !== 2 && pubkey[0] !== 3) || sig.length !== 64 || digest.length !== 32) return false
  if (!isLowS(sig)) return false
  if (useNative) return native!.verify(pubkey, digest, sig)
  const key = keyObject(pubkey)
  if (!key) return false
  try {
    return verify("sha256", message, { key, dsaEncoding: "ieee-p1363" }, sig)
  } catch {
    return false
  }
}

const cacheKeyOf = (pubkey: Uint8Array, digest: Uint8Array, sig: Uint8Array): string => bin(digest) + bin(pubkey) + bin(sig)

/**
 * Record a signature verified valid elsewhere (a VerifierPool worker) so that the ante step's
 * verifySecp256k1 finds it. Only for results of verifyUncached on the same bytes: the cache
 * is trusted as a verification.
 */
export const rememberVerified = (pubkey: Uint8Array, digest: Uint8Array, sig: Uint8Array): void => {
  const key = cacheKeyOf(pubkey, digest, sig)
  if (verified.has(key)) return
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.values().next().value!)
  verified.add(key)
}

/** Whether (pubkey, sha256(message) = `digest`, sig) is in the verification cache (no counters). */
export const isVerified = (pubkey: Uint8Array, digest: Uint8Array, sig: Uint8Array): boolean =>
  verified.has(cacheKeyOf(pubkey, digest, sig))

/** What verifyUncached gets for the message with libsecp256k1 selected (it reads only the digest). */
const NO_MESSAGE = new Uint8Array(0)

/**
 * True when `sig` (64 bytes r||s, low-S) is a valid ECDSA signature of sha256(`message`) by the
 * compressed secp256k1 key `pubkey` (33 bytes), from the cache when it was verified before.
 * `messageDigest`, when the caller has it, must be sha256(`message`) (the ante step keeps it
 * with the decoded tx). `message` may be a function giving it (called at most once, and only when
 * it is needed: no digest given, or a verification to run). Never throws.
 */
export const verifySecp256k1 = (pubkey: Uint8Array, message: Uint8Array | (() => Uint8Array), sig: Uint8Array, messageDigest?: Uint8Array): boolean => {
  if (pubkey.length !== 33 || (pubkey[0] !== 2 && pubkey[0] !== 3) || sig.length !== 64) return false
  if (!isLowS(sig)) return false
  let bytes = typeof message === "function" ? undefined : message
  const msg = (): Uint8Array => (bytes ??= (message as () => Uint8Array)())
  const digest = messageDigest ?? sha256(msg())
  if (isVerified(pubkey, digest, sig)) {
    verifyStats.cacheHits++
    return true
  }
  verifyStats.verified++
  // libsecp256k1 verifies the digest alone: the message is not made for it
  const ok = verifyUncached(pubkey, useNative ? NO_MESSAGE : msg(), digest, sig)
  if (ok) rememberVerified(pubkey, digest, sig)
  return ok
}

/** Empty the caches (tests). */
export const clearVerifyCache = (): void => {
  verified.clear()
  keys.clear()
  verifyStats.verified = 0
  verifyStats.cacheHits = 0
}
