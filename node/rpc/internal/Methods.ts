/**
 * The CometBFT v0.38 RPC methods this node serves: name, parameters and handler. Handlers
 * return the `result` JSON or throw InvalidParams / RpcMethodError (or a TxQueryError).
 *
 * Source: cometbft v0.38 rpc/core/routes.go and the files it names (status.go, abci.go,
 * mempool.go, blocks.go (block_search too), tx.go, consensus.go, net.go, health.go), rpc/core/env.go
 * (paging). The websocket-only methods (subscribe...) are node/rpc/internal/Websocket.ts.
 */
import { Block } from "cosmjs-types/tendermint/types/block"
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import type { Commit } from "cosmjs-types/tendermint/types/types"
import type { AbciApplication } from "../../../chain/Abci.ts"
import type { BlockStore, StoredBlock } from "../../../chain/BlockStore.ts"
import { whenIndexedWithin } from "../../blockstore/IndexingBlockStore.ts"
import { equalBytes, sha256 } from "../../../lib/Bytes.ts"
import type { ConsensusEngine } from "../../../modules/consensus/Consensus.ts"
import { partSetHeaderOf, toProtoBlock } from "../../blockstore/internal/Codec.ts"
import { TxQueryError } from "../../blockstore/TxQuery.ts"
import type { ProcessStats } from "../../../kernel/userspace/ProcessStats.ts"
import { clip } from "../Limits.ts"
import { InvalidParams, ResponseTooLarge, RpcMethodError } from "../RpcError.ts"
import * as J from "./Json.ts"
import type { Args, ParamSpec } from "./Params.ts"

/** CometBFT version this server imitates (CosmJS picks its Comet 0.38 client from it). */
export const COMET_VERSION = "0.38.17"

/** Node facts the RPC reports (status, net_info, genesis). */
export interface RpcNodeInfo {
  /** Node id: hex of the first 20 bytes of sha256(node ed25519 pubkey), lowercase, 40 chars. */
  readonly nodeId: string
  readonly moniker: string
  /** P2P listen address as status reports it, e.g. "tcp://0.0.0.0:26656". */
  readonly listenAddr: string
  /** Application protocol version (status.node_info.protocol_version.app); default 0. */
  readonly appVersion?: bigint
  /** This node's validator key (status.validator_info); default: the engine's first validator. */
  readonly validatorPubKeyEd25519?: Uint8Array
  /**
   * More `status.node_info.other` entries (strings), after CometBFT's `tx_index` and
   * `rpc_address`: the node reports its signature verifier here (`secp256k1_verifier`).
   */
  readonly other?: Readonly<Record<string, string>>
  /** Peers `net_info` lists (the network service's kernel peers, docs/network.md); none when absent. */
  readonly peers?: () => ReadonlyArray<RpcPeer>
  /** Userspace processes `processes` lists (kernel/userspace/ProcessStats.ts); none when absent. */
  readonly processes?: () => Promise<ReadonlyArray<ProcessStats>>
}

/** A connected peer as `net_info` reports it. */
export interface RpcPeer {
  /** libp2p peer id. */
  readonly id: string
  /** The node name it authenticated as ("bob.os"). */
  readonly name: string
  readonly remoteIp: string
  readonly framesIn: number
  readonly framesOut: number
  readonly bytesIn: number
  readonly bytesOut: number
}

/** What handlers read. */
export interface MethodContext {
  readonly app: AbciApplication
  readonly engine: ConsensusEngine
  readonly blockStore: BlockStore
  readonly nodeInfo: RpcNodeInfo
  /** The genesis document, served as is by `genesis`. */
  readonly genesis: unknown
  /** The RPC listen address (status.node_info.other.rpc_address). */
  readonly rpcAddress: () => string
  /** broadcast_tx_commit wait, ms (CometBFT timeout_broadcast_tx_commit, default 10 s). */
  readonly commitTimeoutMs: number
  /** The commit of the latest block, if the engine has one (CometBFT's "seen commit"). */
  readonly latestCommit: (() => Commit | undefined) | undefined
  /** max_response_bytes: handlers that build large replies piece by piece stop past it. */
  readonly maxResponseBytes: number
}

/** One served method. */
export interface Method {
  readonly params: ReadonlyArray<ParamSpec>
  readonly handler: (ctx: MethodContext, args: Args) => Promise<J.Json>
}

const DEFAULT_PER_PAGE = 30
const MAX_PER_PAGE = 100
const BLOCKCHAIN_LIMIT = 20
/** Most rows one `processes` page holds (and its default). */
export const MAX_PROCESSES_PER_PAGE = 1000
/** Longest query accepted by tx_search, block_search and subscribe (CometBFT maxQueryLength). */
export const MAX_QUERY_LENGTH = 512

const p = (name: string, kind: ParamSpec["kind"]): ParamSpec => ({ name, kind })

/** Longest wait of `tx`, `tx_search` and `block_search` for the index to reach the committed tip. */
const INDEX_WAIT_MS = 3_000

/** Wait (at most INDEX_WAIT_MS) until the tx and block event index covers the committed tip (docs/rpc.md "Block store"). */
const indexedToTip = (ctx: MethodContext): Promise<void> => whenIndexedWithin(ctx.blockStore, Number(ctx.engine.tip().height), INDEX_WAIT_MS)
const num = (a: Args, k: string): number | undefined => a[k] as number | undefined
const bytes = (a: Args, k: string): Uint8Array | undefined => a[k] as Uint8Array | undefined
const str = (a: Args, k: string): string | undefined => a[k] as string | undefined

const require = <A>(v: A | undefined, name: string): A => {
  if (v === undefined) throw new InvalidParams({ param: name, reason: "missing" })
  return v
}

/** CometBFT getHeight: validate an optional height against [base, latest]. */
const resolveHeight = (latest: number, base: number, h: number | undefined): number => {
  if (h === undefined || h === 0) {
    if (latest === 0) throw new RpcMethodError({ reason: "no blocks saved yet" })
    return latest
  }
  if (h < 0) throw new RpcMethodError({ reason: `height must be greater than 0, but got ${h}` })
  if (h > latest) throw new RpcMethodError({ reason: `height ${h} must be less than or equal to the current blockchain height ${latest}` })
  if (h < base) throw new RpcMethodError({ reason: `height ${h} is not available, lowest height is ${base}` })
  return h
}

const perPageOf = (v: number | undefined): number =>
  v === undefined || v < 1 ? DEFAULT_PER_PAGE : Math.min(v, MAX_PER_PAGE)

const checkPage = (page: number, perPage: number, total: number): void => {
  const pages = Math.max(1, Math.ceil(total / perPage))
  if (page < 1 || page > pages) throw new RpcMethodError({ reason: `page should be within [1, ${pages}] range, given ${page}` })
}

/** A stored block's id: its hash and the part set header of its protobuf encoding. */
export const blockIdOf = (b: StoredBlock) => ({ hash: b.hash, partSetHeader: partSetHeaderOf(Block.encode(toProtoBlock(b)).finish()) })

/** types.Block under cmtjson (block, block_search, the NewBlock event). */
export const blockJson = (b: StoredBlock): J.Json => ({
  header: J.header(b.header),
  data: { txs: b.txs.map(J.b64) },
  evidence: { evidence: [] },
  last_commit: J.commit(b.lastCommit)
})

const noProofs = (prove: unknown) => {
  if (prove === true) throw new RpcMethodError({ reason: "prove=true is not supported: tx inclusion proofs are not built by this node" })
}

const emptyExecResult: ExecTxResult = { code: 0, data: new Uint8Array(), log: "", info: "", gasWanted: 0n, gasUsed: 0n, events: [], codespace: "" }

/** Bytes a tx takes in a reply, at least: its base64 text (result JSON comes on top). */
const txReplyBytes = (tx: Uint8Array): number => 4 * Math.ceil(tx.length / 3)

const txJson = (t: { hash: Uint8Array; height: number; index: number; tx: Uint8Array; result: ExecTxResult }): J.Json => ({
  hash: J.hexU(t.hash),
  height: String(t.height),
  index: t.index,
  tx_result: J.execTxResult(t.result),
  tx: J.b64(t.tx)
})

/** The base block changes only with pruning: keep the last one read, keyed by base height. */
const earliestCache = new WeakMap<BlockStore, { base: number; block: StoredBlock | undefined }>()
const earliestBlock = async (store: BlockStore): Promise<StoredBlock | undefined> => {
  const base = store.base()
  const hit = earliestCache.get(store)
  if (hit !== undefined && hit.base === base) return hit.block
  const block = await store.block(base)
  earliestCache.set(store, { base, block })
  return block
}

const nodeInfoJson = (ctx: MethodContext): J.Json => ({
  protocol_version: { p2p: "8", block: "11", app: String(ctx.nodeInfo.appVersion ?? 0n) },
  id: ctx.nodeInfo.nodeId,
  listen_addr: ctx.nodeInfo.listenAddr,
  network: ctx.engine.chainId,
  version: COMET_VERSION,
  channels: "40202122233038606100",
  moniker: ctx.nodeInfo.moniker,
  other: { tx_index: "on", rpc_address: ctx.rpcAddress(), ...ctx.nodeInfo.other }
})

/** The method table, by JSON-RPC method name (= URI path). */
export const methods: Readonly<Record<string, Method>> = {
  health: { params: [], handler: async () => ({}) },

  status: {
    params: [],
    handler: async (ctx) => {
      const tip = ctx.engine.tip()
      const store = ctx.blockStore
      const earliest = store.height() > 0 ? await earliestBlock(store) : undefined
      const validators = ctx.engine.validators()
      const ownKey = ctx.nodeInfo.validatorPubKeyEd25519
      const own = ownKey !== undefined
        ? validators.find((v) => equalBytes(v.pubKeyEd25519, ownKey)) ?? { address: sha256(ownKey).subarray(0, 20), pubKeyEd25519: ownKey, power: 0n }
        : validators[0]
      return {
        node_info: nodeInfoJson(ctx),
        sync_info: {
          latest_block_hash: J.hexU(tip.blockHash),
          latest_app_hash: J.hexU(tip.appHash),
          latest_block_height: String(tip.height),
          latest_block_time: J.timeFromNs(tip.timeNs),
          earliest_block_hash: J.hexU(earliest?.hash),
          earliest_app_hash: J.hexU(earliest?.header.appHash),
          earliest_block_height: String(earliest === undefined ? 0 : Number(earliest.header.height)),
          earliest_block_time: J.timestamp(earliest?.header.time),
          catching_up: ctx.engine.catchingUp?.() ?? false
        },
        validator_info: own === undefined
          ? { address: "", pub_key: null, voting_power: "0" }
          : { address: J.hexU(own.address), pub_key: J.pubKeyEd25519(own.pubKeyEd25519), voting_power: String(own.power) }
      }
    }
  },

  net_info: {
    params: [],
    handler: async (ctx) => {
      const peers = ctx.nodeInfo.peers?.() ?? []
      return {
        listening: true, listeners: [`Listener(@${ctx.nodeInfo.listenAddr})`], n_peers: String(peers.length),
        peers: peers.map((p) => ({
          node_info: { id: p.id, moniker: p.name, listen_addr: "", network: "", version: "", channels: "", other: {} },
          is_outbound: false,
          connection_status: { SendMonitor: { Bytes: String(p.bytesOut) }, RecvMonitor: { Bytes: String(p.bytesIn) }, frames_sent: String(p.framesOut), frames_received: String(p.framesIn) },
          remote_ip: p.remoteIp
        }))
      }
    }
  },

  /**
   * Ours (no CometBFT method): the node's userspace processes with their CPU time, memory,
   * mailbox depth and message counts (kernel/userspace/ProcessStats.ts), sorted by process id,
   * paged as `validators` (per_page up to MAX_PROCESSES_PER_PAGE). `cyberkernel ps` reads it.
   */
  processes: {
    params: [p("page", "int"), p("per_page", "int")],
    handler: async (ctx, a) => {
      const all = (await ctx.nodeInfo.processes?.()) ?? []
      const pp = num(a, "per_page")
      const perPage = pp === undefined || pp < 1 ? MAX_PROCESSES_PER_PAGE : Math.min(pp, MAX_PROCESSES_PER_PAGE)
      const page = num(a, "page") ?? 1
      checkPage(page, perPage, all.length)
      const slice = all.slice((page - 1) * perPage, page * perPage)
      return { processes: slice.map((r) => ({ ...r })), count: slice.length, total: all.length }
    }
  },

  genesis: { params: [], handler: async (ctx) => ({ genesis: ctx.genesis as J.Json }) },

  abci_info: {
    params: [],
    handler: async (ctx) => ({
      response: J.abciInfo(await ctx.app.info({ version: COMET_VERSION, blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" }))
    })
  },

  abci_query: {
    params: [p("path", "string"), p("data", "hexbytes"), p("height", "int"), p("prove", "bool")],
    handler: async (ctx, a) => {
      const height = num(a, "height") ?? 0
      if (height < 0) throw new InvalidParams({ param: "height", reason: `must be non-negative, got ${height}` })
      const r = await ctx.app.query({ path: str(a, "path") ?? "", data: bytes(a, "data") ?? new Uint8Array(), height: BigInt(height), prove: a.prove === true })
      return { response: J.abciQuery(r) }
    }
  },

  broadcast_tx_async: {
    params: [p("tx", "bytes")],
    handler: async (ctx, a) => {
      const tx = require(bytes(a, "tx"), "tx")
      ctx.engine.broadcastTx(tx).catch(() => undefined)
      return { code: 0, data: "", log: "", codespace: "", hash: J.hexU(sha256(tx)) }
    }
  },

  broadcast_tx_sync: {
    params: [p("tx", "bytes")],
    handler: async (ctx, a) => {
      const tx = require(bytes(a, "tx"), "tx")
      const r = await ctx.engine.broadcastTx(tx)
      return { code: r.code, data: J.hexU(r.data), log: r.log, codespace: r.codespace, hash: J.hexU(sha256(tx)) }
    }
  },

  broadcast_tx_commit: {
    params: [p("tx", "bytes")],
    handler: async (ctx, a) => {
      const tx = require(bytes(a, "tx"), "tx")
      const hash = sha256(tx)
      // Subscribe before admission so that a fast commit is not missed (as CometBFT does).
      const committed = ctx.engine.awaitCommit(hash, ctx.commitTimeoutMs)
      committed.catch(() => undefined)
      const check = await ctx.engine.broadcastTx(tx)
      if (check.code !== 0) {
        return { check_tx: J.checkTx(check), tx_result: J.execTxResult(emptyExecResult), hash: J.hexU(hash), height: "0" }
      }
      let c
      try {
        c = await committed
      } catch {
        throw new RpcMethodError({ reason: "timed out waiting for tx to be included in a block" })
      }
      return { check_tx: J.checkTx(check), tx_result: J.execTxResult(c.result), hash: J.hexU(hash), height: String(c.height) }
    }
  },

  num_unconfirmed_txs: {
    params: [],
    handler: async (ctx) => {
      const n = String(ctx.engine.mempoolSize())
      return { n_txs: n, total: n, total_bytes: "0", txs: null }
    }
  },

  tx: {
    params: [p("hash", "bytes"), p("prove", "bool")],
    handler: async (ctx, a) => {
      const hash = require(bytes(a, "hash"), "hash")
      noProofs(a.prove)
      await indexedToTip(ctx)
      const t = await ctx.blockStore.tx(hash)
      // results are saved before the app commits (crash recovery); like CometBFT's indexer, show a
      // tx only once its block is committed, so a client that sees it reads the state after it
      if (t === undefined || t.height > ctx.engine.tip().height) throw new RpcMethodError({ reason: `tx (${clip(J.hexU(hash))}) not found` })
      return txJson(t)
    }
  },

  tx_search: {
    params: [p("query", "string"), p("prove", "bool"), p("page", "int"), p("per_page", "int"), p("order_by", "string")],
    handler: async (ctx, a) => {
      const query = require(str(a, "query"), "query")
      if (query.length > MAX_QUERY_LENGTH) throw new InvalidParams({ param: "query", reason: `maximum query length (${MAX_QUERY_LENGTH}) exceeded` })
      noProofs(a.prove)
      const order = str(a, "order_by") ?? ""
      if (order !== "" && order !== "asc" && order !== "desc") {
        throw new InvalidParams({ param: "order_by", reason: "expected order_by to be either `asc` or `desc` or empty" })
      }
      const perPage = perPageOf(num(a, "per_page"))
      const page = num(a, "page") ?? 1
      if (page < 1) checkPage(page, perPage, 0)
      let found
      try {
        await indexedToTip(ctx)
        found = await ctx.blockStore.searchTxs(query, page, perPage, order === "desc" ? "desc" : "asc")
      } catch (e) {
        if (e instanceof TxQueryError) throw new InvalidParams({ param: "query", reason: e.reason })
        throw e
      }
      // as for `tx`: a tx of the block being committed is not visible yet
      const tip = ctx.engine.tip().height
      const pending = found.txs.filter((t) => t.height > tip).length
      if (pending > 0) found = { ...found, txs: found.txs.filter((t) => t.height <= tip), totalCount: found.totalCount - pending }
      checkPage(page, perPage, found.totalCount)
      // Up to 100 txs of up to max_tx_bytes each: stop before building a reply past the limit.
      let size = 0
      for (const [i, t] of found.txs.entries()) {
        size += 2 * txReplyBytes(t.tx) + t.result.log.length + t.result.data.length * 2
        if (size > ctx.maxResponseBytes) {
          throw new ResponseTooLarge({ limit: ctx.maxResponseBytes, detail: `tx_search page passes it at tx ${i + 1} of ${found.txs.length}; ask for a smaller per_page` })
        }
      }
      return { txs: found.txs.map(txJson), total_count: String(found.totalCount) }
    }
  },

  block_search: {
    params: [p("query", "string"), p("page", "int"), p("per_page", "int"), p("order_by", "string")],
    handler: async (ctx, a) => {
      const query = require(str(a, "query"), "query")
      if (query.length > MAX_QUERY_LENGTH) throw new InvalidParams({ param: "query", reason: `maximum query length (${MAX_QUERY_LENGTH}) exceeded` })
      const order = str(a, "order_by") ?? ""
      if (order !== "" && order !== "asc" && order !== "desc") {
        throw new InvalidParams({ param: "order_by", reason: "expected order_by to be either `asc` or `desc` or empty" })
      }
      const perPage = perPageOf(num(a, "per_page"))
      const page = num(a, "page") ?? 1
      if (page < 1) checkPage(page, perPage, 0)
      let found
      try {
        // as CometBFT: newest first unless asked; only blocks the engine has committed
        await indexedToTip(ctx)
        found = await ctx.blockStore.searchBlocks(query, page, perPage, order === "asc" ? "asc" : "desc", ctx.engine.tip().height)
      } catch (e) {
        if (e instanceof TxQueryError) throw new InvalidParams({ param: "query", reason: e.reason })
        throw e
      }
      checkPage(page, perPage, found.totalCount)
      const blocks: J.Json[] = []
      let size = 0
      for (const [i, h] of found.heights.entries()) {
        const b = await ctx.blockStore.block(h)
        if (b === undefined) continue
        for (const tx of b.txs) size += txReplyBytes(tx)
        if (size > ctx.maxResponseBytes) {
          throw new ResponseTooLarge({ limit: ctx.maxResponseBytes, detail: `block_search page passes it at block ${i + 1} of ${found.heights.length}; ask for a smaller per_page` })
        }
        blocks.push({ block_id: J.blockId(blockIdOf(b)), block: blockJson(b) })
      }
      return { blocks, total_count: String(found.totalCount) }
    }
  },

  block: {
    params: [p("height", "int")],
    handler: async (ctx, a) => {
      const s = ctx.blockStore
      const h = resolveHeight(s.height(), s.base(), num(a, "height"))
      const b = await s.block(h)
      if (b === undefined) return { block_id: J.blockId(undefined), block: null }
      return { block_id: J.blockId(blockIdOf(b)), block: blockJson(b) }
    }
  },

  block_by_hash: {
    params: [p("hash", "bytes")],
    handler: async (ctx, a) => {
      const b = await ctx.blockStore.blockByHash(require(bytes(a, "hash"), "hash"))
      if (b === undefined) return { block_id: J.blockId(undefined), block: null }
      return { block_id: J.blockId(blockIdOf(b)), block: blockJson(b) }
    }
  },

  header: {
    params: [p("height", "int")],
    handler: async (ctx, a) => {
      const s = ctx.blockStore
      const b = await s.block(resolveHeight(s.height(), s.base(), num(a, "height")))
      return { header: b === undefined ? null : J.header(b.header) }
    }
  },

  header_by_hash: {
    params: [p("hash", "bytes")],
    handler: async (ctx, a) => {
      const b = await ctx.blockStore.blockByHash(require(bytes(a, "hash"), "hash"))
      return { header: b === undefined ? null : J.header(b.header) }
    }
  },

  block_results: {
    params: [p("height", "int")],
    handler: async (ctx, a) => {
      const s = ctx.blockStore
      const h = resolveHeight(s.resultsHeight(), s.base(), num(a, "height"))
      const r = await s.results(h)
      if (r === undefined) throw new RpcMethodError({ reason: `could not find results for height #${h}` })
      const orNull = <A>(xs: ReadonlyArray<A>, f: (x: A) => J.Json): J.Json => (xs.length === 0 ? null : xs.map(f))
      return {
        height: String(r.height),
        txs_results: orNull(r.txResults, J.execTxResult),
        finalize_block_events: orNull(r.events, J.event),
        validator_updates: orNull(r.validatorUpdates, J.validatorUpdate),
        consensus_param_updates: null,
        app_hash: J.b64(r.appHash)
      }
    }
  },

  commit: {
    params: [p("height", "int")],
    handler: async (ctx, a) => {
      const s = ctx.blockStore
      const h = resolveHeight(s.height(), s.base(), num(a, "height"))
      const b = await s.block(h)
      if (b === undefined) throw new RpcMethodError({ reason: `block ${h} is not available` })
      if (h < s.height()) {
        const next = await s.block(h + 1)
        if (next !== undefined) return { signed_header: { header: J.header(b.header), commit: J.commit(next.lastCommit) }, canonical: true }
      }
      const seen = ctx.latestCommit?.()
      if (seen === undefined || Number(seen.height) !== h) {
        throw new RpcMethodError({ reason: `commit for height ${h} is not available yet (it is stored with block ${h + 1})` })
      }
      return { signed_header: { header: J.header(b.header), commit: J.commit(seen) }, canonical: false }
    }
  },

  validators: {
    params: [p("height", "int"), p("page", "int"), p("per_page", "int")],
    handler: async (ctx, a) => {
      const tip = ctx.engine.tip().height
      const h = num(a, "height")
      if (h !== undefined && h !== 0) resolveHeight(tip, 1, h)
      const all = ctx.engine.validators()
      const perPage = perPageOf(num(a, "per_page"))
      const page = num(a, "page") ?? 1
      checkPage(page, perPage, all.length)
      const slice = all.slice((page - 1) * perPage, page * perPage)
      return { block_height: String(h === undefined || h === 0 ? tip : h), validators: slice.map(J.validator), count: String(slice.length), total: String(all.length) }
    }
  },

  blockchain: {
    params: [p("minHeight", "int"), p("maxHeight", "int")],
    handler: async (ctx, a) => {
      const s = ctx.blockStore
      let min = num(a, "minHeight") ?? 0
      let max = num(a, "maxHeight") ?? 0
      if (min < 0 || max < 0) throw new RpcMethodError({ reason: "heights must be non-negative" })
      if (min === 0) min = 1
      if (max === 0) max = s.height()
      max = Math.min(s.height(), max)
      min = Math.max(s.base(), min, max - BLOCKCHAIN_LIMIT + 1)
      if (min > max) throw new RpcMethodError({ reason: `min height ${min} can't be greater than max height ${max}` })
      const metas: J.Json[] = []
      for (let h = max; h >= min; h--) {
        const b = await s.block(h)
        if (b === undefined) continue
        const encoded = Block.encode(toProtoBlock(b)).finish()
        metas.push(J.blockMeta({
          blockId: { hash: b.hash, partSetHeader: partSetHeaderOf(encoded) },
          blockSize: BigInt(encoded.length),
          header: b.header,
          numTxs: BigInt(b.txs.length)
        }))
      }
      return { last_height: String(s.height()), block_metas: metas }
    }
  }
}
