/**
 * `cyberkernel query graph rank|search|backlinks|top|stats` and `cyberkernel tx graph link`:
 * the knowledge graph from the command line, over abci_query on go-cyber's gRPC paths and a
 * signed MsgCyberlink. Ranks print as go-cyber publishes them (rank × 1e15, integer).
 *
 * Source: go-cyber x/rank/client/cli/query.go, x/graph/client/cli/tx.go.
 */
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { abciQuery, CliFailure, cliPromise, emit, keyring, NodeUrl } from "../Globals.ts"
import { minGasPricesText } from "../../node/config/NodeConfig.ts"
import {
  MSG_CYBERLINK_URL, MsgCyberlink, QueryGraphStatsResponse, QueryRankResponse, QuerySearchRequest, QuerySearchResponse,
  QueryTopRequest, StringRequest
} from "../../modules/graph/Messages.ts"

const promise = cliPromise

const abci = abciQuery

const particle = Argument.String("particle").pipe(Argument.withDescription("CIDv0 of the particle (Qm...)"))
const page = Flag.Int("page").pipe(Flag.withDescription("page, from 0"), Flag.withDefault(0))
const limit = Flag.Int("limit").pipe(Flag.withDescription("results per page"), Flag.withDefault(10))

const rankedList = (title: string, r: QuerySearchResponse) => () =>
  r.result.length === 0 ? `${title}: []` : `${title} (${r.total} in all):\n` + r.result.map((p, i) => `${String(i + 1).padStart(3)}. ${p.particle}  ${p.rank}`).join("\n")
const rankedJson = (r: QuerySearchResponse) => ({ total: r.total, result: r.result.map((p) => ({ particle: p.particle, rank: p.rank.toString() })) })

const rank = Command.make("rank", { particle }, (o) =>
  Effect.gen(function* () {
    const r = QueryRankResponse.decode(yield* abci("/cyber.rank.v1beta1.Query/Rank", StringRequest.encode({ value: o.particle }).finish()))
    yield* emit({ particle: o.particle, rank: r.rank.toString() }, () => `rank: ${r.rank}`)
  })).pipe(Command.withDescription("cyber•rank of a particle (rank × 1e15)"))

const search = Command.make("search", { particle, page, limit }, (o) =>
  Effect.gen(function* () {
    const r = QuerySearchResponse.decode(yield* abci("/cyber.rank.v1beta1.Query/Search", QuerySearchRequest.encode({ particle: o.particle, pagination: { page: o.page, perPage: o.limit } }).finish()))
    yield* emit(rankedJson(r), rankedList("outlinks by rank", r))
  })).pipe(Command.withDescription("Particles a particle links to, sorted by rank"))

const backlinks = Command.make("backlinks", { particle, page, limit }, (o) =>
  Effect.gen(function* () {
    const r = QuerySearchResponse.decode(yield* abci("/cyber.rank.v1beta1.Query/Backlinks", QuerySearchRequest.encode({ particle: o.particle, pagination: { page: o.page, perPage: o.limit } }).finish()))
    yield* emit(rankedJson(r), rankedList("backlinks by rank", r))
  })).pipe(Command.withDescription("Particles linking to a particle, sorted by rank"))

const top = Command.make("top", { page, limit }, (o) =>
  Effect.gen(function* () {
    const r = QuerySearchResponse.decode(yield* abci("/cyber.rank.v1beta1.Query/Top", QueryTopRequest.encode({ pagination: { page: o.page, perPage: o.limit } }).finish()))
    yield* emit(rankedJson(r), rankedList("top particles", r))
  })).pipe(Command.withDescription("Highest-ranked particles"))

const stats = Command.make("stats", {}, () =>
  Effect.gen(function* () {
    const r = QueryGraphStatsResponse.decode(yield* abci("/cyber.graph.v1beta1.Query/GraphStats", new Uint8Array()))
    yield* emit({ cyberlinks: r.cyberlinks.toString(), particles: r.particles.toString() }, () => `cyberlinks: ${r.cyberlinks}\nparticles: ${r.particles}`)
  })).pipe(Command.withDescription("Number of cyberlinks and particles"))

/** `query graph ...` */
export const graphQueryCommand = Command.make("graph").pipe(
  Command.withDescription("Knowledge graph queries (cyber•rank)"),
  Command.withSubcommands([rank, search, backlinks, top, stats])
)

const link = Command.make("link", {
  from: Argument.String("from").pipe(Argument.withDescription("neuron: key name or address in the keyring")),
  source: Argument.String("from-particle").pipe(Argument.withDescription("CIDv0 the link starts at")),
  target: Argument.String("to-particle").pipe(Argument.withDescription("CIDv0 the link points to"))
}, (o) =>
  Effect.gen(function* () {
    const { keyring: kr, config } = yield* keyring
    const info = yield* kr.show(o.from)
    const signer = yield* kr.signer(info.name)
    const node = yield* NodeUrl
    const { Registry } = yield* Effect.promise(() => import("@cosmjs/proto-signing"))
    const { defaultRegistryTypes, GasPrice, SigningStargateClient } = yield* Effect.promise(() => import("@cosmjs/stargate"))
    const registry = new Registry([...defaultRegistryTypes, [MSG_CYBERLINK_URL, MsgCyberlink as never]])
    const client = yield* promise(`cannot connect to ${node}`, () =>
      SigningStargateClient.connectWithSigner(node, signer, { registry, gasPrice: GasPrice.fromString(minGasPricesText(config)), broadcastPollIntervalMs: 250 }))
    yield* Effect.addFinalizer(() => Effect.sync(() => client.disconnect()))
    const msg = { typeUrl: MSG_CYBERLINK_URL, value: { neuron: info.address, links: [{ from: o.source, to: o.target }] } }
    const r = yield* promise("broadcast failed", () => client.signAndBroadcast(info.address, [msg], 1.5))
    if (r.code !== 0) return yield* Effect.fail(new CliFailure({ message: `tx ${r.transactionHash} failed with code ${r.code}: ${r.rawLog ?? ""}` }))
    yield* emit({ txhash: r.transactionHash, height: r.height, code: r.code }, () => `txhash: ${r.transactionHash}\nheight: ${r.height}`)
  }).pipe(Effect.scoped)
).pipe(Command.withDescription("Create a cyberlink from one particle to another, signed by a neuron's key"))

/** `tx graph ...` */
export const graphTxCommand = Command.make("graph").pipe(
  Command.withDescription("Knowledge graph transactions"),
  Command.withSubcommands([link])
)
