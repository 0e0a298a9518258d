/**
 * Ethereum views of the chain's blocks for the JSON-RPC service: which of a block's txs are
 * Ethereum txs, their decoded fields, receipts, logs and blooms, built from the block store
 * (StoredBlock + StoredBlockResults) and the `ethereum_tx` / `ethereum_log` events the evm machine
 * emits (see plugins/evm docs: one `ethereum_tx` per executed Ethereum tx, then one `ethereum_log`
 * per log in order). Nothing here touches chain state; it only reads what consensus stored.
 *
 * A block's Ethereum txs are the txs whose result carries an `ethereum_tx` event; the Ethereum
 * transaction index is their order among them, and log indices run across the whole block, as
 * in Ethereum. The logs bloom is Ethereum's 2048-bit bloom (yellow paper §4.3.1, M3:2048) over each
 * log's address and topics, hashed with @noble/hashes keccak_256 (the hash @ethereumjs uses).
 *
 * Source: ethereum/execution-apis (block, transaction, receipt and log objects); go-ethereum
 * core/types/bloom9.go and @ethereumjs/vm bloom/index.ts (the bloom bit positions).
 */
import type { BlockStore, StoredBlock, StoredBlockResults } from "../../../chain/BlockStore.ts"
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { createTxFromRLP } from "@ethereumjs/tx"
import { keccak_256 } from "@noble/hashes/sha3.js"
import { rawTxChainId } from "../internal/EthTx.ts"
import { evmCommon } from "../internal/Rules.ts"
import { EthRpcError, RpcCode, ZERO_ADDRESS, ZERO_HASH, hex, hex32, qty } from "./Codec.ts"

/** The block-store reads the service uses (a structural subset of chain/BlockStore.ts). */
export type EthBlockStore = Pick<BlockStore, "base" | "resultsHeight" | "block" | "blockByHash" | "results" | "searchTxs">

/** One Ethereum log as served (`logIndex` counts across the block). */
export interface EthLog {
  readonly address: string
  readonly topics: ReadonlyArray<string>
  readonly data: string
  readonly logIndex: number
}

/** One Ethereum tx of a block, with what its `ethereum_tx` event says about its execution. */
export interface EthTx {
  /** keccak256 of the raw bytes, 0x lowercase. */
  readonly hash: string
  readonly raw: Uint8Array
  /** Position among all of the block's txs (Cosmos ones included). */
  readonly cometIndex: number
  /** Position among the block's Ethereum txs (Ethereum's transactionIndex). */
  readonly index: number
  /** The `ethereum_tx` event's attributes. */
  readonly attrs: Readonly<Record<string, string>>
  readonly logs: ReadonlyArray<EthLog>
  readonly gasUsed: bigint
  /** Sum of gasUsed over this tx and the block's Ethereum txs before it. */
  readonly cumulativeGasUsed: bigint
  /** 256-byte logs bloom of this tx's logs. */
  readonly bloom: Uint8Array
}

/** A block with its Ethereum txs. */
export interface EthBlock {
  readonly height: number
  /** CometBFT block hash, 0x lowercase. */
  readonly hash: string
  readonly block: StoredBlock
  readonly results: StoredBlockResults
  readonly txs: ReadonlyArray<EthTx>
  readonly gasUsed: bigint
  /** OR of the txs' blooms. */
  readonly bloom: Uint8Array
}

/** The 2048-bit bloom: add keccak256(item)'s three 11-bit positions. */
export const bloomAdd = (bloom: Uint8Array, item: Uint8Array): void => {
  const h = keccak_256(item)
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i]! << 8) | h[i + 1]!) & 2047
    bloom[255 - (bit >> 3)]! |= 1 << (bit & 7)
  }
}

const fromHex = (s: string): Uint8Array => Buffer.from(s.replace(/^0x/, ""), "hex")

const attributesOf = (ev: ExecTxResult["events"][number]): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const a of ev.attributes) out[a.key] = a.value
  return out
}

const bigOr0 = (s: string | undefined): bigint => (s !== undefined && /^[0-9]+$/.test(s) ? BigInt(s) : 0n)

/**
 * The Ethereum view of one height, or undefined when the block or its results are not (or no
 * longer) in the store.
 */
export const loadEthBlock = async (store: EthBlockStore, height: number): Promise<EthBlock | undefined> => {
  const block = await store.block(height)
  if (block === undefined) return undefined
  const results = await store.results(height)
  if (results === undefined) return undefined
  const txs: EthTx[] = []
  const blockBloom = new Uint8Array(256)
  let cumulative = 0n
  let logIndex = 0
  results.txResults.forEach((result, cometIndex) => {
    const evIdx = result.events.findIndex((e) => e.type === "ethereum_tx")
    if (evIdx < 0) return
    const raw = block.txs[cometIndex]
    if (raw === undefined) return
    const attrs = attributesOf(result.events[evIdx]!)
    const logs: EthLog[] = []
    const bloom = new Uint8Array(256)
    for (const ev of result.events.slice(evIdx + 1)) {
      if (ev.type === "ethereum_tx") break
      if (ev.type !== "ethereum_log") continue
      const a = attributesOf(ev)
      const address = (a.address ?? ZERO_ADDRESS).toLowerCase()
      const topics = (a.topics ?? "") === "" ? [] : a.topics!.split(",").map((t) => t.trim().toLowerCase())
      logs.push({ address, topics, data: (a.data ?? "0x").toLowerCase() || "0x", logIndex: logIndex++ })
      bloomAdd(bloom, fromHex(address))
      for (const t of topics) bloomAdd(bloom, fromHex(t))
    }
    for (let i = 0; i < 256; i++) blockBloom[i]! |= bloom[i]!
    const gasUsed = bigOr0(attrs.gas_used)
    cumulative += gasUsed
    const hash = (attrs.hash ?? hex(keccak_256(raw))).toLowerCase()
    txs.push({ hash, raw, cometIndex, index: txs.length, attrs, logs, gasUsed, cumulativeGasUsed: cumulative, bloom })
  })
  return { height, hash: hex(block.hash), block, results, txs, gasUsed: cumulative, bloom: blockBloom }
}

/** A small cache of immutable block views (most recently used kept). */
export const ethBlockCache = (store: EthBlockStore, size = 64) => {
  const cache = new Map<number, EthBlock>()
  return async (height: number): Promise<EthBlock | undefined> => {
    const hit = cache.get(height)
    if (hit !== undefined) {
      cache.delete(height)
      cache.set(height, hit)
      return hit
    }
    const b = await loadEthBlock(store, height)
    if (b === undefined) return undefined
    cache.set(height, b)
    if (cache.size > size) cache.delete(cache.keys().next().value!)
    return b
  }
}

/** A decoded Ethereum tx (the @ethereumjs/tx object). */
export type DecodedTx = ReturnType<typeof createTxFromRLP>

/**
 * Decode a raw Ethereum tx (legacy RLP or an EIP-2718 typed envelope) with @ethereumjs/tx, under
 * a Common carrying the chain id it was signed for (`fallbackChainId` for pre-EIP-155 legacy txs).
 * Throws @ethereumjs's error on malformed bytes.
 */
export const decodeTx = (raw: Uint8Array, fallbackChainId: bigint): DecodedTx =>
  createTxFromRLP(raw, { common: evmCommon(rawTxChainId(raw) ?? fallbackChainId) })

/**
 * The JSON-RPC transaction object of a tx: mined (`b` its block) or pending (`b` undefined:
 * blockHash, blockNumber and transactionIndex are null).
 */
export const formatTx = (
  b: Pick<EthBlock, "hash" | "height"> | undefined,
  t: Pick<EthTx, "hash" | "raw" | "index" | "attrs">,
  fallbackChainId: bigint
): Record<string, unknown> => {
  let tx: DecodedTx
  try {
    tx = decodeTx(t.raw, fallbackChainId)
  } catch (e) {
    throw new EthRpcError(RpcCode.Internal, `internal error: tx ${t.hash} does not decode: ${(e as Error).message}`)
  }
  const j = tx.toJSON() as Record<string, unknown>
  const from = t.attrs.from !== undefined && t.attrs.from !== "" ? t.attrs.from.toLowerCase() : tx.getSenderAddress().toString()
  const out: Record<string, unknown> = {
    blockHash: b === undefined ? null : b.hash,
    blockNumber: b === undefined ? null : qty(b.height),
    from,
    gas: j.gasLimit,
    gasPrice: undefined,
    hash: t.hash,
    input: j.data ?? "0x",
    nonce: j.nonce,
    to: tx.to === undefined ? null : tx.to.toString(),
    transactionIndex: b === undefined ? null : qty(t.index),
    value: j.value,
    type: qty(tx.type),
    v: j.v,
    r: j.r,
    s: j.s
  }
  const effective = t.attrs.effective_gas_price
  if (tx.type === 0) {
    out.gasPrice = j.gasPrice
    const chainId = rawTxChainId(t.raw)
    if (chainId !== undefined) out.chainId = qty(chainId)
  } else {
    out.chainId = j.chainId
    out.yParity = j.yParity ?? j.v
    out.accessList = j.accessList ?? []
    if (tx.type === 1) out.gasPrice = j.gasPrice
    else {
      out.maxFeePerGas = j.maxFeePerGas
      out.maxPriorityFeePerGas = j.maxPriorityFeePerGas
      out.gasPrice = effective !== undefined && /^[0-9]+$/.test(effective) ? qty(BigInt(effective)) : j.maxFeePerGas
    }
    if (j.maxFeePerBlobGas !== undefined) out.maxFeePerBlobGas = j.maxFeePerBlobGas
    if (j.blobVersionedHashes !== undefined) out.blobVersionedHashes = j.blobVersionedHashes
    if (j.authorizationList !== undefined) out.authorizationList = j.authorizationList
  }
  return out
}

/** The JSON-RPC log object of a mined log. */
export const formatLog = (b: EthBlock, t: EthTx, l: EthLog): Record<string, unknown> => ({
  address: l.address,
  topics: [...l.topics],
  data: l.data,
  blockNumber: qty(b.height),
  blockHash: b.hash,
  blockTimestamp: qty(b.block.header.time.seconds),
  transactionHash: t.hash,
  transactionIndex: qty(t.index),
  logIndex: qty(l.logIndex),
  removed: false
})

/** The JSON-RPC receipt object of a mined tx. */
export const formatReceipt = (b: EthBlock, t: EthTx, fallbackChainId: bigint): Record<string, unknown> => {
  const tx = formatTx(b, t, fallbackChainId)
  const contract = t.attrs.contract_address
  const price = t.attrs.effective_gas_price
  return {
    transactionHash: t.hash,
    transactionIndex: qty(t.index),
    blockHash: b.hash,
    blockNumber: qty(b.height),
    from: tx.from,
    to: tx.to,
    cumulativeGasUsed: qty(t.cumulativeGasUsed),
    gasUsed: qty(t.gasUsed),
    effectiveGasPrice: price !== undefined && /^[0-9]+$/.test(price) ? qty(BigInt(price)) : tx.gasPrice,
    contractAddress: contract !== undefined && contract !== "" ? contract.toLowerCase() : null,
    logs: t.logs.map((l) => formatLog(b, t, l)),
    logsBloom: hex(t.bloom),
    type: tx.type,
    status: t.attrs.status === "1" ? "0x1" : "0x0"
  }
}

/** keccak256(RLP([])): the ommers hash of a block without uncles. */
export const EMPTY_UNCLES_HASH = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"
/** Root of the empty Merkle-Patricia trie: transactionsRoot / receiptsRoot of a block without Ethereum txs. */
export const EMPTY_TRIE_ROOT = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"

/** What a block object needs beyond the block: the evm params of the chain. */
export interface BlockParams {
  readonly baseFee: bigint
  readonly blockGasLimit: bigint
  readonly chainId: bigint
}

/**
 * The JSON-RPC block object. `full` puts transaction objects in `transactions`, else hashes.
 * transactionsRoot and receiptsRoot are the empty-trie root for a block without Ethereum txs and
 * the zero hash otherwise (not computed); stateRoot is the app hash after the block.
 */
export const formatBlock = (b: EthBlock, full: boolean, p: BlockParams): Record<string, unknown> => {
  const h = b.block.header
  const parent = h.lastBlockId?.hash
  const size = b.block.txs.reduce((n, tx) => n + tx.length, 0) + 512
  const roots = b.txs.length === 0 ? EMPTY_TRIE_ROOT : ZERO_HASH
  return {
    number: qty(b.height),
    hash: b.hash,
    parentHash: parent !== undefined && parent.length === 32 ? hex(parent) : ZERO_HASH,
    nonce: "0x0000000000000000",
    mixHash: ZERO_HASH,
    sha3Uncles: EMPTY_UNCLES_HASH,
    logsBloom: hex(b.bloom),
    transactionsRoot: roots,
    stateRoot: b.results.appHash.length > 0 ? hex32(b.results.appHash) : ZERO_HASH,
    receiptsRoot: roots,
    miner: h.proposerAddress.length === 20 ? hex(h.proposerAddress) : ZERO_ADDRESS,
    difficulty: "0x0",
    totalDifficulty: "0x0",
    extraData: "0x",
    size: qty(size),
    gasLimit: qty(p.blockGasLimit),
    gasUsed: qty(b.gasUsed),
    timestamp: qty(h.time.seconds),
    baseFeePerGas: qty(p.baseFee),
    transactions: full ? b.txs.map((t) => formatTx(b, t, p.chainId)) : b.txs.map((t) => t.hash),
    uncles: []
  }
}
