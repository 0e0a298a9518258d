// The names genesis section (JSON): {"names": [{"name", "owner", "open", "notes": [{"key", "value": base64}]}]}.
import { fromBase64, toBase64 } from "@cosmjs/encoding"
import { canonicalAddress } from "../../auth/Address.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import { InvalidGenesis } from "../NamesError.ts"
import { checkName, checkNoteKey, checkNoteValue, MAX_NOTES, parentOf } from "../NameRules.ts"
import { allNames, getName, notesOf, putName, putNote } from "./Store.ts"

/** One name of the genesis section. */
export interface GenesisName {
  readonly name: string
  readonly owner: string
  readonly open: boolean
  readonly notes: ReadonlyArray<{ readonly key: string; readonly value: string }>
}

const wrap = <A>(where: string, f: () => A): A => {
  try {
    return f()
  } catch (e) {
    throw new InvalidGenesis({ log: `names genesis ${where}: ${(e as { log?: string }).log ?? (e as Error).message}` })
  }
}

/** Write the section into the namespace; every entry checked, parents must be in the section. */
export const initNames = (s: KVStore, genesis: unknown, prefix: string): void => {
  const list = (genesis as { names?: unknown } | undefined)?.names ?? []
  if (!Array.isArray(list)) throw new InvalidGenesis({ log: 'names genesis: expected {"names": [...]}' })
  const seen = new Set<string>()
  list.forEach((raw: unknown, i) => {
    const e = (raw ?? {}) as Record<string, unknown>
    const name = String(e.name ?? "")
    wrap(`names[${i}].name`, () => checkName(name))
    if (seen.has(name)) throw new InvalidGenesis({ log: `names genesis names[${i}]: "${name}" listed twice` })
    seen.add(name)
    const zone = parentOf(name) === undefined
    const owner = e.owner === undefined || e.owner === "" ? "" : wrap(`names[${i}].owner`, () => canonicalAddress(String(e.owner), prefix, "owner"))
    if (owner === "" && !zone) throw new InvalidGenesis({ log: `names genesis names[${i}]: "${name}" needs an owner (only a zone may have none)` })
    const open = e.open === true
    if (e.open !== undefined && typeof e.open !== "boolean") throw new InvalidGenesis({ log: `names genesis names[${i}].open must be a boolean` })
    if (open && !zone) throw new InvalidGenesis({ log: `names genesis names[${i}]: only a zone (one label) may be open, not "${name}"` })
    putName(s, { name, owner, open })
    const notes = e.notes ?? []
    if (!Array.isArray(notes) || notes.length > MAX_NOTES) throw new InvalidGenesis({ log: `names genesis names[${i}].notes must be a list of at most ${MAX_NOTES}` })
    notes.forEach((n: unknown, j) => {
      const note = (n ?? {}) as Record<string, unknown>
      const key = wrap(`names[${i}].notes[${j}].key`, () => checkNoteKey(String(note.key ?? "")))
      const value = wrap(`names[${i}].notes[${j}].value`, () => checkNoteValue(key, fromBase64(String(note.value ?? ""))))
      if (value.length === 0) throw new InvalidGenesis({ log: `names genesis names[${i}].notes[${j}]: empty value` })
      putNote(s, name, key, value)
    })
  })
  for (const name of seen) {
    const parent = parentOf(name)
    if (parent !== undefined && !getName(s, parent)) throw new InvalidGenesis({ log: `names genesis: "${name}" has no parent "${parent}" in the section` })
  }
}

/** The namespace as the genesis section (names in key byte order, notes in key order). */
export const exportNames = (s: KVStore): { names: GenesisName[] } => ({
  names: [...allNames(s)].map((r) => ({
    name: r.name,
    owner: r.owner,
    open: r.open,
    notes: notesOf(s, r.name).map((n) => ({ key: n.key, value: toBase64(n.value) }))
  }))
})
