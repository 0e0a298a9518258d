/**
 * The embedded producer's mempool: transactions admitted by CheckTx (type NEW), deduplicated by
 * tx hash (sha256 of the bytes), bounded by count and total bytes, reaped in FIFO order; after
 * each Commit the included txs are removed and the rest rechecked (CheckTx type RECHECK), failures
 * dropped.
 *
 * Source: cometbft v0.38 mempool/clist_mempool.go (CheckTx, ReapMaxBytesMaxGas, Update, recheckTxs),
 * config/config.go MempoolConfig defaults (size 5000, max_txs_bytes 1 GiB, max_tx_bytes 1 MiB).
 */
import { sha256, toHex } from "../../../lib/Bytes.ts"

/** Mempool limits (CometBFT MempoolConfig names). */
export interface MempoolConfig {
  /** Most txs held (`size`, default 5000). */
  readonly maxTxs?: number
  /** Most total bytes held (`max_txs_bytes`, default 1 GiB). */
  readonly maxBytes?: number
  /** Largest single tx (`max_tx_bytes`, default 1 MiB). */
  readonly maxTxBytes?: number
}

/** One admitted tx. */
export interface MempoolTx {
  readonly tx: Uint8Array
  /** sha256(tx). */
  readonly hash: Uint8Array
  readonly gasWanted: bigint
}

/** Why the mempool refused a tx before or after CheckTx. */
export type MempoolRejection =
  | { readonly reason: "too-large"; readonly log: string }
  | { readonly reason: "full"; readonly log: string }
  | { readonly reason: "duplicate"; readonly log: string }

/** Hex of a tx hash (map key). */
export const hashKey = (hash: Uint8Array): string => toHex(hash)

/** sha256 of tx bytes: the tx hash CometBFT uses (types.Tx.Hash). */
export const txHash = (tx: Uint8Array): Uint8Array => sha256(tx)

/** FIFO mempool (plain data structure; the producer serializes access with block execution). */
export class Mempool {
  readonly maxTxs: number
  readonly maxBytes: number
  readonly maxTxBytes: number
  private readonly txs = new Map<string, MempoolTx>()
  private readonly inFlight = new Set<string>()
  private totalBytes = 0

  constructor(cfg: MempoolConfig = {}) {
    this.maxTxs = cfg.maxTxs ?? 5000
    this.maxBytes = cfg.maxBytes ?? 1_073_741_824
    this.maxTxBytes = cfg.maxTxBytes ?? 1_048_576
  }

  size(): number { return this.txs.size }
  bytes(): number { return this.totalBytes }
  has(key: string): boolean { return this.txs.has(key) }

  /**
   * Checks duplicates and room before CheckTx and reserves the hash (so the same tx
   * sent twice concurrently is checked once). Returns a rejection or undefined.
   */
  precheck(tx: Uint8Array, key: string): MempoolRejection | undefined {
    // Size is checked after CheckTx (settle): the application refuses an oversize tx with the
    // SDK's code 21 (TxTooLarge); the RPC body limit bounds what reaches CheckTx at all.
    if (this.txs.has(key) || this.inFlight.has(key)) return { reason: "duplicate", log: "tx already exists in cache" }
    if (this.txs.size >= this.maxTxs || this.totalBytes + tx.length > this.maxBytes) {
      return { reason: "full", log: `mempool is full: number of txs ${this.txs.size} (max: ${this.maxTxs}), total txs bytes ${this.totalBytes} (max: ${this.maxBytes})` }
    }
    this.inFlight.add(key)
    return undefined
  }

  /** Ends a precheck reservation; adds the tx when CheckTx accepted it and there is still room. */
  settle(entry: MempoolTx, key: string, accepted: boolean): MempoolRejection | undefined {
    this.inFlight.delete(key)
    if (!accepted) return undefined
    if (entry.tx.length > this.maxTxBytes) return { reason: "too-large", log: `tx too large: ${entry.tx.length} bytes, max ${this.maxTxBytes}` }
    if (this.txs.size >= this.maxTxs || this.totalBytes + entry.tx.length > this.maxBytes) {
      return { reason: "full", log: "mempool is full" }
    }
    this.txs.set(key, entry)
    this.totalBytes += entry.tx.length
    return undefined
  }

  /** Txs in FIFO order up to `maxBytes` total (-1: no limit) and `maxGas` total gas wanted (-1: no limit). */
  reap(maxBytes: number, maxGas: bigint): MempoolTx[] {
    const out: MempoolTx[] = []
    let bytes = 0
    let gas = 0n
    for (const e of this.txs.values()) {
      if (maxBytes >= 0 && bytes + e.tx.length > maxBytes) break
      if (maxGas >= 0n && gas + e.gasWanted > maxGas) break
      bytes += e.tx.length
      gas += e.gasWanted
      out.push(e)
    }
    return out
  }

  /** Removes txs by hash key (those included in a block, or failing recheck). */
  remove(key: string): void {
    const e = this.txs.get(key)
    if (e === undefined) return
    this.txs.delete(key)
    this.totalBytes -= e.tx.length
  }

  /** Snapshot of the txs in FIFO order (for recheck). */
  entries(): Array<[string, MempoolTx]> { return [...this.txs.entries()] }
}
