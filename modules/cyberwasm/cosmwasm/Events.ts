/**
 * The events a contract's response turns into, and what they cost, as wasmd emits and charges
 * them: one `wasm` event per call with attributes (`_contract_address` first), one `wasm-<type>`
 * event per custom event; keys and values trimmed, empty keys, `_`-prefixed keys and types of two
 * characters or fewer refused (InvalidEvent, code 21).
 *
 * Gas (wasmd gas_register.go): attributes cost 10 each plus 1 per byte of key and value beyond a
 * 100-byte free tier shared by the whole response; each custom event costs 20 plus 1 per byte of
 * its type.
 *
 * Source: wasmd x/wasm/keeper/events.go, x/wasm/types/gas_register.go (EventCosts).
 */
import type { Event } from "cosmjs-types/tendermint/abci/types"
import { InvalidEvent } from "./WasmdError.ts"

/** A contract attribute (cosmwasm-std `Attribute`). */
export interface WasmAttribute {
  readonly key: string
  readonly value: string
}
/** A contract event (cosmwasm-std `Event`). */
export interface WasmEvent {
  readonly type: string
  readonly attributes: ReadonlyArray<WasmAttribute>
}

/** wasmd DefaultPerAttributeCost. */
export const PER_ATTRIBUTE_COST = 10n
/** wasmd DefaultPerCustomEventCost. */
export const PER_CUSTOM_EVENT_COST = 20n
/** wasmd DefaultEventAttributeDataCost (per byte). */
export const ATTRIBUTE_DATA_COST = 1n
/** wasmd DefaultEventAttributeDataFreeTier (bytes). */
export const ATTRIBUTE_FREE_TIER = 100n

const utf8Length = (s: string): bigint => BigInt(Buffer.byteLength(s, "utf8"))

const attributeCosts = (attrs: ReadonlyArray<WasmAttribute>, freeTier: bigint): [bigint, bigint] => {
  if (attrs.length === 0) return [0n, freeTier]
  let stored = 0n
  for (const a of attrs) stored += utf8Length(a.key) + utf8Length(a.value)
  if (stored <= freeTier) return [PER_ATTRIBUTE_COST * BigInt(attrs.length), freeTier - stored]
  return [ATTRIBUTE_DATA_COST * (stored - freeTier) + PER_ATTRIBUTE_COST * BigInt(attrs.length), 0n]
}

/** SDK gas of a response's attributes and custom events (wasmd EventCosts). */
export const eventCosts = (attrs: ReadonlyArray<WasmAttribute>, events: ReadonlyArray<WasmEvent>): bigint => {
  let [gas, free] = attributeCosts(attrs, ATTRIBUTE_FREE_TIER)
  for (const e of events) {
    gas += PER_CUSTOM_EVENT_COST + utf8Length(e.type) * ATTRIBUTE_DATA_COST
    const [cost, left] = attributeCosts(e.attributes, free)
    gas += cost
    free = left
  }
  return gas
}

/** A plain event with non-indexed attributes. */
export const event = (type: string, attrs: ReadonlyArray<readonly [string, string]>): Event => ({
  type,
  attributes: attrs.map(([key, value]) => ({ key, value, index: true }))
})

const contractAttributes = (attrs: ReadonlyArray<WasmAttribute>, contract: string): Array<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = [["_contract_address", contract]]
  for (const a of attrs) {
    const key = a.key.trim()
    if (key.length === 0) throw new InvalidEvent({ log: `Empty attribute key. Value: ${a.value}: invalid event` })
    if (key.startsWith("_")) throw new InvalidEvent({ log: `Attribute key starts with reserved prefix _: '${key}': invalid event` })
    out.push([key, a.value.trim()])
  }
  return out
}

/** The `wasm` event of a response's attributes (none when there are none). */
export const wasmModuleEvents = (attrs: ReadonlyArray<WasmAttribute>, contract: string): Event[] =>
  attrs.length === 0 ? [] : [event("wasm", contractAttributes(attrs, contract))]

/** The `wasm-<type>` events of a response's custom events. */
export const customEvents = (events: ReadonlyArray<WasmEvent>, contract: string): Event[] =>
  events.map((e) => {
    const type = e.type.trim()
    if (type.length <= 2) throw new InvalidEvent({ log: `Event type too short: '${type}': invalid event` })
    return event(`wasm-${type}`, contractAttributes(e.attributes, contract))
  })
