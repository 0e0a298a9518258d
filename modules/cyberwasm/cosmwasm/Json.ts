/**
 * The JSON a contract exchanges with the chain, as cosmwasm-std 2.x serialises it and wasmvm's
 * `types/` reads it: Env, MessageInfo, Response, SubMsg, CosmosMsg, Reply, QueryRequest and the
 * query results. Parsing is defensive: the bytes come from a contract, so every shape is checked
 * and a malformed one is InvalidMsg (code 10) naming the field.
 *
 * Source: cosmwasm-std 2.x (`results/{response,submessages,cosmos_msg}.rs`, `query/*.rs`),
 * wasmvm types/{env,msg,submessages,queries}.go.
 */
import { fromBase64 } from "@cosmjs/encoding"
import type { WasmAttribute, WasmEvent } from "./Events.ts"
import { InvalidMsg } from "./WasmdError.ts"

/** A coin as contracts see it: amount is a decimal string (Uint128). */
export interface Coin {
  readonly denom: string
  readonly amount: string
}

/** `reply_on` of a submessage. */
export type ReplyOn = "always" | "success" | "error" | "never"

/** A submessage (cosmwasm-std `SubMsg`). */
export interface SubMsg {
  readonly id: bigint
  readonly payload: Uint8Array
  readonly msg: Record<string, unknown>
  readonly gasLimit: bigint | undefined
  readonly replyOn: ReplyOn
}

/** A contract's successful response (cosmwasm-std `Response`). */
export interface ContractResponse {
  readonly messages: ReadonlyArray<SubMsg>
  readonly attributes: ReadonlyArray<WasmAttribute>
  readonly events: ReadonlyArray<WasmEvent>
  readonly data: Uint8Array | undefined
}

const enc = new TextEncoder()
const dec = new TextDecoder("utf-8", { fatal: true })

/** JSON text to bytes. */
export const jsonBytes = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v)) // determinism-ok: callers build objects in a fixed field order (wasmvm JSON)

/** Parse contract JSON bytes; InvalidMsg when they are not UTF-8 JSON. */
export const parseJson = (b: Uint8Array, what: string): unknown => {
  try {
    return JSON.parse(dec.decode(b))
  } catch (e) {
    throw new InvalidMsg({ log: `${what}: not valid JSON: ${(e as Error).message}` })
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** The object at `v`, InvalidMsg otherwise. */
export const object = (v: unknown, what: string): Record<string, unknown> => {
  if (!isObject(v)) throw new InvalidMsg({ log: `${what}: expected an object` })
  return v
}
/** The string at `v`, InvalidMsg otherwise. */
export const string = (v: unknown, what: string): string => {
  if (typeof v !== "string") throw new InvalidMsg({ log: `${what}: expected a string` })
  return v
}
/** An unsigned integer given as a JSON number or decimal string (u64 / Uint64). */
export const uint = (v: unknown, what: string): bigint => {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v === "string" && /^[0-9]{1,20}$/.test(v)) {
    const n = BigInt(v)
    if (n < 1n << 64n) return n
  }
  throw new InvalidMsg({ log: `${what}: expected an unsigned 64-bit integer` })
}
/** Base64 `Binary`; null/undefined is empty. */
export const binary = (v: unknown, what: string): Uint8Array => {
  if (v === null || v === undefined) return new Uint8Array()
  try {
    return fromBase64(string(v, what))
  } catch (e) {
    if (e instanceof InvalidMsg) throw e
    throw new InvalidMsg({ log: `${what}: invalid base64` })
  }
}
/** A list of coins (each amount a decimal string). */
export const coins = (v: unknown, what: string): Coin[] => {
  if (v === null || v === undefined) return []
  if (!Array.isArray(v)) throw new InvalidMsg({ log: `${what}: expected a list of coins` })
  return v.map((c, i) => {
    const o = object(c, `${what}[${i}]`)
    const amount = string(o.amount, `${what}[${i}].amount`)
    if (!/^[0-9]{1,39}$/.test(amount)) throw new InvalidMsg({ log: `${what}[${i}].amount: expected a decimal Uint128` })
    return { denom: string(o.denom, `${what}[${i}].denom`), amount: BigInt(amount).toString() }
  })
}
const attributes = (v: unknown, what: string): WasmAttribute[] => {
  if (v === null || v === undefined) return []
  if (!Array.isArray(v)) throw new InvalidMsg({ log: `${what}: expected a list` })
  return v.map((a, i) => {
    const o = object(a, `${what}[${i}]`)
    return { key: string(o.key, `${what}[${i}].key`), value: string(o.value, `${what}[${i}].value`) }
  })
}

const REPLY_ON: ReadonlySet<string> = new Set(["always", "success", "error", "never"])

/** Parse a contract's `Response`. */
export const parseResponse = (v: unknown): ContractResponse => {
  const o = object(v, "response")
  const messages = o.messages ?? []
  if (!Array.isArray(messages)) throw new InvalidMsg({ log: "response.messages: expected a list" })
  const events = o.events ?? []
  if (!Array.isArray(events)) throw new InvalidMsg({ log: "response.events: expected a list" })
  return {
    messages: messages.map((m, i) => {
      const s = object(m, `messages[${i}]`)
      const replyOn = string(s.reply_on, `messages[${i}].reply_on`)
      if (!REPLY_ON.has(replyOn)) throw new InvalidMsg({ log: `messages[${i}].reply_on: unknown value "${replyOn.slice(0, 40)}"` })
      return {
        id: uint(s.id ?? 0, `messages[${i}].id`),
        payload: binary(s.payload, `messages[${i}].payload`),
        msg: object(s.msg, `messages[${i}].msg`),
        gasLimit: s.gas_limit === null || s.gas_limit === undefined ? undefined : uint(s.gas_limit, `messages[${i}].gas_limit`),
        replyOn: replyOn as ReplyOn
      }
    }),
    attributes: attributes(o.attributes, "response.attributes"),
    events: events.map((e, i) => {
      const x = object(e, `events[${i}]`)
      return { type: string(x.type, `events[${i}].type`), attributes: attributes(x.attributes, `events[${i}].attributes`) }
    }),
    data: o.data === null || o.data === undefined ? undefined : binary(o.data, "response.data")
  }
}

/** The single variant of an externally tagged enum (`{"bank": {...}}`): [name, body]. */
export const variant = (v: unknown, what: string): readonly [string, unknown] => {
  const o = object(v, what)
  const keys = Object.keys(o) // determinism-ok: only the count and the single key are used
  if (keys.length !== 1) throw new InvalidMsg({ log: `${what}: expected exactly one variant, got ${keys.length}` })
  return [keys[0]!, o[keys[0]!]]
}

/** `ContractResult` bytes of a call: the `ok` value or the `error` text. */
export type ContractResult = { readonly ok: unknown } | { readonly error: string }
/** Parse `{"ok": …}` / `{"error": "…"}`. */
export const parseContractResult = (b: Uint8Array): ContractResult => {
  const o = object(parseJson(b, "contract result"), "contract result")
  if ("ok" in o) return { ok: o.ok }
  if (typeof o.error === "string") return { error: o.error }
  throw new InvalidMsg({ log: "contract result: expected {\"ok\": …} or {\"error\": …}" })
}
