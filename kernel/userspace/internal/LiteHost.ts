/**
 * The process-lite host functions of one instance on a light-guest worker (LiteWorker.ts): each
 * call becomes an op for the kernel thread or an in-worker message, bounded per call; and the
 * classification of a failed call. Split out of LiteWorker.ts; no behaviour of its own.
 */
import type { FromLite, LiteOp } from "./LiteProtocol.ts"
import { enqueue, sendLocal, toKernel, waitFor } from "./LiteRouting.ts"
import { accOf, bump, caps, type Instance, local, MAX_OP_BYTES_PER_CALL, MAX_OPS_PER_CALL, outstanding, S } from "./LiteWorkerState.ts"

/** A new guest call starts: its host-call counts start at 0. */
export const newCall = (): void => {
  S.callOps = 0
  S.callBytes = 0
}
/** Count one host call of `bytes` bytes; throws past MAX_OPS_PER_CALL or MAX_OP_BYTES_PER_CALL (ends the caller). */
export const count = (bytes: number): void => {
  S.callBytes += bytes
  if (++S.callOps > MAX_OPS_PER_CALL || S.callBytes > MAX_OP_BYTES_PER_CALL) {
    throw new Error(`host call limit: more than ${MAX_OPS_PER_CALL} host calls or ${MAX_OP_BYTES_PER_CALL} bytes in one call`)
  }
}

/** The process-lite imports of instance `id`: every call is recorded as an op, in order. */
export const hostFor = (id: number, our: string, get: () => Instance | undefined) => {
  const op = (o: LiteOp) => {
    count("body" in o ? o.body.length : "bytes" in o ? o.bytes.length : "message" in o ? o.message.length : 0)
    S.out.push({ t: "op", id, op: o })
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
      if (i === undefined) return void S.out.push({ t: "op", id, op: o })
      toKernel(i, target, o)
    },
    sendResponse: (body: Uint8Array, list: Array<{ issuer: string; params: string }>) => {
      count(body.length)
      const i = get()
      const h = i?.handling
      if (i === undefined || h === undefined) return void S.out.push({ t: "op", id, op: { fn: "sendResponse", body: body.slice(), caps: caps(list) } })
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
        else S.out.push(m)
        return
      }
      enqueue({ k: 1, to: o.from, from: i.id, key: h.source, source: i.our, body: body.slice(), context: o.context, caps: [], rid: o.rid })
    }
  }
}

/** Why a call failed: out of fuel, at the memory cap, or another trap. */
export const classify = (e: unknown, gas: WebAssembly.Global | undefined, memory: WebAssembly.Memory | undefined, maxPages: number): { kind: "cpu" | "memory" | "trap"; reason: string } => {
  const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  if (gas !== undefined && (gas.value as bigint) < 0n) return { kind: "cpu", reason: `fuel exhausted: ${reason}` }
  // A grow refused at the cap (the guest traps on -1) leaves the memory close to it: within
  // max(2 MiB, cap/8). A trap farther from the cap is counted as a plain trap.
  if (memory !== undefined && maxPages - memory.buffer.byteLength / 65536 <= Math.max(32, maxPages / 8)) return { kind: "memory", reason: `Wasm memory limit reached (${maxPages} pages): ${reason}` }
  return { kind: "trap", reason }
}
