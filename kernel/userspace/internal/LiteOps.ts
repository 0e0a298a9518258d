/**
 * The host calls of a light guest, run on the kernel thread as the kernel's ProcessContext calls
 * (LiteProcess.ts hands each op here in the guest's order): print, state, capabilities,
 * send-request, send-response and in-worker responses carrying capabilities. Split out of
 * LitePool.ts; no behaviour of its own.
 */
import { type Capability, capabilityKey, MESSAGING } from "../../../capabilities/Capability.ts"
import { type Address, parseAddress } from "../../Address.ts"
import { request, response } from "../../Message.ts"
import type { Context } from "../../Message.ts"
import type { PendingRequest, ProcessContext } from "../../Process.ts"
import { formatAddress } from "../../Address.ts"
import type { LiteOptions } from "../LiteOptions.ts"
import type { Fence, HostedProcess, PoolHost, PoolWorker } from "./LitePoolWorker.ts"
import type { LiteOp, WireCap } from "./LiteProtocol.ts"

/** Capabilities as the wire carries them: [issuer address text, params]. */
export const toWire = (caps: ReadonlyArray<Capability>): WireCap[] => caps.map((c) => [formatAddress(c.issuer), c.params] as const)
/** Wire capabilities back to capabilities; throws on a malformed issuer address. */
export const fromWire = (caps: ReadonlyArray<WireCap>): Capability[] => caps.map(([issuer, params]) => ({ issuer: parseAddress(issuer), params }))

/** What the host calls need of a light process (LiteProcess.ts). */
export interface OpHost extends HostedProcess {
  readonly pool: PoolHost
  readonly options: LiteOptions
  readonly ctx: ProcessContext | undefined
  readonly worker: PoolWorker | undefined
  readonly id: number
  readonly window: number
  readonly queue: ReadonlyArray<{ readonly given: Map<string, Capability>; readonly token: PendingRequest | undefined }>
  readonly given: Map<string, Capability>
  readonly answered: Map<string, Capability>
  sent: number
  unfence(body: Uint8Array): void
  deliver(source: Address, kind: number, body: Uint8Array, context: Context | undefined, caps: ReadonlyArray<Capability>, track?: boolean): Promise<void>
}

/** Run host call `op` of process `p`'s guest on the kernel thread (ops arrive in the guest's order). */
export const runOp = (p: OpHost, op: LiteOp): void => {
  const ctx = p.ctx
  if (ctx === undefined) return
  switch (op.fn) {
    case "print":
      p.options.print?.(ctx.our, op.verbosity, op.message)
      return
    case "setState":
      ctx.setState(op.bytes)
      p.options.state?.set(ctx.our.process, op.bytes)
      return
    case "clearState":
      ctx.clearState()
      p.options.state?.clear(ctx.our.process)
      return
    case "saveCapabilities":
      try {
        const given = p.window > 1 ? p.queue[0]?.given ?? new Map<string, Capability>() : p.given
        ctx.saveCapabilities(fromWire(op.caps).map((c) => {
          const k = capabilityKey(c.issuer, c.params)
          return given.get(k) ?? p.answered.get(k) ?? c
        }))
      } catch {
        // the WIT gives no error: forged, foreign or malformed capabilities are not kept
      }
      return
    case "dropCapabilities":
      try {
        ctx.dropCapabilities(fromWire(op.caps))
      } catch {
        // malformed issuer: nothing to drop
      }
      return
    case "sendResponse": {
      p.sent++
      const token = p.window > 1 ? p.queue[0]?.token : ctx.pending()
      const fence = op.fence === undefined ? undefined : fenceOf(p, op.body, op.fence, false)
      try {
        const r = response(op.body, { capabilities: fromWire(op.caps) })
        if (p.window > 1 && token !== undefined) ctx.respondTo(token, r)
        else ctx.respond(r)
        // A request that expects no response: the kernel drops the answer, nothing will deliver it.
        if (token?.request.expectsResponse === undefined) p.unfence(op.body)
      } catch {
        // no request being handled, or a capability not held: the response is dropped
        if (fence !== undefined) p.unfence(op.body)
      }
      return
    }
    case "respondLocal":
      return respondLocal(p, op)
    case "sendRequest":
      return send(p, op)
  }
}

/** Register a fenced message (by its body) so that its delivery or failure opens the fence. */
const fenceOf = (p: OpHost, body: Uint8Array, target: string, isPublic: boolean): Fence | undefined => {
  const w = p.worker
  if (w === undefined) return undefined
  const f: Fence = { worker: w, from: p.id, sender: p, target, public: isPublic, released: false }
  p.pool.fences.set(body, f)
  return f
}

/**
 * A response with capabilities to an in-worker request: the kernel's rule (a message carries
 * only capabilities its sender holds, signed instances) checked here, then handed to the
 * requester through this thread; not held: dropped, as the kernel drops it.
 */
const respondLocal = (p: OpHost, op: Extract<LiteOp, { fn: "respondLocal" }>): void => {
  const ctx = p.ctx!
  const w = p.worker
  const held = new Map(ctx.capabilities().map((c) => [capabilityKey(c.issuer, c.params), c]))
  let signed: Capability[] | undefined = []
  try {
    for (const c of fromWire(op.caps)) {
      const h = held.get(capabilityKey(c.issuer, c.params))
      if (h === undefined) {
        signed = undefined
        break
      }
      signed.push(h)
    }
  } catch {
    signed = undefined
  }
  const requester = w?.processes.get(op.to)
  if (signed === undefined || requester === undefined) {
    w?.post({ t: "unanswer", rid: op.rid, from: p.id, target: op.target })
    return
  }
  requester.answer(op.rid, ctx.our, op.body, op.context, signed, { from: p.id, target: op.target })
}

const send = (p: OpHost, op: Extract<LiteOp, { fn: "sendRequest" }>): void => {
  const ctx = p.ctx!
  p.sent++
  let target: Address | undefined
  try {
    target = parseAddress(op.target)
    const f = op.fence === undefined ? undefined : fenceOf(p, op.body, op.fence, false)
    const r = ctx.send(target, request(op.body, op.timeoutMs, { capabilities: fromWire(op.caps) }), op.context.length > 0 ? { context: op.context } : {})
    if (r !== undefined) r.catch(() => undefined)
    // Admitted without the target's messaging capability: the target is public (or ourselves).
    if (f !== undefined && !ctx.hasCapability({ issuer: target, params: MESSAGING })) (f as { public: boolean }).public = true
  } catch {
    if (op.fence !== undefined) p.unfence(op.body)
    // Refused at once (bad address, no capability, target offline): the guest gets an
    // `offline` message with its context, after the call being handled.
    const source = target ?? ctx.our
    void p.deliver(source, 2, op.body, op.context, [], false)
  }
}

/** End this run: pending handlers reject with `err`; with none pending, the next delivery does. */