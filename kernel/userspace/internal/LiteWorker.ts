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
import { classify, hostFor, newCall } from "./LiteHost.ts"
import type { ToLite, WireCap } from "./LiteProtocol.ts"
import { KINDS } from "./LiteProtocol.ts"
import { LinkReceiver, LinkSender } from "./LiteLink.ts"
import type { LiteWorkerData } from "./LitePoolWorker.ts"
import { enqueue, openFence, settle, unqueue } from "./LiteRouting.ts"
import { type LiteBatch, packFromLite, unpackToLite } from "./LiteWire.ts"
import {
  accOf, bump, dirty, EMPTY, type Handling, type Instance, instances, type Instantiate, type LoadedProgram, local, LOCAL_SLICE, type Local, outstanding, programs, reportStats, routes, S
} from "./LiteWorkerState.ts"

const directMain = (modules: Readonly<Record<string, WebAssembly.Module>>): WebAssembly.Module | undefined => {
  for (const m of Object.values(modules)) {
    if (!WebAssembly.Module.exports(m).some((e) => e.name === "handle")) continue
    return WebAssembly.Module.imports(m).every((i) => i.module === LITE_HOST_MODULE && i.kind === "function") ? m : undefined
  }
  return undefined
}

const port = parentPort!

const start = async (m: Extract<ToLite, { t: "start" }>): Promise<void> => {
  const t0 = performance.now()
  let gas: WebAssembly.Global | undefined
  let depth: WebAssembly.Global | undefined
  let memory: WebAssembly.Memory | undefined
  let program: LoadedProgram | undefined
  newCall()
  const before = S.out.length
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
    S.out.push({ t: "done", id: m.id, seq: m.seq, cpuMs, fuel: m.fuel - Number(inst.gas.value as bigint), memoryBytes: inst.memory.buffer.byteLength })
  } catch (e) {
    S.out.length = before
    S.out.push({ t: "exit", id: m.id, seq: m.seq, ...classify(e, gas, memory, program?.maxPages ?? 0), cpuMs: performance.now() - t0 })
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
  const before = S.out.length
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
    S.out.length = before
    for (let k = queued; k < local.length; k++) unqueue(local[k]!)
    local.length = queued
    S.out.push({ t: "exit", id: inst.id, seq, ...classify(e, inst.gas, inst.memory, inst.maxPages), cpuMs: performance.now() - t0 })
    drop(inst.id)
    return undefined
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
      S.out.push({ t: "done", id: m.id, seq: m.seq, cpuMs: 0, fuel: 0, memoryBytes: inst.memory.buffer.byteLength })
      return
    }
    settle(o)
  }
  const r = call(inst, m.seq, { kernel: true, request: m.kind === 0, source: m.source, rid: 0 }, m.source, m.kind, m.body, m.context, m.caps)
  if (r !== undefined) S.out.push({ t: "done", id: m.id, seq: m.seq, cpuMs: r.cpuMs, fuel: r.fuel, memoryBytes: inst.memory.buffer.byteLength })
}

/** Handle one in-worker message. */
const runLocal = (item: Local): void => {
  if (item.k === 4) {
    // a kernel-bound op that waited for the pair's queued in-worker messages
    if (instances.has(item.from)) S.out.push(item.op)
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


const queue: ToLite[][] = []

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
  S.pumping = true
  for (;;) {
    const batch = queue.shift()
    if (batch !== undefined) {
      for (const m of batch) {
        if (m.t === "start") await start(m)
        else if (m.t === "deliver") deliver(m)
        else control(m)
        if (S.out.length >= 256) flush()
      }
    }
    let n = 0
    while (S.localHead < local.length && n++ < LOCAL_SLICE) {
      const item = local[S.localHead]!
      local[S.localHead++] = undefined as unknown as Local
      runLocal(item)
      if (S.out.length >= 256) flush()
    }
    if (S.localHead === local.length) {
      local.length = 0
      S.localHead = 0
    } else if (S.localHead > 65536) {
      local.splice(0, S.localHead)
      S.localHead = 0
    }
    // more kernel batches already here: their output joins this one's (one postMessage a turn)
    if (queue.length === 0 || S.localHead < local.length) flush()
    if (S.localHead < local.length) {
      // more in-worker work: let the kernel's batches in first
      await new Promise((r) => setImmediate(r))
      continue
    }
    if (queue.length === 0) break
  }
  S.pumping = false
}

const flush = (): void => {
  for (const i of dirty) if (i.acc !== undefined) reportStats(i)
  dirty.clear()
  if (S.out.length === 0) return
  const batch = packFromLite(S.out)
  S.out = []
  if (send !== undefined) send.send(batch)
  else port.postMessage(batch, [batch.buf])
}

S.wake = () => {
  if (!S.pumping) void pump()
}

const take = (items: ToLite[]): void => {
  queue.push(items)
  // at once: the kernel thread sends at most one batch a turn, and waiting for more costs latency
  if (!S.pumping) void pump()
}

// The `ring` transport (LiteLink.ts): batches both ways through shared-memory rings, postMessage
// for those the ring cannot take, in send order. A kernel batch lost to a corrupt ring record or
// a malformed batch is lost alone by the link, but the deliveries and starts it carried would
// never be answered: the worker ends (a worker fault: the kernel side ends its processes with
// kind `worker`, and they restart under their on-exit policies).
const data = workerData as LiteWorkerData
const send = data.link === undefined ? undefined : new LinkSender(data.link.fromWorker, (b) => port.postMessage(b, [b.buf]))
if (data.link !== undefined) {
  const receive = new LinkReceiver(data.link.toWorker, unpackToLite, take, (e) => {
    S.linkErrors++
    setImmediate(() => {
      throw e
    })
  })
  port.on("message", (batch: LiteBatch) => receive.posted(batch))
  receive.start()
} else {
  port.on("message", (batch: LiteBatch) => take(unpackToLite(batch)))
}