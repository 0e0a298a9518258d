/**
 * The kernel's contract: its options, its counters, the kernel commands as data, and the
 * service shape `KernelApi`. kernel/Kernel.ts provides it (the `Kernel` service and
 * `makeKernel`); kernel/internal/ implements it.
 *
 * Source: Hyperware kernel (hyperware-ai/hyperware kernel/src/kernel/mod.rs: KernelCommand
 * InitializeProcess, RunProcess, KillProcess, GrantCapabilities, DropCapabilities, SetOnExit).
 */
import type { Capability, SignedCapability } from "../capabilities/Capability.ts"
import type { NodeKey } from "../capabilities/NodeKey.ts"
import type { Address, ProcessId } from "./Address.ts"
import type { OnExit } from "./Message.ts"
import type { Grant, NativeProcess, ProcessContext, ProcessSpec } from "./Process.ts"
import type { RemoteTransport } from "./Transport.ts"

/** Kernel configuration. */
export interface KernelOptions {
  /** This node's name (`our`), e.g. "alice.os". */
  readonly node: string
  /** The node's ed25519 key; a fresh random one when absent. */
  readonly key?: NodeKey
  /** Public keys of other nodes whose capabilities are accepted (node name to 32-byte key). */
  readonly nodeKeys?: ReadonlyMap<string, Uint8Array>
  /** Default mailbox capacity in messages (default 1024). */
  readonly mailboxCapacity?: number
  /** Sends one process may have waiting for space in full mailboxes (default 1024). */
  readonly maxBlockedSends?: number
  /** Requests one process may have awaiting responses (default 65536). */
  readonly maxOutstanding?: number
  /** Timeout of `request()` when the request sets no expectsResponse, ms (default 30000). */
  readonly defaultTimeoutMs?: number
  /** Monotonic clock in ms (default performance.now). */
  readonly now?: () => number
  /** Called when a process crashes (a handler threw or rejected), before its on-exit runs. */
  readonly onCrash?: (process: ProcessId, error: unknown) => void
  /**
   * Uptime after which a restarted process counts as stable, ms (default 60000): a crash after
   * at least this long restarts after `initialMs` again; a crash sooner doubles the delay. The
   * threshold is fixed (not the last delay), so a process crashing at any steady cadence shorter
   * than it keeps backing off up to `maxMs`.
   */
  readonly restartStableMs?: number
  /** Host timers for restart delays (default setTimeout/clearTimeout); tests pass a fake clock's. */
  readonly timers?: {
    readonly set: (fn: () => void, ms: number) => unknown
    readonly clear: (handle: unknown) => void
  }
  /**
   * Whether a process that ends (kill, or crash without restart) revokes the capabilities it
   * issued from every holder (default true). False is Hyperware's "no-revoke".
   */
  readonly revokeOnExit?: boolean
}

/** Counters and gauges of a kernel. */
export interface KernelStats {
  readonly processes: number
  /** Requests awaiting responses. */
  readonly outstanding: number
  /** Entries in the timer heap (live + lazily cancelled). */
  readonly timerHeapSize: number
  /** Messages handed to handlers. */
  readonly delivered: number
  /** Requests that timed out. */
  readonly timeouts: number
  /** Responses with no outstanding request (late, duplicate, or to a dead requester): dropped. */
  readonly droppedResponses: number
  /** Handler crashes. */
  readonly crashes: number
  /** Signature verifications done by the capability authority. */
  readonly verifications: number
}

/** How the kernel reaches other nodes (`KernelApi.attachTransport`). */
export interface RemoteOptions {
  /**
   * The ed25519 public key (32 bytes) of node `node`, to verify capabilities it issued (e.g. its
   * `~net-key` from the PeerDirectory); undefined when unknown. Looked up when a message carries a
   * capability of a node whose key is not configured in `nodeKeys`, and again after 60 s.
   * Without it, only `nodeKeys` and this node's key verify capabilities.
   */
  readonly resolveKey?: (node: string) => Promise<Uint8Array | undefined>
  /**
   * Requests from one node that may wait here for space in full mailboxes (default 16384); past
   * it a request is refused (answered `offline`). With the transport's frame limit this bounds the
   * memory one node can hold here: count × maxFrameBytes.
   */
  readonly maxBlockedPerNode?: number
  /** Told of each frame dropped or message refused on arrival (node plane: log it). */
  readonly onDrop?: (node: string, reason: string) => void
}

/** Counters of the kernel's link to other nodes. */
export interface RemoteStats {
  /** Frames handed to the transport. */
  readonly framesSent: number
  /** Frames that arrived. */
  readonly framesReceived: number
  /** Frames dropped on arrival: malformed, oversized, or past the per-node waiting bound. */
  readonly framesDropped: number
  /** Messages refused on arrival: a capability did not verify, a private target, a bound reached. */
  readonly refused: number
  /** Requests that arrived for a process that does not exist here. */
  readonly undeliverable: number
}

/** Mailbox gauges of one process: messages queued, sends blocked on it, its capacity. */
export interface MailboxStats {
  readonly queued: number
  readonly blocked: number
  readonly capacity: number
}

/**
 * Kernel commands (Hyperware's KernelCommand: InitializeProcess, RunProcess, KillProcess,
 * GrantCapabilities, DropCapabilities, SetOnExit).
 */
export type KernelCommand =
  | { readonly tag: "initialize"; readonly spec: ProcessSpec }
  | { readonly tag: "run"; readonly id: ProcessId }
  | { readonly tag: "kill"; readonly id: ProcessId }
  | { readonly tag: "grant"; readonly holder: Address | ProcessId; readonly grants: ReadonlyArray<Grant> }
  | { readonly tag: "drop"; readonly holder: Address | ProcessId; readonly capabilities: ReadonlyArray<Capability> }
  | { readonly tag: "set-on-exit"; readonly id: ProcessId; readonly onExit: OnExit }

/** What a kernel command returns: the new process's context, the granted capabilities, or nothing. */
export type KernelCommandResult<C extends KernelCommand> = C extends { readonly tag: "initialize" } ? ProcessContext
  : C extends { readonly tag: "grant" } ? SignedCapability[]
  : void

/**
 * The service shape: the kernel object. Its methods are synchronous and throw the typed errors
 * of kernel/KernelError.ts and capabilities/CapabilityError.ts; kernel/Kernel.ts's `execute`
 * wraps commands as Effects with typed failures. Messages are sent through each process's
 * ProcessContext.
 */
export interface KernelApi {
  /** This node's name. */
  readonly our: string
  /** This node's ed25519 public key (32 bytes), which signs its capabilities. */
  readonly publicKey: Uint8Array
  /** Timeout of `request()` when a request sets no expectsResponse, ms. */
  readonly defaultTimeoutMs: number
  /** The address of `id` on this node. */
  address(id: ProcessId): Address
  /** Kernel command initialize (not yet running). Throws NameTaken, AddressError, InvalidParams. */
  initialize(spec: ProcessSpec): ProcessContext
  /** Kernel command run. Throws ProcessNotFound. */
  run(id: ProcessId): void
  /** initialize + run. */
  spawn(spec: ProcessSpec): ProcessContext
  /** Kernel command kill (no on-exit); pending and later sends to it fail offline. */
  kill(id: ProcessId): void
  /** Kernel command set-on-exit. */
  setOnExit(id: ProcessId, onExit: OnExit): void
  /** Kernel command grant: issue and give capabilities. */
  grant(holder: Address | ProcessId, grants: ReadonlyArray<Grant>): SignedCapability[]
  /** Kernel command drop. */
  drop(holder: Address | ProcessId, caps: ReadonlyArray<Capability>): void
  /** Synchronous capability check (a table lookup), for the chain plane. */
  hasCapability(holder: Address | ProcessId, cap: { readonly issuer: Address | ProcessId; readonly params: string }): boolean
  /** Capabilities `holder` holds. */
  capabilitiesOf(holder: Address | ProcessId): SignedCapability[]
  /** Register a chain machine as the native process `<name>:chain:sys` with grants. */
  registerMachine(
    name: string,
    process?: NativeProcess,
    options?: { readonly public?: boolean; readonly grants?: ReadonlyArray<Grant>; readonly onExit?: OnExit }
  ): ProcessContext
  /** Execute a kernel command given as data. */
  command<C extends KernelCommand>(cmd: C): KernelCommandResult<C>
  /** Whether a live process `id` exists. */
  has(id: ProcessId): boolean
  /** Process ids in the table. */
  processes(): ProcessId[]
  /** Mailbox gauges of `id`. Throws ProcessNotFound. */
  mailbox(id: ProcessId): MailboxStats
  /**
   * Carry messages to and from other nodes over `transport` (whose `our` must be this kernel's
   * node name, else InvalidMessage). Sending to another node then needs the networking
   * capability (`{issuer: our@kernel:distro:sys, params: NETWORKING}`); see docs/kernel.md
   * "Remote messaging". Replaces an earlier transport.
   */
  attachTransport(transport: RemoteTransport, options?: RemoteOptions): void
  /** Counters of the remote link (zeros when no transport is attached). */
  remoteStats(): RemoteStats
  /** Counters. */
  stats(): KernelStats
  /** Kill every process and stop the timer (idempotent). */
  shutdown(): void
}
