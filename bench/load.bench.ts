/**
 * Load test against a node started by the CLI (issue 15): pre-signed CosmJS MsgSend txs broadcast
 * over RPC from several accounts, one request in flight per account (bench/internal/loadRun.ts
 * does the work and the checks). Prints accepted/s, included/s, the block interval (mean, max,
 * against the configured block time), the parallel verification rate measured in the same run
 * (the baseline: the rates as a ratio of it), the load average, and whether anything was lost
 * (every accepted tx in a block with code 0, each account's sequence and balance where the
 * accepted txs put them), and the node process's CPU seconds over the run (the steadier figure on a
 * shared machine). Exits 1 when something was lost.
 *
 * Run: `npx node bench/load.bench.ts [txs=20000] [accounts=8] [batch=1] [blockTimeMs=1000]`
 * (batch > 1: JSON-RPC batches of that many broadcast_tx_sync, at most 100).
 */
import { runLoad } from "./internal/loadRun.ts"

const [txs = 20_000, accounts = 8, batch = 1, blockTimeMs = 1000] = process.argv.slice(2).map(Number)
if (![txs, accounts, batch, blockTimeMs].every((n) => Number.isInteger(n) && n > 0) || batch > 100) {
  process.stderr.write("usage: bench/load.bench.ts [txs>0] [accounts>0] [batch 1..100] [blockTimeMs>0]\n")
  process.exit(2)
}
const r = await runLoad({ txs, accounts, batch, blockTimeMs, log: (l) => console.log(l) })
const la = (l: ReadonlyArray<number>) => l.map((x) => x.toFixed(2)).join(" ")
const pv = r.parallelVerify.perSecond
console.log(`node ${process.version}; ${r.txs} txs, ${r.accounts} accounts, ${r.batch === 1 ? "one broadcast_tx_sync per request" : `JSON-RPC batches of ${r.batch}`}, block time ${r.blockTimeMs} ms; node verifier ${r.nodeVerifier}`)
console.log(`load average (1/5/15 min): before ${la(r.load.before)}; broadcast start ${la(r.load.start)}; end ${la(r.load.end)}`)
console.log(`parallel verify (baseline): ${pv.toFixed(0)} verifications/s (${r.parallelVerify.threads} workers, ${r.parallelVerify.verifier})`)
console.log(`accepted: ${r.accepted} in ${r.acceptSeconds.toFixed(2)} s = ${r.acceptedPerSecond.toFixed(0)} tx/s (${(r.acceptedPerSecond / pv).toFixed(3)}x parallel verify); ${r.requests} requests, ${r.fullRetries} mempool-full retries, ${r.refused.length} refused`)
console.log(`included: ${r.txs - r.losses.missing.length} by ${r.includeSeconds.toFixed(2)} s = ${r.includedPerSecond.toFixed(0)} tx/s (${(r.includedPerSecond / pv).toFixed(3)}x parallel verify)`)
if (r.nodeCpuSeconds !== undefined) console.log(`node process CPU (all threads) over the run: ${r.nodeCpuSeconds.toFixed(2)} s = ${(r.txs / r.nodeCpuSeconds).toFixed(0)} included tx per node CPU second`)
console.log(`blocks: ${r.blocks.length}, interval mean ${r.intervalMeanMs.toFixed(0)} ms, max ${r.intervalMaxMs.toFixed(0)} ms (configured ${r.blockTimeMs}); most txs in a block ${r.maxBlockTxs}; mempool peak ${r.maxMempool}`)
console.log(`txs per block: ${r.blocks.map((b) => b.txs).join(" ")}`)
console.log(`intervals (ms, header times): ${r.blocks.slice(1).map((b, i) => (b.timeMs - r.blocks[i]!.timeMs).toFixed(0)).join(" ")}`)
const L = r.losses
console.log(`nothing lost: ${r.nothingLost ? "yes" : "NO"} (missing ${L.missing.length}, failed in block ${L.failedInBlock.length}, unexpected ${L.unexpected.length}, sequence mismatches ${L.sequences.length}, balance mismatches ${L.balances.length})`)
if (!r.nothingLost) {
  console.log(JSON.stringify({ refused: r.refused.slice(0, 5), ...Object.fromEntries(Object.entries(L).map(([k, v]) => [k, (v as unknown[]).slice(0, 5)])) }, null, 1))
  process.exit(1)
}
