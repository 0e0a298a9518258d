/**
 * The `timer:distro:sys` runtime module: `{"op":"set-timer","ms":N}` is answered `{"ok":{"ms":N}}`
 * when N ms have passed. All timers live in one min-heap (the kernel's TimerHeap) with one host
 * timer armed for the earliest: no task per timer. The requester's `expectsResponse` must exceed
 * N or its request times out first (the late answer is then dropped and counted by the kernel).
 *
 * Source: Hyperware's timer runtime module (hyperware-ai/hyperware kernel/src/timer.rs).
 */
import { Schema } from "effect"
import { response } from "../kernel/Message.ts"
import type { NativeProcess, PendingRequest, ProcessContext } from "../kernel/Process.ts"
import { TimerHeap, type TimerEntry } from "../kernel/internal/TimerHeap.ts"
import { answer, DEFER, jsonModule } from "./Module.ts"

/** Timer requests. `ms`: 0..2^32-1. */
export const TimerRequest = Schema.Struct({
  op: Schema.Literal("set-timer"),
  ms: Schema.Number.check(Schema.isInt(), Schema.isBetween({ minimum: 0, maximum: 0xffff_ffff }))
})

class Pop implements TimerEntry {
  readonly deadline: number
  readonly id: number
  cancelled = false
  readonly ctx: ProcessContext
  readonly pending: PendingRequest
  readonly ms: number
  constructor(deadline: number, id: number, ctx: ProcessContext, pending: PendingRequest, ms: number) {
    this.deadline = deadline
    this.id = id
    this.ctx = ctx
    this.pending = pending
    this.ms = ms
  }
}

/** The timer module; `now` is its clock (ms, default performance.now). */
export const timerModule = (now: () => number = () => performance.now()): NativeProcess => {
  let next = 1
  const heap = new TimerHeap<Pop>((p) => p.ctx.respondTo(p.pending, response(answer({ ok: { ms: p.ms } }))), now)
  return jsonModule(
    TimerRequest,
    ({ ctx, req }) => {
      const pending = ctx.pending()
      if (pending === undefined) return undefined
      heap.push(new Pop(now() + req.ms, next++, ctx, pending, req.ms))
      return DEFER
    },
    { terminate: () => heap.close() }
  )
}
