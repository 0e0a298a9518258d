/**
 * The machine registry in chain state: the `registry` namespace (part of the app hash) records
 * every machine the chain knows: name, version, code hash, activation height, status and the
 * grants it asked for. The chain's machine set is this table, never a node's config: a node only
 * says which machine code it has (node/Machines.ts); the Application routes, hashes and runs only
 * the machines this table marks active (docs/registry.md).
 *
 * Key layout: `m/<name>` -> MachineRecord, protobuf:
 *   1 name (string) | 2 version (string, semver text) | 3 code_hash (bytes, 32) |
 *   4 activation_height (uint64) | 5 status (uint32: 1 active, 2 halted, 3 scheduled, 4 removed) |
 *   6 grants (repeated {1 principal, 2 interface, 3 method, 4 constraints bytes}) |
 *   7 genesis (bytes, chain/internal/JsonValue.ts; only while scheduled).
 *
 * Grants: the capability table (chain/Capabilities.ts) is the source of truth for what a principal
 * holds now (governance may revoke or add). A record's `grants` are what the machine requested:
 * written into the capability table when it activates (at genesis when no `capabilities` section
 * is given, or at its activation height), and kept in the record for reading and export.
 *
 * Code hash: sha256 of the machine's declared code identifier. A machine may declare `codeHash`
 * (hex sha256 of its code artifact: a plugin's package bytes, a Wasm module); native machines
 * compiled into the release use sha256("cyberkernel-machine:<name>@<version>"), identical on every
 * node running the same release. A node whose code hash or version differs from an active record
 * refuses to start (see {@link checkMachineCode}).
 *
 * Genesis section `registry` (JSON): `{ "machines": [ { "name": "graph", "version": "0.1.0",
 * "code_hash": "<hex, optional>", "activation_height": "1", "status": "active", "grants": [...
 * as the capabilities section], "genesis": {... optional, for a scheduled machine} } ] }`.
 * Status defaults to scheduled when activation_height > 1, else active; an active entry may carry
 * the height it activated at on the exported chain (it is active from genesis either way).
 *
 * Source: ARCHITECTURE.md "The machine registry is chain state"; cosmos-sdk x/upgrade (Plan:
 * name + height; a binary lacking the upgrade handler stops at that height).
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { Data } from "effect"
import { equalBytes, fromHex, sha256, toHex as hex } from "../lib/Bytes.ts"
import type { KVStore, MultiStore } from "../store/KVStore.ts"
import { parseCapabilitiesGenesis, type Grant } from "./Capabilities.ts"
import { decodeConstraints, encodeConstraints, type ChainCapability } from "./ChainCapability.ts"
import { InvalidRequest } from "./ChainError.ts"
import { decodeJsonValue, encodeJsonValue } from "./internal/JsonValue.ts"
import type { Machine } from "./Machine.ts"

/** Name of the namespace that holds the registry. */
export const REGISTRY_NAMESPACE = "registry"

/**
 * Status of a machine on the chain:
 * - `active`: routes messages, answers queries, runs begin/end block; namespace in the app hash.
 * - `halted`: namespace kept in the app hash, frozen: no messages, queries or block hooks.
 * - `scheduled`: activates at `activationHeight` (initGenesis in that block's FinalizeBlock,
 *   before beginBlock); until then it has no namespace in the app hash.
 * - `removed`: removed by governance (chain/Authority.ts): namespace emptied but still mounted (an
 *   empty tree, so restarted nodes agree), no routes; may be activated again.
 */
export type MachineStatus = "active" | "halted" | "scheduled" | "removed"

/** One registry record. */
export interface MachineRecord {
  readonly name: string
  /** Semver text, e.g. "0.1.0". */
  readonly version: string
  /** 32 bytes (see module doc). */
  readonly codeHash: Uint8Array
  /** Height of the block in which the machine became (or becomes) active; 1 for genesis. */
  readonly activationHeight: number
  readonly status: MachineStatus
  /** The grants the machine requested at activation (the capability table holds what is current). */
  readonly grants: ReadonlyArray<Grant>
  /** The machine's genesis section for a scheduled activation (undefined: the machine's defaults). */
  readonly genesis?: unknown
}

/** A node's machine code does not match the chain's registry (like a missing Cosmos upgrade handler). */
export class MachineCodeMismatch extends Data.TaggedError("MachineCodeMismatch")<{
  readonly machine: string
  readonly version: string
  readonly height: number
  readonly reason: string
}> {
  override get message(): string {
    return `machine "${this.machine}" version ${this.version} (activation height ${this.height}): ${this.reason}`
  }
}

const STATUS_CODE: Record<MachineStatus, number> = { active: 1, halted: 2, scheduled: 3, removed: 4 }
const STATUS_OF: ReadonlyArray<MachineStatus | undefined> = [undefined, "active", "halted", "scheduled", "removed"]
const NAME = /^[a-z0-9][a-z0-9-]*$/
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/
const enc = new TextEncoder()
const dec = new TextDecoder()
const PREFIX = enc.encode("m/")
const PREFIX_END = enc.encode("m0")
const keyOf = (name: string): Uint8Array => enc.encode(`m/${name}`)

/** The code hash of machine `m` (see module doc): its declared `codeHash`, else sha256("cyberkernel-machine:<name>@<version>"). */
export const machineCodeHash = (m: Pick<Machine, "name" | "version" | "codeHash">): Uint8Array => {
  if (m.codeHash !== undefined) {
    if (!/^[0-9a-f]{64}$/.test(m.codeHash)) throw new InvalidRequest({ log: `machine "${m.name}": codeHash must be 64 lowercase hex characters` })
    return fromHex(m.codeHash)
  }
  return sha256(`cyberkernel-machine:${m.name}@${m.version}`)
}

/** Validate a record's fields; throws InvalidRequest naming the machine and the bad field. */
export const validateRecord = (r: MachineRecord): MachineRecord => {
  if (!NAME.test(r.name)) throw new InvalidRequest({ log: `registry: invalid machine name "${r.name}"` })
  if (!SEMVER.test(r.version)) throw new InvalidRequest({ log: `registry: machine "${r.name}": version "${r.version}" is not semver` })
  if (r.codeHash.length !== 32) throw new InvalidRequest({ log: `registry: machine "${r.name}": code hash must be 32 bytes` })
  if (!Number.isSafeInteger(r.activationHeight) || r.activationHeight < 1) {
    throw new InvalidRequest({ log: `registry: machine "${r.name}": activation height must be a positive integer` })
  }
  if (STATUS_CODE[r.status] === undefined) throw new InvalidRequest({ log: `registry: machine "${r.name}": unknown status "${r.status}"` })
  return r
}

/** Canonical protobuf bytes of a record (layout in the module doc). */
export const encodeRecord = (r: MachineRecord): Uint8Array => {
  validateRecord(r)
  const w = BinaryWriter.create()
  w.uint32(10).string(r.name)
  w.uint32(18).string(r.version)
  w.uint32(26).bytes(r.codeHash)
  w.uint32(32).uint64(BigInt(r.activationHeight))
  w.uint32(40).uint32(STATUS_CODE[r.status])
  for (const g of r.grants) {
    w.uint32(50).fork()
    w.uint32(10).string(g.principal)
    w.uint32(18).string(g.capability.interface)
    w.uint32(26).string(g.capability.method)
    const c = encodeConstraints(g.capability.constraints).finish()
    if (c.length > 0) w.uint32(34).bytes(c)
    w.ldelim()
  }
  if (r.genesis !== undefined) w.uint32(58).bytes(encodeJsonValue(r.genesis))
  return w.finish()
}

/** Inverse of {@link encodeRecord}. Throws InvalidRequest on malformed bytes. */
export const decodeRecord = (bytes: Uint8Array): MachineRecord => {
  let rec: MachineRecord
  try {
    const r = new BinaryReader(bytes)
    let name = ""
    let version = ""
    let codeHash = new Uint8Array()
    let activationHeight = 0
    let status: MachineStatus | undefined
    let genesis: unknown
    const grants: Grant[] = []
    while (r.pos < r.len) {
      const tag = r.uint32()
      switch (tag) {
        case 10: name = r.string(); break
        case 18: version = r.string(); break
        case 26: codeHash = new Uint8Array(r.bytes()); break
        case 32: activationHeight = Number(r.uint64()); break
        case 40: status = STATUS_OF[r.uint32()]; break
        case 50: {
          const g = new BinaryReader(r.bytes())
          let principal = ""
          const cap: { interface: string; method: string; constraints: ChainCapability["constraints"] } = { interface: "", method: "", constraints: [] }
          while (g.pos < g.len) {
            const t = g.uint32()
            if (t === 10) principal = g.string()
            else if (t === 18) cap.interface = g.string()
            else if (t === 26) cap.method = g.string()
            else if (t === 34) cap.constraints = decodeConstraints(g.bytes())
            else throw new Error(`unexpected grant tag ${t}`)
          }
          grants.push({ principal, capability: cap })
          break
        }
        case 58: genesis = decodeJsonValue(r.bytes()); break
        default: throw new Error(`unexpected tag ${tag}`)
      }
    }
    if (status === undefined) throw new Error("missing or unknown status")
    rec = { name, version, codeHash, activationHeight, status, grants, ...(genesis === undefined ? {} : { genesis }) }
  } catch (e) {
    throw new InvalidRequest({ log: `malformed registry record: ${(e as Error).message}` })
  }
  return validateRecord(rec)
}

/** The record of machine `name`, or undefined. */
export const readRecord = (store: KVStore, name: string): MachineRecord | undefined => {
  const v = store.get(keyOf(name))
  return v === undefined ? undefined : decodeRecord(v)
}

/** Write (insert or replace) a record. */
export const writeRecord = (store: KVStore, r: MachineRecord): void => {
  store.set(keyOf(r.name), encodeRecord(r))
}

/** Every record, in name order. */
export const listRecords = (store: KVStore): MachineRecord[] => {
  const out: MachineRecord[] = []
  for (const [k, v] of store.iterate(PREFIX, PREFIX_END)) {
    const rec = decodeRecord(v)
    if (`m/${rec.name}` !== dec.decode(k)) throw new InvalidRequest({ log: `registry record under ${dec.decode(k)} names "${rec.name}"` })
    out.push(rec)
  }
  return out
}

/** The record a machine gets when it is active from genesis (or from `height`): its version, code hash and grants. */
export const recordOf = (m: Machine, height = 1, status: MachineStatus = "active"): MachineRecord => ({
  name: m.name,
  version: m.version,
  codeHash: machineCodeHash(m),
  activationHeight: height,
  status,
  grants: [...(m.grants ?? [])]
})

/** One entry of the genesis section as parsed (fields absent from the JSON are undefined). */
export interface RegistryGenesisEntry {
  readonly name: string
  readonly version?: string
  readonly codeHash?: Uint8Array
  readonly activationHeight: number
  readonly status: MachineStatus
  readonly grants?: ReadonlyArray<Grant>
  readonly genesis?: unknown
}

/** Parse the `registry` genesis section (module doc). Throws InvalidRequest naming the bad entry. */
export const parseRegistryGenesis = (section: unknown): RegistryGenesisEntry[] => {
  const machines = (section as { machines?: unknown } | undefined)?.machines
  if (!Array.isArray(machines)) throw new InvalidRequest({ log: "genesis registry: expected {\"machines\": [...]}" })
  const seen = new Set<string>()
  return machines.map((raw, i) => {
    const e = raw as Record<string, unknown>
    const where = `genesis registry.machines[${i}]`
    if (typeof e?.name !== "string" || !NAME.test(e.name)) throw new InvalidRequest({ log: `${where}: needs a machine name ([a-z0-9-]+)` })
    if (seen.has(e.name)) throw new InvalidRequest({ log: `${where}: machine "${e.name}" listed twice` })
    seen.add(e.name)
    if (e.version !== undefined && (typeof e.version !== "string" || !SEMVER.test(e.version))) {
      throw new InvalidRequest({ log: `${where}: version must be semver text` })
    }
    if (e.code_hash !== undefined && (typeof e.code_hash !== "string" || !/^[0-9a-fA-F]{64}$/.test(e.code_hash))) {
      throw new InvalidRequest({ log: `${where}: code_hash must be 64 hex characters` })
    }
    const h = e.activation_height ?? "1"
    if ((typeof h !== "string" && typeof h !== "number") || !/^[1-9][0-9]{0,15}$/.test(String(h))) {
      throw new InvalidRequest({ log: `${where}: activation_height must be a positive integer` })
    }
    const activationHeight = Number(h)
    const status = (e.status ?? (activationHeight > 1 ? "scheduled" : "active")) as MachineStatus
    if (STATUS_CODE[status] === undefined) throw new InvalidRequest({ log: `${where}: status must be active, halted, scheduled or removed` })
    // An active or halted entry keeps the height it activated at (an exported live chain); a
    // scheduled one activates after genesis.
    if (status === "scheduled" && activationHeight < 2) throw new InvalidRequest({ log: `${where}: a scheduled machine needs activation_height > 1` })
    return {
      name: e.name,
      ...(e.version === undefined ? {} : { version: e.version as string }),
      ...(e.code_hash === undefined ? {} : { codeHash: fromHex(e.code_hash as string) }),
      activationHeight,
      status,
      ...(e.grants === undefined ? {} : { grants: parseCapabilitiesGenesis({ grants: e.grants }) }),
      ...(e.genesis === undefined ? {} : { genesis: e.genesis })
    }
  })
}

/**
 * Records for a parsed genesis section, checked against the machine code this node has. An
 * active or halted entry needs the code here (MachineCodeMismatch otherwise); a scheduled entry
 * without code here is kept (the node stops at its height unless it gets the code). Versions and
 * code hashes default to the node's code; a given one that differs is refused.
 */
export const genesisRecords = (entries: ReadonlyArray<RegistryGenesisEntry>, machines: ReadonlyArray<Machine>): MachineRecord[] =>
  entries.map((e) => {
    const m = machines.find((x) => x.name === e.name)
    if (!m) {
      if (e.status === "removed") {
        return { name: e.name, version: e.version ?? "0.0.0", codeHash: e.codeHash ?? new Uint8Array(32), activationHeight: e.activationHeight, status: e.status, grants: e.grants ?? [] }
      }
      if (e.status !== "scheduled" || e.version === undefined || e.codeHash === undefined) {
        throw new MachineCodeMismatch({
          machine: e.name, version: e.version ?? "?", height: e.activationHeight,
          reason: e.status === "scheduled"
            ? "a scheduled machine this node has no code for needs version and code_hash in genesis"
            : "the genesis registry lists it but this node has no code for it (enable its module)"
        })
      }
      return { name: e.name, version: e.version, codeHash: e.codeHash, activationHeight: e.activationHeight, status: e.status, grants: e.grants ?? [], ...(e.genesis === undefined ? {} : { genesis: e.genesis }) }
    }
    const own = recordOf(m, e.activationHeight, e.status)
    if (e.version !== undefined && e.version !== m.version) {
      throw new MachineCodeMismatch({ machine: e.name, version: e.version, height: e.activationHeight, reason: `this node has version ${m.version}` })
    }
    if (e.codeHash !== undefined && !equalBytes(e.codeHash, own.codeHash)) {
      throw new MachineCodeMismatch({ machine: e.name, version: own.version, height: e.activationHeight, reason: `genesis code hash ${hex(e.codeHash)} differs from this node's ${hex(own.codeHash)}` })
    }
    return { ...own, grants: e.grants ?? own.grants, ...(e.genesis === undefined ? {} : { genesis: e.genesis }) }
  })

/** The `registry` genesis section of the table (inverse of parse + genesisRecords). */
export const exportRegistryGenesis = (store: KVStore): { machines: unknown[] } => ({
  machines: listRecords(store).map((r) => ({
    name: r.name,
    version: r.version,
    code_hash: hex(r.codeHash),
    activation_height: String(r.activationHeight),
    status: r.status,
    grants: r.grants.map((g) => ({ principal: g.principal, capability: { interface: g.capability.interface, method: g.capability.method, constraints: g.capability.constraints.map((c) => ({ ...c })) } })),
    ...(r.genesis === undefined ? {} : { genesis: r.genesis })
  }))
})

/**
 * Check the machine code this node has against the registry before the node runs a block: every
 * active or halted machine must be here with the recorded version and code hash. Returns the
 * first mismatch (records in name order), or undefined.
 */
export const checkMachineCode = (records: ReadonlyArray<MachineRecord>, machines: ReadonlyArray<Machine>): MachineCodeMismatch | undefined => {
  for (const r of records) {
    if (r.status === "scheduled" || r.status === "removed") continue
    const problem = codeProblem(r, machines.find((m) => m.name === r.name))
    if (problem) return new MachineCodeMismatch({ machine: r.name, version: r.version, height: r.activationHeight, reason: problem })
  }
  return undefined
}

/** Why machine code `m` cannot run record `r`, or undefined when it can. */
export const codeProblem = (r: MachineRecord, m: Machine | undefined): string | undefined => {
  if (!m) return `${r.status === "scheduled" ? "scheduled" : r.status} on this chain but this node does not have its code: enable its module (or install the plugin) at version ${r.version}`
  if (m.version !== r.version) return `this node has version ${m.version}; the chain runs ${r.version}: install the release with ${r.name} ${r.version}`
  if (!equalBytes(machineCodeHash(m), r.codeHash)) return `this node's code hash ${hex(machineCodeHash(m))} differs from the chain's ${hex(r.codeHash)}`
  return undefined
}

/** What a scheduled activation writes. */
export interface ActivationPlan {
  readonly name: string
  readonly version: string
  /** Default: the native code hash of name@version (see {@link machineCodeHash}). */
  readonly codeHash?: Uint8Array
  /** The block whose FinalizeBlock runs the machine's initGenesis; must be above the current height. */
  readonly height: number
  readonly grants?: ReadonlyArray<Grant>
  /** The machine's genesis section; undefined: its defaults. */
  readonly genesis?: unknown
}

/**
 * Write a scheduled activation into the registry namespace of `ms` (a block or tx branch): the
 * state transition governance performs when an activation proposal passes. Refuses (InvalidRequest)
 * a machine that is already active or halted (a removed one may come back, from an empty namespace).
 */
export const scheduleActivation = (ms: MultiStore, plan: ActivationPlan): MachineRecord => {
  const store = ms.store(REGISTRY_NAMESPACE)
  const prior = readRecord(store, plan.name)
  if (prior && (prior.status === "active" || prior.status === "halted")) {
    throw new InvalidRequest({ log: `machine "${plan.name}" is already ${prior.status} on this chain (since height ${prior.activationHeight})` })
  }
  const rec: MachineRecord = {
    name: plan.name,
    version: plan.version,
    codeHash: plan.codeHash ?? machineCodeHash({ name: plan.name, version: plan.version, codeHash: undefined }),
    activationHeight: plan.height,
    status: "scheduled",
    grants: [...(plan.grants ?? [])],
    ...(plan.genesis === undefined ? {} : { genesis: plan.genesis })
  }
  writeRecord(store, rec)
  return rec
}
