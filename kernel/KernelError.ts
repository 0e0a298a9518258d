/**
 * Typed errors of the kernel's process and message plane. All are Data.TaggedError classes:
 * thrown by the synchronous hot-path API, failed with by the Effect API; recover by `_tag`.
 */
import { Data } from "effect"
import type { CapabilityError } from "../capabilities/CapabilityError.ts"
import type { InvalidParams } from "../capabilities/CanonicalJson.ts"
import type { AddressError } from "./Address.ts"
import { formatAddress } from "./Address.ts"
import type { SendError } from "./Message.ts"

/** No process with this id on this node. */
export class ProcessNotFound extends Data.TaggedError("ProcessNotFound")<{ readonly process: string }> {
  override get message(): string {
    return `no process ${this.process}`
  }
}

/** A process with this id already exists (WIT spawn-error `name-taken`). */
export class NameTaken extends Data.TaggedError("NameTaken")<{ readonly process: string }> {
  override get message(): string {
    return `process name ${this.process} is taken`
  }
}

/**
 * The sender already has `limit` sends waiting for space in full mailboxes: it must await its
 * earlier sends (backpressure) before sending more.
 */
export class MailboxFull extends Data.TaggedError("MailboxFull")<{
  readonly sender: string
  readonly target: string
  readonly limit: number
}> {
  override get message(): string {
    return `mailbox of ${this.target} is full and ${this.sender} already has ${this.limit} blocked sends; await them first`
  }
}

/** The sender has `limit` requests awaiting responses already. */
export class TooManyOutstanding extends Data.TaggedError("TooManyOutstanding")<{
  readonly process: string
  readonly limit: number
}> {
  override get message(): string {
    return `${this.process} has ${this.limit} outstanding requests (the limit)`
  }
}

/** `respond` was called with no request being handled that expects a response. */
export class NoPendingRequest extends Data.TaggedError("NoPendingRequest")<{ readonly process: string }> {
  override get message(): string {
    return `${this.process} has no request expecting a response to answer`
  }
}

/** A send failed: `error` is the WIT send-error (kind offline or timeout, target, message). */
export class SendFailed extends Data.TaggedError("SendFailed")<{ readonly error: SendError }> {
  /** `offline` or `timeout`. */
  get kind(): SendError["kind"] {
    return this.error.kind
  }
  override get message(): string {
    return `${this.error.kind}: ${formatAddress(this.error.target)}`
  }
}

/** A message the kernel cannot carry; `reason` names the bad field. */
export class InvalidMessage extends Data.TaggedError("InvalidMessage")<{ readonly reason: string }> {
  override get message(): string {
    return `invalid message: ${this.reason}`
  }
}

/** A feature the kernel does not build yet; `feature` names it. */
export class NotSupported extends Data.TaggedError("NotSupported")<{ readonly feature: string }> {
  override get message(): string {
    return `not supported yet: ${this.feature}`
  }
}

/** Any error of the kernel API. */
export type KernelError =
  | ProcessNotFound
  | NameTaken
  | MailboxFull
  | TooManyOutstanding
  | NoPendingRequest
  | SendFailed
  | NotSupported
  | InvalidMessage
  | AddressError
  | InvalidParams
  | CapabilityError
