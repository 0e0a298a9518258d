/**
 * The node's CometBFT-compatible RPC server: CometBFT v0.38's JSON-RPC subset over HTTP POST
 * (JSON-RPC 2.0, batches included) and URI GET (`/status`, `/abci_query?path="..."&data=0x..`),
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
import { Effect, type Scope } from "effect"
import type { Commit } from "cosmjs-types/tendermint/types/types"
import type { AbciApplication } from "../../chain/Abci.ts"
import type { BlockStore } from "../../chain/BlockStore.ts"
import type { ConsensusEngine } from "../../modules/consensus/Consensus.ts"
import { handleGet, handlePost, methodNames, methodParams } from "./internal/Dispatch.ts"
import type { MethodContext, RpcNodeInfo } from "./internal/Methods.ts"

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
  /** Largest accepted request body in bytes (default 1000000, CometBFT's max_body_bytes). */
  readonly maxBodyBytes?: number
  /** The latest block's commit when the engine keeps it (serves `commit` at the tip). */
  readonly latestCommit?: () => Commit | undefined
  /**
   * Origins allowed by CORS (CometBFT's `cors_allowed_origins`; `"*"` allows any). Default none:
   * no CORS headers, as CometBFT's default config. Browser wallets and dApps need it set.
   */
  readonly corsAllowedOrigins?: ReadonlyArray<string>
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

const send = (res: ServerResponse, status: number, json: unknown) => {
  const body = json === undefined ? "" : JSON.stringify(json)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  res.end(body)
}

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
  const maxBody = options.maxBodyBytes ?? 1_000_000
  let bound = options.address
  const ctx: MethodContext = {
    app: options.app,
    engine: options.engine,
    blockStore: options.blockStore,
    nodeInfo: options.nodeInfo,
    genesis: options.genesis,
    rpcAddress: () => `tcp://${bound}`,
    commitTimeoutMs: options.commitTimeoutMs ?? 10_000,
    latestCommit: options.latestCommit
  }

  const cors = options.corsAllowedOrigins ?? []
  const allowOrigin = (origin: string | undefined): string | undefined =>
    origin === undefined || cors.length === 0 ? undefined : cors.includes("*") ? "*" : cors.includes(origin) ? origin : undefined

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
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
      const out = await handleGet(ctx, url.pathname.slice(1), url.searchParams)
      if (out === undefined) {
        res.writeHead(404, { "content-type": "text/plain" })
        res.end("404 page not found\n")
        return
      }
      send(res, out.status, out.json)
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
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > maxBody) {
        send(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid Request", data: `error reading request body: body larger than ${maxBody} bytes` } })
        req.destroy()
        return
      }
      chunks.push(chunk as Buffer)
    }
    const body = Buffer.concat(chunks).toString("utf8")
    if (body.trim() === "") {
      res.writeHead(200, { "content-type": "text/html" })
      res.end(endpointList())
      return
    }
    const out = await handlePost(ctx, body)
    send(res, out.status, out.json)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Dispatch never throws; this guards the transport itself (a socket gone mid-write).
      if (!res.headersSent) send(res, 500, { jsonrpc: "2.0", id: null, error: { code: -32603, message: "Internal error", data: String(e) } })
      else res.destroy()
    })
  })
  server.keepAliveTimeout = 5_000

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
