/**
 * Builds the execution contexts machines see and performs cross-machine calls and sends for
 * one scope of execution (a tx, or begin/end block). Every call is made by a principal and
 * checked against that principal's capabilities in the `capabilities` namespace, with the
 * request decoded by the callee's WIT interface, before the callee runs. Plain code: this is
 * the block hot path.
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Event } from "cosmjs-types/tendermint/abci/types"
import { sha256Parts } from "../../lib/Bytes.ts"
import { authoritySigners, handleAuthorityMsg, isAuthorityMsg } from "../Authority.ts"
import type { KVStore, MultiStore } from "../../store/KVStore.ts"
import { CAPABILITIES_NAMESPACE, checkCapability, type CapabilityCache } from "../Capabilities.ts"
import { CapabilityMissing, InvalidRequest, isChainError, Unauthorized, UnknownRequest, type ChainErrorFields } from "../ChainError.ts"
import type { GasMeter } from "../Gas.ts"
import type { GasAttribution } from "../GasAttribution.ts"
import type { BlockContext, ChainCall, ExecContext, Machine, MsgResult } from "../Machine.ts"
import { GOV_AUTHORITY, HOSTABLE_KINDS, machinePrincipal, parsePrincipal, selfAddress, type PrincipalKind } from "../Principal.ts"
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
  /** Gas per machine (node-plane observation; chain/GasAttribution.ts): each call's callee is marked. */
  readonly attribution?: GasAttribution
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
  private readonly attribution: GasAttribution | undefined
  private readonly metered: boolean
  private readonly selves: Map<string, string>
  private gasStores: Map<string, KVStore> | undefined
  constructor(router: Router, block: BlockContext, ms: MultiStore, gas: GasMeter, opts: ScopeOptions) {
    this.router = router
    this.block = block
    this.ms = ms
    this.gas = gas
    this.prefix = opts.bech32Prefix
    this.selves = selvesOf(opts.bech32Prefix)
    this.signers = opts.signers ?? []
    this.cache = opts.cache
    this.attribution = opts.attribution
    this.metered = gas.limit < Number.MAX_SAFE_INTEGER
  }

  /**
   * The context machine `machine` sees in this scope, at call depth `depth`, acting as `principal`;
   * `caller` is the own address of the principal whose synchronous call it serves (constraint `caller`).
   */
  context(machine: Machine, depth = 0, principal = principalOf(machine.name), caller?: string): ExecContext {
    const raw = this.ms.store(machine.name)
    return {
      ...this.block,
      store: this.metered ? this.gasStore(machine.name, raw) : raw,
      rawStore: raw,
      gas: this.gas,
      principal,
      txSigners: this.signers,
      emit: this.emitter,
      call: (call) => this.call(principal, call, depth + 1, false, caller),
      query: (call) => this.call(principal, call, depth + 1, true, caller),
      send: (call) => {
        this.authorize(principal, call, false, caller)
        this.sends.push({ target: call.target, method: call.method, body: call.body, caller: principal })
      },
      actAs: (other) => {
        const p = parsePrincipal(other)
        if (!HOSTABLE_KINDS.has(p.kind) || !(machine.hosts ?? []).includes(p.kind as PrincipalKind)) {
          throw new CapabilityMissing({ log: `machine "${machine.name}" does not host ${p.kind} principals and cannot act as ${other}: unauthorized` })
        }
        return this.context(machine, depth, other)
      },
      branch: (f) => {
        const branch = this.ms.branch()
        const sub = new Executor(this.router, this.block, branch, this.gas, { bech32Prefix: this.prefix, signers: this.signers, ...(this.cache ? { cache: this.cache } : {}), ...(this.attribution ? { attribution: this.attribution } : {}) })
        const out = f(sub.context(machine, depth, principal, caller))
        branch.write()
        this.events.push(...sub.events)
        this.sends.push(...sub.sends)
        return out
      },
      hasMachine: this.shared.hasMachine,
      execute: (msgs) => this.execute(principal, msgs, depth + 1),
      executable: this.shared.executable
    }
  }

  // what every context of this scope shares (they depend on the scope only): made once per scope
  private readonly emitter = (event: Event): void => {
    this.events.push(event)
  }
  private sharedFns: Pick<ExecContext, "hasMachine" | "executable"> | undefined
  private get shared(): Pick<ExecContext, "hasMachine" | "executable"> {
    return (this.sharedFns ??= {
      hasMachine: (name) => this.router.machine(name) !== undefined,
      executable: (msgs) => {
        const authority = this.self(GOV_AUTHORITY)
        msgs.forEach((msg, i) => prefixed(i, msg, () => this.authorityRoute(msg, authority)))
      }
    })
  }

  /**
   * Run `msgs` as the governance authority for `principal`, which must hold `authority.execute`
   * (ExecContext.execute): all in one sub-branch, written only when every message succeeds.
   */
  execute(principal: string, msgs: ReadonlyArray<Any>, depth: number): MsgResult[] {
    if (depth > MAX_CALL_DEPTH) throw new InvalidRequest({ log: `execute nested deeper than ${MAX_CALL_DEPTH} (by ${principal})` })
    checkCapability(() => this.ms.store(CAPABILITIES_NAMESPACE), principal, "authority", "execute", {}, { self: this.self(principal), signers: this.signers }, this.cache)
    const authority = this.self(GOV_AUTHORITY)
    const branch = this.ms.branch()
    const sub = new Executor(this.router, this.block, branch, this.gas, { bech32Prefix: this.prefix, signers: [authority], ...(this.cache ? { cache: this.cache } : {}), ...(this.attribution ? { attribution: this.attribution } : {}) })
    const results = msgs.map((msg, i) =>
      prefixed(i, msg, () => {
        const machine = this.authorityRoute(msg, authority)
        if (!machine) return handleAuthorityMsg(branch, msg, authority, this.block.height)
        const txHash = sha256Parts(["authority-execute", this.block.blockHash, String(i)])
        return machine.handle({ ...sub.context(machine, depth, machinePrincipal(machine.name)), txHash, signers: [authority] }, msg)
      })
    )
    branch.write()
    this.events.push(...sub.events)
    this.sends.push(...sub.sends)
    return results
  }

  /** The machine routing `msg` (undefined for a system authority message), after checking its signers are exactly `authority`. */
  private authorityRoute(msg: Any, authority: string): Machine | undefined {
    const machine = isAuthorityMsg(msg.typeUrl) ? undefined : this.router.msg(msg.typeUrl)
    if (!machine && !isAuthorityMsg(msg.typeUrl)) throw new UnknownRequest({ log: `unrecognized message type ${msg.typeUrl}: no active machine routes it` })
    if (machine?.txFormat?.msgTypeUrls.includes(msg.typeUrl)) {
      throw new Unauthorized({ log: `${msg.typeUrl} is only valid in its own transaction encoding: unauthorized` })
    }
    const signers = machine ? machine.signers(msg) : authoritySigners(msg)
    if (signers.length === 0 || signers.some((s) => s !== authority)) {
      throw new Unauthorized({ log: `expected the governance authority ${authority} as the only signer, got ${signers.join(", ") || "none"}: unauthorized` })
    }
    return machine
  }

  /** Synchronous capability-checked call by `principal` into `call.target`. */
  call(principal: string, call: ChainCall, depth: number, readOnly: boolean, caller?: string): Uint8Array {
    if (depth > MAX_CALL_DEPTH) {
      throw new InvalidRequest({ log: `cross-machine call depth exceeds ${MAX_CALL_DEPTH} (${principal} -> ${call.target}.${call.method})` })
    }
    const { target, request } = this.authorize(principal, call, readOnly, caller)
    const ctx = this.context(target, depth, principalOf(target.name), this.self(principal))
    if (this.attribution === undefined) return target.onCall!(ctx, principal, call.method, call.body, request)
    this.attribution.enter(target.name)
    try {
      return target.onCall!(ctx, principal, call.method, call.body, request)
    } finally {
      this.attribution.exit()
    }
  }

  /** Deliver a queued send (checked when it was queued) at depth 1. */
  deliver(send: QueuedSend): Uint8Array {
    const target = this.router.machine(send.target)
    if (!target?.onCall) throw new UnknownRequest({ log: `unknown machine "${send.target}" (send by ${send.caller})` })
    return target.onCall(this.context(target, 1), send.caller, send.method, send.body)
  }

  private authorize(principal: string, call: ChainCall, readOnly: boolean, caller?: string): { readonly target: Machine; readonly request: unknown } {
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
    checkCapability(() => this.ms.store(CAPABILITIES_NAMESPACE), principal, call.target, call.method, request, { self: this.self(principal), signers: this.signers, ...(caller === undefined ? {} : { caller }) }, this.cache)
    return { target, request }
  }

  /** The gas-charging view of a namespace: one per namespace and scope (every call makes a context). */
  private gasStore(name: string, raw: KVStore): KVStore {
    const stores = (this.gasStores ??= new Map())
    let s = stores.get(name)
    if (s === undefined) stores.set(name, (s = gasKVStore(raw, this.gas)))
    return s
  }

  private self(principal: string): string {
    let s = this.selves.get(principal)
    if (s === undefined) this.selves.set(principal, (s = selfAddress(parsePrincipal(principal), this.prefix)))
    return s
  }
}

/**
 * Own addresses by bech32 prefix, then principal: a pure function of both, asked by every checked
 * call, while executors live one tx. Bounded per prefix; only successful parses are kept.
 */
const selvesByPrefix = new Map<string, Map<string, string>>()
const SELVES_MAX = 4096
const selvesOf = (prefix: string): Map<string, string> => {
  let m = selvesByPrefix.get(prefix)
  if (m === undefined) selvesByPrefix.set(prefix, (m = new Map()))
  if (m.size >= SELVES_MAX) m.clear()
  return m
}

/**
 * `machine:<name>` of each machine name, one string per name: principals key the capability cache
 * and the own-address map on every checked call, and a string made afresh is hashed afresh.
 */
const principals = new Map<string, string>()
const principalOf = (name: string): string => {
  let p = principals.get(name)
  if (p === undefined) {
    p = machinePrincipal(name)
    if (principals.size < 4096) principals.set(name, p)
  }
  return p
}

/** Run `f`; a chain error it throws is rethrown as the same class with its log prefixed by the message index and type. */
const prefixed = <A>(index: number, msg: Any, f: () => A): A => {
  try {
    return f()
  } catch (e) {
    if (!isChainError(e)) throw e
    const Ctor = (e as object).constructor as new (fields: ChainErrorFields) => Error
    throw new Ctor({ log: `message ${index} (${msg.typeUrl}): ${(e as unknown as ChainErrorFields).log}` })
  }
}
