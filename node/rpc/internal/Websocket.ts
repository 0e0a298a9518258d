/**
 * The `/websocket` endpoint: JSON-RPC 2.0 over a websocket, one request per message, with every
 * ordinary method plus `subscribe {query}`, `unsubscribe {query}` and `unsubscribe_all`. A
 * subscription's events arrive as replies carrying the subscribe request's id (CometBFT's shape,
 * EventJson.ts). Events come from the engine's event bus (one bounded subscription for the
 * whole endpoint, taken while any client subscribes) and are matched against each query with
 * pubsub semantics (node/blockstore/TxQuery.ts matchesEvents).
 *
 * Bounds: frames above max_body_bytes are refused by `ws` (close 1009); at most
 * max_subscriptions_per_client subscriptions per connection and max_subscription_clients
 * subscribing connections; a connection is cut (a client that stops reading costs the node that
 * much at most) with more than websocket_write_buffer_size messages or max_response_bytes not
 * yet written to its socket when a block's events start (within one block, whose events go out
 * together, at twice max_response_bytes; a reply past the message count is refused the same way);
 * one that answers no ping for 30 s is cut too.
 *
 * Source: cometbft v0.38 rpc/jsonrpc/server/ws_handler.go (wsConnection: read/write routines,
 * pings every 27 s, read wait 30 s, one request per message), rpc/core/events.go (Subscribe,
 * Unsubscribe, UnsubscribeAll and their errors), libs/pubsub (ErrAlreadySubscribed,
 * ErrSubscriptionNotFound).
 */
import type { IncomingMessage } from "node:http"
import type { Duplex } from "node:stream"
import { WebSocketServer, type RawData, type WebSocket } from "ws"
import type { BlockEventSource, BlockSubscription, CommittedBlock } from "../../../modules/consensus/EventBus.ts"
import { cometEventsOf, type CometEvent } from "../../../modules/consensus/Events.ts"
import { matchesEvents, parseTxQuery, queryText, TxQueryError, type TxCondition } from "../../blockstore/TxQuery.ts"
import type { RpcLimits } from "../Limits.ts"
import { InvalidParams, RpcMethodError } from "../RpcError.ts"
import { handleSocketMessage, type ConnectionMethods, type Id } from "./Dispatch.ts"
import { eventAttributesText, eventDataText, eventHead, eventTail } from "./EventJson.ts"
import type { MethodContext } from "./Methods.ts"
import { MAX_QUERY_LENGTH } from "./Methods.ts"

/** CometBFT's pingPeriod: (readWait * 9) / 10 with readWait 30 s. */
const PING_MS = 27_000
/** Requests of one connection read ahead of the one being answered. */
const MAX_QUEUED_REQUESTS = 16

interface Subscription {
  readonly id: Id
  /** The query as the client sent it (echoed in each event). */
  readonly query: string
  readonly conditions: ReadonlyArray<TxCondition>
  /** The `tm.event='X'` the query requires, if any: a cheap first filter per event. */
  readonly eventType: string | undefined
}

interface Client {
  readonly ws: WebSocket
  /** By canonical query text (one subscription per query, as CometBFT's pubsub). */
  readonly subs: Map<string, Subscription>
  /** Messages handed to `ws` whose write has not completed. */
  pending: number
  alive: boolean
  closed: boolean
}

/** The websocket endpoint of one RPC server. */
export interface WebsocketEndpoint {
  /** Complete an HTTP upgrade to `/websocket`. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Connections open now. */
  connections(): number
  /** Cut every connection and leave the event bus. */
  close(): void
}

/** An event with its JSON texts built on first use (shared by the subscriptions it matches). */
interface Prepared {
  readonly event: CometEvent
  tail?: Buffer
}

/** Make the endpoint; `events` undefined: subscribe answers NotSupported. */
export const websocketEndpoint = (
  ctx: MethodContext, limits: RpcLimits, events: BlockEventSource | undefined, log: (line: string) => void = () => undefined
): WebsocketEndpoint => {
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes, perMessageDeflate: false, clientTracking: false })
  const clients = new Set<Client>()
  let busSub: BlockSubscription | undefined
  const subscribing = (): number => {
    let n = 0
    for (const c of clients) if (c.subs.size > 0) n++
    return n
  }

  const cut = (c: Client, why: string) => {
    if (c.closed) return
    c.closed = true
    c.subs.clear()
    log(`websocket client cut: ${why}`)
    c.ws.terminate()
  }

  /**
   * Queue one message, or cut a client that has stopped reading. Events of one block are not
   * counted against websocket_write_buffer_size here (a block of many txs sends them together;
   * onBlock checks the count before each block), only against the byte bound. An event goes as
   * two frames of one message: its own head, then the event's shared tail (no copy per client).
   */
  const send = (c: Client, message: string | readonly [string, Buffer], event = false) => {
    if (c.closed) return
    if (!event && c.pending >= limits.websocketWriteBufferSize) {
      cut(c, `more than websocket_write_buffer_size (${limits.websocketWriteBufferSize}) messages unsent`)
      return
    }
    const size = typeof message === "string" ? message.length : message[0].length + message[1].length
    // one block's messages may pass max_response_bytes (a full block to NewBlock and Tx
    // subscriptions); twice that unsent is a client that is not reading
    if (c.pending > 0 && c.ws.bufferedAmount + size > 2 * limits.maxResponseBytes) {
      cut(c, `more than 2 x max_response_bytes (${limits.maxResponseBytes}) unsent`)
      return
    }
    c.pending++
    const done = () => {
      c.pending--
    }
    if (typeof message === "string") c.ws.send(message, done)
    else {
      c.ws.send(message[0], { binary: false, fin: false })
      c.ws.send(message[1], { binary: false, fin: true }, done)
    }
  }

  /** One block's events to one client (its own event-loop turn: many clients never stall the loop at once). */
  const deliver = (c: Client, prepared: ReadonlyArray<Prepared>) => {
    if (c.closed || c.subs.size === 0) return
    // still holding earlier blocks' events past a limit: it stopped reading
    if (c.pending > limits.websocketWriteBufferSize) {
      cut(c, `more than websocket_write_buffer_size (${limits.websocketWriteBufferSize}) messages of earlier events unsent`)
      return
    }
    if (c.ws.bufferedAmount > limits.maxResponseBytes) {
      cut(c, `more than max_response_bytes (${limits.maxResponseBytes}) of earlier events unsent`)
      return
    }
    for (const p of prepared) {
      for (const s of c.subs.values()) {
        if (c.closed) return
        if (s.eventType !== undefined && s.eventType !== p.event.type) continue
        if (!matchesEvents(s.conditions, p.event.attributes)) continue
        p.tail ??= eventTail(eventDataText(p.event), eventAttributesText(p.event))
        send(c, [eventHead(s.id, s.query), p.tail] as const, true)
      }
    }
  }

  // Tasks run in FIFO order (setImmediate), so each client gets its blocks in order, and a cancel after them.
  const onBlock = (b: CommittedBlock) => {
    const prepared: Prepared[] = cometEventsOf(b).map((event) => ({ event }))
    for (const c of clients) if (c.subs.size > 0) setImmediate(() => deliver(c, prepared))
  }

  /** The bus canceled the endpoint (it fell behind, or the engine stopped): tell every subscriber. */
  const onCancel = (reason: string) => {
    busSub = undefined
    for (const c of clients) {
      const subs = [...c.subs.entries()]
      // after the blocks already queued for this client
      setImmediate(() => {
        for (const [key, s] of subs) {
          if (c.subs.get(key) !== s) continue
          c.subs.delete(key)
          // rpctypes.RPCServerError: code -32000
          send(c, JSON.stringify({ jsonrpc: "2.0", id: s.id, error: { code: -32000, message: "Server error", data: `subscription was canceled (reason: ${reason})` } }))
        }
        syncBus()
      })
    }
  }

  /** Hold one bus subscription while any client subscribes. */
  const syncBus = () => {
    const want = events !== undefined && subscribing() > 0
    if (want && busSub === undefined) busSub = events!.subscribeBlocks({ onBlock, onCancel })
    else if (!want && busSub !== undefined) {
      busSub.unsubscribe()
      busSub = undefined
    }
  }

  const parseQuery = (query: string): ReadonlyArray<TxCondition> => {
    if (query.length > MAX_QUERY_LENGTH) throw new InvalidParams({ param: "query", reason: `maximum query length (${MAX_QUERY_LENGTH}) exceeded` })
    try {
      return parseTxQuery(query)
    } catch (e) {
      if (e instanceof TxQueryError) throw new InvalidParams({ param: "query", reason: `failed to parse query: ${e.reason}` })
      throw e
    }
  }

  const methodsFor = (c: Client): ConnectionMethods => ({
    subscribe: {
      params: [{ name: "query", kind: "string" }],
      handler: async (a, id) => {
        if (events === undefined) throw new RpcMethodError({ reason: "NotSupported: this consensus engine publishes no events" })
        if (c.subs.size === 0 && subscribing() >= limits.maxSubscriptionClients) {
          throw new RpcMethodError({ reason: `max_subscription_clients ${limits.maxSubscriptionClients} reached` })
        }
        if (c.subs.size >= limits.maxSubscriptionsPerClient) {
          throw new RpcMethodError({ reason: `max_subscriptions_per_client ${limits.maxSubscriptionsPerClient} reached` })
        }
        const query = a.query as string | undefined
        if (query === undefined) throw new InvalidParams({ param: "query", reason: "missing" })
        const conditions = parseQuery(query)
        const key = queryText(conditions)
        if (c.subs.has(key)) throw new RpcMethodError({ reason: "already subscribed" })
        const tm = conditions.find((x) => x.key === "tm.event" && x.op === "=" && x.operand?.kind === "string")
        c.subs.set(key, { id, query, conditions, eventType: tm?.operand?.value })
        syncBus()
        return {}
      }
    },
    unsubscribe: {
      params: [{ name: "query", kind: "string" }],
      handler: async (a) => {
        const query = a.query as string | undefined
        if (query === undefined) throw new InvalidParams({ param: "query", reason: "missing" })
        if (!c.subs.delete(queryText(parseQuery(query)))) throw new RpcMethodError({ reason: "subscription not found" })
        syncBus()
        return {}
      }
    },
    unsubscribe_all: {
      params: [],
      handler: async () => {
        if (c.subs.size === 0) throw new RpcMethodError({ reason: "subscription not found" })
        c.subs.clear()
        syncBus()
        return {}
      }
    }
  })

  const accept = (ws: WebSocket) => {
    const c: Client = { ws, subs: new Map(), pending: 0, alive: true, closed: false }
    clients.add(c)
    const own = methodsFor(c)
    // Requests of one connection are answered in order, one at a time (as CometBFT's read
    // routine); past MAX_QUEUED_REQUESTS waiting, reading stops until they are answered.
    let chain: Promise<void> = Promise.resolve()
    let queued = 0
    ws.on("message", (data: RawData) => {
      c.alive = true
      const text = Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.from(data as ArrayBuffer).toString("utf8")
      if (++queued >= MAX_QUEUED_REQUESTS && !ws.isPaused) ws.pause()
      chain = chain.then(async () => {
        const reply = await handleSocketMessage(ctx, text, limits, own)
        if (reply !== undefined) send(c, reply)
      }).catch(() => undefined).finally(() => {
        if (--queued < MAX_QUEUED_REQUESTS && ws.isPaused && !c.closed) ws.resume()
      })
    })
    ws.on("pong", () => {
      c.alive = true
    })
    ws.on("error", () => undefined)
    ws.on("close", () => {
      c.closed = true
      c.subs.clear()
      clients.delete(c)
      syncBus()
    })
  }

  const pinger = setInterval(() => {
    for (const c of clients) {
      if (!c.alive) {
        cut(c, "no pong within the read wait")
        continue
      }
      c.alive = false
      c.ws.ping()
    }
  }, PING_MS)
  pinger.unref()

  return {
    upgrade: (req, socket, head) => wss.handleUpgrade(req, socket, head, accept),
    connections: () => clients.size,
    close: () => {
      clearInterval(pinger)
      busSub?.unsubscribe()
      busSub = undefined
      for (const c of clients) {
        c.closed = true
        c.ws.terminate()
      }
      clients.clear()
      wss.close()
    }
  }
}
