/**
 * The synchronous bridge from the EVM machine to its worker (plugins/evm/internal/Worker.ts).
 * Chain machines are synchronous and @ethereumjs/vm is not, so `run` posts a job and blocks this
 * thread with Atomics.wait, answering the worker's state and precompile requests in between, until
 * the job's result arrives. The worker is started on first use and does not keep the process alive.
 * Every job and every message carries the job's number, so nothing of an abandoned job is ever
 * taken for another's.
 *
 * Faults: a worker that dies, throws outside a job or passes the time limit is terminated and
 * replaced by the spare (below) and `run` throws `onFault(detail)`: for a transaction a NodeFault (the
 * node stops: how long a job takes depends on the host, so it can never decide a tx result), for a
 * query a chain error (queries are node plane: a wall-clock budget is fine there). An answer
 * function that throws is passed back as a fault and rethrown here after the worker has unwound.
 *
 * Spare: once a job has faulted, one spare worker is kept loading in the background, so the job
 * after a fault does not wait on this thread for @ethereumjs to load (that wait, about as long as
 * a query's whole budget on a loaded host, doubled the stall of a query that follows a timed-out
 * one: test/evm-rpc/attack-rpc-ethcall.test.ts). A node whose jobs never fault holds one worker.
 *
 * Source: Node worker_threads receiveMessageOnPort, Atomics.wait/notify.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads"
import type { JobResult, WorkerJob, WorkerRequest } from "./Protocol.ts"

/** How long one transaction job may run before the node gives up on its worker (ms). */
export const BRIDGE_TIMEOUT_MS = 120_000

/** A started worker with its channel. */
interface Running {
  readonly worker: Worker
  readonly port: MessagePort
  readonly control: Int32Array
  /** Whether the worker has loaded the engine (its start-up does not count against a job's time). */
  ready: boolean
  dead?: string
}

/** How one job may end badly (see module doc). */
export interface RunLimits {
  /** Wall-clock limit of the job (ms). */
  readonly timeoutMs: number
  /** The error to throw on a fault (dead worker, timeout, worker fault), given what happened. */
  readonly onFault: (detail: string) => Error
}

/** Every bridge not yet closed (see bridgesReady). */
const live = new Set<Bridge>()

/**
 * Whether every open bridge's next job would start at once, its worker having loaded. Never blocks:
 * the RPC (node plane) polls it with its own timers before an EVM query, so the wait for a
 * worker's start-up is not spent in Atomics.wait on the node's thread.
 */
export const bridgesReady = (): boolean => {
  for (const b of live) if (!b.pollReady()) return false
  return true
}

/** The machine's side of the worker channel. */
export class Bridge {
  private running: Running | undefined
  private spare: Running | undefined
  private faulted = false
  private jobs = 0

  constructor() {
    live.add(this)
  }

  /**
   * Whether the next job's worker has loaded (see bridgesReady). Starts nothing: with no worker at
   * all (first use) the job starts one and waits for it, as before a fault.
   */
  pollReady(): boolean {
    const r = this.running && !this.running.dead ? this.running : this.spare
    if (r === undefined || r.ready || r.dead) return true
    for (let m = receiveMessageOnPort(r.port); m; m = receiveMessageOnPort(r.port)) {
      if ((m.message as { t?: string }).t === "ready") r.ready = true
    }
    return r.ready
  }

  private start(): Running {
    if (this.running && !this.running.dead) return this.running
    const spare = this.spare
    this.spare = undefined
    this.running = spare && !spare.dead ? spare : this.spawn()
    if (spare?.dead) void spare.worker.terminate()
    return this.running
  }

  private spawn(): Running {
    const control = new Int32Array(new SharedArrayBuffer(8))
    const { port1, port2 } = new MessageChannel()
    const worker = new Worker(new URL("./Worker.ts", import.meta.url), {
      workerData: { control: control.buffer, port: port2 },
      transferList: [port2]
    })
    worker.unref()
    port1.unref()
    const r: Running = { worker, port: port1, control, ready: false }
    worker.on("error", (e) => (r.dead = `EVM worker failed: ${e.message}`))
    worker.on("exit", (code) => (r.dead ??= `EVM worker exited with code ${code}`))
    return r
  }

  /** Terminate the worker (an abandoned job must not outlive its run); the next run starts another. */
  private discard(r: Running, why: string): void {
    r.dead ??= why
    if (this.running === r) this.running = undefined
    void r.worker.terminate()
    // the next job takes the spare (loaded meanwhile, off this thread); a new spare starts after it
    this.faulted = true
    this.spare ??= this.spawn()
  }

  private post(r: Running, msg: unknown): void {
    r.port.postMessage(msg)
    Atomics.store(r.control, 1, 1)
    Atomics.notify(r.control, 1)
  }

  private next(r: Running, id: number, deadline: number, limits: RunLimits): { t: string; [k: string]: unknown } {
    for (;;) {
      const w = Atomics.wait(r.control, 0, 0, 50)
      if (w !== "timed-out") {
        Atomics.store(r.control, 0, 0)
        for (let m = receiveMessageOnPort(r.port); m; m = receiveMessageOnPort(r.port)) {
          const msg = m.message as { t: string; id?: number }
          if (msg.id === id) return msg as { t: string }
        }
        continue
      }
      if (r.dead) {
        this.discard(r, r.dead)
        throw limits.onFault(r.dead)
      }
      this.checkDeadline(r, deadline, limits)
    }
  }

  /** Past `deadline` the worker is discarded and the job faults (module doc). */
  private checkDeadline(r: Running, deadline: number, limits: RunLimits): void {
    if (performance.now() <= deadline) return
    this.discard(r, "timed out")
    throw limits.onFault(`EVM job did not finish within ${limits.timeoutMs} ms`)
  }

  /**
   * Run `job`, answering the worker's requests with `answer` (synchronous, on this thread). Throws
   * `limits.onFault(...)` on a fault (module doc).
   */
  run(job: WorkerJob, answer: (req: WorkerRequest) => unknown, limits: RunLimits): JobResult {
    const r = this.start()
    if (!r.ready) {
      // a fresh worker loads @ethereumjs first: that wait is the host's, not the job's
      this.next(r, 0, performance.now() + BRIDGE_TIMEOUT_MS, { timeoutMs: BRIDGE_TIMEOUT_MS, onFault: limits.onFault })
      r.ready = true
    }
    // the next spare loads only once this worker has: two loading at once would slow both
    if (this.faulted && this.spare === undefined) this.spare = this.spawn()
    const id = ++this.jobs
    const deadline = performance.now() + limits.timeoutMs
    this.post(r, { id, job })
    let fault: unknown
    for (;;) {
      const m = this.next(r, id, deadline, limits)
      if (m.t === "result") {
        if (fault !== undefined) throw fault
        return m.result as JobResult
      }
      if (m.t === "fault") {
        this.discard(r, "worker fault")
        throw fault ?? limits.onFault(`EVM worker fault: ${String(m.message)}`)
      }
      this.checkDeadline(r, deadline, limits)
      let reply: unknown
      try {
        reply = { id, ok: true, value: answer(m.req as WorkerRequest) }
      } catch (e) {
        fault ??= e
        reply = { id, fault: e instanceof Error ? e.message : String(e) }
      }
      this.post(r, reply)
    }
  }

  /** Stop the worker (the node's shutdown; the next `run` starts another). */
  async close(): Promise<void> {
    live.delete(this)
    const rs = [this.running, this.spare]
    this.running = this.spare = undefined
    await Promise.all(rs.map((r) => r?.worker.terminate()))
  }
}
