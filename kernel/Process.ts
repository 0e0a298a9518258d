/**
 * Processes as the kernel sees them: the native (TypeScript) process contract, the context a
 * process acts through (its syscall table: the WIT process world's functions as plain methods),
 * and the spec a process is initialized from.
 *
 * Chain machines are registered as native processes named `<machine>:chain:sys`
 * (chain/Machine.ts); node-plane modules (RPC, dashboard) are native processes too. Wasm
 * component processes are a later issue.
 *
 * Source: Hyperware process-v1 WIT (send-request, send-response, send-and-await-response,
 * receive, get/set/clear-state, save/drop/our-capabilities, get/set-on-exit).
 */
import type { Capability, SignedCapability } from "../capabilities/Capability.ts"
import type { Address, ProcessId } from "./Address.ts"
import type { Context, LazyLoadBlob, OnExit, Request, Response, SendError } from "./Message.ts"

/** A response delivered to `request()`'s caller. */
export interface Reply {
  /** The process that answered. */
  readonly source: Address
  readonly response: Response
  readonly blob: LazyLoadBlob | undefined
}

/** An opaque handle on a request being handled, to answer it later (`respondTo`). */
export interface PendingRequest {
  readonly source: Address
  readonly request: Request
}

/**
 * A native process: a TypeScript object whose methods the kernel calls, one message at a time
 * (a returned promise delays the next delivery to this process until it settles). A method that
 * throws (or whose promise rejects) crashes the process and runs its on-exit.
 */
export interface NativeProcess {
  /** Called when the process starts (run command, and after each restart). */
  init?(ctx: ProcessContext): void | Promise<void>
  /** A request arrived. Answer with `ctx.respond` (or later with `ctx.respondTo`). */
  onRequest?(ctx: ProcessContext, source: Address, request: Request, blob: LazyLoadBlob | undefined): void | Promise<void>
  /** A response arrived for a request sent with `send` (not `request`), with its context. */
  onResponse?(
    ctx: ProcessContext,
    source: Address,
    response: Response,
    context: Context | undefined,
    blob: LazyLoadBlob | undefined
  ): void | Promise<void>
  /** A request sent with `send` timed out or its target went offline. */
  onSendError?(ctx: ProcessContext, error: SendError, context: Context | undefined): void | Promise<void>
  /** Called once when the process ends (killed, or crashed with no restart). */
  terminate?(): void
  /**
   * Called synchronously when a capability leaves this process's table (drop command, its own
   * drop-capabilities, or its issuer's end). A host that cached a check on it (a light guest's
   * in-worker route, kernel/userspace/LitePool.ts) withdraws it here. Must not throw or call
   * the kernel.
   */
  onCapabilityDropped?(cap: SignedCapability): void
}

/** Options of a fire-and-forget `send`. */
export interface SendOptions {
  /** Kept by the kernel and handed back with the response or send error. */
  readonly context?: Context
  readonly blob?: LazyLoadBlob
}

/**
 * What a process acts through. Message methods are plain synchronous functions (no Effect on
 * the hot path) and throw the kernel's typed errors (kernel/KernelError.ts).
 */
export interface ProcessContext {
  /** This process's address. */
  readonly our: Address
  /**
   * WIT send-request. Returns undefined when the request is in the target's mailbox, or a
   * promise that resolves once a full mailbox took it: `await` every send (backpressure).
   * Throws SendFailed (offline), CapabilityNotHeld (private target, or attached capability not
   * held), CapabilityForged/Foreign (attached capability with a bad signature), MailboxFull
   * (too many blocked sends), TooManyOutstanding. With `expectsResponse`, the response arrives
   * at `onResponse`, a timeout or offline at `onSendError`, each with `options.context`.
   */
  send(target: Address, request: Request, options?: SendOptions): void | Promise<void>
  /**
   * WIT send-requests: `send` each in order. Returns undefined when all are in mailboxes, or a
   * promise that resolves once every blocked one was admitted. Stops at the first throw.
   */
  sendRequests(requests: ReadonlyArray<readonly [Address, Request, SendOptions?]>): void | Promise<void>
  /**
   * WIT send-and-await-response: resolves with the response, rejects with SendFailed (timeout
   * after `request.expectsResponse` ms, or the kernel's default timeout when unset; offline)
   * or the capability errors of `send`.
   */
  request(target: Address, request: Request, blob?: LazyLoadBlob): Promise<Reply>
  /** WIT send-response: answer the request being handled. Throws NoPendingRequest. */
  respond(response: Response, blob?: LazyLoadBlob): void
  /** The request being handled, to answer after this handler returns (`respondTo`). */
  pending(): PendingRequest | undefined
  /** Answer a request taken with `pending()`; a second answer is dropped and counted. */
  respondTo(pending: PendingRequest, response: Response, blob?: LazyLoadBlob): void
  /**
   * Fail a request taken with `pending()` instead of answering it: its requester gets the send
   * error `kind` now (as at a timeout). For a host that handed requests to a guest that then
   * died (kernel/userspace/LitePool.ts). An answered, expired or foreign one is ignored; throws
   * NoPendingRequest for a value that is not a request.
   */
  failPending(pending: PendingRequest, kind: "offline" | "timeout"): void
  /** WIT our-capabilities. */
  capabilities(): SignedCapability[]
  /** Whether this process holds `cap` (table lookup). */
  hasCapability(cap: Capability): boolean
  /**
   * WIT save-capabilities: keep capabilities received in messages; each is authenticated
   * (table lookup, or one signature check) and refused with CapabilityForged/Foreign.
   */
  saveCapabilities(caps: ReadonlyArray<Capability>): void
  /** WIT drop-capabilities. */
  dropCapabilities(caps: ReadonlyArray<Capability>): void
  /** WIT get-state: bytes kept by the kernel across restarts (in memory; persistence later). */
  getState(): Uint8Array | undefined
  /** WIT set-state. */
  setState(bytes: Uint8Array): void
  /** WIT clear-state. */
  clearState(): void
  /**
   * WIT spawn: start a child process in this process's package (`name:package:publisher`,
   * a random u64 name when absent). Its `requestCapabilities` must be held by this process
   * (CapabilityNotHeld otherwise) and are given to the child; `grantCapabilities` issues
   * capabilities with the child as issuer to the listed processes (e.g. `[ctx.our.process,
   * '"messaging"']` to message a private child). Throws NameTaken. Returns the child's id.
   */
  spawn(child: ChildSpec): ProcessId
  /** WIT get-on-exit. */
  getOnExit(): OnExit
  /** WIT set-on-exit. */
  setOnExit(onExit: OnExit): void
}

/** What `ProcessContext.spawn` starts. */
export interface ChildSpec {
  readonly name?: string
  readonly process: NativeProcess
  readonly onExit?: OnExit
  readonly requestCapabilities?: ReadonlyArray<Capability>
  readonly grantCapabilities?: ReadonlyArray<readonly [ProcessId, string]>
  /** Default false (private). */
  readonly public?: boolean
}

/** A grant made at initialization: the capability `{issuer, params}` (params JSON text). */
export interface Grant {
  readonly issuer: Address | ProcessId
  readonly params: string
}

/** How to initialize a native process (kernel command initialize). */
export interface ProcessSpec {
  readonly id: ProcessId
  readonly process: NativeProcess
  /** Public processes take messages from anyone; private ones only from messaging-capability holders. Default false. */
  readonly public?: boolean
  /** Default `{tag: "none"}`. */
  readonly onExit?: OnExit
  /** Capabilities issued to the new process. */
  readonly grants?: ReadonlyArray<Grant>
  /** Mailbox capacity (messages); default the kernel's. */
  readonly mailboxCapacity?: number
}

/** A native process with no handlers (answers nothing): for processes driven from outside. */
export const silentProcess = (): NativeProcess => ({})
