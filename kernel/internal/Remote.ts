/**
 * The kernel's side of the network: encodes outgoing requests, responses and send errors as
 * frames (Frame.ts) on a RemoteTransport, and takes frames arriving from other nodes into the
 * kernel with the access rules of a remote sender:
 * - a malformed frame is dropped and counted, never reaching a process;
 * - every capability a message carries must verify under its issuer node's key (our own key,
 *   a configured key, or one resolved through `resolveKey`, e.g. the PeerDirectory's `~net-key`),
 *   else the message is refused;
 * - a request reaches a public process, or a private one when it carries that process's
 *   messaging capability (signed by this node); else it is refused;
 * - a refused or undeliverable request that expects a response is answered with an `offline`
 *   send error, so the sender learns at once instead of timing out;
 * - a response or send error is accepted only from the node the request went to.
 * Frames from one node are handled in arrival order; when a frame needs a key not yet known,
 * that node's later frames wait behind it (bounded: past MAX_WAITING they are dropped).
 *
 * Source: Hyperware kernel/src/kernel/mod.rs (remote messages, networking capability) and
 * kernel/src/net/ (per-peer ordered channels).
 */
import type { CapabilityAuthority } from "../../capabilities/Authority.ts"
import { addressKey, MESSAGING, type SignedCapability } from "../../capabilities/Capability.ts"
import type { Address, ProcessId } from "../Address.ts"
import { KERNEL_PROCESS } from "../Address.ts"
import type { RemoteOptions, RemoteStats } from "../KernelApi.ts"
import { InvalidMessage } from "../KernelError.ts"
import type { LazyLoadBlob, Request, Response, SendErrorKind } from "../Message.ts"
import type { RemoteTransport } from "../Transport.ts"
import type { Delivery, Outbound } from "./Delivery.ts"
import { DEAD, Entry, type Outstanding, RUNNING } from "./Entry.ts"
import { decodeFrame, encodeFrame, type Frame, type RequestFrame, type ResponseFrame } from "./Frame.ts"
import type { ProcessTable } from "./ProcessTable.ts"

/** Frames of one node that may wait behind a key resolution. */
const MAX_WAITING = 1024
/** How long a resolved (or unresolvable) node key is trusted before it is resolved again, ms. */
const KEY_TTL_MS = 60_000
/** Resolved keys kept at most (cleared past this). */
const MAX_KEYS = 4096

const silent: NonNullable<RemoteOptions["onDrop"]> = () => {}

/** The kernel's link to other nodes over one transport. */
export class Remote implements Outbound {
  readonly transport: RemoteTransport
  readonly #delivery: Delivery
  readonly #processes: ProcessTable
  readonly #authority: CapabilityAuthority
  /** The authority's map of other nodes' keys (resolved keys are added here). */
  readonly #keys: Map<string, Uint8Array>
  /** When each resolved key (or failed resolution) was learnt; configured keys are absent. */
  readonly #resolvedAt = new Map<string, number>()
  readonly #resolveKey: ((node: string) => Promise<Uint8Array | undefined>) | undefined
  readonly #onDrop: NonNullable<RemoteOptions["onDrop"]>
  readonly #now: () => number
  readonly #maxBlocked: number
  /** One stand-in entry per remote node: the requester of its relayed requests, the sender of its envelopes. */
  readonly #stands = new Map<string, Entry>()
  /** Frames of a node waiting behind a key resolution, in arrival order. */
  readonly #waiting = new Map<string, Frame[]>()
  #closed = false
  framesSent = 0
  framesReceived = 0
  framesDropped = 0
  refused = 0
  undeliverable = 0

  constructor(
    transport: RemoteTransport,
    delivery: Delivery,
    processes: ProcessTable,
    authority: CapabilityAuthority,
    keys: Map<string, Uint8Array>,
    now: () => number,
    options: RemoteOptions
  ) {
    this.transport = transport
    this.#delivery = delivery
    this.#processes = processes
    this.#authority = authority
    this.#keys = keys
    this.#resolveKey = options.resolveKey
    this.#onDrop = options.onDrop ?? silent
    this.#now = now
    this.#maxBlocked = options.maxBlockedPerNode ?? 16_384
    transport.onFrame((node, frame) => this.#arrive(node, frame))
    transport.onDisconnect((node) => this.disconnected(node))
  }

  /** Counters. */
  stats(): RemoteStats {
    return {
      framesSent: this.framesSent,
      framesReceived: this.framesReceived,
      framesDropped: this.framesDropped,
      refused: this.refused,
      undeliverable: this.undeliverable
    }
  }

  /** Stop taking frames (kernel shutdown). */
  close(): void {
    this.#closed = true
    this.#waiting.clear()
  }

  // ---- Outbound ---------------------------------------------------------------------------------

  requestFrame(from: ProcessId, target: ProcessId, req: Request, blob: LazyLoadBlob | undefined, id: number, expectsMs: number | undefined): Uint8Array {
    return this.#sized(encodeFrame({
      tag: "request",
      id,
      source: from,
      target,
      inherit: req.inherit,
      expectsResponse: id === 0 ? undefined : expectsMs,
      body: req.body,
      metadata: req.metadata,
      capabilities: req.capabilities as unknown as ReadonlyArray<SignedCapability>,
      blob
    }))
  }

  responseFrame(id: number, from: ProcessId, resp: Response, blob: LazyLoadBlob | undefined): Uint8Array {
    return this.#sized(encodeFrame({
      tag: "response",
      id,
      source: from,
      inherit: resp.inherit,
      body: resp.body,
      metadata: resp.metadata,
      capabilities: resp.capabilities as unknown as ReadonlyArray<SignedCapability>,
      blob
    }))
  }

  post(node: string, frame: Uint8Array, failed: (() => void) | undefined): void {
    this.framesSent++
    let sent: Promise<void>
    try {
      sent = this.transport.send(node, frame)
    } catch {
      sent = Promise.reject(new Error("transport send threw"))
    }
    sent.then(undefined, () => {
      if (failed !== undefined && !this.#closed) failed()
    })
  }

  sendError(node: string, id: number, kind: SendErrorKind): void {
    this.post(node, encodeFrame({ tag: "send-error", id, kind }), undefined)
  }

  #sized(frame: Uint8Array): Uint8Array {
    if (frame.length > this.transport.maxFrameBytes) {
      throw new InvalidMessage({
        reason: `the message encodes to ${frame.length} bytes, over the network's limit of ${this.transport.maxFrameBytes} bytes per frame`
      })
    }
    return frame
  }

  // ---- arrival ----------------------------------------------------------------------------------

  /** The channel to `node` is lost: its outstanding requests fail offline. */
  disconnected(node: string): void {
    this.#waiting.delete(node)
    this.#delivery.disconnectNode(node)
  }

  #drop(node: string, reason: string): void {
    this.framesDropped++
    this.#onDrop(node, reason)
  }

  #arrive(node: string, bytes: Uint8Array): void {
    if (this.#closed) return
    this.framesReceived++
    if (node === this.#processes.our) return this.#drop(node, "a frame claims to come from this node")
    if (bytes.length > this.transport.maxFrameBytes) return this.#drop(node, `frame of ${bytes.length} bytes over the limit`)
    let f: Frame
    try {
      f = decodeFrame(bytes)
    } catch (e) {
      return this.#drop(node, (e as Error).message)
    }
    const waiting = this.#waiting.get(node)
    if (waiting !== undefined) {
      if (waiting.length >= MAX_WAITING) return this.#drop(node, `more than ${MAX_WAITING} frames wait for key resolution`)
      waiting.push(f)
      return
    }
    if (this.#unknownIssuer(f) === undefined) return this.#handle(node, f)
    this.#waiting.set(node, [f])
    void this.#drain(node)
  }

  /** An issuer node of `f`'s capabilities whose key must be (re)resolved first, if any. */
  #unknownIssuer(f: Frame): string | undefined {
    if (f.tag === "send-error" || this.#resolveKey === undefined) return undefined
    const now = this.#now()
    for (const c of f.capabilities) {
      const n = c.issuer.node
      if (n === this.#processes.our) continue
      const at = this.#resolvedAt.get(n)
      if (at === undefined ? !this.#keys.has(n) : now - at > KEY_TTL_MS) return n
    }
    return undefined
  }

  /** Handle the waiting frames of `node` in order, resolving keys as they are needed. */
  async #drain(node: string): Promise<void> {
    const queue = this.#waiting.get(node)
    while (queue !== undefined && queue.length > 0 && this.#waiting.get(node) === queue && !this.#closed) {
      const f = queue[0]!
      for (let n = this.#unknownIssuer(f); n !== undefined; n = this.#unknownIssuer(f)) await this.#resolve(n)
      if (this.#waiting.get(node) !== queue || this.#closed) return
      queue.shift()
      this.#handle(node, f)
    }
    if (this.#waiting.get(node) === queue) this.#waiting.delete(node)
  }

  async #resolve(node: string): Promise<void> {
    let key: Uint8Array | undefined
    try {
      key = await this.#resolveKey!(node)
    } catch {
      key = undefined
    }
    if (this.#resolvedAt.size >= MAX_KEYS) {
      for (const n of this.#resolvedAt.keys()) this.#keys.delete(n)
      this.#resolvedAt.clear()
    }
    this.#resolvedAt.set(node, this.#now())
    if (key !== undefined && key.length === 32) this.#keys.set(node, key.slice())
    else this.#keys.delete(node)
  }

  #handle(node: string, f: Frame): void {
    switch (f.tag) {
      case "request":
        return this.#request(node, f)
      case "response":
        return this.#response(node, f)
      default: {
        const out = this.#answerable(node, f.id)
        if (out !== undefined) this.#delivery.fail(out, f.kind)
      }
    }
  }

  /** The outstanding request `id` that `node` may answer: one sent to that node. */
  #answerable(node: string, id: number): Outstanding | undefined {
    const out = this.#delivery.outstanding.get(id)
    if (out === undefined || out.target !== undefined || out.targetAddress.node !== node) {
      this.#delivery.dropped++
      return undefined
    }
    return out
  }

  /** The capabilities of `f`, each authenticated under its issuer node's key; undefined: refused. */
  #authenticated(node: string, caps: ReadonlyArray<SignedCapability>): SignedCapability[] | undefined {
    const out: SignedCapability[] = new Array(caps.length)
    for (let i = 0; i < caps.length; i++) {
      try {
        out[i] = this.#authority.authenticate(caps[i]!)
      } catch (e) {
        this.refused++
        this.#onDrop(node, `capability refused: ${(e as Error).message}`)
        return undefined
      }
    }
    return out
  }

  #stand(node: string): Entry {
    let s = this.#stands.get(node)
    if (s === undefined) {
      const address: Address = { node, process: KERNEL_PROCESS }
      s = new Entry(KERNEL_PROCESS, address, `${node}@kernel:distro:sys`, {}, false, { tag: "none" }, "", 1)
      s.state = RUNNING
      this.#stands.set(node, s)
    }
    return s
  }

  #request(node: string, f: RequestFrame): void {
    const to = this.#processes.find(f.target)
    if (to === undefined || to.state === DEAD) {
      this.undeliverable++
      if (f.id !== 0) this.sendError(node, f.id, "offline")
      return
    }
    const caps = this.#authenticated(node, f.capabilities)
    if (caps === undefined) {
      if (f.id !== 0) this.sendError(node, f.id, "offline")
      return
    }
    if (!to.public && !caps.some((c) => c.params === MESSAGING && addressKey(c.issuer) === addressKey(to.address))) {
      this.refused++
      this.#onDrop(node, `${to.name} is private and the request carries no messaging capability of it`)
      if (f.id !== 0) this.sendError(node, f.id, "offline")
      return
    }
    const req: { -readonly [K in keyof Request]: Request[K] } = { inherit: f.inherit, body: f.body, capabilities: caps }
    if (f.expectsResponse !== undefined) req.expectsResponse = f.expectsResponse
    if (f.metadata !== undefined) req.metadata = f.metadata
    const source: Address = { node, process: f.source }
    if (!this.#delivery.deliverRemote(this.#stand(node), source, to, req, f.blob, f.id, this.#maxBlocked)) {
      this.refused++
      this.#onDrop(node, `${to.name}: too many blocked or outstanding requests from ${node}`)
      if (f.id !== 0) this.sendError(node, f.id, "offline")
    }
  }

  #response(node: string, f: ResponseFrame): void {
    const out = this.#answerable(node, f.id)
    if (out === undefined) return
    const caps = this.#authenticated(node, f.capabilities)
    if (caps === undefined) return this.#delivery.fail(out, "offline")
    const resp: { -readonly [K in keyof Response]: Response[K] } = { inherit: f.inherit, body: f.body, capabilities: caps }
    if (f.metadata !== undefined) resp.metadata = f.metadata
    this.#delivery.complete(out, this.#stand(node), { node, process: f.source }, resp, f.blob)
  }
}
