/**
 * The kernel side of one light-guest process (LitePool.ts): a `NativeProcess` whose handlers
 * post deliveries to its pool worker and whose host calls come back as ops (LiteOps.ts), run on
 * the kernel thread in the guest's order. Also the kernel half of in-worker routes and fences.
 */
import { type Capability, capabilityKey, MESSAGING, type SignedCapability } from "../../../capabilities/Capability.ts"
import { type Address, formatAddress, parseAddress } from "../../Address.ts"
import type { Context, LazyLoadBlob, Request, Response, SendError } from "../../Message.ts"
import { request } from "../../Message.ts"
import type { PendingRequest, ProcessContext } from "../../Process.ts"
import { DEFAULT_LITE_FUEL, type LiteOptions, type LiteStats } from "../LiteOptions.ts"
import type { LiteProgram } from "../LiteProgram.ts"
import type { MeasuredProcess, ProcessMeasures } from "../ProcessStats.ts"
import { UserspaceExit } from "../UserspaceProcess.ts"
import { type OpHost, runOp, toWire } from "./LiteOps.ts"
import type { PoolHost, PoolWorker, Route } from "./LitePoolWorker.ts"
import type { FromLite, ToLite } from "./LiteProtocol.ts"

let ids = 0

/** A light-guest process: one instance on one pool worker per run (LitePool.ts). */
export class LiteProcess implements MeasuredProcess, OpHost {
  readonly pool: PoolHost
  readonly program: LiteProgram
  readonly options: LiteOptions
  /** @internal The worker hosting this run (undefined when not running). */
  worker: PoolWorker | undefined
  /** @internal This run's instance id on its worker. */
  id = 0
  #seq = 0
  /** @internal The kernel context of this run. */
  ctx: ProcessContext | undefined
  #name = ""
  /** Handler promises by call sequence number. */
  readonly #pending = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>()
  #ended: UserspaceExit | undefined
  #cpuMs = 0
  #fuel = 0
  #memory = 0
  #received = 0
  /** @internal Messages sent (through the kernel or inside the worker). */
  sent = 0
  #local = 0
  /**
   * The capabilities (kernel-signed) of the message being handled, by issuer and params: the WIT
   * record carries no signature, so save-capabilities finds the signed ones here. A guest can
   * thus save what it was given, and nothing else. @internal
   */
  given = new Map<string, Capability>()
  /** @internal Pipelined mode: messages handed to the worker and not yet done, oldest first. */
  readonly queue: Array<{ readonly seq: number; readonly given: Map<string, Capability>; readonly token: PendingRequest | undefined; readonly done: Promise<void> }> = []
  /** Pipelined mode: handler promises the kernel is waiting on (it sees a crash through them). */
  #kernelWaits = 0
  /** In-worker routes this run was granted, by target address. */
  readonly #routes = new Map<string, Route>()
  /** @internal Signed capabilities of in-worker responses handed over through the kernel thread (save-capabilities finds them here). */
  answered = new Map<string, Capability>()

  constructor(pool: PoolHost, program: LiteProgram, options: LiteOptions) {
    this.pool = pool
    this.program = program
    this.options = options
  }

  /** @internal Messages handed to the worker ahead (the `pipeline` option, at least 1). */
  get window(): number {
    return Math.max(1, Math.floor(this.options.pipeline ?? 1))
  }

  init(ctx: ProcessContext): Promise<void> {
    this.#stop()
    this.ctx = ctx
    this.#name = formatAddress(ctx.our)
    this.#ended = undefined
    const persisted = this.options.state?.get(ctx.our.process)
    if (persisted !== undefined && ctx.getState() === undefined) ctx.setState(persisted)
    this.id = ++ids
    try {
      this.worker = this.pool.place(this, this.id)
    } catch (e) {
      return Promise.reject(e instanceof UserspaceExit ? new UserspaceExit({ process: this.#name, kind: e.kind, reason: e.reason }) : e)
    }
    const seq = ++this.#seq
    const p = this.#expect(seq)
    this.worker.post({ t: "start", id: this.id, program: this.program.key, our: this.#name, state: ctx.getState(), fuel: this.options.fuel ?? DEFAULT_LITE_FUEL, seq })
    return p
  }

  onRequest(_ctx: ProcessContext, source: Address, req: Request, _blob: LazyLoadBlob | undefined): Promise<void> {
    return this.deliver(source, 0, req.body, undefined, req.capabilities, true, this.#fenced(req.body, true))
  }

  onResponse(_ctx: ProcessContext, source: Address, res: Response, context: Context | undefined, _blob: LazyLoadBlob | undefined): Promise<void> {
    return this.deliver(source, 1, res.body, context, res.capabilities, true, this.#fenced(res.body, false))
  }

  onSendError(_ctx: ProcessContext, error: SendError, context: Context | undefined): Promise<void> {
    const body = error.message.tag === "request" ? error.message.val.body : error.message.val[0].body
    this.unfence(body)
    return this.deliver(error.target, error.kind === "offline" ? 2 : 3, body, context, [])
  }

  terminate(): void {
    this.#stop()
  }

  /** The kernel took a capability from this process: a route tied to it closes now. */
  onCapabilityDropped(cap: SignedCapability): void {
    if (cap.params !== MESSAGING) return
    const target = formatAddress(cap.issuer)
    const r = this.#routes.get(target)
    if (r === undefined || !r.tied) return
    this.#routes.delete(target)
    this.worker?.revoke(r)
  }

  /**
   * A message the kernel delivers to this process: if a light process of this worker sent it
   * fenced, the fence opens with this delivery; a first request of the pair grants the route.
   */
  #fenced(body: Uint8Array, isRequest: boolean): { readonly from: number; readonly target: string } | undefined {
    const f = this.pool.fences.get(body)
    if (f === undefined || f.released) return undefined
    f.released = true
    const w = this.worker
    // Delivered elsewhere (a process forwarding the same bytes, a name reused): the fence opens, nothing more.
    if (w === undefined || f.worker !== w || this.#ended !== undefined || f.target !== this.#name) {
      f.worker.post({ t: "release", from: f.from, target: f.target })
      return undefined
    }
    if (isRequest) f.sender.routeTo(f.from, f.target, this.ctx!.our, f.public)
    return { from: f.from, target: f.target }
  }

  /** @internal A fenced message failed before delivery: its fence opens. */
  unfence(body: Uint8Array): void {
    const f = this.pool.fences.get(body)
    if (f === undefined || f.released) return
    f.released = true
    f.worker.post({ t: "release", from: f.from, target: f.target })
  }

  /** @internal Grant run `id` of this process the in-worker route to `target` (the kernel admitted a request of the pair). */
  routeTo(id: number, target: string, address: Address, isPublic: boolean): void {
    const w = this.worker
    if (id !== this.id || w === undefined || this.#routes.has(target) || this.ctx === undefined) return
    const tied = !isPublic
    // The capability may have gone since the request was admitted: then no route.
    if (tied && !this.ctx.hasCapability({ issuer: address, params: MESSAGING })) return
    const r = w.grant(id, target, tied)
    if (r !== undefined) this.#routes.set(target, r)
  }

  /** Close every route this run holds and every route of this worker's processes to it. */
  #closeRoutes(): void {
    const w = this.worker
    if (w === undefined) return
    for (const r of this.#routes.values()) w.revoke(r)
    this.#routes.clear()
    if (this.#name !== "") for (const p of w.processes.values()) p.closeRouteTo(this.#name)
  }

  /** @internal The process at `target` ended: a route to it closes (a later run is admitted anew). */
  closeRouteTo(target: string): void {
    const r = this.#routes.get(target)
    if (r === undefined) return
    this.#routes.delete(target)
    this.worker?.revoke(r)
  }

  /** @internal An in-worker response with capabilities from `responder` (checked held): delivered through the kernel thread. */
  answer(rid: number, source: Address, body: Uint8Array, context: Uint8Array, caps: ReadonlyArray<Capability>, fence: { readonly from: number; readonly target: string }): void {
    for (const c of caps) this.answered.set(capabilityKey(c.issuer, c.params), c)
    void this.deliver(source, 1, body, context, caps, false, fence, rid)
  }

  /** @internal */
  stats(): LiteStats {
    return {
      process: this.#name,
      worker: this.worker?.index ?? -1,
      cpuMs: this.#cpuMs,
      fuel: this.#fuel,
      memoryBytes: this.#memory,
      received: this.#received,
      sent: this.sent,
      local: this.#local,
      inFlight: this.#pending.size
    }
  }

  /** ProcessStats.ts: what `cyberkernel ps` shows. */
  processStats(): Promise<ProcessMeasures> {
    const s = this.stats()
    return Promise.resolve({ host: "light", worker: s.worker, cpuMs: s.cpuMs, memoryBytes: s.memoryBytes, received: s.received, sent: s.sent, inFlight: s.inFlight })
  }

  /** @internal The worker hosting this process died. */
  workerLost(reason: string): void {
    this.#end(new UserspaceExit({ process: this.#name, kind: "worker", reason }))
    this.worker = undefined
  }

  /**
   * A process with no handler the kernel waits on has none for it to see fail: a request to
   * itself makes the next delivery fail now, so its on-exit policy runs at once rather than at
   * its next message.
   */
  #wakeKernel(): void {
    if (this.ctx === undefined) return
    try {
      const r = this.ctx.send(this.ctx.our, request(new Uint8Array(0)))
      if (r !== undefined) r.catch(() => undefined)
    } catch {
      // already gone from the kernel
    }
  }

  /** @internal */
  onWorker(m: FromLite): void {
    switch (m.t) {
      case "op":
        return runOp(this, m.op)
      case "stats":
        this.#cpuMs += m.cpuMs
        this.#fuel += m.fuel
        this.#memory = m.memoryBytes
        this.#received += m.received
        this.#local += m.received
        this.sent += m.sent
        return
      case "done": {
        this.#cpuMs += m.cpuMs
        this.#fuel += m.fuel
        this.#memory = m.memoryBytes
        const p = this.#pending.get(m.seq)
        this.#pending.delete(m.seq)
        if (this.queue[0]?.seq === m.seq) this.queue.shift()
        p?.resolve()
        return
      }
      case "exit": {
        this.#cpuMs += m.cpuMs
        this.worker?.processes.delete(this.id)
        this.worker = undefined
        return this.#end(new UserspaceExit({ process: this.#name, kind: m.kind, reason: m.reason }))
      }
    }
  }

  #expect(seq: number): Promise<void> {
    return new Promise<void>((resolve, reject) => this.#pending.set(seq, { resolve, reject }))
  }

  /** @internal Hand a message to the worker; the promise settles when its handler returns (pipelined: when the window has room). */
  deliver(
    source: Address,
    kind: number,
    body: Uint8Array,
    context: Context | undefined,
    caps: ReadonlyArray<Capability>,
    track = true,
    fence?: { readonly from: number; readonly target: string },
    answers?: number
  ): Promise<void> {
    if (this.#ended !== undefined) return Promise.reject(this.#ended)
    const w = this.worker
    if (w === undefined) return Promise.reject(new UserspaceExit({ process: this.#name, kind: "worker", reason: "not running" }))
    this.#received++
    const m: ToLite = {
      t: "deliver", id: this.id, seq: 0, source: formatAddress(source), kind, body, context: context ?? new Uint8Array(0), caps: toWire(caps),
      ...(fence !== undefined ? { fence } : {}),
      ...(answers !== undefined ? { answers } : {})
    }
    if (this.window > 1) return this.#pipelined(w, m, kind, caps, track)
    this.given = new Map(caps.map((c) => [capabilityKey(c.issuer, c.params), c]))
    const seq = ++this.#seq
    const p = track ? this.#expect(seq) : Promise.resolve()
    w.post({ ...m, seq })
    return p
  }

  /** Pipelined delivery: the kernel waits only while `pipeline` messages are in flight. */
  #pipelined(w: PoolWorker, m: Extract<ToLite, { t: "deliver" }>, kind: number, caps: ReadonlyArray<Capability>, track: boolean): Promise<void> {
    const seq = ++this.#seq
    const done = this.#expect(seq)
    done.catch(() => undefined)
    const given = new Map(caps.map((c) => [capabilityKey(c.issuer, c.params), c]))
    this.queue.push({ seq, given, token: kind === 0 && m.answers === undefined ? this.ctx?.pending() : undefined, done })
    w.post({ ...m, seq })
    if (!track || this.queue.length < this.window) return Promise.resolve()
    // A full window: the kernel waits for the oldest to finish, and sees a crash through it.
    this.#kernelWaits++
    return this.queue[0]!.done.finally(() => {
      this.#kernelWaits--
    })
  }

  #end(err: UserspaceExit): void {
    this.#ended = err
    this.#closeRoutes()
    const pending = [...this.#pending.values()]
    this.#pending.clear()
    // Is the kernel waiting on a handler of ours (it then sees the crash through it)? Pipelined,
    // those it waits on may all have returned; and an in-worker message has none.
    const waited = this.window > 1 ? this.#kernelWaits > 0 : pending.length > 0
    // Requests handed to the ended instance get `offline` now, not at their deadline (its on-exit
    // may restart it, which would leave them waiting).
    const ctx = this.ctx
    if (ctx !== undefined) {
      const tokens = this.window > 1 ? this.queue.map((q) => q.token) : [ctx.pending()]
      for (const t of tokens) {
        try {
          if (t !== undefined) ctx.failPending(t, "offline")
        } catch {
          // not a request: nothing to fail
        }
      }
    }
    this.queue.length = 0
    for (const p of pending) p.reject(err)
    if (!waited) this.#wakeKernel()
  }

  #stop(): void {
    this.#closeRoutes()
    this.answered = new Map()
    const w = this.worker
    if (w !== undefined) {
      w.processes.delete(this.id)
      w.post({ t: "stop", id: this.id })
    }
    this.worker = undefined
    for (const p of this.#pending.values()) p.reject(new UserspaceExit({ process: this.#name, kind: "returned", reason: "stopped" }))
    this.#pending.clear()
    this.queue.length = 0
  }
}
