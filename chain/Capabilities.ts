/**
 * The capability table in chain state: the `capabilities` namespace (part of the app hash) maps
 * each principal and method to the grants it holds. Read by the executor before every
 * cross-machine call; written at genesis, by delegation, and (next) by governance.
 *
 * Key layout (all ASCII): `g/<principal>/<interface>.<method>` -> repeated bytes (field 1), each an
 * encoded constraint list (chain/ChainCapability.ts encodeConstraints); sorted and unique.
 *
 * Genesis section `capabilities` (JSON): `{ "grants": [ { "principal": "machine:auth",
 * "capability": { "interface": "bank", "method": "send", "constraints": [ { "field": "from",
 * "op": "signer", "value": "" } ] } } ] }`.
 *
 * Source: ARCHITECTURE.md "Chain-plane capabilities"; cosmos-sdk x/authz (grants keyed by
 * granter/grantee/msg type) for the layout idea.
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { compareBytes, equalBytes } from "../lib/Bytes.ts"
import type { KVStore } from "../store/KVStore.ts"
import { CapabilityMissing, InvalidRequest } from "./ChainError.ts"
import {
  attenuates, decodeConstraints, encodeConstraints, formatCapability, formatConstraint, validateCapability, violatedConstraint,
  type ChainCapability, type ConstraintScope
} from "./ChainCapability.ts"
import { parseGrantPrincipal } from "./Principal.ts"

/** Name of the namespace that holds the table. */
export const CAPABILITIES_NAMESPACE = "capabilities"

/** One grant: a principal (or `<kind>:*`) and the capability it holds. */
export interface Grant {
  readonly principal: string
  readonly capability: ChainCapability
}

const enc = new TextEncoder()
const dec = new TextDecoder()
const PREFIX = enc.encode("g/")
const keyOf = (principal: string, iface: string, method: string): Uint8Array => enc.encode(`g/${principal}/${iface}.${method}`)

const readAlternatives = (bytes: Uint8Array | undefined): Uint8Array[] => {
  if (!bytes) return []
  const r = new BinaryReader(bytes)
  const out: Uint8Array[] = []
  while (r.pos < r.len) {
    if (r.uint32() !== 10) throw new InvalidRequest({ log: "malformed capability entry" })
    out.push(r.bytes())
  }
  return out
}

const writeAlternatives = (alts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const w = BinaryWriter.create()
  for (const a of alts) w.uint32(10).bytes(a)
  return w.finish()
}

/** Bumped by every write to any capability table (any store, any branch): see {@link CapabilityCache}. */
let writes = 0

/**
 * Decoded grants of one chain's committed capability table, so a check costs a Map lookup
 * instead of four IAVL reads and a decode. Sound because it is consulted only while no
 * capability table has been written since this chain's last commit (`writes` unchanged):
 * grants change at genesis and by governance, rarely; after any write every check reads the
 * store until the next {@link CapabilityCache.committed}. Host-side only: the result of a check
 * is the same with or without it.
 */
export class CapabilityCache {
  // principal -> "iface.method"-free nesting: iface -> method -> candidates. Nested maps instead of
  // one `${principal}/${iface}.${method}` key: every checked call would build and hash a new string
  private readonly entries = new Map<string, Map<string, Map<string, ChainCapability[]>>>()
  private size = 0
  private epoch = -1
  /** Call after each commit of the chain's store: the committed table is the one now in force. */
  committed(): void {
    this.entries.clear()
    this.size = 0
    this.epoch = writes
  }
  /** The cached candidates of `principal` for `iface.method`, computing them with `load` when the cache may be used. */
  lookup(principal: string, iface: string, method: string, load: () => ChainCapability[]): ChainCapability[] {
    if (this.epoch !== writes) return load()
    let byIface = this.entries.get(principal)
    let byMethod = byIface?.get(iface)
    let v = byMethod?.get(method)
    if (v === undefined) {
      if (this.size >= 100_000) {
        this.entries.clear()
        this.size = 0
        byIface = byMethod = undefined
      }
      if (byIface === undefined) this.entries.set(principal, (byIface = new Map()))
      if (byMethod === undefined) byIface.set(iface, (byMethod = new Map()))
      byMethod.set(method, (v = load()))
      this.size++
    }
    return v
  }
}

/** Add `grant` to the table (idempotent). Throws InvalidRequest on a malformed principal or capability. */
export const grantCapability = (store: KVStore, grant: Grant): void => {
  const principal = parseGrantPrincipal(grant.principal)
  const cap = validateCapability(grant.capability)
  const key = keyOf(principal, cap.interface, cap.method)
  const mine = encodeConstraints(cap.constraints).finish()
  const alts = readAlternatives(store.get(key))
  if (alts.some((a) => equalBytes(a, mine))) return
  writes++
  alts.push(mine)
  alts.sort(compareBytes) // byte order: the order of their hex text
  store.set(key, writeAlternatives(alts))
}

/** Remove exactly `grant` (same constraints); true when it was held. */
export const revokeCapability = (store: KVStore, grant: Grant): boolean => {
  const cap = validateCapability(grant.capability)
  const key = keyOf(parseGrantPrincipal(grant.principal), cap.interface, cap.method)
  const mine = encodeConstraints(cap.constraints).finish()
  const alts = readAlternatives(store.get(key))
  const rest = alts.filter((a) => !equalBytes(a, mine))
  if (rest.length === alts.length) return false
  writes++
  if (rest.length === 0) store.delete(key)
  else store.set(key, writeAlternatives(rest))
  return true
}

/** Every grant in the table, in key order. */
export const listGrants = (store: KVStore, principal?: string): Grant[] => {
  const start = principal === undefined ? PREFIX : enc.encode(`g/${principal}/`)
  const end = new Uint8Array(start)
  end[end.length - 1]!++
  const out: Grant[] = []
  for (const [k, v] of store.iterate(start, end)) {
    const text = dec.decode(k).slice(2)
    const slash = text.lastIndexOf("/")
    const [iface, method] = text.slice(slash + 1).split(".") as [string, string]
    for (const alt of readAlternatives(v)) {
      out.push({ principal: text.slice(0, slash), capability: { interface: iface, method, constraints: decodeConstraints(alt) } })
    }
  }
  return out
}

/** The grants that may allow `principal` to call `iface.method`: its own, then its kind's defaults; exact method, then `*`. */
const candidates = (store: KVStore, principal: string, iface: string, method: string): ChainCapability[] => {
  const colon = principal.indexOf(":")
  const kindAll = `${principal.slice(0, colon)}:*`
  const out: ChainCapability[] = []
  for (const p of [principal, kindAll]) {
    for (const m of [method, "*"]) {
      for (const alt of readAlternatives(store.get(keyOf(p, iface, m)))) {
        out.push({ interface: iface, method: m, constraints: alt.length === 0 ? [] : decodeConstraints(alt) })
      }
    }
  }
  return out
}

/**
 * Check that `principal` may call `iface.method` with `request` (the decoded typed request).
 * Throws CapabilityMissing (code 4) whose log names the principal, the capability and, when a
 * grant exists but does not hold, the failed constraint. Reads `store` without gas, or `cache`.
 */
export const checkCapability = (
  store: KVStore | (() => KVStore), principal: string, iface: string, method: string, request: unknown, scope: ConstraintScope, cache?: CapabilityCache
): void => {
  // a getter lets the executor skip opening the namespace in its branch when the cache answers
  const load = () => candidates(typeof store === "function" ? store() : store, principal, iface, method)
  const held = cache ? cache.lookup(principal, iface, method, load) : load()
  if (held.length === 0) {
    throw new CapabilityMissing({ log: `capability missing: ${principal} holds no capability ${iface}.${method}: unauthorized` })
  }
  const failures: string[] = []
  for (const cap of held) {
    const bad = violatedConstraint(cap, request, scope)
    if (!bad) return
    failures.push(`${formatCapability(cap)} fails ${formatConstraint(bad)}`)
  }
  throw new CapabilityMissing({ log: `capability refused: ${principal} calls ${iface}.${method}: ${failures.join("; ")}: unauthorized` })
}

/**
 * `from` delegates `capability` to `to`: allowed only when `from` holds a grant that the new one
 * attenuates (it may add constraints, never remove them). Throws CapabilityMissing otherwise.
 */
export const delegateCapability = (store: KVStore, from: string, to: string, capability: ChainCapability): void => {
  const cap = validateCapability(capability)
  const held = candidates(store, from, cap.interface, cap.method)
  if (!held.some((h) => attenuates(h, cap))) {
    throw new CapabilityMissing({ log: `delegation refused: ${from} holds no capability that ${formatCapability(cap)} narrows: unauthorized` })
  }
  grantCapability(store, { principal: to, capability: cap })
}

/** Parse the genesis section (see module doc). Throws InvalidRequest naming the bad entry. */
export const parseCapabilitiesGenesis = (section: unknown): Grant[] => {
  if (section === undefined) return []
  const grants = (section as { grants?: unknown })?.grants
  if (!Array.isArray(grants)) throw new InvalidRequest({ log: "genesis capabilities: expected {\"grants\": [...]}" })
  return grants.map((g, i) => {
    const e = g as { principal?: unknown; capability?: { interface?: unknown; method?: unknown; constraints?: unknown } }
    const c = e?.capability
    if (typeof e?.principal !== "string" || typeof c?.interface !== "string" || typeof c.method !== "string") {
      throw new InvalidRequest({ log: `genesis capabilities.grants[${i}]: needs principal, capability.interface and capability.method` })
    }
    const constraints = Array.isArray(c.constraints) ? c.constraints : []
    return {
      principal: e.principal,
      capability: {
        interface: c.interface,
        method: c.method,
        constraints: constraints.map((k: { field?: unknown; op?: unknown; value?: unknown }) => ({
          field: String(k?.field ?? ""), op: String(k?.op ?? "") as ChainCapability["constraints"][number]["op"], value: String(k?.value ?? "")
        }))
      }
    }
  })
}

/** Export the table as its genesis section. */
export const exportCapabilitiesGenesis = (store: KVStore): { grants: Grant[] } => ({ grants: listGrants(store) })
