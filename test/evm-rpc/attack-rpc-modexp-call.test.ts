// Attack review of the evm JSON-RPC service, slow (~3-4 min): the bridge-timeout bug of
// test/evm/attack-bridge-timeout.test.ts reached WITHOUT a transaction, by one eth_call through the
// RPC service (no fee, no signature, no account). eth_call runs on the same EVM worker and bridge as
// the block's txs (plugins/evm/Evm.ts runCall -> this.bridge.run); the query gas cap (10M) allows
// a MODEXP that keeps the worker busy past BRIDGE_TIMEOUT_MS (120 s), meanwhile the node's thread
// waits (Atomics.wait) the whole time; afterwards the next tx of the next block fails (measured:
// eth_call 122.3 s, answered -32000 "EVM worker did not answer within 120000 ms"; the next block's
// 21000-gas transfer: code 1, same log, since the worker is still on the call's job). The outcome
// depends on each node's timing: validators can disagree on that block's results.
// Run: npx node node_modules/uvu/bin.js test/evm-rpc attack-rpc-modexp-call
import { test } from "uvu"
import * as assert from "uvu/assert"
import { encodeDeployData, encodeFunctionData, type Abi } from "viem"
import { createEthRpcService } from "../../plugins/evm/rpc/Server.ts"
import type { EthBlockStore } from "../../plugins/evm/rpc/Chain.ts"
import { ethEvent, openEvmChain } from "../evm/fixtures/evmChain.ts"
import { attackContracts } from "../evm/fixtures/attack-solidity.ts"

test("fixed, was a bug: rpc eth_call -> evm bridge: one unauthenticated eth_call (MODEXP bomb, under the 10M query cap) stalls the node's thread for the 120 s bridge timeout, and the next block's plain transfer then fails (code 1 worker timeout here; a stale result in test/evm/attack-bridge-timeout), depending on timing", async () => {
  const chain = await openEvmChain()
  try {
    const { ModexpBomb } = attackContracts()
    const abi = ModexpBomb!.abi as Abi
    const res = await chain.next([await chain.sign(0, { nonce: 0, gas: 1_000_000n, data: encodeDeployData({ abi, bytecode: ModexpBomb!.bytecode }) })])
    const bomb = ethEvent(res, 0).contract_address as `0x${string}`
    const store = {
      base: () => 1, resultsHeight: () => chain.height, block: async () => undefined, blockByHash: async () => undefined,
      results: async () => undefined, searchTxs: async () => []
    } as unknown as EthBlockStore
    const service = createEthRpcService({
      config: { rpc_address: "127.0.0.1:0" }, blockStore: store, log: () => undefined,
      broadcastTx: async () => ({ code: 1, log: "no" }),
      abciQuery: async (q) => chain.app.query({ path: q.path, data: q.data, height: q.height ?? 0n, prove: false })
    })
    await service.start()
    let answer: unknown
    let callMs = 0
    try {
      const t0 = performance.now()
      const data = encodeFunctionData({ abi, functionName: "bomb", args: [200_000n] })
      answer = await fetch(service.url!, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ to: bomb, data, gas: "0x1e8480" }, "latest"] }) }).then((r) => r.json())
      callMs = performance.now() - t0
    } finally {
      await service.stop()
    }
    let next: Awaited<ReturnType<typeof chain.next>> | undefined
    let nextErr: unknown
    try {
      next = await chain.next([await chain.sign(1, { nonce: 0, gas: 21_000n, to: chain.eth[2]!.account.address, value: 12_345n })])
    } catch (e) {
      nextErr = e
    }
    const ev = next ? (() => { try { return ethEvent(next, 0) } catch { return undefined } })() : undefined
    console.log(`eth_call took ${(callMs / 1000).toFixed(1)} s -> ${JSON.stringify(answer).slice(0, 160)}; next transfer: ${nextErr ? String(nextErr) : `code ${next?.txResults[0]?.code} gas_used ${ev?.gas_used} log "${next?.txResults[0]?.log?.slice(0, 100)}"`}`)
    assert.ok(callMs < 10_000, `one eth_call held the node's thread ${(callMs / 1000).toFixed(1)} s`)
    assert.is(ev?.gas_used, "21000", "the next block's transfer got the stale eth_call's result (or failed)")
  } finally {
    await chain.close()
  }
})

test.run()
