/**
 * Byte helpers shared by the whole tree: hex text, concatenation, sha256, equality and
 * unsigned lexicographic order. Plain synchronous functions (they sit on hot paths: store
 * hashing, capability checks, block hashing).
 *
 * Sources: node:crypto (`hash`, the one-shot digest: fastest per call for small inputs, see
 * ../shared/TOOLCHAIN.md; `createHash` for several parts), Node's Buffer hex codec; order as Go's
 * `bytes.Compare`. @noble/hashes (`sha256` of @noble/hashes/sha2.js) gives the same digests
 * where node:crypto is absent.
 */
import { Data } from "effect"
import { createHash, hash } from "node:crypto"

/** `fromHex` was given text that is not hex: odd length or a character outside [0-9a-fA-F]. */
export class InvalidHex extends Data.TaggedError("InvalidHex")<{
  /** The text (cut to 80 characters). */
  readonly input: string
  readonly reason: string
}> {
  override get message(): string {
    return `invalid hex ${JSON.stringify(this.input)}: ${this.reason}`
  }
}

/** Lower-case hex of `b` (2 characters per byte; "" for no bytes). Uses Buffer's codec without copying. */
export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex")

const HEX = /^(?:[0-9a-fA-F]{2})*$/

/**
 * The bytes of hex text `s` (either case, no `0x` prefix) as a plain Uint8Array. Throws
 * InvalidHex on odd length or a non-hex character (Buffer alone would silently stop there).
 */
export const fromHex = (s: string): Uint8Array => {
  if (!HEX.test(s)) {
    throw new InvalidHex({
      input: s.length > 80 ? `${s.slice(0, 80)}...` : s,
      reason: s.length % 2 === 1 ? `odd length ${s.length}` : "a character is not a hex digit"
    })
  }
  const b = Buffer.from(s, "hex")
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

/** A fresh Uint8Array holding `parts` one after another (a copy even of a single part). */
export const concatBytes = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

/**
 * SHA-256 (FIPS 180-4) of `data` (a string is hashed as its UTF-8 bytes): 32 fresh bytes as a
 * plain Uint8Array (a view over node:crypto's one-shot digest, not a Buffer). One argument only,
 * so `items.map(sha256)` hashes each item.
 */
export const sha256 = (data: Uint8Array | string): Uint8Array => {
  const d = hash("sha256", data, "buffer")
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
}

/**
 * SHA-256 of the concatenation of `parts` (strings as UTF-8), without building it
 * (node:crypto `createHash`, one `update` per part): 32 fresh bytes as a plain Uint8Array.
 */
export const sha256Parts = (parts: ReadonlyArray<Uint8Array | string>): Uint8Array => {
  const h = createHash("sha256")
  for (const p of parts) h.update(p)
  const d = h.digest()
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
}

/**
 * Whether `a` and `b` hold the same bytes. For equal lengths it reads every byte (no early
 * exit), so its time does not depend on where they differ (keys, signatures).
 */
export const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!
  return d === 0
}

/**
 * Unsigned lexicographic order of `a` and `b` (a proper prefix comes first), as Go's
 * `bytes.Compare`: negative, 0 or positive (not normalized to -1/1).
 */
export const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  const n = a.length < b.length ? a.length : b.length
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!
    if (d !== 0) return d
  }
  return a.length - b.length
}

/**
 * The first key after every key that starts with `prefix`: the exclusive upper bound of a prefix
 * scan (the SDK's storetypes.PrefixEndBytes); undefined when there is none (all 0xff).
 */
export const prefixEnd = (prefix: Uint8Array): Uint8Array | undefined => {
  const end = Uint8Array.from(prefix)
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++
      return end.subarray(0, i + 1)
    }
  }
  return undefined
}
