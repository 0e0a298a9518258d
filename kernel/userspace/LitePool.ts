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
 * loop is one postMessage, and the worker answers each batch with one. Messages between two
 * processes of the same worker still go through the kernel thread (the kernel checks
 * capabilities there); shared-memory rings are not built.
 *
 * Source: issue 16; Hyperware's process model (hyperware-ai/hyperware kernel/src/kernel/process.rs)
 * with handler exports instead of a blocking receive.
 */
import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"
import { type Capability, capabilityKey } from "../../capabilities/Capability.ts"
import { type Address, formatAddress, parseAddress } from "../Address.ts"
import { type Context, type LazyLoadBlob, request, type Request, response, type Response, type SendError } from "../Message.ts"
import type { NativeProcess, PendingRequest, ProcessContext } from "../Process.ts"
import type { FromLite, LiteOp, ToLite, WireCap } from "./internal/LiteProtocol.ts"
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
  /** Messages delivered to the worker and not yet handled. */
  readonly inFlight: number
}

const WORKER_URL = new URL("./internal/LiteWorker.ts", import.meta.url)

class PoolWorker {
  readonly index: number
  readonly worker: Worker
  readonly programs = new Set<string>()
  readonly processes = new Map<number, LiteProcess>()
  #out: ToLite[] = []
  #scheduled = false
  dead = false

  constructor(index: number, onDeath: (w: PoolWorker, reason: string) => void) {
    this.index = index
    this.worker = new Worker(WORKER_URL, { stdout: false, stderr: false })
    this.worker.unref()
    this.worker.on("message", (batch: FromLite[]) => {
      for (const m of batch) this.processes.get(m.id)?.onWorker(m)
    })
    this.worker.on("error", (e: Error) => onDeath(this, e.message))
    this.worker.on("exit", (code) => onDeath(this, `worker exited with code ${code}`))
  }

  post(m: ToLite): void {
    this.#out.push(m)
    if (!this.#scheduled) {
      this.#scheduled = true
      queueMicrotask(() => this.flush())
    }
  }

  flush(): void {
    this.#scheduled = false
    if (this.#out.length === 0 || this.dead) return
    this.worker.postMessage(this.#out)
    this.#out = []
  }
}

/**
 * The worker pool. `workers` defaults to the machine's available parallelism. Processes are placed
 * on the worker with the fewest; a dead worker is replaced on the next placement.
 */
export class LitePool {
  readonly size: number
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
    return this.#deliver(source, 0, req.body, undefined, req.capabilities)
  }

  onResponse(_ctx: ProcessContext, source: Address, res: Response, context: Context | undefined, _blob: LazyLoadBlob | undefined): Promise<void> {
    return this.#deliver(source, 1, res.body, context, res.capabilities)
  }

  onSendError(_ctx: ProcessContext, error: SendError, context: Context | undefined): Promise<void> {
    const body = error.message.tag === "request" ? error.message.val.body : error.message.val[0].body
    return this.#deliver(error.target, error.kind === "offline" ? 2 : 3, body, context, [])
  }

  terminate(): void {
    this.#stop()
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
    this.#worker = undefined
    const idle = this.#pending.size === 0
    this.#end(new UserspaceExit({ process: this.#name, kind: "worker", reason }))
    if (idle) this.#wakeKernel()
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

  #deliver(source: Address, kind: number, body: Uint8Array, context: Context | undefined, caps: ReadonlyArray<Capability>, track = true): Promise<void> {
    if (this.#ended !== undefined) return Promise.reject(this.#ended)
    const w = this.#worker
    if (w === undefined) return Promise.reject(new UserspaceExit({ process: this.#name, kind: "worker", reason: "not running" }))
    this.#received++
    if (this.#window > 1) return this.#pipelined(w, source, kind, body, context, caps, track)
    this.#given = new Map(caps.map((c) => [capabilityKey(c.issuer, c.params), c]))
    const seq = ++this.#seq
    const p = track ? this.#expect(seq) : Promise.resolve()
    w.post({ t: "deliver", id: this.#id, seq, source: formatAddress(source), kind, body, context: context ?? new Uint8Array(0), caps: toWire(caps) })
    return p
  }

  /** Pipelined delivery: the kernel waits only while `pipeline` messages are in flight. */
  #pipelined(w: PoolWorker, source: Address, kind: number, body: Uint8Array, context: Context | undefined, caps: ReadonlyArray<Capability>, track: boolean): Promise<void> {
    const seq = ++this.#seq
    const done = this.#expect(seq)
    done.catch(() => undefined)
    const given = new Map(caps.map((c) => [capabilityKey(c.issuer, c.params), c]))
    this.#queue.push({ seq, given, token: kind === 0 ? this.#ctx?.pending() : undefined, done })
    w.post({ t: "deliver", id: this.#id, seq, source: formatAddress(source), kind, body, context: context ?? new Uint8Array(0), caps: toWire(caps) })
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
          ctx.saveCapabilities(fromWire(op.caps).map((c) => given.get(capabilityKey(c.issuer, c.params)) ?? c))
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
      case "sendResponse":
        this.#sent++
        try {
          const token = this.#window > 1 ? this.#queue[0]?.token : undefined
          const r = response(op.body, { capabilities: fromWire(op.caps) })
          if (token !== undefined) ctx.respondTo(token, r)
          else ctx.respond(r)
        } catch {
          // no request being handled, or a capability not held: the response is dropped
        }
        return
      case "sendRequest":
        return this.#send(op)
    }
  }

  #send(op: Extract<LiteOp, { fn: "sendRequest" }>): void {
    const ctx = this.#ctx!
    this.#sent++
    let target: Address | undefined
    try {
      target = parseAddress(op.target)
      const r = ctx.send(target, request(op.body, op.timeoutMs, { capabilities: fromWire(op.caps) }), op.context.length > 0 ? { context: op.context } : {})
      if (r !== undefined) r.catch(() => undefined)
    } catch {
      // Refused at once (bad address, no capability, target offline): the guest gets an
      // `offline` message with its context, after the call being handled.
      const source = target ?? ctx.our
      void this.#deliver(source, 2, op.body, op.context, [], false)
    }
  }

  /** End this run: pending handlers reject with `err`; with none pending, the next delivery does. */
  #end(err: UserspaceExit): void {
    this.#ended = err
    const pending = [...this.#pending.values()]
    this.#pending.clear()
    const pipelined = this.#queue.length > 0
    this.#queue.length = 0
    for (const p of pending) p.reject(err)
    // Pipelined: the handlers the kernel waited on may all have returned already.
    if (pipelined && this.#kernelWaits === 0) this.#wakeKernel()
  }

  #stop(): void {
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
