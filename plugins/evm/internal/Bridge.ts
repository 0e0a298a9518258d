/**
 * The synchronous bridge from the EVM machine to its worker (plugins/evm/internal/Worker.ts).
 * Chain machines are synchronous and @ethereumjs/vm is not, so `run` posts a job and blocks this
 * thread with Atomics.wait, answering the worker's state and precompile requests in between, until
 * the job's result arrives. The worker is started on first use and does not keep the process alive.
 *
 * A worker that dies, hangs past {@link BRIDGE_TIMEOUT_MS} or throws outside a job is a host fault:
 * `run` throws a plain Error (never a chain error), which stops the node rather than becoming a tx
 * result. An answer function that throws a chain error has it returned to the worker's precompile
 * as a refusal by the caller of `run` (see plugins/evm/internal/Host.ts); any other error thrown by
 * it is passed back as a fault and rethrown here after the worker has unwound.
 *
 * Source: Node worker_threads receiveMessageOnPort, Atomics.wait/notify.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads"
import type { JobResult, WorkerJob, WorkerRequest } from "./Protocol.ts"

/** How long one wait for the worker may last before the node gives up on it (ms). */
export const BRIDGE_TIMEOUT_MS = 120_000

/** A started worker with its channel. */
interface Running {
  readonly worker: Worker
  readonly port: MessagePort
  readonly control: Int32Array
  dead?: string
}

/** The machine's side of the worker channel. */
export class Bridge {
  private running: Running | undefined

  private start(): Running {
    if (this.running && !this.running.dead) return this.running
    const control = new Int32Array(new SharedArrayBuffer(8))
    const { port1, port2 } = new MessageChannel()
    const worker = new Worker(new URL("./Worker.ts", import.meta.url), {
      workerData: { control: control.buffer, port: port2 },
      transferList: [port2]
    })
    worker.unref()
    port1.unref()
    const r: Running = { worker, port: port1, control }
    worker.on("error", (e) => (r.dead = `EVM worker failed: ${e.message}`))
    worker.on("exit", (code) => (r.dead ??= `EVM worker exited with code ${code}`))
    this.running = r
    return r
  }

  private post(r: Running, msg: unknown): void {
    r.port.postMessage(msg)
    Atomics.store(r.control, 1, 1)
    Atomics.notify(r.control, 1)
  }

  private next(r: Running): { t: string; [k: string]: unknown } {
    for (let waited = 0; ;) {
      const w = Atomics.wait(r.control, 0, 0, 50)
      if (w !== "timed-out") {
        Atomics.store(r.control, 0, 0)
        const m = receiveMessageOnPort(r.port)
        if (m) return m.message as { t: string }
        continue
      }
      waited += 50
      if (r.dead) throw new Error(r.dead)
      if (waited >= BRIDGE_TIMEOUT_MS) throw new Error(`EVM worker did not answer within ${BRIDGE_TIMEOUT_MS} ms`)
    }
  }

  /**
   * Run `job`, answering the worker's requests with `answer` (synchronous, on this thread).
   * Throws a plain Error on a host fault (module doc).
   */
  run(job: WorkerJob, answer: (req: WorkerRequest) => unknown): JobResult {
    const r = this.start()
    this.post(r, job)
    let fault: unknown
    for (;;) {
      const m = this.next(r)
      if (m.t === "result") {
        if (fault !== undefined) throw fault
        return m.result as JobResult
      }
      if (m.t === "fault") throw fault ?? new Error(`EVM worker fault: ${String(m.message)}`)
      let reply: unknown
      try {
        reply = { ok: true, value: answer(m.req as WorkerRequest) }
      } catch (e) {
        fault ??= e
        reply = { fault: e instanceof Error ? e.message : String(e) }
      }
      this.post(r, reply)
    }
  }

  /** Stop the worker (the node's shutdown; the next `run` starts another). */
  async close(): Promise<void> {
    const r = this.running
    this.running = undefined
    if (r) await r.worker.terminate()
  }
}
