/**
 * Text forms of the well-known note values (NameRules.ts NOTE_SHAPES), for the CLI and for readers
 * of node records: `~ip` dotted IPv4 or IPv6 text, `~tcp-port` a decimal port, `~net-key` and
 * `~package-hash` 64 hex characters, `~routers` / `~package-node` names joined by `,`. Any other
 * key's text is taken as UTF-8, or as bytes when written `0x<hex>`.
 *
 * Source: docs/names.md; RFC 4291 section 2.2 (IPv6 text), RFC 5952 (its canonical form, simplified:
 * no `::` compression on output).
 */
import { InvalidNote } from "./NamesError.ts"
import { checkNoteValue, NoteKey } from "./NameRules.ts"

const enc = new TextEncoder()
const dec = new TextDecoder()
const HEX = /^(?:[0-9a-f]{2})*$/

const fromHex = (key: string, text: string): Uint8Array => {
  const h = text.toLowerCase()
  if (!HEX.test(h)) throw new InvalidNote({ log: `note ${key}: "${text.slice(0, 80)}" is not hex` })
  const out = new Uint8Array(h.length >>> 1)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16)
  return out
}
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")

const parseIpv4 = (text: string): Uint8Array | undefined => {
  const parts = text.split(".")
  if (parts.length !== 4 || !parts.every((p) => /^(?:0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return undefined
  return Uint8Array.from(parts.map(Number))
}

const parseIpv6 = (text: string): Uint8Array | undefined => {
  const halves = text.split("::")
  if (halves.length > 2) return undefined
  const groups = (s: string) => (s === "" ? [] : s.split(":"))
  const head = groups(halves[0]!)
  const tail = halves.length === 2 ? groups(halves[1]!) : []
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail]
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined
  const out = new Uint8Array(16)
  all.forEach((g, i) => {
    const v = parseInt(g, 16)
    out[2 * i] = v >> 8
    out[2 * i + 1] = v & 0xff
  })
  return out
}

/** IP text of a `~ip` value: dotted IPv4 for 4 bytes (and IPv4-mapped IPv6), eight hex groups for 16. */
export const formatIp = (v: Uint8Array): string => {
  if (v.length === 4) return Array.from(v).join(".")
  if (v.length === 16 && v.subarray(0, 10).every((b) => b === 0) && v[10] === 0xff && v[11] === 0xff) return Array.from(v.subarray(12)).join(".")
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((v[i]! << 8) | v[i + 1]!).toString(16))
  return groups.join(":")
}

/** Port of a `~tcp-port` value (2 bytes big-endian). */
export const formatPort = (v: Uint8Array): number => (v[0]! << 8) | v[1]!

/**
 * Bytes of a note value given as text for `key` (see the module doc), checked with
 * NameRules.checkNoteValue. An empty text gives empty bytes (which deletes the note). Throws
 * InvalidNote naming the key.
 */
export const parseNoteValue = (key: string, text: string): Uint8Array => {
  if (text === "") return new Uint8Array()
  let v: Uint8Array
  switch (key) {
    case NoteKey.ip: {
      const ip = parseIpv4(text) ?? parseIpv6(text)
      if (!ip) throw new InvalidNote({ log: `note ~ip: "${text.slice(0, 80)}" is not an IPv4 or IPv6 address` })
      v = ip
      break
    }
    case NoteKey.tcpPort: {
      if (!/^[1-9][0-9]{0,4}$/.test(text) || Number(text) > 65535) throw new InvalidNote({ log: `note ~tcp-port: "${text.slice(0, 80)}" is not a port 1..65535` })
      v = Uint8Array.of(Number(text) >> 8, Number(text) & 0xff)
      break
    }
    case NoteKey.netKey:
    case NoteKey.packageHash:
      v = fromHex(key, text.replace(/^0x/, ""))
      break
    default:
      v = text.startsWith("0x") ? fromHex(key, text.slice(2)) : enc.encode(text)
  }
  return checkNoteValue(key, v)
}

/** Text of a note value for `key` (the inverse of {@link parseNoteValue} for well-formed values). */
export const formatNoteValue = (key: string, v: Uint8Array): string => {
  switch (key) {
    case NoteKey.ip:
      return formatIp(v)
    case NoteKey.tcpPort:
      return String(formatPort(v))
    case NoteKey.netKey:
    case NoteKey.packageHash:
      return toHex(v)
    default: {
      try {
        const t = new TextDecoder("utf-8", { fatal: true }).decode(v)
        return /^[\x20-\x7e]*$/.test(t) && !t.startsWith("0x") ? t : "0x" + toHex(v)
      } catch {
        return "0x" + toHex(v)
      }
    }
  }
}

/** UTF-8 text of a note value (for `~routers`, `~package-node`). */
export const noteText = (v: Uint8Array): string => dec.decode(v)
