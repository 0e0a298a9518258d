/**
 * Test double of kernel/Transport.ts for unit tests: nodes in one process joined by an in-memory
 * network. Frames are delivered in a microtask each, so per-pair order holds as on a real
 * channel; `cut` takes a node off the network (sends to it reject `offline`, and both sides hear
 * `onDisconnect`), `restore` puts it back; `inject` hands a raw frame to a node as if another
 * node sent it (a hostile peer).
 */
import { type RemoteTransport, TransportError } from "../../kernel/Transport.ts"

interface Member {
  readonly transport: RemoteTransport
  frame: ((node: string, frame: Uint8Array) => void) | undefined
  disconnect: ((node: string) => void) | undefined
  up: boolean
}

/** An in-memory network of named nodes. */
export class MemoryNetwork {
  readonly #members = new Map<string, Member>()
  /** Frames carried, by sender. */
  readonly sent = new Map<string, number>()

  /** The transport of node `our` (created on first use). */
  transport(our: string, maxFrameBytes = 1 << 20): RemoteTransport {
    const known = this.#members.get(our)
    if (known !== undefined) return known.transport
    const m: Member = {
      frame: undefined,
      disconnect: undefined,
      up: true,
      transport: {
        our,
        maxFrameBytes,
        send: (node, frame) => {
          if (frame.length > maxFrameBytes) return Promise.reject(new TransportError(node, "too-large", `${frame.length} bytes`))
          const to = this.#members.get(node)
          if (!m.up || to === undefined || !to.up) return Promise.reject(new TransportError(node, "offline", "not reachable"))
          this.sent.set(our, (this.sent.get(our) ?? 0) + 1)
          queueMicrotask(() => {
            if (m.up && to.up) to.frame?.(our, frame)
          })
          return Promise.resolve()
        },
        onFrame: (h) => {
          m.frame = h
        },
        onDisconnect: (h) => {
          m.disconnect = h
        }
      }
    }
    this.#members.set(our, m)
    return m.transport
  }

  /** Take `node` off the network: every other node hears it disconnect, and it hears them. */
  cut(node: string): void {
    const m = this.#members.get(node)
    if (m === undefined || !m.up) return
    m.up = false
    for (const [name, other] of this.#members) {
      if (name === node || !other.up) continue
      other.disconnect?.(node)
      m.disconnect?.(name)
    }
  }

  /** Put `node` back on the network. */
  restore(node: string): void {
    const m = this.#members.get(node)
    if (m !== undefined) m.up = true
  }

  /** Hand `frame` to node `to` as if node `from` sent it. */
  inject(from: string, to: string, frame: Uint8Array): void {
    this.#members.get(to)?.frame?.(from, frame)
  }
}
