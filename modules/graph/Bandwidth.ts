/**
 * go-cyber's bandwidth model in integer arithmetic (prices and loads × 1e18, as sdk.Dec; every
 * division rounds half to even as sdk.Dec's Quo / RoundInt64 do, or truncates where go-cyber
 * truncates).
 *
 * - A neuron's maximum bandwidth is its stake share times the desirable bandwidth:
 *   max = floor(stake × D / S) with S the total supply of the stake denom and D the
 *   `desirable_bandwidth` param (0 means D = S, so max = stake).
 * - Recovery is linear: remained += min(floor((h − last) × max / RecoveryPeriod), max − remained)
 *   (go-cyber computes the same product in float64 and truncates).
 * - A MsgCyberlink of n links costs roundHalfEven(price × n × 1000); it must fit the neuron's
 *   remained value (else NotEnoughBandwidth) and the block's cap: spent + cost ≤ MaxBlockBandwidth
 *   (else ExceededMaxBlockBandwidth).
 * - At every height divisible by AdjustPricePeriod: price = clamp(window / roundHalfEven(BaseLoad × D),
 *   BasePrice, 1), where window is the bandwidth spent in the last RecoveryPeriod blocks; then the
 *   block's spending enters the window and the block RecoveryPeriod back leaves it.
 *
 * Deviation: go-cyber gives a neuron it has never seen remained = 0 (it then recovers from zero);
 * here a neuron seen for the first time starts full (remained = max), as go-cyber's genesis
 * neurons do, because stake here is a plain balance with no mint hook to seed it.
 * go-cyber's signed-tx path (app/ante.go) checks but does not consume personal bandwidth; this
 * machine consumes it, as go-cyber's program path (msg_server.go) and its spec do.
 *
 * Source: go-cyber x/bandwidth/keeper/keeper.go (AdjustPrice, CommitBlockBandwidth,
 * GetPricedTotalCyberlinksCost), x/bandwidth/types/account_bandwidth.go (Recover, UpdateMax),
 * x/bandwidth/abci.go (EndBlocker), app/ante.go (DeductFeeBandDecorator).
 */
import type { KVStore } from "../../store/KVStore.ts"
import { DEC, type BandwidthParams } from "./GraphParams.ts"
import { ExceededMaxBlockBandwidth, NotEnoughBandwidth } from "./GraphError.ts"
import { K_BLOCK_SPENT, K_PRICE, K_WINDOW, key, P_BANDWIDTH, P_BLOCK_BW, readU64, u64, u64s } from "./internal/Keys.ts"

/** A neuron's bandwidth record (go-cyber NeuronBandwidth). */
export interface NeuronBw {
  readonly remained: bigint
  readonly max: bigint
  readonly lastUpdated: bigint
}

/** a / b rounded half to even (a ≥ 0, b > 0). */
export const quoHalfEven = (a: bigint, b: bigint): bigint => {
  const q = a / b
  const r2 = (a % b) * 2n
  if (r2 > b || (r2 === b && q % 2n === 1n)) return q + 1n
  return q
}

/** floor(stake × D / S), D = desirable or S when desirable is 0; 0 when S is 0. */
export const maxBandwidth = (stake: bigint, supply: bigint, desirable: bigint): bigint => {
  if (supply === 0n) return 0n
  const d = desirable === 0n ? supply : desirable
  return (stake * d) / supply
}

/** The desirable bandwidth D for a supply (desirable param or the supply). */
export const desirableOf = (p: BandwidthParams, supply: bigint): bigint => (p.desirableBandwidth === 0n ? supply : p.desirableBandwidth)

/** go-cyber Recover then UpdateMax: recover linearly up to height, then set the new max and clamp. */
export const refresh = (bw: NeuronBw, newMax: bigint, height: bigint, recoveryPeriod: bigint): NeuronBw => {
  const elapsed = height > bw.lastUpdated ? height - bw.lastUpdated : 0n
  const missing = bw.max > bw.remained ? bw.max - bw.remained : 0n
  let rec = (elapsed * bw.max) / recoveryPeriod
  if (rec > missing) rec = missing
  let remained = bw.remained + rec
  if (remained > newMax) remained = newMax
  return { remained, max: newMax, lastUpdated: height }
}

/** The stored record of `addr`, or undefined for a neuron never seen. */
export const readNeuronBw = (store: KVStore, addr: Uint8Array): NeuronBw | undefined => {
  const v = store.get(key(P_BANDWIDTH, addr))
  if (!v) return undefined
  return { remained: readU64(v, 0), max: readU64(v, 8), lastUpdated: readU64(v, 16) }
}

/** The neuron's bandwidth at `height` given its current max (first sight: full). */
export const currentNeuronBw = (store: KVStore, addr: Uint8Array, max: bigint, height: bigint, p: BandwidthParams): NeuronBw => {
  const bw = readNeuronBw(store, addr)
  return bw ? refresh(bw, max, height, p.recoveryPeriod) : { remained: max, max, lastUpdated: height }
}

/** The current price × 1e18 (BasePrice until the first adjustment). */
export const currentPrice = (store: KVStore, p: BandwidthParams): bigint => {
  const v = store.get(K_PRICE)
  return v ? readU64(v) : p.basePrice
}

/** Cost of `links` links at `price` (× 1e18): roundHalfEven(price × links × 1000). */
export const linkCost = (price: bigint, links: number): bigint => quoHalfEven(price * BigInt(links) * 1000n, DEC)

/** Bandwidth spent in the current block so far. */
export const blockSpent = (store: KVStore): bigint => {
  const v = store.get(K_BLOCK_SPENT)
  return v ? readU64(v) : 0n
}

/** Bandwidth spent in the sliding window (last RecoveryPeriod blocks). */
export const windowSpent = (store: KVStore): bigint => {
  const v = store.get(K_WINDOW)
  return v ? readU64(v) : 0n
}

/**
 * Charge `cost` to the neuron and the block: checks remained ≥ cost (NotEnoughBandwidth) and
 * blockSpent + cost ≤ MaxBlockBandwidth (ExceededMaxBlockBandwidth), then writes both.
 */
export const spend = (store: KVStore, addr: Uint8Array, bw: NeuronBw, cost: bigint, p: BandwidthParams): void => {
  if (bw.remained < cost) {
    throw new NotEnoughBandwidth({ log: `not enough personal bandwidth: cost ${cost}, remained ${bw.remained} of max ${bw.max}` })
  }
  const spent = blockSpent(store)
  if (spent + cost > p.maxBlockBandwidth) {
    throw new ExceededMaxBlockBandwidth({ log: `exceeded max block bandwidth: block spent ${spent} + cost ${cost} > ${p.maxBlockBandwidth}` })
  }
  store.set(key(P_BANDWIDTH, addr), u64s(bw.remained - cost, bw.max, bw.lastUpdated))
  store.set(K_BLOCK_SPENT, u64(spent + cost))
}

/**
 * End of block: adjust the price at heights divisible by AdjustPricePeriod (from the window
 * before this block), then move the block's spending into the window and drop the block that
 * left it (go-cyber EndBlocker: AdjustPrice, then CommitBlockBandwidth).
 */
export const endBlockBandwidth = (store: KVStore, p: BandwidthParams, height: bigint, desirable: bigint): void => {
  let window = windowSpent(store)
  if (height !== 0n && height % p.adjustPricePeriod === 0n) {
    const base = quoHalfEven(p.baseLoad * desirable, DEC)
    if (base !== 0n) {
      let price = quoHalfEven(window * DEC, base)
      if (price < p.basePrice) price = p.basePrice
      if (price > DEC) price = DEC
      store.set(K_PRICE, u64(price))
    }
  }
  const spent = blockSpent(store)
  window += spent
  const start = height > p.recoveryPeriod ? height - p.recoveryPeriod : 0n
  const startKey = key(P_BLOCK_BW, u64(start))
  const old = store.get(startKey)
  if (old) {
    window -= readU64(old)
    store.delete(startKey)
  }
  if (spent > 0n) store.set(key(P_BLOCK_BW, u64(height)), u64(spent))
  if (spent > 0n || old) store.set(K_WINDOW, u64(window))
  if (store.has(K_BLOCK_SPENT)) store.delete(K_BLOCK_SPENT)
}
