/**
 * Errors of the RPC server, each mapping to a JSON-RPC 2.0 error object as CometBFT v0.38
 * writes it (`{code, message, data}`; `data` carries the detail).
 *
 * Source: cometbft v0.38 rpc/jsonrpc/types/types.go (RPCParseError ... RPCInternalError).
 */
import { Data } from "effect"

export { TxQueryError } from "../blockstore/TxQuery.ts"

/** JSON-RPC error codes (JSON-RPC 2.0 spec, as CometBFT uses them). */
export const RpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603
} as const

/** A parameter is missing, of the wrong type or malformed; `param` names it. Code -32602. */
export class InvalidParams extends Data.TaggedError("InvalidParams")<{ readonly param: string; readonly reason: string }> {
  override get message(): string {
    return `invalid param ${this.param}: ${this.reason}`
  }
}

/**
 * A well-formed call the node cannot answer (height out of range, tx not found, timeout,
 * unsupported option). Code -32603 ("Internal error") with the detail in `data`, as CometBFT.
 */
export class RpcMethodError extends Data.TaggedError("RpcMethodError")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

/**
 * A reply would pass max_response_bytes: thrown by a handler while it builds the reply (before
 * the whole reply exists), answered as the limit's error (code -32603).
 */
export class ResponseTooLarge extends Data.TaggedError("ResponseTooLarge")<{ readonly limit: number; readonly detail: string }> {
  override get message(): string {
    return `response exceeds max_response_bytes (${this.limit})`
  }
}
