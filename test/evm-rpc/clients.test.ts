/**
 * Real Ethereum clients, unchanged, against the evm JSON-RPC service over the fixture chain:
 * viem's public and wallet clients and ethers' JsonRpcProvider and Wallet parse every block,
 * transaction, receipt and log shape the service serves (they are strict about them), decode
 * the Transfer logs and the Error(string) revert reason, and send a signed transaction.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { BaseError, ContractFunctionRevertedError, createPublicClient, createWalletClient, defineChain, getAddress, http, parseAbi, parseAbiItem } from "viem"
import { privateKeyToAccount } from "viem/accounts"
import { Contract, JsonRpcProvider, Network, Transaction, Wallet } from "ethers"
import { bytesToHex } from "@ethereumjs/util"
import { startHarness } from "./fixtures/harness.ts"
import { A1, B, CREATE, KEY1, LEGACY, OTHER, REVERT, REVERTER, TOKEN, TRANSFER, TRANSFER_TOPIC, ethHash } from "./fixtures/chain.ts"

const TRANSFER_EVENT = parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)")
const REVERTER_ABI = parseAbi(["function f() view returns (uint256)"])
const ZERO = "0x0000000000000000000000000000000000000000"

test("viem public client: blocks, transactions, receipts, logs, balance, fees, revert reason", async () => {
  const h = await startHarness()
  try {
    const chain = defineChain({ id: 1337, name: "cyber", nativeCurrency: { name: "boot", symbol: "BOOT", decimals: 18 }, rpcUrls: { default: { http: [h.url] } } })
    const client = createPublicClient({ chain, transport: http(h.url) })
    assert.is(await client.getChainId(), 1337)
    assert.is(await client.getBlockNumber({ cacheTime: 0 }), 5n)
    const b2 = await client.getBlock({ blockNumber: 2n, includeTransactions: true })
    assert.is(b2.number, 2n)
    assert.is(b2.hash, bytesToHex(h.blocks[1]!.hash))
    assert.is(b2.gasUsed, 141000n)
    assert.is(b2.baseFeePerGas, 7n)
    assert.equal(b2.transactions.map((t) => t.type), ["legacy", "eip1559"])
    assert.is(b2.transactions[0]!.value, 1000n)
    assert.is(b2.transactions[0]!.chainId, 1337)
    assert.is(b2.transactions[1]!.to, null)
    const latest = await client.getBlock()
    assert.is(latest.number, 5n)
    assert.equal(latest.transactions, [ethHash(OTHER)])
    const byHash = await client.getBlock({ blockHash: b2.hash! })
    assert.is(byHash.number, 2n)
    assert.is(await client.getBlockTransactionCount({ blockNumber: 3n }), 2)

    const tx = await client.getTransaction({ hash: ethHash(REVERT) })
    assert.is(tx.type, "eip2930")
    assert.is(tx.blockNumber, 3n)
    assert.is(tx.transactionIndex, 0)
    assert.is(tx.from, A1.toLowerCase())
    const created = await client.getTransactionReceipt({ hash: ethHash(CREATE) })
    assert.is(created.status, "success")
    assert.is(created.contractAddress, TOKEN)
    assert.is(created.cumulativeGasUsed, 141000n)
    assert.is(created.effectiveGasPrice, 9n)
    assert.is(created.type, "eip1559")
    assert.is(created.logs.length, 1)
    const reverted = await client.getTransactionReceipt({ hash: ethHash(REVERT) })
    assert.is(reverted.status, "reverted")

    const logs = await client.getLogs({ address: TOKEN, event: TRANSFER_EVENT, fromBlock: 1n, toBlock: "latest" })
    assert.equal(logs.map((l) => l.args), [
      { from: ZERO, to: getAddress(A1), value: 1_000_000n },
      { from: getAddress(A1), to: getAddress(B), value: 5n }
    ])
    assert.equal(logs.map((l) => [l.blockNumber, l.logIndex, l.transactionHash]), [[2n, 0, ethHash(CREATE)], [3n, 0, ethHash(TRANSFER)]])
    const fromA1 = await client.getLogs({ event: TRANSFER_EVENT, args: { from: getAddress(A1) }, fromBlock: "earliest" })
    assert.is(fromA1.length, 1)
    assert.is(fromA1[0]!.args.value, 5n)

    assert.is(await client.getBalance({ address: getAddress(A1) }), 10n ** 18n)
    assert.is(await client.getBalance({ address: getAddress(A1), blockNumber: 3n }), 10n ** 18n + 3n)
    assert.is(await client.getTransactionCount({ address: getAddress(A1) }), 4)
    assert.is(await client.getCode({ address: TOKEN }), "0x6080")
    assert.is(await client.getStorageAt({ address: TOKEN, slot: "0x1" }), `0x${"2a".padStart(64, "0")}`)
    assert.is(await client.getGasPrice(), 8n)
    assert.is(await client.estimateMaxPriorityFeePerGas(), 1n)
    const fees = await client.estimateFeesPerGas()
    assert.ok(fees.maxFeePerGas! >= 8n && fees.maxPriorityFeePerGas === 1n, JSON.stringify(fees, (_, v) => typeof v === "bigint" ? String(v) : v))
    const fh = await client.getFeeHistory({ blockCount: 3, rewardPercentiles: [50] })
    assert.is(fh.oldestBlock, 3n)
    assert.equal(fh.reward, [[3n], [0n], [5n]])
    assert.is(await client.estimateGas({ account: getAddress(A1), to: getAddress(B), value: 1n }), 21000n)

    try {
      await client.readContract({ address: getAddress(REVERTER), abi: REVERTER_ABI, functionName: "f" })
      assert.unreachable("the call reverts")
    } catch (e) {
      assert.instance(e, BaseError)
      const revert = (e as BaseError).walk((x) => x instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null
      assert.ok(revert !== null, String(e))
      assert.is(revert!.reason, "not enough")
    }
  } finally {
    await h.close()
  }
})

test("viem wallet client: sendTransaction prepares (pending nonce, gas, fees, chain id) and sends the raw tx", async () => {
  const h = await startHarness()
  try {
    const chain = defineChain({ id: 1337, name: "cyber", nativeCurrency: { name: "boot", symbol: "BOOT", decimals: 18 }, rpcUrls: { default: { http: [h.url] } } })
    const wallet = createWalletClient({ account: privateKeyToAccount(bytesToHex(KEY1)), chain, transport: http(h.url) })
    const hash = await wallet.sendTransaction({ to: getAddress(B), value: 1n })
    const raw = h.backend.broadcast.at(-1)!
    assert.is(hash, ethHash(raw))
    const sent = Transaction.from(bytesToHex(raw))
    assert.is(sent.nonce, 4)
    assert.is(sent.chainId, 1337n)
    assert.is(sent.gasLimit, 21000n)
    assert.is(sent.type, 2)
    const client = createPublicClient({ chain, transport: http(h.url) })
    const pending = await client.getTransaction({ hash })
    assert.is(pending.blockNumber, null)
    assert.is(await client.getTransactionCount({ address: getAddress(A1), blockTag: "pending" }), 5)
  } finally {
    await h.close()
  }
})

test("ethers provider and wallet: blocks, txs, receipts, logs, fee data, revert reason, send", async () => {
  const h = await startHarness()
  const provider = new JsonRpcProvider(h.url, Network.from(1337), { staticNetwork: true, polling: false, cacheTimeout: -1 })
  try {
    assert.is(await provider.getBlockNumber(), 5)
    const b2 = await provider.getBlock(2, true)
    assert.ok(b2 !== null)
    assert.is(b2!.hash, bytesToHex(h.blocks[1]!.hash))
    assert.is(b2!.prefetchedTransactions.length, 2)
    assert.is(b2!.prefetchedTransactions[0]!.hash, ethHash(LEGACY))
    assert.is(b2!.gasUsed, 141000n)
    assert.is(b2!.baseFeePerGas, 7n)
    assert.is((await provider.getBlock("latest"))!.number, 5)
    const legacy = await provider.getTransaction(ethHash(LEGACY))
    assert.is(legacy!.type, 0)
    assert.is(legacy!.value, 1000n)
    assert.is(legacy!.from, getAddress(A1))
    assert.is(legacy!.chainId, 1337n)
    const transfer = await provider.getTransaction(ethHash(TRANSFER))
    assert.is(transfer!.type, 2)
    assert.is(transfer!.maxFeePerGas, 30n)
    const receipt = await provider.getTransactionReceipt(ethHash(CREATE))
    assert.is(receipt!.status, 1)
    assert.is(receipt!.contractAddress, getAddress(TOKEN))
    assert.is(receipt!.cumulativeGasUsed, 141000n)
    assert.is(receipt!.logs[0]!.topics[0], TRANSFER_TOPIC)
    assert.is((await provider.getTransactionReceipt(ethHash(REVERT)))!.status, 0)
    const logs = await provider.getLogs({ address: TOKEN, fromBlock: 1, toBlock: "latest", topics: [TRANSFER_TOPIC] })
    assert.equal(logs.map((l) => [l.blockNumber, l.index, l.transactionHash]), [[2, 0, ethHash(CREATE)], [3, 0, ethHash(TRANSFER)]])
    const fee = await provider.getFeeData()
    assert.is(fee.gasPrice, 8n)
    assert.is(fee.maxPriorityFeePerGas, 1n)
    assert.is(await provider.getBalance(A1), 10n ** 18n)

    const reverter = new Contract(REVERTER, ["function f() view returns (uint256)"], provider)
    try {
      await reverter.getFunction("f").staticCall()
      assert.unreachable("the call reverts")
    } catch (e) {
      const err = e as { code?: string; reason?: string }
      assert.is(err.code, "CALL_EXCEPTION", String(e))
      assert.is(err.reason, "not enough")
    }

    const wallet = new Wallet(bytesToHex(KEY1), provider)
    const sent = await wallet.sendTransaction({ to: B, value: 1n })
    const raw = h.backend.broadcast.at(-1)!
    assert.is(sent.hash, ethHash(raw))
    assert.is(sent.nonce, 4)
    assert.is(sent.chainId, 1337n)
  } finally {
    provider.destroy()
    await h.close()
  }
})

test.run()
