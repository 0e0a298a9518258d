/**
 * Per-process measures of userspace processes, for `cyberkernel ps` and the node's `processes`
 * RPC method (docs/userspace.md "Observability"). Both hosts report them: a light process
 * (LitePool.ts) from its pool worker's per-call figures, a JavaScript process
 * (UserspaceProcess.ts) from its own worker thread; the kernel adds the mailbox depth.
 *
 * Source: issue 16 ("Observability"); Hyperware has no equivalent, `top`/`ps` are the model.
 */
import { formatProcessId, type ProcessId } from "../Address.ts"
import type { KernelApi } from "../KernelApi.ts"
import type { NativeProcess } from "../Process.ts"

/** What a userspace host measures of one of its processes. */
export interface ProcessMeasures {
  /** `light` (process-lite on the pool) or `javascript` (process-v1, own worker). */
  readonly host: "light" | "javascript"
  /** Pool worker index (light), or the worker's thread id (javascript); -1 when not running. */
  readonly worker: number
  /**
   * CPU time, ms, all runs: the wall time its worker spent on its calls. Light: each `init` and
   * `handle` call, timed on the worker. JavaScript: from a delivery (or init) until the guest
   * waits in `receive` again, timed on the kernel thread (so it includes host calls it waits on).
   */
  readonly cpuMs: number
  /** Memory, bytes: light, its linear memory; javascript, its worker's V8 heap in use plus external memory (Wasm memories). */
  readonly memoryBytes: number
  /** Messages handed to it (requests, responses, send errors), all runs. */
  readonly received: number
  /** Requests and responses it sent, all runs. */
  readonly sent: number
  /** Messages handed to its worker and not yet handled. */
  readonly inFlight: number
}

/** A NativeProcess that reports ProcessMeasures. */
export interface MeasuredProcess extends NativeProcess {
  processStats(): Promise<ProcessMeasures>
}

/** One row of `cyberkernel ps`. */
export interface ProcessStats extends ProcessMeasures {
  /** Process id text `process:package:publisher`. */
  readonly process: string
  /** Messages waiting in its kernel mailbox. */
  readonly mailbox: number
  /** Sends blocked on its full mailbox. */
  readonly blocked: number
}

/** Whether `p` reports ProcessMeasures. */
export const isMeasured = (p: NativeProcess): p is MeasuredProcess => typeof (p as Partial<MeasuredProcess>).processStats === "function"

/**
 * The stats of every process in `processes` that is still in `kernel` and measured, sorted by
 * process id text.
 */
export const collectProcessStats = async (kernel: KernelApi, processes: Iterable<readonly [ProcessId, NativeProcess]>): Promise<ProcessStats[]> => {
  const rows: ProcessStats[] = []
  for (const [id, p] of processes) {
    if (!isMeasured(p) || !kernel.has(id)) continue
    const m = await p.processStats()
    const box = kernel.mailbox(id)
    rows.push({ process: formatProcessId(id), ...m, mailbox: box.queued, blocked: box.blocked })
  }
  return rows.sort((a, b) => a.process.localeCompare(b.process))
}
