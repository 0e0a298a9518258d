/**
 * JSON-RPC 2.0 dispatch over the method table: single calls, batches and notifications for
 * POST bodies, and URI calls for GET. Never throws: every failure becomes an error object.
 *
 * Source: cometbft v0.38 rpc/jsonrpc/server/http_json_handler.go, http_uri_handler.go,
 * JSON-RPC 2.0 specification (batches, notifications, error codes).
 */
import { TxQueryError } from "../../blockstore/TxQuery.ts"
import { InvalidParams, ResponseTooLarge, RpcErrorCode, RpcMethodError } from "../RpcError.ts"
import { clip, scanJson, type RpcLimits } from "../Limits.ts"
import type { Json } from "./Json.ts"
import { methods, type MethodContext } from "./Methods.ts"
import { argsFromJson, argsFromUri, type Args, type ParamSpec } from "./Params.ts"

/** A JSON-RPC request id (null for errors about no request in particular). */
export type Id = string | number | null

/** A JSON-RPC response object. */
export type RpcResponse =
  | { readonly jsonrpc: "2.0"; readonly id: Id; readonly result: Json }
  | { readonly jsonrpc: "2.0"; readonly id: Id; readonly error: { code: number; message: string; data?: string } }

/** Longest `data` of an error: details quote client input only clipped, this bounds the rest. */
const MAX_ERROR_DATA = 1024

const errorResponse = (id: Id, code: number, message: string, data?: string): RpcResponse =>
  ({ jsonrpc: "2.0", id, error: data === undefined || data === "" ? { code, message } : { code, message, data: clip(data, MAX_ERROR_DATA) } })

/** Longest string id answered (ids are echoed in replies, so bounded). */
const MAX_ID_CHARS = 256

/**
 * The error for a request refused by one of the RPC limits: the message names the limit and its
 * value (`batch exceeds max_batch_requests (100)`), the data says by how much; nothing of the
 * input is echoed. Exported for the transport (body size, connections).
 */
export const limitError = (code: number, what: string, limit: string, value: number, detail?: string): RpcResponse =>
  errorResponse(null, code, `${what} exceeds ${limit} (${value})`, detail)

/** A serialized reply: HTTP status and body (undefined: nothing to send). */
export interface Reply {
  readonly status: number
  readonly body: string | undefined
}

const serialize = (status: number, json: unknown): Reply => ({ status, body: json === undefined ? undefined : JSON.stringify(json) })

const tooLargeResponse = (limits: RpcLimits, detail: string): Reply =>
  serialize(500, limitError(RpcErrorCode.InternalError, "response", "max_response_bytes", limits.maxResponseBytes, detail))

const MESSAGES: Record<number, string> = {
  [RpcErrorCode.ParseError]: "Parse error. Invalid JSON",
  [RpcErrorCode.InvalidRequest]: "Invalid Request",
  [RpcErrorCode.MethodNotFound]: "Method not found",
  [RpcErrorCode.InvalidParams]: "Invalid params",
  [RpcErrorCode.InternalError]: "Internal error"
}

/** Map a thrown error to a JSON-RPC error response. */
const fromThrown = (id: Id, e: unknown): RpcResponse => {
  if (e instanceof ResponseTooLarge) return { ...limitError(RpcErrorCode.InternalError, "response", "max_response_bytes", e.limit, e.detail), id }
  if (e instanceof InvalidParams) return errorResponse(id, RpcErrorCode.InvalidParams, MESSAGES[RpcErrorCode.InvalidParams]!, e.message)
  if (e instanceof TxQueryError) return errorResponse(id, RpcErrorCode.InvalidParams, MESSAGES[RpcErrorCode.InvalidParams]!, `invalid param query: ${e.reason}`)
  if (e instanceof RpcMethodError) return errorResponse(id, RpcErrorCode.InternalError, MESSAGES[RpcErrorCode.InternalError]!, e.reason)
  const msg = e instanceof Error ? e.message : String(e)
  return errorResponse(id, RpcErrorCode.InternalError, MESSAGES[RpcErrorCode.InternalError]!, msg)
}

/**
 * Methods one websocket connection adds to the table (subscribe, unsubscribe, unsubscribe_all),
 * handed the request id (CometBFT sends a subscription's events with its subscribe id).
 */
export type ConnectionMethods = Readonly<Record<string, { readonly params: ReadonlyArray<ParamSpec>; readonly handler: (args: Args, id: Id) => Promise<Json> }>>

const call = async (ctx: MethodContext, id: Id, name: string, parse: (specs: ReadonlyArray<ParamSpec>) => Args, extra?: ConnectionMethods): Promise<RpcResponse> => {
  const own = extra !== undefined && Object.hasOwn(extra, name) ? extra[name] : undefined
  const m = own === undefined && Object.hasOwn(methods, name) ? methods[name] : undefined
  if (own === undefined && m === undefined) return errorResponse(id, RpcErrorCode.MethodNotFound, MESSAGES[RpcErrorCode.MethodNotFound]!)
  try {
    const args = parse(own?.params ?? m!.params)
    return { jsonrpc: "2.0", id, result: own !== undefined ? await own.handler(args, id) : await m!.handler(ctx, args) }
  } catch (e) {
    return fromThrown(id, e)
  }
}

const BROADCASTS = new Set(["broadcast_tx_sync", "broadcast_tx_async", "broadcast_tx_commit"])

/**
 * A batch runs its calls in order, so each broadcast would wait for its own signature check on a
 * verifier thread before the next begins. Hand every well-formed broadcast's tx to the engine's
 * preverify first (one round to the verifier threads for the whole batch); malformed items are
 * skipped here and answered by their own call as before.
 */
const preverifyBatch = async (ctx: MethodContext, batch: ReadonlyArray<unknown>): Promise<void> => {
  if (ctx.engine.preverify === undefined) return
  const txs: Uint8Array[] = []
  for (const req of batch) {
    if (typeof req !== "object" || req === null) continue
    const r = req as Record<string, unknown>
    if (r.jsonrpc !== "2.0" || r.id === undefined || r.id === null || typeof r.method !== "string" || !BROADCASTS.has(r.method)) continue
    try {
      const tx = argsFromJson(methods[r.method]!.params, r.params).tx
      if (tx instanceof Uint8Array && tx.length > 0) txs.push(tx)
    } catch {
      // answered by the call itself
    }
  }
  if (txs.length > 1) await ctx.engine.preverify(txs)
}

/** Handle one element of a POST body (or one websocket message); undefined for a notification (no reply). */
const handleOne = async (ctx: MethodContext, req: unknown, extra?: ConnectionMethods): Promise<RpcResponse | undefined> => {
  if (typeof req !== "object" || req === null || Array.isArray(req)) {
    return errorResponse(null, RpcErrorCode.InvalidRequest, MESSAGES[RpcErrorCode.InvalidRequest]!, "request must be a JSON object")
  }
  const r = req as Record<string, unknown>
  const rawId = r.id
  if (rawId !== undefined && rawId !== null && typeof rawId !== "string" && typeof rawId !== "number") {
    return errorResponse(null, RpcErrorCode.InvalidRequest, MESSAGES[RpcErrorCode.InvalidRequest]!, "id must be a string, a number or absent")
  }
  if (typeof rawId === "string" && rawId.length > MAX_ID_CHARS) {
    return errorResponse(null, RpcErrorCode.InvalidRequest, MESSAGES[RpcErrorCode.InvalidRequest]!, `id longer than ${MAX_ID_CHARS} characters`)
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
  return call(ctx, id, r.method, (specs) => argsFromJson(specs, params), extra)
}

/**
 * Handle one websocket message (one JSON-RPC request; CometBFT reads no batches there) with the
 * connection's own methods: the reply's JSON text, or undefined for a notification. The same
 * limits as POST: nesting checked before parsing, the reply bounded by max_response_bytes.
 */
export const handleSocketMessage = async (ctx: MethodContext, text: string, limits: RpcLimits, extra: ConnectionMethods): Promise<string | undefined> => {
  if (scanJson(text, limits.maxJsonDepth).tooDeep) {
    return JSON.stringify(limitError(RpcErrorCode.InvalidRequest, "JSON nesting", "max_json_depth", limits.maxJsonDepth))
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (e) {
    return JSON.stringify(errorResponse(null, RpcErrorCode.ParseError, MESSAGES[RpcErrorCode.ParseError]!, `error unmarshaling request: ${clip((e as Error).message, 160)}`))
  }
  if (Array.isArray(parsed)) {
    return JSON.stringify(errorResponse(null, RpcErrorCode.InvalidRequest, MESSAGES[RpcErrorCode.InvalidRequest]!, "batches are not served over the websocket: send one request per message"))
  }
  const r = await handleOne(ctx, parsed, extra)
  if (r === undefined) return undefined
  const out = JSON.stringify(r)
  if (Buffer.byteLength(out) > limits.maxResponseBytes) {
    return JSON.stringify({ ...limitError(RpcErrorCode.InternalError, "response", "max_response_bytes", limits.maxResponseBytes, "the reply"), id: "id" in r ? r.id : null })
  }
  return out
}

/**
 * Handle a POST body under `limits`: refuses a body nested deeper than max_json_depth or a batch
 * longer than max_batch_requests before parsing it (one scan, no recursion), runs the calls of a
 * batch in order and serializes each reply as it comes, stopping with an error as soon as the
 * replies pass max_response_bytes (so an oversized reply is never sent and a batch never built
 * past the limit).
 */
export const handlePost = async (ctx: MethodContext, body: string, limits: RpcLimits): Promise<Reply> => {
  const shape = scanJson(body, limits.maxJsonDepth)
  if (shape.tooDeep) {
    return serialize(400, limitError(RpcErrorCode.InvalidRequest, "JSON nesting", "max_json_depth", limits.maxJsonDepth))
  }
  if (shape.topLevelItems > limits.maxBatchRequests) {
    return serialize(400, limitError(RpcErrorCode.InvalidRequest, "batch", "max_batch_requests", limits.maxBatchRequests, `batch has ${shape.topLevelItems} requests`))
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (e) {
    // CometBFT answers a parse error with HTTP 500.
    return serialize(500, errorResponse(null, RpcErrorCode.ParseError, MESSAGES[RpcErrorCode.ParseError]!, `error unmarshaling request: ${clip((e as Error).message, 160)}`))
  }
  const max = limits.maxResponseBytes
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return serialize(200, errorResponse(null, RpcErrorCode.InvalidRequest, MESSAGES[RpcErrorCode.InvalidRequest]!, "empty batch"))
    if (parsed.length > limits.maxBatchRequests) {
      return serialize(400, limitError(RpcErrorCode.InvalidRequest, "batch", "max_batch_requests", limits.maxBatchRequests, `batch has ${parsed.length} requests`))
    }
    await preverifyBatch(ctx, parsed)
    const parts: string[] = []
    let size = 2
    for (let i = 0; i < parsed.length; i++) {
      const r = await handleOne(ctx, parsed[i])
      if (r === undefined) continue
      const text = JSON.stringify(r)
      size += Buffer.byteLength(text) + 1
      if (size > max) return tooLargeResponse(limits, `stopped at request ${i + 1} of ${parsed.length}`)
      parts.push(text)
    }
    return { status: 200, body: parts.length === 0 ? undefined : `[${parts.join(",")}]` }
  }
  const out = serialize(200, await handleOne(ctx, parsed))
  if (out.body !== undefined && Buffer.byteLength(out.body) > max) return tooLargeResponse(limits, "the reply")
  return out
}

/** The id CometBFT puts on URI (GET) responses. */
const URI_ID = -1

/**
 * Handle a GET `/method?params`; undefined when no such method (the server answers 404). A reply
 * over max_response_bytes is replaced by the limit's error.
 */
export const handleGet = async (ctx: MethodContext, name: string, query: URLSearchParams, limits: RpcLimits): Promise<Reply | undefined> => {
  if (!Object.hasOwn(methods, name)) return undefined
  const r = await call(ctx, URI_ID, name, (specs) => argsFromUri(specs, query))
  // As CometBFT: URI errors come with HTTP 500.
  const out = serialize("error" in r ? 500 : 200, r)
  if (out.body !== undefined && Buffer.byteLength(out.body) > limits.maxResponseBytes) return tooLargeResponse(limits, "the reply")
  return out
}

/** Served method names, sorted (for the endpoint list at GET /). */
export const methodNames = (): string[] => Object.keys(methods).sort()

/** Parameter names of a method (for the endpoint list). */
export const methodParams = (name: string): string[] => methods[name]?.params.map((p) => p.name) ?? []
