/**
 * The cyberwasm machine (issue 5, Tier 2): persistent, self-scheduling, metered Wasm programs.
 *
 * Messages (Messages.ts): StoreCode (validate + store code once under its sha256), Instantiate
 * (new program address, optional reserve deposit, `_initialize` + `cyberwasm_init`), Execute
 * (`cyberwasm_dispatch`, paid by the tx gas), Deposit (fee-denom tokens -> reserve gas, unfreezes),
 * Upgrade (admin swaps code over the same memory; `cyberwasm_upgrade` runs; failure keeps the old
 * code because the message branch is discarded).
 *
 * Blocks: beginBlock freezes programs whose reserve ran out (exhaustion index), evicts programs
 * frozen longer than the grace period, delivers due `send_delayed` messages, then runs the due
 * schedule entries in key order (height, program address, id), each paid from the program's
 * reserve and skipped when it cannot pay. Async sends leave through `ctx.send` to this machine's
 * own `deliver` method (the multiplexer's end-of-block FIFO), paid from the sender's reserve;
 * `send_with_reply` delivers the callee's result back to the sender's dispatch as a reply
 * envelope (`0xff 'R' tag:u64be ok:u8 data`).
 *
 * Source: issue 5; wasmd x/wasm keeper (store/instantiate/execute/migrate flow) for the shape.
 */
import type { Grant } from "../../chain/Capabilities.ts"
import { cyberwasmDispatcher, cyberwasmInterface, DeliverRequest } from "../../chain/generated/cyberwasm.ts"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import { machinePrincipal, moduleAccountBytes, programPrincipal, type PrincipalKind } from "../../chain/Principal.ts"
import { toBech32 } from "@cosmjs/encoding"
import {
  chainParamsFromJson, chainParamsToJson, decodeChainParams, encodeChainParams, PARAMS_KEY, readChainParams, validateChainParams, writeChainParams,
  type CyberWasmChainParams
} from "./ChainParams.ts"
import { CYBERWASM_GRANTS } from "./Grants.ts"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { InvalidRequest, isChainError, NotFound, OutOfGas, TxDecodeError, Unauthorized, UnknownRequest } from "../../chain/ChainError.ts"
import type { ChainCall, ExecContext, Machine, MsgContext, MsgResult, QueryContext } from "../../chain/Machine.ts"
import { isNodeFault } from "../../chain/internal/TxResult.ts"
import { equalBytes, fromHex, InvalidHex, toHex as hex } from "../../lib/Bytes.ts"
import type { KVStore } from "../../store/KVStore.ts"
import { type BankAdapter, type BankPort, chainBank } from "./BankAdapter.ts"
import { NotAdmin, ProgramFailed, ProgramFrozen, ProgramNotFound, ProgramRejected } from "./CyberWasmError.ts"
import { addressBytes, moduleAddress, programAddress } from "./internal/Address.ts"
import { Engine, type EngineEnv, type RunOutcome } from "./internal/Engine.ts"
import { burnRate, chargeReserve, creditReserve, evict, loadInfo, saveInfo, settleRent } from "./internal/Lifecycle.ts"
import * as M from "./Messages.ts"
import { type CyberWasmParams, defaultParams } from "./Params.ts"
import { decodeProgramsRequest, encodeProgramsResponse, listPrograms } from "./Programs.ts"
import { ProgramRuntime } from "./runtime/ProgramRuntime.ts"
import { Bridge } from "./cosmwasm/Bridge.ts"
import { isContractIbc, runContractIbc } from "./cosmwasm/IbcEntryPoints.ts"
import { Contracts } from "./cosmwasm/Contracts.ts"
import { exportWasmGenesis, importWasmGenesis } from "./cosmwasm/Genesis.ts"
import { WASM_PREFIX } from "./cosmwasm/Keys.ts"
import { QUERY_PREFIX as WASM_QUERY_PREFIX, wasmQuery } from "./cosmwasm/Queries.ts"
import type { CosmWasmVm } from "./cosmwasm/Vm.ts"
import { handleWasmMsg, WASM_MSG_TYPE_URLS, wasmSigners } from "./cosmwasm/Wasmd.ts"
import {
  counterBytes, decodeInfo, decodeMessage, decodeSchedule, encodeInfo, encodeMessage, encodeSchedule, Keys, prefixEnd, type ProgramInfo,
  type ProgramMessage, readCounter, readU64
} from "./State.ts"

/** The caller a program sees in an IBC callback (no account or program can be it). */
export const IBC_CALLER = "machine:ibc"

/** Options of the machine. */
export interface CyberWasmOptions {
  readonly params?: Partial<CyberWasmParams>
  /**
   * Chain params for a state that stores none and for fields a genesis `params` section leaves out
   * (default: max_code_bytes = params.limits.maxCodeBytes, max_call_gas = params.maxRunGas).
   */
  readonly chainParams?: Partial<CyberWasmChainParams>
  /** How to reach the bank (default: `ctx.call` to the bank machine). */
  readonly bank?: BankAdapter
  /** Receives programs' `log` host calls (default: ignored). */
  readonly log?: (address: string, message: string) => void
  /**
   * CosmWasm contracts (wasmd's messages and queries, modules/cyberwasm/cosmwasm/): the VM that
   * runs them. Without one the machine serves no `/cosmwasm.wasm.v1.` routes.
   */
  readonly cosmwasm?: { readonly vm: CosmWasmVm }
}

const NAME = "cyberwasm"
const MAX_GAS = BigInt(Number.MAX_SAFE_INTEGER)
const REPLY_MAGIC = [0xff, 0x52] as const

const refuseWrite = (): never => {
  throw new ProgramFailed({ log: "cross-machine calls are not allowed in a read-only query" })
}

/** Carries a failed run's outcome out of the branch it ran in, so that the branch is dropped. */
class FailedRun {
  readonly outcome: RunOutcome
  constructor(outcome: RunOutcome) {
    this.outcome = outcome
  }
}

/**
 * Run a top-level program run (an async delivery, a reply, a scheduled run) in a sub-branch that is
 * kept only when it succeeds: a run that fails after writing to other machines (a bank send) leaves
 * nothing, as a failed tx message leaves nothing. Without `ctx.branch` (contexts that have none)
 * it runs in `ctx`. The reserve charge happens outside, so a failed run still pays its gas.
 */
const runInBranch = (ctx: ExecContext, run: (c: ExecContext) => RunOutcome): RunOutcome => {
  if (!ctx.branch) return run(ctx)
  try {
    return ctx.branch((c) => {
      const out = run(c)
      if (out.kind !== "ok") throw new FailedRun(out)
      return out
    })
  } catch (e) {
    if (e instanceof FailedRun) return e.outcome
    throw e
  }
}

/** Build the reply envelope delivered for `send_with_reply`. */
export const replyEnvelope = (tag: bigint, ok: boolean, data: Uint8Array): Uint8Array => {
  const out = new Uint8Array(11 + data.length)
  out[0] = REPLY_MAGIC[0]
  out[1] = REPLY_MAGIC[1]
  new DataView(out.buffer).setBigUint64(2, tag)
  out[10] = ok ? 1 : 0
  out.set(data, 11)
  return out
}

/** The machine. */
export class CyberWasmMachine implements Machine {
  readonly name = NAME
  readonly version: string = "0.1.0"
  /** Programs are principals this machine runs and acts as (`program:<address>`). */
  readonly hosts: ReadonlyArray<PrincipalKind> = ["program", "contract"]
  /** The call API: wit/chain/cyberwasm.wit. */
  readonly interface: InterfaceSpec = cyberwasmInterface
  /** The machine's own calls and the defaults of every program (docs/capabilities.md). */
  readonly grants: ReadonlyArray<Grant> = CYBERWASM_GRANTS
  /** The program messages and MsgUpdateParams (authority: the gov module account); wasmd's messages with a CosmWasm VM. */
  readonly msgTypeUrls: ReadonlyArray<string>
  readonly queryPrefixes: ReadonlyArray<string>
  /** The CosmWasm keeper (undefined without a VM). */
  readonly contracts: Contracts | undefined
  /** Engine params of this node build (prices, limits); the chain's own params are state (ChainParams.ts). */
  readonly params: CyberWasmParams
  /** Chain params a state without stored ones uses (options.chainParams, else the build's ceiling and params.maxRunGas). */
  readonly chainDefaults: CyberWasmChainParams
  readonly runtime: ProgramRuntime
  readonly engine: Engine
  private readonly bank: BankAdapter
  /** Programs and contracts calling each other (cosmwasm/Bridge.ts); with a CosmWasm VM. */
  private readonly bridge: Bridge | undefined
  private readonly logSink: ((address: string, message: string) => void) | undefined

  constructor(opts: CyberWasmOptions = {}) {
    this.params = { ...defaultParams, ...opts.params }
    this.bank = opts.bank ?? chainBank
    this.logSink = opts.log
    this.runtime = new ProgramRuntime(this.params.limits, this.params.instanceCacheBytes, this.params.maxLiveInstances)
    this.engine = new Engine(this.params, this.runtime, this.bank)
    this.chainDefaults = {
      maxCodeBytes: opts.chainParams?.maxCodeBytes ?? this.params.limits.maxCodeBytes,
      maxCallGas: opts.chainParams?.maxCallGas ?? this.params.maxRunGas
    }
    this.contracts = opts.cosmwasm
      ? new Contracts({ vm: opts.cosmwasm.vm, bech32Prefix: this.params.addressPrefix, maxCodeBytes: (store) => this.chainParams(store).maxCodeBytes })
      : undefined
    this.bridge = this.contracts ? new Bridge({ engine: this.engine, contracts: this.contracts, envOf: (ctx, origin, txHash) => this.env(ctx, origin, txHash) }) : undefined
    if (this.contracts) this.contracts.programs = this.bridge
    const programUrls = [M.TypeUrl.storeCode, M.TypeUrl.instantiate, M.TypeUrl.execute, M.TypeUrl.deposit, M.TypeUrl.upgrade, M.TypeUrl.updateParams]
    this.msgTypeUrls = this.contracts ? [...programUrls, ...WASM_MSG_TYPE_URLS] : programUrls
    this.queryPrefixes = this.contracts ? ["/cyber.cyberwasm.v1.Query/", WASM_QUERY_PREFIX] : ["/cyber.cyberwasm.v1.Query/"]
  }

  /** The chain params in `store` (ChainParams.ts), defaults when none are stored. */
  chainParams(store: KVStore): CyberWasmChainParams {
    return readChainParams(store, this.chainDefaults)
  }

  /** The governance module account (bech32): the only authority of MsgUpdateParams. */
  get authority(): string {
    return toBech32(this.params.addressPrefix, moduleAccountBytes("gov"))
  }

  /** The module account holding reserve deposits. */
  get moduleAccount(): string {
    return moduleAddress(this.params.addressPrefix)
  }

  signers(msg: Any): ReadonlyArray<string> {
    if (this.contracts && msg.typeUrl.startsWith("/cosmwasm.wasm.v1.")) return wasmSigners(this.contracts, msg)
    if (msg.typeUrl === M.TypeUrl.updateParams) {
      const authority = M.MsgUpdateParams.decode(msg.value).authority
      if (!authority) throw new TxDecodeError({ log: `${msg.typeUrl}: missing authority` })
      addressBytes(authority)
      return [authority]
    }
    const sender = this.decode(msg).sender as string
    if (!sender) throw new TxDecodeError({ log: `${msg.typeUrl}: missing sender` })
    addressBytes(sender)
    return [sender]
  }

  private decode(msg: Any): { sender: string } & Record<string, unknown> {
    switch (msg.typeUrl) {
      case M.TypeUrl.storeCode: return M.MsgStoreCode.decode(msg.value)
      case M.TypeUrl.instantiate: return M.MsgInstantiate.decode(msg.value)
      case M.TypeUrl.execute: return M.MsgExecute.decode(msg.value)
      case M.TypeUrl.deposit: return M.MsgDeposit.decode(msg.value)
      case M.TypeUrl.upgrade: return M.MsgUpgrade.decode(msg.value)
      default: throw new UnknownRequest({ log: `unrecognized cyberwasm message type: ${msg.typeUrl}` })
    }
  }

  private port(ctx: ExecContext): BankPort {
    return { call: (c) => ctx.call(c), query: (c) => ctx.query(c) }
  }

  private env(ctx: ExecContext, origin: string, txHash: Uint8Array): EngineEnv {
    return {
      block: ctx,
      store: ctx.rawStore ?? ctx.store,
      origin,
      txHash,
      readOnly: false,
      emit: (e) => ctx.emit(e),
      send: (m) => ctx.send({ target: NAME, method: "deliver", body: DeliverRequest.encode({ message: encodeMessage(m) }) }),
      port: this.port(ctx),
      portAs: (address) => this.port(ctx.actAs(programPrincipal(address))),
      ...(this.logSink ? { log: this.logSink } : {}),
      ...(this.bridge ? { contracts: this.bridge.target(ctx) } : {})
    }
  }

  /** Gas available to a program run inside `ctx` (the tx meter's remainder). */
  private gasFor(ctx: ExecContext): bigint {
    const r = BigInt(ctx.gas.remaining())
    return r > MAX_GAS / 100n ? MAX_GAS / 100n : r
  }

  /** Charge the run's gas to the tx meter and turn failures into chain errors. */
  private settle(ctx: ExecContext, out: RunOutcome, what: string): Uint8Array {
    ctx.gas.consume(Number(out.gasUsed), `cyberwasm ${what}`)
    if (out.kind === "ok") return out.data
    if (out.kind === "trap" && isChainError(out.exception)) throw out.exception
    throw new ProgramFailed({ log: `${what}: ${out.kind === "err" ? "program returned error: " : ""}${out.error}` })
  }

  handle(ctx: MsgContext, msg: Any): MsgResult {
    if (this.contracts && msg.typeUrl.startsWith("/cosmwasm.wasm.v1.")) return handleWasmMsg(this.contracts, ctx, msg)
    const store = ctx.rawStore ?? ctx.store
    switch (msg.typeUrl) {
      case M.TypeUrl.storeCode: {
        const m = M.MsgStoreCode.decode(msg.value)
        ctx.gas.consume(m.wasmByteCode.length * this.params.storeCodeGasPerByte, "cyberwasm store code")
        // the chain's upload limit (state), below the build's instrumentation ceiling
        const limit = this.chainParams(store).maxCodeBytes
        if (m.wasmByteCode.length > limit) throw new ProgramRejected({ log: `program rejected: binary is ${m.wasmByteCode.length} bytes, limit ${limit}` })
        const code = this.runtime.compile(m.wasmByteCode)
        if (!store.has(Keys.code(code.program.hash))) store.set(Keys.code(code.program.hash), m.wasmByteCode)
        ctx.emit({ type: "cyberwasm.store_code", attributes: [{ key: "code_hash", value: hex(code.program.hash), index: true }, { key: "sender", value: m.sender, index: true }] })
        return { typeUrl: "/cyber.cyberwasm.v1.MsgStoreCodeResponse", value: M.MsgStoreCodeResponse.encode({ codeHash: code.program.hash }) }
      }
      case M.TypeUrl.instantiate: {
        const m = M.MsgInstantiate.decode(msg.value)
        const { address, data } = this.instantiate(ctx, m.sender, m.codeHash, m.admin, m.input, m.reserve, m.label, ctx.txHash, m.address)
        return { typeUrl: "/cyber.cyberwasm.v1.MsgInstantiateResponse", value: M.MsgInstantiateResponse.encode({ address, data }) }
      }
      case M.TypeUrl.execute: {
        const m = M.MsgExecute.decode(msg.value)
        const out = this.engine.run(this.env(ctx, m.sender, ctx.txHash), m.program, "cyberwasm_dispatch", m.input, this.gasFor(ctx), m.sender)
        const data = this.settle(ctx, out, `execute ${m.program}`)
        return { typeUrl: "/cyber.cyberwasm.v1.MsgExecuteResponse", value: M.MsgExecuteResponse.encode({ data }) }
      }
      case M.TypeUrl.deposit: {
        const m = M.MsgDeposit.decode(msg.value)
        const reserve = this.deposit(ctx, m.sender, m.program, m.amount)
        return { typeUrl: "/cyber.cyberwasm.v1.MsgDepositResponse", value: M.MsgDepositResponse.encode({ reserve }) }
      }
      case M.TypeUrl.upgrade: {
        const m = M.MsgUpgrade.decode(msg.value)
        const data = this.upgrade(ctx, store, m.sender, m.program, m.codeHash, m.input, ctx.txHash)
        return { typeUrl: "/cyber.cyberwasm.v1.MsgUpgradeResponse", value: M.MsgUpgradeResponse.encode({ data }) }
      }
      case M.TypeUrl.updateParams:
        return this.updateParams(ctx, store, M.MsgUpdateParams.decode(msg.value))
      default:
        throw new UnknownRequest({ log: `unrecognized cyberwasm message type: ${msg.typeUrl}` })
    }
  }

  /**
   * MsgUpdateParams: the authority must be the gov module account (Unauthorized naming it), the
   * params in range (InvalidRequest). Written at once: StoreCode in later blocks (and CheckTx,
   * which reads the last commit) sees the new limit; scheduled runs from the next block's
   * beginBlock use the new call gas.
   */
  private updateParams(ctx: MsgContext, store: KVStore, m: { authority: string; params: Uint8Array }): MsgResult {
    if (m.authority !== this.authority) throw new Unauthorized({ log: `invalid authority; expected ${this.authority}, got ${m.authority}: unauthorized` })
    if (m.params.length === 0) throw new InvalidRequest({ log: "cyberwasm params: params are missing" })
    writeChainParams(store, validateChainParams(decodeChainParams(m.params), this.params.limits.maxCodeBytes))
    ctx.emit({ type: "update_params", attributes: [{ key: "module", value: NAME, index: true }] })
    return { typeUrl: "/cyber.cyberwasm.v1.MsgUpdateParamsResponse", value: M.MsgUpdateParamsResponse.encode({}) }
  }

  /**
   * Create a program from stored code; returns its address and init's data. With `reuse`, the
   * program is redeployed at an evicted program's address (admin or creator only); its memory
   * starts fresh and its memory root chain continues from the evicted program's root.
   */
  instantiate(ctx: ExecContext, sender: string, codeHash: Uint8Array, admin: string, input: Uint8Array, reserve: bigint, label: string, txHash: Uint8Array, reuse = ""): { address: string; data: Uint8Array } {
    const store = ctx.rawStore ?? ctx.store
    const code = this.runtime.code(store, codeHash)
    if (admin) addressBytes(admin)
    let address: string
    let root: Uint8Array = new Uint8Array(32)
    let nextId = 0n
    if (reuse) {
      const old = loadInfo(store, reuse)
      if (!old) throw new ProgramNotFound({ log: `no program at ${reuse}` })
      if (old.status !== "evicted") throw new InvalidRequest({ log: `program ${reuse} is ${old.status}: only an evicted program's address can be redeployed` })
      if (sender !== old.admin && sender !== old.creator) throw new NotAdmin({ log: `${sender} is neither the admin nor the creator of ${reuse}` })
      address = reuse
      root = old.memoryRoot
      nextId = old.nextId
      this.runtime.drop(address)
    } else {
      const seq = readCounter(store.get(Keys.programSeq))
      store.set(Keys.programSeq, counterBytes(seq + 1n))
      address = programAddress(this.params.addressPrefix, seq)
    }
    if (reserve > 0n) this.bank.send(this.port(ctx), sender, this.moduleAccount, this.params.feeDenom, reserve)
    const info: ProgramInfo = {
      address, codeHash: code.program.hash, creator: sender, admin, label, status: "active", reserve: reserve * this.params.gasPerToken,
      pages: 0, memoryRoot: root, rentPaidHeight: ctx.height, frozenHeight: 0, createdHeight: ctx.height, nextId, stablePages: 0
    }
    saveInfo(store, info, this.params)
    this.runtime.create(info, code)
    const out = this.engine.run(this.env(ctx, sender, txHash), address, "cyberwasm_init", input, this.gasFor(ctx), sender, { create: true })
    const data = this.settle(ctx, out, `instantiate ${address}`)
    ctx.emit({ type: "cyberwasm.instantiate", attributes: [{ key: "program", value: address, index: true }, { key: "code_hash", value: hex(codeHash), index: true }] })
    return { address, data }
  }

  /** Deposit `amount` tokens from `sender` into the reserve of `program`; returns the new reserve. */
  deposit(ctx: ExecContext, sender: string, program: string, amount: bigint): bigint {
    const store = ctx.rawStore ?? ctx.store
    const info = loadInfo(store, program)
    if (!info) throw new ProgramNotFound({ log: `no program at ${program}` })
    if (info.status === "evicted") throw new ProgramFrozen({ log: `program ${program} is evicted: redeploy it` })
    if (amount <= 0n) throw new InvalidRequest({ log: "deposit amount must be positive" })
    this.bank.send(this.port(ctx), sender, this.moduleAccount, this.params.feeDenom, amount)
    settleRent(info, ctx.height, this.params)
    creditReserve(info, amount * this.params.gasPerToken, ctx.height)
    saveInfo(store, info, this.params)
    ctx.emit({ type: "cyberwasm.deposit", attributes: [{ key: "program", value: program, index: true }, { key: "amount", value: amount.toString(), index: false }] })
    return info.reserve
  }

  /** Swap the code of `program` (admin only) keeping its memory; runs `cyberwasm_upgrade`. */
  upgrade(ctx: ExecContext, store: KVStore, sender: string, program: string, codeHash: Uint8Array, input: Uint8Array, txHash: Uint8Array): Uint8Array {
    const info = loadInfo(store, program)
    if (!info) throw new ProgramNotFound({ log: `no program at ${program}` })
    if (!info.admin || info.admin !== sender) throw new NotAdmin({ log: `${sender} is not the admin of ${program}` })
    if (info.status !== "active") throw new ProgramFrozen({ log: `program ${program} is ${info.status}` })
    const code = this.runtime.code(store, codeHash)
    const inst = this.runtime.restore(store, info, addressBytes(program), code, true)
    info.codeHash = code.program.hash
    saveInfo(store, info, this.params)
    const out = this.engine.run(this.env(ctx, sender, txHash), program, "cyberwasm_upgrade", input, this.gasFor(ctx), sender, { instance: inst })
    const data = this.settle(ctx, out, `upgrade ${program}`)
    this.runtime.put(program, inst)
    ctx.emit({ type: "cyberwasm.upgrade", attributes: [{ key: "program", value: program, index: true }, { key: "code_hash", value: hex(codeHash), index: true }] })
    return data
  }

  /**
   * The call API (wit/chain/cyberwasm.wit): "deliver" takes one queued program message (the
   * encoded ProgramMessage inside `deliver-request.message`); only `machine:cyberwasm` may deliver.
   * "ibc-callback" runs a program's IBC callback ({@link ibcCallback}); only `machine:ibc` may
   * (Unauthorized otherwise, besides the capability check).
   */
  readonly onCall = cyberwasmDispatcher({
    deliver: (ctx, caller, req) => {
      if (caller !== machinePrincipal(NAME)) throw new Unauthorized({ log: `only cyberwasm itself delivers program messages (caller ${caller})` })
      this.deliver(ctx, decodeMessage(req.message))
      return {}
    },
    ibcCallback: (ctx, caller, req) => {
      if (caller !== IBC_CALLER) throw new Unauthorized({ log: `only the ibc machine delivers IBC callbacks (caller ${caller.slice(0, 128)})` })
      return { data: this.ibcCallback(ctx, req.program, req.message) }
    }
  })

  /**
   * Run `program`'s dispatch with an IBC callback envelope (modules/ibc/apps/programs), caller
   * `machine:ibc`, in a sub-branch (dropped on failure), paid by the transaction's gas meter (the
   * relayer's, as wasmd's IBC entry points) up to the chain's max_call_gas. Returns the dispatch's
   * data. Throws ProgramNotFound / ProgramFrozen, ProgramFailed (cyberwasm 3) for a program error or a
   * trap, and OutOfGas (sdk 11) when the run exhausted the transaction's gas, so a relayer cannot
   * turn a receive into an error acknowledgement by sending too little gas. A contract envelope
   * (cosmwasm/IbcEntryPoints.ts, the port `wasm.<address>`) runs the contract's `ibc_*` entry
   * point instead, as wasmd does (no max_call_gas cap).
   */
  ibcCallback(ctx: ExecContext, program: string, message: Uint8Array): Uint8Array {
    const store = ctx.rawStore ?? ctx.store
    // a contract's port `wasm.<address>` (modules/ibc/apps/contracts): its IBC entry points
    if (this.contracts && isContractIbc(message)) return runContractIbc(this.contracts, ctx, program, message)
    if (!loadInfo(store, program)) throw new ProgramNotFound({ log: `no program at ${program.slice(0, 128)}` })
    const fromTx = this.gasFor(ctx)
    const cap = this.chainParams(store).maxCallGas
    const limit = fromTx < cap ? fromTx : cap
    const out = runInBranch(ctx, (c) => this.engine.run(this.env(c, ctx.txSigners[0] ?? "", new Uint8Array(32)), program, "cyberwasm_dispatch", message, limit, IBC_CALLER))
    ctx.gas.consume(Number(out.gasUsed), `cyberwasm ibc callback ${program}`)
    if (out.kind === "ok") return out.data
    if (out.exception instanceof OutOfGas && limit === fromTx) throw out.exception
    throw new ProgramFailed({ log: `ibc callback ${program}: ${out.kind === "err" ? "program returned error: " : ""}${out.error}` })
  }

  /** Deliver one async message, paid from the sender's reserve; replies when asked. */
  deliver(ctx: ExecContext, m: ProgramMessage): void {
    const store = ctx.rawStore ?? ctx.store
    const result = this.runPaid(ctx, store, m.from, m.to, m.input, "deliver")
    if (m.withReply && result) this.runPaid(ctx, store, m.from, m.from, replyEnvelope(m.tag, result.kind === "ok", result.kind === "ok" ? result.data : new TextEncoder().encode(result.error)), "reply")
  }

  /**
   * Run `target`'s dispatch paid from `payer`'s reserve (at most the chain's max_call_gas). Returns undefined when
   * skipped (payer cannot pay, target frozen/missing); events report every outcome.
   */
  private runPaid(ctx: ExecContext, store: KVStore, payer: string, target: string, input: Uint8Array, kind: string): RunOutcome | undefined {
    const event = (status: string, detail: string, gas: bigint) => ctx.emit({
      type: `cyberwasm.${kind}`,
      attributes: [
        { key: "program", value: target, index: true }, { key: "payer", value: payer, index: true },
        { key: "status", value: status, index: false }, { key: "detail", value: detail, index: false }, { key: "gas_used", value: gas.toString(), index: false }
      ]
    })
    const payerInfo = loadInfo(store, payer)
    if (!payerInfo) return event("skipped", "payer is not a program", 0n), undefined
    settleRent(payerInfo, ctx.height, this.params)
    saveInfo(store, payerInfo, this.params)
    if (payerInfo.status !== "active" || payerInfo.reserve === 0n) return event("skipped", `payer reserve cannot pay (${payerInfo.status})`, 0n), undefined
    const maxCallGas = this.chainParams(store).maxCallGas
    const limit = payerInfo.reserve < maxCallGas ? payerInfo.reserve : maxCallGas
    let out: RunOutcome
    try {
      out = runInBranch(ctx, (c) => this.engine.run(this.env(c, "", new Uint8Array(32)), target, "cyberwasm_dispatch", input, limit, payer))
    } catch (e) {
      if (isNodeFault(e)) throw e // the host failed: stop the block (chain/internal/TxResult.ts)
      event("skipped", isChainError(e) ? e.log : String(e), 0n)
      return undefined
    }
    const after = loadInfo(store, payer)!
    chargeReserve(after, out.gasUsed, ctx.height)
    saveInfo(store, after, this.params)
    event(out.kind, out.error, out.gasUsed)
    return out
  }

  beginBlock(ctx: ExecContext): void {
    const store = ctx.rawStore ?? ctx.store
    const h = ctx.height
    // 1. freeze programs whose reserve ran out
    for (const [k] of [...store.iterate(Keys.exhaustStart, Keys.exhaustUpTo(h))]) {
      const info = decodeInfo(store.get(Keys.info(k.subarray(9)))!)
      settleRent(info, h, this.params)
      saveInfo(store, info, this.params)
      if (info.status === "frozen") ctx.emit({ type: "cyberwasm.frozen", attributes: [{ key: "program", value: info.address, index: true }] })
    }
    // 2. evict programs frozen past the grace period
    for (const [k] of [...store.iterate(Keys.evictStart, Keys.evictUpTo(h))]) {
      const info = decodeInfo(store.get(Keys.info(k.subarray(9)))!)
      evict(store, info, h)
      saveInfo(store, info, this.params)
      this.runtime.drop(info.address)
      ctx.emit({ type: "cyberwasm.evicted", attributes: [{ key: "program", value: info.address, index: true }] })
    }
    // 3. delayed sends due
    const delayed = [...store.iterate(Keys.delayedStart, Keys.delayedUpTo(h))]
    for (const [k] of delayed) store.delete(k)
    for (const [, v] of delayed) this.deliver(ctx, decodeMessage(v))
    // 4. schedule table: due entries in (height, address, id) order
    const due = [...store.iterate(Keys.scheduleStart, Keys.scheduleUpTo(h))]
    for (const [k, v] of due) {
      const raw = k.subarray(9, k.length - 8)
      const entry = decodeSchedule(v)
      store.delete(k)
      const info = decodeInfo(store.get(Keys.info(raw))!)
      if (entry.every > 0n) {
        const next = BigInt(h) + entry.every
        store.set(Keys.schedule(next, raw, entry.id), encodeSchedule(entry))
        store.set(Keys.scheduleIndex(raw, entry.id), counterBytes(next))
      } else store.delete(Keys.scheduleIndex(raw, entry.id))
      this.runPaid(ctx, store, info.address, info.address, entry.input, "scheduled_run")
    }
  }

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    if (this.contracts && path.startsWith(WASM_QUERY_PREFIX)) return wasmQuery(this.contracts, ctx, path, data)
    const store = ctx.store
    const need = (address: string): ProgramInfo => {
      const info = loadInfo(store, address)
      if (!info) throw new NotFound({ log: `no program at ${address}` })
      return info
    }
    switch (path) {
      case M.QueryPath.program:
        return encodeInfo(need(M.QueryAddress.decode(data).address))
      case M.QueryPath.reserve: {
        const info = need(M.QueryAddress.decode(data).address)
        settleRent(info, ctx.height, this.params)
        return M.QueryReserveResponse.encode({ reserve: info.reserve, burnRate: burnRate(info, this.params), status: info.status })
      }
      case M.QueryPath.schedule: {
        const info = need(M.QueryAddress.decode(data).address)
        const raw = addressBytes(info.address)
        const items = [...store.iterate(Keys.scheduleIndexPrefix(raw), prefixEnd(Keys.scheduleIndexPrefix(raw)))].map(([k, v]) => {
          const id = readU64(k, k.length - 8)
          const height = readU64(v, 0)
          const e = decodeSchedule(store.get(Keys.schedule(height, raw, id))!)
          return { id, height, every: e.every, input: e.input }
        })
        return M.encodeScheduleList(items)
      }
      case M.QueryPath.page: {
        const q = M.QueryPage.decode(data)
        const info = need(q.address)
        return M.QueryPageResponse.encode({ data: store.get(Keys.page(addressBytes(q.address), q.page)) ?? new Uint8Array(), pages: info.pages, memoryRoot: info.memoryRoot })
      }
      case M.QueryPath.code: {
        const q = M.QueryCode.decode(data)
        const code = store.get(Keys.code(q.codeHash))
        if (!code) throw new NotFound({ log: `no code with hash ${hex(q.codeHash)}` })
        return M.QueryCodeResponse.encode({ wasmByteCode: code })
      }
      case M.QueryPath.programs:
        return encodeProgramsResponse(listPrograms(store, decodeProgramsRequest(data)))
      case M.QueryPath.params:
        return M.QueryParamsResponse.encode({ params: encodeChainParams(this.chainParams(store)) })
      case M.QueryPath.dispatch: {
        const q = M.QueryDispatch.decode(data)
        return M.QueryDispatchResponse.encode({ data: this.dispatchReadOnly(ctx, q.address, q.input) })
      }
      default:
        throw new UnknownRequest({ log: `unknown cyberwasm query path ${path}` })
    }
  }

  /** Run dispatch without persisting anything (queries). Throws ProgramFailed on error. */
  dispatchReadOnly(ctx: QueryContext, address: string, input: Uint8Array): Uint8Array {
    const info = loadInfo(ctx.store, address)
    if (!info) throw new NotFound({ log: `no program at ${address}` })
    const cached = this.runtime.cached(address)
    const fresh = !cached || cached.active > 0 || !equalBytes(cached.root, info.memoryRoot) || !equalBytes(cached.program.hash, info.codeHash)
    const inst = fresh ? this.runtime.restore(ctx.store, info, addressBytes(address), this.runtime.code(ctx.store, info.codeHash)) : cached
    const env: EngineEnv = {
      block: { chainId: ctx.chainId, height: ctx.height, time: { seconds: 0n, nanos: 0 }, proposer: new Uint8Array(), blockHash: new Uint8Array(32) },
      store: ctx.store,
      origin: "",
      txHash: new Uint8Array(32),
      readOnly: true,
      emit: () => {},
      send: () => {},
      port: { call: refuseWrite, query: refuseWrite },
      // outside a block a program still acts as itself, through read-only interface methods only
      portAs: (program) => {
        const read = (c: ChainCall) => ctx.callAs(programPrincipal(program), c)
        return { call: read, query: read }
      }
    }
    const out = this.engine.run(env, address, "cyberwasm_dispatch", input, this.params.queryGas, "", { instance: inst })
    if (out.kind !== "ok") throw new ProgramFailed({ log: `query dispatch ${address}: ${out.error}` })
    return out.data
  }

  /**
   * Genesis `{params: {max_code_bytes, max_call_gas}, entries: [[hexKey, hexValue], ...]}`: the
   * namespace's entries as exported, then the chain params (missing ones from {@link chainDefaults};
   * always written). InvalidRequest naming what is malformed.
   */
  initGenesis(ctx: ExecContext, genesis: unknown): void {
    const store = ctx.rawStore ?? ctx.store
    const g = (genesis ?? {}) as { entries?: ReadonlyArray<readonly [string, string]>; params?: unknown; wasm?: unknown }
    if (typeof g !== "object" || Array.isArray(g) || (g.entries !== undefined && !Array.isArray(g.entries))) {
      throw new InvalidRequest({ log: "cyberwasm genesis must be {params: {...}, entries: [[hexKey, hexValue], ...]}" })
    }
    const params = chainParamsFromJson(g.params, this.chainDefaults, this.params.limits.maxCodeBytes)
    const bytes = (s: unknown, i: number): Uint8Array => {
      try {
        if (typeof s === "string") return fromHex(s)
      } catch (e) {
        if (!(e instanceof InvalidHex)) throw e
        throw new InvalidRequest({ log: `cyberwasm genesis entries[${i}]: ${e.message}` })
      }
      throw new InvalidRequest({ log: `cyberwasm genesis entries[${i}]: expected [hexKey, hexValue]` })
    }
    g.entries?.forEach((e, i) => {
      if (!Array.isArray(e)) throw new InvalidRequest({ log: `cyberwasm genesis entries[${i}]: expected [hexKey, hexValue]` })
      store.set(bytes(e[0], i), bytes(e[1], i))
    })
    writeChainParams(store, params)
    if (g.wasm !== undefined) {
      if (!this.contracts) throw new InvalidRequest({ log: "cyberwasm genesis has a wasm section but this node runs no CosmWasm VM" })
      importWasmGenesis(this.contracts, store, g.wasm)
    }
  }

  /**
   * `{params, entries, wasm?}`: the chain params, every program entry of the namespace as hex, and
   * the CosmWasm state as wasmd's GenesisState JSON (cosmwasm/Genesis.ts) when there is any.
   */
  exportGenesis(ctx: QueryContext): unknown {
    // without a VM the CosmWasm keys stay raw entries (nothing is dropped from an export)
    const isWasm = (k: Uint8Array) => this.contracts !== undefined && k[0] === WASM_PREFIX
    const hasWasm = ctx.store.iterate(Uint8Array.of(WASM_PREFIX), Uint8Array.of(WASM_PREFIX + 1)).next().done !== true
    return {
      params: chainParamsToJson(this.chainParams(ctx.store)),
      entries: [...ctx.store.iterate()].filter(([k]) => !equalBytes(k, PARAMS_KEY) && !isWasm(k)).map(([k, v]) => [hex(k), hex(v)]),
      ...(this.contracts && hasWasm ? { wasm: exportWasmGenesis(this.contracts, ctx.store) } : {})
    }
  }
}

/** Export the message helpers for clients. */
export { M as CyberWasmMessages, encodeMessage as encodeProgramMessage }
