/**
 * Gas per machine of recent blocks, for the dashboard's Machines page: a bounded ring of the last
 * {@link GAS_HISTORY_BLOCKS} finalized blocks, fed by the Application's node-plane gas observer
 * (chain/GasAttribution.ts). Memory: at most that many entries of one small map each.
 */
import type { GasObserver } from "../../chain/GasAttribution.ts"

/** Blocks kept. */
export const GAS_HISTORY_BLOCKS = 256

/** One block's gas by machine name (gas units; machines that used none are absent). */
export interface BlockGas {
  readonly height: number
  readonly gas: Readonly<Record<string, number>>
}

/** The ring; pass it as the Application's `gasObserver`. */
export class GasHistory implements GasObserver {
  private readonly ring: BlockGas[] = []
  private readonly capacity: number

  constructor(capacity = GAS_HISTORY_BLOCKS) {
    this.capacity = capacity
  }

  blockGas(height: number, gasByMachine: ReadonlyMap<string, number>): void {
    // A height seen again (a block re-run after a crash before commit) replaces the older entry.
    while (this.ring.length > 0 && this.ring[this.ring.length - 1]!.height >= height) this.ring.pop()
    this.ring.push({ height, gas: Object.fromEntries(gasByMachine) })
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity)
  }

  /** The last `n` blocks (oldest first) up to and including `maxHeight`. */
  recent(n: number, maxHeight = Number.MAX_SAFE_INTEGER): ReadonlyArray<BlockGas> {
    const upTo = this.ring.filter((b) => b.height <= maxHeight)
    return upTo.slice(Math.max(0, upTo.length - n))
  }
}
