// The names namespace layout (canonical binary, one IAVL namespace "names"):
//   n/<name>                  -> NameRecord without notes (name, owner, open)
//   o/<owner> 0x00 <name>     -> 0x01 (names by owner; bech32 holds no 0x00)
//   d/<name> 0x00 <note key>  -> note value bytes (names and keys hold no 0x00)
import { concatBytes, prefixEnd } from "../../../lib/Bytes.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import { NameRecord, type Note } from "../Messages.ts"

const enc = new TextEncoder()
const dec = new TextDecoder()
const ONE = Uint8Array.of(1)

const cat = concatBytes
const text = (s: string) => enc.encode(s)
const ZERO = Uint8Array.of(0)


export const NAME_PREFIX = text("n/")
const nameKey = (name: string) => cat(NAME_PREFIX, text(name))
const ownerPrefix = (owner: string) => cat(text("o/"), text(owner), ZERO)
const notePrefix = (name: string) => cat(text("d/"), text(name), ZERO)

/** The stored record of a name (notes empty), or undefined. */
export const getName = (s: KVStore, name: string): NameRecord | undefined => {
  const v = s.get(nameKey(name))
  return v ? NameRecord.decode(v) : undefined
}

/** Write a name's record and its owner index entry (removing the previous owner's). */
export const putName = (s: KVStore, r: { readonly name: string; readonly owner: string; readonly open: boolean }, previousOwner?: string): void => {
  if (previousOwner !== undefined && previousOwner !== "") s.delete(cat(ownerPrefix(previousOwner), text(r.name)))
  s.set(nameKey(r.name), NameRecord.encode({ name: r.name, owner: r.owner, open: r.open, notes: [] }).finish())
  if (r.owner !== "") s.set(cat(ownerPrefix(r.owner), text(r.name)), ONE)
}

/** A name's notes in key byte order. */
export const notesOf = (s: KVStore, name: string): Note[] => {
  const p = notePrefix(name)
  const out: Note[] = []
  for (const [k, v] of s.iterate(p, prefixEnd(p))) out.push({ key: dec.decode(k.subarray(p.length)), value: v })
  return out
}

/** Number of notes of a name, counting at most `cap`. */
export const noteCount = (s: KVStore, name: string, cap: number): number => {
  const p = notePrefix(name)
  let n = 0
  for (const _ of s.iterate(p, prefixEnd(p))) if (++n >= cap) break
  return n
}

/** One note's value, or undefined. */
export const getNote = (s: KVStore, name: string, key: string): Uint8Array | undefined => s.get(cat(notePrefix(name), text(key)))

/** Set a note (a non-empty value) or delete it (empty). */
export const putNote = (s: KVStore, name: string, key: string, value: Uint8Array): void => {
  const k = cat(notePrefix(name), text(key))
  if (value.length === 0) s.delete(k)
  else s.set(k, value)
}

/** Up to `limit` names of `owner` after `startAfter` (byte order), and whether more follow. */
export const namesOf = (s: KVStore, owner: string, startAfter: string, limit: number): { names: string[]; more: boolean } => {
  const p = ownerPrefix(owner)
  const start = startAfter === "" ? p : cat(p, text(startAfter), ZERO)
  const names: string[] = []
  for (const [k] of s.iterate(start, prefixEnd(p))) {
    if (names.length === limit) return { names, more: true }
    names.push(dec.decode(k.subarray(p.length)))
  }
  return { names, more: false }
}

/** Every name record in key byte order (genesis export). */
export const allNames = function* (s: KVStore): Generator<NameRecord> {
  for (const [, v] of s.iterate(NAME_PREFIX, prefixEnd(NAME_PREFIX))) yield NameRecord.decode(v)
}
