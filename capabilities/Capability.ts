/**
 * Capabilities: `{issuer: address, params: json}` (WIT `capability`, wit/process.wit), made
 * unforgeable by the issuing kernel's ed25519 signature over a domain-separated encoding.
 *
 * Follows Hyperware's capability model (hyperware-ai/hyperware kernel/src/kernel/mod.rs and
 * lib/src/core.rs: a capability is an issuer address plus JSON params, the messaging
 * capability's params are the JSON string "messaging", the kernel signs capabilities with the
 * node's networking key and keeps them per process). Userspace sees only `{issuer, params}`; the
 * kernel and native (host) processes carry the signed form.
 */
import type { Address } from "../kernel/Address.ts"
import { formatAddress } from "../kernel/Address.ts"

/** A capability as the WIT shows it: issuer address and canonical JSON params. */
export interface Capability {
  readonly issuer: Address
  /** Canonical JSON (capabilities/CanonicalJson.ts), e.g. `"messaging"` or `{"mint":true}`. */
  readonly params: string
}

/** A capability with the issuing kernel's signature: what the kernel stores and hands out. */
export interface SignedCapability extends Capability {
  /** ed25519 public key (32 bytes) of the node whose kernel signed it. */
  readonly signer: Uint8Array
  /** ed25519 signature (64 bytes) over `capabilitySigningBytes(issuer, params)`. */
  readonly signature: Uint8Array
}

/** Params of the messaging capability: a private process is reached only by its holders. */
export const MESSAGING = "\"messaging\""

/**
 * Params of the networking capability, issued by this node's kernel (`our@kernel:distro:sys`):
 * its holder may message processes on other nodes (Hyperware's "networking"; userspace gets it
 * through `request_networking` in its package manifest).
 */
export const NETWORKING = "\"networking\""

/** The messaging capability to message `target` (unsigned: look it up or issue it). */
export const messagingCapability = (target: Address): Capability => ({ issuer: target, params: MESSAGING })

const addressKeys = new WeakMap<Address, string>()

/**
 * `formatAddress(a)`, cached per Address object (addresses are immutable values that processes
 * reuse), so that table lookups hash one long-lived string instead of building a new one.
 */
export const addressKey = (a: Address): string => {
  let k = addressKeys.get(a)
  if (k === undefined) {
    k = formatAddress(a)
    addressKeys.set(a, k)
  }
  return k
}

/**
 * The table key of a capability: `node@process:package:publisher params`. The address cannot
 * hold a space, so distinct (issuer, params) pairs give distinct keys.
 */
export const capabilityKey = (issuer: Address, params: string): string => `${addressKey(issuer)} ${params}`

const DOMAIN = "cyberkernel/capability/v1\n"
const utf8 = new TextEncoder()

/** The bytes a kernel signs for a capability: domain tag, issuer address, newline, params. */
export const capabilitySigningBytes = (issuer: Address, params: string): Uint8Array =>
  utf8.encode(`${DOMAIN}${formatAddress(issuer)}\n${params}`)

/** True when `c` carries a signature (SignedCapability). */
export const isSigned = (c: Capability): c is SignedCapability =>
  (c as SignedCapability).signature instanceof Uint8Array && (c as SignedCapability).signer instanceof Uint8Array

/** The WIT view of a capability (drops signer and signature). */
export const unsigned = (c: Capability): Capability => ({ issuer: c.issuer, params: c.params })

/** `issuer params` for logs and errors. */
export const describeCapability = (c: Capability): string => `${formatAddress(c.issuer)} ${c.params}`
