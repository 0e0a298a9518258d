/**
 * Chain-plane capabilities: `interface.method {constraints}`, held by principals
 * (chain/Principal.ts), stored in the `capabilities` namespace (chain/Capabilities.ts) and checked
 * by the executor against the typed request before the callee runs.
 *
 * A constraint names a request field by its WIT name (kebab-case; `a.b` for a nested record,
 * `amount[].denom` for every element of a list) and a rule:
 * | op       | value        | holds when                                                      |
 * |----------|--------------|-----------------------------------------------------------------|
 * | `self`   | —            | the field equals the calling principal's own address            |
 * | `signer` | —            | the field is one of the transaction's signers (none in blocks)  |
 * | `caller` | —            | the field equals the own address of the principal that called   |
 * |          |              | the machine now making the call (only inside its onCall)        |
 * | `eq`     | text         | the field equals the value                                      |
 * | `prefix` | text         | the field starts with the value (`denom: prefix "ibc/"`)        |
 * | `max`    | decimal uint | the field, read as an unsigned integer, is at most the value    |
 * A capability without constraints allows every request of its method; method `*` allows every
 * method of the interface (only without constraints). Several grants of one method are
 * alternatives: one that holds is enough.
 *
 * Text form (logs, docs, CLI): `bank.send {from: self}`, `bank.mint {amount[].denom: prefix "ibc/",
 * amount[].amount: max 1000}`.
 *
 * Source: ARCHITECTURE.md "Chain-plane capabilities"; object-capability attenuation (Miller,
 * "Robust Composition", 2006): a delegated capability may only add constraints.
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { toHex } from "../lib/Bytes.ts"
import { InvalidRequest } from "./ChainError.ts"

/** Rule of one constraint. */
export type ConstraintOp = "self" | "signer" | "caller" | "eq" | "prefix" | "max"

/** One constraint on a request field. `value` is empty for `self`, `signer` and `caller`. */
export interface Constraint {
  readonly field: string
  readonly op: ConstraintOp
  readonly value: string
}

/** A capability: the method of an interface it allows, under its constraints (all must hold). */
export interface ChainCapability {
  readonly interface: string
  readonly method: string
  readonly constraints: ReadonlyArray<Constraint>
}

const OPS: ReadonlyArray<ConstraintOp> = ["self", "signer", "caller", "eq", "prefix", "max"]
const NAME = /^[a-z0-9][a-z0-9-]*$/
const FIELD = /^[a-z0-9][a-z0-9-]*(\[\])?(\.[a-z0-9][a-z0-9-]*(\[\])?)*$/

/** Validate shape and names; throws InvalidRequest naming the bad part. Returns the capability with sorted constraints. */
export const validateCapability = (c: ChainCapability): ChainCapability => {
  const name = `${c.interface}.${c.method}`
  if (!NAME.test(c.interface)) throw new InvalidRequest({ log: `capability ${name}: invalid interface name` })
  if (c.method !== "*" && !NAME.test(c.method)) throw new InvalidRequest({ log: `capability ${name}: invalid method name` })
  if (c.method === "*" && c.constraints.length > 0) throw new InvalidRequest({ log: `capability ${name}: a wildcard method takes no constraints` })
  for (const k of c.constraints) {
    if (!FIELD.test(k.field)) throw new InvalidRequest({ log: `capability ${name}: invalid constraint field "${k.field}"` })
    if (!OPS.includes(k.op)) throw new InvalidRequest({ log: `capability ${name}: unknown constraint rule "${k.op}" on ${k.field}` })
    const needsValue = k.op === "eq" || k.op === "prefix" || k.op === "max"
    if (needsValue !== (k.value !== "")) throw new InvalidRequest({ log: `capability ${name}: rule ${k.op} on ${k.field} ${needsValue ? "needs" : "takes no"} value` })
    if (k.op === "max" && !/^(0|[1-9][0-9]{0,77})$/.test(k.value)) throw new InvalidRequest({ log: `capability ${name}: max on ${k.field} must be an unsigned integer` })
  }
  return { interface: c.interface, method: c.method, constraints: [...c.constraints].sort(compareConstraint) }
}

const compareConstraint = (a: Constraint, b: Constraint): number =>
  a.field < b.field ? -1 : a.field > b.field ? 1 : a.op < b.op ? -1 : a.op > b.op ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0

/** Text form, e.g. `bank.send {from: self}`. */
export const formatCapability = (c: ChainCapability): string =>
  c.constraints.length === 0
    ? `${c.interface}.${c.method}`
    : `${c.interface}.${c.method} {${c.constraints.map(formatConstraint).join(", ")}}`

/** Text form of one constraint, e.g. `from: self`, `amount[].denom: prefix "ibc/"`. */
export const formatConstraint = (k: Constraint): string =>
  k.op === "self" || k.op === "signer" || k.op === "caller" ? `${k.field}: ${k.op}` : k.op === "max" ? `${k.field}: max ${k.value}` : `${k.field}: ${k.op} ${JSON.stringify(k.value)}` // determinism-ok: log and docs text, never state

/** Canonical protobuf bytes of a constraint list (field 1 repeated {1 field, 2 op, 3 value}), sorted. */
export const encodeConstraints = (constraints: ReadonlyArray<Constraint>, w: BinaryWriter = BinaryWriter.create()): BinaryWriter => {
  for (const k of [...constraints].sort(compareConstraint)) {
    w.uint32(10).fork()
    w.uint32(10).string(k.field)
    w.uint32(18).string(k.op)
    if (k.value !== "") w.uint32(26).string(k.value)
    w.ldelim()
  }
  return w
}

/** Inverse of {@link encodeConstraints}. Throws InvalidRequest on malformed bytes. */
export const decodeConstraints = (bytes: Uint8Array): Constraint[] => {
  try {
    const r = new BinaryReader(bytes)
    const out: Constraint[] = []
    while (r.pos < r.len) {
      const tag = r.uint32()
      if (tag !== 10) throw new Error(`unexpected tag ${tag}`)
      const inner = new BinaryReader(r.bytes())
      let field = ""
      let op = ""
      let value = ""
      while (inner.pos < inner.len) {
        const t = inner.uint32()
        if (t === 10) field = inner.string()
        else if (t === 18) op = inner.string()
        else if (t === 26) value = inner.string()
        else throw new Error(`unexpected tag ${t}`)
      }
      out.push({ field, op: op as ConstraintOp, value })
    }
    return out
  } catch (e) {
    throw new InvalidRequest({ log: `malformed capability constraints: ${(e as Error).message}` })
  }
}

/**
 * True when `narrower` allows no request that `wider` refuses: same interface, same method (or
 * `wider` is the wildcard), and every constraint of `wider` appears in `narrower` (a `max` may be
 * lowered, a `prefix` lengthened). Delegation may only narrow: see Capabilities.delegate.
 */
export const attenuates = (wider: ChainCapability, narrower: ChainCapability): boolean => {
  if (wider.interface !== narrower.interface) return false
  if (wider.method !== "*" && wider.method !== narrower.method) return false
  return wider.constraints.every((w) =>
    narrower.constraints.some((n) =>
      n.field === w.field && (
        (n.op === w.op && n.value === w.value) ||
        (w.op === "max" && n.op === "max" && BigInt(n.value) <= BigInt(w.value)) ||
        (w.op === "prefix" && (n.op === "prefix" || n.op === "eq") && n.value.startsWith(w.value))
      )
    )
  )
}

/** What a constraint is checked against besides the request. */
export interface ConstraintScope {
  /** The calling principal's own address (chain/Principal.ts selfAddress). */
  readonly self: string
  /** The transaction's signers (bech32), empty outside a transaction. */
  readonly signers: ReadonlyArray<string>
  /**
   * When the calling principal is a machine serving a synchronous call (its onCall), the own
   * address of the principal that called it: a contract delegating through the staking machine
   * lets staking move that contract's coins (`bank.send {from: caller}`). Absent otherwise.
   */
  readonly caller?: string
}

const camel = (kebab: string): string => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())

interface Segment { readonly key: string; readonly list: boolean }
const parsedPaths = new Map<string, ReadonlyArray<Segment>>()
const segments = (path: string): ReadonlyArray<Segment> => {
  let segs = parsedPaths.get(path)
  if (!segs) {
    segs = path.split(".").map((seg) => {
      const list = seg.endsWith("[]")
      return { key: camel(list ? seg.slice(0, -2) : seg), list }
    })
    if (parsedPaths.size < 10_000) parsedPaths.set(path, segs)
  }
  return segs
}

/** Values of a field path in a decoded request (lists expand with `[]`). Missing fields read as "". */
export const fieldValues = (request: unknown, path: string): unknown[] => {
  let values: unknown[] = [request]
  for (const { key, list } of segments(path)) {
    const next: unknown[] = []
    for (const v of values) {
      const f = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[key] : undefined
      if (list) {
        if (Array.isArray(f)) next.push(...f)
      } else next.push(f ?? "")
    }
    values = next
  }
  return values
}

const text = (v: unknown): string => (typeof v === "string" ? v : typeof v === "bigint" || typeof v === "number" ? String(v) : v instanceof Uint8Array ? toHex(v) : "")
const uint = (v: unknown): bigint | undefined => {
  const t = text(v)
  return /^[0-9]{1,78}$/.test(t) ? BigInt(t) : undefined
}

/** The first constraint of `cap` that `request` violates, or undefined when all hold. */
export const violatedConstraint = (cap: ChainCapability, request: unknown, scope: ConstraintScope): Constraint | undefined => {
  for (const k of cap.constraints) {
    const segs = segments(k.field)
    if (segs.length === 1 && !segs[0]!.list) {
      // the common case (`from: self`): one plain field, no array to build
      const f = typeof request === "object" && request !== null ? (request as Record<string, unknown>)[segs[0]!.key] : undefined
      if (!holds(k, f ?? "", scope)) return k
    } else if (!fieldValues(request, k.field).every((v) => holds(k, v, scope))) return k
  }
  return undefined
}

const holds = (k: Constraint, v: unknown, scope: ConstraintScope): boolean => {
  switch (k.op) {
    case "self": return text(v) === scope.self
    case "signer": return scope.signers.includes(text(v))
    case "caller": return scope.caller !== undefined && text(v) === scope.caller
    case "eq": return text(v) === k.value
    case "prefix": return text(v).startsWith(k.value)
    case "max": {
      const n = uint(v)
      return n !== undefined && n <= BigInt(k.value)
    }
  }
}
