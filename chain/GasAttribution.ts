/**
 * Gas per machine: a node-plane observation of the block's gas meters. While a transaction runs
 * (FinalizeBlock only), the Application marks which machine is running: the ante machine, the
 * machine handling each message, and the callee of each synchronous cross-machine call (a stack,
 * so a call's gas is the callee's, not the caller's). The gas a meter consumed between two marks
 * goes to the machine on top of the stack; gas outside any frame goes to {@link UNATTRIBUTED}.
 * So the machines' figures of a block sum to the `gas_used` of its transactions.
 *
 * Only reads `GasMeter.consumed()`: it never charges gas, never writes state and never changes a
 * result, so it stays off the determinism path (a node without an observer computes the same
 * app hash). Integer arithmetic only; refunds make a delta negative and are kept signed.
 *
 * Source: no upstream; Cosmos SDK has one gas meter per tx (store/types/gas.go) and no attribution.
 */
import type { GasMeter } from "./Gas.ts"

/** Key for gas consumed in a tx outside any machine frame (none today; kept so sums stay exact). */
export const UNATTRIBUTED = "(tx)"

/**
 * Receives each finalized block's gas per machine. Called once per FinalizeBlock, after the block's
 * transactions ran, with gas units by machine name (machines that used no gas are absent). It runs
 * on the block path: it must be quick and must not throw (a throw is caught and ignored).
 */
export interface GasObserver {
  blockGas(height: number, gasByMachine: ReadonlyMap<string, number>): void
}

/** The attribution state of one block (see module doc). */
export class GasAttribution {
  private readonly stack: string[] = []
  private meter: GasMeter | undefined
  private mark = 0
  private used = new Map<string, number>()

  /** Start attributing a new tx's meter; frames left open by an earlier tx are dropped. */
  start(meter: GasMeter): void {
    this.flush()
    this.stack.length = 0
    this.meter = meter
    this.mark = meter.consumed()
  }

  /** `machine` runs from now (until the matching {@link exit}). */
  enter(machine: string): void {
    this.flush()
    this.stack.push(machine)
  }

  /** The machine entered last stops running. */
  exit(): void {
    this.flush()
    this.stack.pop()
  }

  /** The block's figures so far, cleared for the next block. */
  take(): ReadonlyMap<string, number> {
    this.flush()
    this.meter = undefined
    this.stack.length = 0
    const out = this.used
    this.used = new Map()
    return out
  }

  private flush(): void {
    if (this.meter === undefined) return
    const now = this.meter.consumed()
    const delta = now - this.mark
    this.mark = now
    if (delta === 0) return
    const who = this.stack.length === 0 ? UNATTRIBUTED : this.stack[this.stack.length - 1]!
    this.used.set(who, (this.used.get(who) ?? 0) + delta)
  }
}
