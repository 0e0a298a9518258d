// Attack review of the evm JSON-RPC service over a real chain (test/evm/fixtures/evmChain.ts, the
// evm machine and its worker): eth_call / eth_estimateGas run as ABCI queries on the node's thread,
// which waits synchronously (Atomics.wait) for the EVM worker. How long does one eth_call at the
// query gas cap (plugins/evm/internal/Queries.ts QUERY_GAS_CAP = 10,000,000) keep the node's event
// loop blocked, and what does a batch of them do?
// Run: npx node node_modules/uvu/bin.js test/evm-rpc attack-rpc-ethcall   (slow: about a minute)
import { test } from "uvu"
import * as assert from "uvu/assert"
import { createEthRpcService } from "../../plugins/evm/rpc/Server.ts"
import type { EthBlockStore } from "../../plugins/evm/rpc/Chain.ts"
import { ethEvent, openEvmChain } from "../evm/fixtures/evmChain.ts"
import { QUERY_BUDGET_MS } from "../../plugins/evm/internal/Queries.ts"

// runtime 0x5b600056: JUMPDEST PUSH1 0 JUMP (a loop that never ends); init code returns it
const LOOP_INIT = "0x635b6000566000526004601cf3"
// runtime 0x5b620186a05a1160005700: JUMPDEST PUSH3 100000 GAS GT PUSH1 0 JUMPI STOP: burns the gas
// down to 100,000 and then succeeds, whatever the limit; init code returns it
const BURN_INIT = "0x6a5b620186a05a1160005700600052600b6015f3"

/** The RPC service over a real evm chain's app (state reads only; the block store is a stub). */
const serviceOver = (chain: Awaited<ReturnType<typeof openEvmChain>>) => {
  const store = {
    base: () => 1,
    resultsHeight: () => chain.height,
    block: async () => undefined,
    blockByHash: async () => undefined,
    results: async () => undefined,
    searchTxs: async () => []
  } as unknown as EthBlockStore
  return createEthRpcService({
    config: { rpc_address: "127.0.0.1:0" },
    blockStore: store,
    log: () => undefined,
    broadcastTx: async () => ({ code: 1, log: "no" }),
    abciQuery: async (q) => chain.app.query({ path: q.path, data: q.data, height: q.height ?? 0n, prove: false })
  })
}

/**
 * The most one EVM query may hold the node's thread: the query budget plus 500 ms of slack for a
 * loaded host (worker hand-off, HTTP, the probe's own timer). Before the fixes a query after a
 * timed-out one also waited here for a fresh worker to load (about one more budget under load),
 * and one estimate ran ~17 attempts back to back.
 */
const STALL_BOUND_MS = QUERY_BUDGET_MS + 500

/** Longest gap between 10 ms ticks while `f` runs, and one timer turn after (a stall ending just as `f` settles counts). */
const stallOf = async <T>(f: () => Promise<T>): Promise<{ value: T; ms: number; worst: number }> => {
  let last = performance.now()
  let worst = 0
  const tick = setInterval(() => {
    const now = performance.now()
    worst = Math.max(worst, now - last)
    last = now
  }, 10)
  const t0 = performance.now()
  try {
    const value = await f()
    const ms = performance.now() - t0
    await new Promise((r) => setTimeout(r, 25))
    return { value, ms, worst }
  } finally {
    clearInterval(tick)
  }
}

test("fixed: rpc/Server.ts makeDispatcher (was: batch = Promise.all, no yield between entries): a batch of eth_call into a never-ending loop at the 10M query gas cap stalled the node's event loop for the whole batch without a break (~0.6 s per call here, so ~60 s for rpc_max_batch = 100); now each EVM entry runs after a full event-loop turn, one at a time, within rpc_batch_budget_ms", async () => {
  const chain = await openEvmChain()
  try {
    const res = await chain.next([await chain.sign(0, { nonce: 0, gas: 200_000n, data: LOOP_INIT })])
    const loop = ethEvent(res, 0).contract_address as `0x${string}`
    assert.ok(loop, "deployed")
    const service = serviceOver(chain)
    await service.start()
    try {
      // event-loop lag probe: the longest gap between 10 ms ticks
      let last = performance.now()
      let worst = 0
      const tick = setInterval(() => {
        const now = performance.now()
        worst = Math.max(worst, now - last)
        last = now
      }, 10)
      const body = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "eth_call", params: [{ to: loop, gas: "0x989680" }, "latest"] })))
      const t0 = performance.now()
      const one = await (await fetch(service.url!, { method: "POST", body: body(1) })).json() as Array<{ error?: { code: number; message: string } }>
      const oneMs = performance.now() - t0
      await new Promise((r) => setTimeout(r, 25))
      const worstOne = worst
      worst = 0
      const t1 = performance.now()
      await (await fetch(service.url!, { method: "POST", body: body(5) })).json()
      const fiveMs = performance.now() - t1
      await new Promise((r) => setTimeout(r, 25))
      clearInterval(tick)
      console.log(`eth_call at the 10M cap into a loop: ${oneMs.toFixed(0)} ms (event loop blocked up to ${worstOne.toFixed(0)} ms), answer ${JSON.stringify(one[0]?.error ?? one[0]).slice(0, 120)}; batch of 5: ${fiveMs.toFixed(0)} ms (longest event-loop stall ${worst.toFixed(0)} ms); a batch of 100: about ${(oneMs * 100 / 1000).toFixed(0)} s`)
      // a node must keep serving consensus: no RPC request may hold its thread much past one query
      // budget; a batch's entries run one at a time with the loop free between them
      assert.ok(worstOne < STALL_BOUND_MS, `one eth_call stalled the node's event loop for ${worstOne.toFixed(0)} ms`)
      assert.ok(worst < STALL_BOUND_MS, `a batch of 5 eth_calls stalled the node's event loop for ${worst.toFixed(0)} ms in one piece (one call: ${worstOne.toFixed(0)} ms)`)
    } finally {
      await service.stop()
    }
  } finally {
    await chain.close()
  }
})

test("fixed, was a bug: plugins/evm/internal/Worker.ts estimate bisection (node plane): ONE eth_estimateGas of a call that burns all but 100k of its gas and succeeds runs ~17 attempts near the 10M query cap back to back on the node's thread: a single request stalls the event loop for many seconds", async () => {
  const chain = await openEvmChain()
  try {
    const res = await chain.next([await chain.sign(0, { nonce: 0, gas: 200_000n, data: BURN_INIT })])
    const burn = ethEvent(res, 0).contract_address as `0x${string}`
    assert.ok(burn, `deployed: ${JSON.stringify(ethEvent(res, 0))}`)
    const service = serviceOver(chain)
    await service.start()
    try {
      const post = (method: string) => fetch(service.url!, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [{ to: burn }, "latest"] }) }).then((r) => r.json() as Promise<{ result?: string; error?: unknown }>)
      const call = await stallOf(() => post("eth_call"))
      const est = await stallOf(() => post("eth_estimateGas"))
      console.log(`burn contract: eth_call ${call.ms.toFixed(0)} ms (stall ${call.worst.toFixed(0)} ms) -> ${JSON.stringify(call.value).slice(0, 80)}; eth_estimateGas ${est.ms.toFixed(0)} ms (stall ${est.worst.toFixed(0)} ms) -> ${JSON.stringify(est.value).slice(0, 400)}`)
      assert.ok(est.worst < STALL_BOUND_MS, `one eth_estimateGas stalled the node's event loop for ${est.worst.toFixed(0)} ms (one eth_call of the same: ${call.worst.toFixed(0)} ms)`)
    } finally {
      await service.stop()
    }
  } finally {
    await chain.close()
  }
})

test.run()
