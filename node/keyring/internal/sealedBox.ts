/**
 * Passphrase encryption of a secret for the "file" keyring: scrypt (node:crypto) derives a
 * 256-bit key from the passphrase and a random 16-byte salt; AES-256-GCM seals the secret with a
 * random 12-byte IV and authenticates `aad` (the key's name and public key) with it.
 * A wrong passphrase fails the GCM tag check.
 *
 * Source: RFC 7914 (scrypt), NIST SP 800-38D (GCM). Default cost N=2^15, r=8, p=1; the
 * parameters are stored with each box, so a box opens with the cost it was sealed with.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from "node:crypto"

/** The stored form of a sealed secret (all binary fields base64). */
export interface SealedBox {
  readonly kdf: "scrypt"
  readonly n: number
  readonly r: number
  readonly p: number
  readonly salt: string
  readonly cipher: "aes-256-gcm"
  readonly iv: string
  readonly tag: string
  readonly ciphertext: string
}

/** Default scrypt cost (2^15, about 32 MiB and 0.1 s). */
export const DEFAULT_SCRYPT_N = 1 << 15

const deriveKey = (passphrase: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scrypt(passphrase.normalize("NFKC"), salt, 32, { N: n, r, p, maxmem: 256 * n * r + (1 << 20) }, (err, key) =>
      err ? reject(err) : resolve(key)
    )
  )

/** Seal `secret` under `passphrase`, binding `aad`. */
export const seal = async (secret: Uint8Array, passphrase: string, aad: Uint8Array, n = DEFAULT_SCRYPT_N): Promise<SealedBox> => {
  const salt = randomBytes(16)
  const iv = randomBytes(12)
  const key = await deriveKey(passphrase, salt, n, 8, 1)
  const c = createCipheriv("aes-256-gcm", key, iv)
  c.setAAD(aad)
  const ciphertext = Buffer.concat([c.update(secret), c.final()])
  return {
    kdf: "scrypt", n, r: 8, p: 1, salt: salt.toString("base64"),
    cipher: "aes-256-gcm", iv: iv.toString("base64"), tag: c.getAuthTag().toString("base64"),
    ciphertext: ciphertext.toString("base64")
  }
}

/** Open a sealed box; resolves undefined when the passphrase (or the aad) is wrong. */
export const open = async (box: SealedBox, passphrase: string, aad: Uint8Array): Promise<Uint8Array | undefined> => {
  const key = await deriveKey(passphrase, Buffer.from(box.salt, "base64"), box.n, box.r, box.p)
  const d = createDecipheriv("aes-256-gcm", key, Buffer.from(box.iv, "base64"))
  d.setAAD(aad)
  d.setAuthTag(Buffer.from(box.tag, "base64"))
  try {
    return new Uint8Array(Buffer.concat([d.update(Buffer.from(box.ciphertext, "base64")), d.final()]))
  } catch {
    return undefined
  }
}
