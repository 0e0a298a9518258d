/**
 * The `names` machine: hierarchical names on chain after Hyperware's Hypermap / HNS (docs/names.md).
 *
 * - Names are dotted labels under top-level zones (`os`), which exist only from genesis. A zone
 *   marked `open` lets anyone register a free name directly under it (`alice.os`, as HNS's `.os`);
 *   every other name is minted only by its parent's owner (Hypermap `mint`): `chess.alice.os` by
 *   the owner of `alice.os`. A zone without an owner can have no notes and no closed children.
 * - A name's owner (a bech32 account) alone sets its notes (`~net-key`, `~ip`, `~tcp-port`,
 *   `~routers`, `~package-hash`, `~package-node`, any other `~key`; NameRules.ts) and transfers it.
 *   A transfer keeps the notes and leaves sub-names with their own owners (each name is its own
 *   token in Hypermap).
 * - Messages: `/cyber.names.v1.MsgRegister | MsgSetNote | MsgTransfer` (Messages.ts), each answered
 *   with MsgNamesResponse. Queries under `/cyber.names.v1.Query/`: Resolve (name with notes),
 *   NamesByOwner (paged), Note (one value). Interface: `resolve`, `note` (read-only; wit/chain/names.wit).
 * - Errors: codespace `names` (NamesError.ts); bad addresses InvalidAddress (sdk 7), undecodable
 *   messages TxDecodeError (sdk 2), malformed query bodies InvalidRequest (sdk 18).
 * - State: internal/Store.ts (canonical protobuf records, no JSON). Genesis: internal/Genesis.ts.
 *
 * Source: Hyperware hypermap.sol (mint / note / transfer, `~` notes), HNS (`~net-key`, `~ip`,
 * `~tcp-port`, `~routers`); chain/Machine.ts contract.
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import { InvalidRequest, TxDecodeError, UnknownRequest } from "../../chain/ChainError.ts"
import { namesDispatcher, namesInterface } from "../../chain/generated/names.ts"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import type { ExecContext, Machine, MsgContext, MsgResult, QueryContext } from "../../chain/Machine.ts"
import { canonicalAddress } from "../auth/Address.ts"
import type { KVStore } from "../../store/KVStore.ts"
import {
  type Codec, MSG_NAMES_RESPONSE_URL, MSG_REGISTER_URL, MSG_SET_NOTE_URL, MSG_TRANSFER_URL, MsgNamesResponse, MsgRegister, MsgSetNote,
  MsgTransfer, NameRecord, NAMES_QUERY, QUERY_NAMES_BY_OWNER, QUERY_NOTE, QUERY_RESOLVE, QueryNamesByOwnerRequest, QueryNamesByOwnerResponse,
  QueryNoteRequest, QueryNoteResponse, QueryResolveRequest
} from "./Messages.ts"
import { NameNotFound, NameTaken, NoteNotFound, NotOwner, InvalidNote } from "./NamesError.ts"
import { checkName, checkNoteKey, checkNoteValue, MAX_NOTES, parentOf } from "./NameRules.ts"
import { exportNames, initNames } from "./internal/Genesis.ts"
import { getName, getNote, namesOf, noteCount, notesOf, putName, putNote } from "./internal/Store.ts"

/** Options of {@link NamesMachine}. */
export interface NamesConfig {
  /** Bech32 prefix of owner addresses ("cyber"). */
  readonly bech32Prefix: string
}

/** Most names one NamesByOwner page returns. */
export const MAX_PAGE = 100

const decodeMsg = <T>(c: Codec<T>, msg: Any, what: string): T => {
  try {
    return c.decode(msg.value)
  } catch (e) {
    throw new TxDecodeError({ log: `${what}: ${(e as Error).message}: tx parse error` })
  }
}
const decodeQuery = <T>(c: Codec<T>, data: Uint8Array, what: string): T => {
  try {
    return c.decode(data)
  } catch (e) {
    throw new InvalidRequest({ log: `${what}: malformed request: ${(e as Error).message}` })
  }
}

const existing = (s: KVStore, name: string): NameRecord => {
  checkName(name)
  const r = getName(s, name)
  if (!r) throw new NameNotFound({ log: `name "${name}" is not registered` })
  return r
}

const ownedBy = (s: KVStore, name: string, signer: string, action: string): NameRecord => {
  const r = existing(s, name)
  if (r.owner === "" || r.owner !== signer) throw new NotOwner({ log: `${signer} does not own "${name}" (owner: ${r.owner || "none"}): only the owner may ${action}` })
  return r
}

const resolve = (s: KVStore, name: string): NameRecord => ({ ...existing(s, name), notes: notesOf(s, name) })

const note = (s: KVStore, name: string, key: string): Uint8Array => {
  existing(s, name)
  const v = getNote(s, name, checkNoteKey(key))
  if (!v) throw new NoteNotFound({ log: `name "${name}" has no note ${key}` })
  return v
}

const response = (name: string): MsgResult => ({ typeUrl: MSG_NAMES_RESPONSE_URL, value: MsgNamesResponse.encode({ name }).finish() })

/** The names machine. */
export class NamesMachine implements Machine {
  readonly name = "names"
  readonly version = "0.1.0"
  readonly msgTypeUrls = [MSG_REGISTER_URL, MSG_SET_NOTE_URL, MSG_TRANSFER_URL]
  readonly queryPrefixes = [NAMES_QUERY]
  readonly interface: InterfaceSpec = namesInterface
  private readonly prefix: string

  constructor(config: NamesConfig) {
    this.prefix = config.bech32Prefix
  }

  private address(a: string, what: string): string {
    return canonicalAddress(a, this.prefix, what)
  }

  signers(msg: Any): ReadonlyArray<string> {
    switch (msg.typeUrl) {
      case MSG_REGISTER_URL:
        return [this.address(decodeMsg(MsgRegister, msg, "MsgRegister").sender, "sender")]
      case MSG_SET_NOTE_URL:
        return [this.address(decodeMsg(MsgSetNote, msg, "MsgSetNote").owner, "owner")]
      case MSG_TRANSFER_URL:
        return [this.address(decodeMsg(MsgTransfer, msg, "MsgTransfer").owner, "owner")]
      default:
        throw new UnknownRequest({ log: `names has no message ${msg.typeUrl}` })
    }
  }

  handle(ctx: MsgContext, msg: Any): MsgResult {
    const s = ctx.store
    switch (msg.typeUrl) {
      case MSG_REGISTER_URL: {
        const m = decodeMsg(MsgRegister, msg, "MsgRegister")
        const sender = this.address(m.sender, "sender")
        const owner = m.owner === "" ? sender : this.address(m.owner, "owner")
        const labels = checkName(m.name)
        const parent = parentOf(m.name)
        if (parent === undefined) throw new NotOwner({ log: `"${m.name}" is a top-level zone: zones are set at genesis` })
        if (getName(s, m.name)) throw new NameTaken({ log: `name "${m.name}" is already registered` })
        const p = getName(s, parent)
        if (!p) throw new NameNotFound({ log: `parent "${parent}" of "${m.name}" is not registered` })
        const openZone = p.open && labels.length === 2
        if (!openZone && (p.owner === "" || p.owner !== sender)) {
          throw new NotOwner({ log: `${sender} does not own "${parent}" (owner: ${p.owner || "none"}): only its owner may mint "${m.name}"` })
        }
        putName(s, { name: m.name, owner, open: false })
        ctx.emit({ type: "names.register", attributes: [{ key: "name", value: m.name, index: true }, { key: "owner", value: owner, index: true }] })
        return response(m.name)
      }
      case MSG_SET_NOTE_URL: {
        const m = decodeMsg(MsgSetNote, msg, "MsgSetNote")
        const signer = this.address(m.owner, "owner")
        ownedBy(s, m.name, signer, `set notes on it`)
        const key = checkNoteKey(m.key)
        if (m.value.length > 0) {
          checkNoteValue(key, m.value)
          if (!getNote(s, m.name, key) && noteCount(s, m.name, MAX_NOTES) >= MAX_NOTES) {
            throw new InvalidNote({ log: `name "${m.name}" already has ${MAX_NOTES} notes, the most a name holds` })
          }
        }
        putNote(s, m.name, key, m.value)
        ctx.emit({ type: "names.note", attributes: [{ key: "name", value: m.name, index: true }, { key: "key", value: key, index: true }] })
        return response(m.name)
      }
      case MSG_TRANSFER_URL: {
        const m = decodeMsg(MsgTransfer, msg, "MsgTransfer")
        const signer = this.address(m.owner, "owner")
        const r = ownedBy(s, m.name, signer, "transfer it")
        const to = this.address(m.newOwner, "new owner")
        putName(s, { name: r.name, owner: to, open: r.open }, r.owner)
        ctx.emit({ type: "names.transfer", attributes: [{ key: "name", value: m.name, index: true }, { key: "owner", value: to, index: true }] })
        return response(m.name)
      }
      default:
        throw new UnknownRequest({ log: `names has no message ${msg.typeUrl}` })
    }
  }

  readonly onCall = namesDispatcher({
    resolve: (ctx: ExecContext, _caller, req) => {
      const r = resolve(ctx.store, req.name)
      return { name: r.name, owner: r.owner, open: r.open, notes: r.notes.map((n) => ({ key: n.key, value: n.value })) }
    },
    note: (ctx: ExecContext, _caller, req) => ({ value: note(ctx.store, req.name, req.key) })
  })

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    const s = ctx.store
    switch (path) {
      case QUERY_RESOLVE:
        return NameRecord.encode(resolve(s, decodeQuery(QueryResolveRequest, data, "Resolve").name)).finish()
      case QUERY_NOTE: {
        const q = decodeQuery(QueryNoteRequest, data, "Note")
        return QueryNoteResponse.encode({ value: note(s, q.name, q.key) }).finish()
      }
      case QUERY_NAMES_BY_OWNER: {
        const q = decodeQuery(QueryNamesByOwnerRequest, data, "NamesByOwner")
        const owner = this.address(q.owner, "owner")
        if (q.limit > MAX_PAGE) throw new InvalidRequest({ log: `NamesByOwner limit ${q.limit} is over ${MAX_PAGE}` })
        if (q.startAfter !== "") checkName(q.startAfter)
        return QueryNamesByOwnerResponse.encode(namesOf(s, owner, q.startAfter, q.limit === 0 ? MAX_PAGE : q.limit)).finish()
      }
      default:
        throw new UnknownRequest({ log: `unknown query path ${path}` })
    }
  }

  initGenesis(ctx: ExecContext, genesis: unknown): void {
    initNames(ctx.store, genesis, this.prefix)
  }

  exportGenesis(ctx: QueryContext): unknown {
    return exportNames(ctx.store)
  }
}
