/**
 * The run loop: a ready queue of processes with mail, pumped from one microtask (one process
 * gets up to SLICE messages per turn), yielding to the macrotask queue every YIELD_EVERY
 * deliveries so that timers and I/O run under a flood. Delivery hands one envelope to the
 * process's handler; a handler's promise makes the process busy until it settles. Plain
 * synchronous code: no Effect, no per-message closure or timer.
 *
 * Source: Hyperware kernel/src/kernel/process.rs (one message at a time per process).
 */
import { type Entry, type Envelope, REQUEST, RESPONSE, RUNNING } from "./Entry.ts"
import { RingQueue } from "./RingQueue.ts"

/** Messages one process gets per turn before the next ready process runs. */
const SLICE = 64
/** Deliveries between yields to the macrotask queue (timers, I/O) under a flood. */
const YIELD_EVERY = 16384

/** Whether `r` is a promise-like (a handler's result the kernel must wait for). */
export const isThenable = (r: unknown): r is PromiseLike<unknown> =>
  r !== undefined && r !== null && typeof (r as PromiseLike<unknown>).then === "function"

/** The ready queue and the pump that delivers mail to ready processes. */
export class Scheduler {
  /** Messages handed to handlers. */
  delivered = 0
  readonly #ready = new RingQueue<Entry>(64)
  #pumpQueued = false
  #pumping = false
  #sinceYield = 0
  readonly #crash: (e: Entry, err: unknown) => void

  /** `crash` is called when a handler throws or its promise rejects (the lifecycle's crash). */
  constructor(crash: (e: Entry, err: unknown) => void) {
    this.#crash = crash
  }

  /** Schedule `e` if it is running, idle, not yet scheduled (it has mail). */
  wakeUp(e: Entry): void {
    if (!e.scheduled && !e.busy && e.state === RUNNING) this.schedule(e)
  }

  /** Put `e` on the ready queue and queue the pump if it is not running. */
  schedule(e: Entry): void {
    e.scheduled = true
    this.#ready.push(e)
    if (!this.#pumpQueued && !this.#pumping) {
      this.#pumpQueued = true
      queueMicrotask(this.#pump)
    }
  }

  readonly #pump = (): void => {
    this.#pumpQueued = false
    this.#pumping = true
    const ready = this.#ready
    for (let e = ready.shift(); e !== undefined; e = ready.shift()) {
      e.scheduled = false
      let n = 0
      while (e.state === RUNNING && !e.busy && e.mailbox.length > 0 && n < SLICE) {
        this.#deliver(e)
        n++
      }
      if (e.state === RUNNING && !e.busy && e.mailbox.length > 0 && !e.scheduled) {
        e.scheduled = true
        ready.push(e)
      }
      this.delivered += n
      this.#sinceYield += n
      if (this.#sinceYield >= YIELD_EVERY) {
        // Let timers and I/O run: continue from the macrotask queue.
        this.#sinceYield = 0
        this.#pumping = false
        if (ready.length > 0) {
          this.#pumpQueued = true
          setImmediate(this.#pump)
        }
        return
      }
    }
    this.#pumping = false
  }

  /** Hand the first envelope of `e`'s mailbox to its handler; admit one blocked send. */
  #deliver(e: Entry): void {
    const env = e.mailbox.shift()!
    if (e.blocked.length > 0) {
      const w = e.blocked.shift()!
      w.blocked = false
      w.sender.blockedSends--
      e.mailbox.push(w)
      const wake = w.wake
      if (wake !== undefined) {
        w.wake = w.fail = undefined
        wake()
      }
    }
    const p = e.process
    let r: unknown
    try {
      switch (env.kind) {
        case REQUEST:
          e.current = env
          if (p.onRequest !== undefined) r = p.onRequest(e.ctx, env.source, env.request!, env.blob)
          break
        case RESPONSE:
          if (p.onResponse !== undefined) r = p.onResponse(e.ctx, env.source, env.response!, env.context, env.blob)
          break
        default:
          if (p.onSendError !== undefined) r = p.onSendError(e.ctx, env.error!, env.context)
      }
    } catch (err) {
      this.#crash(e, err)
      return
    }
    if (r === undefined || !isThenable(r)) {
      if (e.current === env) e.current = undefined
      return
    }
    this.wait(e, e.generation, r, env)
  }

  /**
   * Make `e` busy until `r` (its handler's or init's promise) settles: then deliver its next
   * mail; a rejection crashes it. A settlement once `e.generation` is no longer `gen` (after a
   * kill or crash) is ignored.
   */
  wait(e: Entry, gen: number, r: PromiseLike<unknown>, env: Envelope | undefined): void {
    e.busy = true
    r.then(
      () => this.#settled(e, gen, env),
      (err: unknown) => {
        if (e.generation === gen) this.#crash(e, err)
      }
    )
  }

  #settled(e: Entry, gen: number, env: Envelope | undefined): void {
    if (e.generation !== gen) return
    e.busy = false
    if (env !== undefined && e.current === env) e.current = undefined
    if (e.state === RUNNING && e.mailbox.length > 0 && !e.scheduled) this.schedule(e)
  }
}
