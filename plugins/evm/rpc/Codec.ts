/**
 * Ethereum JSON-RPC value encoding for the evm plugin's RPC service: the error type with the
 * standard codes, and the parsers and formatters of the wire's hex values (quantities, data,
 * addresses, 32-byte hashes) that name the offending parameter when they refuse one.
 *
 * Source: the Ethereum execution-apis spec (https://github.com/ethereum/execution-apis, "hex
 * encoding": quantities are 0x-prefixed, no leading zeros; data is 0x-prefixed, two hex digits per
 * byte), JSON-RPC 2.0 (error codes -32700..-32603), EIP-1474 (-32000 family, 3 for a revert).
 */

/** The JSON-RPC error codes this service answers with. */
export const RpcCode = {
  /** Body is not JSON. */
  ParseError: -32700,
  /** Not a JSON-RPC 2.0 request object (or a refused batch: empty, too long, body too large). */
  InvalidRequest: -32600,
  /** Unknown method. */
  MethodNotFound: -32601,
  /** A parameter is missing or malformed; the message names it. */
  InvalidParams: -32602,
  /** A bug or an unexpected backend failure. */
  Internal: -32603,
  /** Refused by the chain: CheckTx refused a raw tx, missing block state, a query error, a limit. */
  Server: -32000,
  /** The EVM reverted an eth_call / eth_estimateGas; data is the revert return data. */
  ExecutionReverted: 3
} as const

/** A JSON-RPC error to send back as `{ code, message, data? }`. */
export class EthRpcError extends Error {
  readonly code: number
  readonly data: unknown
  constructor(code: number, message: string, data?: unknown) {
    super(message)
    this.name = "EthRpcError"
    this.code = code
    this.data = data
  }
}

/** -32602 naming the parameter: `invalid params: <param>: <why>`. */
export const invalidParam = (param: string, why: string): EthRpcError =>
  new EthRpcError(RpcCode.InvalidParams, `invalid params: ${param}: ${why}`)

const HEX = /^0x[0-9a-fA-F]*$/
/** Longest client input quoted back in an error message. */
const ECHO = 66

/** A value as quoted in an error message (JSON, cut to 66 characters). */
export const echo = (v: unknown): string => {
  // JSON.stringify and String() both recurse into nested arrays: a deeply nested value overflows
  // the stack (RangeError) in either, so the last resort names only the value's kind.
  let s: string
  try {
    s = JSON.stringify(v) ?? String(v) // determinism-ok: RPC service, node plane
  } catch {
    try {
      s = String(v)
    } catch {
      s = Array.isArray(v) ? "an array (too deeply nested to quote)" : `a value of type ${typeof v}`
    }
  }
  return s.length > ECHO ? `${s.slice(0, ECHO)}...` : s
}

/** A quantity (`0x` hex, at most 64 hex digits; leading zeros tolerated) as a bigint. */
export const parseQuantity = (v: unknown, param: string): bigint => {
  if (typeof v !== "string" || !HEX.test(v) || v.length < 3 || v.length > 66) {
    throw invalidParam(param, `expected a 0x-prefixed hex quantity, got ${echo(v)}`)
  }
  return BigInt(v)
}

/** A quantity that fits a safe JS integer (block numbers, counts, indices). */
export const parseSmallQuantity = (v: unknown, param: string): number => {
  const n = parseQuantity(v, param)
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidParam(param, `value too large: ${echo(v)}`)
  return Number(n)
}

/** Byte data (`0x` + an even number of hex digits). */
export const parseData = (v: unknown, param: string): Uint8Array => {
  if (typeof v !== "string" || !HEX.test(v) || v.length % 2 !== 0) {
    throw invalidParam(param, `expected 0x-prefixed hex bytes, got ${echo(v)}`)
  }
  return Buffer.from(v.slice(2), "hex")
}

/** A 20-byte address, returned as lowercase `0x` hex. */
export const parseAddress = (v: unknown, param: string): string => {
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(v)) {
    throw invalidParam(param, `expected a 0x-prefixed 20-byte address, got ${echo(v)}`)
  }
  return v.toLowerCase()
}

/** A 32-byte hash, returned as lowercase `0x` hex. */
export const parseHash = (v: unknown, param: string): string => {
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(v)) {
    throw invalidParam(param, `expected a 0x-prefixed 32-byte hash, got ${echo(v)}`)
  }
  return v.toLowerCase()
}

/** A boolean parameter. */
export const parseBool = (v: unknown, param: string): boolean => {
  if (typeof v !== "boolean") throw invalidParam(param, `expected true or false, got ${echo(v)}`)
  return v
}

/** A quantity as wire hex (`0x0`, `0x1a`). */
export const qty = (n: bigint | number): string => `0x${n.toString(16)}`

/** Bytes as wire hex (lowercase, `0x` for none). */
export const hex = (b: Uint8Array): string => `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex")}`

/** Hex of a 32-byte value, left-padded with zeros (`0x` + 64 digits). */
export const hex32 = (b: Uint8Array): string => {
  const h = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex")
  return `0x${h.padStart(64, "0").slice(-64)}`
}

/** `0x` + 64 zeros. */
export const ZERO_HASH = `0x${"0".repeat(64)}`
/** `0x` + 40 zeros. */
export const ZERO_ADDRESS = `0x${"0".repeat(40)}`

/** A decimal string from a backend answer as a bigint; a malformed one is an internal error. */
export const decimal = (v: unknown, what: string): bigint => {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v !== "string" || !/^[0-9]+$/.test(v)) {
    throw new EthRpcError(RpcCode.Internal, `internal error: backend gave a malformed ${what}: ${echo(v)}`)
  }
  return BigInt(v)
}
