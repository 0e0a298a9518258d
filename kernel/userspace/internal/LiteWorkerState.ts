/**
 * The state of a light-guest worker (LiteWorker.ts) shared by its modules: instances, in-worker
 * queues, outstanding in-worker requests and their deadlines, the batch going to the kernel
 * thread, and the limits. Split out of LiteWorker.ts; no behaviour of its own.
 */
import { workerData } from "node:worker_threads"
import type { FromLite, LiteOp, WireCap } from "./LiteProtocol.ts"
import type { LiteRoot } from "./LiteAbi.ts"

/** The exports as jco's glue gives them (message kind as its WIT name). */
export interface Root {
  init(our: string): void
  handle(source: string, kind: string, body: Uint8Array, context: Uint8Array, caps: Array<{ issuer: string; params: string }>): void
}

/** jco's `instantiate` of a transpiled program. */
export type Instantiate = (
  getCoreModule: (name: string) => WebAssembly.Module,
  imports: object,
  instantiateCore: (m: WebAssembly.Module, i?: WebAssembly.Imports) => WebAssembly.Instance
) => Promise<Root>

/** A program loaded on this worker. */
export interface LoadedProgram {
  readonly instantiate: Instantiate
  readonly modules: Readonly<Record<string, WebAssembly.Module>>
  readonly maxPages: number
  /** The main core module, when it imports only the process-lite host: bound directly (LiteAbi.ts), not through jco's glue. */
  readonly main: WebAssembly.Module | undefined
}

/** What the instance is handling: a kernel delivery (with its source) or an in-worker message. */
export interface Handling {
  /** Delivered by the kernel thread (its capabilities are the ones save-capabilities may keep). */
  readonly kernel: boolean
  /** A kernel request: send-response goes to the kernel. */
  readonly request: boolean
  readonly source: string
  /** In-worker request awaiting this instance's answer (0: none, or answered). */
  rid: number
}

/** One process-lite instance on this worker. */
export interface Instance {
  readonly id: number
  readonly our: string
  readonly root: LiteRoot
  readonly gas: WebAssembly.Global
  readonly depth: WebAssembly.Global
  readonly memory: WebAssembly.Memory
  readonly maxPages: number
  readonly fuel: number
  state: Uint8Array | undefined
  cpuMs: number
  handling: Handling | undefined
  /** Routes the kernel granted: target address -> grant-table slot and generation. */
  readonly grants: Map<string, { readonly slot: number; readonly gen: number }>
  /** Messages to a target of this worker on their way through the kernel (the fence). */
  readonly slowOut: Map<string, number>
  /** Messages to a target queued in the worker and not yet handled. */
  readonly fastQueued: Map<string, number>
  /** In-worker messages (and kernel-bound ops) to a target waiting for the pair's fence to open, in send order. */
  readonly waiting: Map<string, Local[]>
  /** In-worker requests this instance awaits answers to. */
  localOut: number
  /** In-worker messages queued for this instance. */
  inbox: number
  /** Totals of in-worker messages since the last `stats` report. */
  acc: { cpuMs: number; fuel: number; received: number; sent: number } | undefined
}

/** An in-worker request awaiting its answer; also its deadline's entry. */
export interface Outstanding {
  readonly rid: number
  readonly from: number
  readonly to: number
  readonly target: string
  readonly body: Uint8Array
  readonly context: Uint8Array
  readonly deadline: number
  /** Answered (the answer is queued to the requester): no longer times out or fails. */
  answered: boolean
}

/** An in-worker message: request, response, failure (offline/timeout), or a kernel-bound op held for order. */
export type Local =
  | { readonly k: 0; readonly to: number; readonly from: number; readonly key: string; readonly source: string; readonly body: Uint8Array; readonly rid: number }
  | { readonly k: 1; readonly to: number; readonly from: number; readonly key: string; readonly source: string; readonly body: Uint8Array; readonly context: Uint8Array; readonly caps: ReadonlyArray<WireCap>; readonly rid: number }
  | { readonly k: 2 | 3; readonly to: number; readonly from: number; readonly source: string; readonly body: Uint8Array; readonly context: Uint8Array; readonly caps: ReadonlyArray<WireCap> }
  | { readonly k: 4; readonly from: number; readonly target: string; readonly op: FromLite }

/** The grant table shared with the kernel thread (LitePoolWorker.ts): slot -> generation of the route it holds (0: none). */
export const grantTable = new Int32Array((workerData as { grants?: SharedArrayBuffer } | undefined)?.grants ?? new SharedArrayBuffer(4))
/** Loaded programs by key. */
export const programs = new Map<string, Promise<LoadedProgram>>()
/** Live instances by id. */
export const instances = new Map<number, Instance>()
/** Address (text form) -> instance id, for every instance on this worker. */
export const routes = new Map<string, number>()
/** In-worker messages in order (from `S.localHead` on). */
export const local: Local[] = []
/** In-worker requests awaiting answers, by request id. */
export const outstanding = new Map<number, Outstanding>()
/** Deadlines by timeout length: within one length they expire in send order. */
export const deadlines = new Map<number, Outstanding[]>()
/** Instances with in-worker totals not yet reported. */
export const dirty = new Set<Instance>()

/** Capabilities as the guest gives them, in wire form. */
export const caps = (list: ReadonlyArray<{ issuer: string; params: string }>): WireCap[] => list.map((c) => [c.issuer, c.params] as const)

/**
 * Bounds on what one call may hand the kernel: a guest looping on send-request within its fuel
 * could otherwise fill this worker's heap and take its neighbours down. Past either bound the
 * host call throws, which ends only the calling instance (kind `trap`).
 */
export const MAX_OPS_PER_CALL = 10_000
export const MAX_OP_BYTES_PER_CALL = 16 * 1024 * 1024
/** In-worker messages one instance may have queued (the kernel's default mailbox bound is 1,024 plus 1,024 blocked sends per sender); past it a send fails `offline`. */
export const MAX_LOCAL_INBOX = 65_536
/** In-worker requests one instance may await (the kernel's default maxOutstanding). */
export const MAX_LOCAL_OUTSTANDING = 65_536
/** In-worker messages handled before the worker looks at the kernel's next batch (fairness). */
export const LOCAL_SLICE = 4096

/** Mutable scalars of the worker (one object, so every module sees the same values). */
export const S = {
  /** Ops and reports for the kernel thread, flushed as one batch. */
  out: [] as FromLite[],
  /** Index of the next item of `local` to run. */
  localHead: 0,
  timer: undefined as ReturnType<typeof setTimeout> | undefined,
  timerAt: Infinity,
  /** Settled requests since the deadline queues were last compacted. */
  settledSince: 0,
  nextRid: 1,
  pumping: false,
  /** Host calls and their bytes in the call being run (MAX_OPS_PER_CALL). */
  callOps: 0,
  callBytes: 0,
  /** Kernel batches lost to a corrupt ring record or a malformed batch (`ring` transport). */
  linkErrors: 0,
  /** Start the pump if it is idle (set by LiteWorker.ts). */
  wake: (): void => undefined
}

/** Add `by` to the count at `key` (removed at 0). */
export const bump = (m: Map<string, number>, key: string, by: number): void => {
  const n = (m.get(key) ?? 0) + by
  if (n <= 0) m.delete(key)
  else m.set(key, n)
}

/** The in-worker totals of `i` since its last report (marks it for the next flush). */
export const accOf = (i: Instance) => {
  if (i.acc === undefined) i.acc = { cpuMs: 0, fuel: 0, received: 0, sent: 0 }
  dirty.add(i)
  return i.acc
}

/** An empty byte array. */
export const EMPTY = new Uint8Array(0)

/** Queue a `stats` report of `i`'s in-worker totals for the kernel thread. */
export const reportStats = (i: Instance): void => {
  const a = i.acc!
  i.acc = undefined
  S.out.push({ t: "stats", id: i.id, cpuMs: a.cpuMs, fuel: a.fuel, memoryBytes: i.memory.buffer.byteLength, received: a.received, sent: a.sent })
}
