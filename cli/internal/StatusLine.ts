/**
 * `start`'s per-block status line (node plane): one compact logfmt line per committed block,
 *
 * ```
 * height=42 txs=3 failed=1 gas=123456 time=2026-12-03T03:36:08.123Z interval=1.002s app=3F2A9C1B
 * ```
 *
 * (`interval=-` for the first block this process sees), or with `--output json` one object
 * `{event: "block", height, txs, failed_txs, gas_used, time, interval_ms, app_hash}` per block.
 * `failed` counts txs whose result code is not 0; `gas` sums their gas used; `app` is the first
 * 8 hex digits of the app hash after the block (the hash the next header carries).
 *
 * Source: the shape of CometBFT's "finalized block" / "committed state" log lines, reduced to
 * one line.
 */
import { toHex } from "../../lib/Bytes.ts"
import type { CommittedBlock } from "../../modules/consensus/producer/Producer.ts"

/** What one status line reports about a block. */
export interface BlockStatus {
  readonly height: number
  readonly txs: number
  /** Txs with a non-zero result code. */
  readonly failedTxs: number
  /** Gas used by the block's txs. */
  readonly gasUsed: bigint
  /** Block time, nanoseconds since the Unix epoch. */
  readonly timeNs: bigint
  /** Time since the previous block, nanoseconds; undefined for the first block seen. */
  readonly intervalNs: bigint | undefined
  /** Upper-case hex app hash after the block. */
  readonly appHash: string
}

/** The status of `block`, given the time of the block before it (undefined if unknown). */
export const blockStatus = (block: CommittedBlock, previousTimeNs: bigint | undefined): BlockStatus => {
  let failedTxs = 0
  let gasUsed = 0n
  for (const r of block.results.txResults) {
    if (r.code !== 0) failedTxs++
    gasUsed += r.gasUsed
  }
  return {
    height: block.height,
    txs: block.block.txs.length,
    failedTxs,
    gasUsed,
    timeNs: block.timeNs,
    intervalNs: previousTimeNs === undefined ? undefined : block.timeNs - previousTimeNs,
    appHash: toHex(block.appHash).toUpperCase()
  }
}

/** RFC 3339 UTC with milliseconds. */
const isoTime = (ns: bigint): string => new Date(Number(ns / 1_000_000n)).toISOString()

/** Nanoseconds as seconds with 3 decimals ("1.002s"). */
const seconds = (ns: bigint): string => {
  const ms = ns / 1_000_000n
  const sign = ms < 0n ? "-" : ""
  const abs = ms < 0n ? -ms : ms
  return `${sign}${abs / 1000n}.${String(abs % 1000n).padStart(3, "0")}s`
}

/** The text line (logfmt, no trailing newline). */
export const statusText = (s: BlockStatus): string =>
  `height=${s.height} txs=${s.txs} failed=${s.failedTxs} gas=${s.gasUsed} time=${isoTime(s.timeNs)} ` +
  `interval=${s.intervalNs === undefined ? "-" : seconds(s.intervalNs)} app=${s.appHash.slice(0, 8)}`

/** The JSON event (snake_case keys, as the CLI's other JSON output; the full app hash). */
export const statusJson = (s: BlockStatus) => ({
  event: "block" as const,
  height: s.height,
  txs: s.txs,
  failed_txs: s.failedTxs,
  gas_used: s.gasUsed.toString(),
  time: isoTime(s.timeNs),
  interval_ms: s.intervalNs === undefined ? null : Number(s.intervalNs / 1_000_000n),
  app_hash: s.appHash
})

/**
 * A per-block printer for `start`: `write` gets one line per block once `open()` is called
 * (blocks committed before that, while the node is starting and the banner is not out yet, only
 * update the interval baseline).
 */
export const statusPrinter = (format: "text" | "json", write: (line: string) => void) => {
  let previous: bigint | undefined
  let open = false
  return {
    open: (): void => { open = true },
    onCommitted: (block: CommittedBlock): void => {
      const s = blockStatus(block, previous)
      previous = block.timeNs
      if (open) write((format === "json" ? JSON.stringify(statusJson(s)) : statusText(s)) + "\n")
    }
  }
}
