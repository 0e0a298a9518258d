/**
 * libp2p 3 interface types, taken from the installed `libp2p` itself: the hoisted
 * `@libp2p/interface` in node_modules is the 2.x line (a dependency of
 * @chainsafe/libp2p-gossipsub 14), whose Stream has another shape, so these are derived from
 * `Libp2p` rather than imported by package name.
 */
import type { Libp2p } from "libp2p"

/** A libp2p 3 stream (a MessageStream: `send`, `onDrain`, `message` / `close` events). */
export type Stream = Awaited<ReturnType<Libp2p["dialProtocol"]>>
/** A libp2p 3 connection. */
export type Connection = ReturnType<Libp2p["getConnections"]>[number]
/** A libp2p 3 peer id. */
export type PeerId = Libp2p["peerId"]
