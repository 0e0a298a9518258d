/**
 * The network service as the node composes it from `[p2p]` in config.toml: the node key as
 * libp2p identity, `our` = `[p2p] name` (or the node key's address in hex), names resolved by
 * the local application's names machine or by `[p2p] names_rpc`, limits from the config.
 *
 * Source: docs/network.md (the `[p2p]` table); net-context (issue 14) contracts.
 */
import { Effect, type Scope } from "effect"
import type { AbciQueryable } from "../../modules/names/NodeRecord.ts"
import type { NodeConfig } from "../config/NodeConfig.ts"
import type { Ed25519Key } from "../home/ValidatorKey.ts"
import { makeNetwork, type NetworkApi, type NetworkError, type NetworkLimits } from "./Network.ts"
import { namesPeerDirectory } from "./PeerDirectory.ts"

/** The network limits of a config's `[p2p]` table. */
export const networkLimitsOf = (p2p: NodeConfig["p2p"]): Partial<NetworkLimits> => ({
  maxFrameBytes: p2p.maxFrameBytes,
  maxConnections: p2p.maxConnections,
  peerFramesPerSecond: p2p.peerFramesPerSecond,
  peerFrameBurst: p2p.peerFrameBurst,
  cutOffMs: p2p.cutOffSeconds * 1000,
  dialTimeoutMs: p2p.dialTimeoutMs
})

/**
 * Start the node's network in the current scope. `app` gives the local application once it
 * exists (names resolve through it unless `[p2p] names_rpc` is set; until then lookups fail and
 * peers are refused with that reason). `nodeId` is the node key's address in hex, the name used
 * when `[p2p] name` is empty.
 */
export const startNodeNetwork = (
  config: NodeConfig,
  key: Ed25519Key,
  nodeId: string,
  app: () => AbciQueryable | undefined
): Effect.Effect<NetworkApi, NetworkError, Scope.Scope> => {
  const p2p = config.p2p
  const directory = p2p.namesRpc !== ""
    ? namesPeerDirectory({ rpc: p2p.namesRpc })
    : namesPeerDirectory({
        app: () => {
          const a = app()
          if (!a) throw new Error("the application is still starting")
          return a
        }
      })
  return makeNetwork({
    key,
    our: p2p.name !== "" ? p2p.name : nodeId,
    listen: p2p.listen,
    bootstrap: p2p.bootstrap,
    directory,
    limits: networkLimitsOf(p2p),
    log: (level, line) => Effect.runFork(level === "warn" ? Effect.logWarning(line) : Effect.logInfo(line))
  })
}

/**
 * The kernel peers connected now, as RPC `net_info` lists them (node/rpc RpcPeer shape): peer id,
 * authenticated name, remote IP of its first connection, frame and byte counters.
 */
export const connectedPeers = (network: NetworkApi): ReadonlyArray<{
  readonly id: string; readonly name: string; readonly remoteIp: string
  readonly framesIn: number; readonly framesOut: number; readonly bytesIn: number; readonly bytesOut: number
}> =>
  network.peers().filter((p) => p.connected).map((p) => {
    const conn = network.libp2p.getConnections().find((c) => c.remotePeer.toString() === p.peerId)
    const ip = conn ? /^\/ip[46]\/([^/]+)/.exec(conn.remoteAddr.toString())?.[1] ?? "" : ""
    return { id: p.peerId, name: p.name ?? "", remoteIp: ip, framesIn: p.framesIn, framesOut: p.framesOut, bytesIn: p.bytesIn, bytesOut: p.bytesOut }
  })
