/**
 * An example plugin machine for docs/machines/writing-a-machine.md: "notes" keeps short text notes.
 *
 * - Message `/example.notes.v1.MsgAddNote` {author = 1 (bech32, signer), text = 2 (1..280 bytes UTF-8)}
 *   -> MsgAddNoteResponse {id = 1}. Only an author holding boot may post: the machine reads the
 *   balance through bank's call API (`bank.balance`, the capability it asks for in `grants`).
 * - Queries `/example.notes.v1.Query/Note` {id = 1} -> Note {author = 1, text = 2};
 *   `/example.notes.v1.Query/Count` {} -> {count = 1}.
 * - Interface (hand-written InterfaceSpec, no WIT): `count` (read-only) and `add`.
 * - Genesis `{ "notes": [ { "author": "cyber1...", "text": "..." } ] }`; ids follow the order.
 * - State: `c` -> count (u64 big-endian); `n/<id u64 BE>` -> Note bytes.
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Grant } from "../../../chain/Capabilities.ts"
import { InsufficientFunds, InvalidRequest, NotFound, TxDecodeError, UnknownRequest } from "../../../chain/ChainError.ts"
import { bankClient } from "../../../chain/generated/bank.ts"
import type { Codec, InterfaceSpec } from "../../../chain/Interface.ts"
import type { ExecContext, Machine, MsgContext, MsgResult, QueryContext } from "../../../chain/Machine.ts"
import { canonicalAddress } from "../../../modules/auth/Address.ts"
import type { KVStore } from "../../../store/KVStore.ts"

/** Type URL of the one message. */
export const MSG_ADD_NOTE = "/example.notes.v1.MsgAddNote"
/** Query path prefix (methods Note, Count). */
export const NOTES_QUERY = "/example.notes.v1.Query/"

/** A note: author bech32 address and text. */
export interface Note {
  readonly author: string
  readonly text: string
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** Note / MsgAddNote codec: author = 1, text = 2 (strict UTF-8; InvalidRequest on bad bytes). */
export const NoteCodec: Codec<Note> = {
  encode: (n) => BinaryWriter.create().uint32(10).string(n.author).uint32(18).string(n.text).finish(),
  decode: (bytes) => {
    try {
      const r = new BinaryReader(bytes)
      let author = ""
      let text = ""
      while (r.pos < r.len) {
        const tag = r.uint32()
        if (tag === 10) author = utf8.decode(r.bytes())
        else if (tag === 18) text = utf8.decode(r.bytes())
        else r.skipType(tag & 7)
      }
      return { author, text }
    } catch (e) {
      throw new InvalidRequest({ log: `malformed note: ${(e as Error).message}` })
    }
  }
}

/** A message with one uint64 field 1 (MsgAddNoteResponse, QueryNote, Count). */
export const U64Codec: Codec<bigint> = {
  encode: (n) => (n === 0n ? new Uint8Array() : BinaryWriter.create().uint32(8).uint64(n).finish()),
  decode: (bytes) => {
    try {
      const r = new BinaryReader(bytes)
      let n = 0n
      while (r.pos < r.len) {
        const tag = r.uint32()
        if (tag === 8) n = BigInt(r.uint64().toString())
        else r.skipType(tag & 7)
      }
      return n
    } catch (e) {
      throw new InvalidRequest({ log: `malformed request: ${(e as Error).message}` })
    }
  }
}

/** The notes call API. */
export const NOTES_INTERFACE: InterfaceSpec = {
  name: "notes",
  methods: {
    count: { name: "count", readOnly: true, request: U64Codec, response: U64Codec },
    add: { name: "add", readOnly: false, request: NoteCodec, response: U64Codec }
  }
}

const COUNT = Uint8Array.of(0x63)
const noteKey = (id: bigint): Uint8Array => {
  const k = new Uint8Array(10)
  k.set([0x6e, 0x2f])
  new DataView(k.buffer).setBigUint64(2, id)
  return k
}
const count = (s: KVStore): bigint => {
  const v = s.get(COUNT)
  return v ? new DataView(v.buffer, v.byteOffset).getBigUint64(0) : 0n
}

/** A valid note: author a cyber bech32 address (InvalidAddress, code 7), text 1..280 bytes (InvalidRequest). */
const validate = (n: Note): Note => {
  canonicalAddress(n.author, "cyber", "invalid author")
  const len = new TextEncoder().encode(n.text).length
  if (len < 1 || len > 280) throw new InvalidRequest({ log: `note text must be 1..280 bytes, got ${len}` })
  return n
}

const add = (s: KVStore, n: Note): bigint => {
  const id = count(s) + 1n
  s.set(noteKey(id), NoteCodec.encode(validate(n)))
  const c = new Uint8Array(8)
  new DataView(c.buffer).setBigUint64(0, id)
  s.set(COUNT, c)
  return id
}

const decodeMsg = (msg: Any): Note => {
  try {
    return NoteCodec.decode(msg.value)
  } catch (e) {
    throw new TxDecodeError({ log: `MsgAddNote: ${(e as InvalidRequest).log}: tx parse error` })
  }
}

/** The notes machine. */
export class NotesMachine implements Machine {
  readonly name = "notes"
  readonly version = "0.1.0"
  readonly msgTypeUrls = [MSG_ADD_NOTE]
  readonly queryPrefixes = [NOTES_QUERY]
  readonly interface = NOTES_INTERFACE
  /** Reading an author's balance (read-only, unconstrained). */
  readonly grants: ReadonlyArray<Grant> = [{ principal: "machine:notes", capability: { interface: "bank", method: "balance", constraints: [] } }]

  signers(msg: Any): ReadonlyArray<string> {
    return [validate({ ...decodeMsg(msg), text: "x" }).author]
  }

  handle(ctx: MsgContext, msg: Any): MsgResult {
    const note = validate(decodeMsg(msg))
    const { balance } = bankClient((call) => ctx.query(call)).balance({ address: note.author, denom: "boot" })
    if (!balance || balance.amount === "0") throw new InsufficientFunds({ log: `${note.author} holds no boot: only holders may post notes` })
    const id = add(ctx.store, note)
    ctx.emit({ type: "add_note", attributes: [{ key: "id", value: String(id), index: true }] })
    return { typeUrl: "/example.notes.v1.MsgAddNoteResponse", value: U64Codec.encode(id) }
  }

  onCall(ctx: ExecContext, _caller: string, method: string, body: Uint8Array): Uint8Array {
    if (method === "count") return U64Codec.encode(count(ctx.store))
    if (method === "add") return U64Codec.encode(add(ctx.store, NoteCodec.decode(body)))
    throw new UnknownRequest({ log: `notes has no method "${method}"` })
  }

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    if (path === NOTES_QUERY + "Count") return U64Codec.encode(count(ctx.store))
    if (path === NOTES_QUERY + "Note") {
      const id = U64Codec.decode(data)
      const v = ctx.store.get(noteKey(id))
      if (!v) throw new NotFound({ log: `note ${id} not found` })
      return v
    }
    throw new UnknownRequest({ log: `unknown query path ${path}` })
  }

  initGenesis(ctx: ExecContext, genesis: unknown): void {
    const notes = (genesis as { notes?: unknown } | undefined)?.notes ?? []
    if (!Array.isArray(notes)) throw new InvalidRequest({ log: "notes genesis: expected {\"notes\": [...]}" })
    for (const n of notes) add(ctx.store, { author: String(n?.author ?? ""), text: String(n?.text ?? "") })
  }

  exportGenesis(ctx: QueryContext): unknown {
    const notes: Note[] = []
    for (let id = 1n; id <= count(ctx.store); id++) notes.push(NoteCodec.decode(ctx.store.get(noteKey(id))!))
    return { notes }
  }
}
