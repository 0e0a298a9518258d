/**
 * Attack review (evm): storage of a contract destroyed in its creation tx survives.
 *
 * Under EIP-6780 runTx deletes a contract that SELFDESTRUCTs in the tx that created it
 * (journal.deleteAccount). plugins/evm/internal/WorkerState.ts deleteAccount drops the account and
 * code but leaves the job's storage writes for that address in `storage`, so changes() still
 * lists them, and plugins/evm/internal/Apply.ts writes them AFTER clearing the deleted account's
 * storage. The slots stay in the EVM namespace (app hash, export) for an account that does not
 * exist, and since @ethereumjs/evm refuses a CREATE at an address with storage (EIP-7610 collision
 * check, evm.js), the CREATE2 address can never be deployed to again: an attacker who knows a
 * factory's salt and initcode bricks that counterfactual address (in Ethereum it is fresh again).
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { encodeDeployData, encodeFunctionData, decodeFunctionResult, type Abi } from "viem"
import { ethEvent, evmQuery, openEvmChain } from "./fixtures/evmChain.ts"
import { attackContracts } from "./fixtures/attack-solidity.ts"

test("fixed, was a bug: evm selfdestruct storage: a contract created and self-destructed in one tx leaves its storage behind; recreating it by CREATE2 then fails (EIP-7610 collision)", async () => {
  const chain = await openEvmChain()
  try {
    const { PhoenixFactory, Phoenix } = attackContracts()
    const fabi = PhoenixFactory!.abi as Abi
    let res = await chain.next([await chain.sign(0, { nonce: 0, gas: 2_000_000n, data: encodeDeployData({ abi: fabi, bytecode: PhoenixFactory!.bytecode }) })])
    const factory = ethEvent(res, 0).contract_address as `0x${string}`
    const salt = `0x${"11".repeat(32)}` as `0x${string}`
    const make = encodeFunctionData({ abi: fabi, functionName: "make", args: [salt] })
    const predicted = await evmQuery(chain.app, "Call", { to: factory, data: make })
    const child = decodeFunctionResult({ abi: fabi, functionName: "make", data: predicted.return_data as `0x${string}` }) as `0x${string}`
    res = await chain.next([await chain.sign(0, { nonce: 1, gas: 1_000_000n, to: factory, data: make })])
    assert.is(ethEvent(res, 0).status, "1", ethEvent(res, 0).revert_reason)
    const code = await evmQuery(chain.app, "Code", { address: child })
    const slot0 = await evmQuery(chain.app, "Storage", { address: child, slot: `0x${"00".repeat(32)}` })
    // recreate at the same address: in Ethereum it sees fresh storage (slot 0 = 0), writes it and dies again
    res = await chain.next([await chain.sign(0, { nonce: 2, gas: 1_000_000n, to: factory, data: make })])
    const again = ethEvent(res, 0)
    const codeAfter = await evmQuery(chain.app, "Code", { address: child })
    const value = await evmQuery(chain.app, "Call", { to: child, data: encodeFunctionData({ abi: Phoenix!.abi as Abi, functionName: "value" }) })
    const report = `after the first tx: code ${JSON.stringify(code)}, slot 0 ${JSON.stringify(slot0)}; recreated (status ${again.status}): code ${String(codeAfter.code).slice(0, 20)}…, value() ${String(value.return_data)}`
    assert.ok(!/42|2a/.test(JSON.stringify(slot0)), `storage of a destroyed contract survives: ${report}`)
    assert.is(again.status, "1", `recreating at the same address fails: ${again.revert_reason}; ${report}`)
  } finally {
    await chain.close()
  }
})

test("fixed, was a bug: evm pre-funded CREATE2 address: a contract created there that self-destructs in its constructor is refused (code 18) after running: its coins cannot move and the tx pays nothing", async () => {
  const chain = await openEvmChain()
  try {
    const { PhoenixFactory } = attackContracts()
    const fabi = PhoenixFactory!.abi as Abi
    let res = await chain.next([await chain.sign(0, { nonce: 0, gas: 2_000_000n, data: encodeDeployData({ abi: fabi, bytecode: PhoenixFactory!.bytecode }) })])
    const factory = ethEvent(res, 0).contract_address as `0x${string}`
    const salt = `0x${"22".repeat(32)}` as `0x${string}`
    const make = encodeFunctionData({ abi: fabi, functionName: "make", args: [salt] })
    const predicted = await evmQuery(chain.app, "Call", { to: factory, data: make })
    const child = decodeFunctionResult({ abi: fabi, functionName: "make", data: predicted.return_data as `0x${string}` }) as `0x${string}`
    // someone funds the counterfactual address first (a common pattern: pay, then deploy)
    res = await chain.next([await chain.sign(1, { nonce: 0, gas: 21_000n, to: child, value: 1_000n })])
    assert.is(ethEvent(res, 0).status, "1")
    // Ethereum: the child is created with the 1000 wei, self-destructs and pays them to the factory
    res = await chain.next([await chain.sign(0, { nonce: 1, gas: 1_000_000n, to: factory, data: make })])
    const r = res.txResults[0]!
    assert.is(r.code, 0, `refused after execution: code ${r.code} ${r.log}`)
  } finally {
    await chain.close()
  }
})

test.run()
