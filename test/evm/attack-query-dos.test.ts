/**
 * Attack review (evm): queries run the EVM on the node's own thread (docs/evm.md: "queries run on
 * the node's thread"), synchronously through the bridge, so while one runs the node answers
 * nothing else (no CheckTx, no FinalizeBlock). Call is capped at 10M gas, but EstimateGas
 * (plugins/evm/internal/Worker.ts) bisects with up to ~log2(10M) = 24 further runTx of up to
 * 10M gas each, over a contract that succeeds with any gas limit while spending nearly all of it.
 * One free JSON-RPC request (eth_estimateGas) thus blocks a node for ~25 x a 10M gas run.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { encodeDeployData, encodeFunctionData, type Abi } from "viem"
import { ethEvent, evmQuery, openEvmChain } from "./fixtures/evmChain.ts"
import { attackContracts } from "./fixtures/attack-solidity.ts"

test("fixed, was a bug: evm query DoS: one eth_estimateGas runs ~25 x 10M gas on the node's thread (bisection), blocking the node many times longer than the 10M gas cap suggests", async () => {
  const chain = await openEvmChain()
  try {
    const { Spinner } = attackContracts()
    const abi = Spinner!.abi as Abi
    const res = await chain.next([await chain.sign(0, { nonce: 0, gas: 1_000_000n, data: encodeDeployData({ abi, bytecode: Spinner!.bytecode }) })])
    const spinner = ethEvent(res, 0).contract_address as `0x${string}`
    const data = encodeFunctionData({ abi, functionName: "burn" })
    let t = performance.now()
    const call = await evmQuery(chain.app, "Call", { to: spinner, data, gas: "99999999999" })
    const callMs = performance.now() - t
    t = performance.now()
    const est = await evmQuery(chain.app, "EstimateGas", { to: spinner, data, gas: "99999999999" })
    const estMs = performance.now() - t
    const report = `Call: ${Math.round(callMs)} ms (gas_used ${String(call.gas_used)}); EstimateGas: ${Math.round(estMs)} ms (${JSON.stringify(est).slice(0, 120)})`
    // a query may cost the node what its gas cap costs, not ~25 times that
    assert.ok(estMs < 3 * callMs + 500, `eth_estimateGas blocks the node ${Math.round(estMs / callMs)}x a capped Call: ${report}`)
  } finally {
    await chain.close()
  }
})

test.run()
