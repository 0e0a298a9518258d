/**
 * The kernel side of one light-guest worker thread (LitePool.ts): the processes placed on it,
 * the batch of messages posted to it this event-loop turn (one postMessage a turn), and its
 * shared grant table of in-worker routes. Split out of LitePool.ts; no behaviour of its own.
 */
import { Worker } from "node:worker_threads"
import { LINK_RING, LinkReceiver, LinkSender, type LinkShared, newLink } from "./LiteLink.ts"
import type { RingShape } from "./LiteRing.ts"
import type { ToLite } from "./LiteProtocol.ts"
import { type LiteBatch, packToLite, unpackFromLite } from "./LiteWire.ts"
import type { Capability } from "../../../capabilities/Capability.ts"
import type { Address } from "../../Address.ts"
import { GRANT_SLOTS } from "../LiteOptions.ts"
import type { LiteStats, LiteTransport } from "../LiteOptions.ts"
import type { LiteProgram } from "../LiteProgram.ts"
import type { FromLite } from "./LiteProtocol.ts"

const WORKER_URL = new URL("./LiteWorker.ts", import.meta.url)

/** What the pool and its worker need of a light process placed on a worker (LiteProcess.ts). */
export interface HostedProcess {
  readonly program: LiteProgram
  /** A batch item from the worker for this process. */
  onWorker(m: FromLite): void
  /** The worker hosting this process died. */
  workerLost(reason: string): void
  stats(): LiteStats
  /** The process at `target` ended: a route to it closes. */
  closeRouteTo(target: string): void
  /** Grant run `id` the in-worker route to `target` (the kernel admitted a request of the pair). */
  routeTo(id: number, target: string, address: Address, isPublic: boolean): void
  /** An in-worker response with capabilities (checked held by `source`) to in-worker request `rid`, delivered through the kernel thread. */
  answer(rid: number, source: Address, body: Uint8Array, context: Uint8Array, caps: ReadonlyArray<Capability>, fence: { readonly from: number; readonly target: string }): void
}

/** What a light process needs of its pool (LitePool.ts). */
export interface PoolHost {
  /** Fenced messages in the kernel, by body. */
  readonly fences: WeakMap<Uint8Array, Fence>
  /** Place run `id` of `p` on a worker; throws UserspaceExit (kind `worker`) when the pool is closed. */
  place(p: HostedProcess, id: number): PoolWorker
}

/** A message a light process sent through the kernel to a process of its own worker (LiteWorker.ts's fence). */
export interface Fence {
  readonly worker: PoolWorker
  /** The sender's instance id and process. */
  readonly from: number
  readonly sender: HostedProcess
  /** The target as the sender wrote it (the worker's key). */
  readonly target: string
  /** A request admitted without the sender holding the target's messaging capability: the target is public. */
  readonly public: boolean
  released: boolean
}

/** An in-worker route: its grant-table slot and generation; `tied` to the sender's messaging capability. */
export interface Route {
  readonly slot: number
  readonly gen: number
  readonly tied: boolean
}

/** What the worker gets in `workerData`: the grant table and, with the `ring` transport, its two link directions. */
export interface LiteWorkerData {
  readonly grants: SharedArrayBuffer
  readonly link?: { readonly toWorker: LinkShared; readonly fromWorker: LinkShared }
}

/** One worker thread of the pool (kernel side): its processes, its batched posts and its grant table. */
export class PoolWorker {
  readonly index: number
  readonly worker: Worker
  readonly programs = new Set<string>()
  readonly processes = new Map<number, HostedProcess>()
  /** The grant table shared with the worker: slot -> generation of the route it holds (0: none). */
  readonly grants = new Int32Array(new SharedArrayBuffer(GRANT_SLOTS * 4))
  readonly #free: number[] = Array.from({ length: GRANT_SLOTS }, (_, i) => GRANT_SLOTS - 1 - i)
  #gen = 0
  /** With the `ring` transport: the kernel -> worker sender and the worker -> kernel receiver. */
  readonly link: { readonly send: LinkSender; readonly receive: LinkReceiver<FromLite> } | undefined
  /** Batches from the worker lost to a corrupt ring record or a malformed batch (each ends the worker), and the last such error. */
  linkErrors = 0
  lastLinkError: Error | undefined
  #out: ToLite[] = []
  #scheduled = false
  dead = false

  /**
   * A worker thread whose batches cross by `transport` (LiteOptions.ts `LiteTransport`), with
   * link rings of `shape` (default LINK_RING). Throws RingShapeError on a bad shape.
   */
  constructor(index: number, onDeath: (w: PoolWorker, reason: string) => void, transport: LiteTransport = "message", shape: RingShape = LINK_RING) {
    this.index = index
    const shared = transport === "ring" ? { toWorker: newLink(shape), fromWorker: newLink(shape) } : undefined
    const data: LiteWorkerData = { grants: this.grants.buffer as SharedArrayBuffer, ...(shared !== undefined ? { link: shared } : {}) }
    this.worker = new Worker(WORKER_URL, { stdout: false, stderr: false, workerData: data })
    this.worker.unref()
    const dispatch = (items: FromLite[]): void => {
      for (const m of items) this.processes.get(m.id)?.onWorker(m)
    }
    if (shared !== undefined) {
      // A lost batch breaks the bookkeeping of the processes it carried (a `done` never comes), so
      // the worker is treated as faulty: its processes end with kind `worker` and restart under
      // their own on-exit policies on a fresh worker, as for any worker fault.
      const receive = new LinkReceiver(shared.fromWorker, unpackFromLite, dispatch, (e) => {
        this.linkErrors++
        this.lastLinkError = e
        died(`worker link: ${e.message}`)
        void this.worker.terminate()
      })
      const send = new LinkSender(shared.toWorker, (batch) => this.worker.postMessage(batch, [batch.buf]))
      this.link = { send, receive }
      this.worker.on("message", (batch: LiteBatch) => receive.posted(batch))
      receive.start()
    } else {
      this.link = undefined
      this.worker.on("message", (batch: LiteBatch) => dispatch(unpackFromLite(batch)))
    }
    const died = (reason: string): void => {
      this.link?.send.close()
      this.link?.receive.close()
      onDeath(this, reason)
    }
    this.worker.on("error", (e: Error) => died(e.message))
    this.worker.on("exit", (code) => died(`worker exited with code ${code}`))
  }

  post(m: ToLite): void {
    this.#out.push(m)
    if (!this.#scheduled) {
      this.#scheduled = true
      // the end of this event-loop turn: every message the kernel hands this worker meanwhile
      // (all the batches it took from the workers in this turn) goes in the same postMessage
      setImmediate(() => this.flush())
    }
  }

  /** Grant instance `from` the in-worker route to `target`; undefined when the table is full. */
  grant(from: number, target: string, tied: boolean): Route | undefined {
    const slot = this.#free.pop()
    if (slot === undefined) return undefined
    this.#gen = this.#gen >= 0x7fff_ffff ? 1 : this.#gen + 1
    Atomics.store(this.grants, slot, this.#gen)
    this.post({ t: "grant", from, target, slot, gen: this.#gen })
    return { slot, gen: this.#gen, tied }
  }

  /** Withdraw a route: the worker sees the zeroed slot before its next in-worker delivery. */
  revoke(r: Route): void {
    if (Atomics.compareExchange(this.grants, r.slot, r.gen, 0) === r.gen) this.#free.push(r.slot)
  }

  flush(): void {
    this.#scheduled = false
    if (this.#out.length === 0 || this.dead) return
    const batch = packToLite(this.#out)
    this.#out = []
    if (this.link !== undefined) this.link.send.send(batch)
    else this.worker.postMessage(batch, [batch.buf])
  }
}
