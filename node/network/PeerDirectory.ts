/**
 * Where the network looks up a node name: the node's ed25519 key (`~net-key`) and its address
 * (`~ip`, `~tcp-port`), as published in the `names` machine. The network dials
 * `/ip4/<~ip>/tcp/<~tcp-port>/p2p/<peer id of ~net-key>`, so Noise refuses a listener holding
 * another key; an inbound peer's Noise-authenticated key must equal the `~net-key` of the name it
 * says it is, or it is refused.
 *
 * Implementations: {@link staticPeerDirectory} (config, tests), {@link namesPeerDirectory} over
 * the local application or a chain RPC (modules/names/NodeRecord.ts readers; the RPC one trusts
 * that RPC, docs/network.md).
 *
 * Source: net-context (issue 14) contract; Hyperware HNS (`~net-key`, `~ip`, `~tcp-port` notes).
 */
import { multiaddr, type Multiaddr } from "@multiformats/multiaddr"
import { appNodeRecords, rpcNodeRecords, type AbciQueryable, type NodeRecord } from "../../modules/names/NodeRecord.ts"
import { peerIdOfNetKey } from "./PeerIdentity.ts"

export type { NodeRecord }

/** Name → node record. `resolve` is undefined for a name the directory does not know; it rejects when the lookup itself fails. */
export interface PeerDirectory {
  readonly resolve: (name: string) => Promise<NodeRecord | undefined>
}

/** A fixed directory (tests, or operators listing peers by hand). */
export const staticPeerDirectory = (records: Iterable<NodeRecord>): PeerDirectory => {
  const byName = new Map<string, NodeRecord>()
  for (const r of records) byName.set(r.name, r)
  return { resolve: async (name) => byName.get(name) }
}

/**
 * The names machine as directory: the local application's committed state (`app`), or a chain
 * RPC URL (`rpc`, trusted) for a node that does not run the chain. Lookups are cached for
 * `cacheMs` (default 10 s; 0 disables) so a dial storm does not become a query storm.
 */
export const namesPeerDirectory = (source: { readonly app: () => AbciQueryable } | { readonly rpc: string }, cacheMs = 10_000): PeerDirectory => {
  const read = "rpc" in source ? rpcNodeRecords(source.rpc) : (name: string) => appNodeRecords(source.app())(name)
  const cache = new Map<string, { readonly at: number; readonly record: NodeRecord | undefined }>()
  return {
    resolve: async (name) => {
      const hit = cache.get(name)
      if (hit && performance.now() - hit.at < cacheMs) return hit.record
      const record = await read(name)
      if (cacheMs > 0) {
        if (cache.size >= 4096) cache.clear() // bounded: names are few; a flood of unknown names must not grow it
        cache.set(name, { at: performance.now(), record })
      }
      return record
    }
  }
}

/**
 * The dial address of a record: `/ip4|ip6/<ip>/tcp/<port>/p2p/<peer id>`. Undefined when the
 * record lacks `~net-key`, `~ip` or `~tcp-port` (the node is not reachable directly).
 */
export const dialAddressOf = (record: NodeRecord): Multiaddr | undefined => {
  if (!record.netKey || !record.ip || record.tcpPort === undefined) return undefined
  const family = record.ip.includes(":") ? "ip6" : "ip4"
  return multiaddr(`/${family}/${record.ip}/tcp/${record.tcpPort}/p2p/${peerIdOfNetKey(record.netKey).toString()}`)
}
