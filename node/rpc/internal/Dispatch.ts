/**
 * JSON-RPC 2.0 dispatch over the method table: single calls, batches and notifications for
 * POST bodies, and URI calls for GET. Never throws: every failure becomes an error object.
 *
 * Source: cometbft v0.38 rpc/jsonrpc/server/http_json_handler.go, http_uri_handler.go,
 * JSON-RPC 2.0 specification (batches, notifications, error codes).
 */
import { TxQueryError } from "../../blockstore/TxQuery.ts"
import { InvalidParams, RpcErrorCode, RpcMethodError } from "../RpcError.ts"
import type { Json } from "./Json.ts"
import { methods, type MethodContext } from "./Methods.ts"
import { argsFromJson, argsFromUri, type Args } from "./Params.ts"

type Id = string | number | null

/** A JSON-RPC response object. */
export type RpcResponse =
  | { readonly jsonrpc: "2.0"; readonly id: Id; readonly result: Json }
  | { readonly jsonrpc: "2.0"; readonly id: Id; readonly error: { code: number; message: string; data?: string } }

const errorResponse = (id: Id, code: number, message: string, data?: string): RpcResponse =>
  ({ jsonrpc: "2.0", id, error: data === undefined || data === "" ? { code, message } : { code, message, data } })

const MESSAGES: Record<number, string> = {
  [RpcErrorCode.ParseError]: "Parse error. Invalid JSON",
  [RpcErrorCode.InvalidRequest]: "Invalid Request",
  [RpcErrorCode.MethodNotFound]: "Method not found",
  [RpcErrorCode.InvalidParams]: "Invalid params",
  [RpcErrorCode.InternalError]: "Internal error"
}

/** Map a thrown error to a JSON-RPC error response. */
const fromThrown = (id: Id, e: unknown): RpcResponse => {
  if (e instanceof InvalidParams) return errorResponse(id, RpcErrorCode.InvalidParams, MESSAGES[RpcErrorCode.InvalidParams]!, e.message)
  if (e instanceof TxQueryError) return errorResponse(id, RpcErrorCode.InvalidParams, MESSAGES[RpcErrorCode.InvalidParams]!, `invalid param query: ${e.reason}`)
  if (e instanceof RpcMethodError) return errorResponse(id, RpcErrorCode.InternalError, MESSAGES[RpcErrorCode.InternalError]!, e.reason)
  const msg = e instanceof Error ? e.message : String(e)
  return errorResponse(id, RpcErrorCode.InternalError, MESSAGES[RpcErrorCode.InternalError]!, msg)
}

const call = async (ctx: MethodContext, id: Id, name: string, parse: (specs: typeof methods[string]["params"]) => Args): Promise<RpcResponse> => {
  const m = Object.hasOwn(methods, name) ? methods[name] : undefined
  if (m === undefined) return errorResponse(id, RpcErrorCode.MethodNotFound, MESSAGES[RpcErrorCode.MethodNotFound]!)
  try {
    const args = parse(m.params)
    return { jsonrpc: "2.0", id, result: await m.handler(ctx, args) }
  } catch (e) {
    return fromThrown(id, e)
  }
}

/** Handle one element of a POST body; undefined for a notification (no reply). */
const handleOne = async (ctx: MethodContext, req: unknown): Promise<RpcResponse | undefined> => {
  if (typeof req !== "object" || req === null || Array.isArray(req)) {
    return errorResponse(null, RpcErrorCode.InvalidRequest, MESSAGES[RpcErrorCode.InvalidRequest]!, "request must be a JSON object")
  }
  const r = req as Record<string, unknown>
  const rawId = r.id
  if (rawId !== undefined && rawId !== null && typeof rawId !== "string" && typeof rawId !== "number") {
    return errorResponse(null, RpcErrorCode.InvalidRequest, MESSAGES[RpcErrorCode.InvalidRequest]!, "id must be a string, a number or absent")
  }
  const id: Id = (rawId as Id | undefined) ?? null
  const notification = rawId === undefined || rawId === null
  if (r.jsonrpc !== "2.0") {
    return notification ? undefined : errorResponse(id, RpcErrorCode.InvalidRequest, MESSAGES[RpcErrorCode.InvalidRequest]!, `jsonrpc must be "2.0"`)
  }
  if (typeof r.method !== "string") {
    return notification ? undefined : errorResponse(id, RpcErrorCode.InvalidRequest, MESSAGES[RpcErrorCode.InvalidRequest]!, "method must be a string")
  }
  // As CometBFT: a notification is not executed at all.
  if (notification) return undefined
  const params = r.params
  if (params !== undefined && params !== null && typeof params !== "object") {
    return errorResponse(id, RpcErrorCode.InvalidParams, MESSAGES[RpcErrorCode.InvalidParams]!, "invalid param params: must be an object or an array")
  }
  return call(ctx, id, r.method, (specs) => argsFromJson(specs, params))
}

/**
 * Handle a POST body. Returns the HTTP status and the response JSON (undefined: nothing to
 * send, all notifications).
 */
export const handlePost = async (ctx: MethodContext, body: string): Promise<{ status: number; json: unknown }> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (e) {
    // CometBFT answers a parse error with HTTP 500.
    return { status: 500, json: errorResponse(null, RpcErrorCode.ParseError, MESSAGES[RpcErrorCode.ParseError]!, `error unmarshaling request: ${(e as Error).message}`) }
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return { status: 200, json: errorResponse(null, RpcErrorCode.InvalidRequest, MESSAGES[RpcErrorCode.InvalidRequest]!, "empty batch") }
    const out: RpcResponse[] = []
    for (const req of parsed) {
      const r = await handleOne(ctx, req)
      if (r !== undefined) out.push(r)
    }
    return { status: 200, json: out.length === 0 ? undefined : out }
  }
  return { status: 200, json: await handleOne(ctx, parsed) }
}

/** The id CometBFT puts on URI (GET) responses. */
const URI_ID = -1

/** Handle a GET `/method?params`; undefined when no such method (the server answers 404). */
export const handleGet = async (ctx: MethodContext, name: string, query: URLSearchParams): Promise<{ status: number; json: RpcResponse } | undefined> => {
  if (!Object.hasOwn(methods, name)) return undefined
  const r = await call(ctx, URI_ID, name, (specs) => argsFromUri(specs, query))
  // As CometBFT: URI errors come with HTTP 500.
  return { status: "error" in r ? 500 : 200, json: r }
}

/** Served method names, sorted (for the endpoint list at GET /). */
export const methodNames = (): string[] => Object.keys(methods).sort()

/** Parameter names of a method (for the endpoint list). */
export const methodParams = (name: string): string[] => methods[name]?.params.map((p) => p.name) ?? []
