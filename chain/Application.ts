/**
 * The multiplexer: the chain's ABCI 2.0 application. It routes each transaction message by type
 * URL to its machine, runs the ante step, begin/end block hooks and the end-of-block async send
 * queue, and commits one app hash over all machine namespaces (store/KVStore.ts).
 *
 * Execution rules (Cosmos SDK baseapp semantics, with the deviations named):
 * - FinalizeBlock: the optional async prepareBlock of every machine (awaited, no state change),
 *   then beginBlock of every machine in configured order; each tx: decode, ante in its
 *   own branch (fees and sequence stick even if messages fail), messages in a second branch
 *   (all-or-nothing); then queued async sends, FIFO; endBlock of every machine; precommit hooks.
 * - CheckTx runs the messages too, against the check state (a branch of the last commit), so an
 *   overdraw is refused at admission instead of costing a fee in a block (the SDK runs only the
 *   ante step in CheckTx). A tx refused in CheckTx leaves the check state untouched.
 * - Queries read a snapshot of the last commit, never the block being executed.
 *
 * Source: cosmos-sdk baseapp/abci.go, baseapp/baseapp.go (runTx, runMsgs); CometBFT v0.38 ABCI.
 */
import "../lib/ProtobufAlloc.ts"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import {
  CheckTxType, ResponseProcessProposal_ProposalStatus,
  type Event, type ExecTxResult, type RequestCheckTx, type RequestFinalizeBlock, type RequestInfo,
  type RequestInitChain, type RequestPrepareProposal, type RequestProcessProposal, type RequestQuery,
  type ResponseCheckTx, type ResponseCommit, type ResponseFinalizeBlock, type ResponseInfo,
  type ResponseInitChain, type ResponsePrepareProposal, type ResponseProcessProposal, type ResponseQuery
} from "cosmjs-types/tendermint/abci/types"
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp"
import { sha256 } from "../lib/Bytes.ts"
import type { CommitMultiStore, KVStore, MultiStore } from "../store/KVStore.ts"
import type { AbciApplication } from "./Abci.ts"
import { CAPABILITIES_NAMESPACE, CapabilityCache, grantCapability, parseCapabilitiesGenesis, type Grant } from "./Capabilities.ts"
import { InvalidGasLimit, InvalidRequest, isChainError, Unauthorized, UnknownRequest } from "./ChainError.ts"
import { GasMeter } from "./Gas.ts"
import { Executor, type QueuedSend } from "./internal/Executor.ts"
import { errorResult, isNodeFault, type TxOutcome } from "./internal/TxResult.ts"
import type { BlockContext, ExecContext, Machine, QueryContext, ValidatorUpdate } from "./Machine.ts"
import type { Router } from "./Router.ts"
import { ActiveSet, SYSTEM_NAMESPACES } from "./internal/ActiveSet.ts"
import { codeProblem, listRecords, MachineCodeMismatch, REGISTRY_NAMESPACE, writeRecord, type MachineRecord } from "./Registry.ts"
import type { SignatureCheck, TxFormat, TxMode, TxPipeline } from "./TxPipeline.ts"
import { serveAppQuery, type TxLookup } from "./internal/AppQuery.ts"
import { GasAttribution, type GasObserver } from "./GasAttribution.ts"

export type { TxLookup } from "./internal/AppQuery.ts"

/**
 * sha256 of a decoded tx's bytes (MsgContext.txHash), once per decoded tx: the pipeline hands
 * CheckTx and FinalizeBlock the same decoded object for the same bytes (modules/auth DecodedTxs).
 */
const txHashOf = (tx: { readonly bytes: Uint8Array }): Uint8Array => {
  let h = txHashes.get(tx)
  if (h === undefined) txHashes.set(tx, (h = sha256(tx.bytes)))
  return h
}
const txHashes = new WeakMap<object, Uint8Array>()

/** What the multiplexer is built from. */
export interface ApplicationOptions {
  readonly chainId: string
  readonly store: CommitMultiStore
  /** Loaded machines; their order is the begin/end block order. Must include the ante machine. */
  readonly machines: ReadonlyArray<Machine>
  /** Decoder + ante step (modules/auth). */
  readonly pipeline: TxPipeline
  /** Name of the machine whose namespace the ante step uses (default "auth"). */
  readonly anteMachine?: string
  /**
   * Bech32 prefix of the chain's addresses: the `self` address of a machine principal is its
   * module account in this prefix (default "cyber").
   */
  readonly bech32Prefix?: string
  /** Reported in Info. */
  readonly version?: string
  readonly appVersion?: bigint
  /** Looks up committed txs for `/cosmos.tx.v1beta1.Service/GetTx` (the node's block store). */
  readonly txLookup?: TxLookup
  /** Async sends delivered per block at most; the rest are dropped with an event (default 10,000). */
  readonly maxSendsPerBlock?: number
  /**
   * Node-plane observer of gas per machine per finalized block (chain/GasAttribution.ts): never
   * changes a result; absent, nothing is attributed.
   */
  readonly gasObserver?: GasObserver
  /**
   * The genesis consensus params' block max_gas; above 0 a tx whose gas limit exceeds it is
   * refused in every mode but simulate (sdk 41, as the SDK's SetUpContextDecorator), so no single
   * tx can hold a block for longer than a block's worth of gas. Absent or ≤ 0: no limit.
   */
  readonly blockMaxGas?: bigint
  /**
   * Node plane: most gas CheckTx spends running a new tx's messages (default 1,000,000). A tx
   * whose messages pass it with gas limit to spare is admitted on its ante step alone, as the SDK
   * admits every tx, and pays for its messages in the block; so a refused tx costs the node at
   * most this much work. Recheck runs the ante step only. 0 runs no messages in CheckTx.
   */
  readonly checkTxGasCap?: number
}

/** Default of `ApplicationOptions.checkTxGasCap`. */
export const CHECK_TX_GAS_CAP = 1_000_000

const UNMETERED = Number.MAX_SAFE_INTEGER

/** The multiplexer as an ABCI application. Construct with `new Application(options)`. */
export class Application implements AbciApplication {
  private readonly opts: ApplicationOptions
  /** The machine code this node has and the registry's active subset (chain/internal/ActiveSet.ts). */
  private readonly active: ActiveSet
  private readonly ante: Machine
  private checkState: MultiStore | undefined
  /** Decoded committed grants; refreshed at each commit (chain/Capabilities.ts). */
  private readonly capabilityCache = new CapabilityCache()
  /** Set when `gasObserver` is: marks the running machine during FinalizeBlock's txs. */
  private readonly attribution: GasAttribution | undefined
  /** Block context of the block being finalized (between FinalizeBlock and Commit). */
  private pending: BlockContext | undefined
  private lastBlockTime: Timestamp = { seconds: 0n, nanos: 0 }

  /**
   * The store namespaces to open the multistore with: the system namespaces (`capabilities`,
   * `registry`). Machine namespaces are not opened here: the Application mounts a machine's
   * namespace (store.mount) when the registry makes it active or halted, so
   * machine code a node merely has never enters its app hash (docs/registry.md).
   */
  static namespaces(): string[] {
    return [...SYSTEM_NAMESPACES]
  }

  /** Routing tables of the machines active on the chain (all loaded machines before InitChain). */
  get router(): Router {
    return this.active.router
  }

  /**
   * Throws RouterConflict on conflicting machines, InvalidRequest when the ante machine is missing,
   * MachineCodeMismatch when the committed registry has an active machine this node lacks (or runs
   * at another version).
   */
  constructor(opts: ApplicationOptions) {
    this.opts = opts
    this.active = new ActiveSet(opts.machines, opts.store)
    const ante = this.active.all.machine(opts.anteMachine ?? "auth")
    if (!ante) throw new InvalidRequest({ log: `ante machine "${opts.anteMachine ?? "auth"}" is not loaded` })
    this.ante = ante
    this.capabilityCache.committed() // the store is at its last commit
    this.attribution = opts.gasObserver ? new GasAttribution() : undefined
  }

  async info(_req: RequestInfo): Promise<ResponseInfo> {
    const last = this.opts.store.lastCommit()
    return {
      data: "cyberkernel",
      version: this.opts.version ?? "0.1.0",
      appVersion: this.opts.appVersion ?? 1n,
      lastBlockHeight: BigInt(last.version),
      lastBlockAppHash: last.hash
    }
  }

  async initChain(req: RequestInitChain): Promise<ResponseInitChain> {
    if (req.chainId !== this.opts.chainId) {
      throw new InvalidRequest({ log: `InitChain for chain "${req.chainId}" but this node runs "${this.opts.chainId}"` })
    }
    if (this.opts.store.lastCommit().version !== 0) {
      throw new InvalidRequest({ log: `InitChain on a store already at height ${this.opts.store.lastCommit().version}` })
    }
    if (req.initialHeight > 1n) {
      throw new InvalidRequest({ log: `initial_height ${req.initialHeight} is not supported: only 1` })
    }
    const appState = parseAppState(req.appStateBytes)
    const records = this.genesisRegistry(appState)
    const block = this.blockContext(0, req.time, new Uint8Array(), new Uint8Array(32))
    // Genesis writes go through a branch, applied in key order: the roots then depend only on
    // the genesis state, not on the order machines wrote it (export then import is identical).
    const branch = this.opts.store.branch()
    for (const r of records) writeRecord(branch.store(REGISTRY_NAMESPACE), r)
    // The capability table first: machines' genesis calls (bank -> auth.ensure-account) are checked.
    const caps = branch.store(CAPABILITIES_NAMESPACE)
    const grants: ReadonlyArray<Grant> = appState[CAPABILITIES_NAMESPACE] !== undefined
      ? parseCapabilitiesGenesis(appState[CAPABILITIES_NAMESPACE])
      : records.filter((r) => r.status === "active").flatMap((r) => r.grants)
    for (const g of grants) grantCapability(caps, g)
    const exec = this.executor(block, branch, new GasMeter(UNMETERED))
    // A machine owning the validator set (staking) returns the genesis validators (SDK InitGenesis).
    const validators: ValidatorUpdate[] = []
    for (const m of this.router.machines) {
      const out = m.initGenesis(exec.context(m), appState[m.name])
      if (out) validators.push(...out)
    }
    branch.write()
    this.lastBlockTime = req.time
    // Genesis is committed with the first block; until then CheckTx reads the genesis state
    // from a branch of the working store, so genesis accounts can send right away.
    this.checkState = this.opts.store.branch()
    return {
      validators: validators.length > 0 ? validators.map((u) => ({ pubKey: { ed25519: u.pubKeyEd25519 }, power: u.power })) : req.validators,
      appHash: this.opts.store.workingHash()
    }
  }

  async checkTx(req: RequestCheckTx): Promise<ResponseCheckTx> {
    const base = await this.check()
    const mode: TxMode = req.type === CheckTxType.RECHECK ? "recheck" : "check"
    const block = this.blockContext(this.opts.store.lastCommit().version + 1, this.lastBlockTime, new Uint8Array(), new Uint8Array(32))
    const out = this.runTx(req.tx, mode, base, block)
    // Like the SDK, CheckTx returns no message data (clients decode only FinalizeBlock's).
    return { ...out.result, data: new Uint8Array() }
  }

  async prepareProposal(req: RequestPrepareProposal): Promise<ResponsePrepareProposal> {
    const txs: Uint8Array[] = []
    let bytes = 0n
    for (const tx of req.txs) {
      if (bytes + BigInt(tx.length) > req.maxTxBytes) break
      bytes += BigInt(tx.length)
      txs.push(tx)
    }
    return { txs }
  }

  async processProposal(_req: RequestProcessProposal): Promise<ResponseProcessProposal> {
    return { status: ResponseProcessProposal_ProposalStatus.ACCEPT }
  }

  async finalizeBlock(req: RequestFinalizeBlock): Promise<ResponseFinalizeBlock> {
    const expected = this.opts.store.lastCommit().version + 1
    if (req.height !== BigInt(expected)) {
      throw new InvalidRequest({ log: `FinalizeBlock at height ${req.height}, expected ${expected}` })
    }
    const lastCommit = (req.decidedLastCommit?.votes ?? []).map((v) => ({ address: v.validator?.address ?? new Uint8Array(), power: v.validator?.power ?? 0n }))
    const block = this.blockContext(expected, req.time, req.proposerAddress, req.hash, lastCommit)
    this.pending = block
    const store = this.opts.store
    const activationEvents = this.activateScheduled(block)
    for (const m of this.router.machines) {
      if (m.prepareBlock) await m.prepareBlock({ chainId: this.opts.chainId, height: expected, store: store.store(m.name) })
    }
    const blockExec = this.executor(block, store, new GasMeter(UNMETERED))
    blockExec.events.push(...activationEvents)
    for (const m of this.router.machines) if (m.beginBlock) this.hook(m, "beginBlock", block, blockExec, (ctx) => m.beginBlock!(ctx), undefined)

    const txResults: ExecTxResult[] = []
    // sends queued in beginBlock (a scheduled program's messages) go first in the block's FIFO
    const queue: QueuedSend[] = blockExec.sends.splice(0)
    for (const [index, tx] of req.txs.entries()) {
      const out = this.runTx(tx, "finalize", store, block, index)
      txResults.push(out.result)
      queue.push(...out.sends)
    }
    this.drainSends(queue, blockExec, block)

    const updates: ValidatorUpdate[] = []
    for (const m of this.router.machines) if (m.endBlock) updates.push(...this.hook(m, "endBlock", block, blockExec, (ctx) => m.endBlock!(ctx), []))
    for (const m of this.router.machines) if (m.precommit) this.hook(m, "precommit", block, blockExec, (ctx) => m.precommit!(ctx), undefined)
    this.lastBlockTime = req.time
    if (this.attribution) {
      const used = this.attribution.take()
      try {
        this.opts.gasObserver!.blockGas(expected, used)
      } catch {
        // an observer's failure is the node plane's problem, never the block's
      }
    }
    return {
      events: blockExec.events,
      txResults,
      validatorUpdates: updates.map((u) => ({ pubKey: { ed25519: u.pubKeyEd25519 }, power: u.power })),
      appHash: store.workingHash()
    }
  }

  async commit(): Promise<ResponseCommit> {
    await this.opts.store.commit()
    this.capabilityCache.committed()
    this.pending = undefined
    this.checkState = undefined
    return { retainHeight: 0n }
  }

  async query(req: RequestQuery): Promise<ResponseQuery> {
    return serveAppQuery(req, {
      store: this.opts.store,
      router: this.router,
      chainId: this.opts.chainId,
      txLookup: this.opts.txLookup,
      simulate: async (bytes) => {
        const base = (await this.check()).branch()
        const block = this.blockContext(this.opts.store.lastCommit().version + 1, this.lastBlockTime, new Uint8Array(), new Uint8Array(32))
        return this.runTx(bytes, "simulate", base, block)
      },
      queryContext: (ms, height) => this.queryContext(ms, height)
    })
  }

  /** A read-only query context over a committed snapshot. */
  private queryContext(ms: MultiStore, height: number): (m: Machine) => QueryContext {
    const ctxFor = (m: Machine): QueryContext => ({
      chainId: this.opts.chainId,
      height,
      time: this.lastBlockTime,
      store: ms.store(m.name),
      query: (target, path, data) => {
        const t = this.router.machine(target)
        if (!t) throw new UnknownRequest({ log: `unknown machine "${target}"` })
        return t.query(ctxFor(t), path, data)
      },
      callAs: (principal, call) => {
        const block = this.blockContext(height, this.lastBlockTime, new Uint8Array(), new Uint8Array(32))
        return this.executor(block, ms.branch(), new GasMeter(UNMETERED)).context(m).actAs(principal).query(call)
      }
    })
    return ctxFor
  }

  /** The check state: a branch over a snapshot of the last commit, rebuilt after each Commit. */
  private async check(): Promise<MultiStore> {
    if (!this.checkState) this.checkState = (await this.opts.store.snapshot()).branch()
    return this.checkState
  }

  private blockContext(height: number, time: Timestamp, proposer: Uint8Array, blockHash: Uint8Array, lastCommit: BlockContext["lastCommit"] = []): BlockContext {
    return { chainId: this.opts.chainId, height, time: { seconds: time.seconds, nanos: time.nanos }, proposer, blockHash, lastCommit }
  }

  /**
   * runTx: decode, ante, messages; never throws for a chain error (it becomes the result code).
   * `txIndex` is the tx's position in the block (FinalizeBlock only; MsgContext.txIndex).
   */
  private runTx(bytes: Uint8Array, mode: TxMode, base: MultiStore, block: BlockContext, txIndex?: number): TxOutcome {
    let gas = new GasMeter(0)
    let anteEvents: Event[] = []
    let capped = false
    const cap = this.opts.checkTxGasCap ?? CHECK_TX_GAS_CAP
    let admit: (() => TxOutcome) | undefined
    try {
      // A non-Cosmos encoding (an Ethereum tx) served by an active machine's format, else TxRaw.
      const served = bytes[0] === 0x0a ? undefined : this.formatFor(bytes)
      const format = served?.txFormat
      const tx = format ? format.decode(bytes) : this.opts.pipeline.decode(bytes)
      const machines = tx.msgs.map((msg) => this.routeMsg(msg, format))
      // Simulate runs with no gas ceiling (SDK SetUpContextDecorator: infinite meter), since
      // CosmJS simulates with gas limit 0; still metered (finite limit) so gasUsed is reported.
      const maxGas = this.opts.blockMaxGas ?? -1n
      if (mode !== "simulate" && maxGas > 0n && BigInt(tx.gasLimit) > maxGas) {
        throw new InvalidGasLimit({ log: `tx gas limit ${tx.gasLimit} exceeds block max gas ${maxGas}: invalid gas limit` })
      }
      gas = new GasMeter(mode === "simulate" ? Number.MAX_SAFE_INTEGER - 1 : tx.gasLimit)
      const att = mode === "finalize" ? this.attribution : undefined
      att?.start(gas)
      const anteBranch = base.branch()
      const signersOf = (msg: Any) => this.routeMsg(msg, format).signers(msg)
      // The declared signers bound `signer` constraints (auth's fee debit); a tx whose signatures
      // then fail is refused with its ante branch discarded, so nothing moves on their word alone.
      const declared = format ? format.txSigners(tx) : this.opts.pipeline.txSigners ? this.opts.pipeline.txSigners(tx, signersOf) : []
      const anteExec = this.executor(block, anteBranch, gas, declared, att)
      att?.enter(served?.name ?? this.ante.name)
      let anteOut
      try {
        anteOut = format
          ? format.ante(anteExec.context(served!), tx, mode)
          : this.opts.pipeline.ante(anteExec.context(this.ante), tx, signersOf, mode)
      } finally {
        att?.exit()
      }
      const { signers } = anteOut
      anteEvents = anteExec.events
      admit = () => {
        anteBranch.write()
        const log = capped ? `admitted on its ante step: its messages passed the CheckTx gas cap of ${cap} with gas limit to spare; they run in the block` : ""
        const result = { code: 0, codespace: "", log, info: "", data: new Uint8Array(), gasWanted: BigInt(tx.gasLimit), gasUsed: BigInt(gas.consumed()), events: [...anteEvents] }
        return { result, sends: [], msgResponses: [] }
      }
      // Recheck (after a block) runs the ante step only, as the SDK's; the messages ran at admission.
      if (mode === "recheck") return admit()
      // CheckTx runs a new tx's messages with at most the cap (ApplicationOptions.checkTxGasCap)
      if (mode === "check" && tx.gasLimit > gas.consumed() + cap) {
        const msgGas = new GasMeter(gas.consumed() + cap)
        msgGas.consume(gas.consumed(), "ante")
        gas = msgGas
        capped = true
      }
      // In finalize mode fees and sequence stick even when messages fail (SDK semantics);
      // in check mode a refused tx must leave the check state untouched.
      const finalizeLike = mode === "finalize" || mode === "simulate"
      if (finalizeLike) anteBranch.write()
      // CheckTx writes nothing unless everything passes, so its messages run in the ante branch
      // itself (one store layer less for each of their reads and writes); only a tx that may be
      // admitted at the cap needs its ante writes kept apart from its messages' (admit above).
      const msgBranch = finalizeLike ? base.branch() : capped ? anteBranch.branch() : anteBranch
      const exec = this.executor(block, msgBranch, gas, signers, att)
      const txHash = txHashOf(tx)
      const responses: Any[] = []
      tx.msgs.forEach((msg, index) => {
        const machine = machines[index]!
        const before = exec.events.length
        att?.enter(machine.name)
        let result
        try {
          result = machine.handle({ ...exec.context(machine), txHash, signers, ...(txIndex === undefined ? {} : { txIndex }) }, msg)
        } finally {
          att?.exit()
        }
        responses.push({ typeUrl: result.typeUrl, value: result.value })
        const msgIndex = { key: "msg_index", value: String(index), index: true }
        exec.events.splice(before, 0, {
          type: "message",
          attributes: [
            { key: "action", value: msg.typeUrl, index: true },
            { key: "module", value: machine.name, index: true }
          ]
        })
        for (let i = before; i < exec.events.length; i++) exec.events[i]!.attributes.push(msgIndex)
      })
      if (msgBranch !== anteBranch) msgBranch.write()
      if (!finalizeLike) anteBranch.write()
      return {
        result: {
          code: 0,
          // CheckTx answers without message data (checkTx below): not encoded there
          data: mode === "check" ? new Uint8Array() : TxMsgData.encode({ data: [], msgResponses: responses }).finish(),
          log: "",
          info: "",
          gasWanted: BigInt(tx.gasLimit),
          gasUsed: BigInt(gas.consumed()),
          events: [...anteEvents, ...exec.events],
          codespace: ""
        },
        sends: exec.sends,
        msgResponses: responses
      }
    } catch (e) {
      // past the CheckTx cap with gas limit to spare: admitted, the block decides (see checkTxGasCap);
      // a VM that stops at the budget it was given reports OutOfGas without charging past the meter
      const outOfGas = gas.consumed() >= gas.limit || (isChainError(e) && (e as { _tag: string })._tag === "OutOfGas")
      if (capped && admit !== undefined && outOfGas) return admit()
      return { result: errorResult(e, gas, anteEvents, mode), sends: [], msgResponses: [] }
    }
  }

  private executor(block: BlockContext, ms: MultiStore, gas: GasMeter, signers: ReadonlyArray<string> = [], attribution?: GasAttribution): Executor {
    return new Executor(this.router, block, ms, gas, { bech32Prefix: this.opts.bech32Prefix ?? "cyber", signers, cache: this.capabilityCache, ...(attribution ? { attribution } : {}) })
  }

  /**
   * The signatures the ante step will verify for `txs`, derived from the last committed state
   * (TxPipeline.signatureChecks; txs in a machine's own format and undecodable bytes give none).
   * Node plane: feeds parallel pre-verification into the verification cache
   * (modules/auth/VerifierPool.ts), so it can only change how fast a result comes, never the
   * result. Never rejects.
   */
  async signatureChecks(txs: ReadonlyArray<Uint8Array>): Promise<ReadonlyArray<SignatureCheck>> {
    const pipeline = this.opts.pipeline
    if (!pipeline.signatureChecks || txs.length === 0) return []
    let view: KVStore
    try {
      view = (await this.opts.store.snapshot()).store(this.ante.name)
    } catch {
      return [] // before InitChain, or the ante namespace is not mounted
    }
    const out: SignatureCheck[] = []
    for (const tx of txs) if (this.formatFor(tx) === undefined) out.push(...pipeline.signatureChecks(tx, view, this.opts.chainId))
    return out
  }

  // ---- Machine registry (chain/Registry.ts): genesis set, inert machines, activations ----

  /** Machines this node has code for that the chain does not run (loaded inert). */
  inertMachines(): ReadonlyArray<Machine> {
    return this.active.inert()
  }

  /** The genesis registry records; mounts and routes the active set. InvalidRequest when the ante machine is not active. */
  private genesisRegistry(appState: Record<string, unknown>): MachineRecord[] {
    const records = this.active.genesis(appState)
    this.active.apply(records)
    const ante = this.opts.anteMachine ?? "auth"
    if (!this.active.router.machine(ante)) throw new InvalidRequest({ log: `genesis registry: the ante machine "${ante}" must be active from height 1` })
    return records
  }

  /**
   * Activate every machine scheduled at or below `block.height`, in name order, before any
   * prepareBlock/beginBlock of the block: mount its namespace, write its grants (the record's, else
   * the machine's own `grants`) into the capability table, run its initGenesis with the record's
   * genesis section, and mark the record active. A node without the machine's code (or with another
   * version) throws MachineCodeMismatch: the block is not executed and the node stops, as a Cosmos
   * node without the upgrade handler does at the plan height.
   */
  private activateScheduled(block: BlockContext): Event[] {
    const store = this.opts.store
    const events: Event[] = []
    const all = listRecords(store.store(REGISTRY_NAMESPACE))
    const due = all.filter((r) => r.status === "scheduled" && r.activationHeight <= block.height)
    for (const r of due) {
      const code = this.active.all.machine(r.name)
      const problem = codeProblem(r, code)
      if (problem || !code) throw new MachineCodeMismatch({ machine: r.name, version: r.version, height: r.activationHeight, reason: problem ?? "no code" })
      this.active.activate(r.name)
      const branch = store.branch()
      const grants = r.grants.length > 0 ? r.grants : [...(code.grants ?? [])]
      const { genesis: _genesis, ...rest } = r
      try {
        for (const g of grants) grantCapability(branch.store(CAPABILITIES_NAMESPACE), g)
        const exec = this.executor(block, branch, new GasMeter(UNMETERED))
        code.initGenesis(exec.context(code), r.genesis)
        writeRecord(branch.store(REGISTRY_NAMESPACE), { ...rest, status: "active", grants })
        branch.write()
        events.push({ type: "machine_activated", attributes: [{ key: "machine", value: r.name, index: true }, { key: "version", value: r.version, index: true }] })
      } catch (e) {
        // A genesis the machine refuses (deterministic) fails the activation, not the chain: the
        // record becomes `removed` (its namespace stays mounted and empty), so governance may retry.
        if (!isChainError(e)) throw e
        writeRecord(store.store(REGISTRY_NAMESPACE), { ...rest, status: "removed", grants: [] })
        events.push({
          type: "machine_activation_failed",
          attributes: [{ key: "machine", value: r.name, index: true }, { key: "error", value: (e as { log: string }).log, index: false }]
        })
      }
    }
    // Halts and removals written by governance (chain/Authority.ts) in an earlier block take effect now.
    const records = due.length > 0 ? listRecords(store.store(REGISTRY_NAMESPACE)) : all
    if (records.some((r) => (r.status === "active") !== (this.router.machine(r.name) !== undefined))) this.active.apply(records)
    return events
  }

  /**
   * Run one machine's block hook in its own branch. A chain error (deterministic: a refused
   * capability, a machine's own refusal) discards that hook's writes for this block and is
   * reported as a `block_hook_failed` event; the block and the other machines go on, so a
   * revoked grant cannot halt the chain. Any other error is a host fault and stops the node.
   */
  private hook<T>(m: Machine, name: string, block: BlockContext, blockExec: Executor, run: (ctx: ExecContext) => T, empty: T): T {
    const branch = this.opts.store.branch()
    const exec = this.executor(block, branch, new GasMeter(UNMETERED))
    try {
      const out = run(exec.context(m))
      branch.write()
      blockExec.events.push(...exec.events)
      blockExec.sends.push(...exec.sends)
      return out
    } catch (e) {
      if (!isChainError(e)) throw e
      blockExec.events.push({
        type: "block_hook_failed",
        attributes: [
          { key: "machine", value: m.name, index: true },
          { key: "hook", value: name, index: false },
          { key: "reason", value: e.log.slice(0, 512), index: false }
        ]
      })
      return empty
    }
  }

  /** The route of `msg` in a tx of `format` (undefined: Cosmos TxRaw); a format's own messages stay in it. */
  private routeMsg(msg: Any, format?: TxFormat): Machine {
    const m = this.router.msg(msg.typeUrl)
    if (!m) throw new UnknownRequest({ log: `unrecognized message type: ${msg.typeUrl}: unknown request` })
    if (format === undefined && m.txFormat?.msgTypeUrls.includes(msg.typeUrl)) {
      throw new Unauthorized({ log: `${msg.typeUrl} is only valid in its own transaction encoding, not inside a Cosmos tx: unauthorized` })
    }
    if (format !== undefined && !format.msgTypeUrls.includes(msg.typeUrl)) {
      throw new Unauthorized({ log: `${msg.typeUrl} cannot be carried by this transaction encoding: unauthorized` })
    }
    return m
  }

  /** The active machine whose tx format accepts `bytes`, in begin-block order. */
  private formatFor(bytes: Uint8Array): Machine | undefined {
    for (const m of this.router.machines) if (m.txFormat?.matches(bytes)) return m
    return undefined
  }

  /** Deliver queued async sends in FIFO order, each in its own branch; failures become events. */
  private drainSends(queue: QueuedSend[], blockExec: Executor, block: BlockContext): void {
    const max = this.opts.maxSendsPerBlock ?? 10_000
    let delivered = 0
    for (let i = 0; i < queue.length; i++) {
      const send = queue[i]!
      if (delivered >= max) {
        blockExec.events.push(sendEvent("send_dropped", send, `more than ${max} sends in one block`))
        continue
      }
      delivered++
      const branch = this.opts.store.branch()
      const exec = this.executor(block, branch, new GasMeter(UNMETERED))
      try {
        exec.deliver(send)
        branch.write()
        blockExec.events.push(...exec.events)
        queue.push(...exec.sends)
      } catch (e) {
        if (isNodeFault(e)) throw e // the host failed: stop the block (TxResult.ts)
        blockExec.events.push(sendEvent("send_failed", send, isChainError(e) ? e.log : String(e)))
      }
    }
  }
}

const sendEvent = (type: string, send: QueuedSend, reason: string): Event => ({
  type,
  attributes: [
    { key: "caller", value: send.caller, index: true },
    { key: "target", value: send.target, index: true },
    { key: "method", value: send.method, index: false },
    { key: "reason", value: reason, index: false }
  ]
})

/** Parse genesis app_state JSON into per-machine sections; InvalidRequest names the problem. */
const parseAppState = (bytes: Uint8Array): Record<string, unknown> => {
  if (bytes.length === 0) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes))
  } catch (e) {
    throw new InvalidRequest({ log: `genesis app_state is not valid JSON: ${(e as Error).message}` })
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InvalidRequest({ log: "genesis app_state must be a JSON object keyed by machine name" })
  }
  return parsed as Record<string, unknown>
}
