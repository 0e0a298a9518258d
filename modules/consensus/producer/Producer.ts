/**
 * The embedded single-node block producer: the default consensus engine (no setup). Every
 * `blockTimeMs` it takes txs from its mempool and runs one height against the application in
 * CometBFT's order: PrepareProposal -> ProcessProposal -> BlockStore.saveBlock -> FinalizeBlock
 * -> BlockStore.saveResults -> Commit -> mempool update + recheck; so a crash between any two
 * steps is recovered at the next start by the handshake (Info, then FinalizeBlock + Commit of a
 * saved block the app has not committed). Headers, block ids, commits and vote signatures are
 * CometBFT's (Header.Hash, part-set header, canonical precommit sign bytes, ed25519), so light
 * clients and explorers see a CometBFT-shaped chain with one validator.
 *
 * Effect runs the loop and the lifecycle (Clock, a scoped fiber, Layer); each block is plain
 * async code.
 *
 * Source: cometbft v0.38 state/execution.go (CreateProposalBlock, ApplyBlock order),
 * consensus/replay.go (Handshaker), consensus/state.go (createProposalBlock, voteTime, BFT time),
 * types/block.go (MakeBlock, MaxDataBytes), mempool/clist_mempool.go, config (create_empty_blocks).
 */
import { ed25519 } from "@noble/curves/ed25519.js"
import { Clock, Data, Duration, Effect, Layer } from "effect"
import type { Scope } from "effect"
import {
  CheckTxType, ResponseCheckTx, ResponseProcessProposal_ProposalStatus,
  type CommitInfo, type ExecTxResult, type ExtendedCommitInfo, type RequestFinalizeBlock,
  type ResponseFinalizeBlock, type ValidatorUpdate
} from "cosmjs-types/tendermint/abci/types"
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp"
import type { ConsensusParams } from "cosmjs-types/tendermint/types/params"
import type { BlockID, Commit, CommitSig, Header } from "cosmjs-types/tendermint/types/types"
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator"
import type { AbciApplication } from "../../../chain/Abci.ts"
import { equalBytes, toHex } from "../../../lib/Bytes.ts"
import type { BlockStore, StoredBlock } from "../../../chain/BlockStore.ts"
import { Consensus, type ChainTip, type ConsensusEngine, type TxCommit, type ValidatorInfo } from "../Consensus.ts"
import { EventBus } from "../EventBus.ts"
import {
  commitHash, consensusParamsHash, dataHash, headerHash, merkleRoot, partSetHeader, PRECOMMIT_TYPE,
  resultsHash, validatorsHash, voteSignBytes
} from "../CometHashing.ts"
import { hashKey, Mempool, txHash, type MempoolConfig, type MempoolTx } from "./Mempool.ts"
import { applyUpdates, commitInfo, fromUpdates, sortVals, toVal, type Val } from "../ValidatorSet.ts"

/** The producer could not start: handshake failed (app ahead of the store, app hash mismatch, ...). */
export class ConsensusStartError extends Data.TaggedError("ConsensusStartError")<{ readonly reason: string }> {
  override get message(): string { return `consensus start: ${this.reason}` }
}

/** The producer stopped making blocks (the application failed, or the producer was stopped). */
export class ConsensusHalted extends Data.TaggedError("ConsensusHalted")<{ readonly reason: string }> {
  override get message(): string { return `consensus halted: ${this.reason}` }
}

/** awaitCommit gave up: the tx was not committed within the timeout. */
export class TxCommitTimeout extends Data.TaggedError("TxCommitTimeout")<{ readonly hash: string; readonly timeoutMs: number }> {
  override get message(): string { return `timed out after ${this.timeoutMs} ms waiting for tx ${this.hash} to be committed` }
}

/**
 * Codes of mempool refusals returned by broadcastTx in a ResponseCheckTx with codespace
 * "mempool" (CometBFT returns these as RPC errors: ErrTxTooLarge, ErrMempoolIsFull,
 * ErrTxInCache).
 */
export const MempoolCode = { TooLarge: 1, Full: 2, Duplicate: 3 } as const

/** A genesis validator (genesis.json `validators`). */
export interface GenesisValidator {
  readonly pubKeyEd25519: Uint8Array
  readonly power: bigint
}

/** The parts of genesis.json the producer needs (chain id comes from ProducerConfig). */
export interface ProducerGenesis {
  /** genesis_time. */
  readonly time: Timestamp
  /** initial_height (default 1). */
  readonly initialHeight?: bigint
  /** app_state bytes, passed to InitChain as is. */
  readonly appState: Uint8Array
  /** Validators (default: the producer's own key with power 10). */
  readonly validators?: ReadonlyArray<GenesisValidator>
  /** Consensus params (default: CometBFT's DefaultConsensusParams). */
  readonly consensusParams?: ConsensusParams
}

/** Producer configuration. */
export interface ProducerConfig {
  readonly app: AbciApplication
  readonly blockStore: BlockStore
  readonly chainId: string
  /** 32-byte ed25519 seed of the validator key (priv_validator_key.json's first 32 bytes). */
  readonly validatorKey: Uint8Array
  /** Interval between blocks in milliseconds (default 1000), measured with Effect's Clock. */
  readonly blockTimeMs?: number
  /** CometBFT `create_empty_blocks` (default true); when false, heights with no txs are skipped. */
  readonly createEmptyBlocks?: boolean
  readonly mempool?: MempoolConfig
  readonly genesis: ProducerGenesis
  /** Called once if the producer halts (application failure). */
  readonly onHalt?: (error: ConsensusHalted) => void
  /**
   * Called before proposing each height (before PrepareProposal, so before the block is saved);
   * a throw halts the producer with its message and nothing of that height is saved or executed.
   * The node uses it to stop before a block that activates a machine it has no code for.
   */
  readonly beforePropose?: (height: bigint) => void | Promise<void>
  /**
   * Called once per committed block, after Commit and the mempool update (node plane: `start`'s
   * status line, event subscribers). Runs inside the block loop: keep it short; a throw is
   * ignored, so an observer can never halt the chain.
   */
  readonly onCommitted?: (block: CommittedBlock) => void
  /**
   * Node plane: called with a tx before its CheckTx, and with a replayed block's txs before its
   * FinalizeBlock, to verify their signatures in parallel into the verification cache
   * (modules/auth/VerifierPool.ts). It changes how fast, never what: a rejection is ignored.
   * Concurrent broadcasts pre-verify concurrently; CheckTx itself stays one at a time.
   */
  readonly preverify?: (txs: ReadonlyArray<Uint8Array>) => Promise<void>
}

/** A committed block as {@link ProducerConfig.onCommitted} sees it: the new tip, the block, its results. */
export interface CommittedBlock extends ChainTip {
  /** The block as saved (header, txs, last commit). */
  readonly block: StoredBlock
  /** FinalizeBlock's response: tx results, block events, validator updates, app hash. */
  readonly results: ResponseFinalizeBlock
}

/** CometBFT DefaultConsensusParams (types/params.go). */
export const defaultConsensusParams = (): ConsensusParams => ({
  block: { maxBytes: 22_020_096n, maxGas: -1n },
  evidence: { maxAgeNumBlocks: 100_000n, maxAgeDuration: { seconds: 172_800n, nanos: 0 }, maxBytes: 1_048_576n },
  validator: { pubKeyTypes: ["ed25519"] },
  version: { app: 0n },
  abci: { voteExtensionsEnableHeight: 0n }
})

const hex = toHex
const eq = equalBytes

const tsToNs = (t: Timestamp): bigint => t.seconds * 1_000_000_000n + BigInt(t.nanos)
const nsToTs = (ns: bigint): Timestamp => ({ seconds: ns / 1_000_000_000n, nanos: Number(ns % 1_000_000_000n) })
const zeroBlockId = (): BlockID => ({ hash: new Uint8Array(0), partSetHeader: { total: 0, hash: new Uint8Array(0) } })
const emptyCommit = (): Commit => ({ height: 0n, round: 0, blockId: zeroBlockId(), signatures: [] })

/** types.MaxDataBytes: block max bytes less header, commit and overhead (no evidence). */
const maxDataBytes = (maxBytes: bigint, vals: number): number => {
  const mb = maxBytes === -1n ? 104_857_600 : Number(maxBytes)
  return mb - 11 - 626 - (94 + 109 * vals)
}

/** A running block producer (ConsensusEngine plus a few producer-only helpers). */
export interface Producer extends ConsensusEngine {
  /** Makes one block now (outside the timer loop); resolves with the new tip. */
  produceBlock(nowNs: bigint): Promise<ChainTip>
  /** Resolves when the chain reaches `height` (rejects if the producer halts or stops). */
  waitForHeight(height: number): Promise<ChainTip>
  /** The error that halted the producer, if any. */
  halted(): ConsensusHalted | undefined
  /**
   * The latest block's commit once this validator has precommitted it (CometBFT's seen commit),
   * or undefined until then; the RPC serves it as `commit` at the tip (canonical: false).
   */
  latestCommit(): Commit | undefined
}

/** The time of this validator's precommit in a commit it signed (the only COMMIT signature). */
const precommitTimeNs = (c: Commit): bigint => tsToNs(c.signatures.find((x) => x.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_COMMIT)!.timestamp)

/** The block producer (plain class; `makeProducer` runs it in an Effect scope). */
export class BlockProducer implements Producer {
  readonly chainId: string
  readonly blockTimeMs: number
  /** Committed blocks, published after each commit (websocket subscriptions read them). */
  readonly events = new EventBus()
  private readonly cfg: ProducerConfig
  private readonly app: AbciApplication
  private readonly store: BlockStore
  private readonly mempool: Mempool
  private readonly seed: Uint8Array
  private readonly self: Val
  private readonly initialHeight: bigint
  private params: ConsensusParams
  /** Header version.app: Info's app_version, or InitChain's consensus params version (replay.go). */
  private appVersion = 0n
  // chain state after the last committed block
  private lastHeight = 0n
  private lastHeader: Header | undefined
  private lastBlockId: BlockID = zeroBlockId()
  private lastTimeNs = 0n
  /** This validator's precommit of the latest block, signed once it is committed (see seal). */
  private seen: Commit | undefined
  private appHash: Uint8Array = new Uint8Array(0)
  private lastResultsHash: Uint8Array = resultsHash([])
  private lastValidators: Val[] = []
  private curValidators: Val[] = []
  private nextValidators: Val[] = []
  // runtime
  private lock: Promise<unknown> = Promise.resolve()
  private haltError: ConsensusHalted | undefined
  private stopped = false
  private readonly waiters = new Map<string, Array<{ resolve: (c: TxCommit) => void; reject: (e: unknown) => void }>>()
  private readonly heightWaiters: Array<{ height: number; resolve: (t: ChainTip) => void; reject: (e: unknown) => void }> = []
  private readonly recent = new Map<string, TxCommit>()

  constructor(cfg: ProducerConfig) {
    if (cfg.validatorKey.length !== 32) throw new ConsensusStartError({ reason: `validator key must be a 32-byte ed25519 seed, got ${cfg.validatorKey.length} bytes` })
    this.cfg = cfg
    this.chainId = cfg.chainId
    this.blockTimeMs = cfg.blockTimeMs ?? 1000
    this.app = cfg.app
    this.store = cfg.blockStore
    this.mempool = new Mempool(cfg.mempool)
    this.seed = cfg.validatorKey
    this.self = toVal(ed25519.getPublicKey(cfg.validatorKey), 10n)
    this.initialHeight = cfg.genesis.initialHeight ?? 1n
    this.params = cfg.genesis.consensusParams ?? defaultConsensusParams()
  }

  // ---------------------------------------------------------------- handshake

  /**
   * CometBFT's handshake (consensus/replay.go): Info; InitChain when the app is at height 0;
   * FinalizeBlock + Commit of every saved block above the app's height, each checked against
   * the saved results' app hash; then the chain state is rebuilt from the last saved block.
   */
  async start(): Promise<void> {
    const info = await this.app.info({ version: "0.38.17", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" })
    const appHeight = info.lastBlockHeight
    const storeHeight = BigInt(this.store.height())
    if (appHeight > storeHeight) {
      throw new ConsensusStartError({ reason: `application height ${appHeight} is ahead of the block store height ${storeHeight}` })
    }
    let genesisVals = sortVals((this.cfg.genesis.validators ?? [{ pubKeyEd25519: this.self.pubKeyEd25519, power: 10n }])
      .map((v) => toVal(v.pubKeyEd25519, v.power)))
    this.appHash = info.lastBlockAppHash
    this.appVersion = info.appVersion
    this.lastTimeNs = tsToNs(this.cfg.genesis.time)
    if (appHeight === 0n) {
      const res = await this.app.initChain({
        time: this.cfg.genesis.time, chainId: this.chainId, consensusParams: this.params,
        validators: genesisVals.map((v) => ({ pubKey: { ed25519: v.pubKeyEd25519 }, power: v.power })),
        appStateBytes: this.cfg.genesis.appState, initialHeight: this.initialHeight
      })
      if (res.validators.length > 0) genesisVals = fromUpdates(res.validators)
      if (res.consensusParams !== undefined) {
        this.params = { ...this.params, ...res.consensusParams }
        if (res.consensusParams.version !== undefined) this.appVersion = res.consensusParams.version.app
      }
      this.appHash = res.appHash
    }
    this.curValidators = genesisVals
    this.nextValidators = genesisVals
    if (storeHeight === 0n) {
      this.requireSelfInSet()
      return
    }
    // Rebuild validator sets: fast when the last header shows the genesis set unchanged,
    // else by walking every saved height's validator updates.
    const last = await this.mustBlock(storeHeight)
    const prev = storeHeight > this.initialHeight ? await this.mustBlock(storeHeight - 1n) : undefined
    const gh = hex(validatorsHash(genesisVals))
    const fast = hex(last.header.validatorsHash) === gh && hex(last.header.nextValidatorsHash) === gh &&
      (prev === undefined || hex(prev.header.validatorsHash) === gh)
    const from = fast ? (appHeight + 1n > this.initialHeight ? appHeight + 1n : this.initialHeight) : this.initialHeight
    this.lastValidators = from > this.initialHeight ? genesisVals : []
    if (fast && appHeight >= this.initialHeight) {
      const r = await this.store.results(Number(appHeight))
      if (r === undefined) throw new ConsensusStartError({ reason: `block store has no results for committed height ${appHeight}` })
      this.appHash = r.appHash
      this.lastResultsHash = resultsHash(r.txResults)
      this.nextValidators = applyUpdates(genesisVals, r.validatorUpdates) // take effect at appHeight + 2
    }
    for (let h = from; h <= storeHeight; h++) {
      const block = await this.mustBlock(h)
      let updates: ReadonlyArray<ValidatorUpdate>
      let txResults: ReadonlyArray<ExecTxResult>
      let appHashAfter: Uint8Array
      const saved = await this.store.results(Number(h))
      if (h > appHeight) {
        if (!eq(block.header.appHash, this.appHash)) {
          throw new ConsensusStartError({ reason: `block ${h} expects app hash ${hex(block.header.appHash)}, the application has ${hex(this.appHash)}` })
        }
        await this.cfg.preverify?.(block.txs).catch(() => undefined)
        const fin = await this.app.finalizeBlock(this.finalizeRequest(block))
        if (saved !== undefined && !eq(saved.appHash, fin.appHash)) {
          throw new ConsensusStartError({ reason: `replayed block ${h}: app hash ${hex(fin.appHash)} differs from the saved ${hex(saved.appHash)}` })
        }
        if (saved === undefined) await this.saveResults(h, fin)
        await this.app.commit()
        updates = fin.validatorUpdates; txResults = fin.txResults; appHashAfter = fin.appHash
      } else {
        if (saved === undefined) throw new ConsensusStartError({ reason: `block store has no results for committed height ${h}` })
        updates = saved.validatorUpdates; txResults = saved.txResults; appHashAfter = saved.appHash
      }
      this.appHash = appHashAfter
      this.lastResultsHash = resultsHash(txResults)
      this.rotate(updates)
    }
    if (appHeight === storeHeight && !eq(info.lastBlockAppHash, this.appHash)) {
      throw new ConsensusStartError({ reason: `application app hash ${hex(info.lastBlockAppHash)} at height ${appHeight} differs from the saved ${hex(this.appHash)}` })
    }
    if (hex(validatorsHash(this.lastValidators)) !== hex(last.header.validatorsHash) ||
      hex(validatorsHash(this.curValidators)) !== hex(last.header.nextValidatorsHash)) {
      throw new ConsensusStartError({ reason: "NotSupported: cannot rebuild the validator set from genesis and saved results (InitChain changed it?)" })
    }
    const ch = consensusParamsHash(this.params.block?.maxBytes ?? 22_020_096n, this.params.block?.maxGas ?? -1n)
    if (!eq(ch, last.header.consensusHash)) {
      throw new ConsensusStartError({ reason: "NotSupported: consensus params differ from those of the last saved block (changed by InitChain or a param update)" })
    }
    this.lastHeight = storeHeight
    this.lastHeader = last.header
    this.lastBlockId = { hash: last.hash, partSetHeader: partSetHeader({ header: last.header, data: { txs: [...last.txs] }, evidence: { evidence: [] }, lastCommit: last.lastCommit }) }
    this.lastTimeNs = tsToNs(last.header.time)
    this.requireSelfInSet()
  }

  private requireSelfInSet(): void {
    if (!this.curValidators.some((v) => eq(v.address, this.self.address))) {
      throw new ConsensusStartError({ reason: `NotSupported: the producer's key ${hex(this.self.address)} is not in the validator set (single-node producer signs alone)` })
    }
  }

  private async mustBlock(h: bigint): Promise<StoredBlock> {
    const b = await this.store.block(Number(h))
    if (b === undefined) throw new ConsensusStartError({ reason: `block store is missing block ${h}` })
    return b
  }

  private rotate(updates: ReadonlyArray<ValidatorUpdate>): void {
    this.lastValidators = this.curValidators
    this.curValidators = this.nextValidators
    this.nextValidators = applyUpdates(this.nextValidators, updates)
  }

  private commitInfo(c: Commit): CommitInfo {
    return commitInfo(this.lastValidators, c)
  }

  private extendedCommitInfo(c: Commit): ExtendedCommitInfo {
    return {
      round: c.round,
      votes: this.commitInfo(c).votes.map((v) => ({ ...v, voteExtension: new Uint8Array(0), extensionSignature: new Uint8Array(0) }))
    }
  }

  private finalizeRequest(b: StoredBlock): RequestFinalizeBlock {
    return {
      txs: [...b.txs], decidedLastCommit: this.commitInfo(b.lastCommit), misbehavior: [], hash: b.hash,
      height: b.header.height, time: b.header.time, nextValidatorsHash: b.header.nextValidatorsHash,
      proposerAddress: b.header.proposerAddress
    }
  }

  private saveResults(height: bigint, fin: ResponseFinalizeBlock): Promise<void> {
    return this.store.saveResults({
      height: Number(height), txResults: fin.txResults, events: fin.events, validatorUpdates: fin.validatorUpdates, appHash: fin.appHash
    })
  }

  // ---------------------------------------------------------------- blocks

  private exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.lock.then(f, f)
    this.lock = run.catch(() => undefined)
    return run
  }

  /** Commit for the last block, signed now by this validator (others ABSENT), timestamp = vote time. */
  private signLastCommit(timeNs: bigint): Commit {
    const timestamp = nsToTs(timeNs)
    const sign = voteSignBytes(this.chainId, {
      type: PRECOMMIT_TYPE, height: this.lastHeight, round: 0n, blockId: this.lastBlockId, timestamp
    })
    const signatures: CommitSig[] = this.lastValidators.map((v) => eq(v.address, this.self.address)
      ? { blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_COMMIT, validatorAddress: v.address, timestamp, signature: ed25519.sign(sign, this.seed) }
      : { blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_ABSENT, validatorAddress: new Uint8Array(0), timestamp: { seconds: -62_135_596_800n, nanos: 0 }, signature: new Uint8Array(0) })
    return { height: this.lastHeight, round: 0, blockId: this.lastBlockId, signatures }
  }

  /**
   * Precommit the latest block now (`nowNs`, at least 1 ms after its time), as a validator does
   * once it has committed it: the RPC then serves the tip's commit, as CometBFT's seen commit,
   * and the next block carries this commit and takes its time (BFT time with one validator).
   * Does nothing before the first block or once sealed.
   */
  seal(nowNs: bigint): void {
    if (this.lastHeight === 0n || this.seen?.height === this.lastHeight || this.haltError !== undefined) return
    const minNs = this.lastTimeNs + 1_000_000n
    this.seen = this.signLastCommit(nowNs > minNs ? nowNs : minNs)
  }

  latestCommit(): Commit | undefined {
    return this.seen !== undefined && this.seen.height === this.lastHeight ? this.seen : undefined
  }

  /** needProofBlock (consensus/state.go): the first height, or the app hash changed in the last block. */
  private needProofBlock(): boolean {
    return this.lastHeader === undefined || !eq(this.lastHeader.appHash, this.appHash)
  }

  /** The timer loop's step: one block unless empty blocks are off and nothing needs one. Never rejects. */
  async tick(nowNs: bigint): Promise<void> {
    if (this.stopped || this.haltError !== undefined) return
    if (this.cfg.createEmptyBlocks === false && this.mempool.size() === 0 && !this.needProofBlock()) return
    await this.produceBlock(nowNs).catch(() => undefined)
  }

  produceBlock(nowNs: bigint): Promise<ChainTip> {
    return this.exclusive(async () => {
      if (this.haltError !== undefined) throw this.haltError
      if (this.stopped) throw new ConsensusHalted({ reason: "producer stopped" })
      try {
        return await this.makeBlock(nowNs)
      } catch (e) {
        this.halt(e instanceof ConsensusHalted ? e : new ConsensusHalted({ reason: e instanceof Error ? e.message : String(e) }))
        throw this.haltError
      }
    })
  }

  private async makeBlock(nowNs: bigint): Promise<ChainTip> {
    const height = this.lastHeight === 0n ? this.initialHeight : this.lastHeight + 1n
    if (this.cfg.beforePropose) {
      try {
        await this.cfg.beforePropose(height)
      } catch (e) {
        throw new ConsensusHalted({ reason: e instanceof Error ? e.message : String(e) })
      }
    }
    // BFT time with one validator: the first block has genesis time, later ones the precommit
    // time: the sealed commit's (see seal), else a precommit signed now
    const minNs = this.lastTimeNs + 1_000_000n
    const sealed = this.latestCommit()
    const timeNs = this.lastHeight === 0n ? tsToNs(this.cfg.genesis.time) : sealed ? precommitTimeNs(sealed) : nowNs > minNs ? nowNs : minNs
    const time = nsToTs(timeNs)
    const lastCommit = this.lastHeight === 0n ? emptyCommit() : sealed ?? this.signLastCommit(timeNs)
    const maxBytes = maxDataBytes(this.params.block?.maxBytes ?? 22_020_096n, this.curValidators.length)
    const reaped = this.mempool.reap(maxBytes, this.params.block?.maxGas ?? -1n)
    const nextValidatorsHash = validatorsHash(this.nextValidators)
    const prep = await this.app.prepareProposal({
      maxTxBytes: BigInt(maxBytes), txs: reaped.map((e) => e.tx), localLastCommit: this.extendedCommitInfo(lastCommit),
      misbehavior: [], height, time, nextValidatorsHash, proposerAddress: this.self.address
    })
    const txs = prep.txs
    let total = 0
    for (const t of txs) total += t.length
    if (total > maxBytes) throw new ConsensusHalted({ reason: `PrepareProposal returned ${total} tx bytes, more than max_tx_bytes ${maxBytes}` })
    const header: Header = {
      version: { block: 11n, app: this.appVersion },
      chainId: this.chainId, height, time, lastBlockId: this.lastBlockId,
      lastCommitHash: commitHash(lastCommit), dataHash: dataHash(txs),
      validatorsHash: validatorsHash(this.curValidators), nextValidatorsHash,
      consensusHash: consensusParamsHash(this.params.block?.maxBytes ?? 22_020_096n, this.params.block?.maxGas ?? -1n),
      appHash: this.appHash, lastResultsHash: this.lastResultsHash, evidenceHash: merkleRoot([]),
      proposerAddress: this.self.address
    }
    const hash = headerHash(header)!
    const blockId: BlockID = { hash, partSetHeader: partSetHeader({ header, data: { txs }, evidence: { evidence: [] }, lastCommit }) }
    const proc = await this.app.processProposal({
      txs, proposedLastCommit: this.commitInfo(lastCommit), misbehavior: [], hash, height, time, nextValidatorsHash,
      proposerAddress: this.self.address
    })
    if (proc.status !== ResponseProcessProposal_ProposalStatus.ACCEPT) {
      throw new ConsensusHalted({ reason: `the application rejected its own proposal at height ${height} (ProcessProposal status ${proc.status})` })
    }
    const block: StoredBlock = { header, hash, txs, lastCommit }
    await this.store.saveBlock(block)
    const fin = await this.app.finalizeBlock(this.finalizeRequest(block))
    if (fin.txResults.length !== txs.length) {
      throw new ConsensusHalted({ reason: `FinalizeBlock at ${height} returned ${fin.txResults.length} results for ${txs.length} txs` })
    }
    await this.saveResults(height, fin)
    await this.app.commit()
    // the block is committed: advance the state
    this.lastHeight = height
    this.lastHeader = header
    this.lastBlockId = blockId
    this.lastTimeNs = timeNs
    this.appHash = fin.appHash
    this.lastResultsHash = resultsHash(fin.txResults)
    this.rotate(fin.validatorUpdates)
    // NotSupported: fin.consensusParamUpdates are not applied (genesis/InitChain params stay);
    // the block store does not keep them, so a restart could not rebuild them (docs/consensus.md).
    // mempool update: drop included txs, recheck the rest
    const commits: TxCommit[] = txs.map((tx, index) => ({ height: Number(height), index, hash: txHash(tx), result: fin.txResults[index]! }))
    for (const c of commits) this.mempool.remove(hashKey(c.hash))
    await this.recheck()
    const tip = this.tip()
    for (const c of commits) this.notifyCommit(c)
    if (this.cfg.onCommitted) {
      try {
        this.cfg.onCommitted({ ...tip, block, results: fin })
      } catch {
        // an observer's failure is its own; the chain goes on
      }
    }
    for (let i = this.heightWaiters.length - 1; i >= 0; i--) {
      const w = this.heightWaiters[i]!
      if (w.height <= Number(height)) { this.heightWaiters.splice(i, 1); w.resolve(tip) }
    }
    // queued per subscriber and delivered on a later turn: never waits for a subscriber
    this.events.publish({ block, blockId, finalize: fin })
    return tip
  }

  private async recheck(): Promise<void> {
    for (const [key, e] of this.mempool.entries()) {
      const r = await this.app.checkTx({ tx: e.tx, type: CheckTxType.RECHECK })
      if (r.code !== 0) this.mempool.remove(key)
    }
  }

  private notifyCommit(c: TxCommit): void {
    const key = hashKey(c.hash)
    this.recent.set(key, c)
    if (this.recent.size > 10_000) this.recent.delete(this.recent.keys().next().value!)
    const ws = this.waiters.get(key)
    if (ws === undefined) return
    this.waiters.delete(key)
    for (const w of ws) w.resolve(c)
  }

  private halt(e: ConsensusHalted): void {
    if (this.haltError !== undefined) return
    this.haltError = e
    this.rejectAll(e)
    this.cfg.onHalt?.(e)
  }

  private rejectAll(e: unknown): void {
    for (const ws of this.waiters.values()) for (const w of ws) w.reject(e)
    this.waiters.clear()
    for (const w of this.heightWaiters.splice(0)) w.reject(e)
  }

  /** Stops: waits for the block in progress, then rejects pending waiters. */
  async stop(): Promise<void> {
    this.stopped = true
    await this.lock.catch(() => undefined)
    this.rejectAll(new ConsensusHalted({ reason: "producer stopped" }))
    this.events.close()
  }

  // ---------------------------------------------------------------- ConsensusEngine

  async preverify(txs: ReadonlyArray<Uint8Array>): Promise<void> {
    if (txs.length === 0 || this.cfg.preverify === undefined) return
    await this.cfg.preverify(txs).catch(() => undefined)
  }

  async broadcastTx(tx: Uint8Array): Promise<ResponseCheckTx> {
    if (this.haltError !== undefined) throw this.haltError
    if (this.stopped) throw new ConsensusHalted({ reason: "producer stopped" })
    const hash = txHash(tx)
    const key = hashKey(hash)
    // CometBFT keeps committed valid txs in its mempool cache (cache_size 10000): a resubmission
    // is refused as a duplicate without reaching CheckTx
    if (this.recent.get(key)?.result.code === 0) {
      return ResponseCheckTx.fromPartial({ code: MempoolCode.Duplicate, codespace: "mempool", log: "tx already exists in cache" })
    }
    const refused = this.mempool.precheck(tx, key)
    if (refused !== undefined) {
      const code = refused.reason === "too-large" ? MempoolCode.TooLarge : refused.reason === "full" ? MempoolCode.Full : MempoolCode.Duplicate
      return ResponseCheckTx.fromPartial({ code, codespace: "mempool", log: refused.log })
    }
    let res: ResponseCheckTx
    try {
      await this.cfg.preverify?.([tx]).catch(() => undefined)
      res = await this.exclusive(() => this.app.checkTx({ tx, type: CheckTxType.NEW }))
    } catch (e) {
      this.mempool.settle({ tx, hash, gasWanted: 0n }, key, false)
      throw e
    }
    const entry: MempoolTx = { tx, hash, gasWanted: res.gasWanted }
    const late = this.mempool.settle(entry, key, res.code === 0)
    if (late !== undefined) return ResponseCheckTx.fromPartial({ code: late.reason === "too-large" ? MempoolCode.TooLarge : MempoolCode.Full, codespace: "mempool", log: late.log })
    return res
  }

  awaitCommit(hash: Uint8Array, timeoutMs: number): Promise<TxCommit> {
    const key = hashKey(hash)
    const done = this.recent.get(key)
    if (done !== undefined) return Promise.resolve(done)
    if (this.haltError !== undefined) return Promise.reject(this.haltError)
    return new Promise<TxCommit>((resolve, reject) => {
      const forget = (): void => {
        const ws = this.waiters.get(key)
        if (ws === undefined) return
        const i = ws.indexOf(w)
        if (i >= 0) ws.splice(i, 1)
        if (ws.length === 0) this.waiters.delete(key)
      }
      const timer = setTimeout(() => {
        forget()
        reject(new TxCommitTimeout({ hash: key.toUpperCase(), timeoutMs }))
      }, timeoutMs)
      const w = {
        resolve: (c: TxCommit) => { clearTimeout(timer); resolve(c) },
        reject: (e: unknown) => { clearTimeout(timer); reject(e) }
      }
      const ws = this.waiters.get(key)
      if (ws === undefined) this.waiters.set(key, [w]); else ws.push(w)
      // committed before this node's recent-commit memory (or before a restart)
      this.store.tx(hash).then((t) => {
        if (t === undefined) return
        forget()
        w.resolve({ height: t.height, index: t.index, hash: t.hash, result: t.result })
      }, () => undefined)
    })
  }

  tip(): ChainTip {
    return {
      height: Number(this.lastHeight), blockHash: this.lastBlockId.hash, appHash: this.appHash,
      timeNs: this.lastHeight === 0n ? tsToNs(this.cfg.genesis.time) : this.lastTimeNs
    }
  }

  validators(): ReadonlyArray<ValidatorInfo> {
    return this.curValidators.map((v) => ({ address: v.address, pubKeyEd25519: v.pubKeyEd25519, power: v.power }))
  }

  mempoolSize(): number { return this.mempool.size() }

  waitForHeight(height: number): Promise<ChainTip> {
    if (Number(this.lastHeight) >= height) return Promise.resolve(this.tip())
    if (this.haltError !== undefined) return Promise.reject(this.haltError)
    return new Promise((resolve, reject) => this.heightWaiters.push({ height, resolve, reject }))
  }

  halted(): ConsensusHalted | undefined { return this.haltError }
}

/** The timer loop: sleep blockTimeMs on Effect's Clock, then one block (plain code inside). */
const blockLoop = (p: BlockProducer): Effect.Effect<void> =>
  Effect.gen(function*() {
    while (p.halted() === undefined) {
      yield* Effect.sleep(Duration.millis(p.blockTimeMs))
      const now = yield* Clock.currentTimeNanos
      yield* Effect.promise(() => p.tick(now))
      p.seal(yield* Clock.currentTimeNanos)
    }
    yield* Effect.logError(p.halted()!.message)
  })

/**
 * Starts the producer in the current scope: handshake (InitChain or replay), then a scoped
 * fiber that makes a block every blockTimeMs. Closing the scope stops the loop, waits for the
 * block in progress and rejects pending awaitCommit calls.
 * Usage: `const engine = yield* makeProducer({ app, blockStore, chainId, validatorKey, genesis })`.
 */
export const makeProducer = (cfg: ProducerConfig): Effect.Effect<Producer, ConsensusStartError, Scope.Scope> =>
  Effect.gen(function*() {
    const p = yield* Effect.try({
      try: () => new BlockProducer(cfg),
      catch: (e) => e instanceof ConsensusStartError ? e : new ConsensusStartError({ reason: String(e) })
    })
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => p.start(),
        catch: (e) => e instanceof ConsensusStartError ? e : new ConsensusStartError({ reason: e instanceof Error ? e.message : String(e) })
      }),
      () => Effect.promise(() => p.stop())
    )
    yield* Effect.forkScoped(blockLoop(p))
    return p as Producer
  })

/** Layer providing the Consensus service with the embedded producer. */
export const producerLayer = (cfg: ProducerConfig): Layer.Layer<Consensus, ConsensusStartError> =>
  Layer.effect(Consensus, makeProducer(cfg))

