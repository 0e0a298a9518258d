/**
 * The capability authority of one kernel: issues signed capabilities and authenticates
 * capabilities that cross a trust boundary (saved from a message, presented by userspace, or
 * arriving from another node), keeping every issued or verified one in a table so that a
 * capability is verified once and looked up afterwards. Holding is tracked by the kernel per
 * process; this table only answers "is this a genuine capability of ours (or of a known node)".
 *
 * Follows Hyperware's kernel: capabilities are signed with the node's key and checked against
 * the kernel's own records (hyperware-ai/hyperware kernel/src/kernel/mod.rs, `CapMessage`).
 */
import type { Address } from "../kernel/Address.ts"
import { canonicalizeJsonText } from "./CanonicalJson.ts"
import {
  type Capability,
  capabilityKey,
  capabilitySigningBytes,
  describeCapability,
  isSigned,
  type SignedCapability
} from "./Capability.ts"
import { CapabilityForeign, CapabilityForged } from "./CapabilityError.ts"
import { equalBytes, toHex } from "../lib/Bytes.ts"
import { type NodeKey, verifyEd25519 } from "./NodeKey.ts"

/** Counters of the authority (for tests and the dashboard). */
export interface AuthorityStats {
  /** Signatures checked with ed25519 verify (each capability at most once while tabled). */
  readonly verifications: number
  /** Capabilities issued by this kernel. */
  readonly issued: number
  /** Capabilities in the table (issued or verified). */
  readonly tabled: number
}

/** Issues and authenticates capabilities for the node `our` with key `key`. */
export class CapabilityAuthority {
  readonly our: string
  readonly key: NodeKey
  /** Public keys of other nodes whose capabilities this kernel accepts (PKI is a later issue). */
  readonly #nodeKeys: ReadonlyMap<string, Uint8Array>
  readonly #table = new Map<string, SignedCapability>()
  #verifications = 0
  #issued = 0

  constructor(our: string, key: NodeKey, nodeKeys: ReadonlyMap<string, Uint8Array> = new Map()) {
    this.our = our
    this.key = key
    this.#nodeKeys = nodeKeys
  }

  /**
   * Issue (sign) the capability `{issuer, params}`; `params` is JSON text, canonicalized here
   * (throws InvalidParams when it is not JSON). Returns the tabled instance.
   */
  issue(issuer: Address, params: string): SignedCapability {
    const canonical = canonicalizeJsonText(params)
    const key = capabilityKey(issuer, canonical)
    const known = this.#table.get(key)
    if (known !== undefined && equalBytes(known.signer, this.key.publicKey)) return known
    const cap: SignedCapability = {
      issuer,
      params: canonical,
      signer: this.key.publicKey,
      signature: this.key.sign(capabilitySigningBytes(issuer, canonical))
    }
    this.#table.set(key, cap)
    this.#issued++
    return cap
  }

  /** The tabled capability `{issuer, params}` (params canonical), if any. */
  lookup(issuer: Address, params: string): SignedCapability | undefined {
    return this.#table.get(capabilityKey(issuer, params))
  }

  /**
   * Authenticate a capability that crosses a trust boundary. A tabled capability with the same
   * signature is a lookup; otherwise the signer must be the issuer node's key (this node's own
   * key for `our`) and the signature must verify, else CapabilityForeign / CapabilityForged.
   * Unsigned capabilities are refused as forged. Returns the tabled instance.
   */
  authenticate(cap: Capability): SignedCapability {
    if (!isSigned(cap)) {
      throw new CapabilityForged({ capability: describeCapability(cap), reason: "it carries no kernel signature" })
    }
    const key = capabilityKey(cap.issuer, cap.params)
    const known = this.#table.get(key)
    if (known !== undefined && equalBytes(known.signature, cap.signature) && equalBytes(known.signer, cap.signer)) {
      return known
    }
    const node = cap.issuer.node
    const expected = node === this.our ? this.key.publicKey : this.#nodeKeys.get(node)
    if (expected === undefined) {
      throw new CapabilityForeign({
        capability: describeCapability(cap),
        signer: toHex(cap.signer),
        reason: `issued on node ${node}, whose key this kernel does not know`
      })
    }
    if (!equalBytes(cap.signer, expected)) {
      throw new CapabilityForeign({
        capability: describeCapability(cap),
        signer: toHex(cap.signer),
        reason: `signed by key ${toHex(cap.signer)}, not by node ${node}'s key ${toHex(expected)}`
      })
    }
    this.#verifications++
    if (!verifyEd25519(expected, cap.signature, capabilitySigningBytes(cap.issuer, cap.params))) {
      throw new CapabilityForged({
        capability: describeCapability(cap),
        reason: `signature does not verify under node ${node}'s key`
      })
    }
    const tabled: SignedCapability = {
      issuer: cap.issuer,
      params: cap.params,
      signer: cap.signer.slice(),
      signature: cap.signature.slice()
    }
    this.#table.set(key, tabled)
    return tabled
  }

  /** Counters. */
  stats(): AuthorityStats {
    return { verifications: this.#verifications, issued: this.#issued, tabled: this.#table.size }
  }
}
