/**
 * Typed refusals of the capability system. Each names why a capability was refused; recover by
 * `_tag` (Effect.catchTag) or `instanceof`.
 */
import { Data } from "effect"

/** The signature does not verify under the issuing node's key: the kernel did not sign it. */
export class CapabilityForged extends Data.TaggedError("CapabilityForged")<{
  /** `issuer params` of the refused capability. */
  readonly capability: string
  readonly reason: string
}> {
  override get message(): string {
    return `forged capability ${this.capability}: ${this.reason}`
  }
}

/**
 * Signed by another node's key than the issuer's node (or issued on a node whose key this
 * kernel does not know): not this kernel's to honour.
 */
export class CapabilityForeign extends Data.TaggedError("CapabilityForeign")<{
  readonly capability: string
  /** Hex of the signer's public key as the capability claims it. */
  readonly signer: string
  readonly reason: string
}> {
  override get message(): string {
    return `foreign capability ${this.capability}: ${this.reason}`
  }
}

/** The holder does not hold the capability it needs or attached. */
export class CapabilityNotHeld extends Data.TaggedError("CapabilityNotHeld")<{
  /** The holder's address or process id. */
  readonly holder: string
  readonly capability: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.holder} does not hold capability ${this.capability}: ${this.reason}`
  }
}

/** Any capability refusal. */
export type CapabilityError = CapabilityForged | CapabilityForeign | CapabilityNotHeld
