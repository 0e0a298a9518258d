/**
 * The EVM machine in process: deploy and use an ERC-20 compiled from Solidity, with Ethereum txs
 * signed by viem; EVM balances are bank balances; reverts keep fees and return the reason.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { decodeFunctionResult, encodeDeployData, encodeFunctionData, type Abi } from "viem"
import { contracts } from "./fixtures/solidity.ts"
import { ethEvent, evmQuery, openEvmChain, bankBalance } from "./fixtures/evmChain.ts"


test("ERC-20: deploy, transfer, balanceOf, revert with reason; fees paid in bank coins", async () => {
  const chain = await openEvmChain()
  try {
    const { Token } = contracts()
    const abi = Token!.abi as Abi
    const [alice, bob] = chain.eth
    const before = 1_000_000_000_000n // genesis funds (queries read the last commit: none before block 1)
    const deploy = await chain.sign(0, { nonce: 0, gas: 2_000_000n, data: encodeDeployData({ abi, bytecode: Token!.bytecode, args: ["Cyber Token", "CYT", 1_000_000n] }) })
    let res = await chain.next([deploy])
    assert.is(res.txResults[0]!.code, 0, res.txResults[0]!.log)
    const ev = ethEvent(res, 0)
    assert.is(ev.status, "1")
    const token = ev.contract_address!
    assert.match(token, /^0x[0-9a-f]{40}$/)
    const gasUsed = BigInt(ev.gas_used!)
    assert.is(res.txResults[0]!.gasUsed, gasUsed)
    const after = await bankBalance(chain.app, alice!.bech32)
    assert.is(before - after, gasUsed * 2n, "fee = gasUsed x (base fee 1 + tip 1)")

    const transfer = await chain.sign(0, { nonce: 1, gas: 200_000n, to: token as `0x${string}`, data: encodeFunctionData({ abi, functionName: "transfer", args: [bob!.account.address, 250n] }) })
    res = await chain.next([transfer])
    assert.is(ethEvent(res, 0).status, "1")
    const logs = res.txResults[0]!.events.filter((e) => e.type === "ethereum_log")
    assert.is(logs.length, 1)

    const call = await evmQuery(chain.app, "Call", { to: token, data: encodeFunctionData({ abi, functionName: "balanceOf", args: [bob!.account.address] }) })
    assert.is(call.status, 1, JSON.stringify(call))
    assert.is(decodeFunctionResult({ abi, functionName: "balanceOf", data: call.return_data as `0x${string}` }), 250n)

    const bad = await chain.sign(1, { nonce: 0, gas: 200_000n, to: token as `0x${string}`, data: encodeFunctionData({ abi, functionName: "transfer", args: [alice!.account.address, 10_000n] }) })
    const bobBefore = await bankBalance(chain.app, bob!.bech32)
    res = await chain.next([bad])
    assert.is(res.txResults[0]!.code, 0)
    const bev = ethEvent(res, 0)
    assert.is(bev.status, "0")
    assert.is(bev.revert_reason, "ERC20: transfer amount exceeds balance")
    assert.ok((await bankBalance(chain.app, bob!.bech32)) < bobBefore, "a reverted tx still pays its gas")
    const acc = await evmQuery(chain.app, "Account", { address: bob!.account.address })
    assert.is(acc.nonce, "1")

    // a replayed tx (nonce already used) is refused and changes nothing
    res = await chain.next([transfer])
    assert.is(res.txResults[0]!.code, 3, res.txResults[0]!.log)
  } finally {
    await chain.close()
  }
})

test.run()
