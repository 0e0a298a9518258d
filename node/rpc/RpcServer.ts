/**
 * The node's CometBFT-compatible RPC server: CometBFT v0.38's JSON-RPC subset over HTTP POST
 * (JSON-RPC 2.0, batches included), URI GET (`/status`, `/abci_query?path="..."&data=0x..`) and
 * a websocket at `/websocket` (every method, plus event subscriptions: internal/Websocket.ts),
 * with results in CometBFT's exact JSON formats so CosmJS (Comet38Client, StargateClient) and
 * other Cosmos tooling work unchanged. docs/rpc.md lists what is and is not served.
 *
 * Data comes from the ABCI application (abci_info, abci_query), the consensus engine
 * (broadcast_tx_*, status tip, validators, mempool size) and the block store (block, tx,
 * tx_search, block_results, ...).
 *
 * Source: cometbft v0.38 rpc/core (methods), rpc/jsonrpc/server (transport).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { Duplex } from "node:stream"
import { Effect, type Scope } from "effect"
import type { Commit } from "cosmjs-types/tendermint/types/types"
import type { AbciApplication } from "../../chain/Abci.ts"
import type { BlockStore } from "../../chain/BlockStore.ts"
import type { ConsensusEngine } from "../../modules/consensus/Consensus.ts"
import { handleGet, handlePost, limitError, methodNames, methodParams } from "./internal/Dispatch.ts"
import { defaultRpcLimits, DEFAULT_MAX_TX_BYTES, type RpcLimits } from "./Limits.ts"
import { RpcErrorCode } from "./RpcError.ts"
import type { MethodContext, RpcNodeInfo } from "./internal/Methods.ts"
import { websocketEndpoint } from "./internal/Websocket.ts"

export type { RpcNodeInfo } from "./internal/Methods.ts"
export { COMET_VERSION } from "./internal/Methods.ts"

/** What the RPC server needs. */
export interface RpcServerOptions {
  /** `host:port` to listen on (port 0 picks a free port), e.g. "127.0.0.1:26657". */
  readonly address: string
  readonly app: AbciApplication
  readonly engine: ConsensusEngine
  readonly blockStore: BlockStore
  readonly nodeInfo: RpcNodeInfo
  /** The genesis document (JSON value), served by `genesis`. */
  readonly genesis: unknown
  /** broadcast_tx_commit wait in ms (default 10000, CometBFT's timeout_broadcast_tx_commit). */
  readonly commitTimeoutMs?: number
  /**
   * The chain's max_tx_bytes (mempool and auth limit; default 1 MiB): the default body limit is
   * derived from it so that the largest tx fits in a broadcast request (Limits.ts bodyBytesForTx).
   */
  readonly maxTxBytes?: number
  /** RPC limits; each one missing takes its default from `defaultRpcLimits(maxTxBytes)`. */
  readonly limits?: Partial<RpcLimits>
  /** Largest accepted request body in bytes: shorthand for `limits.maxBodyBytes`. */
  readonly maxBodyBytes?: number
  /** The latest block's commit when the engine keeps it (serves `commit` at the tip). */
  readonly latestCommit?: () => Commit | undefined
  /**
   * Origins allowed by CORS (CometBFT's `cors_allowed_origins`; `"*"` allows any). Default none:
   * no CORS headers, as CometBFT's default config. Browser wallets and dApps need it set.
   */
  readonly corsAllowedOrigins?: ReadonlyArray<string>
  /**
   * Extra HTTP routes served on this listener (the dashboard's `/ui`): called for each request
   * before the JSON-RPC handling; returns true when it took the request (and answers it itself).
   */
  readonly extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean
}

/** A running RPC server. */
export interface RpcServer {
  /** The bound `host:port` (the real port when 0 was asked). */
  readonly address: string
  /** `http://host:port`, for clients. */
  readonly url: string
  /** Stop accepting, end open connections, resolve when closed. Idempotent. */
  close(): Promise<void>
}

const splitAddress = (address: string): { host: string; port: number } => {
  const a = address.replace(/^tcp:\/\//, "")
  const i = a.lastIndexOf(":")
  if (i < 0) throw new Error(`rpc address must be host:port, got ${address}`)
  const port = Number(a.slice(i + 1))
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`rpc address has an invalid port: ${address}`)
  return { host: a.slice(0, i).replace(/^\[|\]$/g, ""), port }
}

const send = (res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}) => {
  sendText(res, status, json === undefined ? undefined : JSON.stringify(json), headers)
}

const sendText = (res: ServerResponse, status: number, text: string | undefined, headers: Record<string, string> = {}) => {
  const body = text ?? ""
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  res.end(body)
}

/**
 * The request body, or undefined as soon as it passes `max` bytes (what was read is dropped and
 * the stream left flowing, for the caller to answer and discard the rest).
 */
const readBody = (req: IncomingMessage, max: number): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > max) {
        chunks.length = 0
        req.off("data", onData)
        req.off("end", onEnd)
        req.off("error", reject)
        resolve(undefined)
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => resolve(Buffer.concat(chunks, size))
    req.on("data", onData)
    req.once("end", onEnd)
    req.once("error", reject)
  })

/** Bytes of an over-limit body read and thrown away so the client gets its error; past it, the socket is cut. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024

const endpointList = (): string => {
  const items = methodNames().map((m) => {
    const ps = methodParams(m)
    const q = ps.length === 0 ? "" : "?" + ps.map((p) => `${p}=_`).join("&")
    return `<a href="/${m}">/${m}${q}</a></br>`
  })
  return `<html><body><br>Available endpoints:<br>${items.join("\n")}</body></html>`
}

/** Start the RPC server; resolves once it listens. */
export const startRpcServer = (options: RpcServerOptions): Promise<RpcServer> => {
  const { host, port } = splitAddress(options.address)
  const limits: RpcLimits = {
    ...defaultRpcLimits(options.maxTxBytes ?? DEFAULT_MAX_TX_BYTES),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    ...options.limits
  }
  const maxBody = limits.maxBodyBytes
  const bodyTooLarge = (detail: string) =>
    limitError(RpcErrorCode.InvalidRequest, "request body", "max_body_bytes", maxBody, detail)
  /** Sockets accepted past max_open_connections: their requests get the limit's error, then close. */
  const overLimit = new WeakSet<object>()
  let open = 0
  let bound = options.address
  const ctx: MethodContext = {
    app: options.app,
    engine: options.engine,
    blockStore: options.blockStore,
    nodeInfo: options.nodeInfo,
    genesis: options.genesis,
    rpcAddress: () => `tcp://${bound}`,
    commitTimeoutMs: options.commitTimeoutMs ?? 10_000,
    latestCommit: options.latestCommit,
    maxResponseBytes: limits.maxResponseBytes
  }

  const cors = options.corsAllowedOrigins ?? []
  const allowOrigin = (origin: string | undefined): string | undefined =>
    origin === undefined || cors.length === 0 ? undefined : cors.includes("*") ? "*" : cors.includes(origin) ? origin : undefined

  /**
   * Read and drop the rest of a refused body (nothing kept; cut past MAX_DISCARD_BYTES), then
   * answer `json` and close: answering while the client still uploads would reset the connection
   * before it reads the error.
   */
  const refuseBody = (req: IncomingMessage, res: ServerResponse, status: number, json: unknown) => {
    let discarded = 0
    const onData = (chunk: Buffer) => {
      discarded += chunk.length
      if (discarded > MAX_DISCARD_BYTES) req.destroy()
    }
    req.on("data", onData)
    req.once("end", () => send(res, status, json, { connection: "close" }))
    req.resume()
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (overLimit.has(req.socket)) {
      refuseBody(req, res, 503, limitError(RpcErrorCode.InternalError, "open connections", "max_open_connections", limits.maxOpenConnections))
      return
    }
    if (options.extraRoutes?.(req, res) === true) return
    const url = new URL(req.url ?? "/", "http://localhost")
    const origin = allowOrigin(req.headers.origin)
    if (origin !== undefined) {
      res.setHeader("access-control-allow-origin", origin)
      if (origin !== "*") res.setHeader("vary", "Origin")
    }
    if (req.method === "OPTIONS" && origin !== undefined) {
      res.writeHead(204, {
        "access-control-allow-methods": "HEAD, GET, POST",
        "access-control-allow-headers": "Origin, Accept, Content-Type, X-Requested-With, X-Server-Time",
        "access-control-max-age": "600"
      })
      res.end()
      return
    }
    if (req.method === "GET" || req.method === "HEAD") {
      if (url.pathname === "/") {
        res.writeHead(200, { "content-type": "text/html" })
        res.end(endpointList())
        return
      }
      const out = await handleGet(ctx, url.pathname.slice(1), url.searchParams, limits)
      if (out === undefined) {
        res.writeHead(404, { "content-type": "text/plain" })
        res.end("404 page not found\n")
        return
      }
      sendText(res, out.status, out.body)
      return
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "GET, HEAD, POST" })
      res.end()
      return
    }
    if (url.pathname !== "/") {
      res.writeHead(404, { "content-type": "text/plain" })
      res.end("404 page not found\n")
      return
    }
    const declared = Number(req.headers["content-length"] ?? -1)
    if (declared > maxBody) {
      refuseBody(req, res, 413, bodyTooLarge(`content-length is ${declared}`))
      return
    }
    const raw = await readBody(req, maxBody)
    if (raw === undefined) {
      refuseBody(req, res, 413, bodyTooLarge(`body is more than ${maxBody} bytes`))
      return
    }
    const body = raw.toString("utf8")
    if (body.trim() === "") {
      res.writeHead(200, { "content-type": "text/html" })
      res.end(endpointList())
      return
    }
    const out = await handlePost(ctx, body, limits)
    sendText(res, out.status, out.body)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Dispatch never throws; this guards the transport itself (a socket gone mid-write).
      if (!res.headersSent) send(res, 500, { jsonrpc: "2.0", id: null, error: { code: -32603, message: "Internal error", data: String(e) } })
      else res.destroy()
    })
  })
  server.keepAliveTimeout = 5_000
  // A slow client holds a connection and its partial body only this long (Node's default is
  // 300 s): headers within 10 s, the whole request within 30 s (CometBFT reads with 10 s).
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  // GET /websocket with an upgrade: JSON-RPC over a websocket, with subscriptions (Websocket.ts).
  const ws = websocketEndpoint(ctx, limits, options.engine.events)
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
    }
    if (path !== "/websocket") return refuse("404 Not Found")
    if (overLimit.has(socket)) return refuse("503 Service Unavailable")
    ws.upgrade(req, socket, head)
  })
  server.on("connection", (socket) => {
    open++
    if (open > limits.maxOpenConnections) overLimit.add(socket)
    socket.once("close", () => open--)
  })

  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, host, () => {
      server.off("error", reject)
      const a = server.address() as AddressInfo
      bound = `${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`
      let closing: Promise<void> | undefined
      resolve({
        address: bound,
        url: `http://${bound}`,
        close: () => {
          closing ??= new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections()
            ws.close()
          })
          return closing
        }
      })
    })
  })
}

/**
 * The RPC server as a scoped resource: listening when acquired, closed when the scope closes.
 * Fails with the listen error (address in use, bad address).
 */
export const serveRpc = (options: RpcServerOptions): Effect.Effect<RpcServer, unknown, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise(() => startRpcServer(options)),
    (server) => Effect.promise(() => server.close())
  )
