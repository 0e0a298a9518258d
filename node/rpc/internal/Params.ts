/**
 * RPC parameter decoding, as CometBFT's jsonrpc server converts params to Go arguments:
 * - JSON-RPC (POST): params by name (object) or by position (array); `[]byte` params (tx, hash)
 *   are base64, HexBytes params (abci_query data) hex, integers as JSON numbers or decimal
 *   strings, missing params take their zero value (or stay unset for optional ones);
 * - URI (GET): `?name=value`, integers bare, strings quoted (`path="/store/bank/key"`), bytes
 *   as `0x`-hex or a quoted string (its UTF-8 bytes), booleans `true`/`false`.
 *
 * Source: cometbft v0.38 rpc/jsonrpc/server/http_params.go, http_uri_handler.go.
 */
import { fromHex, InvalidHex } from "../../../lib/Bytes.ts"
import { clip, ECHO_CHARS } from "../Limits.ts"
import { InvalidParams } from "../RpcError.ts"

/** A client value as quoted in an error: JSON, clipped (never the whole input). */
const show = (v: unknown): string =>
  typeof v !== "string" ? clip(String(JSON.stringify(v))) : v.length <= ECHO_CHARS ? JSON.stringify(v) : `${JSON.stringify(v.slice(0, ECHO_CHARS))}... (${v.length} chars)`

/** The Go type of one parameter. */
export type ParamKind = "string" | "bytes" | "hexbytes" | "int" | "bool"

/** One declared parameter. */
export interface ParamSpec {
  readonly name: string
  readonly kind: ParamKind
}

/** Decoded parameter values by name; a missing optional parameter is absent. */
export type Args = Record<string, string | Uint8Array | number | boolean | undefined>

const INT = /^-?[0-9]+$/
const B64 = /^[A-Za-z0-9+/]*={0,2}$/

const decodeInt = (name: string, v: unknown): number => {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v
  if (typeof v === "string" && INT.test(v) && Number.isSafeInteger(Number(v))) return Number(v)
  throw new InvalidParams({ param: name, reason: `expected an integer (number or decimal string), got ${show(v)}` })
}

/** Hex with an optional `0x` prefix (CometBFT accepts both), as InvalidParams when it is not hex. */
const decodeHex = (name: string, s: string): Uint8Array => {
  const body = s.startsWith("0x") || s.startsWith("0X") ? s.slice(2) : s
  try {
    return fromHex(body)
  } catch (e) {
    if (e instanceof InvalidHex) throw new InvalidParams({ param: name, reason: `expected hex bytes, got ${show(s)}` })
    throw e
  }
}

/** Decode one JSON-RPC param value to its declared kind. */
const fromJson = (spec: ParamSpec, v: unknown): string | Uint8Array | number | boolean | undefined => {
  if (v === null || v === undefined) return undefined
  switch (spec.kind) {
    case "int":
      return decodeInt(spec.name, v)
    case "bool":
      if (typeof v === "boolean") return v
      if (v === "true" || v === "false") return v === "true"
      throw new InvalidParams({ param: spec.name, reason: `expected a boolean, got ${show(v)}` })
    case "string":
      if (typeof v === "string") return v
      throw new InvalidParams({ param: spec.name, reason: `expected a string, got ${show(v)}` })
    case "hexbytes":
      if (typeof v === "string") return decodeHex(spec.name, v)
      throw new InvalidParams({ param: spec.name, reason: `expected a hex string, got ${show(v)}` })
    case "bytes":
      if (typeof v === "string" && B64.test(v) && v.length % 4 === 0) return Uint8Array.from(Buffer.from(v, "base64"))
      throw new InvalidParams({ param: spec.name, reason: `expected base64 bytes, got ${show(v)}` })
  }
}

/** Decode JSON-RPC params (object by name, array by position, or absent). */
export const argsFromJson = (specs: ReadonlyArray<ParamSpec>, params: unknown): Args => {
  const args: Args = {}
  if (params === undefined || params === null) return args
  if (Array.isArray(params)) {
    if (params.length > specs.length) {
      throw new InvalidParams({ param: "params", reason: `expected at most ${specs.length} parameters (${specs.map((s) => s.name).join(", ")}), got ${params.length}` })
    }
    params.forEach((v, i) => (args[specs[i]!.name] = fromJson(specs[i]!, v)))
    return args
  }
  if (typeof params !== "object") throw new InvalidParams({ param: "params", reason: "params must be an object or an array" })
  for (const spec of specs) args[spec.name] = fromJson(spec, (params as Record<string, unknown>)[spec.name])
  return args
}

/** Decode URI query params (GET). */
export const argsFromUri = (specs: ReadonlyArray<ParamSpec>, query: URLSearchParams): Args => {
  const args: Args = {}
  for (const spec of specs) {
    const raw = query.get(spec.name)
    if (raw === null || raw === "") continue
    const quoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')
    const unquote = (): string => {
      try {
        return JSON.parse(raw) as string
      } catch {
        throw new InvalidParams({ param: spec.name, reason: `malformed quoted string ${clip(raw)}` })
      }
    }
    switch (spec.kind) {
      case "int":
        args[spec.name] = decodeInt(spec.name, quoted ? unquote() : raw)
        break
      case "bool":
        if (raw !== "true" && raw !== "false") throw new InvalidParams({ param: spec.name, reason: `expected true or false, got ${clip(raw)}` })
        args[spec.name] = raw === "true"
        break
      case "string":
        if (/^0x/i.test(raw)) args[spec.name] = Buffer.from(decodeHex(spec.name, raw)).toString("utf8")
        else args[spec.name] = quoted ? unquote() : raw
        break
      case "bytes":
      case "hexbytes":
        if (/^0x/i.test(raw)) args[spec.name] = decodeHex(spec.name, raw)
        else if (quoted) args[spec.name] = new TextEncoder().encode(unquote())
        else if (spec.kind === "hexbytes") args[spec.name] = decodeHex(spec.name, raw)
        else throw new InvalidParams({ param: spec.name, reason: `expected 0x-prefixed hex or a "quoted string", got ${clip(raw)}` })
        break
    }
  }
  return args
}
