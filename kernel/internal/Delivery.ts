/**
 * Message delivery: routing a request to its target (capability check, bounded mailbox with
 * backpressure, request inheritance), routing a response back by the request id the kernel
 * tracks, and the outstanding requests with their deadlines in one timer heap (timeouts and
 * offline failures). Plain synchronous code: no Effect, no per-message closure or timer.
 *
 * Source: Hyperware kernel/src/kernel/mod.rs and process.rs (per (source, target) FIFO order,
 * responses routed by request id, inheritance, messaging capability for private processes).
 */
import { addressKey, MESSAGING, NETWORKING } from "../../capabilities/Capability.ts"
import { CapabilityNotHeld } from "../../capabilities/CapabilityError.ts"
import type { Address, ProcessId } from "../Address.ts"
import { KERNEL_PROCESS } from "../Address.ts"
import { InvalidMessage, MailboxFull, ProcessNotFound, SendFailed, TooManyOutstanding } from "../KernelError.ts"
import type { Context, LazyLoadBlob, Request, Response, SendError, SendErrorKind } from "../Message.ts"
import type { Reply } from "../Process.ts"
import type { CapabilityTable } from "./CapabilityTable.ts"
import { DEAD, type Entry, Envelope, Outstanding, REQUEST, RESPONSE, RUNNING, SEND_ERROR } from "./Entry.ts"
import type { ProcessTable } from "./ProcessTable.ts"
import type { Scheduler } from "./Scheduler.ts"
import { TimerHeap } from "./TimerHeap.ts"

/** The request a relay entry records (the remote node holds the real one). */
const RELAYED: Request = { inherit: false, body: new Uint8Array(0), capabilities: [] }

/** Largest timeout: the WIT's u32 milliseconds. */
const MAX_TIMEOUT_MS = 0xffff_ffff

/** Limits and clock of delivery (see KernelOptions). */
export interface DeliveryLimits {
  readonly maxBlockedSends: number
  readonly maxOutstanding: number
  readonly defaultTimeoutMs: number
  readonly now: () => number
}

/**
 * What Delivery needs to reach other nodes (kernel/internal/Remote.ts implements it over a
 * RemoteTransport). The frame builders throw InvalidMessage when a frame would exceed the
 * transport's limit, so the send fails synchronously and leaves no state behind.
 */
export interface Outbound {
  /** The frame of a request from `from` (id 0: no response expected). */
  requestFrame(from: ProcessId, target: ProcessId, req: Request, blob: LazyLoadBlob | undefined, id: number, expectsMs: number | undefined): Uint8Array
  /** The frame answering request `id` of another node. */
  responseFrame(id: number, from: ProcessId, resp: Response, blob: LazyLoadBlob | undefined): Uint8Array
  /** Hand `frame` to the transport for `node`; `failed` runs when the transport refuses it. */
  post(node: string, frame: Uint8Array, failed: (() => void) | undefined): void
  /** Tell `node` its request `id` failed. */
  sendError(node: string, id: number, kind: SendErrorKind): void
}

/** Routes requests and responses between the entries of one process table. */
export class Delivery {
  /** Requests awaiting responses, by request id. */
  readonly outstanding = new Map<number, Outstanding>()
  /** Deadlines of the outstanding requests. */
  readonly timers: TimerHeap<Outstanding>
  /** Requests that timed out. */
  timeouts = 0
  /** Responses with no outstanding request: dropped. */
  dropped = 0
  readonly #processes: ProcessTable
  readonly #caps: CapabilityTable
  readonly #scheduler: Scheduler
  readonly #maxBlocked: number
  readonly #maxOutstanding: number
  readonly #defaultTimeoutMs: number
  readonly #now: () => number
  #nextId = 1
  /** The link to other nodes, once a transport is attached. */
  remote: Outbound | undefined = undefined
  /** Index key of the networking capability's issuer (this node's kernel). */
  readonly #networkingIssuer: string

  constructor(processes: ProcessTable, caps: CapabilityTable, scheduler: Scheduler, limits: DeliveryLimits) {
    this.#processes = processes
    this.#caps = caps
    this.#scheduler = scheduler
    this.#maxBlocked = limits.maxBlockedSends
    this.#maxOutstanding = limits.maxOutstanding
    this.#defaultTimeoutMs = limits.defaultTimeoutMs
    this.#now = limits.now
    this.timers = new TimerHeap<Outstanding>((o) => this.fail(o, "timeout"), limits.now)
    this.#networkingIssuer = addressKey({ node: processes.our, process: KERNEL_PROCESS })
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
    const to = this.#processes.lookup(target)
    if (to === undefined && this.remote !== undefined && target.node !== this.#processes.our) {
      return this.#sendRemote(from, target, req, context, blob, resolve, reject)
    }
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
    if (req.capabilities.length > 0) req = { ...req, capabilities: this.#caps.attached(from, req.capabilities) }
    const full = to.mailbox.length >= to.capacity || to.blocked.length > 0
    if (full && from.blockedSends >= this.#maxBlocked) {
      throw new MailboxFull({ sender: from.name, target: to.name, limit: this.#maxBlocked })
    }
    let id = 0
    const timeout = req.expectsResponse ?? (resolve !== undefined ? this.#defaultTimeoutMs : undefined)
    if (req.inherit) {
      const cur = from.current
      if (cur !== undefined) {
        if (blob === undefined) blob = cur.blob
        if (timeout === undefined && cur.id !== 0) {
          // Hand the duty of answering the current request to the target.
          id = cur.id
          cur.id = 0
          const out = this.outstanding.get(id)
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
      const out = new Outstanding(id, this.#now() + timeout, from, to, to.address, req, blob, context, resolve, reject)
      this.outstanding.set(id, out)
      this.timers.push(out)
      from.outstanding++
    }
    const env = new Envelope(REQUEST, from, req, undefined, undefined, blob, id, undefined)
    if (!full) {
      to.mailbox.push(env)
      if (!to.scheduled && !to.busy && to.state === RUNNING) this.#scheduler.schedule(to)
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
      this.dropped++
      return
    }
    // Check attached capabilities first: a refused response leaves the request answerable.
    if (resp.capabilities.length > 0) resp = { ...resp, capabilities: this.#caps.attached(from, resp.capabilities) }
    if (blob === undefined && resp.inherit) blob = env.blob
    const out = this.outstanding.get(id)
    // A relayed request's answer is encoded first: a frame too large leaves it answerable.
    const frame = out?.originNode !== undefined ? this.remote!.responseFrame(out.originId, from.id, resp, blob) : undefined
    env.id = 0
    if (out === undefined) {
      this.dropped++
      return
    }
    this.complete(out, from, from.address, resp, blob, frame)
  }

  /**
   * Deliver the response to `out` from `sender` (source address `source`): resolve its awaiter,
   * queue it to its requester, or (a relay) post `frame` (or a fresh frame) to the origin node.
   */
  complete(out: Outstanding, sender: Entry, source: Address, resp: Response, blob: LazyLoadBlob | undefined, frame?: Uint8Array): void {
    this.outstanding.delete(out.id)
    this.timers.cancel(out)
    const r = out.requester
    r.outstanding--
    if (out.originNode !== undefined) {
      let f = frame
      if (f === undefined) {
        try {
          f = this.remote!.responseFrame(out.originId, source.process, resp, blob)
        } catch {
          // Too large to forward: the origin learns it as offline.
          this.remote!.sendError(out.originNode, out.originId, "offline")
          return
        }
      }
      this.remote!.post(out.originNode, f, undefined)
      return
    }
    const resolve = out.resolve
    if (resolve !== undefined) {
      out.resolve = out.reject = undefined
      resolve({ source, response: resp, blob })
      return
    }
    if (r.state === DEAD) {
      this.dropped++
      return
    }
    // Responses bypass the mailbox bound: they are bounded by the requester's outstanding limit.
    const env = new Envelope(RESPONSE, sender, undefined, resp, out.context, blob, 0, undefined)
    env.source = source
    r.mailbox.push(env)
    this.#scheduler.wakeUp(r)
  }

  /** Fail an outstanding request: reject its awaiter or queue a send error to its requester. */
  fail(out: Outstanding, kind: SendErrorKind): void {
    if (this.outstanding.get(out.id) !== out) return
    this.outstanding.delete(out.id)
    this.timers.cancel(out)
    out.requester.outstanding--
    if (kind === "timeout") this.timeouts++
    if (out.originNode !== undefined) {
      this.remote?.sendError(out.originNode, out.originId, kind)
      return
    }
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
    this.#scheduler.wakeUp(r)
  }

  /** A request to a process on another node (send with a remote target and a transport). */
  #sendRemote(
    from: Entry,
    target: Address,
    req: Request,
    context: Context | undefined,
    blob: LazyLoadBlob | undefined,
    resolve?: (r: Reply) => void,
    reject?: (e: unknown) => void
  ): undefined {
    if (from.index.get(this.#networkingIssuer)?.get(NETWORKING) === undefined) {
      throw new CapabilityNotHeld({
        holder: from.name,
        capability: `${this.#networkingIssuer} ${NETWORKING}`,
        reason: `messaging ${target.node} (another node) needs the kernel's networking capability`
      })
    }
    if (req.capabilities.length > 0) req = { ...req, capabilities: this.#caps.attached(from, req.capabilities) }
    const timeout = req.expectsResponse ?? (resolve !== undefined ? this.#defaultTimeoutMs : undefined)
    let handed: Outstanding | undefined
    const cur = from.current
    if (req.inherit && cur !== undefined) {
      if (blob === undefined) blob = cur.blob
      if (timeout === undefined && cur.id !== 0) handed = this.outstanding.get(cur.id)
    }
    let id = 0
    let expects = timeout
    if (timeout !== undefined) {
      if (!(timeout >= 0 && timeout <= MAX_TIMEOUT_MS)) {
        throw new InvalidMessage({ reason: `expectsResponse must be 0..${MAX_TIMEOUT_MS} ms, got ${timeout}` })
      }
      if (from.outstanding >= this.#maxOutstanding) {
        throw new TooManyOutstanding({ process: from.name, limit: this.#maxOutstanding })
      }
      id = this.#nextId
    } else if (handed !== undefined) {
      // Hand the duty of answering the current request to the remote target, under its id.
      id = handed.id
      expects = Math.min(MAX_TIMEOUT_MS, Math.max(0, Math.ceil(handed.deadline - this.#now())))
    }
    const remote = this.remote!
    const frame = remote.requestFrame(from.id, target.process, req, blob, id, expects)
    let failed: () => void
    if (timeout !== undefined) {
      this.#nextId++
      const out = new Outstanding(id, this.#now() + timeout, from, undefined, target, req, blob, context, resolve, reject)
      this.outstanding.set(id, out)
      this.timers.push(out)
      from.outstanding++
      failed = () => this.fail(out, "offline")
    } else if (handed !== undefined) {
      cur!.id = 0
      handed.target = undefined
      handed.targetAddress = target
      failed = () => this.fail(handed, "offline")
    } else {
      // No response expected: the send error still reaches the sender (as Hyperware's net does).
      failed = () => {
        if (from.state === DEAD) return
        const error: SendError = { kind: "offline", target, message: { tag: "request", val: req }, lazyLoadBlob: blob }
        from.mailbox.push(new Envelope(SEND_ERROR, from, undefined, undefined, context, blob, 0, error))
        this.#scheduler.wakeUp(from)
      }
    }
    remote.post(target.node, frame, failed)
    return undefined
  }

  /**
   * A request from another node (`stand` is that node's stand-in entry, `source` the remote
   * sender) to the local entry `to`, already authenticated and access-checked. `originId` is
   * the remote request id (0: no response expected); when set, a relay outstanding request with
   * the remote's timeout routes the answer back. Never blocks: a full mailbox takes it into the
   * blocked queue, bounded per node by `maxBlocked`. Returns false when refused by a bound.
   */
  deliverRemote(stand: Entry, source: Address, to: Entry, req: Request, blob: LazyLoadBlob | undefined, originId: number, maxBlocked: number): boolean {
    const full = to.mailbox.length >= to.capacity || to.blocked.length > 0
    if (full && stand.blockedSends >= maxBlocked) return false
    let id = 0
    if (originId !== 0) {
      if (stand.outstanding >= this.#maxOutstanding) return false
      id = this.#nextId++
      // The relay keeps no body or blob: its failures go back as frames that carry only the id.
      const out = new Outstanding(id, this.#now() + (req.expectsResponse ?? this.#defaultTimeoutMs), stand, to, to.address, RELAYED, undefined, undefined, undefined, undefined)
      out.originNode = stand.address.node
      out.originId = originId
      this.outstanding.set(id, out)
      this.timers.push(out)
      stand.outstanding++
    }
    const env = new Envelope(REQUEST, stand, req, undefined, undefined, blob, id, undefined)
    env.source = source
    if (!full) {
      to.mailbox.push(env)
      if (!to.scheduled && !to.busy && to.state === RUNNING) this.#scheduler.schedule(to)
    } else {
      env.blocked = true
      stand.blockedSends++
      to.blocked.push(env)
    }
    return true
  }

  /**
   * The channel to `node` is lost: requests awaiting its answers fail `offline`; requests it
   * sent here are forgotten (their answers have nowhere to go).
   */
  disconnectNode(node: string): void {
    for (const out of this.outstanding.values()) {
      if (out.target === undefined && out.targetAddress.node === node) this.fail(out, "offline")
      else if (out.originNode === node) {
        this.outstanding.delete(out.id)
        this.timers.cancel(out)
        out.requester.outstanding--
      }
    }
  }

  #failId(id: number, kind: SendErrorKind): void {
    const out = this.outstanding.get(id)
    if (out !== undefined) this.fail(out, kind)
  }

  #offline(target: Address, env: Envelope): SendFailed {
    const error: SendError =
      env.kind === REQUEST
        ? { kind: "offline", target, message: { tag: "request", val: env.request! }, lazyLoadBlob: env.blob }
        : { kind: "offline", target, message: { tag: "response", val: [env.response!, env.context] }, lazyLoadBlob: env.blob }
    return new SendFailed({ error })
  }

  /**
   * `e` has ended (it is DEAD): requests queued to it, blocked on its mailbox, or outstanding
   * to it fail `offline`; the requests it was awaiting are forgotten.
   */
  disconnect(e: Entry): void {
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
    for (const out of this.outstanding.values()) {
      if (out.target === e) this.fail(out, "offline")
      else if (out.requester === e) {
        this.outstanding.delete(out.id)
        this.timers.cancel(out)
      }
    }
    e.outstanding = 0
  }
}
