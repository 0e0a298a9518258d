/**
 * Public options, stats and limits of light-guest processes (LitePool.ts); in a module of their
 * own so the pool's internal modules use them without importing the pool.
 */
import type { Address } from "../Address.ts"

/** Default fuel of one `init` or `handle` call, in metering points (modules/cyberwasm/instrument/CostTable.ts); the example's `ping` uses about 11,000, and a tight loop runs out in about 80 ms on the development machine. */
export const DEFAULT_LITE_FUEL = 2_000_000_000

/** Slots of a worker's grant table: in-worker routes granted at once (past it, pairs go through the kernel). */
export const GRANT_SLOTS = 65_536

/**
 * How batches cross between the kernel thread and a pool worker (`new LitePool({ transport })`):
 * `message`, one transferred postMessage per batch; `ring`, copied through a pair of
 * shared-memory rings (internal/LiteLink.ts), with postMessage kept for batches the ring cannot
 * take (cloned items, over 1 MiB, ring full) and order kept across both.
 */
export type LiteTransport = "message" | "ring"

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
