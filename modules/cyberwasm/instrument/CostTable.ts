/**
 * The metering cost table: points charged per executed instruction. Charged per basic block by
 * code injected at upload (modules/cyberwasm/instrument/Instrument.ts): every straight-line
 * segment (started by function entry, `block`, `loop`, `if`, `else` or `end`) charges the sum of
 * its instructions' points on entry, before any of them runs (a segment left early by `br_if`
 * is charged in full: deterministic and conservative). Chain gas = ceil(points / pointsPerGas).
 *
 * Source: issue 5 "Metering"; the shape follows wasm-instrument gas_metering (parity) and the
 * relative weights follow wasmer/CosmWasm's "most operators cost the same" with heavier memory,
 * call and division operators.
 */

/** Metering points per unit of chain gas. */
export const POINTS_PER_GAS = 100

/** Points of one instruction with opcode `op` (0xFC-prefixed ops use `0xfc00 + subop`). */
export const instructionCost = (op: number): number => {
  if (op >= 0x28 && op <= 0x35) return 3 // loads
  if (op >= 0x36 && op <= 0x3e) return 3 // stores (plus the dirty-page mark)
  if (op === 0x10) return 10 // call (host functions add their own host cost)
  if (op === 0x11) return 15 // call_indirect
  if (op === 0x3f) return 3 // memory.size
  if (op === 0x6c || op === 0x7e) return 2 // mul
  if ((op >= 0x6d && op <= 0x70) || (op >= 0x7f && op <= 0x82)) return 4 // div, rem
  if (op === 0x0e) return 3 // br_table
  return 1
}

/** Points per page grown by `memory.grow`, charged when the grow runs. */
export const GROW_COST_PER_PAGE = 10_000
/** Points per 64 bytes copied or filled by `memory.copy` / `memory.fill`, charged when it runs. */
export const BULK_COST_PER_64_BYTES = 1
/** Points of a `memory.copy` / `memory.fill` besides its length. */
export const BULK_COST_FLAT = 10
