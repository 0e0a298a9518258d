/** Small display helpers shared by pages (no chain logic here). */

/** Bytes as upper-case hex (CometBFT's hash form) from base64. */
export const b64ToHex = (b64: string): string => {
  const bin = atob(b64)
  let out = ""
  for (let i = 0; i < bin.length; i++) out += bin.charCodeAt(i).toString(16).padStart(2, "0")
  return out.toUpperCase()
}

/** Base64 text to bytes. */
export const b64ToBytes = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))

/** sha256 of bytes as upper-case hex (a tx hash from its bytes), via WebCrypto. */
export const sha256Hex = async (bytes: Uint8Array): Promise<string> => {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource))
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase()
}

/** A long hash shortened for tables: first 8 and last 6 characters. */
export const short = (s: string, head = 8, tail = 6): string => (s.length <= head + tail + 1 ? s : `${s.slice(0, head)}…${s.slice(-tail)}`)

/** RFC 3339 block time shown as local date and time with seconds. */
export const when = (rfc3339: string): string => {
  const d = new Date(rfc3339)
  return Number.isNaN(d.getTime()) ? rfc3339 : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z")
}
