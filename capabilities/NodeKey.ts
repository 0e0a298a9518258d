/**
 * The node's ed25519 key: signs capabilities (and later, networking identity).
 *
 * Signing uses @noble/curves (`@noble/curves/ed25519.js`, RFC 8032); verification uses
 * node:crypto with a cached KeyObject per public key, measured about 10x faster than noble's
 * verify on these machines (TOOLCHAIN.md). Both are RFC 8032 ed25519, so either verifies the
 * other's signatures (test/kernel/capabilities.test.ts checks it).
 */
import { ed25519 } from "@noble/curves/ed25519.js"
import { createPublicKey, verify as nodeVerify, type KeyObject } from "node:crypto"
import { toHex } from "../lib/Bytes.ts"

/** DER prefix of an ed25519 SubjectPublicKeyInfo (RFC 8410), followed by the 32 raw key bytes. */
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00])

const keyObjects = new Map<string, KeyObject>()


const keyObject = (publicKey: Uint8Array): KeyObject => {
  const hex = toHex(publicKey)
  let k = keyObjects.get(hex)
  if (k === undefined) {
    const der = new Uint8Array(SPKI_PREFIX.length + 32)
    der.set(SPKI_PREFIX)
    der.set(publicKey, SPKI_PREFIX.length)
    k = createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" })
    if (keyObjects.size > 4096) keyObjects.clear()
    keyObjects.set(hex, k)
  }
  return k
}

/**
 * Verify an ed25519 signature (64 bytes) by `publicKey` (32 bytes) over `message`. False for a
 * bad signature or malformed key/signature lengths; never throws.
 */
export const verifyEd25519 = (publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): boolean => {
  if (publicKey.length !== 32 || signature.length !== 64) return false
  try {
    return nodeVerify(null, message, keyObject(publicKey), signature)
  } catch {
    return false
  }
}

/** A node's ed25519 key pair. */
export class NodeKey {
  /** 32-byte ed25519 public key. */
  readonly publicKey: Uint8Array
  /** Lowercase hex of the public key. */
  readonly publicKeyHex: string
  readonly #secret: Uint8Array

  private constructor(secret: Uint8Array) {
    if (secret.length !== 32) throw new RangeError(`ed25519 secret key must be 32 bytes, got ${secret.length}`)
    this.#secret = Uint8Array.from(secret)
    this.publicKey = ed25519.getPublicKey(this.#secret)
    this.publicKeyHex = toHex(this.publicKey)
  }

  /** A fresh random key (noble's CSPRNG-backed `randomSecretKey`). */
  static generate(): NodeKey {
    return new NodeKey(ed25519.utils.randomSecretKey())
  }

  /** The key with this 32-byte secret (seed). */
  static fromSecret(secret: Uint8Array): NodeKey {
    return new NodeKey(secret)
  }

  /** ed25519 signature (64 bytes) over `message`. */
  sign(message: Uint8Array): Uint8Array {
    return ed25519.sign(message, this.#secret)
  }

  /** Verify a signature of this key (see verifyEd25519). */
  verify(signature: Uint8Array, message: Uint8Array): boolean {
    return verifyEd25519(this.publicKey, signature, message)
  }
}
