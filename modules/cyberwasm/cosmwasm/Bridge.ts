/**
 * Programs and contracts call each other (issue 13 item 4). Both run inside the cyberwasm
 * machine; each acts only as its own principal (`program:<addr>`, `contract:<addr>`).
 *
 * Program -> contract: a program's `call` / `call-with-gas` whose target is a contract runs the
 * contract's `execute` (msg = the input bytes, info.sender = the program, no funds) with the
 * program's remaining gas (or the given cap) as an SDK gas limit; its Response messages run as
 * wasmd runs them; the program gets the Response `data` (empty when none) or the error text. The
 * contract's storage writes land in the calling program's frame (they roll back with it); what
 * it does in other machines (bank) runs in a branch of every namespace that is dropped when the
 * contract fails, and once it succeeded counts as a cross-machine write of the program (a later
 * failure of that program fails its caller, Engine.ts). `send` / `send-with-reply` /
 * `send-delayed` to a contract run it the same way at delivery, paid from the sender's reserve as
 * any program send: that is how a program schedules a contract.
 *
 * Contract -> program: a contract's WasmMsg::Execute (or a submessage of one) whose
 * `contract_addr` is a program moves the funds from the contract to the program first (the
 * contract's own bank send, `contract:<addr>` principal), then runs the program's
 * `cyberwasm_dispatch` with the msg bytes as input and caller = the contract address, reaching other
 * machines through the contract's (sub)message branch, so everything it did rolls back with it.
 * Inside a call that started in a program the program runs on the same call stack (one depth
 * limit, one reentrancy rule: a program on the stack is re-entered only when it opted in).
 *
 * A WasmQuery::Smart on a program address is refused as wasmd refuses any non-contract address
 * (SystemError `no_such_contract`): a program's read-only dispatch may run while the same
 * program is mid-call on the stack below, where its memory is not a committed state to read.
 *
 * Source: issue 13; wasmd x/wasm/keeper/handler_plugin.go (the message shape), wit/program.wit.
 */
import type { Event } from "cosmjs-types/tendermint/abci/types"
import { MsgExecuteContractResponse } from "cosmjs-types/cosmwasm/wasm/v1/tx"
import { isChainError, OutOfGas } from "../../../chain/ChainError.ts"
import { GasMeter } from "../../../chain/Gas.ts"
import type { ExecContext, MsgContext } from "../../../chain/Machine.ts"
import { isNodeFault } from "../../../chain/internal/TxResult.ts"
import { bankClient } from "../../../chain/generated/bank.ts"
import { programPrincipal } from "../../../chain/Principal.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import type { BankPort } from "../BankAdapter.ts"
import { ProgramFailed } from "../CyberWasmError.ts"
import type { Engine, EngineEnv } from "../internal/Engine.ts"
import { addressBytes } from "../internal/Address.ts"
import { loadInfo } from "../internal/Lifecycle.ts"
import { OverlayStore } from "../internal/OverlayStore.ts"
import { blockInfo, txIndexOf } from "./Wasmd.ts"
import { type Contracts, contractPrincipal, MAX_CALL_DEPTH, type Scope } from "./Contracts.ts"
import type { Coin } from "./Json.ts"
import { readContract } from "./Records.ts"

/** Outcome of one side's call into the other. `gasUsed` in chain (SDK) gas. */
export interface BridgeResult {
  readonly ok: boolean
  readonly data: Uint8Array
  /** Error text when not ok. */
  readonly error: string
  readonly gasUsed: bigint
  /** The thrown chain error (OutOfGas, ...) when the callee stopped on one. */
  readonly exception?: unknown
}

/**
 * A program frame's way back into its own call stack: run `program`'s dispatch with `input`,
 * caller `caller`, over `store`, at most `gasLimit` gas, reaching other machines through `portAs`
 * (the contract's branch, so they roll back with it) (Engine.ts).
 */
export type ProgramCall = (
  store: KVStore, caller: string, program: string, input: Uint8Array, gasLimit: bigint, emit: (e: Event) => void, portAs: (address: string) => BankPort
) => BridgeResult

/** What the engine asks of contracts (EngineEnv.contracts). */
export interface ContractTarget {
  /** Whether `address` is a contract in `store` (the cyberwasm namespace). */
  isContract(store: KVStore, address: string): boolean
  /**
   * Run `contract.execute(msg)` as `caller` (a program) with no funds, at most `gasLimit` gas;
   * storage writes go to an overlay over `store` committed on success; `depth` counts the
   * calls below. Never throws for contract failures (see `ok`).
   */
  execute(req: {
    readonly store: KVStore
    readonly caller: string
    readonly contract: string
    readonly msg: Uint8Array
    readonly gasLimit: bigint
    readonly depth: number
    /** The transaction's hash (32 zero bytes outside a transaction). */
    readonly txHash: Uint8Array
    readonly emit: (e: Event) => void
    readonly callProgram: ProgramCall
  }): BridgeResult
}

interface Link {
  readonly callProgram: ProgramCall
}

const links = new WeakMap<object, Link>()
/** The largest gas limit a program hands a contract (a safe integer for the SDK meter). */
const MAX_LIMIT = 1n << 50n

/**
 * `base` with the cyberwasm namespace replaced by `store` (an overlay of the calling program's
 * frame) and its own gas meter; `branch` layers another overlay over it while the executor
 * branches the other machines. Remembers `link` for the contract's messages to programs.
 */
const wrap = (base: ExecContext, store: KVStore, gas: GasMeter, emit: (e: Event) => void, link: Link): ExecContext => {
  const over: Partial<ExecContext> = {
    store,
    rawStore: store,
    gas,
    emit,
    actAs: (p: string) => wrap(base.actAs(p), store, gas, emit, link),
    branch: <A>(f: (ctx: ExecContext) => A): A => {
      if (!base.branch) throw new ProgramFailed({ log: "a contract called by a program needs a branching context" })
      return base.branch((inner) => {
        const overlay = new OverlayStore(store)
        const events: Event[] = []
        const out = f(wrap(inner, overlay, gas, (e) => events.push(e), link))
        overlay.commit()
        for (const e of events) emit(e)
        return out
      })
    }
  }
  const ctx = new Proxy(base, {
    get(target, key) {
      if (Object.hasOwn(over, key)) return (over as Record<string | symbol, unknown>)[key]
      const v = Reflect.get(target, key, target)
      return typeof v === "function" ? v.bind(target) : v
    }
  })
  links.set(ctx, link)
  return ctx
}

/** Options of the bridge. */
export interface BridgeOptions {
  readonly engine: Engine
  readonly contracts: Contracts
  /** The engine environment of a context (the machine's own, acting as `machine:cyberwasm`). */
  readonly envOf: (ctx: ExecContext, origin: string, txHash: Uint8Array) => EngineEnv
}

/** The bridge: the engine's view of contracts and the keeper's view of programs. */
export class Bridge {
  private readonly engine: Engine
  private readonly contracts: Contracts
  private readonly envOf: BridgeOptions["envOf"]
  constructor(opts: BridgeOptions) {
    this.engine = opts.engine
    this.contracts = opts.contracts
    this.envOf = opts.envOf
  }

  /** Whether `address` names a program (an account of the cyberwasm namespace with program info). */
  isProgram(store: KVStore, address: string): boolean {
    try {
      return loadInfo(store, address) !== undefined
    } catch {
      return false
    }
  }

  /** The engine's view of contracts inside `ctx` (EngineEnv.contracts). */
  target(ctx: ExecContext): ContractTarget {
    return {
      isContract: (store, address) => {
        let raw: Uint8Array
        try {
          raw = addressBytes(address)
        } catch {
          return false
        }
        return raw.length === 32 && readContract(store, raw) !== undefined
      },
      execute: (req) => this.fromProgram(ctx, req)
    }
  }

  private fromProgram(ctx: ExecContext, req: Parameters<ContractTarget["execute"]>[0]): BridgeResult {
    if (req.depth + 1 > MAX_CALL_DEPTH) return { ok: false, data: new Uint8Array(), error: `calling contract ${req.contract}: max call depth exceeded`, gasUsed: 0n }
    const limit = Number(req.gasLimit > MAX_LIMIT ? MAX_LIMIT : req.gasLimit)
    const gas = new GasMeter(limit)
    const link: Link = { callProgram: req.callProgram }
    if (!ctx.branch) return { ok: false, data: new Uint8Array(), error: "calling a contract needs a branching context", gasUsed: 0n }
    try {
      const data = ctx.branch((inner) => {
        const overlay = new OverlayStore(req.store)
        const events: Event[] = []
        const wrapped = wrap(inner, overlay, gas, (e) => events.push(e), link)
        const s: Scope = {
          ctx: wrapped, block: blockInfo(inner), txIndex: txIndexOf({ height: inner.height, ...txIndexField(ctx) }, overlay, req.txHash), depth: req.depth,
          emit: (e) => wrapped.emit(e)
        }
        const out = this.contracts.execute(s, req.caller, req.contract, req.msg, [])
        overlay.commit()
        for (const e of events) req.emit(e)
        return out ?? new Uint8Array()
      })
      return { ok: true, data, error: "", gasUsed: BigInt(Math.min(gas.consumed(), limit)) }
    } catch (e) {
      if (isNodeFault(e) || !isChainError(e)) throw e
      const oog = e instanceof OutOfGas || (e as { _tag?: string })._tag === "OutOfGas"
      return { ok: false, data: new Uint8Array(), error: e.log, gasUsed: oog ? BigInt(limit) : BigInt(Math.min(gas.consumed(), limit)), exception: e }
    }
  }

  /**
   * The keeper's WasmMsg::Execute to a program (Contracts.programs): funds from `contract` to
   * `program` as the contract's own bank send, then the program's dispatch with caller =
   * `contract`. Returns the message response (MsgExecuteContractResponse{data}). Throws the
   * program's failure as a chain error (the submessage's rollback and reply rules apply).
   */
  execute(s: Scope, contract: string, program: string, msg: Uint8Array, funds: ReadonlyArray<Coin>): Uint8Array {
    if (funds.length > 0) {
      bankClient((c) => s.ctx.actAs(contractPrincipal(contract)).call(c)).send({ from: contract, to: program, amount: funds.map((c) => ({ denom: c.denom, amount: c.amount })) })
    }
    const gas = s.ctx.gas
    const cap = s.gasCap === undefined ? gas.remaining() : Math.max(0, Math.min(gas.remaining(), s.gasCap - gas.consumed()))
    const link = links.get(s.ctx)
    let out: BridgeResult
    if (link) {
      // inside a call that started in a program: the same call stack (depth, reentrancy)
      const ctx = s.ctx
      const portAs = (address: string): BankPort => {
        const as = ctx.actAs(programPrincipal(address))
        return { call: (c) => as.call(c), query: (c) => as.query(c) }
      }
      out = link.callProgram(ctx.rawStore ?? ctx.store, contract, program, msg, BigInt(cap), (e) => s.emit(e), portAs)
    } else {
      const txHash = (s.ctx as Partial<MsgContext>).txHash ?? new Uint8Array(32)
      const env = this.envOf(s.ctx, s.ctx.txSigners[0] ?? "", txHash)
      const r = this.engine.run({ ...env, emit: (e) => s.emit(e) }, program, "cyberwasm_dispatch", msg, BigInt(cap), contract, { depth: s.depth })
      out = { ok: r.kind === "ok", data: r.data, error: r.error, gasUsed: r.gasUsed, exception: r.exception }
    }
    gas.consume(Number(out.gasUsed), `cyberwasm program ${program}`)
    if (!out.ok) {
      if (isChainError(out.exception)) throw out.exception
      throw new ProgramFailed({ log: `program ${program}: ${out.error}` })
    }
    return MsgExecuteContractResponse.encode({ data: out.data }).finish()
  }
}

/** The tx index of a message context (MsgContext.txIndex), when `ctx` is one. */
const txIndexField = (ctx: ExecContext): { txIndex?: number } => {
  const i = (ctx as { txIndex?: unknown }).txIndex
  return typeof i === "number" ? { txIndex: i } : {}
}
