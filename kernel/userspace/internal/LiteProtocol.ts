/**
 * The protocol between the kernel thread and a light-guest worker (LiteWorker.ts), which hosts
 * many process instances. Both directions send arrays of items in one postMessage (a batch per
 * turn of the sender's event loop), so a burst of messages costs one thread hop, not one each.
 * Instances are named by a number the kernel side assigns (`id`).
 */

/** A capability on the wire: [issuer address text, params JSON]. */
export type WireCap = readonly [string, string]

/** Kernel thread → worker. */
export type ToLite =
  | { readonly t: "program"; readonly key: string; readonly modulePath: string; readonly modules: Readonly<Record<string, WebAssembly.Module>>; readonly maxPages: number }
  | { readonly t: "start"; readonly id: number; readonly program: string; readonly our: string; readonly state: Uint8Array | undefined; readonly fuel: number; readonly seq: number }
  | {
    readonly t: "deliver"
    readonly id: number
    readonly seq: number
    readonly source: string
    /** message-kind: 0 request, 1 response, 2 offline, 3 timeout. */
    readonly kind: number
    readonly body: Uint8Array
    readonly context: Uint8Array
    readonly caps: ReadonlyArray<WireCap>
    /**
     * Set when this message was sent through the kernel by a light process of this worker
     * (`sendRequest`/`sendResponse` ops with `fence`): that sender's fence on this target
     * opens (its count of kernel-routed messages to the target drops by one).
     */
    readonly fence?: { readonly from: number; readonly target: string }
    /** A response with capabilities to in-worker request `answers` (the kernel thread checked them); dropped if that request is settled. */
    readonly answers?: number
  }
  | { readonly t: "stop"; readonly id: number }
  /** A fenced message the kernel refused or failed before delivery: the fence opens. */
  | { readonly t: "release"; readonly from: number; readonly target: string }
  /**
   * Instance `from` may message `target` inside the worker while `grants[slot]` holds `gen`
   * (the shared grant table; the kernel thread zeroes the slot when the capability goes).
   */
  | { readonly t: "grant"; readonly from: number; readonly target: string; readonly slot: number; readonly gen: number }
  /** The kernel refused a response with capabilities to in-worker request `rid` (not held): it is dropped. */
  | { readonly t: "unanswer"; readonly rid: number; readonly from: number; readonly target: string }

/** Host calls a guest made, in order (fire-and-forget: none needs the kernel's answer). */
export type LiteOp =
  | { readonly fn: "print"; readonly verbosity: number; readonly message: string }
  | { readonly fn: "setState"; readonly bytes: Uint8Array }
  | { readonly fn: "clearState" }
  | { readonly fn: "saveCapabilities" | "dropCapabilities"; readonly caps: ReadonlyArray<WireCap> }
  | {
    readonly fn: "sendRequest"
    readonly target: string
    readonly body: Uint8Array
    readonly timeoutMs: number | undefined
    readonly context: Uint8Array
    readonly caps: ReadonlyArray<WireCap>
    /** The target is a process of this worker: the worker holds a fence on it until delivered. */
    readonly fence?: string
  }
  | { readonly fn: "sendResponse"; readonly body: Uint8Array; readonly caps: ReadonlyArray<WireCap>; readonly fence?: string }
  /**
   * A response with capabilities to in-worker request `rid` from instance `to`: the kernel thread
   * checks the responder holds them, then delivers it (`deliver` with `answers`) or sends `unanswer`.
   */
  | {
    readonly fn: "respondLocal"
    readonly rid: number
    readonly to: number
    readonly target: string
    readonly body: Uint8Array
    readonly context: Uint8Array
    readonly caps: ReadonlyArray<WireCap>
  }

/** Worker → kernel thread. */
export type FromLite =
  | { readonly t: "op"; readonly id: number; readonly op: LiteOp }
  /** A call (start or deliver `seq`) returned: its CPU time (ms), fuel used, memory now (bytes). */
  | { readonly t: "done"; readonly id: number; readonly seq: number; readonly cpuMs: number; readonly fuel: number; readonly memoryBytes: number }
  /** Totals of the messages an instance handled inside the worker since the last report. */
  | { readonly t: "stats"; readonly id: number; readonly cpuMs: number; readonly fuel: number; readonly memoryBytes: number; readonly received: number; readonly sent: number }
  /** The instance ended (and was dropped): `kind` as UserspaceExit's. */
  | { readonly t: "exit"; readonly id: number; readonly seq: number; readonly kind: "cpu" | "memory" | "trap"; readonly reason: string; readonly cpuMs: number }

/** Message kinds of process-lite's `message-kind` enum, in WIT order. */
export const KINDS = ["request", "response", "offline", "timeout"] as const
