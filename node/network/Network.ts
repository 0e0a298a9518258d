/**
 * The node's network service: a libp2p host (TCP, Noise, yamux, identify, ping, gossipsub) whose
 * peer identity is the node key of the home, carrying the kernel's frames to other nodes
 * (node/network/KernelTransport.ts) and hosting other node-plane protocols on the same host
 * (`network.libp2p.handle("/cyberkernel/sync/1", ...)`, `network.libp2p.services.pubsub`).
 * Started in the caller's scope and stopped (channels reset, libp2p stopped) when it closes.
 *
 * Configured by `[p2p]` in config.toml (docs/network.md): listen multiaddrs, bootstrap peers
 * (dialled at start and kept connected), the node name, where names resolve, and limits.
 *
 * Source: libp2p 3 `createLibp2p` (js-libp2p doc/CONFIGURATION.md); cometbft p2p (node key as
 * peer identity, persistent peers).
 */
import { noise } from "@chainsafe/libp2p-noise"
import { yamux } from "@chainsafe/libp2p-yamux"
import { gossipsub, type GossipSub } from "@libp2p/gossipsub"
import { identify, type Identify } from "@libp2p/identify"
import { ping, type Ping } from "@libp2p/ping"
import { tcp } from "@libp2p/tcp"
import { multiaddr } from "@multiformats/multiaddr"
import { Context, Data, Effect, Layer, type Scope } from "effect"
import { createLibp2p, type Libp2p } from "libp2p"
import type { Ed25519Key } from "../home/ValidatorKey.ts"
import { makeKernelTransport, type KernelLimits, type KernelTransport } from "./KernelTransport.ts"
import type { PeerId } from "./Libp2pTypes.ts"
import type { PeerDirectory } from "./PeerDirectory.ts"
import { libp2pPrivateKey } from "./PeerIdentity.ts"
import type { PeerStats } from "./PeerStats.ts"
import { PeerGuard } from "./internal/PeerGuard.ts"

/** The libp2p services every node runs. */
export interface NetworkServices {
  readonly identify: Identify
  readonly ping: Ping
  /** Gossipsub (@libp2p/gossipsub, the libp2p 3 line): topics are the users' (block gossip of node/sync). */
  readonly pubsub: GossipSub
}

/** The started libp2p node. */
export type NetworkLibp2p = Libp2p<{ identify: Identify; ping: Ping; pubsub: GossipSub }>

/** Limits of the network (`[p2p]` in config.toml). */
export interface NetworkLimits extends KernelLimits {
  /** Most open connections (libp2p connection manager `maxConnections`). */
  readonly maxConnections: number
}

/** Largest gossipsub message accepted, bytes (a block with its commit). */
export const MAX_GOSSIP_BYTES = 8 * 1024 * 1024

/** Defaults of {@link NetworkLimits} (the `[p2p]` defaults of config.toml). */
export const defaultNetworkLimits: NetworkLimits = {
  maxFrameBytes: 4 * 1024 * 1024,
  peerFramesPerSecond: 5000,
  peerFrameBurst: 20_000,
  cutOffMs: 60_000,
  dialTimeoutMs: 5000,
  helloTimeoutMs: 5000,
  reconnectMaxMs: 5000,
  maxQueuedBytes: 64 * 1024 * 1024,
  maxConnections: 100
}

/** Options of {@link makeNetwork}. */
export interface NetworkOptions {
  /** The node key (`<home>/config/node_key.json`): the libp2p identity. */
  readonly key: Ed25519Key
  /** This node's name, the kernel's `our` (`[p2p] name`, or the node key's address in hex). */
  readonly our: string
  /** Multiaddrs to listen on, e.g. `/ip4/0.0.0.0/tcp/26656` (`tcp/0` picks a free port). */
  readonly listen: ReadonlyArray<string>
  /** Peer multiaddrs (with `/p2p/<peer id>`) dialled at start and kept connected. */
  readonly bootstrap?: ReadonlyArray<string>
  /** Where names resolve to keys and addresses. */
  readonly directory: PeerDirectory
  readonly limits?: Partial<NetworkLimits>
  /** Log lines (start, refusals, cut-offs). */
  readonly log?: (level: "info" | "warn", line: string) => void
}

/** What the network service gives the node and other protocols. */
export interface NetworkApi {
  /** The started libp2p node: register protocols (`handle`) and pubsub topics on it. */
  readonly libp2p: NetworkLibp2p
  /** This node's peer id (base58btc of the identity multihash of the node key). */
  readonly peerId: PeerId
  /** This node's name on the network (the kernel's `our`). */
  readonly our: string
  /** The multiaddrs the node listens on now, each with `/p2p/<peer id>`. */
  readonly listenAddresses: () => ReadonlyArray<string>
  /** The kernel's transport to other nodes (kernel/Transport.ts). */
  readonly transport: KernelTransport
  /** Where peer names resolve (also the kernel's source of other nodes' keys). */
  readonly directory: PeerDirectory
  /** Counters per peer of the kernel protocol. */
  readonly peers: () => ReadonlyArray<PeerStats>
  readonly limits: NetworkLimits
}

/** The network could not start: a bad listen or bootstrap address, a port in use, ... */
export class NetworkError extends Data.TaggedError("NetworkError")<{ readonly stage: string; readonly reason: string }> {
  override get message(): string {
    return `network ${this.stage}: ${this.reason}`
  }
}

/** The network service of a node. */
export class Network extends Context.Service<Network, NetworkApi>()("cyberkernel/Network") {
  /** A Layer that starts the network in its scope and stops it on release. */
  static layer(options: NetworkOptions): Layer.Layer<Network, NetworkError> {
    return Layer.effect(Network, makeNetwork(options))
  }
}

const textOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** Start libp2p and the kernel transport in the current scope; both stop when it closes. */
export const makeNetwork = (options: NetworkOptions): Effect.Effect<NetworkApi, NetworkError, Scope.Scope> =>
  Effect.gen(function* () {
    const limits: NetworkLimits = { ...defaultNetworkLimits, ...options.limits }
    const log = options.log ?? (() => undefined)
    const bootstrap = yield* Effect.try({
      try: () => (options.bootstrap ?? []).map((a) => {
        const ma = multiaddr(a)
        const id = ma.getComponents().find((c) => c.name === "p2p")?.value
        if (!id) throw new Error(`bootstrap address ${a} has no /p2p/<peer id>`)
        return ma
      }),
      catch: (e) => new NetworkError({ stage: "config", reason: textOf(e) })
    })
    const guard = new PeerGuard(limits.peerFramesPerSecond, limits.peerFrameBurst)
    const refused = (peerId: PeerId) => guard.isCutOff(peerId.toString())
    const libp2p = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          createLibp2p({
            privateKey: libp2pPrivateKey(options.key),
            addresses: { listen: [...options.listen] },
            transports: [tcp()],
            connectionEncrypters: [noise()],
            streamMuxers: [yamux()],
            connectionManager: { maxConnections: limits.maxConnections, dialTimeout: limits.dialTimeoutMs },
            connectionGater: {
              denyDialPeer: refused,
              denyInboundEncryptedConnection: refused,
              denyOutboundEncryptedConnection: refused
            },
            services: {
              identify: identify(),
              ping: ping(),
              // a block fits a message (node/sync's MAX_GOSSIP_BYTES); no floodsub fallback
              pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false, maxInboundDataLength: MAX_GOSSIP_BYTES, fallbackToFloodsub: false })
            }
          }),
        catch: (e) => new NetworkError({ stage: `listen on ${options.listen.join(", ")}`, reason: textOf(e) })
      }),
      (node) => Effect.promise(async () => { try { await node.stop() } catch { /* already stopping */ } })
    )
    const transport = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => makeKernelTransport({ libp2p, our: options.our, directory: options.directory, limits, guard, log }),
        catch: (e) => new NetworkError({ stage: "kernel protocol", reason: textOf(e) })
      }),
      (t) => Effect.promise(() => t.close())
    )
    // Bootstrap peers: kept connected by libp2p's reconnect queue (KEEP_ALIVE tag).
    for (const ma of bootstrap) {
      const id = libp2p.peerId.equals(ma.getComponents().find((c) => c.name === "p2p")!.value!) ? undefined : ma
      if (!id) continue
      void libp2p.dial(ma).then(
        async (conn) => {
          await libp2p.peerStore.merge(conn.remotePeer, { multiaddrs: [ma], tags: { "keep-alive": { value: 1 } } /* libp2p KEEP_ALIVE */ })
        },
        (e) => log("warn", `p2p: bootstrap peer ${ma.toString()} not reachable: ${textOf(e)}`)
      )
    }
    const listenAddresses = () => libp2p.getMultiaddrs().map((a) => a.toString())
    log("info", `p2p: peer ${libp2p.peerId.toString()} as "${options.our}" listening on ${listenAddresses().join(", ")}`)
    return {
      libp2p,
      peerId: libp2p.peerId,
      our: options.our,
      listenAddresses,
      transport,
      directory: options.directory,
      peers: transport.peers,
      limits
    }
  })
