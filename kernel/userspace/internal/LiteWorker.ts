/**
 * A light-guest worker: hosts many process-lite instances (LiteProgram.ts) in one thread. Each
 * instance is its own component instance (own linear memory, own imports bound to its process),
 * driven by exported `init` / `handle` calls that never block. Before each call the instance's
 * fuel is reset; a call that runs out of fuel, grows past its memory cap or traps ends only that
 * instance (reported as `exit`), and the worker goes on with the next item.
 *
 * In-worker routing: a request from one instance here to another here goes straight to the
 * target's `handle`, without the kernel thread, when the kernel granted the pair a route (a slot
 * of the shared grant table it zeroes when the capability goes), no message of the pair is on
 * its way through the kernel (the fence, which keeps per-pair order), and the request carries no
 * capabilities. Answers, timeouts (the request's deadline) and `offline` (the target trapped)
 * come back the same way. Messages handled here are metered like any other and reported in
 * `stats`. See LitePool.ts for the kernel side.
 */
import { parentPort, workerData } from "node:worker_threads"
import { instantiateLite, LITE_HOST_MODULE, type LiteRoot } from "./LiteAbi.ts"
import type { FromLite, LiteOp, ToLite, WireCap } from "./LiteProtocol.ts"
import { KINDS } from "./LiteProtocol.ts"
import { type LiteBatch, packFromLite, unpackToLite } from "./LiteWire.ts"

/** The exports as jco's glue gives them (message kind as its WIT name). */
interface Root {
  init(our: string): void
  handle(source: string, kind: string, body: Uint8Array, context: Uint8Array, caps: Array<{ issuer: string; params: string }>): void
}

type Instantiate = (
  getCoreModule: (name: string) => WebAssembly.Module,
  imports: object,
  instantiateCore: (m: WebAssembly.Module, i?: WebAssembly.Imports) => WebAssembly.Instance
) => Promise<Root>

interface LoadedProgram {
  readonly instantiate: Instantiate
  readonly modules: Readonly<Record<string, WebAssembly.Module>>
  readonly maxPages: number
  /** The main core module, when it imports only the process-lite host: bound directly (LiteAbi.ts), not through jco's glue. */
  readonly main: WebAssembly.Module | undefined
}

const directMain = (modules: Readonly<Record<string, WebAssembly.Module>>): WebAssembly.Module | undefined => {
  for (const m of Object.values(modules)) {
    if (!WebAssembly.Module.exports(m).some((e) => e.name === "handle")) continue
    return WebAssembly.Module.imports(m).every((i) => i.module === LITE_HOST_MODULE && i.kind === "function") ? m : undefined
  }
  return undefined
}

/** What the instance is handling: a kernel delivery (with its source) or an in-worker message. */
interface Handling {
  /** Delivered by the kernel thread (its capabilities are the ones save-capabilities may keep). */
  readonly kernel: boolean
  /** A kernel request: send-response goes to the kernel. */
  readonly request: boolean
  readonly source: string
  /** In-worker request awaiting this instance's answer (0: none, or answered). */
  rid: number
}

interface Instance {
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
interface Outstanding {
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
type Local =
  | { readonly k: 0; readonly to: number; readonly from: number; readonly key: string; readonly source: string; readonly body: Uint8Array; readonly rid: number }
  | { readonly k: 1; readonly to: number; readonly from: number; readonly key: string; readonly source: string; readonly body: Uint8Array; readonly context: Uint8Array; readonly caps: ReadonlyArray<WireCap>; readonly rid: number }
  | { readonly k: 2 | 3; readonly to: number; readonly from: number; readonly source: string; readonly body: Uint8Array; readonly context: Uint8Array; readonly caps: ReadonlyArray<WireCap> }
  | { readonly k: 4; readonly from: number; readonly target: string; readonly op: FromLite }

const port = parentPort!
const grantTable = new Int32Array((workerData as { grants?: SharedArrayBuffer } | undefined)?.grants ?? new SharedArrayBuffer(4))
const programs = new Map<string, Promise<LoadedProgram>>()
const instances = new Map<number, Instance>()
/** Address (text form) -> instance id, for every instance on this worker. */
const routes = new Map<string, number>()
const local: Local[] = []
let localHead = 0
const outstanding = new Map<number, Outstanding>()
/** Deadlines by timeout length: within one length they expire in send order. */
const deadlines = new Map<number, Outstanding[]>()
let timer: ReturnType<typeof setTimeout> | undefined
let timerAt = Infinity
/** Settled requests since the deadline queues were last compacted. */
let settledSince = 0
let nextRid = 1
let out: FromLite[] = []
const dirty = new Set<Instance>()

const caps = (list: ReadonlyArray<{ issuer: string; params: string }>): WireCap[] => list.map((c) => [c.issuer, c.params] as const)

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
const LOCAL_SLICE = 4096
let callOps = 0
let callBytes = 0
const newCall = (): void => {
  callOps = 0
  callBytes = 0
}
const count = (bytes: number): void => {
  callBytes += bytes
  if (++callOps > MAX_OPS_PER_CALL || callBytes > MAX_OP_BYTES_PER_CALL) {
    throw new Error(`host call limit: more than ${MAX_OPS_PER_CALL} host calls or ${MAX_OP_BYTES_PER_CALL} bytes in one call`)
  }
}

const bump = (m: Map<string, number>, key: string, by: number): void => {
  const n = (m.get(key) ?? 0) + by
  if (n <= 0) m.delete(key)
  else m.set(key, n)
}

const enqueue = (item: Local): void => {
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
const blocked = (i: Instance, target: string): boolean => (i.slowOut.get(target) ?? 0) > 0 || i.waiting.has(target)

const waitFor = (i: Instance, target: string, item: Local): void => {
  let w = i.waiting.get(target)
  if (w === undefined) i.waiting.set(target, (w = []))
  w.push(item)
}

/**
 * One message of the pair `i` -> `target` that went through the kernel was delivered or failed.
 * When none is left on its way, the waiting ones move on in order; a kernel-bound op among them
 * closes the fence again.
 */
const openFence = (i: Instance, target: string): void => {
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
const toKernel = (i: Instance, target: string, op: LiteOp): void => {
  const fenced = routes.has(target)
  const m: FromLite = { t: "op", id: i.id, op: fenced ? { ...op, fence: target } as LiteOp : op }
  if (!fenced) return void out.push(m)
  if (i.waiting.has(target)) return waitFor(i, target, { k: 4, from: i.id, target, op: m })
  bump(i.slowOut, target, 1)
  if ((i.fastQueued.get(target) ?? 0) > 0) local.push({ k: 4, from: i.id, target, op: m })
  else out.push(m)
}

const accOf = (i: Instance) => {
  if (i.acc === undefined) i.acc = { cpuMs: 0, fuel: 0, received: 0, sent: 0 }
  dirty.add(i)
  return i.acc
}

/** Try the in-worker route for a request; false: it goes through the kernel. */
const sendLocal = (i: Instance, target: string, body: Uint8Array, timeoutMs: number | undefined, context: Uint8Array): boolean => {
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
    rid = nextRid++
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
const settle = (o: Outstanding): void => {
  outstanding.delete(o.rid)
  const r = instances.get(o.from)
  if (r !== undefined) r.localOut--
  // Settled entries stay in their deadline queue until they reach its head: compact now and
  // then, so answered requests (and their bodies) are not held until their deadlines.
  if (++settledSince > 65_536 && settledSince > outstanding.size) {
    settledSince = 0
    for (const [ms, q] of deadlines) {
      const live = q.filter((x) => outstanding.has(x.rid))
      if (live.length === 0) deadlines.delete(ms)
      else deadlines.set(ms, live)
    }
  }
}

/** One timer for the earliest deadline. */
const arm = (deadline: number): void => {
  if (deadline >= timerAt) return
  if (timer !== undefined) clearTimeout(timer)
  timerAt = deadline
  timer = setTimeout(expire, Math.max(0, Math.ceil(deadline - performance.now())))
}

const expire = (): void => {
  timer = undefined
  timerAt = Infinity
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
  if (!pumping) void pump()
}

/** The process-lite imports of instance `id`: every call is recorded as an op, in order. */
const hostFor = (id: number, our: string, get: () => Instance | undefined) => {
  const op = (o: LiteOp) => {
    count("body" in o ? o.body.length : "bytes" in o ? o.bytes.length : "message" in o ? o.message.length : 0)
    out.push({ t: "op", id, op: o })
  }
  return {
    printToTerminal: (verbosity: number, message: string) => op({ fn: "print", verbosity, message }),
    our: () => our,
    getState: () => get()?.state,
    setState: (bytes: Uint8Array) => {
      const copy = bytes.slice()
      const i = get()
      if (i !== undefined) i.state = copy
      op({ fn: "setState", bytes: copy })
    },
    clearState: () => {
      const i = get()
      if (i !== undefined) i.state = undefined
      op({ fn: "clearState" })
    },
    saveCapabilities: (list: Array<{ issuer: string; params: string }>) => {
      // An in-worker request carries none: nothing to save (the kernel side would match the
      // kernel message handed over last, not this one).
      if (get()?.handling?.kernel === false && list.length > 0) return void count(0)
      op({ fn: "saveCapabilities", caps: caps(list) })
    },
    dropCapabilities: (list: Array<{ issuer: string; params: string }>) => op({ fn: "dropCapabilities", caps: caps(list) }),
    sendRequest: (target: string, body: Uint8Array, timeoutMs: number | undefined, context: Uint8Array, list: Array<{ issuer: string; params: string }>) => {
      count(body.length + context.length)
      const i = get()
      const t = timeoutMs ?? undefined
      if (i !== undefined && list.length === 0 && sendLocal(i, target, body.slice(), t, context.slice())) return
      const o: LiteOp = { fn: "sendRequest", target, body: body.slice(), timeoutMs: t, context: context.slice(), caps: caps(list) }
      if (i === undefined) return void out.push({ t: "op", id, op: o })
      toKernel(i, target, o)
    },
    sendResponse: (body: Uint8Array, list: Array<{ issuer: string; params: string }>) => {
      count(body.length)
      const i = get()
      const h = i?.handling
      if (i === undefined || h === undefined) return void out.push({ t: "op", id, op: { fn: "sendResponse", body: body.slice(), caps: caps(list) } })
      if (h.kernel) {
        if (h.request) toKernel(i, h.source, { fn: "sendResponse", body: body.slice(), caps: caps(list) })
        return // not a request: nothing to answer
      }
      // An in-worker request: answered here (a second answer, or one to a request expecting
      // none, is dropped as the kernel drops it).
      const o = outstanding.get(h.rid)
      h.rid = 0
      if (o === undefined) return
      accOf(i).sent++
      // Settled when handed to the requester; if this call traps, the request fails `offline` instead.
      o.answered = true
      if (list.length > 0) {
        // The kernel thread checks the capabilities first; the pair's fence keeps the order.
        const m: FromLite = { t: "op", id: i.id, op: { fn: "respondLocal", rid: o.rid, to: o.from, target: h.source, body: body.slice(), context: o.context, caps: caps(list) } }
        if (i.waiting.has(h.source)) return waitFor(i, h.source, { k: 4, from: i.id, target: h.source, op: m })
        bump(i.slowOut, h.source, 1)
        if ((i.fastQueued.get(h.source) ?? 0) > 0) local.push({ k: 4, from: i.id, target: h.source, op: m })
        else out.push(m)
        return
      }
      enqueue({ k: 1, to: o.from, from: i.id, key: h.source, source: i.our, body: body.slice(), context: o.context, caps: [], rid: o.rid })
    }
  }
}

/** Why a call failed: out of fuel, at the memory cap, or another trap. */
const classify = (e: unknown, gas: WebAssembly.Global | undefined, memory: WebAssembly.Memory | undefined, maxPages: number): { kind: "cpu" | "memory" | "trap"; reason: string } => {
  const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  if (gas !== undefined && (gas.value as bigint) < 0n) return { kind: "cpu", reason: `fuel exhausted: ${reason}` }
  // A grow refused at the cap (the guest traps on -1) leaves the memory close to it: within
  // max(2 MiB, cap/8). A trap farther from the cap is counted as a plain trap.
  if (memory !== undefined && maxPages - memory.buffer.byteLength / 65536 <= Math.max(32, maxPages / 8)) return { kind: "memory", reason: `Wasm memory limit reached (${maxPages} pages): ${reason}` }
  return { kind: "trap", reason }
}

const start = async (m: Extract<ToLite, { t: "start" }>): Promise<void> => {
  const t0 = performance.now()
  let gas: WebAssembly.Global | undefined
  let depth: WebAssembly.Global | undefined
  let memory: WebAssembly.Memory | undefined
  let program: LoadedProgram | undefined
  newCall()
  const before = out.length
  try {
    // A program whose glue fails to load ends the processes that run it, not the worker.
    program = await programs.get(m.program)!
    let inst: Instance | undefined
    const instantiateCore = (module: WebAssembly.Module, imports?: WebAssembly.Imports, made?: WebAssembly.Instance): WebAssembly.Instance => {
      const instance = made ?? new WebAssembly.Instance(module, imports)
      const e = instance.exports
      if (e.__cw_gas instanceof WebAssembly.Global) {
        // the metered main module: fuel for `_initialize`, which the component runs next
        gas = e.__cw_gas
        depth = e.__cw_depth as WebAssembly.Global
        memory = e.memory as WebAssembly.Memory
        gas.value = BigInt(m.fuel)
        ;(e.__cw_mem_limit as WebAssembly.Global).value = program!.maxPages
      }
      return instance
    }
    const host = hostFor(m.id, m.our, () => inst)
    const loaded = program
    let root: LiteRoot
    if (loaded.main !== undefined) {
      const direct = instantiateLite(loaded.main, host)
      instantiateCore(loaded.main, undefined, direct.instance)
      const init = direct.instance.exports._initialize
      if (typeof init === "function") init()
      root = direct.root
    } else {
      const glue = await loaded.instantiate((name) => loaded.modules[name]!, { "cyberkernel:process-lite/host": host }, instantiateCore)
      root = {
        init: (our) => glue.init(our),
        handle: (source, kind, body, context, list) => glue.handle(source, KINDS[kind]!, body, context, list.map(([issuer, params]) => ({ issuer, params })))
      }
    }
    inst = {
      id: m.id, our: m.our, root, gas: gas!, depth: depth!, memory: memory!, maxPages: loaded.maxPages, fuel: m.fuel, state: m.state, cpuMs: 0,
      handling: undefined, grants: new Map(), slowOut: new Map(), fastQueued: new Map(), waiting: new Map(), localOut: 0, inbox: 0, acc: undefined
    }
    inst.gas.value = BigInt(m.fuel)
    inst.depth.value = 0
    root.init(m.our)
    instances.set(m.id, inst)
    routes.set(m.our, m.id)
    const cpuMs = performance.now() - t0
    inst.cpuMs = cpuMs
    out.push({ t: "done", id: m.id, seq: m.seq, cpuMs, fuel: m.fuel - Number(inst.gas.value as bigint), memoryBytes: inst.memory.buffer.byteLength })
  } catch (e) {
    out.length = before
    out.push({ t: "exit", id: m.id, seq: m.seq, ...classify(e, gas, memory, program?.maxPages ?? 0), cpuMs: performance.now() - t0 })
  }
}

/** Instance `id` is gone (trap, stop): its route closes and in-worker requests to it fail `offline`. */
const drop = (id: number): void => {
  const inst = instances.get(id)
  if (inst === undefined) return
  instances.delete(id)
  dirty.delete(inst)
  if (inst.acc !== undefined) reportStats(inst)
  if (routes.get(inst.our) === id) routes.delete(inst.our)
  for (const w of inst.waiting.values()) {
    for (const item of w) {
      if (item.k === 4) continue
      const to = instances.get(item.to)
      if (to !== undefined) to.inbox--
    }
  }
  for (const o of [...outstanding.values()]) {
    if (o.to === id && !o.answered) {
      settle(o)
      if (instances.has(o.from)) enqueue({ k: 2, to: o.from, from: id, source: o.target, body: o.body, context: o.context, caps: [] })
    } else if (o.from === id) settle(o)
  }
}

/** Run one call (`handle`) of `inst`; a failure ends the instance. Returns the call's CPU ms and fuel, or undefined if it ended. */
const call = (inst: Instance, seq: number, handling: Handling, source: string, kind: number, body: Uint8Array, context: Uint8Array, list: ReadonlyArray<WireCap>): { cpuMs: number; fuel: number } | undefined => {
  const t0 = performance.now()
  inst.gas.value = BigInt(inst.fuel)
  inst.depth.value = 0
  newCall()
  const before = out.length
  const queued = local.length
  inst.handling = handling
  try {
    inst.root.handle(source, kind, body, context, list)
    inst.handling = undefined
    const cpuMs = performance.now() - t0
    inst.cpuMs += cpuMs
    return { cpuMs, fuel: inst.fuel - Number(inst.gas.value as bigint) }
  } catch (e) {
    inst.handling = undefined
    // The ended call's host calls are not made: its kernel ops and in-worker messages go.
    out.length = before
    for (let k = queued; k < local.length; k++) unqueue(local[k]!)
    local.length = queued
    out.push({ t: "exit", id: inst.id, seq, ...classify(e, inst.gas, inst.memory, inst.maxPages), cpuMs: performance.now() - t0 })
    drop(inst.id)
    return undefined
  }
}

/** Undo the bookkeeping of an in-worker message that will not be handled. */
const unqueue = (item: Local): void => {
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

const deliver = (m: Extract<ToLite, { t: "deliver" }>): void => {
  const inst = instances.get(m.id)
  if (m.fence !== undefined) {
    const from = instances.get(m.fence.from)
    if (from !== undefined) openFence(from, m.fence.target)
  }
  if (inst === undefined) return // ended meanwhile: the kernel side already knows
  if (m.answers !== undefined) {
    const o = outstanding.get(m.answers)
    if (o === undefined) {
      // timed out meanwhile: a late answer is dropped
      out.push({ t: "done", id: m.id, seq: m.seq, cpuMs: 0, fuel: 0, memoryBytes: inst.memory.buffer.byteLength })
      return
    }
    settle(o)
  }
  const r = call(inst, m.seq, { kernel: true, request: m.kind === 0, source: m.source, rid: 0 }, m.source, m.kind, m.body, m.context, m.caps)
  if (r !== undefined) out.push({ t: "done", id: m.id, seq: m.seq, cpuMs: r.cpuMs, fuel: r.fuel, memoryBytes: inst.memory.buffer.byteLength })
}

/** Handle one in-worker message. */
const runLocal = (item: Local): void => {
  if (item.k === 4) {
    // a kernel-bound op that waited for the pair's queued in-worker messages
    if (instances.has(item.from)) out.push(item.op)
    else unqueue(item)
    return
  }
  if (item.k === 0 || item.k === 1) {
    const from = instances.get(item.from)
    if (from !== undefined) bump(from.fastQueued, item.key, -1)
  }
  const inst = instances.get(item.to)
  if (inst === undefined) {
    // the target ended after this was queued: a request awaiting an answer fails `offline`
    if (item.k === 0 && item.rid !== 0) {
      const o = outstanding.get(item.rid)
      if (o !== undefined) {
        settle(o)
        if (instances.has(o.from)) enqueue({ k: 2, to: o.from, from: item.to, source: o.target, body: o.body, context: o.context, caps: [] })
      }
    }
    return
  }
  inst.inbox--
  if (item.k === 1) {
    const o = outstanding.get(item.rid)
    if (o === undefined) return // timed out or failed meanwhile: a late answer is dropped
    settle(o)
  }
  let r: { cpuMs: number; fuel: number } | undefined
  if (item.k === 0) {
    const handling: Handling = { kernel: false, request: true, source: item.source, rid: item.rid }
    r = call(inst, 0, handling, item.source, 0, item.body, EMPTY, [])
  } else {
    // no kernel request is being handled: a send-response here answers nothing and is dropped
    r = call(inst, 0, { kernel: false, request: false, source: item.source, rid: 0 }, item.source, item.k, item.body, item.context, item.caps)
  }
  if (r === undefined) return
  const a = accOf(inst)
  a.cpuMs += r.cpuMs
  a.fuel += r.fuel
  a.received++
}

const EMPTY = new Uint8Array(0)

const reportStats = (i: Instance): void => {
  const a = i.acc!
  i.acc = undefined
  out.push({ t: "stats", id: i.id, cpuMs: a.cpuMs, fuel: a.fuel, memoryBytes: i.memory.buffer.byteLength, received: a.received, sent: a.sent })
}

const queue: ToLite[][] = []
let pumping = false

const control = (m: ToLite): void => {
  switch (m.t) {
    case "program":
      programs.set(m.key, import(m.modulePath).then((mod: { instantiate: Instantiate }) => ({ instantiate: mod.instantiate, modules: m.modules, maxPages: m.maxPages, main: directMain(m.modules) })))
      return
    case "stop":
      return drop(m.id)
    case "release": {
      const from = instances.get(m.from)
      if (from !== undefined) openFence(from, m.target)
      return
    }
    case "grant":
      instances.get(m.from)?.grants.set(m.target, { slot: m.slot, gen: m.gen })
      return
    case "unanswer": {
      const from = instances.get(m.from)
      if (from !== undefined) openFence(from, m.target)
      return
    }
  }
}

/**
 * Kernel batches in order; after each, in-worker messages (at most LOCAL_SLICE before the next
 * kernel batch gets its turn, so two guests messaging each other forever cannot starve the rest).
 */
const pump = async (): Promise<void> => {
  pumping = true
  for (;;) {
    const batch = queue.shift()
    if (batch !== undefined) {
      for (const m of batch) {
        if (m.t === "start") await start(m)
        else if (m.t === "deliver") deliver(m)
        else control(m)
        if (out.length >= 256) flush()
      }
    }
    let n = 0
    while (localHead < local.length && n++ < LOCAL_SLICE) {
      const item = local[localHead]!
      local[localHead++] = undefined as unknown as Local
      runLocal(item)
      if (out.length >= 256) flush()
    }
    if (localHead === local.length) {
      local.length = 0
      localHead = 0
    } else if (localHead > 65536) {
      local.splice(0, localHead)
      localHead = 0
    }
    // more kernel batches already here: their output joins this one's (one postMessage a turn)
    if (queue.length === 0 || localHead < local.length) flush()
    if (localHead < local.length) {
      // more in-worker work: let the kernel's batches in first
      await new Promise((r) => setImmediate(r))
      continue
    }
    if (queue.length === 0) break
  }
  pumping = false
}

const flush = (): void => {
  for (const i of dirty) if (i.acc !== undefined) reportStats(i)
  dirty.clear()
  if (out.length === 0) return
  const batch = packFromLite(out)
  out = []
  port.postMessage(batch, [batch.buf])
}

port.on("message", (batch: LiteBatch) => {
  queue.push(unpackToLite(batch))
  // at once: the kernel thread sends at most one batch a turn, and waiting for more costs latency
  if (!pumping) void pump()
})
