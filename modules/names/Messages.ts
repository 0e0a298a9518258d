/**
 * Protobuf codecs of the names machine's messages, queries and stored records (package
 * `cyber.names.v1`), written with cosmjs-types' BinaryWriter / BinaryReader through the graph
 * machine's `codec` helper, so each has the cosmjs-types shape (`encode` / `decode` / `fromPartial`)
 * and `new Registry([[MSG_REGISTER_URL, MsgRegister], ...])` lets a CosmJS client sign them.
 * Fields of the wrong wire type are skipped (proto3 unknown-field rule), so a malformed body ends
 * as a missing field, which the machine's rules reject by name.
 *
 * Source: Hyperware Hypermap (hypermap.sol: `mint(to, label)`, `note(key, data)`, `transfer`),
 * written here as Cosmos SDK messages; docs/names.md.
 */
import type { BinaryWriter } from "cosmjs-types/binary"
import { codec, type Codec } from "../graph/Messages.ts"

export type { Codec }

/** Type URL of {@link MsgRegister}. */
export const MSG_REGISTER_URL = "/cyber.names.v1.MsgRegister"
/** Type URL of {@link MsgSetNote}. */
export const MSG_SET_NOTE_URL = "/cyber.names.v1.MsgSetNote"
/** Type URL of {@link MsgTransfer}. */
export const MSG_TRANSFER_URL = "/cyber.names.v1.MsgTransfer"
/** Type URL of every message's response ({@link MsgNamesResponse}). */
export const MSG_NAMES_RESPONSE_URL = "/cyber.names.v1.MsgNamesResponse"
/** gRPC prefix of the queries (methods Resolve, NamesByOwner, Note). */
export const NAMES_QUERY = "/cyber.names.v1.Query/"
/** Full query path of {@link QueryResolveRequest} -> {@link NameRecord}. */
export const QUERY_RESOLVE = NAMES_QUERY + "Resolve"
/** Full query path of {@link QueryNamesByOwnerRequest} -> {@link QueryNamesByOwnerResponse}. */
export const QUERY_NAMES_BY_OWNER = NAMES_QUERY + "NamesByOwner"
/** Full query path of {@link QueryNoteRequest} -> {@link QueryNoteResponse}. */
export const QUERY_NOTE = NAMES_QUERY + "Note"

type Mut<T> = { -readonly [K in keyof T]: T[K] }
const LEN = 2
const VARINT = 0

const str = (w: BinaryWriter, field: number, v: string) => {
  if (v !== "") w.uint32((field << 3) | LEN).string(v)
}
const bytes = (w: BinaryWriter, field: number, v: Uint8Array) => {
  if (v.length > 0) w.uint32((field << 3) | LEN).bytes(v)
}

/**
 * MsgRegister: sender = 1 (bech32, the signer), name = 2 (full dotted name, "alice.os"), owner = 3
 * (bech32 of the new name's owner; empty = the sender). A free name under an open zone may be
 * registered by anyone; any other name only by its parent's owner (Hypermap `mint`).
 */
export interface MsgRegister {
  readonly sender: string
  readonly name: string
  readonly owner: string
}
/** MsgRegister codec. */
export const MsgRegister: Codec<MsgRegister> = codec<MsgRegister>(
  () => ({ sender: "", name: "", owner: "" }),
  (m, w) => {
    str(w, 1, m.sender)
    str(w, 2, m.name)
    str(w, 3, m.owner)
  },
  (m: Mut<MsgRegister>, r, f, wire) => {
    if (wire !== LEN) return false
    if (f === 1) m.sender = r.string()
    else if (f === 2) m.name = r.string()
    else if (f === 3) m.owner = r.string()
    else return false
    return true
  }
)

/**
 * MsgSetNote: owner = 1 (bech32, the signer; must own the name), name = 2, key = 3 (a note key,
 * `~` then [a-z0-9-]), value = 4 (bytes; empty deletes the note) (Hypermap `note`).
 */
export interface MsgSetNote {
  readonly owner: string
  readonly name: string
  readonly key: string
  readonly value: Uint8Array
}
/** MsgSetNote codec. */
export const MsgSetNote: Codec<MsgSetNote> = codec<MsgSetNote>(
  () => ({ owner: "", name: "", key: "", value: new Uint8Array() }),
  (m, w) => {
    str(w, 1, m.owner)
    str(w, 2, m.name)
    str(w, 3, m.key)
    bytes(w, 4, m.value)
  },
  (m: Mut<MsgSetNote>, r, f, wire) => {
    if (wire !== LEN) return false
    if (f === 1) m.owner = r.string()
    else if (f === 2) m.name = r.string()
    else if (f === 3) m.key = r.string()
    else if (f === 4) m.value = r.bytes()
    else return false
    return true
  }
)

/** MsgTransfer: owner = 1 (bech32, the signer; must own the name), name = 2, new_owner = 3 (bech32). */
export interface MsgTransfer {
  readonly owner: string
  readonly name: string
  readonly newOwner: string
}
/** MsgTransfer codec. */
export const MsgTransfer: Codec<MsgTransfer> = codec<MsgTransfer>(
  () => ({ owner: "", name: "", newOwner: "" }),
  (m, w) => {
    str(w, 1, m.owner)
    str(w, 2, m.name)
    str(w, 3, m.newOwner)
  },
  (m: Mut<MsgTransfer>, r, f, wire) => {
    if (wire !== LEN) return false
    if (f === 1) m.owner = r.string()
    else if (f === 2) m.name = r.string()
    else if (f === 3) m.newOwner = r.string()
    else return false
    return true
  }
)

/** The response of every names message: name = 1 (the name acted on). */
export interface MsgNamesResponse {
  readonly name: string
}
/** MsgNamesResponse codec. */
export const MsgNamesResponse: Codec<MsgNamesResponse> = codec<MsgNamesResponse>(
  () => ({ name: "" }),
  (m, w) => str(w, 1, m.name),
  (m: Mut<MsgNamesResponse>, r, f, wire) => {
    if (wire !== LEN || f !== 1) return false
    m.name = r.string()
    return true
  }
)

/** A note on a name: key = 1 ("~net-key"), value = 2 (bytes). */
export interface Note {
  readonly key: string
  readonly value: Uint8Array
}
/** Note codec. */
export const Note: Codec<Note> = codec<Note>(
  () => ({ key: "", value: new Uint8Array() }),
  (m, w) => {
    str(w, 1, m.key)
    bytes(w, 2, m.value)
  },
  (m: Mut<Note>, r, f, wire) => {
    if (wire !== LEN) return false
    if (f === 1) m.key = r.string()
    else if (f === 2) m.value = r.bytes()
    else return false
    return true
  }
)

/**
 * A name as stored (`n/<name>`, without notes) and as resolved (with notes, in key order):
 * name = 1, owner = 2 (bech32; empty for a zone without an owner), open = 3 (zones only: anyone may
 * register a free name directly under it), notes = 4 (repeated Note).
 */
export interface NameRecord {
  readonly name: string
  readonly owner: string
  readonly open: boolean
  readonly notes: ReadonlyArray<Note>
}
/** NameRecord codec (also QueryResolveResponse). */
export const NameRecord: Codec<NameRecord> = codec<NameRecord>(
  () => ({ name: "", owner: "", open: false, notes: [] }),
  (m, w) => {
    str(w, 1, m.name)
    str(w, 2, m.owner)
    if (m.open) w.uint32((3 << 3) | VARINT).bool(true)
    for (const n of m.notes) Note.encode(n, w.uint32((4 << 3) | LEN).fork()).ldelim()
  },
  (m: Mut<NameRecord>, r, f, wire) => {
    if (f === 3 && wire === VARINT) m.open = r.bool()
    else if (wire !== LEN) return false
    else if (f === 1) m.name = r.string()
    else if (f === 2) m.owner = r.string()
    else if (f === 4) m.notes = [...m.notes, Note.decode(r, r.uint32())]
    else return false
    return true
  }
)

/** Query Resolve request: name = 1. Answered with a {@link NameRecord} (notes included). */
export interface QueryResolveRequest {
  readonly name: string
}
/** QueryResolveRequest codec. */
export const QueryResolveRequest: Codec<QueryResolveRequest> = codec<QueryResolveRequest>(
  () => ({ name: "" }),
  (m, w) => str(w, 1, m.name),
  (m: Mut<QueryResolveRequest>, r, f, wire) => {
    if (wire !== LEN || f !== 1) return false
    m.name = r.string()
    return true
  }
)

/**
 * Query NamesByOwner request: owner = 1 (bech32), start_after = 2 (a name; page after it, in byte
 * order), limit = 3 (1..100; 0 = 100).
 */
export interface QueryNamesByOwnerRequest {
  readonly owner: string
  readonly startAfter: string
  readonly limit: number
}
/** QueryNamesByOwnerRequest codec. */
export const QueryNamesByOwnerRequest: Codec<QueryNamesByOwnerRequest> = codec<QueryNamesByOwnerRequest>(
  () => ({ owner: "", startAfter: "", limit: 0 }),
  (m, w) => {
    str(w, 1, m.owner)
    str(w, 2, m.startAfter)
    if (m.limit !== 0) w.uint32((3 << 3) | VARINT).uint32(m.limit)
  },
  (m: Mut<QueryNamesByOwnerRequest>, r, f, wire) => {
    if (f === 3 && wire === VARINT) m.limit = r.uint32()
    else if (wire !== LEN) return false
    else if (f === 1) m.owner = r.string()
    else if (f === 2) m.startAfter = r.string()
    else return false
    return true
  }
)

/** Query NamesByOwner response: names = 1 (repeated, byte order), more = 2 (another page follows). */
export interface QueryNamesByOwnerResponse {
  readonly names: ReadonlyArray<string>
  readonly more: boolean
}
/** QueryNamesByOwnerResponse codec. */
export const QueryNamesByOwnerResponse: Codec<QueryNamesByOwnerResponse> = codec<QueryNamesByOwnerResponse>(
  () => ({ names: [], more: false }),
  (m, w) => {
    for (const n of m.names) w.uint32((1 << 3) | LEN).string(n)
    if (m.more) w.uint32((2 << 3) | VARINT).bool(true)
  },
  (m: Mut<QueryNamesByOwnerResponse>, r, f, wire) => {
    if (f === 2 && wire === VARINT) m.more = r.bool()
    else if (f === 1 && wire === LEN) m.names = [...m.names, r.string()]
    else return false
    return true
  }
)

/** Query Note request: name = 1, key = 2. */
export interface QueryNoteRequest {
  readonly name: string
  readonly key: string
}
/** QueryNoteRequest codec. */
export const QueryNoteRequest: Codec<QueryNoteRequest> = codec<QueryNoteRequest>(
  () => ({ name: "", key: "" }),
  (m, w) => {
    str(w, 1, m.name)
    str(w, 2, m.key)
  },
  (m: Mut<QueryNoteRequest>, r, f, wire) => {
    if (wire !== LEN) return false
    if (f === 1) m.name = r.string()
    else if (f === 2) m.key = r.string()
    else return false
    return true
  }
)

/** Query Note response: value = 1 (the note's bytes; NotFound when the name has no such note). */
export interface QueryNoteResponse {
  readonly value: Uint8Array
}
/** QueryNoteResponse codec. */
export const QueryNoteResponse: Codec<QueryNoteResponse> = codec<QueryNoteResponse>(
  () => ({ value: new Uint8Array() }),
  (m, w) => bytes(w, 1, m.value),
  (m: Mut<QueryNoteResponse>, r, f, wire) => {
    if (wire !== LEN || f !== 1) return false
    m.value = r.bytes()
    return true
  }
)

/** Encode a message with one of these codecs to bytes. */
export const encode = <T>(c: Codec<T>, m: T): Uint8Array => c.encode(m).finish()
