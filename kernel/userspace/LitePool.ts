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
 * kernel delivers or fails it, so per-pair order holds. Across workers every message goes
 * through the kernel thread, which keeps every capability check. With `transport: "ring"` the
 * batches between the kernel thread and each worker cross through a pair of shared-memory rings
 * (internal/LiteLink.ts over internal/LiteRing.ts) instead of postMessage, which stays for the
 * batches a ring cannot take, in send order; the default is `message` (docs/userspace.md
 * "Shared-memory rings": no gain was measurable on the loaded 2-core machine).
 *
 * Source: issue 16; Hyperware's process model (hyperware-ai/hyperware kernel/src/kernel/process.rs)
 * with handler exports instead of a blocking receive.
 */
import { availableParallelism } from "node:os"
import type { Worker } from "node:worker_threads"
import type { NativeProcess } from "../Process.ts"
import { type Fence, type HostedProcess, type PoolHost, PoolWorker } from "./internal/LitePoolWorker.ts"
import { LiteProcess } from "./internal/LiteProcess.ts"
import { checkShape, type RingShape } from "./internal/LiteRing.ts"
import type { LiteProgram } from "./LiteProgram.ts"
import { UserspaceExit } from "./UserspaceProcess.ts"

import type { LiteOptions, LiteStats, LiteTransport } from "./LiteOptions.ts"

export { DEFAULT_LITE_FUEL, GRANT_SLOTS, type LiteOptions, type LiteStats, type LiteTransport } from "./LiteOptions.ts"

/**
 * The worker pool. `workers` defaults to the machine's available parallelism. Processes are placed
 * on the worker with the fewest; a dead worker is replaced on the next placement. `transport`
 * (LiteTransport, default `message`) is how batches cross between the kernel thread and a worker.
 * Throws RangeError on a transport other than `message` or `ring`, RingShapeError on a bad `ringShape`.
 */
export class LitePool implements PoolHost {
  readonly size: number
  readonly transport: LiteTransport
  /** @internal Fenced messages in the kernel, by body (the kernel hands the same bytes on). */
  readonly fences = new WeakMap<Uint8Array, Fence>()
  readonly #workers: Array<PoolWorker | undefined>
  #closed = false

  readonly #ringShape: RingShape | undefined

  /** `ringShape` (tests): the shape of each link ring of the `ring` transport (default LINK_RING, internal/LiteLink.ts). */
  constructor(options: { readonly workers?: number; readonly transport?: LiteTransport; readonly ringShape?: RingShape } = {}) {
    this.size = Math.max(1, options.workers ?? availableParallelism())
    const transport: unknown = options.transport ?? "message"
    if (transport !== "message" && transport !== "ring") throw new RangeError(`LitePool: transport ${String(transport)} is not "message" or "ring"`)
    this.transport = transport
    if (options.ringShape !== undefined) checkShape(options.ringShape)
    this.#ringShape = options.ringShape
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

  /** Batches from workers lost to a corrupt ring record or a malformed batch, summed over live workers (`ring` transport). */
  linkErrors(): number {
    return this.#workers.reduce((n, w) => n + (w?.linkErrors ?? 0), 0)
  }

  /** @internal Live kernel-side worker handles (tests: ring counts, corrupting a ring). */
  poolWorkers(): PoolWorker[] {
    return this.#workers.flatMap((w) => (w === undefined || w.dead ? [] : [w]))
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
  place(p: HostedProcess, id: number): PoolWorker {
    if (this.#closed) throw new UserspaceExit({ process: "", kind: "worker", reason: "the light-guest pool is closed" })
    let best = -1
    for (let i = 0; i < this.size; i++) {
      const w = this.#workers[i]
      if (w === undefined || w.dead) {
        this.#workers[i] = new PoolWorker(i, (dead, reason) => this.#died(dead, reason), this.transport, this.#ringShape)
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
