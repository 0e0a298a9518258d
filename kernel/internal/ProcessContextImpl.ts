/**
 * The ProcessContext of one process (kernel/Process.ts): the WIT process world's functions as
 * methods bound to the process's table entry. Messages go straight to Delivery; the other
 * syscalls go to the kernel through the narrow `ProcessHost` (so this module does not import
 * the kernel core that creates it).
 */
import type { CapabilityAuthority } from "../../capabilities/Authority.ts"
import type { Capability, SignedCapability } from "../../capabilities/Capability.ts"
import { capabilityKey } from "../../capabilities/Capability.ts"
import type { Address, ProcessId } from "../Address.ts"
import { NoPendingRequest } from "../KernelError.ts"
import type { LazyLoadBlob, OnExit, Request, Response } from "../Message.ts"
import type { ChildSpec, PendingRequest, ProcessContext, Reply, SendOptions } from "../Process.ts"
import { hold } from "./CapabilityTable.ts"
import type { Delivery } from "./Delivery.ts"
import { type Entry, Envelope, REQUEST } from "./Entry.ts"

/** The kernel syscalls a process context needs besides message delivery. */
export interface ProcessHost {
  readonly authority: CapabilityAuthority
  /** Spawn a child of `parent` (ProcessContext.spawn). */
  spawnChild(parent: Entry, child: ChildSpec): ProcessId
  /** Kernel hasCapability. */
  hasCapability(holder: Address | ProcessId, cap: { readonly issuer: Address | ProcessId; readonly params: string }): boolean
  /** Kernel command drop. */
  drop(holder: Address | ProcessId, caps: ReadonlyArray<Capability>): void
}

/** The context of one process: its syscall table, bound to its entry. */
export class ProcessContextImpl implements ProcessContext {
  readonly our: Address
  readonly #k: ProcessHost
  readonly #d: Delivery
  readonly #e: Entry

  constructor(k: ProcessHost, d: Delivery, e: Entry) {
    this.#k = k
    this.#d = d
    this.#e = e
    this.our = e.address
  }

  send(target: Address, request: Request, options?: SendOptions): void | Promise<void> {
    return this.#d.send(this.#e, target, request, options?.context, options?.blob)
  }

  sendRequests(requests: ReadonlyArray<readonly [Address, Request, SendOptions?]>): void | Promise<void> {
    let waits: Array<Promise<void>> | undefined
    for (const [target, request, options] of requests) {
      const r = this.#d.send(this.#e, target, request, options?.context, options?.blob)
      if (r !== undefined) (waits ??= []).push(r)
    }
    if (waits !== undefined) return Promise.all(waits).then(() => undefined)
  }

  spawn(child: ChildSpec): ProcessId {
    return this.#k.spawnChild(this.#e, child)
  }

  request(target: Address, request: Request, blob?: LazyLoadBlob): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      this.#d.send(this.#e, target, request, undefined, blob, resolve, reject)
    })
  }

  respond(response: Response, blob?: LazyLoadBlob): void {
    const cur = this.#e.current
    if (cur === undefined) throw new NoPendingRequest({ process: this.#e.name })
    this.#d.respond(this.#e, cur, response, blob)
  }

  pending(): PendingRequest | undefined {
    const cur = this.#e.current
    return cur === undefined ? undefined : (cur as unknown as PendingRequest)
  }

  respondTo(pending: PendingRequest, response: Response, blob?: LazyLoadBlob): void {
    if (!(pending instanceof Envelope) || pending.kind !== REQUEST) throw new NoPendingRequest({ process: this.#e.name })
    this.#d.respond(this.#e, pending, response, blob)
  }

  failPending(pending: PendingRequest, kind: "offline" | "timeout"): void {
    if (!(pending instanceof Envelope) || pending.kind !== REQUEST) throw new NoPendingRequest({ process: this.#e.name })
    const out = this.#d.outstanding.get(pending.id)
    if (out === undefined || out.target !== this.#e) return
    pending.id = 0
    this.#d.fail(out, kind)
  }

  capabilities(): SignedCapability[] {
    return [...this.#e.caps.values()]
  }

  hasCapability(cap: Capability): boolean {
    return this.#k.hasCapability(this.#e.address, cap)
  }

  saveCapabilities(caps: ReadonlyArray<Capability>): void {
    const signed = caps.map((c) => this.#k.authority.authenticate(c))
    for (const c of signed) hold(this.#e, capabilityKey(c.issuer, c.params), c)
  }

  dropCapabilities(caps: ReadonlyArray<Capability>): void {
    this.#k.drop(this.#e.address, caps)
  }

  getState(): Uint8Array | undefined {
    return this.#e.state_bytes
  }

  setState(bytes: Uint8Array): void {
    this.#e.state_bytes = bytes.slice()
  }

  clearState(): void {
    this.#e.state_bytes = undefined
  }

  getOnExit(): OnExit {
    return this.#e.onExit
  }

  setOnExit(onExit: OnExit): void {
    this.#e.onExit = onExit
  }
}
