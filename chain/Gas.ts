/**
 * Gas metering for the chain plane: a meter per transaction (limit from the fee) and one per
 * block, plus the store gas costs charged by the gas-metered KVStore wrapper.
 *
 * Units: gas, a bigint-free integer (number, below 2^53). Source: cosmos-sdk store/types/gas.go
 * (KVGasConfig, TransientGasConfig) and x/auth/ante (TxSizeCostPerByte, SigVerifyCostSecp256k1).
 */
import { OutOfGas } from "./ChainError.ts"

/** Store access costs (Cosmos SDK KVGasConfig defaults). */
export const KVGasConfig = {
  hasCost: 1000,
  deleteCost: 1000,
  readCostFlat: 1000,
  readCostPerByte: 3,
  writeCostFlat: 2000,
  writeCostPerByte: 30,
  iterNextCostFlat: 30
} as const

/** Ante costs (Cosmos SDK x/auth params defaults). */
export const AuthGasConfig = {
  txSizeCostPerByte: 10,
  sigVerifyCostSecp256k1: 1000,
  sigVerifyCostEd25519: 590
} as const

/** A gas meter: consumes until the limit, then throws OutOfGas (code 11). */
export class GasMeter {
  private used = 0
  /** Maximum gas; `Number.MAX_SAFE_INTEGER` for an unmetered context (genesis, begin/end block). */
  readonly limit: number
  constructor(limit: number) {
    this.limit = limit
  }
  /** Gas consumed so far (may exceed `limit` by the last charge, as in the SDK). */
  consumed(): number {
    return this.used
  }
  /** Remaining gas, never negative. */
  remaining(): number {
    return Math.max(0, this.limit - this.used)
  }
  /**
   * Give back `amount` gas (a non-negative integer, at most what was consumed): a machine that prices
   * its own work replaces the KV gas of the calls it made with its own figure (the EVM charges EVM
   * gas, as the SDK's RefundGas / Ethermint's ResetGasMeterAndConsumeGas). Throws RangeError past zero.
   */
  refund(amount: number): void {
    if (!Number.isSafeInteger(amount) || amount < 0 || amount > this.used) throw new RangeError(`gas refund ${amount} exceeds the ${this.used} consumed`)
    this.used -= amount
  }
  /** Charge `amount` (a non-negative integer); throws OutOfGas naming `descriptor` when over. */
  consume(amount: number, descriptor: string): void {
    this.used += amount
    if (this.used > this.limit) {
      throw new OutOfGas({ log: `out of gas in location: ${descriptor}; gasWanted: ${this.limit}, gasUsed: ${this.used}: out of gas` })
    }
  }
}
