/**
 * The contract between the kernel and the network that carries its messages to other nodes.
 *
 * The kernel (kernel/internal/Remote*) encodes what crosses nodes (requests, responses, send
 * errors) as frames of canonical binary, and the network (node/network/) moves the frames
 * between authenticated peers. The network knows nothing of messages; the kernel knows nothing
 * of libp2p. A test can join two kernels with an in-memory transport.
 *
 * Guarantees a transport gives:
 * - frames sent to one node arrive in the order sent (per ordered pair of nodes), or not at all;
 * - a frame handed to `onFrame` comes from the node named, authenticated by its key (the network
 *   checks the peer's key against the node's registered `~net-key` before any frame passes);
 * - no frame larger than `maxFrameBytes` is sent or delivered.
 *
 * Source: Hyperware's net module contract (hyperware-ai/hyperware kernel/src/net/: one ordered,
 * encrypted, authenticated channel per peer; `KernelMessage`s as frames).
 */

/** Why a frame could not be handed to the network. */
export type TransportFailure =
  /** No connection to the node could be made, or the node's name does not resolve to a key. */
  | "offline"
  /** The frame is larger than `maxFrameBytes`. */
  | "too-large"

/** A send that the network refused or could not carry. */
export class TransportError extends Error {
  readonly _tag = "TransportError"
  readonly node: string
  readonly reason: TransportFailure
  constructor(node: string, reason: TransportFailure, detail: string) {
    super(`${reason}: ${node}: ${detail}`)
    this.node = node
    this.reason = reason
  }
}

/** What the kernel needs from the network. */
export interface RemoteTransport {
  /** This node's name as peers know it (the kernel's `our`). */
  readonly our: string
  /** Largest frame carried, bytes. */
  readonly maxFrameBytes: number
  /**
   * Send `frame` to node `node`. Resolves once the frame is queued on the node's ordered channel;
   * rejects with TransportError("offline") when the node cannot be reached (after the transport's
   * own bounded dial attempts) and TransportError("too-large") past `maxFrameBytes`.
   */
  readonly send: (node: string, frame: Uint8Array) => Promise<void>
  /**
   * Install the one handler of frames arriving from other nodes: `node` is the sender's
   * authenticated name. Replaces an earlier handler.
   */
  readonly onFrame: (handler: (node: string, frame: Uint8Array) => void) => void
  /**
   * Install the one handler told when the channel to `node` is lost (connection closed, peer cut
   * off); the kernel fails that node's outstanding requests as `offline`.
   */
  readonly onDisconnect: (handler: (node: string) => void) => void
}
