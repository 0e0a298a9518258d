/**
 * The ProcessContext of one process (kernel/Process.ts): the WIT process world's functions as
 * methods bound to the process's table entry, delegating to the kernel core.
 */
import type { Capability, SignedCapability } from "../../capabilities/Capability.ts"
import { capabilityKey } from "../../capabilities/Capability.ts"
import type { Address, ProcessId } from "../Address.ts"
import { NoPendingRequest } from "../KernelError.ts"
import type { LazyLoadBlob, OnExit, Request, Response } from "../Message.ts"
import type { ChildSpec, PendingRequest, ProcessContext, Reply, SendOptions } from "../Process.ts"
import type { KernelCore } from "./Core.ts"
import { type Entry, Envelope, hold, REQUEST } from "./Entry.ts"

/** The context of one process: its syscall table, bound to its entry. */
export class ProcessContextImpl implements ProcessContext {
  readonly our: Address
  readonly #k: KernelCore
  readonly #e: Entry

  constructor(k: KernelCore, e: Entry) {
    this.#k = k
    this.#e = e
    this.our = e.address
  }

  send(target: Address, request: Request, options?: SendOptions): void | Promise<void> {
    return this.#k.send(this.#e, target, request, options?.context, options?.blob)
  }

  sendRequests(requests: ReadonlyArray<readonly [Address, Request, SendOptions?]>): void | Promise<void> {
    let waits: Array<Promise<void>> | undefined
    for (const [target, request, options] of requests) {
      const r = this.#k.send(this.#e, target, request, options?.context, options?.blob)
      if (r !== undefined) (waits ??= []).push(r)
    }
    if (waits !== undefined) return Promise.all(waits).then(() => undefined)
  }

  spawn(child: ChildSpec): ProcessId {
    return this.#k.spawnChild(this.#e, child)
  }

  request(target: Address, request: Request, blob?: LazyLoadBlob): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      this.#k.send(this.#e, target, request, undefined, blob, resolve, reject)
    })
  }

  respond(response: Response, blob?: LazyLoadBlob): void {
    const cur = this.#e.current
    if (cur === undefined) throw new NoPendingRequest({ process: this.#e.name })
    this.#k.respond(this.#e, cur, response, blob)
  }

  pending(): PendingRequest | undefined {
    const cur = this.#e.current
    return cur === undefined ? undefined : (cur as unknown as PendingRequest)
  }

  respondTo(pending: PendingRequest, response: Response, blob?: LazyLoadBlob): void {
    if (!(pending instanceof Envelope) || pending.kind !== REQUEST) throw new NoPendingRequest({ process: this.#e.name })
    this.#k.respond(this.#e, pending, response, blob)
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
