/**
 * Transaction messages, responses and queries of the cyberwasm machine: protobuf messages under
 * `cyber.cyberwasm.v1` (field numbers below are the wire contract), encoded with cosmjs-types'
 * BinaryWriter/BinaryReader. Shaped after wasmd's cosmwasm.wasm.v1 (MsgStoreCode,
 * MsgInstantiateContract, MsgExecuteContract, MsgMigrateContract) with CyberWasm's deposit.
 *
 *   MsgStoreCode    { 1 sender: string, 2 wasm_byte_code: bytes }        -> { 1 code_hash: bytes }
 *   MsgInstantiate  { 1 sender, 2 code_hash: bytes, 3 admin: string, 4 input: bytes, 5 reserve: uint64, 6 label: string,
 *                     7 address: string (optional: redeploy to this evicted program's address; admin or creator only) }
 *                                                                          -> { 1 address: string, 2 data: bytes }
 *   MsgExecute      { 1 sender, 2 program: string, 3 input: bytes }        -> { 1 data: bytes }
 *   MsgDeposit      { 1 sender, 2 program: string, 3 amount: uint64 }      -> { 1 reserve: uint64 }
 *   MsgUpgrade      { 1 sender, 2 program: string, 3 code_hash: bytes, 4 input: bytes } -> { 1 data: bytes }
 *   Query/Program   { 1 address }  -> ProgramInfo (State.ts encoding)
 *   Query/Reserve   { 1 address }  -> { 1 reserve: uint64, 2 burn_rate: uint64, 3 status: string }
 *   Query/Schedule  { 1 address }  -> { repeated 1 entry: { 1 id, 2 height, 3 every, 4 input } }
 *   Query/Page      { 1 address, 2 page: uint32 } -> { 1 data: bytes (empty = zero page), 2 pages: uint32, 3 memory_root: bytes }
 *   Query/Dispatch  { 1 address, 2 input: bytes } -> { 1 data: bytes }   (read-only, nothing persisted)
 *   Query/Code      { 1 code_hash } -> { 1 wasm_byte_code: bytes }
 *   MsgUpdateParams { 1 authority: string (the gov module account), 2 params: Params } -> {}
 *   Query/Params    {} -> { 1 params: Params }
 *   Query/Programs  { 1 pagination: cosmos.base.query.v1beta1.PageRequest }
 *                     -> { repeated 1 programs: ProgramInfo, 2 pagination: PageResponse }   (Programs.ts)
 *   Params          { 1 max_code_bytes: uint64, 2 max_call_gas: uint64 }   (ChainParams.ts)
 *
 * A nested message field is carried as `bytes` here: the same wire (length-delimited) as the
 * embedded message.
 *
 * Amounts are uint64 base units of the fee denom; reserve is gas units.
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { TxDecodeError } from "../../chain/ChainError.ts"

/** Type URLs of the transaction messages. */
export const TypeUrl = {
  storeCode: "/cyber.cyberwasm.v1.MsgStoreCode",
  instantiate: "/cyber.cyberwasm.v1.MsgInstantiate",
  execute: "/cyber.cyberwasm.v1.MsgExecute",
  deposit: "/cyber.cyberwasm.v1.MsgDeposit",
  upgrade: "/cyber.cyberwasm.v1.MsgUpgrade",
  updateParams: "/cyber.cyberwasm.v1.MsgUpdateParams"
} as const

/** Query paths. */
export const QueryPath = {
  program: "/cyber.cyberwasm.v1.Query/Program",
  reserve: "/cyber.cyberwasm.v1.Query/Reserve",
  schedule: "/cyber.cyberwasm.v1.Query/Schedule",
  page: "/cyber.cyberwasm.v1.Query/Page",
  dispatch: "/cyber.cyberwasm.v1.Query/Dispatch",
  code: "/cyber.cyberwasm.v1.Query/Code",
  params: "/cyber.cyberwasm.v1.Query/Params",
  programs: "/cyber.cyberwasm.v1.Query/Programs"
} as const

type Kind = "string" | "bytes" | "uint64" | "uint32"
type TsOf<K extends Kind> = K extends "string" ? string : K extends "bytes" ? Uint8Array : K extends "uint64" ? bigint : number
type Shape = Readonly<Record<string, readonly [number, Kind]>>
type Value<S extends Shape> = { -readonly [F in keyof S]: TsOf<S[F][1]> }

/** A protobuf message codec from a field table `{name: [fieldNumber, kind]}` (scalars only). */
export interface Codec<S extends Shape> {
  encode(v: Value<S>): Uint8Array
  decode(b: Uint8Array): Value<S>
}

const WIRE: Record<Kind, number> = { string: 2, bytes: 2, uint64: 0, uint32: 0 }
const zero = (k: Kind): unknown => (k === "string" ? "" : k === "bytes" ? new Uint8Array() : k === "uint64" ? 0n : 0)

const codec = <const S extends Shape>(name: string, shape: S): Codec<S> => {
  const fields = (Object.getOwnPropertyNames(shape) as Array<keyof S & string>).map((f) => [f, shape[f]![0], shape[f]![1]] as const)
    .sort((a, b) => a[1] - b[1])
  const byNumber = new Map(fields.map((f) => [f[1], f] as const))
  return {
    encode(v) {
      const w = BinaryWriter.create()
      for (const [f, no, kind] of fields) {
        const x = v[f] as unknown
        if (x === undefined) continue // a missing field is its zero value (proto3)
        if (kind === "string" && x !== "") w.uint32((no << 3) | 2).string(x as string)
        else if (kind === "bytes" && (x as Uint8Array).length > 0) w.uint32((no << 3) | 2).bytes(x as Uint8Array)
        else if (kind === "uint64" && x !== 0n) w.uint32(no << 3).uint64(x as bigint)
        else if (kind === "uint32" && x !== 0) w.uint32(no << 3).uint32(x as number)
      }
      return w.finish()
    },
    decode(b) {
      const out = {} as Record<string, unknown>
      for (const [f, , kind] of fields) out[f] = zero(kind)
      try {
        const r = new BinaryReader(b)
        while (r.pos < r.len) {
          const tag = r.uint32()
          const f = byNumber.get(tag >>> 3)
          if (!f || (tag & 7) !== WIRE[f[2]]) {
            r.skipType(tag & 7)
            continue
          }
          out[f[0]] = f[2] === "string" ? r.string() : f[2] === "bytes" ? r.bytes() : f[2] === "uint64" ? r.uint64() : r.uint32()
        }
      } catch (e) {
        throw new TxDecodeError({ log: `cannot decode ${name}: ${(e as Error).message}` })
      }
      return out as Value<S>
    }
  }
}

/** Codec of cyber.cyberwasm.v1.MsgStoreCode (fields in the header table). */
export const MsgStoreCode = codec("MsgStoreCode", { sender: [1, "string"], wasmByteCode: [2, "bytes"] })
/** Codec of cyber.cyberwasm.v1.MsgStoreCodeResponse (fields in the header table). */
export const MsgStoreCodeResponse = codec("MsgStoreCodeResponse", { codeHash: [1, "bytes"] })
/** Codec of cyber.cyberwasm.v1.MsgInstantiate (fields in the header table). */
export const MsgInstantiate = codec("MsgInstantiate", {
  sender: [1, "string"], codeHash: [2, "bytes"], admin: [3, "string"], input: [4, "bytes"], reserve: [5, "uint64"], label: [6, "string"],
  address: [7, "string"]
})
/** Codec of cyber.cyberwasm.v1.MsgInstantiateResponse (fields in the header table). */
export const MsgInstantiateResponse = codec("MsgInstantiateResponse", { address: [1, "string"], data: [2, "bytes"] })
/** Codec of cyber.cyberwasm.v1.MsgExecute (fields in the header table). */
export const MsgExecute = codec("MsgExecute", { sender: [1, "string"], program: [2, "string"], input: [3, "bytes"] })
/** Codec of cyber.cyberwasm.v1.MsgExecuteResponse (fields in the header table). */
export const MsgExecuteResponse = codec("MsgExecuteResponse", { data: [1, "bytes"] })
/** Codec of cyber.cyberwasm.v1.MsgDeposit (fields in the header table). */
export const MsgDeposit = codec("MsgDeposit", { sender: [1, "string"], program: [2, "string"], amount: [3, "uint64"] })
/** Codec of cyber.cyberwasm.v1.MsgDepositResponse (fields in the header table). */
export const MsgDepositResponse = codec("MsgDepositResponse", { reserve: [1, "uint64"] })
/** Codec of cyber.cyberwasm.v1.MsgUpgrade (fields in the header table). */
export const MsgUpgrade = codec("MsgUpgrade", { sender: [1, "string"], program: [2, "string"], codeHash: [3, "bytes"], input: [4, "bytes"] })
/** Codec of cyber.cyberwasm.v1.MsgUpgradeResponse (fields in the header table). */
export const MsgUpgradeResponse = codec("MsgUpgradeResponse", { data: [1, "bytes"] })

/** Codec of cyber.cyberwasm.v1.QueryAddress (fields in the header table). */
export const QueryAddress = codec("QueryAddress", { address: [1, "string"] })
/** Codec of cyber.cyberwasm.v1.QueryReserveResponse (fields in the header table). */
export const QueryReserveResponse = codec("QueryReserveResponse", { reserve: [1, "uint64"], burnRate: [2, "uint64"], status: [3, "string"] })
/** Codec of cyber.cyberwasm.v1.ScheduleItem (fields in the header table). */
export const ScheduleItem = codec("ScheduleItem", { id: [1, "uint64"], height: [2, "uint64"], every: [3, "uint64"], input: [4, "bytes"] })
/** Codec of cyber.cyberwasm.v1.QueryPage (fields in the header table). */
export const QueryPage = codec("QueryPage", { address: [1, "string"], page: [2, "uint32"] })
/** Codec of cyber.cyberwasm.v1.QueryPageResponse (fields in the header table). */
export const QueryPageResponse = codec("QueryPageResponse", { data: [1, "bytes"], pages: [2, "uint32"], memoryRoot: [3, "bytes"] })
/** Codec of cyber.cyberwasm.v1.QueryDispatch (fields in the header table). */
export const QueryDispatch = codec("QueryDispatch", { address: [1, "string"], input: [2, "bytes"] })
/** Codec of cyber.cyberwasm.v1.QueryDispatchResponse (fields in the header table). */
export const QueryDispatchResponse = codec("QueryDispatchResponse", { data: [1, "bytes"] })
/** Codec of cyber.cyberwasm.v1.QueryCode (fields in the header table). */
export const QueryCode = codec("QueryCode", { codeHash: [1, "bytes"] })
/** Codec of cyber.cyberwasm.v1.QueryCodeResponse (fields in the header table). */
export const QueryCodeResponse = codec("QueryCodeResponse", { wasmByteCode: [1, "bytes"] })

/** Encode a list of schedule items (repeated field 1). */
export const encodeScheduleList = (items: ReadonlyArray<Value<{ id: [1, "uint64"]; height: [2, "uint64"]; every: [3, "uint64"]; input: [4, "bytes"] }>>): Uint8Array => {
  const w = BinaryWriter.create()
  for (const it of items) w.uint32(10).bytes(ScheduleItem.encode(it))
  return w.finish()
}
/** Decode a list of schedule items. */
export const decodeScheduleList = (b: Uint8Array) => {
  const r = new BinaryReader(b)
  const out = []
  while (r.pos < r.len) {
    const tag = r.uint32()
    if (tag >>> 3 === 1) out.push(ScheduleItem.decode(r.bytes()))
    else r.skipType(tag & 7)
  }
  return out
}

/** Params (ChainParams.ts). */
export const ChainParamsProto = codec("Params", { maxCodeBytes: [1, "uint64"], maxCallGas: [2, "uint64"] })
/** MsgUpdateParams: `params` is the encoded {@link ChainParamsProto}. */
export const MsgUpdateParams = codec("MsgUpdateParams", { authority: [1, "string"], params: [2, "bytes"] })
/** Empty MsgUpdateParamsResponse. */
export const MsgUpdateParamsResponse = codec("MsgUpdateParamsResponse", {})
/** Query/Params response: `params` is the encoded {@link ChainParamsProto}. */
export const QueryParamsResponse = codec("QueryParamsResponse", { params: [1, "bytes"] })
