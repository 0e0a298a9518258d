/**
 * Type-level ties between the kernel's host types and the types jco generates from
 * wit/process.wit (kernel/generated/, `npm run wit:gen`). Each line fails `npm run typecheck`
 * when the two disagree in either direction (a field added, removed, renamed or retyped on
 * one side), so host code cannot drift from the WIT; `npm run wit:check` catches generated
 * types that are stale with respect to the .wit file.
 *
 * Signed capabilities (capabilities/Capability.ts) are the WIT capability plus the kernel's
 * signer and signature, which never cross into userspace: the tie is on the WIT view.
 */
import type * as Wit from "./generated/interfaces/cyberkernel-process-standard.d.ts"
import type { Capability, SignedCapability } from "../capabilities/Capability.ts"
import type { Address, ProcessId } from "./Address.ts"
import type { LazyLoadBlob, Message, OnExit, Request, Response, RestartBackoff, SendError, SendErrorKind } from "./Message.ts"

/** True when A and B are mutually assignable (readonly modifiers aside), else a compile error. */
export type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false

/** Fails to compile unless `T` is `true`. */
type Assert<T extends true> = T

/** The shape ties; each alias is `true` only when the kernel type and the WIT type agree. */
export type WitAgreement = [
  Assert<Agree<ProcessId, Wit.ProcessId>>,
  Assert<Agree<Address, Wit.Address>>,
  Assert<Agree<LazyLoadBlob, Wit.LazyLoadBlob>>,
  Assert<Agree<Capability, Wit.Capability>>,
  Assert<Agree<Omit<SignedCapability, "signer" | "signature">, Wit.Capability>>,
  Assert<Agree<Request, Wit.Request>>,
  Assert<Agree<Response, Wit.Response>>,
  Assert<Agree<Message, Wit.Message>>,
  Assert<Agree<RestartBackoff, Wit.RestartBackoff>>,
  Assert<Agree<OnExit, Wit.OnExit>>,
  Assert<Agree<SendErrorKind, Wit.SendErrorKind>>,
  Assert<Agree<SendError, Wit.SendError>>
]
