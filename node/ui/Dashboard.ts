/**
 * The node dashboard on the RPC listener: `GET /ui` serves the single-page app bundled by
 * ui/build.ts into ui/dist (index.html and its assets), `GET /ui/api/<name>` answers the
 * read-only JSON routes of node/ui/api. Plugged into the RPC server through its `extraRoutes`
 * option (node/rpc/RpcServer.ts); switched by `[rpc] dashboard` in config.toml. docs/dashboard.md.
 *
 * Static files: the names in ui/dist are read once at start into memory; a request is looked up
 * by exact name in that table, so no path from a request ever reaches the file system (no
 * traversal through `..`, encoded dots or symlinks). Only GET and HEAD; no CORS headers.
 */
import { lstatSync, readdirSync, readFileSync } from "node:fs"
import type { IncomingMessage, ServerResponse } from "node:http"
import { join } from "node:path"
import { ApiError, apiRoutes, type ApiContext, type ApiRoute } from "./api/index.ts"

/** Longest request target (path and query) the dashboard reads; longer ones get 414. */
export const MAX_TARGET_CHARS = 4096
/** Largest dist file kept in memory; a larger one is refused at start (the bundle is far smaller). */
const MAX_ASSET_BYTES = 16 * 1024 * 1024
/** Most query parameters on an API request. */
export const MAX_QUERY_PARAMS = 16

/** Where ui/build.ts writes the bundle. */
export const DEFAULT_DIST_DIR = new URL("../../ui/dist", import.meta.url).pathname

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8"
}

interface Asset { readonly body: Buffer; readonly type: string }

/** Options of {@link makeDashboard}. */
export interface DashboardOptions {
  readonly context: ApiContext
  /** Folder of the built app (default ui/dist). */
  readonly distDir?: string
  /** Route table (default node/ui/api/index.ts apiRoutes); tests pass their own. */
  readonly routes?: ReadonlyArray<ApiRoute>
}

/** The dashboard as an RPC `extraRoutes` handler, and whether its bundle was found. */
export interface Dashboard {
  /** Takes requests under `/ui` (answers them; returns true), leaves the rest (returns false). */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => boolean
  /** False when ui/dist has no index.html: `/ui` then answers 503 saying how to build it. */
  readonly built: boolean
}

/** Every regular file (not a symlink) directly in `dir` (the bundle is flat), by name. Missing dir: empty. */
const loadAssets = (dir: string): Map<string, Asset> => {
  const out = new Map<string, Asset>()
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return out
  }
  for (const name of names) {
    const dot = name.lastIndexOf(".")
    const type = dot < 0 ? undefined : CONTENT_TYPES[name.slice(dot)]
    if (type === undefined || !/^[A-Za-z0-9._-]+$/.test(name)) continue
    const path = join(dir, name)
    // lstat: a symlink in dist (to anywhere) is never served
    const st = lstatSync(path)
    if (!st.isFile() || st.size > MAX_ASSET_BYTES) continue
    out.set(name, { body: readFileSync(path), type })
  }
  return out
}

const sendJson = (res: ServerResponse, status: number, value: unknown, head: boolean) => {
  const body = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v))
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "cache-control": "no-store", "x-content-type-options": "nosniff" })
  res.end(head ? undefined : body)
}

const sendError = (res: ServerResponse, e: ApiError, head: boolean) =>
  sendJson(res, e.status, { error: { code: e.code, message: e.message, ...(e.param === undefined ? {} : { param: e.param }) } }, head)

/** Check `query` against the route's parameter specs; returns the values or throws ApiError. */
export const validateParams = (route: ApiRoute, query: URLSearchParams): Record<string, string> => {
  const out: Record<string, string> = {}
  let count = 0
  for (const [key, value] of query) {
    if (++count > MAX_QUERY_PARAMS) throw new ApiError({ code: "BadParam", status: 400, message: `more than ${MAX_QUERY_PARAMS} query parameters` })
    const spec = route.params[key]
    if (spec === undefined) {
      const known = Object.keys(route.params)
      throw new ApiError({ code: "UnknownParam", status: 400, param: key.slice(0, 64), message: `route ${route.name} takes no parameter "${key.slice(0, 64)}"${known.length ? ` (it takes: ${known.join(", ")})` : ""}` })
    }
    if (key in out) throw new ApiError({ code: "BadParam", status: 400, param: key, message: `parameter ${key} is given twice` })
    if (value.length > spec.maxLength) throw new ApiError({ code: "BadParam", status: 400, param: key, message: `parameter ${key} is ${value.length} characters; at most ${spec.maxLength}` })
    if (!spec.pattern.test(value)) throw new ApiError({ code: "BadParam", status: 400, param: key, message: `parameter ${key} must be ${spec.expected}` })
    out[key] = value
  }
  for (const [key, spec] of Object.entries(route.params)) {
    if (spec.required === true && !(key in out)) throw new ApiError({ code: "MissingParam", status: 400, param: key, message: `parameter ${key} is required: ${spec.expected}` })
  }
  return out
}

const NOT_BUILT = "dashboard not built: run `npm install` (or `npx node ui/build.ts`) to bundle ui/ into ui/dist\n"

/** Build the dashboard handler (reads ui/dist once). */
export const makeDashboard = (options: DashboardOptions): Dashboard => {
  const assets = loadAssets(options.distDir ?? DEFAULT_DIST_DIR)
  const routes = new Map((options.routes ?? apiRoutes).map((r) => [r.name, r]))
  const index = assets.get("index.html")

  const api = async (name: string, query: URLSearchParams, res: ServerResponse, head: boolean) => {
    try {
      const route = routes.get(name)
      if (route === undefined) throw new ApiError({ code: "UnknownRoute", status: 404, message: `no dashboard API route "${name.slice(0, 64)}" (routes: ${[...routes.keys()].join(", ")})` })
      const params = validateParams(route, query)
      sendJson(res, 200, await route.handle(options.context, params), head)
    } catch (e) {
      if (e instanceof ApiError) sendError(res, e, head)
      else sendJson(res, 500, { error: { code: "Internal", message: e instanceof Error ? e.message : String(e) } }, head)
    }
  }

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const target = req.url ?? "/"
    if (!(target === "/ui" || target.startsWith("/ui/") || target.startsWith("/ui?"))) return false
    const head = req.method === "HEAD"
    if (req.method !== "GET" && !head) {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" })
      res.end("405 method not allowed: the dashboard is read-only\n")
      return true
    }
    if (target.length > MAX_TARGET_CHARS) {
      sendError(res, new ApiError({ code: "QueryTooLong", status: 414, message: `request target is ${target.length} characters; at most ${MAX_TARGET_CHARS}` }), head)
      return true
    }
    const q = target.indexOf("?")
    const path = q < 0 ? target : target.slice(0, q)
    const query = new URLSearchParams(q < 0 ? "" : target.slice(q + 1))
    if (path.startsWith("/ui/api/")) {
      void api(path.slice("/ui/api/".length), query, res, head)
      return true
    }
    const name = path === "/ui" || path === "/ui/" ? "index.html" : path.slice("/ui/".length)
    if (index === undefined) {
      res.writeHead(503, { "content-type": "text/plain; charset=utf-8" })
      res.end(head ? undefined : NOT_BUILT)
      return true
    }
    const asset = assets.get(name)
    if (asset === undefined) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" })
      res.end(head ? undefined : "404 page not found\n")
      return true
    }
    res.writeHead(200, {
      "content-type": asset.type,
      "content-length": asset.body.length,
      "x-content-type-options": "nosniff",
      "cache-control": name === "index.html" ? "no-cache" : "max-age=60",
      ...(name === "index.html" ? { "content-security-policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:" } : {})
    })
    res.end(head ? undefined : asset.body)
    return true
  }

  return { handle, built: index !== undefined }
}
