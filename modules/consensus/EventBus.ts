/**
 * The event bus of a consensus engine: after each committed block (results saved, app hash
 * known) the engine publishes one {@link CommittedBlock}; subscribers (the RPC websocket server)
 * turn it into CometBFT's events (Events.ts). Publishing never waits for a subscriber: each one
 * has a bounded queue, drained on a later turn of the event loop, and a subscriber that falls
 * `capacity` blocks behind is canceled with CometBFT's reason, so a slow consumer can cost the
 * engine neither time nor memory.
 *
 * Source: cometbft v0.38 types/event_bus.go (EventBus over libs/pubsub, buffered subscriptions),
 * libs/pubsub/pubsub.go (ErrOutOfCapacity cancels a full subscription), state/execution.go
 * (fireEvents after Commit).
 */
import type { ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types"
import type { BlockID } from "cosmjs-types/tendermint/types/types"
import type { StoredBlock } from "../../chain/BlockStore.ts"

/** A block the engine committed: the block, its id (hash and part set header) and FinalizeBlock's response. */
export interface CommittedBlock {
  readonly block: StoredBlock
  readonly blockId: BlockID
  readonly finalize: ResponseFinalizeBlock
}

/** Receives committed blocks in height order, never inside block production. */
export interface BlockListener {
  /** One committed block; a throw cancels the subscription with the error's message. */
  readonly onBlock: (block: CommittedBlock) => void
  /** The subscription ended without `unsubscribe` (fell behind, listener threw, engine stopped). */
  readonly onCancel?: (reason: string) => void
}

/** A live subscription. */
export interface BlockSubscription {
  /** Stop receiving (no onCancel); idempotent. */
  unsubscribe(): void
}

/** What an engine that publishes events offers (ConsensusEngine.events). */
export interface BlockEventSource {
  /**
   * Subscribe to committed blocks. `capacity` (default {@link DEFAULT_BLOCK_QUEUE}) bounds the
   * blocks queued for this listener; one more cancels it with "client is not pulling messages
   * fast enough".
   */
  subscribeBlocks(listener: BlockListener, capacity?: number): BlockSubscription
}

/** Blocks a subscriber may have queued by default (CometBFT's subscription buffer is 200 events). */
export const DEFAULT_BLOCK_QUEUE = 100

/** CometBFT's pubsub ErrOutOfCapacity text. */
export const OUT_OF_CAPACITY = "client is not pulling messages fast enough"

interface Subscriber {
  readonly listener: BlockListener
  readonly capacity: number
  readonly queue: CommittedBlock[]
  scheduled: boolean
  done: boolean
  /** Cancel with this reason once the queue is delivered (close). */
  endAfter?: string
}

/** The engine side: `publish` after each commit, `close` when the engine stops. */
export class EventBus implements BlockEventSource {
  private readonly subscribers = new Set<Subscriber>()
  private closed = false

  subscribeBlocks(listener: BlockListener, capacity: number = DEFAULT_BLOCK_QUEUE): BlockSubscription {
    const s: Subscriber = { listener, capacity: Math.max(1, capacity), queue: [], scheduled: false, done: false }
    if (this.closed) {
      s.done = true
      queueMicrotask(() => listener.onCancel?.("node stopped"))
    } else this.subscribers.add(s)
    return { unsubscribe: () => this.drop(s) }
  }

  /** Subscribers now (for tests and metrics). */
  size(): number {
    return this.subscribers.size
  }

  /** Queue a committed block for every subscriber; O(subscribers), never waits. Ignored after close. */
  publish(block: CommittedBlock): void {
    if (this.closed) return
    for (const s of this.subscribers) {
      if (s.queue.length >= s.capacity) {
        this.cancel(s, OUT_OF_CAPACITY)
        continue
      }
      s.queue.push(block)
      if (!s.scheduled) {
        s.scheduled = true
        setImmediate(() => this.drain(s))
      }
    }
  }

  /**
   * Cancel every subscription ("node stopped") once the blocks already queued for it are
   * delivered; later subscriptions are canceled at once.
   */
  close(): void {
    this.closed = true
    for (const s of [...this.subscribers]) {
      if (s.queue.length === 0) this.cancel(s, "node stopped")
      else s.endAfter = "node stopped"
    }
  }

  private drain(s: Subscriber): void {
    s.scheduled = false
    while (!s.done && s.queue.length > 0) {
      const b = s.queue.shift()!
      try {
        s.listener.onBlock(b)
      } catch (e) {
        this.cancel(s, e instanceof Error ? e.message : String(e))
      }
    }
    if (s.endAfter !== undefined) this.cancel(s, s.endAfter)
  }

  private drop(s: Subscriber): void {
    s.done = true
    s.queue.length = 0
    this.subscribers.delete(s)
  }

  private cancel(s: Subscriber, reason: string): void {
    if (s.done) return
    this.drop(s)
    try {
      s.listener.onCancel?.(reason)
    } catch {
      // a listener's cancel handler must not reach the publisher
    }
  }
}
