/**
 * The load test's correctness part (issue 15): the tool of bench/load.bench.ts
 * (bench/internal/loadRun.ts) against a node started by the CLI, on about 1,000 CosmJS-signed
 * MsgSend txs from 4 accounts, broadcast over RPC one request per tx and in JSON-RPC batches.
 * Asserts that nothing is lost: every tx is accepted, every accepted tx is in exactly one block
 * with result code 0, each account's sequence is its start plus its accepted txs, and every
 * sender's and recipient's balance is what the accepted txs give; also with a mempool small enough to
 * fill, whose refusals (code 2, codespace "mempool") the client resends. Rates are not asserted
 * (bench/).
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { runLoad, type LoadResult } from "../../bench/internal/loadRun.ts"

const test = suite("load")

const nothingLost = (r: LoadResult, total: number) => {
  assert.equal(r.refused, [], "no tx refused")
  assert.is(r.txs, total)
  assert.is(r.accepted, total, "every tx accepted (CheckTx code 0)")
  assert.equal(r.losses.missing, [], "every accepted tx is in a block")
  assert.equal(r.losses.failedInBlock, [], "every included tx has result code 0")
  assert.equal(r.losses.unexpected, [], "no tx included twice or without being accepted")
  assert.equal(r.losses.sequences, [], "each account's sequence = start + accepted")
  assert.equal(r.losses.balances, [], "balances add up")
  assert.is(r.blocks.reduce((a, b) => a + b.txs, 0), total, "the run's blocks hold exactly the txs")
  assert.ok(r.nothingLost)
}

test("1,000 txs from 4 accounts, one broadcast_tx_sync per request, 200 ms blocks: nothing lost", async () => {
  const r = await runLoad({ txs: 1000, accounts: 4, batch: 1, blockTimeMs: 200 })
  nothingLost(r, 1000)
  assert.ok(r.blocks.length >= 2, `the txs span several blocks (got ${r.blocks.length})`)
})

test("1,000 txs from 4 accounts in JSON-RPC batches of 20: nothing lost, sequence order kept", async () => {
  const r = await runLoad({ txs: 1000, accounts: 4, batch: 20, blockTimeMs: 200 })
  nothingLost(r, 1000)
  assert.is(r.requests, 4 * Math.ceil(250 / 20) + r.fullRetries, "one request per batch")
})

test("a mempool of 40 refuses with code 2 when full; the client resends and nothing is lost", async () => {
  const r = await runLoad({ txs: 1000, accounts: 4, batch: 20, blockTimeMs: 200, mempoolSize: 40 })
  nothingLost(r, 1000)
  assert.ok(r.fullRetries > 0, "the mempool filled at least once")
  assert.ok(r.maxMempool <= 40, `the mempool never held more than its size (peak ${r.maxMempool})`)
  assert.ok(r.maxBlockTxs <= 40, `no block held more than the mempool (most ${r.maxBlockTxs})`)
})

test.run()
