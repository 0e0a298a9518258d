/**
 * The graph machine: cyberlinks between CIDs by neurons, go-cyber's bandwidth, and cyber•rank
 * computed off the block path and published every CalculationPeriod blocks.
 *
 *   const graph = new GraphMachine({ bech32Prefix: "cyber", runner: makeRankRunner() })
 *   new Application({ machines: [auth, bank, graph], ... })   // grants: bank.balance, bank.supply
 *
 * Message: `/cyber.graph.v1beta1.MsgCyberlink` (Messages.ts); the same path as the call "link" of
 * `onCall` (with "rank", "outlinks", "backlinks": the call API other machines use). Governance:
 * `/cyber.graph.v1beta1.MsgUpdateParams`, `/cyber.rank.v1beta1.MsgUpdateParams` (ParamsMessages.ts;
 * effective from the next block). Queries: `/cyber.rank.v1beta1.Query/
 * {Rank, RankProof, Search, Backlinks, Top, Params}`, `/cyber.graph.v1beta1.Query/{GraphStats, Params}`,
 * `/cyber.bandwidth.v1beta1.Query/{NeuronBandwidth, Price, Load}`. State layout: internal/Keys.ts;
 * bandwidth: Bandwidth.ts; schedule and formulas: docs/graph.md.
 *
 * Rank schedule (go-cyber's two contexts): at the end of every block whose height H is a multiple
 * of CalculationPeriod, the pending ("next") context — the snapshot taken at the previous boundary
 * — is published as the current one (its rank Merkle root is written into this namespace, so it
 * is part of the app hash), then a new snapshot of all links and every neuron's stake is taken,
 * written as the next context, and its calculation is started on the host runner. The
 * multiplexer awaits `prepareBlock(H)` before executing block H, which waits for that result
 * only if it is not ready yet. A restarted node rebuilds both contexts from the stored snapshots
 * (links are an append-only log, so a snapshot is a link count plus the stakes).
 *
 * Source: go-cyber x/graph/keeper/msg_server.go (Cyberlink), x/graph/types/msgs.go
 * (ValidateBasic), x/rank/keeper/keeper.go (EndBlocker, applyNextRank, checkRankCalcFinished),
 * x/rank/keeper/grpc_query.go, x/bandwidth (see Bandwidth.ts).
 */
import type { Grant } from "../../chain/Capabilities.ts"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { QueryBalanceRequest, QueryBalanceResponse, QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query"
import { CID } from "multiformats/cid"
import { InvalidRequest, NotFound, TxDecodeError, Unauthorized, UnknownRequest } from "../../chain/ChainError.ts"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { bankClient } from "../../chain/generated/bank.ts"
import { graphDispatcher, graphInterface } from "../../chain/generated/graph.ts"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import type { ExecContext, Machine, MsgContext, MsgResult, PrepareContext, QueryContext } from "../../chain/Machine.ts"
import type { KVStore } from "../../store/KVStore.ts"
import { canonicalAddress, formatAddress, parseAddress } from "../auth/Address.ts"
import { currentNeuronBw, currentPrice, desirableOf, endBlockBandwidth, linkCost, maxBandwidth, spend, windowSpent, quoHalfEven } from "./Bandwidth.ts"
import { CidVersion, CyberlinkExists, InvalidParticle, ParticleNotFound, SelfLink, ZeroLinks, ZeroPower } from "./GraphError.ts"
import {
  decodeParams, decodeRankParams, defaultGraphParams, DEC, encodeParams, encodeRankParams, formatDec, validateParams, type GraphParams, type GraphRankParams
} from "./GraphParams.ts"
import {
  K_COUNTS, K_PARAMS, K_PARAMS_PENDING, K_RANK_CURRENT, K_RANK_CURRENT_PARAMS, K_RANK_CURRENT_STAKES, K_RANK_NEXT, K_RANK_NEXT_PARAMS, K_RANK_NEXT_STAKES,
  key, P_CID, P_IN, P_LINK, P_NEUDEG, P_NEURON, P_NEURON_ADDR, P_OUT, P_PARTICLE, prefixEnd, readU64, u64, u64s
} from "./internal/Keys.ts"
import { exportGraphGenesis, importGraphGenesis } from "./GraphGenesis.ts"
import { LinkLog } from "./internal/LinkLog.ts"
import { decodeContext, encodeContext, stakesFromBytes, stakesToBytes, type RankContext } from "./internal/RankContext.ts"
import {
  DecResponse, MSG_CYBERLINK_RESPONSE_URL, MSG_CYBERLINK_URL, MsgCyberlink, MsgCyberlinkResponse, QueryGraphStatsResponse, QueryNeuronBandwidthResponse,
  QueryRankProofResponse, QueryRankResponse, QuerySearchRequest, QuerySearchResponse, QueryTopRequest, StringRequest, type Link, type PageRequest, type RankedParticle
} from "./Messages.ts"
import {
  GRAPH_PARAMS_QUERY, MSG_UPDATE_PARAMS_URL, MSG_UPDATE_RANK_PARAMS_URL, MsgUpdateParams, MsgUpdateParamsResponse, MsgUpdateRankParams, paramsFromProto,
  paramsToProto, QueryParamsResponse, QueryRankParamsResponse, RANK_PARAMS_QUERY, rankFromProto, rankToProto
} from "./ParamsMessages.ts"
import type { RankOutcome, RankRunner } from "./RankRunner.ts"
import type { RankSnapshot } from "./rank/Snapshot.ts"

const RANK_Q = "/cyber.rank.v1beta1.Query/"
const GRAPH_Q = "/cyber.graph.v1beta1.Query/"
const BW_Q = "/cyber.bandwidth.v1beta1.Query/"

/** Options of the graph machine. */
export interface GraphOptions {
  /** Bech32 prefix of neuron addresses (default "cyber"). */
  readonly bech32Prefix?: string
  /** Default params (genesis overrides them); defaults are go-cyber's. */
  readonly params?: GraphParams
  /** Host-side rank runner (RankRunner.ts makeRankRunner). */
  readonly runner: RankRunner
  /** Name of the bank machine (default "bank"). */
  readonly bank?: string
}

const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")

const te = new TextEncoder()
const td = new TextDecoder()

/** Counters: particles, links, neurons. */
interface Counts {
  particles: bigint
  links: bigint
  neurons: bigint
}

const readCounts = (s: KVStore): Counts => {
  const v = s.get(K_COUNTS)
  return v ? { particles: readU64(v, 0), links: readU64(v, 8), neurons: readU64(v, 16) } : { particles: 0n, links: 0n, neurons: 0n }
}

/**
 * Check a CID the way go-cyber's ValidateBasic does (cid.Decode, then version 0): InvalidParticle
 * when it does not parse, CidVersion when it is a CIDv1.
 */
export const validateParticle = (text: string): void => {
  let cid: CID
  try {
    cid = CID.parse(text)
  } catch (e) {
    throw new InvalidParticle({ log: `invalid particle "${text}": ${(e as Error).message}` })
  }
  if (cid.version !== 0) throw new CidVersion({ log: `unsupported cid version: particle ${text} is CIDv${cid.version}, only CIDv0 (Qm...) is accepted` })
  // CIDv0 has exactly one text form; refuse anything that does not round-trip (e.g. other bases)
  if (cid.toString() !== text) throw new InvalidParticle({ log: `invalid particle "${text}": not the canonical CIDv0 text ${cid.toString()}` })
}

/** The graph machine. */
export class GraphMachine implements Machine {
  readonly name: string = "graph"
  readonly version: string = "0.1.0"
  /** Stake reads for bandwidth and rank (`bank.balance`, `bank.supply`). */
  readonly grants: ReadonlyArray<Grant> = [
    { principal: "machine:graph", capability: { interface: "bank", method: "balance", constraints: [] } },
    { principal: "machine:graph", capability: { interface: "bank", method: "supply", constraints: [] } }
  ]
  /** MsgCyberlink and the governance messages (ParamsMessages.ts; authority: the gov module account). */
  readonly msgTypeUrls: ReadonlyArray<string> = [MSG_CYBERLINK_URL, MSG_UPDATE_PARAMS_URL, MSG_UPDATE_RANK_PARAMS_URL]
  readonly queryPrefixes: ReadonlyArray<string> = [RANK_Q, GRAPH_Q, BW_Q]
  /** The call API: wit/chain/graph.wit. */
  readonly interface: InterfaceSpec = graphInterface
  private readonly prefix: string
  private readonly defaults: GraphParams
  private readonly runner: RankRunner
  private readonly bank: string
  /** In-memory mirror of the committed link log (for snapshots). */
  private readonly log = new LinkLog()
  /** The published rank (values, tree) and the context it belongs to. */
  private current: { readonly ctx: RankContext; readonly outcome: RankOutcome; readonly order?: Uint32Array } | undefined
  private restored = false

  constructor(opts: GraphOptions) {
    this.prefix = opts.bech32Prefix ?? "cyber"
    this.defaults = opts.params ?? defaultGraphParams
    this.runner = opts.runner
    this.bank = opts.bank ?? "bank"
  }

  private params(store: KVStore): GraphParams {
    const v = store.get(K_PARAMS)
    return v ? decodeParams(v) : this.defaults
  }

  private decode(msg: Any): MsgCyberlink {
    if (msg.typeUrl !== MSG_CYBERLINK_URL) throw new UnknownRequest({ log: `unrecognized graph message type: ${msg.typeUrl}: unknown request` })
    return decodeAs("MsgCyberlink", () => MsgCyberlink.decode(msg.value))
  }

  /** Signer: the neuron; of MsgUpdateParams, the authority. */
  signers(msg: Any): ReadonlyArray<string> {
    if (msg.typeUrl === MSG_UPDATE_PARAMS_URL || msg.typeUrl === MSG_UPDATE_RANK_PARAMS_URL) {
      const m = decodeAs("MsgUpdateParams", () => (msg.typeUrl === MSG_UPDATE_PARAMS_URL ? MsgUpdateParams : MsgUpdateRankParams).decode(msg.value))
      return [canonicalAddress(m.authority, this.prefix, "invalid authority address")]
    }
    return [canonicalAddress(this.decode(msg).neuron, this.prefix, "invalid neuron address")]
  }

  /** The governance module account (bech32): the only authority of MsgUpdateParams. */
  get authority(): string {
    return formatAddress(moduleAccountBytes("gov"), this.prefix)
  }

  /**
   * MsgUpdateParams (both forms): the authority must be the gov module account (Unauthorized
   * naming the expected one), the params valid (InvalidRequest naming the field). The params are
   * written as pending and become the live params in precommit: every change takes effect from
   * the next block, so this block's rank schedule (prepareBlock already awaited it) stays consistent.
   */
  private updateParams(ctx: MsgContext, msg: Any): MsgResult {
    const checked = <P>(m: { readonly authority: string; readonly params?: P | undefined }): P => {
      if (m.authority !== this.authority) throw new Unauthorized({ log: `invalid authority; expected ${this.authority}, got ${m.authority}: unauthorized` })
      if (m.params === undefined) throw new InvalidRequest({ log: "graph params: params are missing" })
      return m.params
    }
    const current = this.pendingParams(ctx.store)
    const next: GraphParams = msg.typeUrl === MSG_UPDATE_PARAMS_URL
      ? paramsFromProto(checked(decodeAs("MsgUpdateParams", () => MsgUpdateParams.decode(msg.value))))
      : { ...current, rank: rankFromProto(checked(decodeAs("MsgUpdateParams", () => MsgUpdateRankParams.decode(msg.value))), current.rank) }
    ctx.store.set(K_PARAMS_PENDING, encodeParams(validateParams(next)))
    ctx.emit({ type: "update_params", attributes: [{ key: "module", value: "graph", index: true }, { key: "type", value: msg.typeUrl, index: false }] })
    return { typeUrl: `${msg.typeUrl}Response`, value: MsgUpdateParamsResponse.encode({}).finish() }
  }

  /** The params as of the end of this block: pending ones when governance set them, else the live ones. */
  private pendingParams(store: KVStore): GraphParams {
    const v = store.get(K_PARAMS_PENDING)
    return v ? decodeParams(v) : this.params(store)
  }

  /** Pending params (set by MsgUpdateParams in this block) become the live params for the next block. */
  precommit(ctx: ExecContext): void {
    const v = ctx.store.get(K_PARAMS_PENDING)
    if (!v) return
    ctx.store.set(K_PARAMS, v)
    ctx.store.delete(K_PARAMS_PENDING)
  }

  /** go-cyber ValidateBasic: links present, no self link, CIDv0, no pair twice in one message. */
  private validateLinks(links: ReadonlyArray<Link>): void {
    if (links.length === 0) throw new ZeroLinks({ log: "cyberlinks not found: the message has no links" })
    const seen = new Set<string>()
    links.forEach((l, i) => {
      if (l.from === l.to) throw new SelfLink({ log: `loop cyberlink not allowed: link ${i} goes from ${l.from} to itself` })
      validateParticle(l.from)
      validateParticle(l.to)
      const pair = `${l.from} ${l.to}`
      if (seen.has(pair)) throw new CyberlinkExists({ log: `your cyberlink already exists: link ${i} (${l.from} -> ${l.to}) appears twice in the message` })
      seen.add(pair)
    })
  }

  handle(ctx: MsgContext, msg: Any): MsgResult {
    if (msg.typeUrl === MSG_UPDATE_PARAMS_URL || msg.typeUrl === MSG_UPDATE_RANK_PARAMS_URL) return this.updateParams(ctx, msg)
    this.link(ctx, this.decode(msg))
    return { typeUrl: MSG_CYBERLINK_RESPONSE_URL, value: MsgCyberlinkResponse.encode({}).finish() }
  }

  /**
   * Create the links of `m` by `m.neuron`: the one path for MsgCyberlink and the "link" call —
   * ValidateBasic, stake (ZeroPower), duplicates (CyberlinkExists), bandwidth (spend), then the
   * writes and events. Returns the bandwidth spent. Source: go-cyber x/graph/keeper/msg_server.go.
   */
  private link(ctx: ExecContext, m: MsgCyberlink): bigint {
    const addr = parseAddress(m.neuron, this.prefix, "invalid neuron address")
    this.validateLinks(m.links)
    const store = ctx.store
    const p = this.params(store)
    const stake = this.stakeOf(ctx, m.neuron, p.stakeDenom)
    if (stake === 0n) throw new ZeroPower({ log: `neuron has zero power: ${m.neuron} holds no ${p.stakeDenom}` })

    // duplicates against the graph
    const neuronNum = store.get(key(P_NEURON, addr))
    if (neuronNum) {
      m.links.forEach((l, i) => {
        const f = store.get(key(P_CID, te.encode(l.from)))
        const t = store.get(key(P_CID, te.encode(l.to)))
        if (f && t && store.has(key(P_OUT, f, t, neuronNum))) {
          throw new CyberlinkExists({ log: `your cyberlink already exists: link ${i} (${l.from} -> ${l.to}) by ${m.neuron}` })
        }
      })
    }

    // bandwidth
    const supply = this.supplyOf(ctx, p.stakeDenom)
    const max = maxBandwidth(stake, supply, p.bandwidth.desirableBandwidth)
    const height = BigInt(ctx.height)
    const bw = currentNeuronBw(store, addr, max, height, p.bandwidth)
    const cost = linkCost(currentPrice(store, p.bandwidth), m.links.length)
    spend(store, addr, bw, cost, p.bandwidth)

    // write
    const counts = readCounts(store)
    let neuron = neuronNum
    if (!neuron) {
      neuron = u64(counts.neurons++)
      store.set(key(P_NEURON, addr), neuron)
      store.set(key(P_NEURON_ADDR, neuron), addr)
    }
    const cidNumber = (text: string): Uint8Array => {
      const k = key(P_CID, te.encode(text))
      const have = store.get(k)
      if (have) return have
      const n = u64(counts.particles++)
      store.set(k, n)
      store.set(key(P_PARTICLE, n), te.encode(text))
      return n
    }
    for (const l of m.links) {
      const f = cidNumber(l.from)
      const t = cidNumber(l.to)
      store.set(key(P_LINK, u64(counts.links++)), concat(f, t, neuron))
      store.set(key(P_OUT, f, t, neuron), new Uint8Array())
      store.set(key(P_IN, t, f, neuron), new Uint8Array())
      ctx.emit({ type: "cyberlink", attributes: [{ key: "particleFrom", value: l.from, index: true }, { key: "particleTo", value: l.to, index: true }] })
    }
    const degKey = key(P_NEUDEG, neuron)
    const deg = store.get(degKey)
    store.set(degKey, u64((deg ? readU64(deg) : 0n) + BigInt(m.links.length)))
    store.set(K_COUNTS, u64s(counts.particles, counts.links, counts.neurons))
    ctx.emit({ type: "cyberlink", attributes: [{ key: "neuron", value: m.neuron, index: true }, { key: "bandwidth", value: cost.toString(), index: false }] })
    return cost
  }

  /**
   * The call API for other machines (wit/chain/graph.wit; each method granted as a capability,
   * docs/graph.md), decoded by the generated dispatcher:
   * - "link" (MsgCyberlink wire): the caller speaks for `neuron` (CyberWasm sets it to the calling
   *   program's address; a `neuron: self` constraint binds it); the same checks, bandwidth and
   *   writes as the message (stake is the neuron's bank balance of the stake denom).
   * - "rank" (QueryRankRequest -> QueryRankResponse wire).
   * - "outlinks" / "backlinks" (QuerySearchRequest -> QuerySearchResponse wire, as the Search /
   *   Backlinks queries, on the current branch).
   * Throws the graph's errors (ZeroPower, NotEnoughBandwidth, CyberlinkExists, ParticleNotFound, ...).
   */
  readonly onCall = graphDispatcher({
    link: (ctx, _caller, req) => {
      this.link(ctx, { neuron: req.neuron, links: req.links })
      return {}
    },
    rank: (ctx, _caller, req) => ({ rank: this.rankOf(ctx.store, this.particleNumber(ctx.store, req.particle)) }),
    outlinks: (ctx, _caller, req) => this.searchResponse(ctx.store, P_OUT, req.particle, req.pagination),
    backlinks: (ctx, _caller, req) => this.searchResponse(ctx.store, P_IN, req.particle, req.pagination)
  })

  private searchResponse(store: KVStore, prefix: number, particle: string, page: PageRequest | undefined) {
    const { result, total } = this.neighbourList(store, prefix, this.particleNumber(store, particle), page)
    return { result, pagination: { total } }
  }

  /** Bank balance of `address` in `denom` (bank.balance, read-only call as machine:graph). */
  private stakeOf(ctx: ExecContext, address: string, denom: string): bigint {
    return BigInt(bankClient((c) => ctx.query(c), this.bank).balance({ address, denom }).balance?.amount || "0")
  }

  /** Total supply of `denom` (bank.supply, read-only call as machine:graph). */
  private supplyOf(ctx: ExecContext, denom: string): bigint {
    return BigInt(bankClient((c) => ctx.query(c), this.bank).supply({ denom }).amount.amount || "0")
  }

  /** Append to the in-memory link log every stored link it does not hold yet (synchronous). */
  private loadLinks(store: KVStore): void {
    const { links } = readCounts(store)
    if (BigInt(this.log.length) >= links) return
    for (const [, v] of store.iterate(key(P_LINK, u64(this.log.length)), key(P_LINK, u64(links)))) {
      this.log.push(Number(readU64(v, 0)), Number(readU64(v, 8)), Number(readU64(v, 16)))
    }
  }

  private job(c: RankContext, stakes: BigUint64Array, p: GraphRankParams) {
    const log = this.log
    return {
      // built by the runner after the block (the log is append-only, so the prefix stays the same)
      snapshot: () => log.snapshot(Number(c.links), Number(c.particles), Number(c.neurons), stakes),
      release: (s: RankSnapshot) => log.release(s),
      mode: p.mode,
      damping: p.damping,
      tolerance: p.tolerance,
      maxIterations: p.maxIterations
    }
  }

  /**
   * Before block `height`: on the first call after start, rebuild the link log and both rank
   * contexts from the committed store (recomputing their ranks); then, at a publishing height,
   * wait for the pending calculation.
   */
  async prepareBlock(ctx: PrepareContext): Promise<void> {
    const store = ctx.store
    const p = this.params(store)
    if (!this.restored) {
      this.loadLinks(store)
      const cur = store.get(K_RANK_CURRENT)
      if (cur && !this.current) {
        const c = decodeContext(cur)
        const id = `rank@${c.snapshotHeight}`
        this.runner.start(id, this.job(c, stakesFromBytes(store.get(K_RANK_CURRENT_STAKES) ?? new Uint8Array()), contextParams(store, K_RANK_CURRENT_PARAMS, p)))
        const outcome = await this.runner.wait(id)
        if (!bytesEqual(outcome.root, c.root!)) {
          throw new Error(`graph: recomputed rank root ${hex(outcome.root)} for snapshot ${c.snapshotHeight} differs from the stored ${hex(c.root!)}`)
        }
        this.current = { ctx: c, outcome }
        this.runner.forget(id)
      }
      const next = store.get(K_RANK_NEXT)
      if (next) {
        const c = decodeContext(next)
        this.runner.start(`rank@${c.snapshotHeight}`, this.job(c, stakesFromBytes(store.get(K_RANK_NEXT_STAKES) ?? new Uint8Array()), contextParams(store, K_RANK_NEXT_PARAMS, p)))
      }
      this.restored = true
    }
    if (BigInt(ctx.height) % p.rank.calculationPeriod === 0n) {
      const next = store.get(K_RANK_NEXT)
      if (next) await this.runner.wait(`rank@${decodeContext(next).snapshotHeight}`)
    }
  }

  endBlock(ctx: ExecContext): [] {
    const store = ctx.store
    const p = this.params(store)
    const height = BigInt(ctx.height)
    const supply = this.supplyOf(ctx, p.stakeDenom)
    endBlockBandwidth(store, p.bandwidth, height, desirableOf(p.bandwidth, supply))
    this.loadLinks(store)
    if (height % p.rank.calculationPeriod !== 0n) return []

    // publish the pending context (go-cyber applyNextRank)
    const nextBytes = store.get(K_RANK_NEXT)
    if (nextBytes) {
      const next = decodeContext(nextBytes)
      const id = `rank@${next.snapshotHeight}`
      const outcome = this.runner.result(id)
      if (!outcome) throw new Error(`graph: the rank of snapshot ${next.snapshotHeight} is not ready at height ${height} (prepareBlock was not awaited)`)
      const published: RankContext = { ...next, root: outcome.root, publishedHeight: height }
      store.set(K_RANK_CURRENT, encodeContext(published))
      store.set(K_RANK_CURRENT_STAKES, store.get(K_RANK_NEXT_STAKES) ?? new Uint8Array())
      store.delete(K_RANK_NEXT)
      if (store.has(K_RANK_NEXT_STAKES)) store.delete(K_RANK_NEXT_STAKES)
      const nextParams = store.get(K_RANK_NEXT_PARAMS)
      if (nextParams) {
        store.set(K_RANK_CURRENT_PARAMS, nextParams)
        store.delete(K_RANK_NEXT_PARAMS)
      } else if (store.has(K_RANK_CURRENT_PARAMS)) store.delete(K_RANK_CURRENT_PARAMS)
      this.current = { ctx: published, outcome }
      this.runner.forget(id)
      ctx.emit({ type: "rank", attributes: [{ key: "root", value: hex(outcome.root), index: true }, { key: "snapshot_height", value: next.snapshotHeight.toString(), index: false }] })
    }

    // take a new snapshot when links, stakes or rank params changed (go-cyber: hasNewLinksForPeriod || stakeChanged)
    const counts = readCounts(store)
    if (counts.links === 0n) return []
    const stakes = new BigUint64Array(Number(counts.neurons))
    for (const [k, addr] of store.iterate(Uint8Array.of(P_NEURON_ADDR), Uint8Array.of(P_NEURON_ADDR + 1))) {
      stakes[Number(readU64(k, 1))] = this.stakeOf(ctx, formatAddress(addr, this.prefix), p.stakeDenom)
    }
    const stakeBytes = stakesToBytes(stakes)
    const cur = store.get(K_RANK_CURRENT)
    const rankParams = encodeRankParams(p.rank)
    if (
      cur && readU64(cur, 8) === counts.links && bytesEqual(store.get(K_RANK_CURRENT_STAKES) ?? new Uint8Array(), stakeBytes) &&
      sameComputation(contextParams(store, K_RANK_CURRENT_PARAMS, p), p.rank)
    ) return []
    const snap: RankContext = { snapshotHeight: height, links: counts.links, particles: counts.particles, neurons: counts.neurons }
    store.set(K_RANK_NEXT, encodeContext(snap))
    store.set(K_RANK_NEXT_STAKES, stakeBytes)
    store.set(K_RANK_NEXT_PARAMS, rankParams)
    this.runner.start(`rank@${height}`, this.job(snap, stakes, p.rank))
    return []
  }

  /**
   * Write the genesis section (GraphGenesis.ts: params, cyberlinks, particles, neurons,
   * bandwidth, rank contexts) into the namespace; InvalidRequest naming the entry on malformed
   * input. The next prepareBlock rebuilds the link log and the rank contexts from the store (and
   * stops the node if an imported rank root differs from its recalculation).
   */
  initGenesis(ctx: ExecContext, genesis: unknown): void {
    importGraphGenesis(ctx.store, genesis, this.prefix, this.defaults, validateParticle)
    this.restored = false
    this.current = undefined
  }

  /** The whole namespace as genesis JSON (GraphGenesis.ts exportGraphGenesis). */
  exportGenesis(ctx: QueryContext): unknown {
    return exportGraphGenesis(ctx.store, this.prefix, this.pendingParams(ctx.store))
  }

  // ---- queries ----

  private particleNumber(store: KVStore, particle: string): bigint {
    if (particle === "") throw new InvalidRequest({ log: "particle is empty" })
    const v = store.get(key(P_CID, te.encode(particle)))
    if (!v) throw new ParticleNotFound({ log: `particle not found: ${particle}` })
    return readU64(v)
  }

  private published(store: KVStore): NonNullable<GraphMachine["current"]> | undefined {
    if (!this.current && store.has(K_RANK_CURRENT)) throw new NotFound({ log: "the published rank is being recomputed after a restart: retry after the next block" })
    return this.current
  }

  private rankOf(store: KVStore, n: bigint): bigint {
    const cur = this.published(store)
    return cur && n < BigInt(cur.outcome.ranks.length) ? cur.outcome.ranks[Number(n)]! : 0n
  }

  private rankResponse(store: KVStore, particle: string): Uint8Array {
    return QueryRankResponse.encode({ rank: this.rankOf(store, this.particleNumber(store, particle)) }).finish()
  }

  private cidOf(store: KVStore, n: bigint): string {
    return td.decode(store.get(key(P_PARTICLE, u64(n))) ?? new Uint8Array())
  }

  /** Distinct neighbours (by particle number) under a P_OUT/P_IN prefix, ranked and paginated. */
  private neighbours(store: KVStore, prefix: number, n: bigint, page: PageRequest | undefined): Uint8Array {
    return QuerySearchResponse.encode(this.neighbourList(store, prefix, n, page)).finish()
  }

  /** {@link neighbours} before encoding. */
  private neighbourList(store: KVStore, prefix: number, n: bigint, page: PageRequest | undefined): { result: RankedParticle[]; total: number } {
    const start = key(prefix, u64(n))
    const seen = new Set<bigint>()
    const list: bigint[] = []
    for (const [k] of store.iterate(start, prefixEnd(start))) {
      const other = readU64(k, 9)
      if (!seen.has(other)) {
        seen.add(other)
        list.push(other)
      }
    }
    const ranked = list.map((o) => ({ n: o, rank: this.rankOf(store, o) }))
    ranked.sort((a, b) => (a.rank !== b.rank ? (a.rank > b.rank ? -1 : 1) : a.n < b.n ? -1 : a.n > b.n ? 1 : 0))
    const { from, to } = pageRange(page, ranked.length)
    const result: RankedParticle[] = ranked.slice(from, to).map((r) => ({ particle: this.cidOf(store, r.n), rank: r.rank }))
    return { result, total: ranked.length }
  }

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    const store = ctx.store
    switch (path) {
      case RANK_Q + "Rank":
        return this.rankResponse(store, StringRequest.decode(data).value)
      case RANK_Q + "RankProof": {
        const n = this.particleNumber(store, StringRequest.decode(data).value)
        const cur = this.published(store)
        if (!cur) throw new NotFound({ log: "no rank published yet" })
        if (n >= BigInt(cur.outcome.ranks.length)) throw new NotFound({ log: `particle ${n} is newer than the published rank (snapshot at height ${cur.ctx.snapshotHeight}); its rank is 0 and it has no proof yet` })
        const proof = cur.outcome.tree.proof(Number(n))
        return QueryRankProofResponse.encode({ rank: cur.outcome.ranks[Number(n)]!, index: n, proof, root: cur.outcome.root, snapshotHeight: cur.ctx.snapshotHeight }).finish()
      }
      case RANK_Q + "Search": {
        const req = QuerySearchRequest.decode(data)
        return this.neighbours(store, P_OUT, this.particleNumber(store, req.particle), req.pagination)
      }
      case RANK_Q + "Backlinks": {
        const req = QuerySearchRequest.decode(data)
        return this.neighbours(store, P_IN, this.particleNumber(store, req.particle), req.pagination)
      }
      case RANK_Q + "Top": {
        const req = QueryTopRequest.decode(data)
        if ((req.pagination?.perPage ?? 0) > 1000) throw new InvalidRequest({ log: "per_page must be at most 1000" })
        const cur = this.published(store)
        if (!cur) return QuerySearchResponse.encode({ result: [], total: 0 }).finish()
        const order = cur.order ?? topOrder(cur.outcome.ranks)
        if (!cur.order) this.current = { ...cur, order }
        const { from, to } = pageRange(req.pagination, order.length)
        const result: RankedParticle[] = []
        for (let i = from; i < to; i++) result.push({ particle: this.cidOf(store, BigInt(order[i]!)), rank: cur.outcome.ranks[order[i]!]! })
        return QuerySearchResponse.encode({ result, total: order.length }).finish()
      }
      case GRAPH_PARAMS_QUERY:
        return QueryParamsResponse.encode({ params: paramsToProto(this.params(store)) }).finish()
      case RANK_PARAMS_QUERY:
        return QueryRankParamsResponse.encode({ params: rankToProto(this.params(store).rank) }).finish()
      case GRAPH_Q + "GraphStats": {
        const c = readCounts(store)
        return QueryGraphStatsResponse.encode({ cyberlinks: c.links, particles: c.particles }).finish()
      }
      case BW_Q + "NeuronBandwidth": {
        const neuron = StringRequest.decode(data).value
        const addr = parseAddress(neuron, this.prefix, "invalid neuron address")
        const p = this.params(store)
        const bal = BigInt(QueryBalanceResponse.decode(ctx.query(this.bank, "/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address: neuron, denom: p.stakeDenom }).finish())).balance?.amount ?? "0")
        const supply = BigInt(QuerySupplyOfResponse.decode(ctx.query(this.bank, "/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom: p.stakeDenom }).finish())).amount?.amount ?? "0")
        const bw = currentNeuronBw(store, addr, maxBandwidth(bal, supply, p.bandwidth.desirableBandwidth), BigInt(ctx.height), p.bandwidth)
        return QueryNeuronBandwidthResponse.encode({ neuronBandwidth: { neuron, remainedValue: bw.remained, lastUpdatedBlock: bw.lastUpdated, maxValue: bw.max } }).finish()
      }
      case BW_Q + "Price":
        return DecResponse.encode({ value: formatDec(currentPrice(store, this.params(store).bandwidth)) }).finish()
      case BW_Q + "Load": {
        const p = this.params(store)
        const supply = BigInt(QuerySupplyOfResponse.decode(ctx.query(this.bank, "/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom: p.stakeDenom }).finish())).amount?.amount ?? "0")
        const d = desirableOf(p.bandwidth, supply)
        return DecResponse.encode({ value: formatDec(d === 0n ? 0n : quoHalfEven(windowSpent(store) * DEC, d)) }).finish()
      }
      default:
        throw new UnknownRequest({ log: `unknown query path ${path}` })
    }
  }
}

/** Decode a message body; TxDecodeError naming the message on malformed bytes. */
const decodeAs = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new TxDecodeError({ log: `invalid ${what}: ${(e as Error).message}: tx parse error` })
  }
}

/** Rank params a stored context was computed with; `live` for contexts stored before they were recorded. */
const contextParams = (store: KVStore, k: Uint8Array, live: GraphParams): GraphRankParams => {
  const v = store.get(k)
  return v ? decodeRankParams(v) : live.rank
}

/** Whether two rank params give the same ranks (the period only schedules the calculation). */
const sameComputation = (a: GraphRankParams, b: GraphRankParams): boolean =>
  a.mode === b.mode && a.damping === b.damping && a.tolerance === b.tolerance && a.maxIterations === b.maxIterations

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** go-cyber pagination: page from 0, per_page default 10. */
const pageRange = (page: PageRequest | undefined, total: number): { from: number; to: number } => {
  const per = page && page.perPage > 0 ? page.perPage : 10
  const from = Math.min(total, (page?.page ?? 0) * per)
  return { from, to: Math.min(total, from + per) }
}

/** Particle numbers sorted by rank, highest first, ties by number. */
const topOrder = (ranks: BigUint64Array): Uint32Array => {
  const order = new Uint32Array(ranks.length)
  for (let i = 0; i < order.length; i++) order[i] = i
  order.sort((a, b) => (ranks[a]! !== ranks[b]! ? (ranks[a]! > ranks[b]! ? -1 : 1) : a - b))
  return order
}
