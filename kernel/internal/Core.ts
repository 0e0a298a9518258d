/**
 * The kernel proper, composed of its parts: the process table (ProcessTable.ts), the capability
 * table (CapabilityTable.ts), the run loop (Scheduler.ts), message delivery with timeouts
 * (Delivery.ts) and the lifecycle with restarts (Lifecycle.ts). This class holds the kernel
 * commands and the KernelApi of kernel/KernelApi.ts. Plain synchronous code: no Effect, no
 * per-message closures or timers. kernel/Kernel.ts wraps it in a service.
 *
 * Semantics follow Hyperware's kernel (hyperware-ai/hyperware kernel/src/kernel/mod.rs,
 * process.rs): per (source, target) FIFO order, responses routed by the request id the kernel
 * tracks, request inheritance, messaging capability for private processes, on-exit.
 */
import { CapabilityAuthority } from "../../capabilities/Authority.ts"
import { type Capability, capabilityKey, MESSAGING, type SignedCapability } from "../../capabilities/Capability.ts"
import { NodeKey } from "../../capabilities/NodeKey.ts"
import type { Address, ProcessId } from "../Address.ts"
import { address as makeAddress, formatAddress, formatProcessId, machineProcessId, processId as checkProcessId } from "../Address.ts"
import type {
  KernelApi,
  KernelCommand,
  KernelCommandResult,
  KernelOptions,
  KernelStats,
  MailboxStats,
  RemoteOptions,
  RemoteStats
} from "../KernelApi.ts"
import { InvalidMessage, NameTaken, ProcessNotFound } from "../KernelError.ts"
import type { OnExit } from "../Message.ts"
import type { ChildSpec, Grant, NativeProcess, ProcessContext, ProcessSpec } from "../Process.ts"
import { CapabilityTable } from "./CapabilityTable.ts"
import { Delivery } from "./Delivery.ts"
import { Entry, INITIALIZED } from "./Entry.ts"
import { Lifecycle } from "./Lifecycle.ts"
import { type ProcessHost, ProcessContextImpl } from "./ProcessContextImpl.ts"
import { ProcessTable } from "./ProcessTable.ts"
import { Remote } from "./Remote.ts"
import { Scheduler } from "./Scheduler.ts"
import type { RemoteTransport } from "../Transport.ts"

/** The kernel of one node (the public methods are the KernelApi of kernel/KernelApi.ts). */
export class KernelCore implements KernelApi, ProcessHost {
  readonly our: string
  readonly authority: CapabilityAuthority
  readonly defaultTimeoutMs: number
  readonly #mailboxCapacity: number
  readonly #processes: ProcessTable
  readonly #caps: CapabilityTable
  readonly #scheduler: Scheduler
  readonly #delivery: Delivery
  readonly #lifecycle: Lifecycle
  readonly #now: () => number
  /** Other nodes' keys: `nodeKeys`, plus keys the remote link resolves. */
  readonly #nodeKeys: Map<string, Uint8Array>
  #remote: Remote | undefined = undefined
  #closed = false

  constructor(options: KernelOptions) {
    makeAddress(options.node, { processName: "kernel", packageName: "distro", publisherNode: "sys" })
    this.our = options.node
    this.#nodeKeys = new Map(options.nodeKeys ?? [])
    this.authority = new CapabilityAuthority(options.node, options.key ?? NodeKey.generate(), this.#nodeKeys)
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000
    this.#mailboxCapacity = options.mailboxCapacity ?? 1024
    const now = options.now ?? (() => performance.now())
    this.#now = now
    this.#processes = new ProcessTable(options.node)
    this.#caps = new CapabilityTable(this.authority, this.#processes)
    this.#scheduler = new Scheduler((e, err) => this.#lifecycle.crash(e, err))
    this.#delivery = new Delivery(this.#processes, this.#caps, this.#scheduler, {
      maxBlockedSends: options.maxBlockedSends ?? 1024,
      maxOutstanding: options.maxOutstanding ?? 65_536,
      defaultTimeoutMs: this.defaultTimeoutMs,
      now
    })
    this.#lifecycle = new Lifecycle(this.#processes, this.#caps, this.#scheduler, this.#delivery, {
      now,
      onCrash: options.onCrash,
      restartStableMs: options.restartStableMs ?? 60_000,
      setTimer: options.timers?.set ?? ((fn, ms) => setTimeout(fn, ms)),
      clearTimer: options.timers?.clear ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>)),
      revokeOnExit: options.revokeOnExit ?? true
    })
  }

  /** This node's ed25519 public key (32 bytes). */
  get publicKey(): Uint8Array {
    return this.authority.key.publicKey
  }

  /** The address of `id` on this node. */
  address(id: ProcessId): Address {
    return { node: this.our, process: id }
  }

  /** Whether a live process `id` exists. */
  has(id: ProcessId): boolean {
    return this.#processes.has(id)
  }

  /** Process ids in the table. */
  processes(): ProcessId[] {
    return this.#processes.processes()
  }

  /** Messages waiting in the mailbox of `id`, and sends blocked on it. Throws ProcessNotFound. */
  mailbox(id: ProcessId): MailboxStats {
    const e = this.#processes.entryOf(id)
    return { queued: e.mailbox.length, blocked: e.blocked.length, capacity: e.capacity }
  }

  // ---- kernel commands -----------------------------------------------------------------------

  /**
   * Kernel command initialize: add a process to the table (not yet running: messages to it
   * queue, bounded). Throws NameTaken, AddressError (bad id), InvalidParams (bad grant params).
   * Returns the process's context, through which its owner can also act as the process.
   */
  initialize(spec: ProcessSpec): ProcessContext {
    if (this.#closed) throw new ProcessNotFound({ process: `${this.our} kernel (shut down)` })
    const id = checkProcessId(spec.id.processName, spec.id.packageName, spec.id.publisherNode)
    if (this.#processes.has(id)) throw new NameTaken({ process: formatProcessId(id) })
    const address = this.address(id)
    const e = new Entry(
      id,
      address,
      formatAddress(address),
      spec.process,
      spec.public ?? false,
      spec.onExit ?? { tag: "none" },
      capabilityKey(address, MESSAGING),
      Math.max(1, spec.mailboxCapacity ?? this.#mailboxCapacity)
    )
    const grants = (spec.grants ?? []).map((g) => this.#caps.issue(g))
    e.ctx = new ProcessContextImpl(this, this.#delivery, e)
    this.#processes.insert(e)
    this.#caps.give(e, grants)
    return e.ctx
  }

  /** Spawn a child of `parent` (ProcessContext.spawn). */
  spawnChild(parent: Entry, child: ChildSpec): ProcessId {
    const name = child.name ?? randomU64()
    const id = checkProcessId(name, parent.id.packageName, parent.id.publisherNode)
    if (this.#processes.has(id)) throw new NameTaken({ process: formatProcessId(id) })
    const requested = this.#caps.attached(parent, child.requestCapabilities ?? [])
    const childAddress = this.address(id)
    const granted = (child.grantCapabilities ?? []).map(([holder, params]) => [holder, this.authority.issue(childAddress, params)] as const)
    this.initialize({ id, process: child.process, public: child.public ?? false, onExit: child.onExit ?? { tag: "none" } })
    const e = this.#processes.find(id)!
    this.#caps.give(e, requested)
    for (const [holder, c] of granted) {
      const h = this.#processes.live(holder)
      if (h !== undefined) this.#caps.give(h, [c])
    }
    this.run(id)
    return id
  }

  /** Kernel command run: start an initialized process (calls its `init`). No-op when running. */
  run(id: ProcessId): void {
    const e = this.#processes.entryOf(id)
    if (e.state === INITIALIZED) this.#lifecycle.start(e)
  }

  /** initialize + run. */
  spawn(spec: ProcessSpec): ProcessContext {
    const ctx = this.initialize(spec)
    this.run(spec.id)
    return ctx
  }

  /**
   * Kernel command kill: remove the process without running its on-exit. Queued and
   * outstanding requests to it fail with `offline`; later sends to it fail with `offline`.
   */
  kill(id: ProcessId): void {
    this.#lifecycle.remove(this.#processes.entryOf(id))
  }

  /** Kernel command set-on-exit. */
  setOnExit(id: ProcessId, onExit: OnExit): void {
    this.#processes.entryOf(id).onExit = onExit
  }

  /**
   * Kernel command grant: issue (sign) each capability and give it to `holder`. Throws
   * ProcessNotFound, InvalidParams. Returns the signed capabilities.
   */
  grant(holder: Address | ProcessId, grants: ReadonlyArray<Grant>): SignedCapability[] {
    const e = this.#processes.entryOf(holder)
    const caps = grants.map((g) => this.#caps.issue(g))
    this.#caps.give(e, caps)
    return caps
  }

  /** Kernel command drop: remove capabilities from `holder` (absent ones are ignored). */
  drop(holder: Address | ProcessId, caps: ReadonlyArray<Capability>): void {
    this.#caps.drop(this.#processes.entryOf(holder), caps)
  }

  /**
   * Synchronous capability check for the chain plane and services: does `holder` hold
   * `{issuer, params}`? `issuer` may be a bare ProcessId (this node). A table lookup; params
   * are canonicalized only on a miss. False for an unknown holder.
   */
  hasCapability(holder: Address | ProcessId, cap: { readonly issuer: Address | ProcessId; readonly params: string }): boolean {
    const e = this.#processes.live(holder)
    return e !== undefined && this.#caps.holds(e, cap)
  }

  /** Capabilities `holder` holds. */
  capabilitiesOf(holder: Address | ProcessId): SignedCapability[] {
    return [...this.#processes.entryOf(holder).caps.values()]
  }

  /**
   * Register a chain-plane machine as the native process `<name>:chain:sys` (public unless
   * `options.public` is false) holding `options.grants`, e.g. gov holding
   * `{issuer: bank:chain:sys, params: '{"mint":true}'}`. Returns its context.
   */
  registerMachine(
    name: string,
    process: NativeProcess = {},
    options: { readonly public?: boolean; readonly grants?: ReadonlyArray<Grant>; readonly onExit?: OnExit } = {}
  ): ProcessContext {
    const spec: ProcessSpec = {
      id: machineProcessId(name),
      process,
      public: options.public ?? true,
      grants: options.grants ?? [],
      onExit: options.onExit ?? { tag: "none" }
    }
    return this.spawn(spec)
  }

  /** Execute a kernel command (see KernelCommand). */
  command<C extends KernelCommand>(cmd: C): KernelCommandResult<C> {
    switch (cmd.tag) {
      case "initialize":
        return this.initialize(cmd.spec) as KernelCommandResult<C>
      case "run":
        return this.run(cmd.id) as KernelCommandResult<C>
      case "kill":
        return this.kill(cmd.id) as KernelCommandResult<C>
      case "grant":
        return this.grant(cmd.holder, cmd.grants) as KernelCommandResult<C>
      case "drop":
        return this.drop(cmd.holder, cmd.capabilities) as KernelCommandResult<C>
      case "set-on-exit":
        return this.setOnExit(cmd.id, cmd.onExit) as KernelCommandResult<C>
    }
  }

  /** Carry messages to and from other nodes over `transport` (see KernelApi.attachTransport). */
  attachTransport(transport: RemoteTransport, options: RemoteOptions = {}): void {
    if (transport.our !== this.our) {
      throw new InvalidMessage({ reason: `the transport is node ${transport.our}'s, this kernel is node ${this.our}` })
    }
    this.#remote?.close()
    this.#remote = new Remote(transport, this.#delivery, this.#processes, this.authority, this.#nodeKeys, this.#now, options)
    this.#delivery.remote = this.#remote
  }

  /** Counters of the remote link. */
  remoteStats(): RemoteStats {
    return this.#remote?.stats() ?? { framesSent: 0, framesReceived: 0, framesDropped: 0, refused: 0, undeliverable: 0 }
  }

  /** Counters. */
  stats(): KernelStats {
    const d = this.#delivery
    return {
      processes: this.#processes.count,
      outstanding: d.outstanding.size,
      timerHeapSize: d.timers.size,
      delivered: this.#scheduler.delivered,
      timeouts: d.timeouts,
      droppedResponses: d.dropped,
      crashes: this.#lifecycle.crashes,
      verifications: this.authority.stats().verifications
    }
  }

  /** Kill every process (no on-exit), stop the timer. Idempotent. */
  shutdown(): void {
    if (this.#closed) return
    for (const id of this.#processes.processes()) {
      const e = this.#processes.find(id)
      if (e !== undefined) this.#lifecycle.remove(e)
    }
    this.#closed = true
    this.#remote?.close()
    this.#delivery.timers.close()
  }
}

/** A random u64 as a decimal string (Hyperware's name for unnamed spawned processes). */
const randomU64 = (): string => {
  const b = new BigUint64Array(1)
  crypto.getRandomValues(b)
  return b[0]!.toString()
}
