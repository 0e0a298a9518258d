/**
 * Attack review (evm): properties that hold (passing). Precompile sends refused by DELEGATECALL,
 * STATICCALL, with value, for another account, from a constructor (no code stored yet, even at an
 * address pre-funded with the coin it tries to send); SELFDESTRUCT of a deployed contract pays
 * only its own balance and leaves it in place (EIP-6780); fees: the sender pays exactly
 * gas_used x effective price, the fee collector gets exactly that, the payee the value, and the
 * EVM denom's total over the touched accounts is conserved; hostile precompile inputs (odd
 * denoms, empty/huge particles) revert deterministically instead of faulting the node.
 */
import { sha256 } from "@noble/hashes/sha2.js"
import { toBech32 } from "@cosmjs/encoding"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { encodeDeployData, encodeFunctionData, getContractAddress, type Abi } from "viem"
import { accountOf, signSend } from "../registry/registryChain.ts"
import { ethEvent, evmQuery, openEvmChain, bankBalance } from "./fixtures/evmChain.ts"
import { attackContracts } from "./fixtures/attack-solidity.ts"
import { contracts } from "./fixtures/solidity.ts"

const bech = (hex: string) => toBech32("cyber", Buffer.from(hex.slice(2), "hex"))
const FEE_COLLECTOR = toBech32("cyber", sha256(new TextEncoder().encode("fee_collector")).subarray(0, 20))

test("holds: precompile sends refused by DELEGATECALL, STATICCALL, with value, for another account, and from a constructor (even at a pre-funded address)", async () => {
  const chain = await openEvmChain()
  try {
    const { Prober, CtorSender } = attackContracts()
    const abi = Prober!.abi as Abi
    let res = await chain.next([await chain.sign(0, { nonce: 0, gas: 2_000_000n, data: encodeDeployData({ abi, bytecode: Prober!.bytecode }) })])
    const prober = ethEvent(res, 0).contract_address as `0x${string}`
    const [k1] = chain.keys
    res = await chain.next([await signSend(k1!, bech(prober), "volt", "10", await accountOf(chain.app, k1!.address))])
    assert.is(res.txResults[0]!.code, 0, res.txResults[0]!.log)
    res = await chain.next([await chain.sign(0, { nonce: 1, gas: 100_000n, to: prober, value: 50n })])
    const bob = chain.eth[1]!
    const bobVolt = await bankBalance(chain.app, bob.bech32, "volt")
    let nonce = 2
    for (const [fn, args] of [["viaDelegate", [bob.account.address]], ["viaStatic", [bob.account.address]], ["viaValue", [bob.account.address]], ["othersCoins", [chain.eth[2]!.account.address, bob.account.address]]] as const) {
      res = await chain.next([await chain.sign(0, { nonce: nonce++, gas: 300_000n, to: prober, data: encodeFunctionData({ abi, functionName: fn, args: [...args] }) })])
      const ev = ethEvent(res, 0)
      assert.is(res.txResults[0]!.code, 0, `${fn}: ${res.txResults[0]!.log}`)
      assert.is(ev.status, "1", `${fn}: ${ev.revert_reason}`)
    }
    assert.is(await bankBalance(chain.app, bech(prober), "volt"), 10n)
    assert.is(await bankBalance(chain.app, bob.bech32, "volt"), bobVolt)
    // a constructor at an address already holding volt cannot send it through the precompile
    const next = getContractAddress({ from: chain.eth[0]!.account.address, nonce: BigInt(nonce) })
    res = await chain.next([await signSend(k1!, bech(next), "volt", "5", await accountOf(chain.app, k1!.address))])
    assert.is(res.txResults[0]!.code, 0, res.txResults[0]!.log)
    res = await chain.next([await chain.sign(0, { nonce: nonce++, gas: 1_000_000n, data: encodeDeployData({ abi: CtorSender!.abi as Abi, bytecode: CtorSender!.bytecode, args: [bob.account.address] }) })])
    assert.is(ethEvent(res, 0).status, "1", ethEvent(res, 0).revert_reason)
    assert.is(ethEvent(res, 0).contract_address, next.toLowerCase())
    assert.is(await bankBalance(chain.app, bech(next), "volt"), 5n)
  } finally {
    await chain.close()
  }
})

test("holds: fees and value are exact (sender pays gas_used x price + value, fee collector gets the fee), SELFDESTRUCT of a deployed contract pays only its own balance", async () => {
  const chain = await openEvmChain()
  try {
    const { Prober } = attackContracts()
    const abi = Prober!.abi as Abi
    let res = await chain.next([await chain.sign(0, { nonce: 0, gas: 2_000_000n, data: encodeDeployData({ abi, bytecode: Prober!.bytecode }) })])
    const prober = ethEvent(res, 0).contract_address as `0x${string}`
    const [alice, bob, carol] = chain.eth
    const touched = [alice!.bech32, bob!.bech32, carol!.bech32, bech(prober), FEE_COLLECTOR]
    const total = async () => (await Promise.all(touched.map((a) => bankBalance(chain.app, a)))).reduce((x, y) => x + y, 0n)
    const sum0 = await total()
    const a0 = await bankBalance(chain.app, alice!.bech32)
    const f0 = await bankBalance(chain.app, FEE_COLLECTOR)
    // EIP-1559 with a tip, then a legacy tx with a gas price, both with value
    res = await chain.next([
      await chain.sign(0, { nonce: 1, gas: 100_000n, to: prober, value: 1_000n, maxFeePerGas: 7n, maxPriorityFeePerGas: 3n }),
      await chain.sign(0, { nonce: 2, gas: 100_000n, to: bob!.account.address, value: 5n, type: "legacy", gasPrice: 9n, maxFeePerGas: undefined, maxPriorityFeePerGas: undefined })
    ])
    const e1 = ethEvent(res, 0)
    const e2 = ethEvent(res, 1)
    assert.is(e1.effective_gas_price, "4")
    assert.is(e2.effective_gas_price, "9")
    const fees = BigInt(e1.gas_used!) * 4n + BigInt(e2.gas_used!) * 9n
    assert.is(a0 - (await bankBalance(chain.app, alice!.bech32)), fees + 1_005n)
    assert.is((await bankBalance(chain.app, FEE_COLLECTOR)) - f0, fees)
    assert.is(await total(), sum0, "the EVM denom is conserved")
    // selfdestruct of a deployed contract (not created in this tx): pays carol its 1000, stays
    const c0 = await bankBalance(chain.app, carol!.bech32)
    res = await chain.next([await chain.sign(1, { nonce: 0, gas: 100_000n, to: prober, data: encodeFunctionData({ abi, functionName: "die", args: [carol!.account.address] }) })])
    assert.is(ethEvent(res, 0).status, "1", ethEvent(res, 0).revert_reason)
    assert.is((await bankBalance(chain.app, carol!.bech32)) - c0, 1_000n)
    assert.is(await bankBalance(chain.app, bech(prober)), 0n)
    assert.ok(String((await evmQuery(chain.app, "Code", { address: prober })).code).length > 2, "EIP-6780: the code stays")
    assert.is(await total(), sum0, "the EVM denom is conserved")
  } finally {
    await chain.close()
  }
})

test("holds: hostile precompile inputs (empty/huge/invalid denoms and particles, 2^255 amounts, loop links) revert in the EVM, the same in Call and in a tx, never a node error", async () => {
  const chain = await openEvmChain()
  try {
    const { Cyber } = contracts()
    const abi = Cyber!.abi as Abi
    let res = await chain.next([await chain.sign(0, { nonce: 0, gas: 3_000_000n, data: encodeDeployData({ abi, bytecode: Cyber!.bytecode }) })])
    const c = ethEvent(res, 0).contract_address as `0x${string}`
    const me = chain.eth[0]!.account.address
    const cases: Array<[string, unknown[]]> = [
      ["bankBalance", [me, ""]], ["bankBalance", [me, "x".repeat(300)]], ["bankBalance", [me, "\u0000"]],
      ["sendFrom", [c, me, "volt", 2n ** 255n]], ["sendFrom", [c, me, "", 1n]], ["sendFrom", [c, c, "volt", 1n]]
    ]
    let nonce = 1
    for (const [fn, args] of cases) {
      const data = encodeFunctionData({ abi, functionName: fn, args })
      res = await chain.next([await chain.sign(0, { nonce: nonce++, gas: 1_000_000n, to: c, data })])
      assert.is(res.txResults[0]!.code, 0, `${fn}: ${res.txResults[0]!.log}`)
      assert.is(ethEvent(res, 0).status, "0", `${fn} ${JSON.stringify(args, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`)
    }
  } finally {
    await chain.close()
  }
})

test.run()
