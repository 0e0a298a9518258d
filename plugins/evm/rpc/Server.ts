/**
 * The evm plugin's Ethereum JSON-RPC service: JSON-RPC 2.0 over HTTP POST on its own port, the
 * `eth_*` / `net_*` / `web3_*` methods of Methods.ts, so that Ethereum tools (viem, ethers,
 * wallets) work unchanged against the chain while the evm machine is active. The node starts it
 * through the plugin's `createService` once the machine is active and stops it at shutdown.
 *
 * Transport: POST with a JSON body, a single request or a batch (array); CORS for browsers
 * (`Access-Control-Allow-Origin: *`, OPTIONS preflight answered 204); a body size limit and a
 * batch length limit, each refused with one -32600 error naming the limit; a GET gets 405.
 * Notifications (requests without `id`) run and get no answer. Responses are HTTP 200 whatever
 * the JSON-RPC outcome, as go-ethereum.
 *
 * Config (`[plugins.evm]` table of config.toml, all optional):
 *   rpc_address          "host:port", default "127.0.0.1:8545"; port 0 picks a free port; "" or "off" disables
 *   rpc_max_body_bytes   default 5 MiB (go-ethereum's limit; a 1 MiB tx is 2 MiB of hex)
 *   rpc_max_batch        default 100 requests per batch
 *   rpc_max_block_range  default 10000 blocks per eth_getLogs
 *   rpc_max_logs         default 10000 logs per eth_getLogs
 *   rpc_max_response_bytes default 64 MiB (at most 256 MiB): one answer, or a batch's answers together
 *   rpc_batch_budget_ms  default 2000: a batch's entries that would start later are not run (-32000)
 *   rpc_max_connections  default 100 open connections (server.maxConnections)
 *   rpc_request_timeout_ms default 30000: headers and body must arrive within it (as geth's ReadTimeout)
 *
 * Batches run one entry after another. eth_call and eth_estimateGas (the EVM, a query that blocks
 * the node's thread) run one at a time across all requests, each after a full event-loop turn.
 *
 * Source: JSON-RPC 2.0 specification (https://www.jsonrpc.org/specification), go-ethereum
 * rpc/http.go (body limit, CORS, status codes), ethereum/execution-apis.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http" // determinism-ok: RPC service, node plane
import type { AddressInfo } from "node:net" // determinism-ok: RPC service, node plane
import { EthRpcError, RpcCode } from "./Codec.ts"
import type { EthBlockStore } from "./Chain.ts"
import { makeMethods, type CheckTxAnswer, type MethodLimits, type QueryAnswer } from "./Methods.ts"
import { bridgesReady } from "../internal/Bridge.ts"

/**
 * The fields of the kernel's PluginServiceContext (plugins/Host.ts) this service uses; the real
 * context is assignable to it. `config` is the `[plugins.evm]` table.
 */
export interface EthRpcContext {
  readonly config: Readonly<Record<string, unknown>>
  readonly blockStore: EthBlockStore
  broadcastTx(tx: Uint8Array): Promise<CheckTxAnswer>
  abciQuery(req: { path: string; data: Uint8Array; height?: bigint }): Promise<QueryAnswer>
  log(line: string): void
}

/** A started-or-not service (see createEthRpcService). */
export interface EthRpcService {
  /** Bind and listen; resolves once listening. Refuses to start twice. */
  start(): Promise<void>
  /** Close the listener and every open connection; resolves once closed. Idempotent. */
  stop(): Promise<void>
  /** `http://host:port` once started (the real port when 0 was configured); undefined before or when disabled. */
  readonly url: string | undefined
}

/** The transport limits, after config. */
export interface EthRpcLimits extends MethodLimits {
  readonly maxBodyBytes: number
  readonly maxBatch: number
  /** Largest answer (a batch's answers together) in bytes of JSON. */
  readonly maxResponseBytes: number
  /** Wall-clock time a batch may take; entries that would start past it are not run. */
  readonly batchBudgetMs: number
  /** Most open connections (server.maxConnections); past it a new connection is closed at once. */
  readonly maxConnections: number
  /** Time a request (headers and body) may take to arrive (server.requestTimeout, headersTimeout). */
  readonly requestTimeoutMs: number
}

/** Default `rpc_address`. */
export const DEFAULT_RPC_ADDRESS = "127.0.0.1:8545"

/** Defaults of the limits (see module doc). */
export const DEFAULT_LIMITS: EthRpcLimits = {
  maxBodyBytes: 5 * 1024 * 1024,
  maxBatch: 100,
  maxBlockRange: 10_000,
  maxLogs: 10_000,
  maxFeeHistory: 1024,
  maxResponseBytes: 64 * 1024 * 1024,
  batchBudgetMs: 2_000,
  maxConnections: 100,
  requestTimeoutMs: 30_000
}

/** Largest `rpc_max_response_bytes`: an answer is sent as pieces, but one response must stay a V8 string (< 2^29 chars). */
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024

const configInt = (config: Readonly<Record<string, unknown>>, key: string, dflt: number): number => {
  const v = config[key]
  if (v === undefined || v === null) return dflt
  const n = typeof v === "bigint" ? Number(v) : typeof v === "string" && /^[0-9]+$/.test(v) ? Number(v) : v
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1) {
    throw new Error(`[plugins.evm] ${key} must be a positive integer, got ${JSON.stringify(String(v))}`) // determinism-ok: RPC service, node plane
  }
  return n
}

/** Limits from the `[plugins.evm]` table (throws naming a malformed key). */
export const limitsFromConfig = (config: Readonly<Record<string, unknown>>): EthRpcLimits => ({
  maxBodyBytes: configInt(config, "rpc_max_body_bytes", DEFAULT_LIMITS.maxBodyBytes),
  maxBatch: configInt(config, "rpc_max_batch", DEFAULT_LIMITS.maxBatch),
  maxBlockRange: configInt(config, "rpc_max_block_range", DEFAULT_LIMITS.maxBlockRange),
  maxLogs: configInt(config, "rpc_max_logs", DEFAULT_LIMITS.maxLogs),
  maxFeeHistory: DEFAULT_LIMITS.maxFeeHistory,
  maxResponseBytes: Math.min(configInt(config, "rpc_max_response_bytes", DEFAULT_LIMITS.maxResponseBytes), MAX_RESPONSE_BYTES),
  batchBudgetMs: configInt(config, "rpc_batch_budget_ms", DEFAULT_LIMITS.batchBudgetMs),
  maxConnections: configInt(config, "rpc_max_connections", DEFAULT_LIMITS.maxConnections),
  requestTimeoutMs: configInt(config, "rpc_request_timeout_ms", DEFAULT_LIMITS.requestTimeoutMs)
})

/** `host:port` (IPv6 host in brackets allowed) split; throws on a malformed address. */
export const splitAddress = (address: string): { host: string; port: number } => {
  const a = address.replace(/^(tcp|http):\/\//, "")
  const i = a.lastIndexOf(":")
  const port = Number(a.slice(i + 1))
  if (i <= 0 || a.slice(i + 1) === "" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`[plugins.evm] rpc_address must be host:port, got ${JSON.stringify(address)}`) // determinism-ok: RPC service, node plane
  }
  return { host: a.slice(0, i).replace(/^\[|\]$/g, ""), port }
}

/** Bytes of an over-limit body read and thrown away so the client gets its error; past it, the socket is cut. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024

const CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, GET, OPTIONS",
  "access-control-max-age": "600"
}

type Json = unknown
interface Response {
  readonly jsonrpc: "2.0"
  readonly id: Json
  readonly result?: Json
  readonly error?: { readonly code: number; readonly message: string; readonly data?: Json }
}

const errorResponse = (id: Json, e: EthRpcError): Response => ({
  jsonrpc: "2.0",
  id,
  error: e.data === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, data: e.data }
})

/** The methods that run the EVM (a blocking query on the node's thread): queued one at a time, with a yield before each. */
const EVM_METHODS: ReadonlySet<string> = new Set(["eth_call", "eth_estimateGas"])

/**
 * Give the event loop one full turn (timers, I/O poll, immediates) before going on. Two
 * setImmediate hops: one scheduled from the poll phase runs in that same iteration's check phase,
 * before the timers; the second runs only after a whole further iteration.
 */
const yieldLoop = async (): Promise<void> => {
  await new Promise<void>((r) => setImmediate(r))
  await new Promise<void>((r) => setImmediate(r))
}

/**
 * Wait, on timers, until the EVM worker has loaded (at most 60 s, then the query runs and waits as
 * a transaction would): a worker replaced after a timed-out query takes about a query budget to
 * load, and that wait must not block the node's thread (internal/Bridge.ts bridgesReady).
 */
const workerLoaded = async (): Promise<void> => {
  const until = performance.now() + 60_000
  while (!bridgesReady() && performance.now() < until) await new Promise<void>((r) => setTimeout(r, 5))
}

/** A response serialized, or the reason it cannot be. */
const serialize = (r: Response): string | RangeError => {
  try {
    return JSON.stringify(r) // determinism-ok: RPC service, node plane
  } catch (e) {
    // RangeError: Invalid string length (an answer past V8's string limit) or a stack overflow
    return e instanceof RangeError ? e : new RangeError(e instanceof Error ? e.message : String(e))
  }
}

/** The serialized answer to a body: one response text, or a batch's texts (sent as `[a,b,...]`); undefined when nothing is sent. */
export type DispatchText = { readonly batch: false; readonly text: string } | { readonly batch: true; readonly parts: readonly string[]; readonly bytes: number }

/** A dispatcher: body text to response value (tests) with `text` giving the serialized answer (the server). */
export interface Dispatcher {
  (body: string): Promise<Json | undefined>
  readonly text: (body: string) => Promise<DispatchText | undefined>
}

/**
 * A JSON-RPC dispatcher over the methods: takes the request body text, answers the response
 * body value (undefined when nothing is to be sent: only notifications); `text` answers it
 * serialized, within `maxResponseBytes`. Batch entries run one after another; eth_call and
 * eth_estimateGas (EVM execution, a blocking query on the node's thread) run one at a time across
 * all requests of this dispatcher, each after a full turn of the event loop; a batch's entries
 * that would start after `batchBudgetMs` are answered -32000 without running. Exposed for tests.
 */
export const makeDispatcher = (ctx: Omit<EthRpcContext, "config">, limits: EthRpcLimits): Dispatcher => {
  const methods = makeMethods(ctx, limits)

  // The EVM queue: the tail of the chain of EVM-executing requests (one at a time).
  let evmTail: Promise<void> = Promise.resolve()
  const evmExclusive = async <T>(f: () => Promise<T>): Promise<T> => {
    const before = evmTail
    let release!: () => void
    evmTail = new Promise<void>((r) => (release = r))
    try {
      await before
      await yieldLoop()
      await workerLoaded()
      return await f()
    } finally {
      release()
    }
  }

  const one = async (req: unknown): Promise<Response | undefined> => {
    if (typeof req !== "object" || req === null || Array.isArray(req)) {
      return errorResponse(null, new EthRpcError(RpcCode.InvalidRequest, "invalid request: expected a JSON-RPC 2.0 request object"))
    }
    const r = req as Record<string, unknown>
    const hasId = Object.prototype.hasOwnProperty.call(r, "id")
    const id = hasId ? r.id : null
    const validId = !hasId || id === null || typeof id === "string" || (typeof id === "number" && Number.isFinite(id))
    if (r.jsonrpc !== "2.0" || typeof r.method !== "string" || !validId) {
      return errorResponse(validId ? id : null, new EthRpcError(RpcCode.InvalidRequest, "invalid request: needs jsonrpc \"2.0\", a string method and a string, number or null id"))
    }
    let response: Response
    const name = r.method
    const method = methods.get(name)
    if (method === undefined) {
      response = errorResponse(id, new EthRpcError(RpcCode.MethodNotFound, `the method ${name.slice(0, 64)} does not exist/is not available`))
    } else if (r.params !== undefined && r.params !== null && !Array.isArray(r.params)) {
      response = errorResponse(id, new EthRpcError(RpcCode.InvalidParams, "invalid params: params must be an array (by-position)"))
    } else {
      try {
        const params = (r.params as unknown[] | undefined) ?? []
        const result = EVM_METHODS.has(name) ? await evmExclusive(() => method(params)) : await method(params)
        response = { jsonrpc: "2.0", id, result: result === undefined ? null : result }
      } catch (e) {
        if (e instanceof EthRpcError) response = errorResponse(id, e)
        else if (e instanceof RangeError && /call stack/i.test(e.message)) {
          // a param nested past the stack (the parsers recurse into it): the client's input
          response = errorResponse(id, new EthRpcError(RpcCode.InvalidParams, "invalid params: a param is nested too deeply"))
        } else {
          const msg = e instanceof Error ? e.message : String(e)
          ctx.log(`evm rpc: ${name} failed: ${msg}`)
          response = errorResponse(id, new EthRpcError(RpcCode.Internal, `internal error: ${msg}`))
        }
      }
    }
    return hasId ? response : undefined
  }

  const tooLarge = (id: Json, what: string): string =>
    JSON.stringify(errorResponse(id, new EthRpcError(RpcCode.Server, `response too large: ${what} over ${limits.maxResponseBytes} bytes (rpc_max_response_bytes)`))) // determinism-ok: RPC service, node plane

  /** One response serialized within `room` bytes, else the size-limit error for its id. */
  const fit = (r: Response, room: number, what: string): { readonly text: string; readonly fits: boolean } => {
    const t = serialize(r)
    if (typeof t !== "string") {
      ctx.log(`evm rpc: an answer could not be serialized: ${t.message}`)
      return { text: tooLarge(r.id, what), fits: false }
    }
    // bytes >= chars: a text of more chars than room cannot fit, whatever its encoding
    if (t.length > room || Buffer.byteLength(t) > room) return { text: tooLarge(r.id, what), fits: false }
    return { text: t, fits: true }
  }

  const idOf = (req: unknown): { readonly answered: boolean; readonly id: Json } => {
    if (typeof req !== "object" || req === null || Array.isArray(req)) return { answered: true, id: null }
    const r = req as Record<string, unknown>
    if (!Object.prototype.hasOwnProperty.call(r, "id")) return { answered: false, id: null }
    const id = r.id
    return { answered: true, id: id === null || typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) ? id : null }
  }

  const text = async (body: string): Promise<DispatchText | undefined> => {
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      return { batch: false, text: JSON.stringify(errorResponse(null, new EthRpcError(RpcCode.ParseError, "parse error: the body is not valid JSON"))) } // determinism-ok: RPC service, node plane
    }
    const single = (r: Response): DispatchText => ({ batch: false, text: JSON.stringify(r) }) // determinism-ok: RPC service, node plane
    if (!Array.isArray(parsed)) {
      const r = await one(parsed)
      return r === undefined ? undefined : { batch: false, text: fit(r, limits.maxResponseBytes, "the answer is").text }
    }
    if (parsed.length === 0) return single(errorResponse(null, new EthRpcError(RpcCode.InvalidRequest, "invalid request: empty batch")))
    if (parsed.length > limits.maxBatch) {
      return single(errorResponse(null, new EthRpcError(RpcCode.InvalidRequest, `batch too large: ${parsed.length} requests, at most ${limits.maxBatch} (rpc_max_batch)`)))
    }
    // One after another, within the batch's time and size budgets; "[", "]" and the commas count.
    const t0 = performance.now()
    const parts: string[] = []
    let bytes = 2
    let full = false
    const push = (t: string) => {
      bytes += Buffer.byteLength(t) + (parts.length > 0 ? 1 : 0)
      parts.push(t)
    }
    for (const req of parsed) {
      const { answered, id } = idOf(req)
      if (full) {
        // past the size budget: the rest is not run (notifications included)
        if (answered) push(tooLarge(id, "the batch's answers are"))
        continue
      }
      if (performance.now() - t0 > limits.batchBudgetMs) {
        if (answered) {
          push(JSON.stringify(errorResponse(id, new EthRpcError(RpcCode.Server, `batch time budget exceeded: the batch ran past ${limits.batchBudgetMs} ms (rpc_batch_budget_ms); this request was not run`)))) // determinism-ok: RPC service, node plane
        }
        continue
      }
      const r = await one(req)
      if (r === undefined) continue
      const room = limits.maxResponseBytes - bytes - (parts.length > 0 ? 1 : 0)
      const { text: t, fits } = fit(r, room, "the batch's answers are")
      if (!fits) full = true
      push(t)
    }
    return parts.length === 0 ? undefined : { batch: true, parts, bytes }
  }

  const dispatch = async (body: string): Promise<Json | undefined> => {
    const t = await text(body)
    if (t === undefined) return undefined
    return JSON.parse(t.batch ? `[${t.parts.join(",")}]` : t.text)
  }
  return Object.assign(dispatch, { text })
}

/**
 * The plugin's JSON-RPC service over a node's PluginServiceContext (see module doc for config).
 * Throws at creation on a malformed config value.
 */
export const createEthRpcService = (ctx: EthRpcContext): EthRpcService => {
  const rawAddress = ctx.config.rpc_address
  if (rawAddress !== undefined && typeof rawAddress !== "string") {
    throw new Error(`[plugins.evm] rpc_address must be a string "host:port", got ${JSON.stringify(String(rawAddress))}`) // determinism-ok: RPC service, node plane
  }
  const address = rawAddress ?? DEFAULT_RPC_ADDRESS
  const disabled = address === "" || address === "off"
  const bind = disabled ? undefined : splitAddress(address)
  const limits = limitsFromConfig(ctx.config)
  const dispatch = makeDispatcher(ctx, limits)
  let server: Server | undefined
  let url: string | undefined
  let stopped = false

  const send = (res: ServerResponse, status: number, body: Json | undefined, extra: Record<string, string> = {}) => {
    if (body === undefined) {
      res.writeHead(status === 200 ? 204 : status, { ...CORS_HEADERS, ...extra })
      res.end()
      return
    }
    sendText(res, status, { batch: false, text: JSON.stringify(body) }, extra) // determinism-ok: RPC service, node plane
  }

  /** A serialized answer; a batch is written piece by piece (never joined into one string). */
  const sendText = (res: ServerResponse, status: number, t: DispatchText | undefined, extra: Record<string, string> = {}) => {
    if (res.destroyed || res.writableEnded) return
    if (t === undefined) {
      res.writeHead(status === 200 ? 204 : status, { ...CORS_HEADERS, ...extra })
      res.end()
      return
    }
    const length = t.batch ? t.bytes : Buffer.byteLength(t.text)
    res.writeHead(status, { ...CORS_HEADERS, ...extra, "content-type": "application/json", "content-length": length })
    if (!t.batch) {
      res.end(t.text)
      return
    }
    res.write("[")
    t.parts.forEach((p, i) => res.write(i === 0 ? p : `,${p}`))
    res.end("]")
  }

  /** The last resort: nothing a request does may throw out of the handler (an unhandled rejection stops the node). */
  const fail = (res: ServerResponse, e: unknown) => {
    ctx.log(`evm rpc: request failed: ${e instanceof Error ? e.message : String(e)}`)
    try {
      if (res.headersSent) res.destroy()
      else send(res, 500, errorResponse(null, new EthRpcError(RpcCode.Internal, "internal error")))
    } catch {
      res.destroy()
    }
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method === "OPTIONS") {
      const asked = req.headers["access-control-request-headers"]
      res.writeHead(204, { ...CORS_HEADERS, "access-control-allow-headers": typeof asked === "string" && asked !== "" ? asked : "content-type" })
      res.end()
      return
    }
    if (req.method !== "POST") {
      send(res, 405, errorResponse(null, new EthRpcError(RpcCode.InvalidRequest, "invalid request: use HTTP POST with a JSON-RPC body")), { allow: "POST, OPTIONS" })
      req.resume()
      return
    }
    const tooLarge = () =>
      errorResponse(null, new EthRpcError(RpcCode.InvalidRequest, `request body too large: at most ${limits.maxBodyBytes} bytes (rpc_max_body_bytes)`))
    const chunks: Buffer[] = []
    let size = 0
    let refused = Number(req.headers["content-length"] ?? "0") > limits.maxBodyBytes
    // An over-limit body is read and dropped (cut past MAX_DISCARD_BYTES), then answered and the
    // connection closed: answering while the client still uploads would reset the connection
    // before it reads the error.
    req.on("data", (c: Buffer) => {
      size += c.length
      if (refused) {
        if (size > MAX_DISCARD_BYTES) req.destroy()
        return
      }
      if (size > limits.maxBodyBytes) {
        refused = true
        chunks.length = 0
        return
      }
      chunks.push(c)
    })
    req.on("error", () => undefined)
    req.on("end", () => {
      if (refused) {
        send(res, 413, tooLarge(), { connection: "close" })
        return
      }
      dispatch.text(Buffer.concat(chunks, size).toString("utf8")).then(
        (t) => {
          try {
            sendText(res, 200, t)
          } catch (e) {
            fail(res, e)
          }
        },
        (e: unknown) => fail(res, e)
      ).catch(() => undefined)
    })
  }

  return {
    get url() {
      return url
    },
    start: async () => {
      if (bind === undefined) {
        ctx.log("evm rpc: disabled ([plugins.evm] rpc_address is empty)")
        return
      }
      if (server !== undefined || stopped) throw new Error("evm rpc: service already started")
      // Slow clients: a request (headers and body) must arrive within requestTimeoutMs (checked
      // every second), an idle kept-alive connection closes after 5 s, at most maxConnections
      // are open (a new one past it is closed at once).
      const s = createServer({
        keepAliveTimeout: 5_000,
        requestTimeout: limits.requestTimeoutMs,
        headersTimeout: limits.requestTimeoutMs,
        connectionsCheckingInterval: 1_000
      }, handle)
      s.maxConnections = limits.maxConnections
      s.on("clientError", (_e, socket) => socket.destroy())
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject)
        s.listen(bind.port, bind.host, () => {
          s.off("error", reject)
          resolve()
        })
      })
      server = s
      const a = s.address() as AddressInfo
      url = `http://${a.family === "IPv6" || a.address.includes(":") ? `[${a.address}]` : a.address}:${a.port}`
      ctx.log(`evm rpc: Ethereum JSON-RPC listening on ${url}`)
    },
    stop: async () => {
      stopped = true
      const s = server
      server = undefined
      if (s === undefined) return
      await new Promise<void>((resolve) => {
        s.close(() => resolve())
        s.closeAllConnections()
      })
      ctx.log("evm rpc: stopped")
    }
  }
}
