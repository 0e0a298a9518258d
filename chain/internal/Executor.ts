/**
 * Builds the execution contexts machines see and performs cross-machine calls and sends for
 * one scope of execution (a tx, or begin/end block). Every call is made by a principal and
 * checked against that principal's capabilities in the `capabilities` namespace, with the
 * request decoded by the callee's WIT interface, before the callee runs. Plain code: this is
 * the block hot path.
 */
import type { Event } from "cosmjs-types/tendermint/abci/types"
import type { MultiStore } from "../../store/KVStore.ts"
import { CAPABILITIES_NAMESPACE, checkCapability, type CapabilityCache } from "../Capabilities.ts"
import { CapabilityMissing, InvalidRequest, isChainError, UnknownRequest } from "../ChainError.ts"
import type { GasMeter } from "../Gas.ts"
import type { BlockContext, ChainCall, ExecContext, Machine } from "../Machine.ts"
import { HOSTABLE_KINDS, machinePrincipal, parsePrincipal, selfAddress, type PrincipalKind } from "../Principal.ts"
import type { Router } from "../Router.ts"
import { gasKVStore } from "./GasKVStore.ts"

/** Maximum nesting of synchronous cross-machine calls. */
export const MAX_CALL_DEPTH = 10

/** A queued asynchronous send with the principal that sent it (already capability-checked). */
export interface QueuedSend extends ChainCall {
  readonly caller: string
}

/** Options of one execution scope. */
export interface ScopeOptions {
  /** Bech32 prefix for module-account `self` addresses. */
  readonly bech32Prefix: string
  /** The transaction's signers (empty outside a tx). */
  readonly signers?: ReadonlyArray<string>
  /** The chain's cache of committed grants (chain/Capabilities.ts CapabilityCache). */
  readonly cache?: CapabilityCache
}

/** One execution scope: a branch, a gas meter, an event list and an outgoing send queue. */
export class Executor {
  readonly events: Event[] = []
  readonly sends: QueuedSend[] = []
  readonly router: Router
  readonly block: BlockContext
  readonly ms: MultiStore
  readonly gas: GasMeter
  readonly signers: ReadonlyArray<string>
  private readonly prefix: string
  private readonly cache: CapabilityCache | undefined
  private readonly metered: boolean
  private readonly selves = new Map<string, string>()
  constructor(router: Router, block: BlockContext, ms: MultiStore, gas: GasMeter, opts: ScopeOptions) {
    this.router = router
    this.block = block
    this.ms = ms
    this.gas = gas
    this.prefix = opts.bech32Prefix
    this.signers = opts.signers ?? []
    this.cache = opts.cache
    this.metered = gas.limit < Number.MAX_SAFE_INTEGER
  }

  /** The context machine `machine` sees in this scope, at call depth `depth`, acting as `principal`. */
  context(machine: Machine, depth = 0, principal = machinePrincipal(machine.name)): ExecContext {
    const raw = this.ms.store(machine.name)
    return {
      ...this.block,
      store: this.metered ? gasKVStore(raw, this.gas) : raw,
      rawStore: raw,
      gas: this.gas,
      principal,
      txSigners: this.signers,
      emit: (event) => {
        this.events.push(event)
      },
      call: (call) => this.call(principal, call, depth + 1, false),
      query: (call) => this.call(principal, call, depth + 1, true),
      send: (call) => {
        this.authorize(principal, call, false)
        this.sends.push({ target: call.target, method: call.method, body: call.body, caller: principal })
      },
      actAs: (other) => {
        const p = parsePrincipal(other)
        if (!HOSTABLE_KINDS.has(p.kind) || !(machine.hosts ?? []).includes(p.kind as PrincipalKind)) {
          throw new CapabilityMissing({ log: `machine "${machine.name}" does not host ${p.kind} principals and cannot act as ${other}: unauthorized` })
        }
        return this.context(machine, depth, other)
      }
    }
  }

  /** Synchronous capability-checked call by `principal` into `call.target`. */
  call(principal: string, call: ChainCall, depth: number, readOnly: boolean): Uint8Array {
    if (depth > MAX_CALL_DEPTH) {
      throw new InvalidRequest({ log: `cross-machine call depth exceeds ${MAX_CALL_DEPTH} (${principal} -> ${call.target}.${call.method})` })
    }
    const { target, request } = this.authorize(principal, call, readOnly)
    return target.onCall!(this.context(target, depth), principal, call.method, call.body, request)
  }

  /** Deliver a queued send (checked when it was queued) at depth 1. */
  deliver(send: QueuedSend): Uint8Array {
    const target = this.router.machine(send.target)
    if (!target?.onCall) throw new UnknownRequest({ log: `unknown machine "${send.target}" (send by ${send.caller})` })
    return target.onCall(this.context(target, 1), send.caller, send.method, send.body)
  }

  private authorize(principal: string, call: ChainCall, readOnly: boolean): { readonly target: Machine; readonly request: unknown } {
    const target = this.router.machine(call.target)
    if (!target) throw new UnknownRequest({ log: `unknown machine "${call.target}" (called by ${principal})` })
    const spec = target.interface?.methods[call.method]
    if (!spec || !target.onCall) throw new UnknownRequest({ log: `machine "${call.target}" has no method "${call.method}" (called by ${principal})` })
    if (readOnly && !spec.readOnly) throw new UnknownRequest({ log: `${call.target}.${call.method} changes state: not callable as a query (called by ${principal})` })
    let request: unknown
    try {
      request = spec.request.decode(call.body)
    } catch (e) {
      if (isChainError(e)) throw e
      throw new InvalidRequest({ log: `${call.target}.${call.method}: malformed request body: ${(e as Error).message}` })
    }
    checkCapability(() => this.ms.store(CAPABILITIES_NAMESPACE), principal, call.target, call.method, request, { self: this.self(principal), signers: this.signers }, this.cache)
    return { target, request }
  }

  private self(principal: string): string {
    let s = this.selves.get(principal)
    if (s === undefined) this.selves.set(principal, (s = selfAddress(parsePrincipal(principal), this.prefix)))
    return s
  }
}
