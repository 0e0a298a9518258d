/**
 * The protocol between the kernel thread and the worker thread that runs one userspace
 * component. Messages travel on a MessageChannel; the worker reads its side synchronously
 * (`receiveMessageOnPort`) and sleeps with `Atomics.wait` on a shared signal word, so WIT calls
 * that block (`receive`, `send-and-await-response`, and host calls needing the kernel's answer)
 * block the component for real, as Hyperware's processes do.
 *
 * Shared words (Int32Array over a SharedArrayBuffer):
 * - SIGNAL: bumped by the kernel thread after each post to the worker (Atomics.notify);
 * - BUSY: 1 while guest code runs (not blocked in the host), read by the CPU watchdog;
 * - EPOCH: bumped each time guest code starts a run, so the watchdog sees one run's length.
 */
import type { MessagePort } from "node:worker_threads"

export const SIGNAL = 0
export const BUSY = 1
export const EPOCH = 2
export const WORDS = 4

/** WIT values on the wire (structured clone): addresses, messages, blobs, as jco shapes them. */
export type Wire = unknown

/** Kernel thread → worker. */
export type ToWorker =
  | { readonly t: "deliver"; readonly source: Wire; readonly message: Wire; readonly blob: Wire }
  | { readonly t: "send-error"; readonly error: Wire; readonly context: Uint8Array | undefined }
  | { readonly t: "ret"; readonly ok: boolean; readonly value: Wire }

/** Worker → kernel thread. `call` expects a `ret`; the others are fire-and-forget. */
export type FromWorker =
  | { readonly t: "ready" }
  | { readonly t: "idle" }
  | { readonly t: "call"; readonly fn: string; readonly args: ReadonlyArray<Wire> }
  | { readonly t: "post"; readonly fn: string; readonly args: ReadonlyArray<Wire> }
  | { readonly t: "returned" }
  | { readonly t: "failed"; readonly reason: string }
  /** Several of the above, in order (the worker batches fire-and-forget calls). */
  | { readonly t: "batch"; readonly items: ReadonlyArray<FromWorker> }

/** What the worker is started with (workerData). */
export interface WorkerInit {
  readonly modulePath: string
  readonly modules: Readonly<Record<string, WebAssembly.Module>>
  readonly port: MessagePort
  readonly shared: SharedArrayBuffer
  readonly our: string
  /** The Wasm memory cap the program was compiled with, in 64 KiB pages. */
  readonly maxPages: number
}
