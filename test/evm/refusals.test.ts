/**
 * Hostile and malformed Ethereum input, in process: each is refused with a typed error naming the
 * problem, changes nothing, and the chain goes on. A MsgEthereumTx cannot ride inside a Cosmos tx
 * (its signature rules would be skipped), nor in a governance proposal.
 */
import { DirectSecp256k1Wallet, Registry, type GeneratedType } from "@cosmjs/proto-signing"
import { SigningStargateClient } from "@cosmjs/stargate"
import { sha256 } from "@noble/hashes/sha2.js"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { decodeFunctionResult, encodeDeployData, encodeFunctionData, serializeTransaction, type Abi } from "viem"
import { contracts } from "./fixtures/solidity.ts"
import { ExecMachine } from "../support/ExecMachine.ts"
import { MSG_ETHEREUM_TX } from "../../plugins/evm/Evm.ts"
import { accountOf } from "../registry/registryChain.ts"
import { ethEvent, evmQuery, openEvmChain } from "./fixtures/evmChain.ts"

const hexBytes = (h: string) => new Uint8Array(Buffer.from(h.slice(2), "hex"))

test("refused: wrong chain id (28), unprotected legacy and type-4 txs (2), garbage (2), a changed signature (another sender: 5), a gas limit over EIP-7825's 2^24 (2)", async () => {
  const chain = await openEvmChain()
  try {
    const to = chain.eth[1]!.account.address
    const wrongChain = await chain.sign(0, { chainId: 1, nonce: 0, gas: 21_000n, to, value: 1n })
    const unprotected = hexBytes(await chain.eth[0]!.account.signTransaction({ type: "legacy", nonce: 0, gas: 21_000n, gasPrice: 2n, to, value: 1n } as never))
    const garbage = Uint8Array.of(0x02, 0xc5, 0x01, 0x02, 0x03)
    const signed = await chain.sign(0, { nonce: 0, gas: 21_000n, to, value: 1n })
    const forged = new Uint8Array(signed)
    forged[forged.length - 5]! ^= 0xff // s of the signature
    const setCode = hexBytes(serializeTransaction({ type: "eip7702", chainId: 1337, nonce: 0, gas: 50_000n, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n, to, authorizationList: [] } as never))
    const huge = await chain.sign(0, { nonce: 0, gas: 17_000_000n, to, value: 1n })
    const res = await chain.next([wrongChain, unprotected, garbage, forged, setCode, huge])
    const codes = res.txResults.map((r) => r.code)
    assert.equal(codes, [28, 2, 2, 5, 2, 2], res.txResults.map((r) => r.log).join("\n"))
    assert.match(res.txResults[0]!.log, /chain id 1, this chain is 1337/)
    assert.match(res.txResults[1]!.log, /EIP-155/)
    assert.match(res.txResults[3]!.log, /^insufficient funds for gas x price \+ value: address 0x[0-9a-f]{40} has 0, wants 42001$/)
    assert.match(res.txResults[4]!.log, /EIP-7702/)
    assert.match(res.txResults[5]!.log, /exceeds the maximum allowed by EIP-7825 \(16777216\)/)
    // nothing moved: the first valid tx still uses nonce 0
    assert.is((await evmQuery(chain.app, "Account", { address: chain.eth[0]!.account.address })).nonce, "0")
    const ok = await chain.next([signed])
    assert.is(ethEvent(ok, 0).status, "1")
  } finally {
    await chain.close()
  }
})

test("a MsgEthereumTx inside a Cosmos tx is refused (4) before any signature rule could be skipped; in a proposal too", async () => {
  const exec = new ExecMachine()
  const chain = await openEvmChain({ machines: () => [exec] })
  try {
    const raw = await chain.sign(0, { nonce: 0, gas: 21_000n, to: chain.eth[1]!.account.address, value: 5n })
    const [k1] = chain.keys
    await chain.next()
    // a Cosmos signer whose registry carries the raw Ethereum tx as the message value
    const passthrough = {
      encode: (v: Uint8Array) => ({ finish: () => v }), decode: (b: Uint8Array) => b, fromPartial: (v: Uint8Array) => v
    } as unknown as GeneratedType
    const wallet = await DirectSecp256k1Wallet.fromKey(sha256(new TextEncoder().encode("registry key 1")), "cyber")
    const signer = await SigningStargateClient.offline(wallet, { registry: new Registry([[MSG_ETHEREUM_TX, passthrough]]) })
    const acc = await accountOf(chain.app, k1!.address)
    const wrapped = await signer.sign(k1!.address, [{ typeUrl: MSG_ETHEREUM_TX, value: raw }], { amount: [{ denom: "boot", amount: "2000" }], gas: "200000" }, "", {
      accountNumber: BigInt(acc.accountNumber), sequence: acc.sequence, chainId: "registry-1"
    })
    const res = await chain.next([TxRaw.encode(wrapped).finish()])
    assert.is(res.txResults[0]!.code, 4, res.txResults[0]!.log)
    assert.match(res.txResults[0]!.log, /only valid in its own transaction encoding/)
    // as a governance-executed message
    exec.pending = [{ typeUrl: MSG_ETHEREUM_TX, value: raw }]
    await chain.next()
    assert.is(exec.outcome?.ok, false)
    assert.match(exec.outcome!.log!, /only valid in its own transaction encoding/)
    assert.is((await evmQuery(chain.app, "Account", { address: chain.eth[0]!.account.address })).nonce, "0", "the tx never ran")
  } finally {
    await chain.close()
  }
})

test("hostile execution is bounded by gas: calls nested as deep as gas allows, memory grown to the gas limit; the node goes on", async () => {
  const chain = await openEvmChain()
  try {
    const { Deep } = contracts()
    const abi = Deep!.abi as Abi
    let res = await chain.next([await chain.sign(0, { nonce: 0, gas: 1_000_000n, data: encodeDeployData({ abi, bytecode: Deep!.bytecode }) })])
    const deep = ethEvent(res, 0).contract_address as `0x${string}`
    res = await chain.next([
      await chain.sign(0, { nonce: 1, gas: 16_000_000n, to: deep, data: encodeFunctionData({ abi, functionName: "down", args: [0n] }) }),
      await chain.sign(1, { nonce: 0, gas: 16_000_000n, to: deep, data: encodeFunctionData({ abi, functionName: "grow", args: [4_000_000n] }) })
    ])
    const nested = ethEvent(res, 0)
    assert.is(nested.status, "1", nested.revert_reason)
    const reached = await evmQuery(chain.app, "Call", { to: deep, data: encodeFunctionData({ abi, functionName: "reached" }) })
    const depth = decodeFunctionResult({ abi, functionName: "reached", data: reached.return_data as `0x${string}` }) as bigint
    assert.ok(depth > 100n && depth < 1025n, `nested to depth ${depth}`)
    const grown = ethEvent(res, 1)
    assert.is(grown.status, "0")
    assert.is(grown.gas_used, "16000000", "a memory bomb spends its gas limit and fails")
    const ok = await chain.next([await chain.sign(0, { nonce: 2, gas: 21_000n, to: chain.eth[1]!.account.address, value: 1n })])
    assert.is(ethEvent(ok, 0).status, "1", "the chain goes on")
  } finally {
    await chain.close()
  }
})

test.run()
