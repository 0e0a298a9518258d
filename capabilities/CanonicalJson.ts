/**
 * Canonical JSON for capability params: the JSON Canonicalization Scheme (RFC 8785, JCS) for the
 * values capabilities use: object keys sorted by UTF-16 code units, no whitespace, strings and
 * numbers serialized as ECMAScript's JSON.stringify does (which is what JCS specifies for finite
 * numbers). Two params are the same capability exactly when their canonical strings are equal.
 *
 * No JCS package is among the project's dependencies; this is the 30-line subset we need.
 */
import { Data } from "effect"

/** A JSON value. */
export type JsonValue = null | boolean | number | string | ReadonlyArray<JsonValue> | { readonly [k: string]: JsonValue }

/** Params that are not valid JSON, or hold a value JSON cannot carry (NaN, Infinity, undefined). */
export class InvalidParams extends Data.TaggedError("InvalidParams")<{ readonly params: string; readonly reason: string }> {
  override get message(): string {
    return `invalid capability params ${JSON.stringify(this.params)}: ${this.reason}`
  }
}

const write = (v: unknown, path: string): string => {
  if (v === null) return "null"
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false"
    case "string":
      return JSON.stringify(v)
    case "number":
      if (!Number.isFinite(v)) throw new InvalidParams({ params: String(v), reason: `non-finite number at ${path}` })
      return JSON.stringify(v)
    case "object": {
      if (Array.isArray(v)) return `[${v.map((x, i) => write(x, `${path}[${i}]`)).join(",")}]`
      const keys = Object.keys(v as object).sort()
      const parts: string[] = []
      for (const k of keys) {
        const x = (v as Record<string, unknown>)[k]
        if (x === undefined) continue
        parts.push(`${JSON.stringify(k)}:${write(x, `${path}.${k}`)}`)
      }
      return `{${parts.join(",")}}`
    }
    default:
      throw new InvalidParams({ params: String(v), reason: `${typeof v} at ${path} is not JSON` })
  }
}

/** The canonical JSON text of a value (throws InvalidParams for non-JSON values). */
export const canonicalJson = (value: JsonValue): string => write(value, "$")

/** Re-canonicalize a JSON text (throws InvalidParams when it does not parse). */
export const canonicalizeJsonText = (text: string): string => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (e) {
    throw new InvalidParams({ params: text, reason: `not JSON (${(e as Error).message})` })
  }
  return write(parsed, "$")
}

/** True when `text` is already canonical JSON. */
export const isCanonicalJson = (text: string): boolean => {
  try {
    return canonicalizeJsonText(text) === text
  } catch {
    return false
  }
}
