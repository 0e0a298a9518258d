/**
 * In-worker routing of a light-guest worker (LiteWorker.ts): the in-worker queue, the per-pair
 * fences that keep order with messages going through the kernel, granted routes (checked in the
 * shared grant table before each send), and deadlines of in-worker requests. Split out of
 * LiteWorker.ts; no behaviour of its own.
 */
import type { FromLite, LiteOp } from "./LiteProtocol.ts"
import { accOf, bump, deadlines, grantTable, type Instance, instances, type Local, local, MAX_LOCAL_INBOX, MAX_LOCAL_OUTSTANDING, type Outstanding, outstanding, routes, S } from "./LiteWorkerState.ts"

/** Queue in-worker message `item` (it waits behind the pair's fence when closed). */
export const enqueue = (item: Local): void => {
  if (item.k === 4) return void local.push(item)
  const to = instances.get(item.to)
  if (to !== undefined) to.inbox++
  if (item.k === 0 || item.k === 1) {
    const from = instances.get(item.from)
    if (from !== undefined) {
      bump(from.fastQueued, item.key, 1)
      // The pair's earlier messages are still on their way through the kernel: wait for them.
      if (blocked(from, item.key)) return void waitFor(from, item.key, item)
    }
  }
  local.push(item)
}

/** Whether messages from `i` to `target` must wait (fence closed, or earlier ones waiting). */
export const blocked = (i: Instance, target: string): boolean => (i.slowOut.get(target) ?? 0) > 0 || i.waiting.has(target)

/** Hold `item` until the fence of `i` -> `target` opens. */
export const waitFor = (i: Instance, target: string, item: Local): void => {
  let w = i.waiting.get(target)
  if (w === undefined) i.waiting.set(target, (w = []))
  w.push(item)
}

/**
 * One message of the pair `i` -> `target` that went through the kernel was delivered or failed.
 * When none is left on its way, the waiting ones move on in order; a kernel-bound op among them
 * closes the fence again.
 */
export const openFence = (i: Instance, target: string): void => {
  bump(i.slowOut, target, -1)
  if ((i.slowOut.get(target) ?? 0) > 0) return
  const w = i.waiting.get(target)
  if (w === undefined) return
  let k = 0
  while (k < w.length) {
    const item = w[k++]!
    if (item.k === 4) {
      bump(i.slowOut, target, 1)
      local.push(item)
      break
    }
    local.push(item)
  }
  if (k === w.length) i.waiting.delete(target)
  else w.splice(0, k)
}

/**
 * A kernel-bound message to `target`: when `target` is on this worker the pair's fence closes
 * until the kernel delivers it, and when in-worker messages of the pair are still queued it
 * waits behind them, so the pair's order holds.
 */
export const toKernel = (i: Instance, target: string, op: LiteOp): void => {
  const fenced = routes.has(target)
  const m: FromLite = { t: "op", id: i.id, op: fenced ? { ...op, fence: target } as LiteOp : op }
  if (!fenced) return void S.out.push(m)
  if (i.waiting.has(target)) return waitFor(i, target, { k: 4, from: i.id, target, op: m })
  bump(i.slowOut, target, 1)
  if ((i.fastQueued.get(target) ?? 0) > 0) local.push({ k: 4, from: i.id, target, op: m })
  else S.out.push(m)
}


/** Try the in-worker route for a request; false: it goes through the kernel. */
export const sendLocal = (i: Instance, target: string, body: Uint8Array, timeoutMs: number | undefined, context: Uint8Array): boolean => {
  const to = routes.get(target)
  if (to === undefined) return false
  const g = i.grants.get(target)
  if (g === undefined || Atomics.load(grantTable, g.slot) !== g.gen) return false
  const dest = instances.get(to)!
  if (dest.inbox >= MAX_LOCAL_INBOX || (timeoutMs !== undefined && i.localOut >= MAX_LOCAL_OUTSTANDING)) {
    // the kernel's MailboxFull / TooManyOutstanding: refused at once, the sender gets `offline`
    enqueue({ k: 2, to: i.id, from: i.id, source: target, body, context, caps: [] })
    accOf(i).sent++
    return true
  }
  let rid = 0
  if (timeoutMs !== undefined) {
    rid = S.nextRid++
    const o: Outstanding = { rid, from: i.id, to, target, body, context, deadline: performance.now() + timeoutMs, answered: false }
    outstanding.set(rid, o)
    i.localOut++
    let q = deadlines.get(timeoutMs)
    if (q === undefined) deadlines.set(timeoutMs, (q = []))
    q.push(o)
    arm(o.deadline)
  }
  enqueue({ k: 0, to, from: i.id, key: target, source: i.our, body, rid })
  accOf(i).sent++
  return true
}

/** Settle in-worker request `o` (answered, timed out or failed): the requester no longer awaits it. */
export const settle = (o: Outstanding): void => {
  outstanding.delete(o.rid)
  const r = instances.get(o.from)
  if (r !== undefined) r.localOut--
  // Settled entries stay in their deadline queue until they reach its head: compact now and
  // then, so answered requests (and their bodies) are not held until their deadlines.
  if (++S.settledSince > 65_536 && S.settledSince > outstanding.size) {
    S.settledSince = 0
    for (const [ms, q] of deadlines) {
      const live = q.filter((x) => outstanding.has(x.rid))
      if (live.length === 0) deadlines.delete(ms)
      else deadlines.set(ms, live)
    }
  }
}

/** One timer for the earliest deadline. */
export const arm = (deadline: number): void => {
  if (deadline >= S.timerAt) return
  if (S.timer !== undefined) clearTimeout(S.timer)
  S.timerAt = deadline
  S.timer = setTimeout(expire, Math.max(0, Math.ceil(deadline - performance.now())))
}

/** The deadline timer fired: expired in-worker requests fail `timeout` to their requesters. */
export const expire = (): void => {
  S.timer = undefined
  S.timerAt = Infinity
  const now = performance.now()
  let next = Infinity
  for (const [ms, q] of deadlines) {
    let k = 0
    while (k < q.length && (q[k]!.deadline <= now || !outstanding.has(q[k]!.rid) || q[k]!.answered)) {
      const o = q[k++]!
      if (!outstanding.has(o.rid) || o.answered) continue
      settle(o)
      if (instances.has(o.from)) enqueue({ k: 3, to: o.from, from: o.to, source: o.target, body: o.body, context: o.context, caps: [] })
    }
    if (k > 0) q.splice(0, k)
    if (q.length === 0) deadlines.delete(ms)
    else next = Math.min(next, q[0]!.deadline)
  }
  if (next !== Infinity) arm(next)
  S.wake()
}

/** Undo the bookkeeping of an in-worker message that will not be handled. */
export const unqueue = (item: Local): void => {
  if (item.k === 4) {
    const from = instances.get(item.from)
    if (from !== undefined) bump(from.slowOut, item.target, -1)
    return
  }
  const to = instances.get(item.to)
  if (to !== undefined) to.inbox--
  if (item.k === 0 || item.k === 1) {
    const from = instances.get(item.from)
    if (from !== undefined) bump(from.fastQueued, item.key, -1)
  }
  if (item.k === 0 && item.rid !== 0) {
    const o = outstanding.get(item.rid)
    if (o !== undefined) settle(o)
  }
  if (item.k === 1) {
    // the answering call trapped: the request is unanswered again (drop fails it `offline`)
    const o = outstanding.get(item.rid)
    if (o !== undefined) o.answered = false
  }
}
