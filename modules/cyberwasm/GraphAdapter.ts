/**
 * How CyberWasm reaches the graph machine: the graph host functions (create_cyberlink,
 * query_rank, query_outlinks, query_backlinks) through the generated client of the graph's WIT
 * interface (wit/chain/graph.wit, chain/generated/graph.ts) on a port acting as the program, so
 * `graph.link {neuron: self}` binds the neuron to the program. A chain whose registry has no
 * active graph answers UnknownRequest, which reaches the program as the host function's error.
 *
 * Source: wit/chain/graph.wit; go-cyber x/graph MsgCyberlink, x/rank grpc_query.go.
 */
import { graphClient } from "../../chain/generated/graph.ts"
import type { BankPort } from "./BankAdapter.ts"

/** Graph operations used by CyberWasm. Throws the graph's chain errors (ZeroPower, NotEnoughBandwidth, ParticleNotFound, ...). */
export interface GraphAdapter {
  /** One cyberlink `from` -> `to` (CIDv0 texts) by `neuron` (bech32). */
  link(port: BankPort, neuron: string, from: string, to: string): void
  /** Published cyber•rank of a particle (fixed point, go-cyber units). */
  rank(port: BankPort, particle: string): bigint
  /** At most `limit` distinct particles linked from (`outlinks`) or to (`backlinks`) `particle`, highest rank first. */
  neighbours(port: BankPort, direction: "outlinks" | "backlinks", particle: string, limit: number): string[]
}

/** The chain graph through its generated client: links as calls, reads as read-only queries. */
export const chainGraph: GraphAdapter = {
  link: (port, neuron, from, to) => void graphClient((c) => port.call(c)).link({ neuron, links: [{ from, to }] }),
  rank: (port, particle) => graphClient((c) => port.query(c)).rank({ particle }).rank,
  neighbours: (port, direction, particle, limit) =>
    graphClient((c) => port.query(c))[direction]({ particle, pagination: { page: 0, perPage: limit } }).result.map((r) => r.particle)
}
