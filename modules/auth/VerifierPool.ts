/**
 * Parallel secp256k1 verification: a pool of worker threads (about one per core) that verify
 * batches of signatures and put the valid ones into the auth machine's verification cache
 * (internal/Secp256k1.ts), so that the ante step, which still checks every signature, finds
 * them there instead of verifying on the block's thread.
 *
 * Verification is a pure function of (key, message, signature), and the cache only remembers
 * "valid", so what the pool does or fails to do can change how fast a tx is checked, never its
 * result: a signature the pool did not see, could not verify or verified invalid is verified
 * again by the ante step. Node plane; the determinism of the chain is untouched.
 *
 *   const pool = openVerifierPool()                 // threads: availableParallelism(), at most 8
 *   await pool.verify(await app.signatureChecks(txs))
 *   ... app.checkTx / finalizeBlock find the signatures cached ...
 *   await pool.close()
 *
 * Calls made in the same turn of the event loop are sent together (one message per worker), so
 * many concurrent CheckTx requests cost a few messages. Bounds: at most `maxQueued` checks wait
 * (default 65,536); past it a call resolves at once with `false` flags (the ante step verifies).
 * A worker that dies resolves its batches with `false`; the rest of the pool goes on.
 *
 * Source: cosmos-sdk x/auth/ante/sigverify.go (what is verified); the parallel pre-check is ours.
 */
import { hash } from "node:crypto"
import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"
import { Effect, type Scope } from "effect"
import type { SignatureCheck } from "../../chain/TxPipeline.ts"
import { isVerified, rememberVerified, verifierName } from "./internal/Secp256k1.ts"

/**
 * The secp256k1 verifier this process runs: "libsecp256k1" (the addon `npm install` builds from
 * the source vendored by the npm package secp256k1) or "node:crypto" (the fallback when the
 * addon is not built). `cyberkernel status` reports it.
 */
export { verifierName }

/** Options of {@link openVerifierPool}. */
export interface VerifierPoolOptions {
  /** Worker threads (default: availableParallelism(), at most 8; at least 1). */
  readonly threads?: number
  /** The verifier the workers use (default: the node thread's, `verifierName()`). */
  readonly verifier?: "libsecp256k1" | "node:crypto"
  /** Most checks waiting for a worker (default 65,536). */
  readonly maxQueued?: number
}

/** A running pool. */
export interface VerifierPool {
  readonly threads: number
  readonly verifier: "libsecp256k1" | "node:crypto"
  /**
   * Verify `checks` on the workers; valid ones enter the verification cache. Resolves with one
   * flag per check: true when valid (or already cached), false when invalid, not verified
   * (queue full, worker lost, pool closed) or of another scheme. Never rejects.
   */
  verify(checks: ReadonlyArray<SignatureCheck>): Promise<ReadonlyArray<boolean>>
  /** Counters: checks sent to workers, found cached, refused for a full queue. */
  stats(): { readonly sent: number; readonly cached: number; readonly dropped: number }
  /** Stop the workers; pending calls resolve with false flags. Idempotent. */
  close(): Promise<void>
}

interface Job {
  readonly checks: ReadonlyArray<SignatureCheck>
  readonly digests: ReadonlyArray<Uint8Array>
  readonly flags: boolean[]
  remaining: number
  readonly resolve: (flags: ReadonlyArray<boolean>) => void
}

interface Slot { readonly job: Job; readonly index: number }
interface Lane { readonly worker: Worker; readonly inflight: Map<number, ReadonlyArray<Slot>>; alive: boolean }

const MIN_CHUNK = 16

/** Start a pool (see the module docs). Workers are unref'd: an open pool does not keep the process alive. */
export const openVerifierPool = (opts: VerifierPoolOptions = {}): VerifierPool => {
  const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), 8))
  const verifier = opts.verifier ?? verifierName()
  const maxQueued = opts.maxQueued ?? 65_536
  const counters = { sent: 0, cached: 0, dropped: 0 }
  let queued: Slot[] = []
  let flushScheduled = false
  let nextId = 1
  let closed = false

  const settle = (slot: Slot, ok: boolean) => {
    const { job } = slot
    job.flags[slot.index] = ok
    if (ok) {
      const c = job.checks[slot.index]!
      rememberVerified(c.pubkey, job.digests[slot.index]!, c.signature)
    }
    if (--job.remaining === 0) job.resolve(job.flags)
  }

  const lanes: Lane[] = Array.from({ length: threads }, () => {
    const worker = new Worker(new URL("./internal/verifierWorker.ts", import.meta.url), { workerData: { verifier } })
    worker.unref()
    const lane: Lane = { worker, inflight: new Map(), alive: true }
    worker.on("message", (m: { id: number; ok: Uint8Array }) => {
      const slots = lane.inflight.get(m.id)
      if (!slots) return
      lane.inflight.delete(m.id)
      slots.forEach((s, i) => settle(s, m.ok[i] === 1))
    })
    const lose = () => {
      if (!lane.alive) return
      lane.alive = false
      for (const slots of lane.inflight.values()) for (const s of slots) settle(s, false)
      lane.inflight.clear()
    }
    worker.on("error", lose)
    worker.on("exit", lose)
    return lane
  })

  const send = (lane: Lane, slots: ReadonlyArray<Slot>) => {
    const n = slots.length
    const keys = new Uint8Array(33 * n)
    const sigs = new Uint8Array(64 * n)
    const digests = new Uint8Array(32 * n)
    const offsets = new Uint32Array(n + 1)
    let total = 0
    slots.forEach((s, i) => {
      const c = s.job.checks[s.index]!
      keys.set(c.pubkey, 33 * i)
      sigs.set(c.signature, 64 * i)
      digests.set(s.job.digests[s.index]!, 32 * i)
      offsets[i] = total
      total += c.message.length
    })
    offsets[n] = total
    const messages = new Uint8Array(total)
    slots.forEach((s, i) => messages.set(s.job.checks[s.index]!.message, offsets[i]!))
    const id = nextId++
    lane.inflight.set(id, slots)
    counters.sent += n
    lane.worker.postMessage({ id, count: n, keys, sigs, digests, messages, offsets }, [keys.buffer, sigs.buffer, digests.buffer, messages.buffer, offsets.buffer])
  }

  const flush = () => {
    flushScheduled = false
    const slots = queued
    queued = []
    const live = lanes.filter((l) => l.alive).sort((a, b) => a.inflight.size - b.inflight.size)
    if (live.length === 0) {
      for (const s of slots) settle(s, false)
      return
    }
    const chunks = Math.min(live.length, Math.max(1, Math.ceil(slots.length / MIN_CHUNK)))
    const size = Math.ceil(slots.length / chunks)
    for (let c = 0; c < chunks; c++) send(live[c]!, slots.slice(c * size, (c + 1) * size))
  }

  return {
    threads,
    verifier,
    stats: () => ({ ...counters }),
    verify: (checks) =>
      new Promise((resolve) => {
        const flags = checks.map(() => false)
        const digests = checks.map((c) => c.digest ?? (hash("sha256", c.message, "buffer") as Uint8Array))
        const todo: number[] = []
        checks.forEach((c, i) => {
          if (c.scheme !== "secp256k1") return
          if (isVerified(c.pubkey, digests[i]!, c.signature)) {
            flags[i] = true
            counters.cached++
          } else todo.push(i)
        })
        if (todo.length === 0 || closed) return resolve(flags)
        if (queued.length + todo.length > maxQueued) {
          counters.dropped += todo.length
          return resolve(flags)
        }
        const job: Job = { checks, digests, flags, remaining: todo.length, resolve }
        for (const index of todo) queued.push({ job, index })
        if (!flushScheduled) {
          flushScheduled = true
          setImmediate(flush)
        }
      }),
    close: async () => {
      if (closed) return
      closed = true
      for (const s of queued) settle(s, false)
      queued = []
      await Promise.all(lanes.map((l) => l.worker.terminate()))
    }
  }
}

/** {@link openVerifierPool} in a scope: closed when the scope closes. */
export const verifierPool = (opts: VerifierPoolOptions = {}): Effect.Effect<VerifierPool, never, Scope.Scope> =>
  Effect.acquireRelease(Effect.sync(() => openVerifierPool(opts)), (p) => Effect.promise(() => p.close()))
