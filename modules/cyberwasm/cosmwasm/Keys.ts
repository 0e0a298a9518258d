/**
 * Where the CosmWasm layer keeps its state inside the cyberwasm namespace: every key starts with
 * {@link WASM_PREFIX} (0x20), which the program keys of modules/cyberwasm/State.ts (0x01..0x0d)
 * never use; after it, wasmd's own layout (x/wasm/types/keys.go):
 *
 *   0x20 0x01 codeID u64                          -> CodeInfo (cosmwasm.wasm.v1)
 *   0x20 0x02 contractAddr (32)                   -> ContractInfo
 *   0x20 0x03 contractAddr key                    -> the contract's own storage
 *   0x20 0x04 "lastCodeId" | "lastContractId"     -> next id of the sequence (u64 BE; starts at 1)
 *   0x20 0x05 contractAddr pos u64                -> ContractCodeHistoryEntry
 *   0x20 0x06 codeID u64 height u64 txIndex u64 contractAddr -> {} (contracts by code, in creation order)
 *   0x20 0x07 codeID u64                          -> 0x01 (pinned codes: MsgPinCodes by governance)
 *   0x20 0x08                                     -> tx counter {height u64, index u64, txHash 32}
 *   0x20 0x09 len creator height u64 txIndex u64 contractAddr -> {} (contracts by creator)
 *   0x20 0x10                                     -> Params
 *   0x20 0x80 checksum (32)                       -> the original Wasm bytes, stored once per checksum
 *
 * wasmd keeps code bytes in wasmvm's file cache; a node here rebuilds its module cache from state,
 * so the bytes are state too (0x80, outside wasmd's range).
 *
 * Source: wasmd x/wasm/types/keys.go.
 */
import { concatBytes } from "../../../lib/Bytes.ts"

/** First byte of every CosmWasm key in the cyberwasm namespace. */
export const WASM_PREFIX = 0x20

const P = (...b: number[]) => Uint8Array.of(WASM_PREFIX, ...b)
const u64 = (v: bigint | number): Uint8Array => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(v))
  return b
}
const text = (s: string) => new TextEncoder().encode(s)

/** An AbsoluteTxPosition as wasmd's 16 key bytes (height u64 BE, tx index u64 BE). */
export const positionBytes = (height: bigint, txIndex: bigint): Uint8Array => concatBytes(u64(height), u64(txIndex))

/** Key builders (raw 32-byte contract addresses). */
export const WasmKeys = {
  all: P(),
  code: (codeId: bigint) => concatBytes(P(0x01), u64(codeId)),
  codePrefix: P(0x01),
  contract: (addr: Uint8Array) => concatBytes(P(0x02), addr),
  contractPrefix: P(0x02),
  contractStore: (addr: Uint8Array) => concatBytes(P(0x03), addr),
  sequenceCodeId: concatBytes(P(0x04), text("lastCodeId")),
  sequenceInstanceId: concatBytes(P(0x04), text("lastContractId")),
  history: (addr: Uint8Array, pos: bigint) => concatBytes(P(0x05), addr, u64(pos)),
  historyPrefix: (addr: Uint8Array) => concatBytes(P(0x05), addr),
  byCode: (codeId: bigint, position: Uint8Array, addr: Uint8Array) => concatBytes(P(0x06), u64(codeId), position, addr),
  byCodePrefix: (codeId: bigint) => concatBytes(P(0x06), u64(codeId)),
  pinned: (codeId: bigint) => concatBytes(P(0x07), u64(codeId)),
  pinnedPrefix: P(0x07),
  txCounter: P(0x08),
  byCreator: (creator: Uint8Array, position: Uint8Array, addr: Uint8Array) => concatBytes(P(0x09), Uint8Array.of(creator.length), creator, position, addr),
  byCreatorPrefix: (creator: Uint8Array) => concatBytes(P(0x09), Uint8Array.of(creator.length), creator),
  params: P(0x10),
  wasm: (checksum: Uint8Array) => concatBytes(P(0x80), checksum)
} as const

/** Position length inside the index keys (wasmd types.AbsoluteTxPositionLen). */
export const POSITION_LEN = 16
