/**
 * Userspace processes: a Wasm component of the process-v1 world (wit/process.wit) run as a kernel
 * process. Each process runs in its own worker thread (kernel/userspace/internal/Worker.ts), so a
 * process that loops forever, allocates without bound or traps ends only itself:
 * - CPU: a watchdog ends a process whose guest code runs longer than `cpuLimitMs` without
 *   returning to the host (blocking in `receive` or `send-and-await-response` does not count);
 * - memory: the worker's JS heap is capped by `resourceLimits` and the component's Wasm memories
 *   by the maximum its core modules were compiled with (Program.ts);
 * - traps and uncaught guest errors end the worker.
 * The end surfaces as a rejected handler, so the kernel's on-exit policy applies, and the
 * `UserspaceExit` error (with its `reason`) reaches `KernelOptions.onCrash`.
 *
 * Blocking semantics: the WIT's `receive` and `send-and-await-response` block the guest for real
 * (Atomics.wait in the worker); the kernel thread never blocks. A process handles one message at
 * a time: the kernel delivers the next one after the guest calls `receive` again. Messages that
 * arrive while the guest awaits a response wait in its mailbox, as in Hyperware.
 *
 * Source: Hyperware's process runtime (hyperware-ai/hyperware kernel/src/kernel/process.rs,
 * standard_host.rs), on Node worker_threads instead of wasmtime.
 */
import { Data } from "effect"
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads"
import { type Capability, capabilityKey } from "../../capabilities/Capability.ts"
import type { Address, ProcessId } from "../Address.ts"
import { formatAddress } from "../Address.ts"
import type { Context, LazyLoadBlob, OnExit, Request, Response, SendError } from "../Message.ts"
import type { NativeProcess, ProcessContext } from "../Process.ts"
import type { MeasuredProcess, ProcessMeasures } from "./ProcessStats.ts"
import type { Program } from "./Program.ts"
import { BUSY, EPOCH, type FromWorker, SIGNAL, type ToWorker, WORDS, type WorkerInit } from "./internal/Protocol.ts"

/** Why a userspace process ended: the `reason` names the limit or the trap. */
export class UserspaceExit extends Data.TaggedError("UserspaceExit")<{
  readonly process: string
  /** `cpu` (watchdog), `memory` (heap or Wasm memory limit), `trap` (guest error), `returned` (init returned), `worker` (the thread died). */
  readonly kind: "cpu" | "memory" | "trap" | "returned" | "worker"
  readonly reason: string
}> {
  override get message(): string {
    return `${this.process} ended (${this.kind}): ${this.reason}`
  }
}

/** Per-process limits. */
export interface UserspaceLimits {
  /** Longest run of guest code between host calls, ms (default 5000). */
  readonly cpuLimitMs?: number
  /** The worker's V8 old-generation heap cap, MiB (default 64). Wasm memory is capped by the Program. */
  readonly heapLimitMb?: number
}

/** Default limits (docs/userspace.md). */
export const DEFAULT_LIMITS = { cpuLimitMs: 5000, heapLimitMb: 64 } as const

/** Options of a userspace process. */
export interface UserspaceOptions extends UserspaceLimits {
  /** Resolve a WIT `spawn` wasm-path (in the caller's package) to a program; absent: no-file-at-path. */
  readonly resolveProgram?: (caller: ProcessId, wasmPath: string) => Program | undefined
  /**
   * Persistent backing of get/set/clear-state (runtime/State.ts StateStore): state written by a
   * process is found again by the same process id after a node restart. Default: kernel memory.
   */
  readonly state?: {
    get(id: ProcessId): Uint8Array | undefined
    set(id: ProcessId, bytes: Uint8Array): void
    clear(id: ProcessId): void
  }
  /** `print-to-terminal` sink (default: ignored). */
  readonly print?: (process: Address, verbosity: number, message: string) => void
}

const WORKER_URL = new URL("./internal/Worker.ts", import.meta.url)

// ---- the CPU watchdog: one interval for all live userspace processes ----------------------------

const live = new Set<UserspaceProcess>()
let watchdog: ReturnType<typeof setInterval> | undefined
const WATCH_MS = 50

const watch = (p: UserspaceProcess): void => {
  live.add(p)
  if (watchdog === undefined) {
    watchdog = setInterval(() => {
      const now = performance.now()
      for (const q of live) q.check(now)
    }, WATCH_MS)
    watchdog.unref()
  }
}

const unwatch = (p: UserspaceProcess): void => {
  live.delete(p)
  if (live.size === 0 && watchdog !== undefined) {
    clearInterval(watchdog)
    watchdog = undefined
  }
}

// ---- WIT shapes ---------------------------------------------------------------------------------

const witCaps = (caps: ReadonlyArray<Capability>): Capability[] => caps.map((c) => ({ issuer: c.issuer, params: c.params }))
const witRequest = (r: Request): Request => ({
  inherit: r.inherit,
  expectsResponse: r.expectsResponse,
  body: r.body,
  metadata: r.metadata,
  capabilities: witCaps(r.capabilities)
})
const witResponse = (r: Response): Response => ({
  inherit: r.inherit,
  body: r.body,
  metadata: r.metadata,
  capabilities: witCaps(r.capabilities)
})
const witSendError = (e: SendError): SendError => ({
  kind: e.kind,
  target: e.target,
  message: e.message.tag === "request"
    ? { tag: "request", val: witRequest(e.message.val) }
    : { tag: "response", val: [witResponse(e.message.val[0]), e.message.val[1]] },
  lazyLoadBlob: e.lazyLoadBlob
})
const hostBlob = (b: LazyLoadBlob | undefined | null): LazyLoadBlob | undefined => (b == null ? undefined : b)

/** A send that failed at once (capability refused, target offline), as the WIT's send-error. */
const offlineError = (target: Address, request: Request, blob: LazyLoadBlob | undefined, e: unknown): SendError => {
  const err = (e as { error?: SendError }).error
  if (err !== undefined && (err.kind === "offline" || err.kind === "timeout")) return witSendError(err)
  return { kind: "offline", target, message: { tag: "request", val: witRequest(request) }, lazyLoadBlob: blob }
}

/**
 * A userspace process: the NativeProcess the kernel runs, backed by a worker running `program`.
 * Each `init` (the first run and each restart) starts a fresh worker; `terminate` ends it.
 */
export class UserspaceProcess implements MeasuredProcess {
  readonly program: Program
  readonly options: UserspaceOptions
  #worker: Worker | undefined
  #port: MessagePort | undefined
  #words: Int32Array | undefined
  #ctx: ProcessContext | undefined
  /** The pending handler promise: resolved when the guest calls `receive` again. */
  #resolve: (() => void) | undefined
  #reject: ((e: unknown) => void) | undefined
  /** Set when the worker ended with no handler pending: the next delivery fails with it. */
  #ended: UserspaceExit | undefined
  #epoch = -1
  #runSince = 0
  #name = ""
  /**
   * The capabilities (kernel-signed) of the message being handled, by issuer and params: the WIT
   * record carries no signature, so save-capabilities finds the signed ones here.
   */
  #given = new Map<string, Capability>()
  #received = 0
  #sent = 0
  /** Wall time of its handled messages (and inits), ms; `#since` is when the current one began. */
  #cpuMs = 0
  #since: number | undefined

  constructor(program: Program, options: UserspaceOptions = {}) {
    this.program = program
    this.options = options
  }

  init(ctx: ProcessContext): Promise<void> {
    this.#stop()
    this.#ctx = ctx
    this.#name = formatAddress(ctx.our)
    this.#ended = undefined
    const persisted = this.options.state?.get(ctx.our.process)
    if (persisted !== undefined && ctx.getState() === undefined) ctx.setState(persisted)
    const shared = new SharedArrayBuffer(WORDS * 4)
    const { port1, port2 } = new MessageChannel()
    const data: WorkerInit = {
      modulePath: this.program.modulePath,
      modules: this.program.modules,
      port: port2,
      shared,
      our: this.#name,
      maxPages: this.program.maxPages
    }
    const worker = new Worker(WORKER_URL, {
      workerData: data,
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: this.options.heapLimitMb ?? DEFAULT_LIMITS.heapLimitMb },
      stdout: false,
      stderr: false
    })
    this.#worker = worker
    this.#port = port1
    this.#words = new Int32Array(shared)
    this.#epoch = -1
    port1.on("message", (m: FromWorker) => this.#onMessage(worker, m))
    worker.on("error", (e: Error) => {
      const oom = (e as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY"
      this.#end(worker, oom ? "memory" : "worker", e.message)
    })
    worker.on("exit", (code) => this.#end(worker, "worker", `worker exited with code ${code}`))
    watch(this)
    return this.#handling()
  }

  onRequest(_ctx: ProcessContext, source: Address, request: Request, blob: LazyLoadBlob | undefined): Promise<void> {
    this.#given = new Map(request.capabilities.map((c) => [capabilityKey(c.issuer, c.params), c]))
    return this.#deliver({ t: "deliver", source, message: { tag: "request", val: witRequest(request) }, blob })
  }

  onResponse(_ctx: ProcessContext, source: Address, response: Response, context: Context | undefined, blob: LazyLoadBlob | undefined): Promise<void> {
    this.#given = new Map(response.capabilities.map((c) => [capabilityKey(c.issuer, c.params), c]))
    return this.#deliver({ t: "deliver", source, message: { tag: "response", val: [witResponse(response), context] }, blob })
  }

  onSendError(_ctx: ProcessContext, error: SendError, context: Context | undefined): Promise<void> {
    return this.#deliver({ t: "send-error", error: witSendError(error), context })
  }

  terminate(): void {
    this.#stop()
  }

  /** ProcessStats.ts: what `cyberkernel ps` shows (the worker's heap statistics are asked for). */
  async processStats(): Promise<ProcessMeasures> {
    const w = this.#worker
    const base = { host: "javascript" as const, received: this.#received, sent: this.#sent, inFlight: this.#resolve === undefined ? 0 : 1 }
    const cpuMs = this.#cpuMs + (this.#since === undefined ? 0 : performance.now() - this.#since)
    if (w === undefined) return { ...base, worker: -1, cpuMs, memoryBytes: 0 }
    const heap = await w.getHeapStatistics().catch(() => undefined)
    return { ...base, worker: w.threadId, cpuMs, memoryBytes: heap === undefined ? 0 : heap.used_heap_size + ((heap as { external_memory?: number }).external_memory ?? 0) }
  }

  /** Watchdog tick: end the process when one run of guest code exceeded the CPU limit. */
  check(now: number): void {
    const w = this.#words
    if (w === undefined || this.#worker === undefined) return
    if (Atomics.load(w, BUSY) === 0) {
      this.#epoch = -1
      return
    }
    const epoch = Atomics.load(w, EPOCH)
    if (epoch !== this.#epoch) {
      this.#epoch = epoch
      this.#runSince = now
      return
    }
    const limit = this.options.cpuLimitMs ?? DEFAULT_LIMITS.cpuLimitMs
    if (now - this.#runSince > limit) this.#end(this.#worker, "cpu", `guest code ran over ${limit} ms without a host call`)
  }

  #handling(): Promise<void> {
    this.#since = performance.now()
    return new Promise<void>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
  }

  #deliver(m: ToWorker): Promise<void> {
    if (this.#ended !== undefined) return Promise.reject(this.#ended)
    this.#received++
    const p = this.#handling()
    this.#post(m)
    return p
  }

  #post(m: ToWorker): void {
    this.#port!.postMessage(m)
    const w = this.#words!
    Atomics.add(w, SIGNAL, 1)
    Atomics.notify(w, SIGNAL)
  }

  #stop(): void {
    unwatch(this)
    const w = this.#worker
    this.#worker = undefined
    this.#words = undefined
    if (w !== undefined) {
      if (this.#since !== undefined) this.#cpuMs += performance.now() - this.#since
      this.#since = undefined
      w.removeAllListeners()
      w.on("error", () => undefined)
      void w.terminate()
    }
    this.#port?.close()
    this.#port = undefined
    this.#resolve = this.#reject = undefined
  }

  #end(worker: Worker, kind: UserspaceExit["kind"], reason: string): void {
    if (worker !== this.#worker) return
    const err = new UserspaceExit({ process: this.#name, kind, reason })
    const reject = this.#reject
    this.#stop()
    if (reject !== undefined) reject(err)
    else this.#ended = err
  }

  #onMessage(worker: Worker, m: FromWorker): void {
    if (worker !== this.#worker) return
    switch (m.t) {
      case "batch":
        for (const item of m.items) this.#onMessage(worker, item)
        return
      case "idle": {
        if (this.#since !== undefined) this.#cpuMs += performance.now() - this.#since
        this.#since = undefined
        const resolve = this.#resolve
        this.#resolve = this.#reject = undefined
        resolve?.()
        return
      }
      case "call":
        return this.#call(m.fn, m.args)
      case "post":
        return this.#postCall(m.fn, m.args)
      case "ready":
        return
      case "returned":
        return this.#end(worker, "returned", "init returned")
      case "failed":
        return this.#end(worker, /memory limit|out of memory/i.test(m.reason) ? "memory" : "trap", m.reason)
    }
  }

  #ret(ok: boolean, value: unknown): void {
    if (this.#worker !== undefined) this.#post({ t: "ret", ok, value })
  }

  #call(fn: string, args: ReadonlyArray<unknown>): void {
    const ctx = this.#ctx!
    try {
      switch (fn) {
        case "our":
          return this.#ret(true, ctx.our)
        case "getOnExit":
          return this.#ret(true, ctx.getOnExit())
        case "getState":
          return this.#ret(true, ctx.getState())
        case "ourCapabilities":
          return this.#ret(true, witCaps(ctx.capabilities()))
        case "spawn":
          return this.#ret(true, this.#spawn(args))
        case "sendAndAwaitResponse": {
          const [target, request, blob] = args as [Address, Request, LazyLoadBlob | undefined]
          const worker = this.#worker
          this.#sent++
          ctx.request(target, request, hostBlob(blob)).then(
            (reply) => {
              if (worker !== this.#worker) return
              const message = { tag: "response", val: [witResponse(reply.response), undefined] }
              this.#ret(true, { tag: "ok", val: [reply.source, message], blob: reply.blob })
            },
            (e: unknown) => {
              if (worker !== this.#worker) return
              this.#ret(true, { tag: "err", val: offlineError(target, request, hostBlob(blob), e) })
            }
          )
          return
        }
      }
      this.#ret(false, `unknown host call ${fn}`)
    } catch (e) {
      this.#ret(false, e instanceof Error ? e.message : String(e))
    }
  }

  #spawn(args: ReadonlyArray<unknown>): { tag: "ok" | "err"; val: unknown } {
    const [name, wasmPath, onExit, requestCapabilities, grantCapabilities, isPublic] = args as [
      string | undefined,
      string,
      OnExit,
      Capability[],
      Array<[ProcessId, string]>,
      boolean
    ]
    const ctx = this.#ctx!
    const program = this.options.resolveProgram?.(ctx.our.process, wasmPath)
    if (program === undefined) return { tag: "err", val: "no-file-at-path" }
    try {
      const id = ctx.spawn({
        ...(name !== undefined ? { name } : {}),
        process: new UserspaceProcess(program, this.options),
        onExit,
        requestCapabilities,
        grantCapabilities,
        public: isPublic
      })
      return { tag: "ok", val: id }
    } catch (e) {
      if ((e as { _tag?: string })._tag === "NameTaken") return { tag: "err", val: "name-taken" }
      throw e
    }
  }

  #postCall(fn: string, args: ReadonlyArray<unknown>): void {
    const ctx = this.#ctx!
    switch (fn) {
      case "print":
        this.options.print?.(ctx.our, args[0] as number, args[1] as string)
        return
      case "setOnExit":
        ctx.setOnExit(args[0] as OnExit)
        return
      case "setState":
        ctx.setState(args[0] as Uint8Array)
        this.options.state?.set(ctx.our.process, args[0] as Uint8Array)
        return
      case "clearState":
        ctx.clearState()
        this.options.state?.clear(ctx.our.process)
        return
      case "saveCapabilities":
        try {
          ctx.saveCapabilities((args[0] as Capability[]).map((c) => this.#given.get(capabilityKey(c.issuer, c.params)) ?? c))
        } catch {
          // WIT save-capabilities returns nothing: forged or foreign capabilities are not kept
        }
        return
      case "dropCapabilities":
        ctx.dropCapabilities(args[0] as Capability[])
        return
      case "sendResponse":
        this.#sent++
        try {
          ctx.respond(args[0] as Response, hostBlob(args[1] as LazyLoadBlob | undefined))
        } catch {
          // no request being handled (or a refused capability): the response is dropped
        }
        return
      case "sendRequest":
        return this.#send(args[0] as Address, args[1] as Request, args[2] as Context | undefined, args[3] as LazyLoadBlob | undefined)
      case "sendRequests":
        for (const [t, r, c, b] of args[0] as Array<[Address, Request, Context | undefined, LazyLoadBlob | undefined]>) this.#send(t, r, c, b)
        return
    }
  }

  #send(target: Address, request: Request, context: Context | undefined, blob: LazyLoadBlob | undefined): void {
    const ctx = this.#ctx!
    const options = { ...(context != null ? { context } : {}), ...(blob != null ? { blob } : {}) }
    this.#sent++
    try {
      const r = ctx.send(target, request, options)
      if (r !== undefined) r.catch(() => undefined)
    } catch (e) {
      // Refused at send time: the guest gets the send error from its next `receive`.
      this.#post({ t: "send-error", error: offlineError(target, request, hostBlob(blob), e), context })
    }
  }
}

/** A userspace process running `program` (one worker per run). */
export const userspaceProcess = (program: Program, options?: UserspaceOptions): NativeProcess =>
  new UserspaceProcess(program, options)
