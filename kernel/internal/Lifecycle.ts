/**
 * Process lifecycle: start (init), crash with on-exit (restart with exponential backoff, send
 * the on-exit requests, or remove), and removal (kill): the entry dies, leaves the table, its
 * pending messages fail offline, and the capabilities it issued are revoked.
 *
 * Source: Hyperware kernel/src/kernel/mod.rs and process.rs (OnExit None / Restart / Requests;
 * KillProcess runs no on-exit).
 */
import type { ProcessId } from "../Address.ts"
import type { CapabilityTable } from "./CapabilityTable.ts"
import type { Delivery } from "./Delivery.ts"
import { DEAD, type Entry, RESTARTING, RUNNING } from "./Entry.ts"
import type { ProcessTable } from "./ProcessTable.ts"
import { isThenable, type Scheduler } from "./Scheduler.ts"

/** Lifecycle settings (see KernelOptions). */
export interface LifecycleOptions {
  readonly now: () => number
  readonly onCrash: ((process: ProcessId, error: unknown) => void) | undefined
  readonly restartStableMs: number
  readonly setTimer: (fn: () => void, ms: number) => unknown
  readonly clearTimer: (handle: unknown) => void
  readonly revokeOnExit: boolean
}

/** Starts, crashes, restarts and removes the processes of one kernel. */
export class Lifecycle {
  /** Handler crashes. */
  crashes = 0
  readonly #processes: ProcessTable
  readonly #caps: CapabilityTable
  readonly #scheduler: Scheduler
  readonly #delivery: Delivery
  readonly #o: LifecycleOptions

  constructor(processes: ProcessTable, caps: CapabilityTable, scheduler: Scheduler, delivery: Delivery, options: LifecycleOptions) {
    this.#processes = processes
    this.#caps = caps
    this.#scheduler = scheduler
    this.#delivery = delivery
    this.#o = options
  }

  /** Run `e` (state RUNNING) and call its `init`; then deliver its queued mail. */
  start(e: Entry): void {
    e.state = RUNNING
    e.restartTimer = undefined
    e.startedAt = this.#o.now()
    const init = e.process.init
    if (init !== undefined) {
      const gen = e.generation
      let r: unknown
      try {
        r = init.call(e.process, e.ctx)
      } catch (err) {
        this.crash(e, err)
        return
      }
      if (isThenable(r)) {
        this.#scheduler.wait(e, gen, r, undefined)
        return
      }
    }
    if (e.mailbox.length > 0) this.#scheduler.wakeUp(e)
  }

  /**
   * A handler of `e` threw or rejected: count it, call onCrash, then run its on-exit: restart
   * after `min(maxMs, initialMs·2^n)` ms (n reset after restartStableMs of uptime), or send the
   * on-exit requests (no response expected) and remove it, or remove it.
   */
  crash(e: Entry, err: unknown): void {
    if (e.state === DEAD) return
    this.crashes++
    try {
      this.#o.onCrash?.(e.id, err)
    } catch {
      // a failing crash hook cannot stop the on-exit
    }
    const onExit = e.onExit
    e.generation++
    e.busy = false
    e.current = undefined
    if (onExit.tag === "restart") {
      e.state = RESTARTING
      // Stable uptime resets the backoff (a fixed threshold: see KernelOptions.restartStableMs).
      if (this.#o.now() - e.startedAt >= this.#o.restartStableMs) e.restarts = 0
      const delay = Math.min(onExit.val.maxMs, onExit.val.initialMs * 2 ** Math.min(e.restarts, 30))
      e.restarts++
      e.restartTimer = this.#o.setTimer(() => {
        if (e.state === RESTARTING) this.start(e)
      }, delay)
      return
    }
    if (onExit.tag === "requests") {
      for (const [target, req, blob] of onExit.val) {
        const { expectsResponse: _drop, ...rest } = req
        try {
          const r = this.#delivery.send(e, target, rest, undefined, blob)
          if (r !== undefined) r.catch(() => undefined)
        } catch {
          // an on-exit request that cannot be sent is dropped, as Hyperware does
        }
      }
    }
    this.remove(e)
  }

  /** Kill `e` (no on-exit): it dies, leaves the table, its mail fails offline, then `terminate`. */
  remove(e: Entry): void {
    if (e.state === DEAD) return
    e.state = DEAD
    e.generation++
    e.current = undefined
    if (e.restartTimer !== undefined) this.#o.clearTimer(e.restartTimer)
    e.restartTimer = undefined
    this.#processes.unlink(e)
    if (this.#o.revokeOnExit) this.#caps.revokeIssuedBy(e)
    this.#delivery.disconnect(e)
    try {
      e.process.terminate?.()
    } catch {
      // a failing terminate cannot stop the kill
    }
  }
}
