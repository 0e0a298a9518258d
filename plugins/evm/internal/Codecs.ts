/**
 * Protobuf codecs of the EVM machine's own messages (package cyberkernel.evm.v1), over cosmjs-types'
 * reader and writer. The WIT records of wit/evm.wit have the same fields in the same positions.
 *
 *   MsgEthereumTxResponse {1 hash string (0x keccak256), 2 status uint32 (1 ok, 0 reverted), 3 gas_used uint64,
 *                          4 return_data bytes, 5 contract_address string (0x, created contract), 6 revert_reason string}
 *   CallRequest  {1 to string (0x address), 2 data bytes, 3 gas uint64 (0: the block gas limit)}
 *   CallResponse {1 status uint32, 2 return_data bytes, 3 gas_used uint64, 4 revert_reason string}
 *
 * Decoders refuse a wrong wire type or a truncated body with InvalidRequest (code 18) naming the message.
 * Source: protobuf encoding spec; Solidity ABI for Error(string) and Panic(uint256) revert data.
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import type { Codec } from "../../../chain/Interface.ts"
import type { PluginHost } from "../../Host.ts"

/** MsgEthereumTxResponse. */
export interface TxResponse {
  readonly hash: string
  readonly status: number
  readonly gasUsed: bigint
  readonly returnData: Uint8Array
  readonly contractAddress: string
  readonly revertReason: string
}
/** Request of the `call` interface method. */
export interface CallRequest {
  readonly to: string
  readonly data: Uint8Array
  readonly gas: bigint
}
/** Response of `call`. */
export interface CallResponse {
  readonly status: number
  readonly returnData: Uint8Array
  readonly gasUsed: bigint
  readonly revertReason: string
}

/** The codecs of this module. */
export interface EvmCodecs {
  readonly txResponse: Codec<TxResponse>
  readonly callRequest: Codec<CallRequest>
  readonly callResponse: Codec<CallResponse>
}

type Field = "string" | "bytes" | "uint32" | "uint64"
const WIRE: Record<Field, number> = { string: 2, bytes: 2, uint32: 0, uint64: 0 }

const codec = <T extends object>(host: PluginHost, name: string, fields: ReadonlyArray<readonly [keyof T & string, Field]>, empty: T): Codec<T> => ({
  encode: (v) => {
    const w = new BinaryWriter()
    fields.forEach(([k, f], i) => {
      const x = (v as unknown as Record<string, unknown>)[k]
      const tag = ((i + 1) << 3) | WIRE[f]
      if (f === "string" && x !== "") w.uint32(tag).string(x as string)
      if (f === "bytes" && (x as Uint8Array).length > 0) w.uint32(tag).bytes(x as Uint8Array)
      if (f === "uint32" && x !== 0) w.uint32(tag).uint32(x as number)
      if (f === "uint64" && x !== 0n) w.uint32(tag).uint64(x as bigint)
    })
    return w.finish()
  },
  decode: (bytes) => {
    const out: Record<string, unknown> = { ...(empty as unknown as Record<string, unknown>) }
    try {
      const r = new BinaryReader(bytes)
      while (r.pos < r.len) {
        const tag = r.uint32()
        const spec = fields[(tag >>> 3) - 1]
        if (!spec || WIRE[spec[1]] !== (tag & 7)) {
          r.skipType(tag & 7)
          continue
        }
        const [k, f] = spec
        out[k] = f === "string" ? r.string() : f === "bytes" ? r.bytes() : f === "uint32" ? r.uint32() : BigInt(r.uint64().toString())
      }
    } catch (e) {
      throw new host.errors.InvalidRequest({ log: `${name}: malformed body: ${(e as Error).message}` })
    }
    return out as T
  }
})

/** Build the codecs. */
export const evmCodecs = (host: PluginHost): EvmCodecs => ({
  txResponse: codec<TxResponse>(host, "MsgEthereumTxResponse", [["hash", "string"], ["status", "uint32"], ["gasUsed", "uint64"], ["returnData", "bytes"], ["contractAddress", "string"], ["revertReason", "string"]],
    { hash: "", status: 0, gasUsed: 0n, returnData: new Uint8Array(), contractAddress: "", revertReason: "" }),
  callRequest: codec<CallRequest>(host, "CallRequest", [["to", "string"], ["data", "bytes"], ["gas", "uint64"]], { to: "", data: new Uint8Array(), gas: 0n }),
  callResponse: codec<CallResponse>(host, "CallResponse", [["status", "uint32"], ["returnData", "bytes"], ["gasUsed", "uint64"], ["revertReason", "string"]],
    { status: 0, returnData: new Uint8Array(), gasUsed: 0n, revertReason: "" })
})

/**
 * The reason of a failed call: Solidity's Error(string) text, `panic 0x..` for Panic(uint256), else
 * the EVM's exception ("revert", "out of gas", ...).
 */
export const revertReason = (data: Uint8Array, error: string): string => {
  const sel = Buffer.from(data.subarray(0, 4)).toString("hex")
  if (sel === "08c379a0" && data.length >= 68) {
    const len = Number(BigInt(`0x${Buffer.from(data.subarray(36, 68)).toString("hex")}`))
    if (len <= data.length - 68) return new TextDecoder().decode(data.subarray(68, 68 + len))
  }
  if (sel === "4e487b71" && data.length >= 36) return `panic 0x${BigInt(`0x${Buffer.from(data.subarray(4, 36)).toString("hex")}`).toString(16)}`
  return error
}
