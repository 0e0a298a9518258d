/**
 * The evm JSON-RPC methods over the fixture chain (test/evm-rpc/fixtures/chain.ts) and a fake evm
 * backend: every method's result shape and values, block tags and heights passed to the ABCI
 * queries, the error codes (-32602 naming the param, 3 for a revert with its data, -32000 for a
 * refused tx, a query error or missing state), eth_getLogs filters and limits, receipts, blooms.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { createTx } from "@ethereumjs/tx"
import { Bloom } from "@ethereumjs/vm"
import { bytesToHex, hexToBytes } from "@ethereumjs/util"
import { startHarness, type Harness } from "./fixtures/harness.ts"
import {
  A1, A2, B, COSMOS_TX, CREATE, KEY1, KEY2, LEGACY, OTHER, OTHER_CONTRACT, OTHER_TOPIC, REVERT, REVERT_DATA, REVERTER, TOKEN,
  TRANSFER, TRANSFER_TOPIC, common, ethHash, topicOf
} from "./fixtures/chain.ts"

let h: Harness
test.before(async () => {
  h = await startHarness()
})
test.after(async () => {
  await h.close()
})

const ok = async (method: string, params: unknown[] = []) => {
  const a = await h.call(method, params)
  assert.is(a.error, undefined, `${method} ${JSON.stringify(params)}: ${JSON.stringify(a.error)}`)
  return a.result
}
const err = async (method: string, params: unknown[], code: number, includes: string) => {
  const a = await h.call(method, params)
  assert.ok(a.error !== undefined, `${method} ${JSON.stringify(params)} should fail, got ${JSON.stringify(a.result)}`)
  assert.is(a.error!.code, code, `${method}: ${a.error!.message}`)
  assert.ok(a.error!.message.includes(includes), `${method}: "${a.error!.message}" should include "${includes}"`)
  return a.error!
}
const hex0 = (n: number | bigint) => `0x${n.toString(16)}`
const lastQuery = () => h.backend.queries[h.backend.queries.length - 1]!

test("identity and chain tip: chainId, net_version, clientVersion, blockNumber, syncing, accounts", async () => {
  assert.is(await ok("eth_chainId"), "0x539")
  assert.is(await ok("net_version"), "1337")
  assert.match(await ok("web3_clientVersion"), /^cyberkernel-evm\//)
  assert.is(await ok("net_listening"), true)
  assert.is(await ok("eth_syncing"), false)
  assert.equal(await ok("eth_accounts"), [])
  assert.is(await ok("eth_blockNumber"), "0x5")
  assert.is(await ok("web3_sha3", ["0x"]), "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
})

test("state reads: tags read the latest state, numbers and {blockHash} pass the ABCI height", async () => {
  assert.is(await ok("eth_getBalance", [A1, "latest"]), hex0(10n ** 18n))
  assert.is(lastQuery().path, "/cyberkernel.evm.v1.Query/Account")
  assert.equal(lastQuery().body, { address: A1.toLowerCase() })
  assert.is(lastQuery().height, undefined)
  assert.is(await ok("eth_getBalance", [A1.toUpperCase().replace("0X", "0x"), "0x3"]), hex0(10n ** 18n + 3n))
  assert.is(lastQuery().height, 3n)
  for (const tag of ["pending", "safe", "finalized"]) {
    await ok("eth_getBalance", [A1, tag])
    assert.is(lastQuery().height, undefined, tag)
  }
  await ok("eth_getBalance", [A1, { blockHash: bytesToHex(h.blocks[3]!.hash) }])
  assert.is(lastQuery().height, 4n, "EIP-1898 blockHash resolves to its height")
  await ok("eth_getBalance", [A1, { blockNumber: "0x2" }])
  assert.is(lastQuery().height, 2n)
  await ok("eth_getBalance", [A1])
  assert.is(lastQuery().height, undefined, "block defaults to latest")
  assert.is(await ok("eth_getTransactionCount", [A1, "latest"]), "0x4")
  assert.is(await ok("eth_getTransactionCount", [B, "0x2"]), "0x0")
  assert.is(await ok("eth_getCode", [TOKEN, "latest"]), "0x6080")
  assert.equal(lastQuery().body, { address: TOKEN })
  assert.is(await ok("eth_getCode", [B, "latest"]), "0x")
  assert.is(await ok("eth_getStorageAt", [TOKEN, "0x1", "latest"]), `0x${"0".repeat(62)}2a`)
  assert.equal(lastQuery().body, { address: TOKEN, slot: `0x${"0".repeat(63)}1` }, "slot padded to 32 bytes")
  assert.is(await ok("eth_getStorageAt", [TOKEN, "0x2", "0x5"]), `0x${"0".repeat(64)}`)
})

test("state reads: missing state and future blocks are -32000, malformed params -32602 naming the param", async () => {
  await err("eth_getBalance", [A1, "earliest"], -32000, "pruned")
  assert.is(lastQuery().height, 1n, "earliest is block 1")
  await err("eth_getBalance", [A1, "0x1"], -32000, "state at height 1 is pruned")
  await err("eth_getBalance", [A1, "0x99"], -32000, "header not found")
  await err("eth_getBalance", [A1, { blockHash: `0x${"12".repeat(32)}` }], -32000, "not found")
  await err("eth_getBalance", ["0x1234", "latest"], -32602, "address")
  await err("eth_getBalance", [], -32602, "address: missing")
  await err("eth_getBalance", [A1, "newest"], -32602, "block")
  await err("eth_getBalance", [A1, "latest", 1], -32602, "too many params")
  await err("eth_getStorageAt", [TOKEN, "1", "latest"], -32602, "slot")
  await err("eth_getCode", [42], -32602, "address")
})

/** The last Call/EstimateGas body without the block time the endpoint adds. */
const untimed = (): Record<string, unknown> => {
  const { timestamp: _t, ...rest } = lastQuery().body as Record<string, unknown>
  return rest
}

test("eth_call: return data; a revert is code 3 'execution reverted: <reason>' with the revert data", async () => {
  const call = { from: A1, to: TOKEN, data: "0x70a08231", value: "0x10", gas: "0x5208" }
  assert.is(await ok("eth_call", [call, "latest"]), `0x${"f4240".padStart(64, "0")}`)
  assert.match(String((lastQuery().body as Record<string, unknown>).timestamp), /^[1-9][0-9]*$/, "the time of the block whose state it reads")
  assert.equal(untimed(), { from: A1, to: TOKEN, data: "0x70a08231", value: "16", gas: "21000" }, "decimal value and gas")
  assert.is(lastQuery().path, "/cyberkernel.evm.v1.Query/Call")
  await ok("eth_call", [{ to: TOKEN, input: "0xAB" }, "0x3"])
  assert.equal(untimed(), { to: TOKEN, data: "0xab" }, "input is the data")
  assert.is(lastQuery().height, 3n)
  const e = await err("eth_call", [{ from: A1, to: REVERTER, data: "0x12" }, "latest"], 3, "execution reverted: not enough")
  assert.is(e.message, "execution reverted: not enough")
  assert.is(e.data, REVERT_DATA)
  await err("eth_call", [{ to: `0x${"ee".repeat(20)}` }, "latest"], -32000, "call data too large")
  await err("eth_call", [{ to: "0xzz" }], -32602, "transaction.to")
  await err("eth_call", [{ to: TOKEN, data: "0x1", }], -32602, "transaction.data")
  await err("eth_call", [{ to: TOKEN, data: "0x01", input: "0x02" }], -32602, "transaction.input")
  await err("eth_call", [{ to: TOKEN, value: 5 }], -32602, "transaction.value")
  await err("eth_call", ["0x00"], -32602, "transaction")
  await err("eth_call", [{ to: TOKEN }, "latest", { [TOKEN]: { balance: "0x1" } }], -32602, "stateOverrides")
  assert.ok(await ok("eth_call", [{ to: TOKEN }, "latest", null]) !== undefined, "a null override is none")
})

test("eth_estimateGas: the machine's estimate as hex; a revert is code 3 with data", async () => {
  assert.is(await ok("eth_estimateGas", [{ from: A1, to: B, value: "0x1" }]), hex0(21000))
  assert.is(lastQuery().path, "/cyberkernel.evm.v1.Query/EstimateGas")
  assert.is(await ok("eth_estimateGas", [{ from: A1, to: TOKEN, data: "0x00" }, "latest"]), hex0(43210))
  const e = await err("eth_estimateGas", [{ from: A1, to: REVERTER }], 3, "execution reverted: not enough")
  assert.is(e.data, REVERT_DATA)
})

test("fees: gasPrice = base fee + min tip, maxPriorityFeePerGas = min tip, feeHistory rewards from effective prices", async () => {
  assert.is(await ok("eth_gasPrice"), "0x8")
  assert.is(await ok("eth_maxPriorityFeePerGas"), "0x1")
  const fh = await ok("eth_feeHistory", ["0x3", "latest", [25, 75]])
  assert.is(fh.oldestBlock, "0x3")
  assert.equal(fh.baseFeePerGas, ["0x7", "0x7", "0x7", "0x7"])
  assert.equal(fh.gasUsedRatio, [58000 / 30_000_000, 0, 40000 / 30_000_000])
  assert.equal(fh.reward, [["0x3", "0x3"], ["0x0", "0x0"], ["0x5", "0x5"]])
  const fh2 = await ok("eth_feeHistory", [10, "0x2"])
  assert.is(fh2.oldestBlock, "0x1", "clamped to the first block")
  assert.is(fh2.gasUsedRatio.length, 2)
  assert.is(fh2.reward, undefined, "no reward without percentiles")
  await err("eth_feeHistory", ["0x2", "latest", [75, 25]], -32602, "rewardPercentiles")
  await err("eth_feeHistory", ["0x2", "latest", [101]], -32602, "rewardPercentiles[0]")
  await err("eth_feeHistory", ["0x2", "0x50"], -32000, "header not found")
  await err("eth_feeHistory", ["two", "latest"], -32602, "blockCount")
})

test("transactions by hash: decoded fields, Ethereum index among Ethereum txs, unknown -> null", async () => {
  const legacy = await ok("eth_getTransactionByHash", [ethHash(LEGACY)])
  assert.is(legacy.hash, ethHash(LEGACY))
  assert.is(legacy.blockNumber, "0x2")
  assert.is(legacy.blockHash, bytesToHex(h.blocks[1]!.hash))
  assert.is(legacy.transactionIndex, "0x0", "the Cosmos tx before it does not count")
  assert.is(legacy.from, A1.toLowerCase())
  assert.is(legacy.to, B)
  assert.is(legacy.value, hex0(1000))
  assert.is(legacy.gas, hex0(21000))
  assert.is(legacy.gasPrice, "0x9")
  assert.is(legacy.nonce, "0x0")
  assert.is(legacy.input, "0x")
  assert.is(legacy.type, "0x0")
  assert.is(legacy.chainId, "0x539")
  assert.ok(BigInt(legacy.v) === 2709n || BigInt(legacy.v) === 2710n, "EIP-155 v")
  const create = await ok("eth_getTransactionByHash", [ethHash(CREATE)])
  assert.is(create.to, null)
  assert.is(create.type, "0x2")
  assert.is(create.transactionIndex, "0x1")
  assert.is(create.maxFeePerGas, hex0(20))
  assert.is(create.maxPriorityFeePerGas, "0x2")
  assert.is(create.gasPrice, "0x9", "effective gas price once mined")
  assert.equal(create.accessList, [])
  assert.ok(create.yParity === "0x0" || create.yParity === "0x1")
  const revert = await ok("eth_getTransactionByHash", [ethHash(REVERT)])
  assert.is(revert.type, "0x1")
  assert.is(revert.gasPrice, hex0(10))
  assert.equal(revert.accessList, [{ address: REVERTER, storageKeys: [`0x${"00".repeat(31)}01`] }])
  assert.is(revert.input, "0x12345678")
  assert.is(await ok("eth_getTransactionByHash", [`0x${"77".repeat(32)}`]), null)
  await err("eth_getTransactionByHash", ["0x1234"], -32602, "hash")
  assert.is(await ok("eth_getTransactionReceipt", [ethHash(COSMOS_TX)]), null, "a Cosmos tx has no receipt")
})

test("receipts: status, gas, cumulative gas, effective price, contract address, logs with block-wide indices, bloom", async () => {
  const r1 = await ok("eth_getTransactionReceipt", [ethHash(LEGACY)])
  assert.equal(
    { ...r1, logsBloom: undefined },
    {
      transactionHash: ethHash(LEGACY), transactionIndex: "0x0", blockHash: bytesToHex(h.blocks[1]!.hash), blockNumber: "0x2",
      from: A1.toLowerCase(), to: B, cumulativeGasUsed: hex0(21000), gasUsed: hex0(21000), effectiveGasPrice: "0x9",
      contractAddress: null, logs: [], logsBloom: undefined, type: "0x0", status: "0x1"
    }
  )
  assert.is(r1.logsBloom, `0x${"0".repeat(512)}`)
  const r2 = await ok("eth_getTransactionReceipt", [ethHash(CREATE)])
  assert.is(r2.contractAddress, TOKEN)
  assert.is(r2.to, null)
  assert.is(r2.cumulativeGasUsed, hex0(141000))
  assert.is(r2.gasUsed, hex0(120000))
  assert.is(r2.type, "0x2")
  assert.is(r2.logs.length, 1)
  assert.equal(r2.logs[0].topics, [TRANSFER_TOPIC, topicOf(`0x${"00".repeat(20)}`), topicOf(A1.toLowerCase())])
  assert.is(r2.logs[0].transactionIndex, "0x1")
  assert.is(r2.logs[0].logIndex, "0x0")
  assert.is(r2.logs[0].removed, false)
  const bloom = new Bloom()
  bloom.add(hexToBytes(TOKEN))
  for (const t of r2.logs[0].topics) bloom.add(hexToBytes(t))
  assert.is(r2.logsBloom, bytesToHex(bloom.bitvector), "bloom equals @ethereumjs/vm's")
  const rv = await ok("eth_getTransactionReceipt", [ethHash(REVERT)])
  assert.is(rv.status, "0x0")
  assert.is(rv.type, "0x1")
  assert.is(rv.effectiveGasPrice, hex0(10))
  const rt = await ok("eth_getTransactionReceipt", [ethHash(TRANSFER)])
  assert.is(rt.cumulativeGasUsed, hex0(58000))
  const ro = await ok("eth_getTransactionReceipt", [ethHash(OTHER)])
  assert.equal(ro.logs.map((l: any) => [l.logIndex, l.topics]), [["0x0", [OTHER_TOPIC]], ["0x1", []]])
  assert.is(ro.from, A2.toLowerCase())
  assert.is(await ok("eth_getTransactionReceipt", [`0x${"77".repeat(32)}`]), null)
  const all = await ok("eth_getBlockReceipts", ["0x3"])
  assert.equal(all.map((r: any) => r.transactionHash), [ethHash(REVERT), ethHash(TRANSFER)])
})

test("blocks: by number, tag and hash; hashes or full txs; parent links; gas; bloom; counts", async () => {
  const b2 = await ok("eth_getBlockByNumber", ["0x2", false])
  assert.is(b2.number, "0x2")
  assert.is(b2.hash, bytesToHex(h.blocks[1]!.hash))
  assert.is(b2.parentHash, bytesToHex(h.blocks[0]!.hash))
  assert.equal(b2.transactions, [ethHash(LEGACY), ethHash(CREATE)])
  assert.is(b2.gasUsed, hex0(141000))
  assert.is(b2.gasLimit, hex0(30_000_000))
  assert.is(b2.baseFeePerGas, "0x7")
  assert.is(b2.timestamp, hex0(h.blocks[1]!.header.time.seconds))
  assert.is(b2.miner, `0x${"07".repeat(20)}`)
  assert.is(b2.nonce, "0x0000000000000000")
  assert.is(b2.difficulty, "0x0")
  assert.is(b2.extraData, "0x")
  assert.equal(b2.uncles, [])
  assert.is(b2.sha3Uncles, "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")
  assert.match(b2.stateRoot, /^0x[0-9a-f]{64}$/)
  assert.match(b2.logsBloom, /^0x[0-9a-f]{512}$/)
  const receipt = await ok("eth_getTransactionReceipt", [ethHash(CREATE)])
  assert.is(b2.logsBloom, receipt.logsBloom, "the block bloom covers its only log")
  const b2full = await ok("eth_getBlockByNumber", ["0x2", true])
  assert.equal(b2full.transactions.map((t: any) => t.hash), b2.transactions)
  assert.is(b2full.transactions[1].blockHash, b2.hash)
  const b1 = await ok("eth_getBlockByNumber", ["earliest", false])
  assert.is(b1.number, "0x1")
  assert.is(b1.parentHash, `0x${"0".repeat(64)}`)
  assert.equal(b1.transactions, [])
  assert.is(b1.transactionsRoot, "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
  assert.is((await ok("eth_getBlockByNumber", ["latest", false])).number, "0x5")
  assert.is((await ok("eth_getBlockByNumber", ["pending", false])).number, "0x5")
  assert.is(await ok("eth_getBlockByNumber", ["0x6", false]), null)
  assert.is(await ok("eth_getBlockByNumber", ["0x0", false]), null)
  const byHash = await ok("eth_getBlockByHash", [b2.hash, false])
  assert.equal(byHash, b2)
  assert.is(await ok("eth_getBlockByHash", [`0x${"12".repeat(32)}`, true]), null)
  assert.is(await ok("eth_getBlockTransactionCountByNumber", ["0x2"]), "0x2")
  assert.is(await ok("eth_getBlockTransactionCountByNumber", ["0x4"]), "0x0")
  assert.is(await ok("eth_getBlockTransactionCountByNumber", ["0x9"]), null)
  assert.is(await ok("eth_getBlockTransactionCountByHash", [b2.hash]), "0x2")
  assert.is((await ok("eth_getTransactionByBlockNumberAndIndex", ["0x3", "0x1"])).hash, ethHash(TRANSFER))
  assert.is((await ok("eth_getTransactionByBlockHashAndIndex", [b2.hash, "0x0"])).hash, ethHash(LEGACY))
  assert.is(await ok("eth_getTransactionByBlockNumberAndIndex", ["0x3", "0x2"]), null)
  await err("eth_getBlockByNumber", ["0x2", "yes"], -32602, "fullTransactions")
  await err("eth_getBlockByNumber", ["two"], -32602, "block")
  await err("eth_getBlockByHash", ["0x12"], -32602, "hash")
})

test("eth_getLogs: address and topic filters (null wildcards, OR arrays), ranges, blockHash", async () => {
  const logs = async (filter: Record<string, unknown>) => (await ok("eth_getLogs", [filter])) as any[]
  const ids = (ls: any[]) => ls.map((l) => `${Number(l.blockNumber)}:${Number(l.logIndex)}`)
  assert.equal(ids(await logs({ fromBlock: "earliest" })), ["2:0", "3:0", "5:0", "5:1"])
  assert.equal(ids(await logs({})), ["5:0", "5:1"], "default range is the latest block")
  assert.equal(ids(await logs({ fromBlock: "0x1", address: TOKEN })), ["2:0", "3:0"])
  assert.equal(ids(await logs({ fromBlock: "0x1", address: TOKEN.toUpperCase().replace("0X", "0x") })), ["2:0", "3:0"], "address case-insensitive")
  assert.equal(ids(await logs({ fromBlock: "0x1", address: [OTHER_CONTRACT, B] })), ["5:0", "5:1"])
  assert.equal(ids(await logs({ fromBlock: "0x1", address: [] })), ["2:0", "3:0", "5:0", "5:1"], "empty address list: any")
  assert.equal(ids(await logs({ fromBlock: "0x1", topics: [TRANSFER_TOPIC] })), ["2:0", "3:0"])
  assert.equal(ids(await logs({ fromBlock: "0x1", topics: [null, topicOf(A1.toLowerCase())] })), ["3:0"])
  assert.equal(ids(await logs({ fromBlock: "0x1", topics: [null, null, topicOf(A1.toLowerCase())] })), ["2:0"])
  assert.equal(ids(await logs({ fromBlock: "0x1", topics: [[TRANSFER_TOPIC, OTHER_TOPIC]] })), ["2:0", "3:0", "5:0"], "OR within a position")
  assert.equal(ids(await logs({ fromBlock: "0x1", topics: [[OTHER_TOPIC], null] })), [], "a null position the log lacks (as geth)")
  assert.equal(ids(await logs({ fromBlock: "0x1", topics: [null, null, null] })), ["2:0", "3:0"], "null positions need that many topics")
  assert.equal(ids(await logs({ fromBlock: "0x1", topics: [[]] })), ["2:0", "3:0", "5:0"], "an empty OR array is a wildcard for a present topic")
  assert.equal(ids(await logs({ fromBlock: "0x3", toBlock: "0x3" })), ["3:0"])
  assert.equal(ids(await logs({ fromBlock: "0x3", toBlock: "0x100" })), ["3:0", "5:0", "5:1"], "toBlock above the tip is clamped")
  assert.equal(ids(await logs({ fromBlock: "0x6" })), [], "a range above the tip is empty")
  assert.equal(ids(await logs({ blockHash: bytesToHex(h.blocks[4]!.hash) })), ["5:0", "5:1"])
  const one = (await logs({ blockHash: bytesToHex(h.blocks[2]!.hash) }))[0]
  assert.equal(one, {
    address: TOKEN, topics: [TRANSFER_TOPIC, topicOf(A1.toLowerCase()), topicOf(B)], data: `0x${"0".repeat(63)}5`,
    blockNumber: "0x3", blockHash: bytesToHex(h.blocks[2]!.hash), blockTimestamp: hex0(h.blocks[2]!.header.time.seconds),
    transactionHash: ethHash(TRANSFER), transactionIndex: "0x1", logIndex: "0x0", removed: false
  })
  await err("eth_getLogs", [{ fromBlock: "0x3", toBlock: "0x2" }], -32602, "filter.fromBlock")
  await err("eth_getLogs", [{ blockHash: bytesToHex(h.blocks[2]!.hash), fromBlock: "0x1" }], -32602, "filter.blockHash")
  await err("eth_getLogs", [{ blockHash: `0x${"12".repeat(32)}` }], -32000, "unknown block")
  await err("eth_getLogs", [{ address: "0x12" }], -32602, "filter.address")
  await err("eth_getLogs", [{ address: [TOKEN, 5] }], -32602, "filter.address[1]")
  await err("eth_getLogs", [{ topics: ["0x12"] }], -32602, "filter.topics[0]")
  await err("eth_getLogs", [{ topics: [null, [TRANSFER_TOPIC, "x"]] }], -32602, "filter.topics[1][1]")
  await err("eth_getLogs", [{ topics: [null, null, null, null, null] }], -32602, "filter.topics")
  await err("eth_getLogs", ["latest"], -32602, "filter")
})

test("eth_getLogs limits: block range and result count (config)", async () => {
  const small = await startHarness({ rpc_max_block_range: 2, rpc_max_logs: 3 })
  try {
    const a = await small.call("eth_getLogs", [{ fromBlock: "0x1", toBlock: "0x3" }])
    assert.is(a.error?.code, -32000)
    assert.ok(a.error!.message.includes("block range too large: 3 blocks, at most 2"), a.error!.message)
    assert.is((await small.call("eth_getLogs", [{ fromBlock: "0x2", toBlock: "0x3" }])).result.length, 2)
    const b = await small.call("eth_getLogs", [{ fromBlock: "0x3", toBlock: "0x5" }])
    assert.is(b.error?.code, -32000, "range 3 > 2")
    const c = await small.call("eth_getLogs", [{ fromBlock: "0x4", toBlock: "0x5" }])
    assert.is(c.result.length, 2)
    const tooMany = await startHarness({ rpc_max_logs: 3 })
    try {
      const d = await tooMany.call("eth_getLogs", [{ fromBlock: "0x1" }])
      assert.is(d.error?.code, -32000)
      assert.ok(d.error!.message.includes("more than 3 results"), d.error!.message)
    } finally {
      await tooMany.close()
    }
  } finally {
    await small.close()
  }
})

test("eth_sendRawTransaction: hash = keccak256(bytes), CheckTx refusals are -32000 with the log, pending nonce and tx", async () => {
  const tx = createTx({ type: 2, nonce: 4, maxFeePerGas: 20, maxPriorityFeePerGas: 1, gasLimit: 21000, to: B, value: 1, chainId: 1337n }, { common }).sign(KEY1).serialize()
  assert.is(await ok("eth_sendRawTransaction", [bytesToHex(tx)]), ethHash(tx))
  assert.is(bytesToHex(h.backend.broadcast.at(-1)!), bytesToHex(tx), "the raw bytes go to CheckTx as they are")
  assert.is(await ok("eth_getTransactionCount", [A1, "pending"]), "0x5", "pending counts txs sent through this service")
  assert.is(await ok("eth_getTransactionCount", [A1, "latest"]), "0x4")
  const pending = await ok("eth_getTransactionByHash", [ethHash(tx)])
  assert.is(pending.blockHash, null)
  assert.is(pending.blockNumber, null)
  assert.is(pending.transactionIndex, null)
  assert.is(pending.nonce, "0x4")
  assert.is(pending.from, A1.toLowerCase())
  assert.is(await ok("eth_getTransactionReceipt", [ethHash(tx)]), null)
  h.backend.nonces.set(A1, 5n)
  assert.is(await ok("eth_getTransactionCount", [A1, "pending"]), "0x5", "the state caught up")
  const low = createTx({ nonce: 0, gasPrice: 9, gasLimit: 21000, to: B, value: 1 }, { common }).sign(KEY1).serialize()
  await err("eth_sendRawTransaction", [bytesToHex(low)], -32000, "nonce too low")
  const poor = createTx({ nonce: 1, gasPrice: 9, gasLimit: 21000, to: B, value: 1 }, { common }).sign(KEY2).serialize()
  await err("eth_sendRawTransaction", [bytesToHex(poor)], -32000, "insufficient funds")
  await err("eth_sendRawTransaction", ["0xdeadbeef"], -32602, "transaction")
  await err("eth_sendRawTransaction", ["0x"], -32602, "transaction")
  await err("eth_sendRawTransaction", ["hello"], -32602, "transaction")
  const unsigned = createTx({ nonce: 1, gasPrice: 9, gasLimit: 21000, to: B }, { common }).serialize()
  await err("eth_sendRawTransaction", [bytesToHex(unsigned)], -32602, "transaction")
})

test("unknown method is -32601; params not an array is -32602", async () => {
  const a = await h.call("eth_subscribe", ["newHeads"])
  assert.is(a.error?.code, -32601)
  const b = (await h.post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getBalance", params: { address: A1 } }))).json
  assert.is(b.error.code, -32602)
})

test.run()
