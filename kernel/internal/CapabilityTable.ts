/**
 * The capability table: which signed capabilities each process holds (grant, drop, has), the
 * check of the capabilities a message carries, and revocation when an issuer ends. Plain
 * synchronous code: `attached` runs on the message path and is an identity lookup for a
 * capability the sender holds.
 *
 * Source: Hyperware kernel/src/kernel/mod.rs and process.rs (GrantCapabilities,
 * DropCapabilities, capabilities attached to messages must be held by the sender).
 */
import type { CapabilityAuthority } from "../../capabilities/Authority.ts"
import { canonicalizeJsonText } from "../../capabilities/CanonicalJson.ts"
import {
  addressKey,
  type Capability,
  capabilityKey,
  describeCapability,
  isSigned,
  type SignedCapability
} from "../../capabilities/Capability.ts"
import { CapabilityForged, CapabilityNotHeld } from "../../capabilities/CapabilityError.ts"
import { equalBytes } from "../../lib/Bytes.ts"
import type { Address, ProcessId } from "../Address.ts"
import { isAddress } from "../Address.ts"
import type { Grant } from "../Process.ts"
import type { Entry } from "./Entry.ts"
import type { ProcessTable } from "./ProcessTable.ts"

/** Give `e` the capability `cap` (tabled instance) under `key`. */
export const hold = (e: Entry, key: string, cap: SignedCapability): void => {
  const old = e.caps.get(key)
  if (old !== undefined) e.held.delete(old)
  e.caps.set(key, cap)
  e.held.add(cap)
  const ik = addressKey(cap.issuer)
  let byParams = e.index.get(ik)
  if (byParams === undefined) e.index.set(ik, (byParams = new Map()))
  byParams.set(cap.params, cap)
}

/** The capability `{issuer (as addressKey), params}` held by `e`, if any. */
export const heldBy = (e: Entry, issuerKey: string, params: string): SignedCapability | undefined =>
  e.index.get(issuerKey)?.get(params)

/** Take the capability under `key` from `e`; false when not held. */
export const release = (e: Entry, key: string): boolean => {
  const old = e.caps.get(key)
  if (old === undefined) return false
  e.caps.delete(key)
  e.held.delete(old)
  const ik = addressKey(old.issuer)
  const byParams = e.index.get(ik)
  if (byParams !== undefined) {
    byParams.delete(old.params)
    if (byParams.size === 0) e.index.delete(ik)
  }
  // Hosts that cache a check (light guests' in-worker routes) withdraw it now.
  e.process.onCapabilityDropped?.(old)
  return true
}

/** The miss path of `holds`: held under the canonical form of `params` (not JSON: false). */
const holdsCanonical = (e: Entry, issuerKey: string, params: string): boolean => {
  try {
    const canonical = canonicalizeJsonText(params)
    return canonical !== params && heldBy(e, issuerKey, canonical) !== undefined
  } catch {
    return false
  }
}

/** Grants, drops and checks over the entries of one process table, signed by one authority. */
export class CapabilityTable {
  readonly authority: CapabilityAuthority
  readonly #processes: ProcessTable
  readonly #localKeys = new WeakMap<ProcessId, string>()

  constructor(authority: CapabilityAuthority, processes: ProcessTable) {
    this.authority = authority
    this.#processes = processes
  }

  /** Sign the capability of grant `g` (a bare ProcessId issuer is on this node). Throws InvalidParams. */
  issue(g: Grant): SignedCapability {
    const issuer = isAddress(g.issuer) ? g.issuer : { node: this.#processes.our, process: g.issuer }
    return this.authority.issue(issuer, g.params)
  }

  /** Give `e` each of `caps` (already signed). */
  give(e: Entry, caps: ReadonlyArray<SignedCapability>): void {
    for (const c of caps) hold(e, capabilityKey(c.issuer, c.params), c)
  }

  /** Take `caps` from `e`; absent ones (also after canonicalizing params) are ignored. */
  drop(e: Entry, caps: ReadonlyArray<Capability>): void {
    for (const c of caps) {
      if (!release(e, capabilityKey(c.issuer, c.params))) {
        try {
          release(e, capabilityKey(c.issuer, canonicalizeJsonText(c.params)))
        } catch {
          // not JSON: cannot be held
        }
      }
    }
  }

  /**
   * Does `e` hold `{issuer, params}`? `issuer` may be a bare ProcessId (this node). Two Map
   * lookups; params are canonicalized only on a miss.
   */
  holds(e: Entry, cap: { readonly issuer: Address | ProcessId; readonly params: string }): boolean {
    const ik = isAddress(cap.issuer) ? addressKey(cap.issuer) : this.#localKey(cap.issuer)
    return e.index.get(ik)?.get(cap.params) !== undefined || holdsCanonical(e, ik, cap.params)
  }

  /** addressKey of `id` on this node, cached per ProcessId object. */
  #localKey(id: ProcessId): string {
    let k = this.#localKeys.get(id)
    if (k === undefined) {
      k = addressKey({ node: this.#processes.our, process: id })
      this.#localKeys.set(id, k)
    }
    return k
  }

  /**
   * The capabilities a message from `from` carries, replaced by the sender's signed instances.
   * Throws CapabilityNotHeld (not held), CapabilityForged (a signature other than the one this
   * kernel issued), CapabilityForeign (signed by an unknown node).
   */
  attached(from: Entry, caps: ReadonlyArray<Capability>): SignedCapability[] {
    const out: SignedCapability[] = new Array(caps.length)
    for (let i = 0; i < caps.length; i++) {
      const c = caps[i]!
      if (from.held.has(c as SignedCapability)) {
        // The sender's own tabled instance: an identity lookup.
        out[i] = c as SignedCapability
        continue
      }
      const held = heldBy(from, addressKey(c.issuer), c.params)
      if (held !== undefined) {
        if (isSigned(c) && !(equalBytes(c.signature, held.signature) && equalBytes(c.signer, held.signer))) {
          throw new CapabilityForged({
            capability: describeCapability(c),
            reason: `its signature differs from the one this kernel issued`
          })
        }
        out[i] = held
        continue
      }
      // Not held: a signed one is authenticated first, so that the refusal names a forgery.
      if (isSigned(c)) this.authority.authenticate(c)
      throw new CapabilityNotHeld({
        holder: from.name,
        capability: describeCapability(c),
        reason: "a message may carry only capabilities its sender holds"
      })
    }
    return out
  }

  /** Take every capability `e` issued (issuer = its address) from every live holder. */
  revokeIssuedBy(e: Entry): void {
    const ik = addressKey(e.address)
    for (const h of this.#processes.entries()) {
      const issued = h.index.get(ik)
      if (issued === undefined) continue
      for (const params of [...issued.keys()]) release(h, capabilityKey(e.address, params))
    }
  }
}
