/**
 * The full node's consensus engine: instead of producing blocks it fetches them from a peer over
 * `/cyberkernel/sync/1` (SyncClient.ts), from the height after its own, verifies each one
 * (BlockVerifier.ts: header against the state, the next block's last commit signed by +2/3 of
 * the validators), re-executes it through the application (FinalizeBlock), checks the resulting
 * app hash and results hash against the next header, and only then stores it and commits
 * (saveBlock -> saveResults -> Commit). Once caught up it follows committed blocks announced on
 * the gossipsub topic `/cyberkernel/blocks/<chain-id>` and asks the peer for any gap; without
 * gossip it asks the peer's status every `pollMs`.
 *
 * A block from the sync peer that fails a check stops the sync (`halted`, the error names the
 * height); nothing of it is stored or committed. A gossiped block is never trusted on its own:
 * when its header is the only witness of a mismatch, the sync peer's copy decides.
 *
 * Serves the RPC as ConsensusEngine (status, block, abci_query, tx_search of synced txs); it
 * takes no transactions (broadcast answers code 1 in codespace "sync").
 *
 * Source: cometbft v0.38 blocksync/reactor.go + pool.go (fetch ahead, verify block H with block
 * H+1's LastCommit, ApplyBlock), consensus/replay.go (handshake), state/execution.go.
 */
import { Data, Effect, type Scope } from "effect"
import { ResponseCheckTx, type CommitInfo, type RequestFinalizeBlock, type ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types"
import type { ConsensusParams } from "cosmjs-types/tendermint/types/params"
import type { BlockID, Commit } from "cosmjs-types/tendermint/types/types"
import type { AbciApplication } from "../../chain/Abci.ts"
import type { BlockStore, StoredBlock } from "../../chain/BlockStore.ts"
import { equalBytes, sha256, toHex } from "../../lib/Bytes.ts"
import type { ChainTip, ConsensusEngine, TxCommit, ValidatorInfo } from "../../modules/consensus/Consensus.ts"
import { EventBus } from "../../modules/consensus/EventBus.ts"
import { resultsHash, validatorsHash } from "../../modules/consensus/CometHashing.ts"
import type { ProducerGenesis } from "../../modules/consensus/producer/Producer.ts"
import { blockIdOf, BlockRejected, verifyCommit, verifyHeader, type ChainState } from "./BlockVerifier.ts"
import { applyUpdates, commitInfo, fromUpdates, sortVals, toVal, type Val } from "../../modules/consensus/ValidatorSet.ts"
import type { BlockPubSub } from "./SyncHost.ts"
import { blocksTopic, canonicalJson, decodeSyncBlock, MAX_BLOCKS_PER_RESPONSE, type SyncBlock, type SyncStatus } from "./SyncProtocol.ts"

export { BlockRejected } from "./BlockVerifier.ts"

/** Fetching ahead pauses while the blocks waiting to be applied hold this many bytes. */
export const MAX_PENDING_BYTES = 64 * 1024 * 1024

/** Consecutive failed requests to the peer (no answer, closed stream) before the sync stops. */
export const MAX_PEER_FAILURES = 10

/** The sync could not start: the peer's chain differs, or the local stores are inconsistent. */
export class SyncStartError extends Data.TaggedError("SyncStartError")<{ readonly reason: string }> {
  override get message(): string { return `sync start: ${this.reason}` }
}

/** The sync stopped: a rejected block (BlockRejected's message names the height) or a failing peer. */
export class SyncHalted extends Data.TaggedError("SyncHalted")<{ readonly height: number; readonly reason: string }> {
  override get message(): string { return `sync halted at height ${this.height}: ${this.reason}` }
}

/** The part of SyncClient the Syncer uses (a test may hand a hostile one). */
export interface SyncPeer {
  readonly peer: string
  status(): Promise<SyncStatus>
  blocks(from: number, to: number): Promise<ReadonlyArray<SyncBlock>>
}

/** Syncer configuration. */
export interface SyncerConfig {
  readonly app: AbciApplication
  readonly blockStore: BlockStore
  readonly chainId: string
  readonly genesis: ProducerGenesis
  /** The genesis document (parsed genesis.json): its canonical hash must equal the peer's. */
  readonly genesisDoc: unknown
  readonly peer: SyncPeer
  /** Gossip of committed blocks, when the host has it. */
  readonly pubsub?: BlockPubSub | undefined
  /** How often the peer's status is asked once caught up, ms (default 500; 5000 with gossip). */
  readonly pollMs?: number | undefined
  /** Blocks fetched ahead of the applied height (default 400). */
  readonly window?: number | undefined
  /** Verify tx signatures ahead (worker threads), as the producer does. */
  readonly preverify?: ((txs: ReadonlyArray<Uint8Array>) => Promise<void>) | undefined
  /** Before executing a height; a throw halts the sync (a machine this node lacks activates). */
  readonly beforeApply?: ((height: bigint) => void) | undefined
  /** Each committed block, after Commit. */
  readonly onCommitted?: ((c: { readonly height: number; readonly blockHash: Uint8Array; readonly appHash: Uint8Array; readonly timeNs: bigint; readonly block: StoredBlock; readonly results: ResponseFinalizeBlock }) => void) | undefined
  /** The sync stopped for good. */
  readonly onHalt?: ((e: SyncHalted) => void) | undefined
}

/** A running syncer: a ConsensusEngine plus sync facts. */
export interface Syncer extends ConsensusEngine {
  /** Resolves when the node has committed `height` (rejects if the sync halts). */
  waitForHeight(height: number): Promise<ChainTip>
  /** The commit of the tip block once verified (from the next block), for RPC `commit`. */
  latestCommit(): Commit | undefined
  /** Why the sync stopped, if it did. */
  halted(): SyncHalted | undefined
  /** The peer's last known height. */
  peerHeight(): number
}

interface Pending { readonly sb: SyncBlock; readonly gossip: boolean }

const tsToNs = (t: { seconds: bigint; nanos: number }): bigint => t.seconds * 1_000_000_000n + BigInt(t.nanos)
const zeroBlockId = (): BlockID => ({ hash: new Uint8Array(0), partSetHeader: { total: 0, hash: new Uint8Array(0) } })
const upper = (b: Uint8Array): string => toHex(b).toUpperCase()
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** The syncer (plain class; `makeSyncer` runs it in an Effect scope). */
export class BlockSyncer implements Syncer {
  readonly chainId: string
  readonly events = new EventBus()
  private readonly cfg: SyncerConfig
  private readonly initialHeight: number
  private readonly params: ConsensusParams
  private lastHeight = 0
  private lastBlockId: BlockID = zeroBlockId()
  private lastTimeNs = 0n
  private appHash: Uint8Array = new Uint8Array(0)
  private lastResultsHash: Uint8Array = resultsHash([])
  private lastValidators: Val[] = []
  private curValidators: Val[] = []
  private nextValidators: Val[] = []
  private tipCommit: Commit | undefined
  private remoteHeight = 0
  private readonly pending = new Map<number, Pending>()
  private haltError: SyncHalted | undefined
  private stopped = false
  private wake: (() => void) | undefined
  /** Gossip arrived while the loop was not sleeping: its next sleep returns at once. */
  private kicked = false
  /** FinalizeBlock ran for lastHeight + 1 without Commit: that height cannot be tried again. */
  private executed = false
  private loop: Promise<void> = Promise.resolve()
  private readonly heightWaiters: Array<{ height: number; resolve: (t: ChainTip) => void; reject: (e: unknown) => void }> = []
  private readonly txWaiters = new Map<string, Array<(c: TxCommit) => void>>()
  private readonly onGossip = (evt: CustomEvent<{ readonly topic: string; readonly data: Uint8Array }>): void => this.gossip(evt.detail.topic, evt.detail.data)

  constructor(cfg: SyncerConfig) {
    this.cfg = cfg
    this.chainId = cfg.chainId
    this.initialHeight = Number(cfg.genesis.initialHeight ?? 1n)
    this.params = cfg.genesis.consensusParams ?? {}
  }

  // ---------------------------------------------------------------- start

  /** Check the peer's chain, then InitChain or replay (CometBFT's handshake), then start the loop. */
  async start(): Promise<void> {
    const { app, blockStore: store } = this.cfg
    const status = await this.cfg.peer.status().catch((e) => { throw new SyncStartError({ reason: `peer ${this.cfg.peer.peer}: ${errText(e)}` }) })
    if (status.chainId !== this.chainId) throw new SyncStartError({ reason: `peer ${this.cfg.peer.peer} runs chain "${status.chainId}", this node's genesis is for "${this.chainId}"` })
    const ours = sha256(canonicalJson(this.cfg.genesisDoc))
    if (!equalBytes(ours, status.genesisHash)) {
      throw new SyncStartError({ reason: `peer ${this.cfg.peer.peer} has a different genesis document (sha256 ${upper(status.genesisHash)}, ours ${upper(ours)}) for chain ${this.chainId}` })
    }
    this.remoteHeight = status.height
    const info = await app.info({ version: "0.38.17", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" })
    const appHeight = Number(info.lastBlockHeight)
    const storeHeight = store.height()
    if (appHeight > storeHeight) throw new SyncStartError({ reason: `application height ${appHeight} is ahead of the block store height ${storeHeight}` })
    let vals = sortVals((this.cfg.genesis.validators ?? []).map((v) => toVal(v.pubKeyEd25519, v.power)))
    this.appHash = info.lastBlockAppHash
    this.lastTimeNs = tsToNs(this.cfg.genesis.time)
    if (appHeight === 0) {
      const res = await app.initChain({
        time: this.cfg.genesis.time, chainId: this.chainId, consensusParams: this.params,
        validators: vals.map((v) => ({ pubKey: { ed25519: v.pubKeyEd25519 }, power: v.power })),
        appStateBytes: this.cfg.genesis.appState, initialHeight: BigInt(this.initialHeight)
      })
      if (res.validators.length > 0) vals = fromUpdates(res.validators)
      this.appHash = res.appHash
    }
    if (vals.length === 0) throw new SyncStartError({ reason: "genesis names no validators: there is nothing to verify commits against" })
    this.curValidators = vals
    this.nextValidators = vals
    // Rebuild the state from the saved blocks; replay those the app has not committed.
    let last: StoredBlock | undefined
    for (let h = this.initialHeight; h <= storeHeight; h++) {
      const block = await store.block(h)
      if (block === undefined) throw new SyncStartError({ reason: `block store is missing block ${h}` })
      let saved = await store.results(h)
      if (h > appHeight) {
        if (!equalBytes(block.header.appHash, this.appHash)) throw new SyncStartError({ reason: `block ${h} expects app hash ${upper(block.header.appHash)}, the application has ${upper(this.appHash)}` })
        const fin = await app.finalizeBlock(this.finalizeRequest(block))
        if (saved !== undefined && !equalBytes(saved.appHash, fin.appHash)) throw new SyncStartError({ reason: `replayed block ${h}: app hash ${upper(fin.appHash)} differs from the saved ${upper(saved.appHash)}` })
        if (saved === undefined) {
          saved = { height: h, txResults: fin.txResults, events: fin.events, validatorUpdates: fin.validatorUpdates, appHash: fin.appHash }
          await store.saveResults(saved)
        }
        await app.commit()
      }
      if (saved === undefined) throw new SyncStartError({ reason: `block store has no results for committed height ${h}` })
      this.appHash = saved.appHash
      this.lastResultsHash = resultsHash(saved.txResults)
      this.rotate(saved.validatorUpdates)
      last = block
    }
    if (last !== undefined) {
      if (!equalBytes(validatorsHash(this.lastValidators), last.header.validatorsHash)) throw new SyncStartError({ reason: "the rebuilt validator set differs from the last saved header's" })
      this.lastHeight = storeHeight
      this.lastBlockId = blockIdOf(last)
      this.lastTimeNs = tsToNs(last.header.time)
    }
    if (this.cfg.pubsub) {
      this.cfg.pubsub.addEventListener("message", this.onGossip)
      this.cfg.pubsub.subscribe(blocksTopic(this.chainId))
    }
    this.loop = this.run()
  }

  private rotate(updates: ReadonlyArray<import("cosmjs-types/tendermint/abci/types").ValidatorUpdate>): void {
    this.lastValidators = this.curValidators
    this.curValidators = this.nextValidators
    this.nextValidators = applyUpdates(this.nextValidators, updates)
  }

  private commitInfo(c: Commit): CommitInfo {
    return commitInfo(this.lastValidators, c)
  }

  private finalizeRequest(b: StoredBlock): RequestFinalizeBlock {
    return {
      txs: [...b.txs], decidedLastCommit: this.commitInfo(b.lastCommit), misbehavior: [], hash: b.hash,
      height: b.header.height, time: b.header.time, nextValidatorsHash: b.header.nextValidatorsHash,
      proposerAddress: b.header.proposerAddress
    }
  }

  private state(): ChainState {
    return {
      chainId: this.chainId, initialHeight: this.initialHeight, lastBlockId: this.lastBlockId, appHash: this.appHash,
      lastResultsHash: this.lastResultsHash, validators: this.curValidators, nextValidators: this.nextValidators,
      maxBytes: this.params.block?.maxBytes ?? 22_020_096n, maxGas: this.params.block?.maxGas ?? -1n
    }
  }

  // ---------------------------------------------------------------- the loop

  private window(): number { return this.cfg.window ?? 400 }

  /** Approximate bytes held in fetched blocks not yet applied (txs plus 1 KiB each). */
  private pendingBytes(): number {
    let n = 0
    for (const p of this.pending.values()) {
      n += 1024
      for (const t of p.sb.block.txs) n += t.length
    }
    return n
  }

  /** Highest height such that every block from lastHeight + 1 to it is pending. */
  private contiguousEnd(): number {
    let h = this.lastHeight
    while (this.pending.has(h + 1)) h++
    return h
  }

  private sleep(ms: number): Promise<void> {
    // a wake-up that came while the loop was busy is not lost
    if (this.stopped || this.kicked) { this.kicked = false; return Promise.resolve() }
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.wake = undefined; resolve() }, ms)
      this.wake = () => { clearTimeout(timer); this.wake = undefined; resolve() }
    })
  }

  private async run(): Promise<void> {
    const pollMs = this.cfg.pollMs ?? (this.cfg.pubsub ? 5000 : 500)
    let failures = 0
    while (!this.stopped && this.haltError === undefined) {
      try {
        await this.step(pollMs)
        failures = 0
      } catch (e) {
        // a block executed but not committed cannot be tried again: only a peer failure before it is retried
        if (e instanceof BlockRejected || e instanceof SyncHalted || this.executed || ++failures > MAX_PEER_FAILURES) {
          this.halt(e instanceof BlockRejected
            ? new SyncHalted({ height: e.height, reason: e.message })
            : e instanceof SyncHalted ? e
            : new SyncHalted({ height: this.lastHeight + 1, reason: `peer ${this.cfg.peer.peer}: ${errText(e)}` }))
          return
        }
        // the peer failed to answer (restart, dropped connection): back off and ask again
        await this.sleep(Math.min(failures * 1000, 5000))
      }
    }
  }

  /** One round: fetch ahead, apply what is ready, and when caught up ask the peer's status or wait. */
  private async step(pollMs: number): Promise<void> {
    const next = this.contiguousEnd() + 1
    const fetching = next <= this.remoteHeight && next - this.lastHeight <= this.window() && this.pendingBytes() < MAX_PENDING_BYTES
      ? this.cfg.peer.blocks(next, Math.min(this.remoteHeight, next + MAX_BLOCKS_PER_RESPONSE - 1))
      : undefined
    fetching?.catch(() => undefined)
    await this.applyReady()
    if (this.stopped || this.haltError !== undefined) return
    if (fetching !== undefined) {
      const got = await fetching
      for (const sb of got) {
        const h = Number(sb.block.header.height)
        if (h > this.lastHeight) this.pending.set(h, { sb, gossip: false })
      }
      return
    }
    if (next - this.lastHeight > this.window()) return
    // dropped gossip left a gap the peer can fill
    if (this.contiguousEnd() + 1 <= this.remoteHeight) return
    // caught up with what we know: ask again, wait for gossip or the poll interval
    const st = await this.cfg.peer.status()
    if (st.height > this.remoteHeight) this.remoteHeight = st.height
    if (this.contiguousEnd() + 1 <= this.remoteHeight) return
    await this.sleep(pollMs)
  }

  /** Apply every block whose next block is pending. */
  private async applyReady(): Promise<void> {
    for (;;) {
      if (this.stopped || this.haltError !== undefined) return
      const h = this.lastHeight + 1
      const cur = this.pending.get(h)
      const next = this.pending.get(h + 1)
      if (cur === undefined || next === undefined) return
      try {
        await this.apply(h, cur, next)
      } catch (e) {
        if (e instanceof BlockRejected && !this.executed && (cur.gossip || next.gossip)) {
          // a gossiped block is no witness: drop what gossip gave and fetch from the sync peer
          for (const [k, p] of this.pending) if (p.gossip && k >= h) this.pending.delete(k)
          continue
        }
        throw e
      }
      this.pending.delete(h)
    }
  }

  /** Verify block `h` with the next block, execute it, check the outcome, store and commit it. */
  private async apply(h: number, cur: Pending, nextIn: Pending): Promise<void> {
    let next = nextIn
    const block0 = cur.sb.block
    const blockId = verifyHeader(this.state(), block0, h)
    const block: StoredBlock = { ...block0, hash: blockId.hash }
    const nh = next.sb.block.header
    if (nh.height !== BigInt(h + 1) || nh.chainId !== this.chainId) throw new BlockRejected({ height: h + 1, reason: `next block is height ${nh.height} of chain "${nh.chainId}"` })
    if (!equalBytes(nh.lastBlockId.hash, blockId.hash) || nh.lastBlockId.partSetHeader.total !== blockId.partSetHeader.total || !equalBytes(nh.lastBlockId.partSetHeader.hash, blockId.partSetHeader.hash)) {
      throw new BlockRejected({ height: h, reason: `block ${h + 1}'s last block id ${upper(nh.lastBlockId.hash)} is not block ${h}'s ${upper(blockId.hash)}` })
    }
    verifyCommit(this.chainId, this.curValidators, h, blockId, next.sb.block.lastCommit)
    this.cfg.beforeApply?.(BigInt(h))
    await this.cfg.preverify?.(block.txs).catch(() => undefined)
    this.executed = true
    const fin = await this.cfg.app.finalizeBlock(this.finalizeRequest(block))
    if (fin.txResults.length !== block.txs.length) throw new BlockRejected({ height: h, reason: `FinalizeBlock returned ${fin.txResults.length} results for ${block.txs.length} txs` })
    const rh = resultsHash(fin.txResults)
    const matches = (n: Pending): boolean => equalBytes(n.sb.block.header.appHash, fin.appHash) && equalBytes(n.sb.block.header.lastResultsHash, rh)
    if (!matches(next) && next.gossip) {
      // the gossiped next header is the only witness: ask the sync peer for its copy
      const [fromPeer] = await this.cfg.peer.blocks(h + 1, h + 1)
      if (fromPeer === undefined) throw new SyncHalted({ height: h, reason: `peer has no block ${h + 1} to check block ${h}'s app hash` })
      next = { sb: fromPeer, gossip: false }
      this.pending.set(h + 1, next)
      if (!equalBytes(next.sb.block.header.lastBlockId.hash, blockId.hash)) throw new BlockRejected({ height: h + 1, reason: `the peer's block ${h + 1} does not follow block ${h}` })
      verifyCommit(this.chainId, this.curValidators, h, blockId, next.sb.block.lastCommit)
    }
    if (!equalBytes(next.sb.block.header.appHash, fin.appHash)) {
      throw new BlockRejected({ height: h, reason: `re-executing block ${h} gives app hash ${upper(fin.appHash)}, block ${h + 1}'s header has ${upper(next.sb.block.header.appHash)}` })
    }
    if (!equalBytes(next.sb.block.header.lastResultsHash, rh)) {
      throw new BlockRejected({ height: h, reason: `re-executing block ${h} gives results hash ${upper(rh)}, block ${h + 1}'s header has ${upper(next.sb.block.header.lastResultsHash)}` })
    }
    // verified and reproduced: store and commit, in the producer's order
    await this.cfg.blockStore.saveBlock(block)
    await this.cfg.blockStore.saveResults({ height: h, txResults: fin.txResults, events: fin.events, validatorUpdates: fin.validatorUpdates, appHash: fin.appHash })
    await this.cfg.app.commit()
    this.executed = false
    this.lastHeight = h
    this.lastBlockId = blockId
    this.lastTimeNs = tsToNs(block.header.time)
    this.appHash = fin.appHash
    this.lastResultsHash = rh
    this.tipCommit = next.sb.block.lastCommit
    this.rotate(fin.validatorUpdates)
    const tip = this.tip()
    block.txs.forEach((tx, index) => {
      const hash = sha256(tx)
      const ws = this.txWaiters.get(toHex(hash))
      if (ws === undefined) return
      this.txWaiters.delete(toHex(hash))
      for (const w of ws) w({ height: h, index, hash, result: fin.txResults[index]! })
    })
    try {
      this.cfg.onCommitted?.({ ...tip, block, results: fin })
    } catch {
      // an observer's failure is its own
    }
    for (let i = this.heightWaiters.length - 1; i >= 0; i--) {
      const w = this.heightWaiters[i]!
      if (w.height <= h) { this.heightWaiters.splice(i, 1); w.resolve(tip) }
    }
    this.events.publish({ block, blockId, finalize: fin })
  }

  /** A gossiped block: kept when it is the next one wanted (within the window); any wakes the loop. */
  private gossip(topic: string, data: Uint8Array): void {
    if (topic !== blocksTopic(this.chainId) || this.stopped || this.haltError !== undefined) return
    let sb: SyncBlock
    try {
      sb = decodeSyncBlock(data)
    } catch {
      return
    }
    const h = Number(sb.block.header.height)
    if (!(h > this.lastHeight) || h > this.lastHeight + this.window() || sb.block.header.chainId !== this.chainId) return
    if (!this.pending.has(h) && h === this.contiguousEnd() + 1) this.pending.set(h, { sb, gossip: true })
    // no height is taken from gossip (a forged one would send the fetch past the peer's blocks):
    // woken, the loop asks the peer's status
    if (this.wake) this.wake(); else this.kicked = true
  }

  private halt(e: SyncHalted): void {
    if (this.haltError !== undefined) return
    this.haltError = e
    for (const w of this.heightWaiters.splice(0)) w.reject(e)
    this.cfg.onHalt?.(e)
  }

  /** Stop the loop (the block in progress finishes) and leave the topic. */
  async stop(): Promise<void> {
    this.stopped = true
    this.wake?.()
    if (this.cfg.pubsub) {
      this.cfg.pubsub.removeEventListener("message", this.onGossip)
      try { this.cfg.pubsub.unsubscribe(blocksTopic(this.chainId)) } catch { /* host already stopped */ }
    }
    await this.loop.catch(() => undefined)
    for (const w of this.heightWaiters.splice(0)) w.reject(new SyncHalted({ height: this.lastHeight, reason: "syncer stopped" }))
    this.events.close()
  }

  // ---------------------------------------------------------------- ConsensusEngine

  async broadcastTx(_tx: Uint8Array): Promise<ResponseCheckTx> {
    return ResponseCheckTx.fromPartial({
      code: 1, codespace: "sync",
      log: `this node is a full node syncing from ${this.cfg.peer.peer} and takes no transactions: broadcast to a validator's RPC`
    })
  }

  awaitCommit(hash: Uint8Array, timeoutMs: number): Promise<TxCommit> {
    return new Promise((resolve, reject) => {
      const key = toHex(hash)
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for tx ${key.toUpperCase()}`)), timeoutMs)
      const done = (c: TxCommit): void => { clearTimeout(timer); resolve(c) }
      const ws = this.txWaiters.get(key)
      if (ws === undefined) this.txWaiters.set(key, [done]); else ws.push(done)
      this.cfg.blockStore.tx(hash).then((t) => { if (t) done({ height: t.height, index: t.index, hash: t.hash, result: t.result }) }, () => undefined)
    })
  }

  tip(): ChainTip {
    return { height: this.lastHeight, blockHash: this.lastBlockId.hash, appHash: this.appHash, timeNs: this.lastTimeNs }
  }

  validators(): ReadonlyArray<ValidatorInfo> {
    return this.curValidators.map((v) => ({ address: v.address, pubKeyEd25519: v.pubKeyEd25519, power: v.power }))
  }

  mempoolSize(): number { return 0 }

  latestCommit(): Commit | undefined { return this.tipCommit }

  halted(): SyncHalted | undefined { return this.haltError }

  peerHeight(): number { return this.remoteHeight }

  /** More than the one block a full node trails by (block H's commit comes with H+1) is missing. */
  catchingUp(): boolean { return this.remoteHeight - this.lastHeight > 1 }

  waitForHeight(height: number): Promise<ChainTip> {
    if (this.lastHeight >= height) return Promise.resolve(this.tip())
    if (this.haltError !== undefined) return Promise.reject(this.haltError)
    return new Promise((resolve, reject) => this.heightWaiters.push({ height, resolve, reject }))
  }
}

/**
 * Start syncing in the current scope: checks the peer's chain id and genesis, runs the handshake
 * (InitChain or replay of saved blocks), then fetches, verifies, executes and follows. Closing
 * the scope stops it.
 */
export const makeSyncer = (cfg: SyncerConfig): Effect.Effect<Syncer, SyncStartError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const s = new BlockSyncer(cfg)
        await s.start()
        return s
      },
      catch: (e) => e instanceof SyncStartError ? e : new SyncStartError({ reason: errText(e) })
    }),
    (s) => Effect.promise(() => s.stop())
  )
