/**
 * Attack review (evm), slow (~4-5 min): the bridge-timeout bug of attack-bridge-timeout.test.ts
 * reached from a QUERY, i.e. from any JSON-RPC user for free: an eth_call (Query/Call, within its
 * 10M gas cap) of the MODEXP bomb (~650k gas) keeps the worker past BRIDGE_TIMEOUT_MS; the query
 * fails, but the worker stays busy with the abandoned job (plugins/evm/internal/Bridge.ts neither
 * terminates nor drains it), so the next block's plain transfer on THIS node fails with code 1 (or,
 * if the old job ends during the wait, is answered with the old job's result), while nodes that
 * served no such query execute it: their block results and app hashes differ.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { encodeDeployData, encodeFunctionData, type Abi } from "viem"
import { ethEvent, evmQuery, openEvmChain } from "./fixtures/evmChain.ts"
import { attackContracts } from "./fixtures/attack-solidity.ts"

test("fixed, was a bug: evm bridge timeout from eth_call: one free query leaves the worker busy and the node's next block result differs (code 1) from other nodes'", async () => {
  const chain = await openEvmChain()
  try {
    const { ModexpBomb } = attackContracts()
    const abi = ModexpBomb!.abi as Abi
    const res = await chain.next([await chain.sign(0, { nonce: 0, gas: 1_000_000n, data: encodeDeployData({ abi, bytecode: ModexpBomb!.bytecode }) })])
    const bomb = ethEvent(res, 0).contract_address as `0x${string}`
    let queryOutcome: string
    try {
      queryOutcome = JSON.stringify(await evmQuery(chain.app, "Call", { to: bomb, data: encodeFunctionData({ abi, functionName: "bomb", args: [200_000n] }) })).slice(0, 200)
    } catch (e) {
      queryOutcome = `threw ${String(e)}`
    }
    const next = await chain.next([await chain.sign(1, { nonce: 0, gas: 21_000n, to: chain.eth[2]!.account.address, value: 12_345n })])
    const r = next.txResults[0]!
    assert.is(r.code, 0, `after the eth_call (${queryOutcome}) the next block's transfer: code ${r.code} "${r.log}"`)
    assert.is(ethEvent(next, 0).gas_used, "21000", "the transfer got another job's result")
  } finally {
    await chain.close()
  }
})

test.run()
