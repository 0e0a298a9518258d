/**
 * A light-guest worker: hosts many process-lite instances (LiteProgram.ts) in one thread. Each
 * instance is its own component instance (own linear memory, own imports bound to its process),
 * driven by exported `init` / `handle` calls that never block. Before each call the instance's
 * fuel is reset; a call that runs out of fuel, grows past its memory cap or traps ends only that
 * instance (reported as `exit`), and the worker goes on with the next item.
 */
import { parentPort } from "node:worker_threads"
import type { FromLite, LiteOp, ToLite, WireCap } from "./LiteProtocol.ts"
import { KINDS } from "./LiteProtocol.ts"

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
}

interface Instance {
  readonly root: Root
  readonly gas: WebAssembly.Global
  readonly depth: WebAssembly.Global
  readonly memory: WebAssembly.Memory
  readonly maxPages: number
  readonly fuel: number
  state: Uint8Array | undefined
  cpuMs: number
}

const port = parentPort!
const programs = new Map<string, Promise<LoadedProgram>>()
const instances = new Map<number, Instance>()
let out: FromLite[] = []

const caps = (list: ReadonlyArray<{ issuer: string; params: string }>): WireCap[] => list.map((c) => [c.issuer, c.params] as const)

/**
 * Bounds on what one call may hand the kernel: a guest looping on send-request within its fuel
 * could otherwise fill this worker's heap and take its neighbours down. Past either bound the
 * host call throws, which ends only the calling instance (kind `trap`).
 */
export const MAX_OPS_PER_CALL = 10_000
export const MAX_OP_BYTES_PER_CALL = 16 * 1024 * 1024
let callOps = 0
let callBytes = 0
const newCall = (): void => {
  callOps = 0
  callBytes = 0
}

/** The process-lite imports of instance `id`: every call is recorded as an op, in order. */
const hostFor = (id: number, our: string, get: () => Instance | undefined) => {
  const op = (o: LiteOp) => {
    callBytes += "body" in o ? o.body.length : "bytes" in o ? o.bytes.length : "message" in o ? o.message.length : 0
    if (++callOps > MAX_OPS_PER_CALL || callBytes > MAX_OP_BYTES_PER_CALL) {
      throw new Error(`host call limit: more than ${MAX_OPS_PER_CALL} host calls or ${MAX_OP_BYTES_PER_CALL} bytes in one call`)
    }
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
    saveCapabilities: (list: Array<{ issuer: string; params: string }>) => op({ fn: "saveCapabilities", caps: caps(list) }),
    dropCapabilities: (list: Array<{ issuer: string; params: string }>) => op({ fn: "dropCapabilities", caps: caps(list) }),
    sendRequest: (target: string, body: Uint8Array, timeoutMs: number | undefined, context: Uint8Array, list: Array<{ issuer: string; params: string }>) =>
      op({ fn: "sendRequest", target, body: body.slice(), timeoutMs: timeoutMs ?? undefined, context: context.slice(), caps: caps(list) }),
    sendResponse: (body: Uint8Array, list: Array<{ issuer: string; params: string }>) => op({ fn: "sendResponse", body: body.slice(), caps: caps(list) })
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
    const instantiateCore = (module: WebAssembly.Module, imports?: WebAssembly.Imports): WebAssembly.Instance => {
      const instance = new WebAssembly.Instance(module, imports)
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
    const root = await loaded.instantiate((name) => loaded.modules[name]!, { "cyberkernel:process-lite/host": host }, instantiateCore)
    inst = { root, gas: gas!, depth: depth!, memory: memory!, maxPages: loaded.maxPages, fuel: m.fuel, state: m.state, cpuMs: 0 }
    inst.gas.value = BigInt(m.fuel)
    inst.depth.value = 0
    root.init(m.our)
    instances.set(m.id, inst)
    const cpuMs = performance.now() - t0
    inst.cpuMs = cpuMs
    out.push({ t: "done", id: m.id, seq: m.seq, cpuMs, fuel: m.fuel - Number(inst.gas.value as bigint), memoryBytes: inst.memory.buffer.byteLength })
  } catch (e) {
    out.length = before
    out.push({ t: "exit", id: m.id, seq: m.seq, ...classify(e, gas, memory, program?.maxPages ?? 0), cpuMs: performance.now() - t0 })
  }
}

const deliver = (m: Extract<ToLite, { t: "deliver" }>): void => {
  const inst = instances.get(m.id)
  if (inst === undefined) return // ended meanwhile: the kernel side already knows
  const t0 = performance.now()
  inst.gas.value = BigInt(inst.fuel)
  inst.depth.value = 0
  newCall()
  const before = out.length
  try {
    inst.root.handle(m.source, KINDS[m.kind]!, m.body, m.context, m.caps.map(([issuer, params]) => ({ issuer, params })))
    const dt = performance.now() - t0
    inst.cpuMs += dt
    out.push({ t: "done", id: m.id, seq: m.seq, cpuMs: dt, fuel: inst.fuel - Number(inst.gas.value as bigint), memoryBytes: inst.memory.buffer.byteLength })
  } catch (e) {
    instances.delete(m.id)
    out.length = before // the ended call's host calls are not made
    out.push({ t: "exit", id: m.id, seq: m.seq, ...classify(e, inst.gas, inst.memory, inst.maxPages), cpuMs: performance.now() - t0 })
  }
}

const queue: ToLite[][] = []
let pumping = false

const pump = async (): Promise<void> => {
  pumping = true
  while (queue.length > 0) {
    for (const m of queue.shift()!) {
      switch (m.t) {
        case "program":
          programs.set(m.key, import(m.modulePath).then((mod: { instantiate: Instantiate }) => ({ instantiate: mod.instantiate, modules: m.modules, maxPages: m.maxPages })))
          break
        case "start":
          await start(m)
          break
        case "deliver":
          deliver(m)
          break
        case "stop":
          instances.delete(m.id)
          break
      }
      if (out.length >= 256) flush()
    }
    flush()
  }
  pumping = false
}

const flush = (): void => {
  if (out.length === 0) return
  port.postMessage(out)
  out = []
}

port.on("message", (batch: ToLite[]) => {
  queue.push(batch)
  if (!pumping) void pump()
})
