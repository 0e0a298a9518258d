/**
 * Proto JSON for the IBC CLI's output, as ibc-go's CLI prints query responses: snake_case field
 * names, 64-bit integers and enums as strings, bytes as base64, and an Any as `{"@type": url,
 * ...fields}` when its type is known (07-tendermint client and consensus states), else with its
 * value in base64. Built on cosmjs-types' `toJSON` (camelCase) by renaming keys.
 *
 * Source: cosmos-sdk codec ProtoMarshalJSON (OrigName), gogoproto jsonpb Any resolution.
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import { ClientState, ConsensusState } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"

const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())

/** Rename camelCase keys to snake_case, recursively. */
export const snakeKeys = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(snakeKeys)
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [snake(k), snakeKeys(x)]))
  return v
}

const KNOWN: Record<string, { decode(b: Uint8Array): unknown; toJSON(m: never): unknown }> = {
  "/ibc.lightclients.tendermint.v1.ClientState": ClientState as never,
  "/ibc.lightclients.tendermint.v1.ConsensusState": ConsensusState as never
}

/** An Any as proto JSON: the decoded message under `@type` when known, else `{"@type", "value": base64}`. */
export const anyJson = (a: Any | undefined): unknown => {
  if (!a) return null
  const codec = KNOWN[a.typeUrl]
  if (!codec) return { "@type": a.typeUrl, value: Buffer.from(a.value).toString("base64") }
  try {
    return { "@type": a.typeUrl, ...(snakeKeys(codec.toJSON(codec.decode(a.value) as never)) as object) }
  } catch {
    return { "@type": a.typeUrl, value: Buffer.from(a.value).toString("base64") }
  }
}
