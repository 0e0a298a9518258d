/**
 * Graph page routes (docs/dashboard.md "Graph"), read through the graph machine's gRPC queries at
 * the last commit (the same answers as `abci_query`), decoded with modules/graph/Messages.ts:
 *
 * - `GET /ui/api/graph?top=N`: GraphStats and the top N particles by published rank (N <= 100,
 *   default 20): `{height, stats: {cyberlinks, particles}, top: {total, items: [{particle, rank}]}}`.
 * - `GET /ui/api/graph-particle?cid=CID&limit=N`: the particle's rank, its outlinks (Search) and
 *   backlinks (Backlinks), at most N each (<= 100, default 50), highest rank first, and its rank
 *   history (graphHistory.ts): `{height, particle, rank, outlinks: {total, items}, backlinks:
 *   {total, items}, history: [{height, rank}]}`. An unknown particle is 404 NotFound.
 * - `GET /ui/api/graph-neuron?address=BECH32`: the neuron's bandwidth (NeuronBandwidth):
 *   `{height, neuron, remained, max, lastUpdatedBlock}`.
 *
 * Ranks are uint64 rank × 1e15 as decimal strings (go-cyber's QueryRankResponse). Reading the
 * routes also records the ranks of the particles the page asked about (graphHistory.ts).
 * Source: modules/graph/Graph.ts queries; go-cyber proto/cyber/{rank,graph,bandwidth}/v1beta1/query.proto.
 */
import type { ResponseQuery } from "cosmjs-types/tendermint/abci/types"
import {
  QueryGraphStatsResponse, QueryNeuronBandwidthResponse, QueryRankResponse, QuerySearchRequest, QuerySearchResponse, QueryTopRequest, StringRequest
} from "../../../modules/graph/Messages.ts"
import { RankHistory } from "./graphHistory.ts"
import { ApiError, orUnavailable, type ApiContext, type ApiRoute, type ParamSpec } from "./Route.ts"

const MACHINE = "graph"

/** Most particles or neighbours one graph route answers. */
export const MAX_GRAPH_ITEMS = 100

const histories = new WeakMap<ApiContext, RankHistory>()
/** The node's rank history recorder (one per API context, i.e. per node). */
export const rankHistoryOf = (ctx: ApiContext): RankHistory => {
  let h = histories.get(ctx)
  if (!h) histories.set(ctx, (h = new RankHistory()))
  return h
}

/** Run a machine's gRPC query at the last commit; a refusal is an ApiError (404 for not found). */
const ask = async (ctx: ApiContext, path: string, data: Uint8Array): Promise<{ value: Uint8Array; height: number }> => {
  const r: ResponseQuery = await ctx.app.query({ path, data, height: 0n, prove: false })
  if (r.code !== 0) {
    if (/^unknown query path/.test(r.log)) throw new ApiError({ code: "MachineOff", status: 404, message: `the ${MACHINE} machine is not active on this node (${r.log})` })
    const notFound = /not found/i.test(r.log)
    throw new ApiError({ code: notFound ? "NotFound" : "QueryFailed", status: notFound ? 404 : 400, message: `${path}: ${r.log}` })
  }
  return { value: r.value, height: Number(r.height) }
}

const limitOf = (v: string | undefined, fallback: number, param: string): number => {
  const n = v === undefined ? fallback : Number(v)
  if (n < 1 || n > MAX_GRAPH_ITEMS) throw new ApiError({ code: "BadParam", status: 400, param, message: `parameter ${param} must be between 1 and ${MAX_GRAPH_ITEMS}, got ${v}` })
  return n
}

const ranked = (r: { result: ReadonlyArray<{ particle: string; rank: bigint }>; total: number }) => ({
  total: r.total,
  items: r.result.map((p) => ({ particle: p.particle, rank: p.rank.toString() }))
})

const rankOf = async (ctx: ApiContext, particle: string) => {
  const r = await ask(ctx, "/cyber.rank.v1beta1.Query/Rank", StringRequest.encode({ value: particle }).finish())
  return { rank: QueryRankResponse.decode(r.value).rank, height: r.height }
}

/** Record the watched particles' ranks (a particle gone from the answer's state is skipped). */
const recordWatched = async (ctx: ApiContext, skip?: string) => {
  const history = rankHistoryOf(ctx)
  for (const particle of history.watched()) {
    if (particle === skip) continue
    try {
      const r = await rankOf(ctx, particle)
      history.record(particle, r.height, r.rank)
    } catch {
      // rank not readable right now (e.g. recomputed after a restart): no point this time
    }
  }
}

const topParam: ParamSpec = { maxLength: 3, pattern: /^[0-9]{1,3}$/, expected: `a count from 1 to ${MAX_GRAPH_ITEMS}` }
/** A CID as the graph stores it: base58btc (Qm...) or base32 (bafy...) characters, at most 128. */
const cidParam: ParamSpec = { maxLength: 128, pattern: /^[A-Za-z0-9]+$/, required: true, expected: "a CID (letters and digits, at most 128)" }
const addressParam: ParamSpec = { maxLength: 100, pattern: /^[a-z0-9]{1,20}1[02-9ac-hj-np-z]{6,}$/, required: true, expected: "a bech32 account address" }

/** `GET /ui/api/graph?top=N`: stats and the top particles. */
export const graph: ApiRoute = {
  name: "graph",
  description: "graph stats (cyberlinks, particles) and the top particles by published rank",
  params: { top: topParam },
  handle: (ctx, params) => orUnavailable(async () => {
    const top = limitOf(params.top, 20, "top")
    const stats = await ask(ctx, "/cyber.graph.v1beta1.Query/GraphStats", new Uint8Array())
    const s = QueryGraphStatsResponse.decode(stats.value)
    const t = await ask(ctx, "/cyber.rank.v1beta1.Query/Top", QueryTopRequest.encode({ pagination: { page: 0, perPage: top } }).finish())
    await recordWatched(ctx)
    return { height: stats.height, stats: { cyberlinks: s.cyberlinks.toString(), particles: s.particles.toString() }, top: ranked(QuerySearchResponse.decode(t.value)) }
  })
}

/** `GET /ui/api/graph-particle?cid=CID&limit=N`: rank, neighbours and rank history of one particle. */
export const graphParticle: ApiRoute = {
  name: "graph-particle",
  description: "a particle's rank, outlinks, backlinks and recorded rank history",
  params: { cid: cidParam, limit: topParam },
  handle: async (ctx, params) => {
    const particle = params.cid!
    const limit = limitOf(params.limit, 50, "limit")
    const { rank, height } = await rankOf(ctx, particle)
    const search = (path: string) => ask(ctx, path, QuerySearchRequest.encode({ particle, pagination: { page: 0, perPage: limit } }).finish())
    const out = QuerySearchResponse.decode((await search("/cyber.rank.v1beta1.Query/Search")).value)
    const back = QuerySearchResponse.decode((await search("/cyber.rank.v1beta1.Query/Backlinks")).value)
    const history = rankHistoryOf(ctx)
    history.watch(particle)
    history.record(particle, height, rank)
    await recordWatched(ctx, particle)
    return { height, particle, rank: rank.toString(), outlinks: ranked(out), backlinks: ranked(back), history: history.points(particle) }
  }
}

/** `GET /ui/api/graph-neuron?address=...`: a neuron's bandwidth. */
export const graphNeuron: ApiRoute = {
  name: "graph-neuron",
  description: "a neuron's bandwidth (remained, max, last updated block)",
  params: { address: addressParam },
  handle: async (ctx, params) => {
    const r = await ask(ctx, "/cyber.bandwidth.v1beta1.Query/NeuronBandwidth", StringRequest.encode({ value: params.address! }).finish())
    const b = QueryNeuronBandwidthResponse.decode(r.value).neuronBandwidth
    return { height: r.height, neuron: b.neuron, remained: b.remainedValue.toString(), max: b.maxValue.toString(), lastUpdatedBlock: b.lastUpdatedBlock.toString() }
  }
}
