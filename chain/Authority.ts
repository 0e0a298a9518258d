/**
 * System authority messages: the state transitions only governance performs, on the two system
 * namespaces (`registry`, `capabilities`) no machine owns. Each is valid only as a message executed
 * by the governance authority (ExecContext.execute, i.e. a passed proposal): its `authority` field
 * must be the gov module account; in an ordinary transaction no route exists for it (UnknownRequest).
 *
 * Messages (protobuf, canonical: fields in number order, defaults omitted):
 * - `/cyberkernel.registry.v1.MsgActivateMachine` {1 authority, 2 name, 3 version, 4 code_hash (bytes 32),
 *   5 height (uint64), 6 grants (repeated Grant), 7 genesis_json (string, JSON text; empty: the
 *   machine's defaults)} — schedules the machine at `height` (chain/Registry.ts scheduleActivation);
 *   a node without its code stops before that block.
 * - `/cyberkernel.registry.v1.MsgHaltMachine` {1 authority, 2 name} — status halted from the next block:
 *   state kept (namespace in the app hash), no messages, queries or block hooks.
 * - `/cyberkernel.registry.v1.MsgRemoveMachine` {1 authority, 2 name} — status removed from the next block:
 *   its namespace emptied (it stays mounted, empty, so nodes that restart agree), its own grants revoked.
 *   It may be activated again later, from an empty namespace.
 * - `/cyberkernel.capabilities.v1.MsgGrantCapability` / `MsgRevokeCapability` {1 authority, 2 grant}.
 * Grant: {1 principal, 2 interface, 3 method, 4 constraints (bytes, chain/ChainCapability.ts)}.
 * Responses: the empty `<Msg>Response` messages.
 *
 * JSON (proposal files, `tx gov submit-proposal`): SDK-style `{"@type": "<type URL>", "authority":
 * "...", ...}` with snake_case fields, `code_hash` as hex, `height` as a decimal string, grants as the
 * genesis `capabilities` JSON and `genesis` as a JSON value.
 *
 * Refusals: auth (the ante machine) and gov cannot be halted or removed (the chain could never
 * govern itself again); activation needs a height above the current block.
 *
 * Source: cosmos-sdk x/upgrade MsgSoftwareUpgrade (authority-only, plan height), x/authz grants;
 * ARCHITECTURE.md "The machine registry is chain state".
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { fromHex, toHex } from "../lib/Bytes.ts"
import type { MultiStore } from "../store/KVStore.ts"
import { CAPABILITIES_NAMESPACE, grantCapability, listGrants, parseCapabilitiesGenesis, revokeCapability, type Grant } from "./Capabilities.ts"
import { decodeConstraints, encodeConstraints, type Constraint } from "./ChainCapability.ts"
import { InvalidRequest, TxDecodeError, Unauthorized } from "./ChainError.ts"
import type { MsgResult } from "./Machine.ts"
import { machinePrincipal } from "./Principal.ts"
import { readRecord, REGISTRY_NAMESPACE, scheduleActivation, writeRecord } from "./Registry.ts"

/** Type URLs of the system authority messages. */
export const AuthorityTypeUrl = {
  activate: "/cyberkernel.registry.v1.MsgActivateMachine",
  halt: "/cyberkernel.registry.v1.MsgHaltMachine",
  remove: "/cyberkernel.registry.v1.MsgRemoveMachine",
  grant: "/cyberkernel.capabilities.v1.MsgGrantCapability",
  revoke: "/cyberkernel.capabilities.v1.MsgRevokeCapability"
} as const

/** A decoded authority message. */
export type AuthorityMsg =
  | { readonly kind: "activate"; readonly authority: string; readonly name: string; readonly version: string; readonly codeHash: Uint8Array; readonly height: bigint; readonly grants: ReadonlyArray<Grant>; readonly genesisJson: string }
  | { readonly kind: "halt"; readonly authority: string; readonly name: string }
  | { readonly kind: "remove"; readonly authority: string; readonly name: string }
  | { readonly kind: "grant"; readonly authority: string; readonly grant: Grant }
  | { readonly kind: "revoke"; readonly authority: string; readonly grant: Grant }

const KIND_OF = new Map<string, AuthorityMsg["kind"]>(Object.entries(AuthorityTypeUrl).map(([k, v]) => [v, k as AuthorityMsg["kind"]])) // determinism-ok: a lookup table, no order reaches state

/** Whether `typeUrl` is a system authority message. */
export const isAuthorityMsg = (typeUrl: string): boolean => KIND_OF.has(typeUrl)

/** Names that can never be halted or removed. */
const PROTECTED = new Set(["auth", "gov"])
/** Largest genesis_json accepted (bytes of UTF-8). */
export const MAX_GENESIS_JSON_BYTES = 1 << 20

const writeGrant = (w: BinaryWriter, g: Grant): void => {
  w.uint32(10).string(g.principal)
  w.uint32(18).string(g.capability.interface)
  w.uint32(26).string(g.capability.method)
  const c = encodeConstraints(g.capability.constraints).finish()
  if (c.length > 0) w.uint32(34).bytes(c)
}

const readGrant = (bytes: Uint8Array): Grant => {
  const r = new BinaryReader(bytes)
  let principal = ""
  let iface = ""
  let method = ""
  let constraints: Constraint[] = []
  while (r.pos < r.len) {
    const t = r.uint32()
    if (t === 10) principal = r.string()
    else if (t === 18) iface = r.string()
    else if (t === 26) method = r.string()
    else if (t === 34) constraints = decodeConstraints(r.bytes())
    else throw new Error(`unexpected grant field tag ${t}`)
  }
  return { principal, capability: { interface: iface, method, constraints } }
}

/** Canonical protobuf bytes of `m` as an Any. */
export const encodeAuthorityMsg = (m: AuthorityMsg): Any => {
  const w = BinaryWriter.create()
  if (m.authority !== "") w.uint32(10).string(m.authority)
  if (m.kind === "activate") {
    if (m.name !== "") w.uint32(18).string(m.name)
    if (m.version !== "") w.uint32(26).string(m.version)
    if (m.codeHash.length > 0) w.uint32(34).bytes(m.codeHash)
    if (m.height !== 0n) w.uint32(40).uint64(m.height)
    for (const g of m.grants) {
      w.uint32(50).fork()
      writeGrant(w, g)
      w.ldelim()
    }
    if (m.genesisJson !== "") w.uint32(58).string(m.genesisJson)
  } else if (m.kind === "halt" || m.kind === "remove") {
    if (m.name !== "") w.uint32(18).string(m.name)
  } else if (m.kind === "grant" || m.kind === "revoke") {
    w.uint32(18).fork()
    writeGrant(w, m.grant)
    w.ldelim()
  }
  return { typeUrl: AuthorityTypeUrl[m.kind], value: w.finish() }
}

/** Decode an authority message; throws TxDecodeError naming the type URL on malformed bytes. */
export const decodeAuthorityMsg = (msg: Any): AuthorityMsg => {
  const kind = KIND_OF.get(msg.typeUrl)
  if (!kind) throw new TxDecodeError({ log: `${msg.typeUrl} is not an authority message` })
  try {
    const r = new BinaryReader(msg.value)
    let authority = ""
    let name = ""
    let version = ""
    let codeHash = new Uint8Array()
    let height = 0n
    let genesisJson = ""
    const grants: Grant[] = []
    let grant: Grant | undefined
    while (r.pos < r.len) {
      const tag = r.uint32()
      if (tag === 10) authority = r.string()
      else if (kind === "grant" || kind === "revoke") {
        if (tag === 18) grant = readGrant(r.bytes())
        else throw new Error(`unexpected field tag ${tag}`)
      } else if (tag === 18) name = r.string()
      else if (kind !== "activate") throw new Error(`unexpected field tag ${tag}`)
      else if (tag === 26) version = r.string()
      else if (tag === 34) codeHash = new Uint8Array(r.bytes())
      else if (tag === 40) height = r.uint64()
      else if (tag === 50) grants.push(readGrant(r.bytes()))
      else if (tag === 58) genesisJson = r.string()
      else throw new Error(`unexpected field tag ${tag}`)
    }
    if (kind === "activate") return { kind, authority, name, version, codeHash, height, grants, genesisJson }
    if (kind === "halt" || kind === "remove") return { kind, authority, name } as AuthorityMsg
    if (!grant) throw new Error("missing grant")
    return { kind, authority, grant } as AuthorityMsg
  } catch (e) {
    throw new TxDecodeError({ log: `malformed ${msg.typeUrl}: ${(e as Error).message}` })
  }
}

/** Signers of an authority message: its `authority`. */
export const authoritySigners = (msg: Any): ReadonlyArray<string> => [decodeAuthorityMsg(msg).authority]

const str = (o: Record<string, unknown>, k: string, where: string): string => {
  const v = o[k]
  if (typeof v !== "string") throw new InvalidRequest({ log: `${where}: field "${k}" must be a string` })
  return v
}

/**
 * An authority message from its JSON form (module doc) to an Any. Throws InvalidRequest naming the
 * bad field.
 */
export const authorityMsgFromJSON = (json: Record<string, unknown>): Any => {
  const typeUrl = json["@type"]
  const kind = typeof typeUrl === "string" ? KIND_OF.get(typeUrl) : undefined
  if (!kind) throw new InvalidRequest({ log: `not an authority message type: ${JSON.stringify(typeUrl)}` }) // determinism-ok: client-side error text
  const where = String(typeUrl)
  const authority = str(json, "authority", where)
  if (kind === "grant" || kind === "revoke") {
    const [grant] = parseCapabilitiesGenesis({ grants: [json.grant] })
    return encodeAuthorityMsg({ kind, authority, grant: grant! } as AuthorityMsg)
  }
  const name = str(json, "name", where)
  if (kind !== "activate") return encodeAuthorityMsg({ kind, authority, name } as AuthorityMsg)
  const hash = str(json, "code_hash", where)
  if (!/^[0-9a-fA-F]{64}$/.test(hash)) throw new InvalidRequest({ log: `${where}: code_hash must be 64 hex characters` })
  const h = json.height
  if ((typeof h !== "string" && typeof h !== "number") || !/^[1-9][0-9]{0,15}$/.test(String(h))) {
    throw new InvalidRequest({ log: `${where}: height must be a positive integer` })
  }
  return encodeAuthorityMsg({
    kind, authority, name, version: str(json, "version", where), codeHash: fromHex(hash.toLowerCase()), height: BigInt(String(h)),
    grants: json.grants === undefined ? [] : parseCapabilitiesGenesis({ grants: json.grants }),
    genesisJson: json.genesis === undefined ? "" : JSON.stringify(json.genesis) // determinism-ok: client side; the chain stores the parsed value canonically (JsonValue)
  })
}

/** The JSON form of an authority message (inverse of {@link authorityMsgFromJSON}). */
export const authorityMsgToJSON = (msg: Any): Record<string, unknown> => {
  const m = decodeAuthorityMsg(msg)
  const base = { "@type": msg.typeUrl, authority: m.authority }
  if (m.kind === "activate") {
    return {
      ...base, name: m.name, version: m.version, code_hash: toHex(m.codeHash), height: m.height.toString(), grants: m.grants,
      ...(m.genesisJson === "" ? {} : { genesis: JSON.parse(m.genesisJson) as unknown })
    }
  }
  if (m.kind === "grant" || m.kind === "revoke") return { ...base, grant: m.grant }
  return { ...base, name: m.name }
}

/**
 * Execute authority message `msg` on `ms` (a branch) at block `height`, as `authority` (the gov
 * module account address, bech32). Throws Unauthorized when the message names another authority,
 * InvalidRequest for a refused transition (module doc), TxDecodeError for malformed bytes.
 */
export const handleAuthorityMsg = (ms: MultiStore, msg: Any, authority: string, height: number): MsgResult => {
  const m = decodeAuthorityMsg(msg)
  if (m.authority !== authority) {
    throw new Unauthorized({ log: `${msg.typeUrl}: authority must be the governance account ${authority}, got "${m.authority}"` })
  }
  const registry = ms.store(REGISTRY_NAMESPACE)
  const caps = ms.store(CAPABILITIES_NAMESPACE)
  switch (m.kind) {
    case "activate": {
      if (m.height <= BigInt(height)) throw new InvalidRequest({ log: `activate ${m.name}: height ${m.height} must be above the current block ${height}` })
      if (m.codeHash.length !== 32) throw new InvalidRequest({ log: `activate ${m.name}: code_hash must be 32 bytes` })
      if (m.genesisJson.length > MAX_GENESIS_JSON_BYTES) throw new InvalidRequest({ log: `activate ${m.name}: genesis_json over ${MAX_GENESIS_JSON_BYTES} bytes` })
      let genesis: unknown
      if (m.genesisJson !== "") {
        try {
          genesis = JSON.parse(m.genesisJson)
        } catch (e) {
          throw new InvalidRequest({ log: `activate ${m.name}: genesis_json is not JSON: ${(e as Error).message}` })
        }
      }
      if (m.height > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidRequest({ log: `activate ${m.name}: height too large` })
      scheduleActivation(ms, { name: m.name, version: m.version, codeHash: m.codeHash, height: Number(m.height), grants: m.grants, ...(genesis === undefined ? {} : { genesis }) })
      break
    }
    case "halt":
    case "remove": {
      if (PROTECTED.has(m.name)) throw new InvalidRequest({ log: `${m.kind} ${m.name}: the ${m.name} machine cannot be halted or removed` })
      const rec = readRecord(registry, m.name)
      if (!rec) throw new InvalidRequest({ log: `${m.kind} ${m.name}: no such machine on this chain` })
      if (m.kind === "halt" && rec.status !== "active") throw new InvalidRequest({ log: `halt ${m.name}: the machine is ${rec.status}, not active` })
      if (m.kind === "remove" && rec.status !== "active" && rec.status !== "halted") throw new InvalidRequest({ log: `remove ${m.name}: the machine is ${rec.status}` })
      if (m.kind === "remove") {
        const ns = ms.store(m.name)
        const keys: Uint8Array[] = []
        for (const [k] of ns.iterate(undefined, undefined)) keys.push(k)
        for (const k of keys) ns.delete(k)
        for (const g of listGrants(caps, machinePrincipal(m.name))) revokeCapability(caps, g)
      }
      writeRecord(registry, { ...rec, status: m.kind === "halt" ? "halted" : "removed" })
      break
    }
    case "grant":
      grantCapability(caps, m.grant)
      break
    case "revoke":
      if (!revokeCapability(caps, m.grant)) throw new InvalidRequest({ log: `revoke: ${m.grant.principal} does not hold ${m.grant.capability.interface}.${m.grant.capability.method} with those constraints` })
      break
  }
  return { typeUrl: `${msg.typeUrl}Response`, value: new Uint8Array() }
}
