/**
 * The execution engine: runs program entry points with persisted memory, the host functions of
 * wit/program.wit, synchronous program-to-program calls (bounded depth, reentrancy only when the
 * callee opted in), async sends, scheduling, reserve and rent. Plain synchronous code (block hot path).
 *
 * Rollback: every program frame writes into its own OverlayStore; a frame that traps, runs out of
 * gas or returns an error discards its overlay, events and sends, and its instance is dropped
 * (reloaded from the stored pages on next use). A failed nested call whose subtree wrote to other
 * machines (bank, graph) or re-entered a program still on the stack cannot be undone in isolation:
 * it fails the caller too.
 *
 * Gas: a frame runs with a budget of metering points (gas * POINTS_PER_GAS) in the instance's
 * gas global; host functions charge the same counter; page writes cost `pageWriteGas` each, and a
 * page new to the state `stateGasPerByte` per byte (docs/cyberwasm.md "Pricing of state growth").
 *
 * Contracts: a call or delivered send whose target is a CosmWasm contract runs it through
 * `EngineEnv.contracts` (cosmwasm/Bridge.ts); a contract's WasmMsg::Execute to a program comes back
 * onto the same call stack (`fromContract`), so depth and reentrancy hold across both kinds.
 */
import { blake2b } from "@noble/hashes/blake2.js"
import { blake3 } from "@noble/hashes/blake3.js"
import { sha256, sha512 } from "@noble/hashes/sha2.js"
import { keccak_256 } from "@noble/hashes/sha3.js"
import { ed25519 } from "@noble/curves/ed25519.js"
import { secp256k1 } from "@noble/curves/secp256k1.js"
import type { Event } from "cosmjs-types/tendermint/abci/types"
import { isChainError, OutOfGas } from "../../../chain/ChainError.ts"
import { isNodeFault, NodeFault } from "../../../chain/internal/TxResult.ts"
import type { BlockContext } from "../../../chain/Machine.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import type { BankAdapter, BankPort } from "../BankAdapter.ts"
import type { BridgeResult, ContractTarget } from "../cosmwasm/Bridge.ts"
import { chainGraph, type GraphAdapter } from "../GraphAdapter.ts"
import { CallRefused, ProgramFailed, ProgramFrozen, ProgramNotFound } from "../CyberWasmError.ts"
import { POINTS_PER_GAS } from "../instrument/CostTable.ts"
import { HostCost, type CyberWasmParams } from "../Params.ts"
import { HostError, type HostImpl } from "../runtime/HostBridge.ts"
import { type EntryResult, type LiveInstance, PAGE_SIZE } from "../runtime/LiveInstance.ts"
import type { ProgramRuntime } from "../runtime/ProgramRuntime.ts"
import { counterBytes, encodeMessage, encodeSchedule, Keys, type ProgramInfo, type ProgramMessage, readCounter } from "../State.ts"
import { addressBytes, moduleAddress } from "./Address.ts"
import { OverlayStore } from "./OverlayStore.ts"
import { burnRate, creditReserve, loadInfo, saveInfo, settleRent } from "./Lifecycle.ts"

const P = BigInt(POINTS_PER_GAS)
const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b
const per = (len: number, unit: number): number => Math.floor((len + unit - 1) / unit)
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString("hex")

/** What one top-level execution sees of the chain. */
export interface EngineEnv {
  readonly block: BlockContext
  /** The cyberwasm namespace in the current branch, unmetered (the engine charges gas itself). */
  readonly store: KVStore
  /** First signer of the tx (empty outside a tx). */
  readonly origin: string
  readonly txHash: Uint8Array
  /** Queries: no writes, no sends, nothing persisted. */
  readonly readOnly: boolean
  emit(event: Event): void
  /** Queue an async program message (delivered after the block's txs). */
  send(message: ProgramMessage): void
  /** Other machines, called as the cyberwasm machine itself (capability-checked calls, queries). */
  readonly port: BankPort
  /**
   * Other machines, called as the program at `address` (`program:<address>`): the executor checks
   * that program's capabilities, so a program acts only as itself.
   */
  portAs(address: string): BankPort
  log?(address: string, message: string): void
  /** CosmWasm contracts as call and send targets (cosmwasm/Bridge.ts); absent without a VM. */
  readonly contracts?: ContractTarget
}

/** Outcome of a top-level run. */
export interface RunOutcome {
  readonly kind: "ok" | "err" | "trap"
  readonly data: Uint8Array
  /** Error text (program error or trap reason). */
  readonly error: string
  /** The thrown chain error for traps (OutOfGas, ProgramFailed, ...). */
  readonly exception?: unknown
  /** Gas used, including page writes; equals the limit after out of gas. */
  readonly gasUsed: bigint
}

/** Options of a run. */
export interface RunOptions {
  /** A freshly created program: run `_initialize` first and persist every non-zero page. */
  readonly create?: boolean
  /** Use this instance (an upgrade's new code over the old memory). */
  readonly instance?: LiveInstance
  /** Calls already below this run (a contract's submessage depth, cosmwasm/Bridge.ts). */
  readonly depth?: number
  /** Other machines for this frame and the frames above it (a calling contract's branch). */
  readonly portAs?: (address: string) => BankPort
}

interface Frame {
  readonly address: string
  readonly raw: Uint8Array
  readonly inst: LiveInstance
  readonly caller: string
  readonly store: OverlayStore
  readonly events: Event[]
  readonly sends: ProgramMessage[]
  /** Other machines as this program; set for programs a contract called (its branch, Bridge.ts). */
  readonly portAs?: (address: string) => BankPort
  crossWrites: boolean
  reentered: boolean
}

interface FrameOutcome {
  readonly kind: "ok" | "err" | "trap"
  readonly data: Uint8Array
  readonly error: string
  readonly exception?: unknown
  /** Points used, including page writes. */
  readonly points: bigint
  readonly crossWrites: boolean
  readonly reentered: boolean
}

/** The engine: stateless between executions apart from the runtime's caches. */
export class Engine {
  readonly params: CyberWasmParams
  readonly runtime: ProgramRuntime
  readonly bank: BankAdapter
  readonly graph: GraphAdapter
  readonly moduleAccount: string
  constructor(params: CyberWasmParams, runtime: ProgramRuntime, bank: BankAdapter, graph: GraphAdapter = chainGraph) {
    this.params = params
    this.runtime = runtime
    this.bank = bank
    this.graph = graph
    this.moduleAccount = moduleAddress(params.addressPrefix)
  }

  /**
   * Run `entry` of `address` with `input` and a gas limit. Never throws for program failures (see
   * `kind`); throws ProgramNotFound / ProgramFrozen when the program cannot run at all.
   */
  run(env: EngineEnv, address: string, entry: string, input: Uint8Array, gasLimit: bigint, caller: string, opts: RunOptions = {}): RunOutcome {
    const exec = new Execution(this, env, opts.depth ?? 0)
    const points = gasLimit * P > 1n << 62n ? 1n << 62n : gasLimit * P
    if (entry === "cyberwasm_dispatch" && env.contracts?.isContract(env.store, address)) return exec.contractRoot(address, input, gasLimit, caller)
    const out = exec.frame(address, entry, input, points, caller, env.store, undefined, opts)
    if (out.kind === "ok" && !env.readOnly) {
      // frames already merged their effects into env.store; flush events and sends
      for (const e of exec.events) env.emit(e)
      for (const m of exec.sends) env.send(m)
    }
    const gasUsed = out.exception instanceof OutOfGas ? gasLimit : ceilDiv(out.points, P)
    return { kind: out.kind, data: out.data, error: out.error, exception: out.exception, gasUsed }
  }
}

class Execution {
  private readonly engine: Engine
  private readonly env: EngineEnv
  private readonly stack: Frame[] = []
  readonly events: Event[] = []
  readonly sends: ProgramMessage[] = []
  private readonly baseDepth: number
  constructor(engine: Engine, env: EngineEnv, baseDepth: number) {
    this.engine = engine
    this.env = env
    this.baseDepth = baseDepth
  }

  /** A delivered send (or a top-level call) whose target is a contract (cosmwasm/Bridge.ts). */
  contractRoot(contract: string, input: Uint8Array, gasLimit: bigint, caller: string): RunOutcome {
    if (this.env.readOnly) return { kind: "err", data: new Uint8Array(), error: "a contract cannot be executed in a read-only query", gasUsed: 0n }
    const nested = { sends: this.sends, crossWrites: false }
    const out = this.env.contracts!.execute({
      store: this.env.store, caller, contract, msg: input, gasLimit, depth: this.baseDepth, txHash: this.env.txHash, emit: (e) => this.events.push(e),
      callProgram: (store, from, program, msg, gas, emit, portAs) => this.fromContract(undefined, nested, store, from, program, msg, gas, emit, portAs)
    })
    if (out.ok) {
      for (const e of this.events) this.env.emit(e)
      for (const m of this.sends) this.env.send(m)
    } else if (nested.crossWrites) {
      // a program it called re-entered a program on the stack: fail as a trap
      const exception = new ProgramFailed({ log: `contract ${contract} failed after a program it called re-entered a program still on the stack, which cannot be rolled back alone: ${out.error}` })
      return { kind: "trap", data: new Uint8Array(), error: exception.log, exception, gasUsed: out.gasUsed }
    }
    return { kind: out.ok ? "ok" : out.exception !== undefined ? "trap" : "err", data: out.data, error: out.error, exception: out.exception, gasUsed: out.gasUsed }
  }

  /** A contract's WasmMsg::Execute to a program, on this call stack above `parentFrame`. */
  private fromContract(
    parentFrame: Frame | undefined, nested: { sends: ProgramMessage[]; crossWrites: boolean }, store: KVStore, contract: string, program: string, input: Uint8Array, gas: bigint,
    emit: (e: Event) => void, portAs: (address: string) => BankPort
  ): BridgeResult {
    const points = gas * P > 1n << 62n ? 1n << 62n : gas * P
    const events: Event[] = []
    const holder: Frame | undefined = parentFrame ? { ...parentFrame, events, sends: nested.sends, crossWrites: false, reentered: false } : undefined
    const before = this.events.length
    let out: FrameOutcome
    try {
      out = this.frame(program, "cyberwasm_dispatch", input, points, contract, store, holder, { portAs })
    } catch (e) {
      if (isChainError(e) && !(e instanceof OutOfGas)) return { ok: false, data: new Uint8Array(), error: e.log, gasUsed: 0n, exception: e }
      throw e
    }
    // the program's writes to other machines went through the contract's branch (portAs) and
    // roll back with it; a re-entered program still on the stack below cannot be undone alone
    nested.crossWrites ||= out.reentered || (holder?.reentered ?? false)
    if (holder?.reentered && parentFrame) parentFrame.reentered = true
    // the program's events go where the contract's go (kept only if the contract's branch is)
    for (const e of holder ? events : this.events.splice(before)) emit(e)
    const gasUsed = out.exception instanceof OutOfGas ? gas : ceilDiv(out.points, P)
    return { ok: out.kind === "ok", data: out.data, error: out.error, gasUsed, ...(out.kind === "trap" ? { exception: out.exception } : {}) }
  }

  /** Synchronous call from `frame` into the contract `target` (cosmwasm/Bridge.ts). */
  private callContract(frame: Frame, target: string, input: Uint8Array, budget: bigint): Uint8Array {
    if (this.env.readOnly) throw new HostError(`calling contract ${target} is not allowed in a read-only query`)
    const nested = { sends: [] as ProgramMessage[], crossWrites: false }
    const out = this.env.contracts!.execute({
      store: frame.store, caller: frame.address, contract: target, msg: input, gasLimit: budget / P, depth: this.baseDepth + this.stack.length, txHash: this.env.txHash,
      emit: (e) => frame.events.push(e),
      callProgram: (store, from, program, msg, gas, emit, portAs) => this.fromContract(frame, nested, store, from, program, msg, gas, emit, portAs)
    })
    frame.inst.charge(out.gasUsed * P, `call ${target}`)
    if (!out.ok && nested.crossWrites) {
      throw new ProgramFailed({ log: `call to contract ${target} failed after a program it called re-entered a program still on the stack, which cannot be rolled back alone: ${out.error}` })
    }
    if (!out.ok) throw new HostError(out.error)
    frame.sends.push(...nested.sends)
    // the contract's bank moves (and those of programs it called) are committed outside this frame's overlay
    frame.crossWrites = true
    return out.data
  }

  frame(address: string, entry: string, input: Uint8Array, points: bigint, caller: string, parent: KVStore, parentFrame: Frame | undefined, opts: RunOptions = {}): FrameOutcome {
    const { params, runtime } = this.engine
    const height = this.env.block.height
    const raw = addressBytes(address)
    const info = loadInfo(parent, address)
    if (!info) throw new ProgramNotFound({ log: `no program at ${address}` })
    if (!this.env.readOnly && info.status === "active" && height > info.rentPaidHeight) {
      settleRent(info, height, params)
      saveInfo(parent, info, params)
    }
    if (info.status !== "active" && !(this.env.readOnly && info.status === "frozen")) {
      throw new ProgramFrozen({ log: `program ${address} is ${info.status}${info.status === "frozen" ? " (reserve empty: deposit to resume)" : ""}` })
    }
    if (this.stack.length >= params.maxCallDepth) {
      throw new CallRefused({ log: `call depth limit ${params.maxCallDepth} reached calling ${address}` })
    }
    const onStack = this.stack.findIndex((f) => f.address === address)
    if (onStack >= 0) {
      if (!this.stack[onStack]!.inst.reentryAllowed) throw new CallRefused({ log: `reentrant call into ${address} refused (the program did not opt in with allow_reentry)` })
      for (let i = onStack; i < this.stack.length; i++) this.stack[i]!.reentered = true
    }
    let inst: LiveInstance
    try {
      inst = opts.instance ?? (opts.create ? runtime.cached(address)! : runtime.instance(parent, info, raw))
    } catch (e) {
      throw isChainError(e) ? e : fault(e, address, height, "loading")
    }
    // one memory budget for the whole call stack (instrument/Limits.ts maxTreePages)
    let others = 0
    const counted = new Set<LiveInstance>([inst])
    for (const f of this.stack) {
      if (!counted.has(f.inst)) others += f.inst.pages()
      counted.add(f.inst)
    }
    const treePages = params.limits.maxTreePages
    if (others + inst.pages() > treePages) {
      throw new CallRefused({ log: `calling ${address}: the call stack would hold ${others + inst.pages()} memory pages, over the limit ${treePages}` })
    }
    const store = new OverlayStore(parent)
    const portAs = opts.portAs ?? parentFrame?.portAs
    const frame: Frame = { address, raw, inst, caller, store, events: [], sends: [], ...(portAs ? { portAs } : {}), crossWrites: false, reentered: false }
    const saved = inst.active > 0 ? { gas: inst.gas(), depth: inst.depth(), host: inst.host, reentry: inst.reentryAllowed, memLimit: inst.memLimit() } : undefined
    inst.setMemLimit(Math.min(inst.program.maxPages, treePages - others))
    inst.setGas(points)
    // one stack-weight budget for the whole call tree: a nested call starts at the caller's weight
    // plus the host frames between them (instrument/Limits.ts hostCallWeight)
    inst.setDepth(parentFrame ? parentFrame.inst.depth() + params.limits.hostCallWeight : 0)
    inst.host = this.host(frame)
    inst.reentryAllowed = false
    inst.active++
    this.stack.push(frame)
    let result: EntryResult | undefined
    let exception: unknown
    try {
      if (opts.create) inst.initialize()
      const hasEntry = entry === "cyberwasm_dispatch" || (entry === "cyberwasm_init" ? inst.program.hasInit : inst.program.hasUpgrade)
      result = hasEntry ? inst.invoke(entry, input) : { ok: true, data: new Uint8Array() }
    } catch (e) {
      exception = e
    }
    const left = inst.gas()
    this.stack.pop()
    inst.active--
    if (exception !== undefined && isNodeFault(exception)) {
      // the host failed, not the program: forget the instance and stop (TxResult.ts NodeFault)
      if (saved) {
        inst.setDepth(saved.depth)
        inst.host = saved.host
        inst.reentryAllowed = saved.reentry
        inst.setGas(saved.gas)
        inst.setMemLimit(saved.memLimit)
      } else runtime.drop(address)
      throw fault(exception, address, height, entry)
    }
    if (saved) {
      inst.setDepth(saved.depth)
      inst.host = saved.host
      inst.reentryAllowed = saved.reentry
      inst.setMemLimit(saved.memLimit)
    }
    let used = left < 0n ? points : points - left
    const restoreGas = () => {
      if (saved) inst.setGas(saved.gas)
    }
    // pages new to the state are priced per byte like any state growth (Params stateGasPerByte);
    // a call that cannot pay for what it would persist runs out of gas and persists nothing
    let pagePoints = 0n
    if (exception === undefined && result?.ok && !this.env.readOnly) {
      const cost = runtime.persistCost(store, raw, inst)
      pagePoints = BigInt((cost.written - cost.created) * params.pageWriteGas + cost.created * params.stateGasPerByte * PAGE_SIZE) * P
      if (used + pagePoints > points) {
        exception = new OutOfGas({ log: `out of gas persisting ${cost.written} pages (${cost.created} new to the state) of program ${address}` })
        used = points
      }
    }
    if (exception !== undefined || !result || !result.ok) {
      restoreGas()
      if (inst.active === 0) {
        if (opts.create || opts.instance) runtime.drop(address)
        else runtime.rollback(parent, info, raw, inst)
      } else if (parentFrame) parentFrame.reentered = true
      const error = exception !== undefined ? messageOf(exception) : result && !result.ok ? result.error : "no result"
      return {
        kind: exception !== undefined ? "trap" : "err", data: new Uint8Array(), error, exception, points: used,
        crossWrites: frame.crossWrites, reentered: frame.reentered
      }
    }
    if (!this.env.readOnly) {
      const fresh = loadInfo(store, address)!
      runtime.persist(store, fresh, raw, inst)
      saveInfo(store, fresh, params)
      used += pagePoints
      store.commit()
      const events = parentFrame ? parentFrame.events : this.events
      const sends = parentFrame ? parentFrame.sends : this.sends
      events.push(...frame.events)
      sends.push(...frame.sends)
      if (parentFrame) {
        parentFrame.crossWrites ||= frame.crossWrites
      }
    } else if (inst.active === 0 && (inst.dirtyPages().length > 0 || inst.pages() !== info.pages)) {
      if (opts.instance && runtime.cached(address) !== inst) void 0 // a throwaway instance: nothing cached to undo
      else runtime.rollback(parent, info, raw, inst)
    }
    restoreGas()
    return { kind: "ok", data: result.data, error: "", points: used, crossWrites: frame.crossWrites, reentered: frame.reentered }
  }

  /** Synchronous call from `frame` into `target`, forwarding at most `cap` points. */
  private callProgram(frame: Frame, target: string, input: Uint8Array, capGas: bigint | undefined): Uint8Array {
    const inst = frame.inst
    inst.charge(BigInt(HostCost.call) * P, "call")
    const avail = inst.gas()
    const budget = capGas === undefined || capGas * P > avail ? avail : capGas * P
    if (this.env.contracts?.isContract(frame.store, target)) return this.callContract(frame, target, input, budget)
    let out: FrameOutcome
    try {
      out = this.frame(target, "cyberwasm_dispatch", input, budget, frame.address, frame.store, frame)
    } catch (e) {
      // the callee could not start (refused, frozen, missing, bad address): an error for the caller
      if (e instanceof OutOfGas) throw e
      if (e instanceof CallRefused || e instanceof ProgramFrozen || e instanceof ProgramNotFound || isChainError(e)) throw new HostError(e.log)
      throw e
    }
    inst.charge(out.points, `call ${target}`)
    if (out.kind === "ok") return out.data
    if (out.crossWrites || out.reentered) {
      throw new ProgramFailed({ log: `call to ${target} failed after writing to other machines or re-entering a calling program, which cannot be rolled back alone: ${out.error}` })
    }
    throw new HostError(out.kind === "trap" ? `call to ${target} trapped: ${out.error}` : out.error)
  }

  private writable(what: string): void {
    if (this.env.readOnly) throw new ProgramFailed({ log: `${what} is not allowed in a read-only query` })
  }

  private nextId(frame: Frame): bigint {
    const info = loadInfo(frame.store, frame.address)!
    const id = info.nextId
    info.nextId = id + 1n
    saveInfo(frame.store, info, this.engine.params)
    return id
  }

  private schedule(frame: Frame, height: bigint, every: bigint, input: Uint8Array): bigint {
    this.writable("scheduling")
    frame.inst.charge(BigInt(HostCost.schedule + input.length * this.engine.params.stateGasPerByte) * P, "schedule")
    if (height <= BigInt(this.env.block.height)) throw new ProgramFailed({ log: `schedule at height ${height}: not in the future (now ${this.env.block.height})` })
    const id = this.nextId(frame)
    frame.store.set(Keys.schedule(height, frame.raw, id), encodeSchedule({ id, every, input }))
    frame.store.set(Keys.scheduleIndex(frame.raw, id), counterBytes(height))
    return id
  }

  private queue(frame: Frame, target: string, input: Uint8Array, withReply: boolean, tag: bigint, delay: bigint): bigint {
    this.writable("send")
    frame.inst.charge(BigInt(HostCost.send + input.length) * P, "send")
    addressBytes(target)
    const id = this.nextId(frame)
    const message: ProgramMessage = { from: frame.address, to: target, input, id, withReply, tag }
    if (delay === 0n) frame.sends.push(message)
    else {
      frame.inst.charge(BigInt(input.length * this.engine.params.stateGasPerByte) * P, "send_delayed (stored)")
      if (delay < 1n) throw new ProgramFailed({ log: "send_delayed needs at least 1 block" })
      const seq = readCounter(frame.store.get(Keys.delayedSeq))
      frame.store.set(Keys.delayedSeq, counterBytes(seq + 1n))
      frame.store.set(Keys.delayed(BigInt(this.env.block.height) + delay, seq), encodeMessage(message))
    }
    return id
  }

  private machine<T>(frame: Frame, write: boolean, run: () => T): T {
    if (write) {
      this.writable("a cross-machine write")
      frame.crossWrites = true
    }
    frame.inst.charge(BigInt(HostCost.machine) * P, "machine")
    try {
      return run()
    } catch (e) {
      if (e instanceof OutOfGas) throw e
      if (typeof e === "object" && e !== null && "log" in e) throw new HostError(String((e as { log: string }).log))
      throw e
    }
  }

  /**
   * A graph read for a host function without an error result: a particle the graph does not know
   * reads as `empty` (rank 0, no links); any other graph error traps the program with its log.
   */
  private graphRead<T>(run: () => T, empty: T): T {
    try {
      return run()
    } catch (e) {
      if (isChainError(e) && e._tag === "ParticleNotFound") return empty
      if (isChainError(e)) throw new HostError(e.log)
      throw e
    }
  }

  private neighbours(frame: Frame, direction: "outlinks" | "backlinks", particle: string, limit: number): Uint8Array {
    const what = direction === "outlinks" ? "query_outlinks" : "query_backlinks"
    frame.inst.charge(BigInt(HostCost.graphRead) * P, what)
    const list = limit === 0 ? [] : this.graphRead(() => this.engine.graph.neighbours((frame.portAs ?? this.env.portAs)(frame.address), direction, particle, limit > 1000 ? 1000 : limit), [])
    const out = new TextEncoder().encode(list.join("\n"))
    frame.inst.charge(BigInt(per(out.length, 64)) * P, what)
    return out
  }

  private stableRange(frame: Frame, offset: bigint, len: number): void {
    const info = loadInfo(frame.store, frame.address)!
    if (offset + BigInt(len) > BigInt(info.stablePages) * BigInt(PAGE_SIZE)) {
      throw new ProgramFailed({ log: `stable memory access [${offset}, ${offset + BigInt(len)}) beyond ${info.stablePages} pages` })
    }
  }

  /** The host functions for one frame. */
  private host(frame: Frame): HostImpl {
    const env = this.env
    const engine = this.engine
    const inst = frame.inst
    const c = (gas: number, what: string) => inst.charge(BigInt(gas) * P, what)
    const hash = (what: string, f: (d: Uint8Array) => Uint8Array) => (data: Uint8Array): Uint8Array => {
      c(HostCost.hash + per(data.length, 64), what)
      return f(data)
    }
    // every call a program makes to another machine is made as that program's principal
    const bankPort = (frame.portAs ?? env.portAs)(frame.address)
    return {
      selfAddress: () => (c(HostCost.context, "self_address"), frame.address),
      caller: () => (c(HostCost.context, "caller"), frame.caller),
      origin: () => (c(HostCost.context, "origin"), env.origin),
      blockHeight: () => (c(HostCost.context, "block_height"), BigInt(env.block.height)),
      blockTime: () => (c(HostCost.context, "block_time"), env.block.time.seconds),
      chainId: () => (c(HostCost.context, "chain_id"), env.block.chainId),
      txHash: () => (c(HostCost.context, "tx_hash"), env.txHash),
      blockHash: () => (c(HostCost.context, "block_hash"), env.block.blockHash),
      call: (target, input) => this.callProgram(frame, target, input, undefined),
      callWithGas: (target, input, gas) => this.callProgram(frame, target, input, gas),
      send: (target, input) => this.queue(frame, target, input, false, 0n, 0n),
      sendWithReply: (target, input, tag) => this.queue(frame, target, input, true, tag, 0n),
      sendDelayed: (target, input, blocks) => this.queue(frame, target, input, false, 0n, blocks < 1n ? -1n : blocks),
      queryMachine: (machine, method, body) => this.machine(frame, false, () => bankPort.query({ target: machine, method, body })),
      callMachine: (machine, method, body) => this.machine(frame, true, () => bankPort.call({ target: machine, method, body })),
      schedulePeriodic: (every, input) => {
        if (every < 1n) throw new ProgramFailed({ log: "schedule_periodic needs every >= 1" })
        const h = BigInt(env.block.height)
        return this.schedule(frame, (h / every + 1n) * every, every, input)
      },
      scheduleAt: (height, input) => this.schedule(frame, height, 0n, input),
      scheduleDelayed: (blocks, input) => this.schedule(frame, BigInt(env.block.height) + (blocks < 1n ? 0n : blocks), 0n, input),
      cancelSchedule: (id) => {
        this.writable("cancel_schedule")
        c(HostCost.cancel, "cancel_schedule")
        const idx = frame.store.get(Keys.scheduleIndex(frame.raw, id))
        if (!idx) return false
        frame.store.delete(Keys.schedule(readCounter(idx), frame.raw, id))
        frame.store.delete(Keys.scheduleIndex(frame.raw, id))
        return true
      },
      gasRemaining: () => {
        c(HostCost.context, "gas_remaining")
        const g = inst.gas()
        return g < 0n ? 0n : g / P
      },
      gasReserveBalance: () => (c(HostCost.context, "gas_reserve_balance"), loadInfo(frame.store, frame.address)!.reserve),
      gasBurnRate: () => (c(HostCost.context, "gas_burn_rate"), burnRate(loadInfo(frame.store, frame.address)!, engine.params)),
      depositToReserve: (amount) => {
        this.machine(frame, true, () => engine.bank.send(bankPort, frame.address, engine.moduleAccount, engine.params.feeDenom, amount))
        const info = loadInfo(frame.store, frame.address)!
        creditReserve(info, amount * engine.params.gasPerToken, env.block.height)
        saveInfo(frame.store, info, engine.params)
      },
      sha256: hash("sha256", (d) => sha256(d)),
      sha512: hash("sha512", (d) => sha512(d)),
      keccak256: hash("keccak256", (d) => keccak_256(d)),
      blake2b256: hash("blake2b256", (d) => blake2b(d, { dkLen: 32 })),
      blake3: hash("blake3", (d) => blake3(d)),
      ed25519Verify: (message, signature, pubkey) => {
        c(HostCost.ed25519 + per(message.length, 64), "ed25519_verify")
        try {
          return ed25519.verify(signature, message, pubkey)
        } catch {
          return false
        }
      },
      secp256k1Verify: (messageHash, signature, pubkey) => {
        c(HostCost.secp256k1, "secp256k1_verify")
        try {
          return secp256k1.verify(signature, messageHash, pubkey, { prehash: false })
        } catch {
          return false
        }
      },
      secp256k1Recover: (messageHash, signature, recoveryId) => {
        c(HostCost.secp256k1Recover, "secp256k1_recover")
        try {
          const sig = secp256k1.Signature.fromBytes(signature, "compact").addRecoveryBit(recoveryId)
          return sig.recoverPublicKey(messageHash).toBytes(true)
        } catch {
          return undefined
        }
      },
      bankSend: (to, denom, amount) => this.machine(frame, true, () => engine.bank.send(bankPort, frame.address, to, denom, amount)),
      bankBalance: (owner, denom) => (c(HostCost.bankRead, "bank_balance"), engine.bank.balance(bankPort, owner, denom)),
      bankTotalSupply: (denom) => (c(HostCost.bankRead, "bank_total_supply"), engine.bank.supply(bankPort, denom)),
      bankMint: (denom, amount) => {
        this.machine(frame, true, () => engine.bank.mint(bankPort, frame.address, denom, amount))
      },
      bankBurn: (denom, amount) => {
        this.machine(frame, true, () => engine.bank.burn(bankPort, frame.address, denom, amount))
      },
      stableRead: (offset, len) => {
        c(HostCost.stableRead + per(len, 64), "stable_read")
        this.stableRange(frame, offset, len)
        const out = new Uint8Array(len)
        let o = 0
        while (o < len) {
          const abs = offset + BigInt(o)
          const page = Number(abs / BigInt(PAGE_SIZE))
          const at = Number(abs % BigInt(PAGE_SIZE))
          const n = Math.min(PAGE_SIZE - at, len - o)
          const stored = frame.store.get(Keys.stable(frame.raw, page))
          if (stored) out.set(stored.subarray(at, at + n), o)
          o += n
        }
        return out
      },
      stableWrite: (offset, data) => {
        this.writable("stable_write")
        c(HostCost.stableWrite + per(data.length, 16), "stable_write")
        this.stableRange(frame, offset, data.length)
        let o = 0
        while (o < data.length) {
          const abs = offset + BigInt(o)
          const page = Number(abs / BigInt(PAGE_SIZE))
          const at = Number(abs % BigInt(PAGE_SIZE))
          const n = Math.min(PAGE_SIZE - at, data.length - o)
          const key = Keys.stable(frame.raw, page)
          const stored = frame.store.get(key)
          if (!stored) c(engine.params.stateGasPerByte * PAGE_SIZE, "stable_write (new page)")
          const bytes = stored?.slice() ?? new Uint8Array(PAGE_SIZE)
          bytes.set(data.subarray(o, o + n), at)
          frame.store.set(key, bytes)
          o += n
        }
      },
      stableSize: () => (c(HostCost.context, "stable_size"), BigInt(loadInfo(frame.store, frame.address)!.stablePages)),
      stableGrow: (pages) => {
        this.writable("stable_grow")
        c(HostCost.stableGrowPerPage * Number(pages > 1024n ? 1024n : pages), "stable_grow")
        const info = loadInfo(frame.store, frame.address)!
        const old = info.stablePages
        if (BigInt(old) + pages > BigInt(engine.params.maxStablePages)) return -1n
        info.stablePages = old + Number(pages)
        saveInfo(frame.store, info, engine.params)
        return BigInt(old)
      },
      createCyberlink: (from, to) => this.machine(frame, true, () => engine.graph.link(bankPort, frame.address, from, to)),
      queryRank: (particle) => {
        c(HostCost.graphRead, "query_rank")
        return this.graphRead(() => engine.graph.rank(bankPort, particle), 0n)
      },
      queryBacklinks: (particle, limit) => this.neighbours(frame, "backlinks", particle, limit),
      queryOutlinks: (particle, limit) => this.neighbours(frame, "outlinks", particle, limit),
      emitEvent: (kind, data) => {
        c(HostCost.event + kind.length + data.length, "emit_event")
        frame.events.push({
          type: `cyberwasm.${kind}`,
          attributes: [
            { key: "program", value: frame.address, index: true },
            { key: "data", value: hexOf(data), index: false }
          ]
        })
      },
      log: (message) => {
        c(HostCost.log, "log")
        env.log?.(frame.address, message)
      },
      abort: (message) => {
        throw new ProgramFailed({ log: `program ${frame.address} aborted: ${message}` })
      },
      allowReentry: (allow) => {
        c(HostCost.context, "allow_reentry")
        inst.reentryAllowed = allow
      }
    }
  }
}

/** A NodeFault naming the block height and the innermost program that was running. */
const fault = (e: unknown, address: string, height: number, what: string): NodeFault =>
  e instanceof NodeFault && e.height >= 0
    ? e
    : new NodeFault(`program ${address} (${what}): ${e instanceof NodeFault ? e.detail : e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, height, { cause: e })

const messageOf = (e: unknown): string =>
  typeof e === "object" && e !== null && "log" in e ? String((e as { log: string }).log) : e instanceof Error ? e.message : String(e)
