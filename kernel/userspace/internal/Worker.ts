/**
 * The worker-thread side of a userspace process: instantiates the jco-transpiled component,
 * implements the process world's imports, and calls `init(our)`. See Protocol.ts for how blocking
 * calls work. Anything the guest throws (a trap, an uncaught JS error) ends the worker with
 * `failed`; `init` returning ends it with `returned`.
 */
import { receiveMessageOnPort, workerData } from "node:worker_threads"
import { BUSY, EPOCH, type FromWorker, SIGNAL, type ToWorker, type WorkerInit } from "./Protocol.ts"

const init = workerData as WorkerInit
const port = init.port
const words = new Int32Array(init.shared)
/** Deliveries that arrived while the guest waited for something else. */
const inbox: ToWorker[] = []
let current: { blob: unknown } | undefined
let lastBlob: unknown

/**
 * Fire-and-forget calls wait here and go out in one postMessage with the next blocking call
 * (`receive`, a call needing an answer, the end of `init`), or when 64 have gathered. Order is
 * kept; a guest killed while running loses the calls it made since its last host wait.
 */
let outbox: FromWorker[] = []
const post = (m: FromWorker): void => {
  outbox.push(m)
  if (outbox.length >= 64) flush()
}
const flush = (): void => {
  if (outbox.length === 0) return
  port.postMessage(outbox.length === 1 ? outbox[0] : { t: "batch", items: outbox })
  outbox = []
}
/** Post `m` after everything buffered, now. */
const postNow = (m: FromWorker): void => {
  outbox.push(m)
  flush()
}

/** Block until the kernel thread posts the next message. */
const next = (): ToWorker => {
  for (;;) {
    const seen = Atomics.load(words, SIGNAL)
    const m = receiveMessageOnPort(port)
    if (m !== undefined) return m.message as ToWorker
    Atomics.wait(words, SIGNAL, seen)
  }
}

const running = (): void => {
  Atomics.add(words, EPOCH, 1)
  Atomics.store(words, BUSY, 1)
}

/** A host call the kernel thread answers; deliveries arriving meanwhile wait in `inbox`. */
const call = (fn: string, ...args: unknown[]): unknown => {
  Atomics.store(words, BUSY, 0)
  postNow({ t: "call", fn, args })
  for (;;) {
    const m = next()
    if (m.t === "ret") {
      running()
      if (!m.ok) throw m.value
      return m.value
    }
    inbox.push(m)
  }
}

/** A WIT `result` error: componentize-js and jco expect imports to throw `{payload}`. */
class ResultError extends Error {
  readonly payload: unknown
  constructor(payload: unknown) {
    super("result error")
    this.payload = payload
  }
}

const standard = {
  printToTerminal: (verbosity: number, message: string): void => post({ t: "post", fn: "print", args: [verbosity, message] }),
  our: (): unknown => call("our"),
  getOnExit: (): unknown => call("getOnExit"),
  setOnExit: (onExit: unknown): void => post({ t: "post", fn: "setOnExit", args: [onExit] }),
  getState: (): unknown => call("getState"),
  setState: (bytes: Uint8Array): void => post({ t: "post", fn: "setState", args: [bytes] }),
  clearState: (): void => post({ t: "post", fn: "clearState", args: [] }),
  spawn: (...args: unknown[]): unknown => {
    const r = call("spawn", ...args) as { tag: "ok" | "err"; val: unknown }
    if (r.tag === "err") throw new ResultError(r.val)
    return r.val
  },
  saveCapabilities: (caps: unknown): void => post({ t: "post", fn: "saveCapabilities", args: [caps] }),
  dropCapabilities: (caps: unknown): void => post({ t: "post", fn: "dropCapabilities", args: [caps] }),
  ourCapabilities: (): unknown => call("ourCapabilities"),
  receive: (): unknown => {
    Atomics.store(words, BUSY, 0)
    postNow({ t: "idle" })
    const m = inbox.length > 0 ? inbox.shift()! : next()
    running()
    if (m.t === "deliver") {
      current = { blob: m.blob }
      if (m.blob !== undefined) lastBlob = m.blob
      return [m.source, m.message]
    }
    if (m.t === "send-error") {
      current = { blob: undefined }
      throw new ResultError([m.error, m.context])
    }
    throw new Error(`unexpected ${m.t} in receive`)
  },
  hasBlob: (): boolean => current?.blob !== undefined,
  getBlob: (): unknown => current?.blob,
  lastBlob: (): unknown => lastBlob,
  sendRequest: (target: unknown, request: unknown, context: unknown, blob: unknown): void =>
    post({ t: "post", fn: "sendRequest", args: [target, request, context, blob] }),
  sendRequests: (list: unknown): void => post({ t: "post", fn: "sendRequests", args: [list] }),
  sendResponse: (response: unknown, blob: unknown): void => post({ t: "post", fn: "sendResponse", args: [response, blob] }),
  sendAndAwaitResponse: (target: unknown, request: unknown, blob: unknown): unknown => {
    const r = call("sendAndAwaitResponse", target, request, blob) as { tag: "ok" | "err"; val: unknown; blob?: unknown }
    if (r.tag === "err") throw new ResultError(r.val)
    current = { blob: r.blob }
    if (r.blob !== undefined) lastBlob = r.blob
    return r.val
  }
}

/** WASI interfaces the StarlingMonkey build still names but never calls (features disabled). */
const unsupported = (iface: string): object =>
  new Proxy({}, {
    get: (_t, name) =>
      function unsupportedImport() {
        throw new Error(`${iface}#${String(name)} is not provided to userspace processes`)
      }
  })

/** The guest's Wasm memories (captured at instantiation), to tell a memory-limit trap from others. */
const memories: WebAssembly.Memory[] = []
const instantiateCore = async (module: WebAssembly.Module, imports?: WebAssembly.Imports): Promise<WebAssembly.Instance> => {
  const instance = new WebAssembly.Instance(module, imports)
  for (const e of Object.values(instance.exports)) if (e instanceof WebAssembly.Memory) memories.push(e)
  return instance
}
/** Whether a memory is within 1 MiB of the cap (a failed memory.grow is the likely cause of a trap). */
const atMemoryLimit = (): boolean => memories.some((m) => m.buffer.byteLength / 65536 + 16 >= init.maxPages)

try {
  const mod = (await import(init.modulePath)) as {
    instantiate(
      getCoreModule: (name: string) => WebAssembly.Module,
      imports: object,
      instantiateCore: (m: WebAssembly.Module, i?: WebAssembly.Imports) => Promise<WebAssembly.Instance>
    ): Promise<{ init(our: string): void }>
  }
  const instance = await mod.instantiate((name) => init.modules[name]!, {
    "cyberkernel:process/standard": standard,
    "wasi:http/types": unsupported("wasi:http/types"),
    "wasi:io/poll": unsupported("wasi:io/poll"),
    "wasi:io/streams": unsupported("wasi:io/streams")
  }, instantiateCore)
  postNow({ t: "ready" })
  running()
  instance.init(init.our)
  postNow({ t: "returned" })
} catch (e) {
  const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  postNow({ t: "failed", reason: atMemoryLimit() ? `Wasm memory limit reached (${init.maxPages} pages): ${reason}` : reason })
}
