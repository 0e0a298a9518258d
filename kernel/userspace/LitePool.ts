/**
 * Light-guest processes at scale: a pool of worker threads (about one per core), each hosting
 * many process-lite instances (LiteProgram.ts, internal/LiteWorker.ts). A light process is a
 * `NativeProcess` for `kernel.spawn`/`initialize`, so the kernel's capability rules, mailboxes,
 * per-pair order and on-exit policies apply unchanged; its host calls (send-request,
 * send-response, save-capabilities, ...) are the kernel's ProcessContext calls, made on the
 * kernel thread in the order the guest made them.
 *
 * Isolation inside a shared worker: each instance has its own linear memory and imports; fuel
 * (deterministic metering, reset to `fuel` before each call) ends a runaway, the memory cap ends
 * a bomb, a trap ends its instance, and each of these ends only that process (`UserspaceExit`
 * with kind `cpu`, `memory` or `trap`; the kernel's on-exit applies). A worker that dies (a fault
 * of the host itself) ends all its processes with kind `worker`, so each restarts under its own
 * on-exit policy on a fresh worker.
 *
 * Messages cross threads in batches: everything for one worker in one turn of the kernel's event
 * loop is one postMessage, and the worker answers each batch with one. The messages of a batch
 * are packed in one transferred ArrayBuffer (internal/LiteWire.ts), not cloned one by one.
 *
 * In-worker routing: a request between two light processes of one worker is handled inside the
 * worker once the kernel admitted a first message of that pair. The kernel side then grants the
 * pair a route: a slot of the worker's shared grant table (an Int32Array over a
 * SharedArrayBuffer) holding a generation number. A route to a private process is tied to the
 * sender's messaging capability: when that capability leaves the sender's table
 * (`NativeProcess.onCapabilityDropped`), the slot is zeroed on the kernel thread, and the worker,
 * which reads the slot before each in-worker delivery, stops at once. A route to a public process
 * (admitted without the capability) lasts while both run. A message of the pair that goes through
 * the kernel (capabilities attached, route not granted yet) closes the pair's fence until the
 * kernel delivers or fails it, so per-pair order holds. Across workers every message still goes
 * through the kernel thread; shared-memory rings are not built.
 *
 * Source: issue 16; Hyperware's process model (hyperware-ai/hyperware kernel/src/kernel/process.rs)
 * with handler exports instead of a blocking receive.
 */
import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"
import { type Capability, capabilityKey, MESSAGING, type SignedCapability } from "../../capabilities/Capability.ts"
import { type Address, formatAddress, parseAddress } from "../Address.ts"
import { type Context, type LazyLoadBlob, request, type Request, response, type Response, type SendError } from "../Message.ts"
import type { NativeProcess, PendingRequest, ProcessContext } from "../Process.ts"
import type { FromLite, LiteOp, ToLite, WireCap } from "./internal/LiteProtocol.ts"
import { type LiteBatch, packToLite, unpackFromLite } from "./internal/LiteWire.ts"
import type { LiteProgram } from "./LiteProgram.ts"
import type { MeasuredProcess, ProcessMeasures } from "./ProcessStats.ts"
import { UserspaceExit } from "./UserspaceProcess.ts"

/** Default fuel of one `init` or `handle` call, in metering points (modules/cyberwasm/instrument/CostTable.ts); the example's `ping` uses about 11,000, and a tight loop runs out in about 80 ms on the development machine. */
export const DEFAULT_LITE_FUEL = 2_000_000_000

/** Options of a light process. */
export interface LiteOptions {
  /** Metering points one `init` or `handle` call may use (default DEFAULT_LITE_FUEL). */
  readonly fuel?: number
  /** Persistent backing of get/set/clear-state, as UserspaceOptions.state. */
  readonly state?: {
    get(id: Address["process"]): Uint8Array | undefined
    set(id: Address["process"], bytes: Uint8Array): void
    clear(id: Address["process"]): void
  }
  /** `print-to-terminal` sink (default: ignored). */
  readonly print?: (process: Address, verbosity: number, message: string) => void
  /**
   * Messages handed to the worker ahead of the one being handled (default 1: one at a time).
   * Above 1 the kernel's handler returns once the message is posted, while fewer than
   * `pipeline` are in flight; requests are answered through `ctx.pending()`/`respondTo`, so
   * `send-response` still answers the request the guest is handling. A trap fails exactly the
   * requests handed to the guilty instance (`offline`). Order per sender is kept.
   */
  readonly pipeline?: number
}

/** What `cyberkernel ps` shows of a light process. */
export interface LiteStats {
  readonly process: string
  /** Pool worker index. */
  readonly worker: number
  /** Guest CPU time, ms (wall time of its calls on its worker). */
  readonly cpuMs: number
  /** Metering points used in total. */
  readonly fuel: number
  /** Linear memory, bytes. */
  readonly memoryBytes: number
  readonly received: number
  readonly sent: number
  /** Of `received`, the messages handled inside the worker (in-worker routes), not through the kernel thread. */
  readonly local: number
  /** Messages delivered to the worker and not yet handled. */
  readonly inFlight: number
}

const WORKER_URL = new URL("./internal/LiteWorker.ts", import.meta.url)

/** Slots of a worker's grant table: in-worker routes granted at once (past it, pairs go through the kernel). */
export const GRANT_SLOTS = 65_536

/** A message a light process sent through the kernel to a process of its own worker (LiteWorker.ts's fence). */
interface Fence {
  readonly worker: PoolWorker
  /** The sender's instance id and process. */
  readonly from: number
  readonly sender: LiteProcess
  /** The target as the sender wrote it (the worker's key). */
  readonly target: string
  /** A request admitted without the sender holding the target's messaging capability: the target is public. */
  readonly public: boolean
  released: boolean
}

/** An in-worker route: its grant-table slot and generation; `tied` to the sender's messaging capability. */
interface Route {
  readonly slot: number
  readonly gen: number
  readonly tied: boolean
}

class PoolWorker {
  readonly index: number
  readonly worker: Worker
  readonly programs = new Set<string>()
  readonly processes = new Map<number, LiteProcess>()
  /** The grant table shared with the worker: slot -> generation of the route it holds (0: none). */
  readonly grants = new Int32Array(new SharedArrayBuffer(GRANT_SLOTS * 4))
  readonly #free: number[] = Array.from({ length: GRANT_SLOTS }, (_, i) => GRANT_SLOTS - 1 - i)
  #gen = 0
  #out: ToLite[] = []
  #scheduled = false
  dead = false

  constructor(index: number, onDeath: (w: PoolWorker, reason: string) => void) {
    this.index = index
    this.worker = new Worker(WORKER_URL, { stdout: false, stderr: false, workerData: { grants: this.grants.buffer } })
    this.worker.unref()
    this.worker.on("message", (batch: LiteBatch) => {
      for (const m of unpackFromLite(batch)) this.processes.get(m.id)?.onWorker(m)
    })
    this.worker.on("error", (e: Error) => onDeath(this, e.message))
    this.worker.on("exit", (code) => onDeath(this, `worker exited with code ${code}`))
  }

  post(m: ToLite): void {
    this.#out.push(m)
    if (!this.#scheduled) {
      this.#scheduled = true
      // the end of this event-loop turn: every message the kernel hands this worker meanwhile
      // (all the batches it took from the workers in this turn) goes in the same postMessage
      setImmediate(() => this.flush())
    }
  }

  /** Grant instance `from` the in-worker route to `target`; undefined when the table is full. */
  grant(from: number, target: string, tied: boolean): Route | undefined {
    const slot = this.#free.pop()
    if (slot === undefined) return undefined
    this.#gen = this.#gen >= 0x7fff_ffff ? 1 : this.#gen + 1
    Atomics.store(this.grants, slot, this.#gen)
    this.post({ t: "grant", from, target, slot, gen: this.#gen })
    return { slot, gen: this.#gen, tied }
  }

  /** Withdraw a route: the worker sees the zeroed slot before its next in-worker delivery. */
  revoke(r: Route): void {
    if (Atomics.compareExchange(this.grants, r.slot, r.gen, 0) === r.gen) this.#free.push(r.slot)
  }

  flush(): void {
    this.#scheduled = false
    if (this.#out.length === 0 || this.dead) return
    const batch = packToLite(this.#out)
    this.#out = []
    this.worker.postMessage(batch, [batch.buf])
  }
}

/**
 * The worker pool. `workers` defaults to the machine's available parallelism. Processes are placed
 * on the worker with the fewest; a dead worker is replaced on the next placement.
 */
export class LitePool {
  readonly size: number
  /** @internal Fenced messages in the kernel, by body (the kernel hands the same bytes on). */
  readonly fences = new WeakMap<Uint8Array, Fence>()
  readonly #workers: Array<PoolWorker | undefined>
  #closed = false

  constructor(options: { readonly workers?: number } = {}) {
    this.size = Math.max(1, options.workers ?? availableParallelism())
    this.#workers = Array.from({ length: this.size }, () => undefined)
  }

  /** A light process running `program` on this pool. */
  process(program: LiteProgram, options: LiteOptions = {}): NativeProcess {
    return new LiteProcess(this, program, options)
  }

  /** Stats of every live light process (for `cyberkernel ps` and RPC). */
  stats(): LiteStats[] {
    return this.#workers.flatMap((w) => (w === undefined ? [] : [...w.processes.values()].map((p) => p.stats())))
  }

  /** Live worker threads (for tests: a worker fault). */
  threads(): Worker[] {
    return this.#workers.flatMap((w) => (w === undefined || w.dead ? [] : [w.worker]))
  }

  /** End every worker (the processes' pending handlers reject with kind `worker`); no new one starts after. */
  async close(): Promise<void> {
    this.#closed = true
    await Promise.all(this.#workers.map((w) => w?.worker.terminate()))
  }

  /** @internal */
  place(p: LiteProcess, id: number): PoolWorker {
    if (this.#closed) throw new UserspaceExit({ process: "", kind: "worker", reason: "the light-guest pool is closed" })
    let best = -1
    for (let i = 0; i < this.size; i++) {
      const w = this.#workers[i]
      if (w === undefined || w.dead) {
        this.#workers[i] = new PoolWorker(i, (dead, reason) => this.#died(dead, reason))
      }
      if (best < 0 || this.#workers[i]!.processes.size < this.#workers[best]!.processes.size) best = i
    }
    const w = this.#workers[best]!
    w.processes.set(id, p)
    if (!w.programs.has(p.program.key)) {
      w.programs.add(p.program.key)
      const { key, modulePath, modules, maxPages } = p.program
      w.post({ t: "program", key, modulePath, modules, maxPages })
    }
    return w
  }

  #died(w: PoolWorker, reason: string): void {
    if (w.dead) return
    w.dead = true
    if (this.#workers[w.index] === w) this.#workers[w.index] = undefined
    const victims = [...w.processes.values()]
    w.processes.clear()
    for (const p of victims) p.workerLost(reason)
  }
}

let ids = 0

const toWire = (caps: ReadonlyArray<Capability>): WireCap[] => caps.map((c) => [formatAddress(c.issuer), c.params] as const)
const fromWire = (caps: ReadonlyArray<WireCap>): Capability[] => caps.map(([issuer, params]) => ({ issuer: parseAddress(issuer), params }))

/** A light-guest process: one instance on one pool worker per run. */
class LiteProcess implements MeasuredProcess {
  readonly pool: LitePool
  readonly program: LiteProgram
  readonly options: LiteOptions
  #worker: PoolWorker | undefined
  #id = 0
  #seq = 0
  #ctx: ProcessContext | undefined
  #name = ""
  /** Handler promises by call sequence number. */
  readonly #pending = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>()
  #ended: UserspaceExit | undefined
  #cpuMs = 0
  #fuel = 0
  #memory = 0
  #received = 0
  #sent = 0
  #local = 0
  /**
   * The capabilities (kernel-signed) of the message being handled, by issuer and params: the WIT
   * record carries no signature, so save-capabilities finds the signed ones here. A guest can
   * thus save what it was given, and nothing else.
   */
  #given = new Map<string, Capability>()
  /** Pipelined mode: messages handed to the worker and not yet done, oldest first. */
  readonly #queue: Array<{ readonly seq: number; readonly given: Map<string, Capability>; readonly token: PendingRequest | undefined; readonly done: Promise<void> }> = []
  /** Pipelined mode: handler promises the kernel is waiting on (it sees a crash through them). */
  #kernelWaits = 0
  /** In-worker routes this run was granted, by target address. */
  readonly #routes = new Map<string, Route>()
  /** Signed capabilities of in-worker responses handed over through the kernel thread (save-capabilities finds them here). */
  #answered = new Map<string, Capability>()

  constructor(pool: LitePool, program: LiteProgram, options: LiteOptions) {
    this.pool = pool
    this.program = program
    this.options = options
  }

  get #window(): number {
    return Math.max(1, Math.floor(this.options.pipeline ?? 1))
  }

  init(ctx: ProcessContext): Promise<void> {
    this.#stop()
    this.#ctx = ctx
    this.#name = formatAddress(ctx.our)
    this.#ended = undefined
    const persisted = this.options.state?.get(ctx.our.process)
    if (persisted !== undefined && ctx.getState() === undefined) ctx.setState(persisted)
    this.#id = ++ids
    try {
      this.#worker = this.pool.place(this, this.#id)
    } catch (e) {
      return Promise.reject(e instanceof UserspaceExit ? new UserspaceExit({ process: this.#name, kind: e.kind, reason: e.reason }) : e)
    }
    const seq = ++this.#seq
    const p = this.#expect(seq)
    this.#worker.post({ t: "start", id: this.#id, program: this.program.key, our: this.#name, state: ctx.getState(), fuel: this.options.fuel ?? DEFAULT_LITE_FUEL, seq })
    return p
  }

  onRequest(_ctx: ProcessContext, source: Address, req: Request, _blob: LazyLoadBlob | undefined): Promise<void> {
    return this.#deliver(source, 0, req.body, undefined, req.capabilities, true, this.#fenced(req.body, true))
  }

  onResponse(_ctx: ProcessContext, source: Address, res: Response, context: Context | undefined, _blob: LazyLoadBlob | undefined): Promise<void> {
    return this.#deliver(source, 1, res.body, context, res.capabilities, true, this.#fenced(res.body, false))
  }

  onSendError(_ctx: ProcessContext, error: SendError, context: Context | undefined): Promise<void> {
    const body = error.message.tag === "request" ? error.message.val.body : error.message.val[0].body
    this.#unfence(body)
    return this.#deliver(error.target, error.kind === "offline" ? 2 : 3, body, context, [])
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
    this.#worker?.revoke(r)
  }

  /**
   * A message the kernel delivers to this process: if a light process of this worker sent it
   * fenced, the fence opens with this delivery; a first request of the pair grants the route.
   */
  #fenced(body: Uint8Array, isRequest: boolean): { readonly from: number; readonly target: string } | undefined {
    const f = this.pool.fences.get(body)
    if (f === undefined || f.released) return undefined
    f.released = true
    const w = this.#worker
    // Delivered elsewhere (a process forwarding the same bytes, a name reused): the fence opens, nothing more.
    if (w === undefined || f.worker !== w || this.#ended !== undefined || f.target !== this.#name) {
      f.worker.post({ t: "release", from: f.from, target: f.target })
      return undefined
    }
    if (isRequest) f.sender.routeTo(f.from, f.target, this.#ctx!.our, f.public)
    return { from: f.from, target: f.target }
  }

  /** A fenced message failed before delivery: its fence opens. */
  #unfence(body: Uint8Array): void {
    const f = this.pool.fences.get(body)
    if (f === undefined || f.released) return
    f.released = true
    f.worker.post({ t: "release", from: f.from, target: f.target })
  }

  /** @internal Grant run `id` of this process the in-worker route to `target` (the kernel admitted a request of the pair). */
  routeTo(id: number, target: string, address: Address, isPublic: boolean): void {
    const w = this.#worker
    if (id !== this.#id || w === undefined || this.#routes.has(target) || this.#ctx === undefined) return
    const tied = !isPublic
    // The capability may have gone since the request was admitted: then no route.
    if (tied && !this.#ctx.hasCapability({ issuer: address, params: MESSAGING })) return
    const r = w.grant(id, target, tied)
    if (r !== undefined) this.#routes.set(target, r)
  }

  /** Close every route this run holds and every route of this worker's processes to it. */
  #closeRoutes(): void {
    const w = this.#worker
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
    this.#worker?.revoke(r)
  }

  /** @internal An in-worker response with capabilities from `responder` (checked held): delivered through the kernel thread. */
  answer(rid: number, source: Address, body: Uint8Array, context: Uint8Array, caps: ReadonlyArray<Capability>, fence: { readonly from: number; readonly target: string }): void {
    for (const c of caps) this.#answered.set(capabilityKey(c.issuer, c.params), c)
    void this.#deliver(source, 1, body, context, caps, false, fence, rid)
  }

  /** @internal */
  stats(): LiteStats {
    return {
      process: this.#name,
      worker: this.#worker?.index ?? -1,
      cpuMs: this.#cpuMs,
      fuel: this.#fuel,
      memoryBytes: this.#memory,
      received: this.#received,
      sent: this.#sent,
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
    this.#worker = undefined
  }

  /**
   * A process with no handler the kernel waits on has none for it to see fail: a request to
   * itself makes the next delivery fail now, so its on-exit policy runs at once rather than at
   * its next message.
   */
  #wakeKernel(): void {
    if (this.#ctx === undefined) return
    try {
      const r = this.#ctx.send(this.#ctx.our, request(new Uint8Array(0)))
      if (r !== undefined) r.catch(() => undefined)
    } catch {
      // already gone from the kernel
    }
  }

  /** @internal */
  onWorker(m: FromLite): void {
    switch (m.t) {
      case "op":
        return this.#op(m.op)
      case "stats":
        this.#cpuMs += m.cpuMs
        this.#fuel += m.fuel
        this.#memory = m.memoryBytes
        this.#received += m.received
        this.#local += m.received
        this.#sent += m.sent
        return
      case "done": {
        this.#cpuMs += m.cpuMs
        this.#fuel += m.fuel
        this.#memory = m.memoryBytes
        const p = this.#pending.get(m.seq)
        this.#pending.delete(m.seq)
        if (this.#queue[0]?.seq === m.seq) this.#queue.shift()
        p?.resolve()
        return
      }
      case "exit": {
        this.#cpuMs += m.cpuMs
        this.#worker?.processes.delete(this.#id)
        this.#worker = undefined
        return this.#end(new UserspaceExit({ process: this.#name, kind: m.kind, reason: m.reason }))
      }
    }
  }

  #expect(seq: number): Promise<void> {
    return new Promise<void>((resolve, reject) => this.#pending.set(seq, { resolve, reject }))
  }

  #deliver(
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
    const w = this.#worker
    if (w === undefined) return Promise.reject(new UserspaceExit({ process: this.#name, kind: "worker", reason: "not running" }))
    this.#received++
    const m: ToLite = {
      t: "deliver", id: this.#id, seq: 0, source: formatAddress(source), kind, body, context: context ?? new Uint8Array(0), caps: toWire(caps),
      ...(fence !== undefined ? { fence } : {}),
      ...(answers !== undefined ? { answers } : {})
    }
    if (this.#window > 1) return this.#pipelined(w, m, kind, caps, track)
    this.#given = new Map(caps.map((c) => [capabilityKey(c.issuer, c.params), c]))
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
    this.#queue.push({ seq, given, token: kind === 0 && m.answers === undefined ? this.#ctx?.pending() : undefined, done })
    w.post({ ...m, seq })
    if (!track || this.#queue.length < this.#window) return Promise.resolve()
    // A full window: the kernel waits for the oldest to finish, and sees a crash through it.
    this.#kernelWaits++
    return this.#queue[0]!.done.finally(() => {
      this.#kernelWaits--
    })
  }

  #op(op: LiteOp): void {
    const ctx = this.#ctx
    if (ctx === undefined) return
    switch (op.fn) {
      case "print":
        this.options.print?.(ctx.our, op.verbosity, op.message)
        return
      case "setState":
        ctx.setState(op.bytes)
        this.options.state?.set(ctx.our.process, op.bytes)
        return
      case "clearState":
        ctx.clearState()
        this.options.state?.clear(ctx.our.process)
        return
      case "saveCapabilities":
        try {
          const given = this.#window > 1 ? this.#queue[0]?.given ?? new Map<string, Capability>() : this.#given
          ctx.saveCapabilities(fromWire(op.caps).map((c) => {
            const k = capabilityKey(c.issuer, c.params)
            return given.get(k) ?? this.#answered.get(k) ?? c
          }))
        } catch {
          // the WIT gives no error: forged, foreign or malformed capabilities are not kept
        }
        return
      case "dropCapabilities":
        try {
          ctx.dropCapabilities(fromWire(op.caps))
        } catch {
          // malformed issuer: nothing to drop
        }
        return
      case "sendResponse": {
        this.#sent++
        const token = this.#window > 1 ? this.#queue[0]?.token : ctx.pending()
        const fence = op.fence === undefined ? undefined : this.#fence(op.body, op.fence, false)
        try {
          const r = response(op.body, { capabilities: fromWire(op.caps) })
          if (this.#window > 1 && token !== undefined) ctx.respondTo(token, r)
          else ctx.respond(r)
          // A request that expects no response: the kernel drops the answer, nothing will deliver it.
          if (token?.request.expectsResponse === undefined) this.#unfence(op.body)
        } catch {
          // no request being handled, or a capability not held: the response is dropped
          if (fence !== undefined) this.#unfence(op.body)
        }
        return
      }
      case "respondLocal":
        return this.#respondLocal(op)
      case "sendRequest":
        return this.#send(op)
    }
  }

  /** Register a fenced message (by its body) so that its delivery or failure opens the fence. */
  #fence(body: Uint8Array, target: string, isPublic: boolean): Fence | undefined {
    const w = this.#worker
    if (w === undefined) return undefined
    const f: Fence = { worker: w, from: this.#id, sender: this, target, public: isPublic, released: false }
    this.pool.fences.set(body, f)
    return f
  }

  /**
   * A response with capabilities to an in-worker request: the kernel's rule (a message carries
   * only capabilities its sender holds, signed instances) checked here, then handed to the
   * requester through this thread; not held: dropped, as the kernel drops it.
   */
  #respondLocal(op: Extract<LiteOp, { fn: "respondLocal" }>): void {
    const ctx = this.#ctx!
    const w = this.#worker
    const held = new Map(ctx.capabilities().map((c) => [capabilityKey(c.issuer, c.params), c]))
    let signed: Capability[] | undefined = []
    try {
      for (const c of fromWire(op.caps)) {
        const h = held.get(capabilityKey(c.issuer, c.params))
        if (h === undefined) {
          signed = undefined
          break
        }
        signed.push(h)
      }
    } catch {
      signed = undefined
    }
    const requester = w?.processes.get(op.to)
    if (signed === undefined || requester === undefined) {
      w?.post({ t: "unanswer", rid: op.rid, from: this.#id, target: op.target })
      return
    }
    requester.answer(op.rid, ctx.our, op.body, op.context, signed, { from: this.#id, target: op.target })
  }

  #send(op: Extract<LiteOp, { fn: "sendRequest" }>): void {
    const ctx = this.#ctx!
    this.#sent++
    let target: Address | undefined
    try {
      target = parseAddress(op.target)
      const f = op.fence === undefined ? undefined : this.#fence(op.body, op.fence, false)
      const r = ctx.send(target, request(op.body, op.timeoutMs, { capabilities: fromWire(op.caps) }), op.context.length > 0 ? { context: op.context } : {})
      if (r !== undefined) r.catch(() => undefined)
      // Admitted without the target's messaging capability: the target is public (or ourselves).
      if (f !== undefined && !ctx.hasCapability({ issuer: target, params: MESSAGING })) (f as { public: boolean }).public = true
    } catch {
      if (op.fence !== undefined) this.#unfence(op.body)
      // Refused at once (bad address, no capability, target offline): the guest gets an
      // `offline` message with its context, after the call being handled.
      const source = target ?? ctx.our
      void this.#deliver(source, 2, op.body, op.context, [], false)
    }
  }

  /** End this run: pending handlers reject with `err`; with none pending, the next delivery does. */
  #end(err: UserspaceExit): void {
    this.#ended = err
    this.#closeRoutes()
    const pending = [...this.#pending.values()]
    this.#pending.clear()
    // Is the kernel waiting on a handler of ours (it then sees the crash through it)? Pipelined,
    // those it waits on may all have returned; and an in-worker message has none.
    const waited = this.#window > 1 ? this.#kernelWaits > 0 : pending.length > 0
    // Requests handed to the ended instance get `offline` now, not at their deadline (its on-exit
    // may restart it, which would leave them waiting).
    const ctx = this.#ctx
    if (ctx !== undefined) {
      const tokens = this.#window > 1 ? this.#queue.map((q) => q.token) : [ctx.pending()]
      for (const t of tokens) {
        try {
          if (t !== undefined) ctx.failPending(t, "offline")
        } catch {
          // not a request: nothing to fail
        }
      }
    }
    this.#queue.length = 0
    for (const p of pending) p.reject(err)
    if (!waited) this.#wakeKernel()
  }

  #stop(): void {
    this.#closeRoutes()
    this.#answered = new Map()
    const w = this.#worker
    if (w !== undefined) {
      w.processes.delete(this.#id)
      w.post({ t: "stop", id: this.#id })
    }
    this.#worker = undefined
    for (const p of this.#pending.values()) p.reject(new UserspaceExit({ process: this.#name, kind: "returned", reason: "stopped" }))
    this.#pending.clear()
    this.#queue.length = 0
  }
}
