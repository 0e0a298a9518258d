/**
 * The one place where CyberWasm talks to the graph machine: the graph host functions
 * (create_cyberlink, query_rank, query_outlinks, query_backlinks) through the graph's call API
 * (modules/graph/Graph.ts `onCall`) with `ctx.call`: "link" (MsgCyberlink with the program as the
 * neuron), "rank" (StringRequest -> QueryRankResponse), "outlinks" / "backlinks"
 * (QuerySearchRequest -> QuerySearchResponse). The kernel checks cyberwasm's capability for each
 * method; a node without the graph module answers UnknownRequest, which reaches the program as
 * the host function's error.
 *
 * Source: modules/graph/Graph.ts onCall; go-cyber x/graph MsgCyberlink, x/rank grpc_query.go.
 */
import type { BankPort } from "./BankAdapter.ts"
import { MsgCyberlink, QueryRankResponse, QuerySearchRequest, QuerySearchResponse, StringRequest } from "../graph/Messages.ts"

/** Graph operations used by CyberWasm. Throws the graph's chain errors (ZeroPower, NotEnoughBandwidth, ParticleNotFound, ...). */
export interface GraphAdapter {
  /** One cyberlink `from` -> `to` (CIDv0 texts) by `neuron` (bech32). */
  link(port: BankPort, neuron: string, from: string, to: string): void
  /** Published cyber•rank of a particle (fixed point, go-cyber units). */
  rank(port: BankPort, particle: string): bigint
  /** At most `limit` distinct particles linked from (`outlinks`) or to (`backlinks`) `particle`, highest rank first. */
  neighbours(port: BankPort, direction: "outlinks" | "backlinks", particle: string, limit: number): string[]
}

/** The chain graph's call API. */
export const chainGraph: GraphAdapter = {
  link(port, neuron, from, to) {
    port.call({ target: "graph", method: "link", body: MsgCyberlink.encode({ neuron, links: [{ from, to }] }).finish() })
  },
  rank(port, particle) {
    return QueryRankResponse.decode(port.call({ target: "graph", method: "rank", body: StringRequest.encode({ value: particle }).finish() })).rank
  },
  neighbours(port, direction, particle, limit) {
    const body = QuerySearchRequest.encode({ particle, pagination: { page: 0, perPage: limit } }).finish()
    return QuerySearchResponse.decode(port.call({ target: "graph", method: direction, body })).result.map((r) => r.particle)
  }
}
