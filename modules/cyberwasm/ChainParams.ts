/**
 * The cyberwasm params that are chain state: what governance changes and every node must agree on.
 *
 * - `max_code_bytes`: the upload limit of MsgStoreCode (bytes). At most the node build's
 *   instrumentation ceiling (Params.limits.maxCodeBytes, the largest upload a tx can carry), so
 *   code stored under a higher limit always loads again; lowering it never touches stored code.
 * - `max_call_gas`: gas limit of one self-scheduled run or async delivery (paid from the reserve).
 *
 * Stored at key 0x0d (State.ts) as protobuf `{1 max_code_bytes: uint64, 2 max_call_gas: uint64}`,
 * the same message as MsgUpdateParams.params and Query/Params. Genesis JSON: `params:
 * {"max_code_bytes": "N", "max_call_gas": "N"}` (integers as decimal strings).
 *
 * Source: wasmd x/wasm/types/params.go (code upload params in state, MsgUpdateParams by the gov
 * authority); cosmos-sdk x/bank MsgUpdateParams (authority check, all fields at once).
 */
import { InvalidRequest } from "../../chain/ChainError.ts"
import type { KVStore } from "../../store/KVStore.ts"
import { ChainParamsProto, MsgUpdateParams, TypeUrl } from "./Messages.ts"

/** Governance-changeable params. */
export interface CyberWasmChainParams {
  /** Upload limit of MsgStoreCode, bytes, in [1, the node build's ceiling]. */
  readonly maxCodeBytes: number
  /** Gas limit of one scheduled run or async delivery, in [1, 2^53 - 1]. */
  readonly maxCallGas: bigint
}

/** Key of the stored params. */
export const PARAMS_KEY = Uint8Array.of(0x0d)

const bad = (log: string): never => {
  throw new InvalidRequest({ log: `cyberwasm params: ${log}` })
}

/** Check ranges; `ceiling` is the build's largest accepted code size. InvalidRequest naming the field. */
export const validateChainParams = (p: CyberWasmChainParams, ceiling: number): CyberWasmChainParams => {
  if (!Number.isSafeInteger(p.maxCodeBytes) || p.maxCodeBytes < 1 || p.maxCodeBytes > ceiling) {
    bad(`max_code_bytes must be in [1, ${ceiling}] (the largest upload a transaction can carry), got ${p.maxCodeBytes}`)
  }
  if (p.maxCallGas < 1n || p.maxCallGas > BigInt(Number.MAX_SAFE_INTEGER)) bad(`max_call_gas must be in [1, ${Number.MAX_SAFE_INTEGER}], got ${p.maxCallGas}`)
  return p
}

/** Protobuf bytes of the params. */
export const encodeChainParams = (p: CyberWasmChainParams): Uint8Array => ChainParamsProto.encode({ maxCodeBytes: BigInt(p.maxCodeBytes), maxCallGas: p.maxCallGas })

/** Decode params bytes (no range check). Values beyond 2^53 become an out-of-range number that validation refuses. */
export const decodeChainParams = (b: Uint8Array): CyberWasmChainParams => {
  const p = ChainParamsProto.decode(b)
  return { maxCodeBytes: p.maxCodeBytes > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER + 1 : Number(p.maxCodeBytes), maxCallGas: p.maxCallGas }
}

/** The stored params, or `defaults` on a chain whose state predates them. */
export const readChainParams = (store: KVStore, defaults: CyberWasmChainParams): CyberWasmChainParams => {
  const v = store.get(PARAMS_KEY)
  return v ? decodeChainParams(v) : defaults
}

/** Write the params. */
export const writeChainParams = (store: KVStore, p: CyberWasmChainParams): void => store.set(PARAMS_KEY, encodeChainParams(p))

const int = (v: unknown, what: string, fallback: bigint): bigint => {
  if (v === undefined) return fallback
  if ((typeof v === "string" || typeof v === "number") && /^[0-9]{1,20}$/.test(String(v))) return BigInt(v)
  return bad(`params.${what} must be a non-negative integer (decimal string), got ${String(v).slice(0, 80)}`)
}

/** Params from genesis JSON `{max_code_bytes, max_call_gas}`; missing fields from `defaults`. Validated. */
export const chainParamsFromJson = (v: unknown, defaults: CyberWasmChainParams, ceiling: number): CyberWasmChainParams => {
  if (v === undefined || v === null) return validateChainParams(defaults, ceiling)
  if (typeof v !== "object" || Array.isArray(v)) return bad("genesis params must be an object")
  const o = v as Record<string, unknown>
  const unknown = Object.keys(o).filter((k) => k !== "max_code_bytes" && k !== "max_call_gas").sort() // determinism-ok: sorted before it reaches the log
  if (unknown.length > 0) bad(`genesis params: unknown field "${unknown[0]!.slice(0, 40)}"`)
  const code = int(o["max_code_bytes"], "max_code_bytes", BigInt(defaults.maxCodeBytes))
  return validateChainParams({
    maxCodeBytes: code > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER + 1 : Number(code),
    maxCallGas: int(o["max_call_gas"], "max_call_gas", defaults.maxCallGas)
  }, ceiling)
}

/** Genesis JSON of the params. */
export const chainParamsToJson = (p: CyberWasmChainParams): { max_code_bytes: string; max_call_gas: string } => ({
  max_code_bytes: String(p.maxCodeBytes),
  max_call_gas: p.maxCallGas.toString()
})

/**
 * SDK-style JSON of MsgUpdateParams (proposal files): `{"@type", "authority", "params":
 * {"max_code_bytes": "N", "max_call_gas": "N"}}`, both fields required. Returns the message bytes;
 * InvalidRequest naming the field (ranges are checked when the message runs).
 */
export const updateParamsFromJSON = (json: Record<string, unknown>): Uint8Array => {
  if (typeof json.authority !== "string") bad(`field "authority" must be a string`)
  const p = json.params
  if (typeof p !== "object" || p === null || Array.isArray(p)) return bad("params must be an object")
  const o = p as Record<string, unknown>
  for (const k of ["max_code_bytes", "max_call_gas"]) if (o[k] === undefined) bad(`params.${k} is missing: MsgUpdateParams sets all params`)
  return MsgUpdateParams.encode({
    authority: json.authority as string,
    params: ChainParamsProto.encode({ maxCodeBytes: int(o["max_code_bytes"], "max_code_bytes", 0n), maxCallGas: int(o["max_call_gas"], "max_call_gas", 0n) })
  })
}

/** Inverse of {@link updateParamsFromJSON}. */
export const updateParamsToJSON = (value: Uint8Array): Record<string, unknown> => {
  const m = MsgUpdateParams.decode(value)
  const p = ChainParamsProto.decode(m.params)
  return { "@type": TypeUrl.updateParams, authority: m.authority, params: { max_code_bytes: p.maxCodeBytes.toString(), max_call_gas: p.maxCallGas.toString() } }
}
