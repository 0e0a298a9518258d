/**
 * The libp2p host sync runs on when the node has no network service (node/network, `[p2p]`
 * disabled): TCP + Noise + yamux + identify + gossipsub (`@libp2p/gossipsub`, the libp2p 3 line),
 * with the node key (`<home>/config/node_key.json`) as the peer identity. With `[p2p] enabled`
 * sync uses `network.libp2p` instead (node/Node.ts).
 */
import { noise } from "@chainsafe/libp2p-noise"
import { yamux } from "@chainsafe/libp2p-yamux"
import { privateKeyFromRaw } from "@libp2p/crypto/keys"
import { identify } from "@libp2p/identify"
import { gossipsub } from "@libp2p/gossipsub"
import { tcp } from "@libp2p/tcp"
import { ed25519 } from "@noble/curves/ed25519.js"
import { createLibp2p, type Libp2p } from "libp2p"

/** The part of a gossipsub service the sync uses. */
export interface BlockPubSub {
  subscribe(topic: string): void
  unsubscribe(topic: string): void
  publish(topic: string, data: Uint8Array): Promise<unknown>
  addEventListener(type: "message", listener: (evt: CustomEvent<{ readonly topic: string; readonly data: Uint8Array }>) => void): void
  removeEventListener(type: "message", listener: (evt: CustomEvent<{ readonly topic: string; readonly data: Uint8Array }>) => void): void
}

/** A started host: the libp2p node, its pubsub, and its listen addresses. */
export interface SyncHost {
  readonly libp2p: Libp2p
  readonly pubsub: BlockPubSub | undefined
  /** Listen addresses with /p2p/<peer id>. */
  addresses(): ReadonlyArray<string>
  stop(): Promise<void>
}

/** Gossipsub's largest message (a block plus framing), bytes. */
export const MAX_GOSSIP_BYTES = 8 * 1024 * 1024

/**
 * Start a libp2p host whose peer identity is the ed25519 `seed` (32 bytes). `listen` is a
 * multiaddr such as `/ip4/0.0.0.0/tcp/26656`; omit it for a host that only dials.
 */
export const startSyncHost = async (seed: Uint8Array, listen?: string | undefined): Promise<SyncHost> => {
  const privateKey = privateKeyFromRaw(new Uint8Array([...seed, ...ed25519.getPublicKey(seed)]))
  const services: Record<string, (components: never) => unknown> = {
    identify: identify() as never,
    pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false, maxInboundDataLength: MAX_GOSSIP_BYTES, fallbackToFloodsub: false }) as never
  }
  const libp2p = await createLibp2p({
    privateKey,
    addresses: { listen: listen ? [listen] : [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services
  } as never) as unknown as Libp2p<{ pubsub?: BlockPubSub }>
  return {
    libp2p: libp2p as unknown as Libp2p,
    pubsub: libp2p.services.pubsub,
    addresses: () => libp2p.getMultiaddrs().map((m) => m.toString()),
    stop: async () => { await libp2p.stop() }
  }
}
