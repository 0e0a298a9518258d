/**
 * The kernel proper: process table, capability checks, bounded mailboxes with backpressure,
 * scheduling, request/response with one timer heap, and the kernel commands. Plain synchronous
 * code: no Effect, no per-message closures or timers. kernel/Kernel.ts wraps it in a service.
 *
 * Semantics follow Hyperware's kernel (hyperware-ai/hyperware kernel/src/kernel/mod.rs,
 * process.rs): per (source, target) FIFO order, responses routed by the request id the kernel
 * tracks, request inheritance, messaging capability for private processes, on-exit.
 */
import type { Address, ProcessId } from "../Address.ts"
import type { KernelApi } from "../Kernel.ts"
import {
  address as makeAddress,
  formatAddress,
  formatProcessId,
  isAddress,
  machineProcessId,
  processId as checkProcessId
} from "../Address.ts"
import { CapabilityAuthority, bytesEqual } from "../../capabilities/Authority.ts"
import { canonicalizeJsonText } from "../../capabilities/CanonicalJson.ts"
import {
  addressKey,
  type Capability,
  capabilityKey,
  describeCapability,
  isSigned,
  MESSAGING,
  type SignedCapability
} from "../../capabilities/Capability.ts"
import { CapabilityForged, CapabilityNotHeld } from "../../capabilities/CapabilityError.ts"
import { NodeKey } from "../../capabilities/NodeKey.ts"
import {
  InvalidMessage,
  MailboxFull,
  NameTaken,
  ProcessNotFound,
  SendFailed,
  TooManyOutstanding
} from "../KernelError.ts"
import type { Context, LazyLoadBlob, OnExit, Request, Response, SendError, SendErrorKind } from "../Message.ts"
import type { ChildSpec, Grant, NativeProcess, ProcessContext, ProcessSpec, Reply } from "../Process.ts"
import {
  DEAD,
  Entry,
  Envelope,
  hold,
  heldBy,
  INITIALIZED,
  Outstanding,
  release,
  REQUEST,
  RESPONSE,
  RESTARTING,
  RUNNING,
  SEND_ERROR
} from "./Entry.ts"
import { ProcessContextImpl } from "./ProcessContextImpl.ts"
import { RingQueue } from "./RingQueue.ts"
import { TimerHeap } from "./TimerHeap.ts"

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

/** Largest timeout: the WIT's u32 milliseconds. */
const MAX_TIMEOUT_MS = 0xffff_ffff

/** Messages one process gets per turn before the next ready process runs. */
const SLICE = 64
/** Deliveries between yields to the macrotask queue (timers, I/O) under a flood. */
const YIELD_EVERY = 16384

const isThenable = (r: unknown): r is PromiseLike<unknown> =>
  r !== undefined && r !== null && typeof (r as PromiseLike<unknown>).then === "function"

/** The kernel of one node (the public methods are the KernelApi of kernel/Kernel.ts). */
export class KernelCore implements KernelApi {
  readonly our: string
  readonly authority: CapabilityAuthority
  readonly defaultTimeoutMs: number
  readonly #mailboxCapacity: number
  readonly #maxBlocked: number
  readonly #maxOutstanding: number
  readonly #now: () => number
  readonly #onCrash: ((process: ProcessId, error: unknown) => void) | undefined
  readonly #restartStableMs: number
  readonly #setTimer: (fn: () => void, ms: number) => unknown
  readonly #clearTimer: (handle: unknown) => void
  readonly #revokeOnExit: boolean
  /** processName → packageName → publisherNode → entry. */
  readonly #table = new Map<string, Map<string, Map<string, Entry>>>()
  readonly #outstanding = new Map<number, Outstanding>()
  readonly #timers: TimerHeap<Outstanding>
  readonly #ready = new RingQueue<Entry>(64)
  #nextId = 1
  #pumpQueued = false
  #pumping = false
  #sinceYield = 0
  #closed = false
  #count = 0
  #delivered = 0
  #timeouts = 0
  #dropped = 0
  #crashes = 0

  constructor(options: KernelOptions) {
    makeAddress(options.node, { processName: "kernel", packageName: "distro", publisherNode: "sys" })
    this.our = options.node
    this.authority = new CapabilityAuthority(options.node, options.key ?? NodeKey.generate(), options.nodeKeys)
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000
    this.#mailboxCapacity = options.mailboxCapacity ?? 1024
    this.#maxBlocked = options.maxBlockedSends ?? 1024
    this.#maxOutstanding = options.maxOutstanding ?? 65_536
    this.#now = options.now ?? (() => performance.now())
    this.#onCrash = options.onCrash
    this.#restartStableMs = options.restartStableMs ?? 60_000
    this.#setTimer = options.timers?.set ?? ((fn, ms) => setTimeout(fn, ms))
    this.#clearTimer = options.timers?.clear ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>))
    this.#revokeOnExit = options.revokeOnExit ?? true
    this.#timers = new TimerHeap<Outstanding>((o) => this.#fail(o, "timeout"), this.#now)
  }

  /** This node's ed25519 public key (32 bytes). */
  get publicKey(): Uint8Array {
    return this.authority.key.publicKey
  }

  /** The address of `id` on this node. */
  address(id: ProcessId): Address {
    return { node: this.our, process: id }
  }

  // ---- process table -------------------------------------------------------------------------

  #find(p: ProcessId): Entry | undefined {
    return this.#table.get(p.processName)?.get(p.packageName)?.get(p.publisherNode)
  }

  #lookup(a: Address): Entry | undefined {
    if (a.node !== this.our) return undefined
    const p = a.process
    return this.#table.get(p.processName)?.get(p.packageName)?.get(p.publisherNode)
  }

  #entryOf(holder: Address | ProcessId): Entry {
    const e = isAddress(holder) ? this.#lookup(holder) : this.#find(holder)
    if (e === undefined || e.state === DEAD) {
      throw new ProcessNotFound({ process: isAddress(holder) ? formatAddress(holder) : formatProcessId(holder) })
    }
    return e
  }

  #unlink(e: Entry): void {
    const a = this.#table.get(e.id.processName)
    const b = a?.get(e.id.packageName)
    if (b?.get(e.id.publisherNode) === e) {
      b.delete(e.id.publisherNode)
      this.#count--
      if (b.size === 0) a!.delete(e.id.packageName)
      if (a!.size === 0) this.#table.delete(e.id.processName)
    }
  }

  /** Whether a live process `id` exists. */
  has(id: ProcessId): boolean {
    const e = this.#find(id)
    return e !== undefined && e.state !== DEAD
  }

  /** Process ids in the table. */
  processes(): ProcessId[] {
    const out: ProcessId[] = []
    for (const a of this.#table.values()) for (const b of a.values()) for (const e of b.values()) out.push(e.id)
    return out
  }

  /** Messages waiting in the mailbox of `id`, and sends blocked on it. */
  mailbox(id: ProcessId): { readonly queued: number; readonly blocked: number; readonly capacity: number } {
    const e = this.#entryOf(id)
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
    if (this.has(id)) throw new NameTaken({ process: formatProcessId(id) })
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
    const grants = (spec.grants ?? []).map((g) => this.#issue(g))
    e.ctx = new ProcessContextImpl(this, e)
    let a = this.#table.get(id.processName)
    if (a === undefined) this.#table.set(id.processName, (a = new Map()))
    let b = a.get(id.packageName)
    if (b === undefined) a.set(id.packageName, (b = new Map()))
    b.set(id.publisherNode, e)
    this.#count++
    for (const c of grants) hold(e, capabilityKey(c.issuer, c.params), c)
    return e.ctx
  }

  /** Spawn a child of `parent` (ProcessContext.spawn). */
  spawnChild(parent: Entry, child: ChildSpec): ProcessId {
    const name = child.name ?? randomU64()
    const id = checkProcessId(name, parent.id.packageName, parent.id.publisherNode)
    if (this.has(id)) throw new NameTaken({ process: formatProcessId(id) })
    const requested = this.#held(parent, [...(child.requestCapabilities ?? [])])
    const childAddress = this.address(id)
    const granted = (child.grantCapabilities ?? []).map(([holder, params]) => [holder, this.authority.issue(childAddress, params)] as const)
    this.initialize({ id, process: child.process, public: child.public ?? false, onExit: child.onExit ?? { tag: "none" } })
    const e = this.#find(id)!
    for (const c of requested) hold(e, capabilityKey(c.issuer, c.params), c)
    for (const [holder, c] of granted) {
      const h = this.#find(holder)
      if (h !== undefined && h.state !== DEAD) hold(h, capabilityKey(c.issuer, c.params), c)
    }
    this.run(id)
    return id
  }

  /** Kernel command run: start an initialized process (calls its `init`). No-op when running. */
  run(id: ProcessId): void {
    const e = this.#entryOf(id)
    if (e.state === INITIALIZED) this.#start(e)
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
    this.#remove(this.#entryOf(id))
  }

  /** Kernel command set-on-exit. */
  setOnExit(id: ProcessId, onExit: OnExit): void {
    this.#entryOf(id).onExit = onExit
  }

  #issue(g: Grant): SignedCapability {
    const issuer = isAddress(g.issuer) ? g.issuer : this.address(g.issuer)
    return this.authority.issue(issuer, g.params)
  }

  /**
   * Kernel command grant: issue (sign) each capability and give it to `holder`. Throws
   * ProcessNotFound, InvalidParams. Returns the signed capabilities.
   */
  grant(holder: Address | ProcessId, grants: ReadonlyArray<Grant>): SignedCapability[] {
    const e = this.#entryOf(holder)
    const caps = grants.map((g) => this.#issue(g))
    for (const c of caps) hold(e, capabilityKey(c.issuer, c.params), c)
    return caps
  }

  /** Kernel command drop: remove capabilities from `holder` (absent ones are ignored). */
  drop(holder: Address | ProcessId, caps: ReadonlyArray<Capability>): void {
    const e = this.#entryOf(holder)
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
   * Synchronous capability check for the chain plane and services: does `holder` hold
   * `{issuer, params}`? `issuer` may be a bare ProcessId (this node). A table lookup; params
   * are canonicalized only on a miss. False for an unknown holder.
   */
  hasCapability(holder: Address | ProcessId, cap: { readonly issuer: Address | ProcessId; readonly params: string }): boolean {
    const e = isAddress(holder) ? this.#lookup(holder) : this.#find(holder)
    if (e === undefined || e.state === DEAD) return false
    const ik = isAddress(cap.issuer) ? addressKey(cap.issuer) : this.#localKey(cap.issuer)
    if (heldBy(e, ik, cap.params) !== undefined) return true
    try {
      const canonical = canonicalizeJsonText(cap.params)
      return canonical !== cap.params && heldBy(e, ik, canonical) !== undefined
    } catch {
      return false
    }
  }

  readonly #localKeys = new WeakMap<ProcessId, string>()

  /** addressKey of `id` on this node, cached per ProcessId object. */
  #localKey(id: ProcessId): string {
    let k = this.#localKeys.get(id)
    if (k === undefined) {
      k = addressKey(this.address(id))
      this.#localKeys.set(id, k)
    }
    return k
  }


  /** Capabilities `holder` holds. */
  capabilitiesOf(holder: Address | ProcessId): SignedCapability[] {
    return [...this.#entryOf(holder).caps.values()]
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

  /** Counters. */
  stats(): KernelStats {
    return {
      processes: this.#count,
      outstanding: this.#outstanding.size,
      timerHeapSize: this.#timers.size,
      delivered: this.#delivered,
      timeouts: this.#timeouts,
      droppedResponses: this.#dropped,
      crashes: this.#crashes,
      verifications: this.authority.stats().verifications
    }
  }

  /** Kill every process (no on-exit), stop the timer. Idempotent. */
  shutdown(): void {
    if (this.#closed) return
    for (const id of this.processes()) {
      const e = this.#find(id)
      if (e !== undefined) this.#remove(e)
    }
    this.#closed = true
    this.#timers.close()
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  #start(e: Entry): void {
    e.state = RUNNING
    e.restartTimer = undefined
    e.startedAt = this.#now()
    const init = e.process.init
    if (init !== undefined) {
      const gen = e.generation
      let r: unknown
      try {
        r = init.call(e.process, e.ctx)
      } catch (err) {
        this.#crash(e, err)
        return
      }
      if (isThenable(r)) {
        e.busy = true
        r.then(
          () => this.#settled(e, gen, undefined),
          (err: unknown) => {
            if (e.generation === gen) this.#crash(e, err)
          }
        )
        return
      }
    }
    if (e.mailbox.length > 0) this.#wakeUp(e)
  }

  #crash(e: Entry, err: unknown): void {
    if (e.state === DEAD) return
    this.#crashes++
    try {
      this.#onCrash?.(e.id, err)
    } catch {
      // a failing crash hook cannot stop the on-exit
    }
    const onExit = e.onExit
    e.generation++
    e.busy = false
    e.current = undefined
    if (onExit.tag === "restart") {
      e.state = RESTARTING
      // Stable uptime resets the backoff (a fixed threshold: see KernelOptions.restartStableMs).
      if (this.#now() - e.startedAt >= this.#restartStableMs) e.restarts = 0
      const delay = Math.min(onExit.val.maxMs, onExit.val.initialMs * 2 ** Math.min(e.restarts, 30))
      e.restarts++
      e.restartTimer = this.#setTimer(() => {
        if (e.state === RESTARTING) this.#start(e)
      }, delay)
      return
    }
    if (onExit.tag === "requests") {
      for (const [target, req, blob] of onExit.val) {
        const { expectsResponse: _drop, ...rest } = req
        try {
          const r = this.send(e, target, rest, undefined, blob)
          if (r !== undefined) r.catch(() => undefined)
        } catch {
          // an on-exit request that cannot be sent is dropped, as Hyperware does
        }
      }
    }
    this.#remove(e)
  }

  #remove(e: Entry): void {
    if (e.state === DEAD) return
    e.state = DEAD
    e.generation++
    e.current = undefined
    if (e.restartTimer !== undefined) this.#clearTimer(e.restartTimer)
    e.restartTimer = undefined
    this.#unlink(e)
    if (this.#revokeOnExit) this.#revokeIssuedBy(e)
    for (const env of e.mailbox.drain()) {
      if (env.id !== 0) this.#failId(env.id, "offline")
    }
    for (const env of e.blocked.drain()) {
      env.sender.blockedSends--
      env.blocked = false
      if (env.id !== 0) this.#failId(env.id, "offline")
      const fail = env.fail
      env.wake = env.fail = undefined
      if (fail !== undefined) fail(this.#offline(e.address, env))
    }
    for (const out of this.#outstanding.values()) {
      if (out.target === e) this.#fail(out, "offline")
      else if (out.requester === e) {
        this.#outstanding.delete(out.id)
        this.#timers.cancel(out)
      }
    }
    e.outstanding = 0
    try {
      e.process.terminate?.()
    } catch {
      // a failing terminate cannot stop the kill
    }
  }

  /** Take every capability `e` issued (issuer = its address) from every live holder. */
  #revokeIssuedBy(e: Entry): void {
    const ik = addressKey(e.address)
    for (const a of this.#table.values()) {
      for (const b of a.values()) {
        for (const h of b.values()) {
          const issued = h.index.get(ik)
          if (issued === undefined) continue
          for (const params of [...issued.keys()]) release(h, capabilityKey(e.address, params))
        }
      }
    }
  }

  #offline(target: Address, env: Envelope): SendFailed {
    const error: SendError =
      env.kind === REQUEST
        ? { kind: "offline", target, message: { tag: "request", val: env.request! }, lazyLoadBlob: env.blob }
        : { kind: "offline", target, message: { tag: "response", val: [env.response!, env.context] }, lazyLoadBlob: env.blob }
    return new SendFailed({ error })
  }

  // ---- timeouts and failures ------------------------------------------------------------------

  #failId(id: number, kind: SendErrorKind): void {
    const out = this.#outstanding.get(id)
    if (out !== undefined) this.#fail(out, kind)
  }

  /** Fail an outstanding request: reject its awaiter or queue a send error to its requester. */
  #fail(out: Outstanding, kind: SendErrorKind): void {
    if (this.#outstanding.get(out.id) !== out) return
    this.#outstanding.delete(out.id)
    this.#timers.cancel(out)
    out.requester.outstanding--
    if (kind === "timeout") this.#timeouts++
    const error: SendError = {
      kind,
      target: out.targetAddress,
      message: { tag: "request", val: out.request },
      lazyLoadBlob: out.blob
    }
    const reject = out.reject
    if (reject !== undefined) {
      out.resolve = out.reject = undefined
      reject(new SendFailed({ error }))
      return
    }
    const r = out.requester
    if (r.state === DEAD) return
    r.mailbox.push(new Envelope(SEND_ERROR, r, undefined, undefined, out.context, out.blob, 0, error))
    this.#wakeUp(r)
  }

  // ---- sending ---------------------------------------------------------------------------------

  /** The capabilities of a message, replaced by the sender's signed instances (or refused). */
  #held(from: Entry, caps: Capability[]): SignedCapability[] {
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
        if (isSigned(c) && !(bytesEqual(c.signature, held.signature) && bytesEqual(c.signer, held.signer))) {
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

  /**
   * Send `req` from `from` to `target` (WIT send-request; with `resolve`/`reject`, the
   * send-and-await-response). Returns undefined when enqueued, a promise when blocked on a
   * full mailbox (only without `resolve`). Throws the errors listed on ProcessContext.send.
   */
  send(
    from: Entry,
    target: Address,
    req: Request,
    context: Context | undefined,
    blob: LazyLoadBlob | undefined,
    resolve?: (r: Reply) => void,
    reject?: (e: unknown) => void
  ): Promise<void> | undefined {
    if (from.state === DEAD) throw new ProcessNotFound({ process: from.name })
    const to = this.#lookup(target)
    if (to === undefined || to.state === DEAD) {
      throw new SendFailed({ error: { kind: "offline", target, message: { tag: "request", val: req }, lazyLoadBlob: blob } })
    }
    if (!to.public && to !== from && !from.caps.has(to.messagingKey)) {
      throw new CapabilityNotHeld({
        holder: from.name,
        capability: `${to.name} ${MESSAGING}`,
        reason: `${to.name} is private: messaging it needs its messaging capability`
      })
    }
    if (req.capabilities.length > 0) req = { ...req, capabilities: this.#held(from, req.capabilities) }
    const full = to.mailbox.length >= to.capacity || to.blocked.length > 0
    if (full && from.blockedSends >= this.#maxBlocked) {
      throw new MailboxFull({ sender: from.name, target: to.name, limit: this.#maxBlocked })
    }
    let id = 0
    const timeout = req.expectsResponse ?? (resolve !== undefined ? this.defaultTimeoutMs : undefined)
    if (req.inherit) {
      const cur = from.current
      if (cur !== undefined) {
        if (blob === undefined) blob = cur.blob
        if (timeout === undefined && cur.id !== 0) {
          // Hand the duty of answering the current request to the target.
          id = cur.id
          cur.id = 0
          const out = this.#outstanding.get(id)
          if (out !== undefined) {
            out.target = to
            out.targetAddress = to.address
          }
        }
      }
    }
    if (timeout !== undefined) {
      if (!(timeout >= 0 && timeout <= MAX_TIMEOUT_MS)) {
        throw new InvalidMessage({ reason: `expectsResponse must be 0..${MAX_TIMEOUT_MS} ms, got ${timeout}` })
      }
      if (from.outstanding >= this.#maxOutstanding) {
        throw new TooManyOutstanding({ process: from.name, limit: this.#maxOutstanding })
      }
      id = this.#nextId++
      const out = new Outstanding(id, this.#now() + timeout, from, to, req, blob, context, resolve, reject)
      this.#outstanding.set(id, out)
      this.#timers.push(out)
      from.outstanding++
    }
    const env = new Envelope(REQUEST, from, req, undefined, undefined, blob, id, undefined)
    if (!full) {
      to.mailbox.push(env)
      if (!to.scheduled && !to.busy && to.state === RUNNING) this.#schedule(to)
      return undefined
    }
    env.blocked = true
    from.blockedSends++
    if (resolve !== undefined) {
      to.blocked.push(env)
      return undefined
    }
    return new Promise<void>((wake, fail) => {
      env.wake = wake
      env.fail = fail
      to.blocked.push(env)
    })
  }

  /** Answer the request of `env` (WIT send-response). Late or duplicate answers are dropped and counted. */
  respond(from: Entry, env: Envelope, resp: Response, blob: LazyLoadBlob | undefined): void {
    const id = env.id
    if (id === 0) {
      this.#dropped++
      return
    }
    // Check attached capabilities first: a refused response leaves the request answerable.
    if (resp.capabilities.length > 0) resp = { ...resp, capabilities: this.#held(from, resp.capabilities) }
    env.id = 0
    if (blob === undefined && resp.inherit) blob = env.blob
    const out = this.#outstanding.get(id)
    if (out === undefined) {
      this.#dropped++
      return
    }
    this.#outstanding.delete(id)
    this.#timers.cancel(out)
    const r = out.requester
    r.outstanding--
    const resolve = out.resolve
    if (resolve !== undefined) {
      out.resolve = out.reject = undefined
      resolve({ source: from.address, response: resp, blob })
      return
    }
    if (r.state === DEAD) {
      this.#dropped++
      return
    }
    // Responses bypass the mailbox bound: they are bounded by the requester's outstanding limit.
    r.mailbox.push(new Envelope(RESPONSE, from, undefined, resp, out.context, blob, 0, undefined))
    this.#wakeUp(r)
  }

  // ---- scheduling and delivery -------------------------------------------------------------------

  #wakeUp(e: Entry): void {
    if (!e.scheduled && !e.busy && e.state === RUNNING) this.#schedule(e)
  }

  #schedule(e: Entry): void {
    e.scheduled = true
    this.#ready.push(e)
    if (!this.#pumpQueued && !this.#pumping) {
      this.#pumpQueued = true
      queueMicrotask(this.#pump)
    }
  }

  readonly #pump = (): void => {
    this.#pumpQueued = false
    this.#pumping = true
    const ready = this.#ready
    for (let e = ready.shift(); e !== undefined; e = ready.shift()) {
      e.scheduled = false
      let n = 0
      while (e.state === RUNNING && !e.busy && e.mailbox.length > 0 && n < SLICE) {
        this.#deliver(e)
        n++
      }
      if (e.state === RUNNING && !e.busy && e.mailbox.length > 0 && !e.scheduled) {
        e.scheduled = true
        ready.push(e)
      }
      this.#delivered += n
      this.#sinceYield += n
      if (this.#sinceYield >= YIELD_EVERY) {
        // Let timers and I/O run: continue from the macrotask queue.
        this.#sinceYield = 0
        this.#pumping = false
        if (ready.length > 0) {
          this.#pumpQueued = true
          setImmediate(this.#pump)
        }
        return
      }
    }
    this.#pumping = false
  }

  #deliver(e: Entry): void {
    const env = e.mailbox.shift()!
    if (e.blocked.length > 0) {
      const w = e.blocked.shift()!
      w.blocked = false
      w.sender.blockedSends--
      e.mailbox.push(w)
      const wake = w.wake
      if (wake !== undefined) {
        w.wake = w.fail = undefined
        wake()
      }
    }
    const p = e.process
    let r: unknown
    try {
      switch (env.kind) {
        case REQUEST:
          e.current = env
          if (p.onRequest !== undefined) r = p.onRequest(e.ctx, env.source, env.request!, env.blob)
          break
        case RESPONSE:
          if (p.onResponse !== undefined) r = p.onResponse(e.ctx, env.source, env.response!, env.context, env.blob)
          break
        default:
          if (p.onSendError !== undefined) r = p.onSendError(e.ctx, env.error!, env.context)
      }
    } catch (err) {
      this.#crash(e, err)
      return
    }
    if (r === undefined || !isThenable(r)) {
      if (e.current === env) e.current = undefined
      return
    }
    e.busy = true
    const gen = e.generation
    r.then(
      () => this.#settled(e, gen, env),
      (err: unknown) => {
        if (e.generation === gen) this.#crash(e, err)
      }
    )
  }

  #settled(e: Entry, gen: number, env: Envelope | undefined): void {
    if (e.generation !== gen) return
    e.busy = false
    if (env !== undefined && e.current === env) e.current = undefined
    if (e.state === RUNNING && e.mailbox.length > 0 && !e.scheduled) this.#schedule(e)
  }
}

/** A random u64 as a decimal string (Hyperware's name for unnamed spawned processes). */
const randomU64 = (): string => {
  const b = new BigUint64Array(1)
  crypto.getRandomValues(b)
  return b[0]!.toString()
}

/** A native process with no handlers (answers nothing): for processes driven from outside. */
export const silentProcess = (): NativeProcess => ({})
