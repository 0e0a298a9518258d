/**
 * The rules of names and notes, checked by the names machine and by clients before they sign:
 *
 * - A name is dot-separated labels, most specific first (`alice.os`, `chess.alice.os`): each label
 *   1..63 characters of `a-z 0-9 -`, not starting or ending with `-`; at most 8 labels and 253
 *   bytes in all (DNS limits). A one-label name is a top-level zone, made only at genesis.
 * - A note key is `~` and 1..63 characters of `a-z 0-9 -` (Hypermap's mutable notes); a name holds
 *   at most {@link MAX_NOTES} notes of at most {@link MAX_NOTE_BYTES} bytes each.
 * - Well-known notes have fixed shapes ({@link NOTE_SHAPES}): `~net-key` 32 bytes (the node's
 *   ed25519 public key), `~ip` 4 (IPv4) or 16 (IPv6) bytes, `~tcp-port` 2 bytes big-endian (1..65535),
 *   `~routers` router names joined by `,` (UTF-8), `~package-hash` 32 bytes (sha256 of the package
 *   zip), `~package-node` the name of the node serving the package.
 * - A package `pkg:publisher` is the name `pkg.publisher` (minted by the publisher's owner, as
 *   Hyperware's app store mints a listing under its publisher) with notes `~package-hash` and
 *   `~package-node` (docs/names.md).
 *
 * Every check throws InvalidName / InvalidNote (NamesError.ts) naming the bad part.
 *
 * Source: Hyperware hypermap.sol (labels, `~` notes), HNS `~net-key`, `~ip`, `~tcp-port`,
 * `~routers` notes; RFC 1035 label and name lengths.
 */
import { InvalidName, InvalidNote } from "./NamesError.ts"

/** Most labels in a name. */
export const MAX_DEPTH = 8
/** Most bytes of a whole name. */
export const MAX_NAME_BYTES = 253
/** Most notes on one name. */
export const MAX_NOTES = 64
/** Most bytes of one note value. */
export const MAX_NOTE_BYTES = 4096
/** Most routers in `~routers`. */
export const MAX_ROUTERS = 16

/** The well-known note keys. */
export const NoteKey = {
  netKey: "~net-key",
  ip: "~ip",
  tcpPort: "~tcp-port",
  routers: "~routers",
  packageHash: "~package-hash",
  packageNode: "~package-node"
} as const

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const KEY = /^~[a-z0-9-]{1,63}$/
const utf8 = new TextDecoder("utf-8", { fatal: true })

/** Check a full name; returns its labels, most specific first. Throws InvalidName. */
export const checkName = (name: string): ReadonlyArray<string> => {
  if (name.length === 0) throw new InvalidName({ log: "name is empty" })
  if (name.length > MAX_NAME_BYTES) throw new InvalidName({ log: `name is ${name.length} bytes, at most ${MAX_NAME_BYTES}` })
  const labels = name.split(".")
  if (labels.length > MAX_DEPTH) throw new InvalidName({ log: `name "${name}" has ${labels.length} labels, at most ${MAX_DEPTH}` })
  for (const l of labels) {
    if (!LABEL.test(l)) throw new InvalidName({ log: `name "${name}": label "${l}" must be 1..63 of a-z, 0-9, - (not at either end)` })
  }
  return labels
}

/** The parent of a checked name (`alice.os` -> `os`), undefined for a zone. */
export const parentOf = (name: string): string | undefined => {
  const i = name.indexOf(".")
  return i < 0 ? undefined : name.slice(i + 1)
}

/** Check a note key. Throws InvalidNote. */
export const checkNoteKey = (key: string): string => {
  if (!KEY.test(key)) throw new InvalidNote({ log: `note key "${key.slice(0, 80)}" must be ~ then 1..63 of a-z, 0-9, -` })
  return key
}

const exactly = (n: number) => (v: Uint8Array): string | undefined => (v.length === n ? undefined : `must be ${n} bytes, got ${v.length}`)
const names = (v: Uint8Array, max: number): string | undefined => {
  let text: string
  try {
    text = utf8.decode(v)
  } catch {
    return "must be UTF-8"
  }
  const list = text.split(",")
  if (list.length > max) return `at most ${max} names, got ${list.length}`
  for (const n of list) {
    try {
      checkName(n)
    } catch (e) {
      return (e as InvalidName).log
    }
  }
  return undefined
}

/** The shape check of each well-known note: undefined when the value is well formed, else why not. */
export const NOTE_SHAPES: Readonly<Record<string, (v: Uint8Array) => string | undefined>> = {
  [NoteKey.netKey]: exactly(32),
  [NoteKey.ip]: (v) => (v.length === 4 || v.length === 16 ? undefined : `must be 4 (IPv4) or 16 (IPv6) bytes, got ${v.length}`),
  [NoteKey.tcpPort]: (v) => (v.length !== 2 ? `must be 2 bytes (big-endian port), got ${v.length}` : v[0] === 0 && v[1] === 0 ? "port 0 is not a port" : undefined),
  [NoteKey.routers]: (v) => names(v, MAX_ROUTERS),
  [NoteKey.packageHash]: exactly(32),
  [NoteKey.packageNode]: (v) => names(v, 1)
}

/** Check a non-empty note value for its key. Throws InvalidNote naming key and rule. */
export const checkNoteValue = (key: string, value: Uint8Array): Uint8Array => {
  if (value.length > MAX_NOTE_BYTES) throw new InvalidNote({ log: `note ${key} is ${value.length} bytes, at most ${MAX_NOTE_BYTES}` })
  const why = Object.hasOwn(NOTE_SHAPES, key) ? NOTE_SHAPES[key]!(value) : undefined
  if (why !== undefined) throw new InvalidNote({ log: `note ${key} ${why}` })
  return value
}

/**
 * The name of package `pkg:publisher` (`chess:alice.os` -> `chess.alice.os`). Throws InvalidName
 * when the id is not `name:publisher` or the result is not a valid name.
 */
export const packageName = (id: string): string => {
  const i = id.indexOf(":")
  if (i <= 0 || id.indexOf(":", i + 1) >= 0) throw new InvalidName({ log: `package id "${id.slice(0, 80)}" must be name:publisher` })
  const name = `${id.slice(0, i)}.${id.slice(i + 1)}`
  checkName(name)
  return name
}
