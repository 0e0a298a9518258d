/**
 * Exact-size buffers for cosmjs-types' protobuf writer. `BinaryWriter.finish()` allocates through
 * the static `BinaryWriter.alloc`, which (cosmjs-types 0.11 binary.js, from ts-proto) builds a
 * fresh 8 KiB pool on every call: each encoded message, however small, costs an 8 KiB slab and
 * keeps it alive as long as the message lives. Measured on the MsgSend pipeline (bench/
 * capability.bench.ts): the chain's call encodings made FinalizeBlock about 10% slower through
 * this alone. Importing this module (once, for its effect) makes `alloc` return a plain
 * `Uint8Array` of the requested size: same bytes, offset 0, no shared slab.
 *
 * Source: cosmjs-types binary.js `BinaryWriter.alloc` / `pool`.
 */
import { BinaryWriter } from "cosmjs-types/binary"
// Every importer of this module also gets correct 64-bit varints (cosmjs-types 0.11 defect).
import "./ProtobufVarint.ts"

/** True once the writer allocates exact-size buffers (for tests and benchmarks). */
export const exactProtobufAlloc: boolean = (() => {
  ;(BinaryWriter as unknown as { alloc: (size: number) => Uint8Array }).alloc = (size: number) => new Uint8Array(size)
  return true
})()
