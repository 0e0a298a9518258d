/**
 * The Ethereum JSON-RPC methods of the evm plugin's RPC service. State reads (balance, nonce,
 * code, storage, call, gas estimate, params) are ABCI queries to the evm machine
 * (`/cyberkernel.evm.v1.Query/*`, JSON bodies, optional height = block number); blocks,
 * transactions, receipts and logs come from the block store (Chain.ts); raw transactions go to
 * the mempool through CheckTx.
 *
 * Each method takes the positional `params` array and returns the JSON result or throws an
 * EthRpcError with a standard code (Codec.ts). docs/evm-rpc.md lists the methods and what is
 * approximated.
 *
 * Source: ethereum/execution-apis (method semantics and result shapes), go-ethereum
 * internal/ethapi (error texts: "execution reverted: <reason>", "header not found"),
 * go-ethereum eth/gasprice/feehistory.go (fee history rewards).
 */
import { keccak_256 } from "@noble/hashes/sha3.js"
import {
  EthRpcError, RpcCode, decimal, echo, hex, invalidParam, parseAddress, parseBool, parseData, parseHash, parseQuantity,
  parseSmallQuantity, qty, hex32
} from "./Codec.ts"
import {
  decodeTx, ethBlockCache, formatBlock, formatLog, formatReceipt, formatTx, type BlockParams, type EthBlock,
  type EthBlockStore, type EthTx
} from "./Chain.ts"

/** Minimal ResponseQuery (cosmjs-types tendermint.abci.ResponseQuery) fields used. */
export interface QueryAnswer {
  readonly code: number
  readonly log: string
  readonly value: Uint8Array
}

/** Minimal ResponseCheckTx fields used. */
export interface CheckTxAnswer {
  readonly code: number
  readonly log: string
  readonly codespace?: string
}

/** What the methods read and call. */
export interface EthBackend {
  readonly blockStore: EthBlockStore
  broadcastTx(tx: Uint8Array): Promise<CheckTxAnswer>
  abciQuery(req: { path: string; data: Uint8Array; height?: bigint }): Promise<QueryAnswer>
  log(line: string): void
}

/** Bounds on what one request can make the service read. */
export interface MethodLimits {
  /** Most blocks one eth_getLogs may scan (`rpc_max_block_range`, default 10000). */
  readonly maxBlockRange: number
  /** Most logs one eth_getLogs may return (`rpc_max_logs`, default 10000). */
  readonly maxLogs: number
  /** Most blocks one eth_feeHistory may cover (1024, as geth). */
  readonly maxFeeHistory: number
}

/** The service's client version string (web3_clientVersion). */
export const CLIENT_VERSION = "cyberkernel-evm/0.1.0"

/** ABCI query path prefix of the evm machine. */
const QUERY = "/cyberkernel.evm.v1.Query/"

/** How long a tx broadcast through this service counts as pending when not yet seen in a block. */
const PENDING_TTL_MS = 60_000
const PENDING_MAX = 10_000

interface EvmParams {
  readonly chainId: bigint
  readonly baseFee: bigint
  readonly minTip: bigint
  readonly blockGasLimit: bigint
}

type Method = (params: ReadonlyArray<unknown>) => Promise<unknown>

/** The method table over a backend. */
export const makeMethods = (backend: EthBackend, limits: MethodLimits): ReadonlyMap<string, Method> => {
  const store = backend.blockStore
  const ethBlock = ethBlockCache(store)
  const latest = (): number => store.resultsHeight()
  const earliest = (): number => Math.max(1, store.base())

  const query = async (name: string, body: unknown, height?: number): Promise<Record<string, unknown>> => {
    const req: { path: string; data: Uint8Array; height?: bigint } = {
      path: QUERY + name,
      data: new TextEncoder().encode(JSON.stringify(body)) // determinism-ok: RPC service, node plane
    }
    if (height !== undefined) req.height = BigInt(height)
    const res = await backend.abciQuery(req)
    if (res.code !== 0) {
      throw new EthRpcError(RpcCode.Server, res.log !== "" ? res.log : `evm query ${name} failed with code ${res.code}`)
    }
    try {
      const v = JSON.parse(new TextDecoder().decode(res.value)) as unknown
      if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>
    } catch {
      // answered below
    }
    throw new EthRpcError(RpcCode.Internal, `internal error: evm query ${name} gave a body that is not a JSON object`)
  }

  let paramsCache: { at: number; params: EvmParams } | undefined
  const params = async (): Promise<EvmParams> => {
    const at = latest()
    if (paramsCache !== undefined && paramsCache.at === at) return paramsCache.params
    const p = await query("Params", {})
    const out: EvmParams = {
      chainId: decimal(p.chain_id, "chain_id"),
      baseFee: decimal(p.base_fee ?? "0", "base_fee"),
      minTip: decimal(p.min_tip ?? "0", "min_tip"),
      blockGasLimit: decimal(p.block_gas_limit ?? "30000000", "block_gas_limit")
    }
    paramsCache = { at, params: out }
    return out
  }
  const blockParams = async (): Promise<BlockParams> => {
    const p = await params()
    return { baseFee: p.baseFee, blockGasLimit: p.blockGasLimit, chainId: p.chainId }
  }

  /** A block number from a tag, a quantity or an EIP-1898 object; `undefined` height means "latest". */
  const blockNumberOf = async (v: unknown, param: string): Promise<{ height: number; tag: boolean }> => {
    if (v === undefined || v === null) return { height: latest(), tag: true }
    if (typeof v === "string") {
      switch (v) {
        case "latest":
        case "pending":
        case "safe":
        case "finalized":
          return { height: latest(), tag: true }
        case "earliest":
          return { height: earliest(), tag: false }
      }
      return { height: parseSmallQuantity(v, param), tag: false }
    }
    if (typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>
      if (o.blockHash !== undefined) {
        const hash = parseHash(o.blockHash, `${param}.blockHash`)
        const b = await store.blockByHash(Buffer.from(hash.slice(2), "hex"))
        if (b === undefined) throw new EthRpcError(RpcCode.Server, `header for hash ${hash} not found`)
        return { height: Number(b.header.height), tag: false }
      }
      if (o.blockNumber !== undefined) return blockNumberOf(o.blockNumber, `${param}.blockNumber`)
    }
    throw invalidParam(param, `expected a block number, tag or {blockHash}, got ${echo(v)}`)
  }

  /** The ABCI query height for a state read at a block (undefined: the latest state). */
  const stateHeight = async (v: unknown, param: string): Promise<number | undefined> => {
    const { height, tag } = await blockNumberOf(v, param)
    if (tag) return undefined
    if (height > latest()) throw new EthRpcError(RpcCode.Server, `header not found: block ${height} is above the latest block ${latest()}`)
    return height
  }

  const need = (ps: ReadonlyArray<unknown>, n: number, names: ReadonlyArray<string>): void => {
    if (ps.length < n) throw invalidParam(names[ps.length] ?? `params[${ps.length}]`, "missing")
    if (ps.length > names.length) throw invalidParam(`params[${names.length}]`, `too many params (at most ${names.length})`)
  }

  const account = async (ps: ReadonlyArray<unknown>) => {
    need(ps, 1, ["address", "block"])
    const address = parseAddress(ps[0], "address")
    return query("Account", { address }, await stateHeight(ps[1], "block"))
  }

  /** The eth_call / eth_estimateGas request body the evm machine takes (decimal numbers). */
  const callRequest = (v: unknown): Record<string, string> => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalidParam("transaction", `expected an object, got ${echo(v)}`)
    const o = v as Record<string, unknown>
    const out: Record<string, string> = {}
    if (o.from !== undefined && o.from !== null) out.from = parseAddress(o.from, "transaction.from")
    if (o.to !== undefined && o.to !== null) out.to = parseAddress(o.to, "transaction.to")
    // both parsed before comparing (String() of a nested array recurses: a deep one overflows the stack)
    const hasInput = o.input !== undefined && o.input !== null
    const hasData = o.data !== undefined && o.data !== null
    const input = hasInput ? hex(parseData(o.input, "transaction.input")) : undefined
    const data = hasData ? hex(parseData(o.data, "transaction.data")) : undefined
    if (input !== undefined && data !== undefined && input !== data) {
      throw invalidParam("transaction.input", "both input and data are set and differ")
    }
    const bytes = input ?? data
    if (bytes !== undefined) out.data = bytes
    if (o.value !== undefined && o.value !== null) out.value = parseQuantity(o.value, "transaction.value").toString()
    if (o.gas !== undefined && o.gas !== null) out.gas = parseQuantity(o.gas, "transaction.gas").toString()
    for (const k of ["gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "nonce"] as const) {
      if (o[k] !== undefined && o[k] !== null) parseQuantity(o[k], `transaction.${k}`)
    }
    return out
  }

  /** The call request with the time of the block whose state it reads, so block.timestamp is that block's. */
  const atBlock = async (req: Record<string, string>, height: number | undefined): Promise<Record<string, string>> => {
    const b = await store.block(height ?? latest())
    return b ? { ...req, timestamp: b.header.time.seconds.toString() } : req
  }

  const reverted = (r: Record<string, unknown>): EthRpcError => {
    const reason = typeof r.revert_reason === "string" ? r.revert_reason : ""
    const data = typeof r.return_data === "string" && /^0x([0-9a-fA-F]{2})*$/.test(r.return_data) ? r.return_data.toLowerCase() : "0x"
    return new EthRpcError(RpcCode.ExecutionReverted, reason === "" ? "execution reverted" : `execution reverted: ${reason}`, data)
  }

  const noOverrides = (ps: ReadonlyArray<unknown>, from: number) => {
    for (let i = from; i < ps.length; i++) {
      if (ps[i] !== undefined && ps[i] !== null) throw invalidParam(i === from ? "stateOverrides" : "blockOverrides", "overrides are not supported")
    }
  }

  /** A mined tx by hash: its block view and entry, or undefined. */
  const findTx = async (hash: string): Promise<{ b: EthBlock; t: EthTx } | undefined> => {
    const page = await store.searchTxs(`ethereum_tx.hash='${hash}'`, 1, 1, "asc")
    const found = page.txs[0]
    if (found === undefined) return undefined
    const b = await ethBlock(found.height)
    const t = b?.txs.find((x) => x.cometIndex === found.index)
    return b === undefined || t === undefined ? undefined : { b, t }
  }

  // Txs broadcast through this service and not yet seen in a block: the pending nonce of their
  // sender and eth_getTransactionByHash answer from here until they are mined or expire.
  const pendingTxs = new Map<string, { raw: Uint8Array; from: string; nonce: bigint; at: number }>()
  const prunePending = () => {
    const now = Date.now() // determinism-ok: RPC service, node plane
    for (const [h, p] of pendingTxs) if (now - p.at > PENDING_TTL_MS) pendingTxs.delete(h)
    while (pendingTxs.size > PENDING_MAX) pendingTxs.delete(pendingTxs.keys().next().value!)
  }
  const pendingNonce = (from: string, stateNonce: bigint): bigint => {
    prunePending()
    let next = stateNonce
    for (const [h, p] of pendingTxs) {
      if (p.from !== from) continue
      if (p.nonce < stateNonce) pendingTxs.delete(h)
      else if (p.nonce + 1n > next) next = p.nonce + 1n
    }
    return next
  }

  const blockByNumberOrHash = async (b: EthBlock | undefined, full: unknown) => {
    const f = parseBool(full ?? false, "fullTransactions")
    return b === undefined ? null : formatBlock(b, f, await blockParams())
  }
  const blockAt = async (v: unknown, param: string): Promise<EthBlock | undefined> => {
    const { height } = await blockNumberOf(v, param)
    if (height < earliest() || height > latest()) return undefined
    return ethBlock(height)
  }
  const blockByHash = async (v: unknown, param: string): Promise<EthBlock | undefined> => {
    const hash = parseHash(v, param)
    const blk = await store.blockByHash(Buffer.from(hash.slice(2), "hex"))
    if (blk === undefined) return undefined
    const h = Number(blk.header.height)
    return h > latest() ? undefined : ethBlock(h)
  }

  const topicsFilter = (v: unknown): Array<ReadonlyArray<string> | null> => {
    if (v === undefined || v === null) return []
    if (!Array.isArray(v)) throw invalidParam("filter.topics", `expected an array, got ${echo(v)}`)
    if (v.length > 4) throw invalidParam("filter.topics", `at most 4 topic positions, got ${v.length}`)
    return v.map((pos, i) => {
      if (pos === null || pos === undefined) return null
      if (typeof pos === "string") return [parseHash(pos, `filter.topics[${i}]`)]
      if (Array.isArray(pos)) {
        if (pos.length === 0 || pos.some((x) => x === null)) return null
        return pos.map((x, j) => parseHash(x, `filter.topics[${i}][${j}]`))
      }
      throw invalidParam(`filter.topics[${i}]`, `expected a topic, null or an array of topics, got ${echo(pos)}`)
    })
  }

  const getLogs = async (ps: ReadonlyArray<unknown>) => {
    need(ps, 1, ["filter"])
    const f = ps[0]
    if (typeof f !== "object" || f === null || Array.isArray(f)) throw invalidParam("filter", `expected an object, got ${echo(f)}`)
    const o = f as Record<string, unknown>
    let addresses: ReadonlySet<string> | undefined
    if (o.address !== undefined && o.address !== null) {
      if (Array.isArray(o.address)) {
        if (o.address.length > 0) addresses = new Set(o.address.map((a, i) => parseAddress(a, `filter.address[${i}]`)))
      } else addresses = new Set([parseAddress(o.address, "filter.address")])
    }
    const topics = topicsFilter(o.topics)
    let from: number
    let to: number
    if (o.blockHash !== undefined && o.blockHash !== null) {
      if ((o.fromBlock ?? null) !== null || (o.toBlock ?? null) !== null) {
        throw invalidParam("filter.blockHash", "cannot be combined with fromBlock or toBlock")
      }
      const b = await blockByHash(o.blockHash, "filter.blockHash")
      if (b === undefined) throw new EthRpcError(RpcCode.Server, `unknown block ${String(o.blockHash)}`)
      from = to = b.height
    } else {
      const f0 = await blockNumberOf(o.fromBlock ?? "latest", "filter.fromBlock")
      const t0 = await blockNumberOf(o.toBlock ?? "latest", "filter.toBlock")
      from = f0.height
      to = t0.height
      // Two numbers out of order are a client error; a fromBlock past a tag (polling ahead of the tip) is no logs yet.
      if (from > to && !f0.tag && !t0.tag) throw invalidParam("filter.fromBlock", `block ${from} is after toBlock ${to}`)
      if (to > latest()) to = latest()
      if (from < earliest()) from = earliest()
      if (from > to) return []
      if (to - from + 1 > limits.maxBlockRange) {
        throw new EthRpcError(RpcCode.Server, `block range too large: ${to - from + 1} blocks, at most ${limits.maxBlockRange} (rpc_max_block_range)`)
      }
    }
    const out: unknown[] = []
    for (let h = from; h <= to; h++) {
      // Blocks without any log are skipped on their results alone (no block read, no cache churn).
      const r = await store.results(h)
      if (r === undefined || !r.txResults.some((x) => x.events.some((e) => e.type === "ethereum_log"))) continue
      const b = await ethBlock(h)
      if (b === undefined) continue
      for (const t of b.txs) {
        for (const l of t.logs) {
          if (addresses !== undefined && !addresses.has(l.address)) continue
          // As go-ethereum: a log with fewer topics than filter positions never matches, even a null one.
          if (l.topics.length < topics.length) continue
          if (!topics.every((want, i) => want === null || want.includes(l.topics[i]!))) continue
          if (out.length >= limits.maxLogs) {
            throw new EthRpcError(RpcCode.Server, `query returned more than ${limits.maxLogs} results (rpc_max_logs); narrow the block range`)
          }
          out.push(formatLog(b, t, l))
        }
      }
    }
    return out
  }

  const feeHistory = async (ps: ReadonlyArray<unknown>) => {
    need(ps, 2, ["blockCount", "newestBlock", "rewardPercentiles"])
    const countRaw = ps[0]
    const count = typeof countRaw === "number" && Number.isSafeInteger(countRaw) && countRaw >= 0
      ? countRaw
      : parseSmallQuantity(countRaw, "blockCount")
    let percentiles: number[] | undefined
    if (ps[2] !== undefined && ps[2] !== null) {
      if (!Array.isArray(ps[2])) throw invalidParam("rewardPercentiles", `expected an array of numbers, got ${echo(ps[2])}`)
      percentiles = ps[2].map((x, i) => {
        if (typeof x !== "number" || !(x >= 0 && x <= 100)) throw invalidParam(`rewardPercentiles[${i}]`, `expected a number in 0..100, got ${echo(x)}`)
        return x
      })
      for (let i = 1; i < percentiles.length; i++) {
        if (percentiles[i]! < percentiles[i - 1]!) throw invalidParam("rewardPercentiles", "must be increasing")
      }
      if (percentiles.length > 100) throw invalidParam("rewardPercentiles", "at most 100 percentiles")
    }
    const newest = (await blockNumberOf(ps[1], "newestBlock")).height
    if (newest > latest()) throw new EthRpcError(RpcCode.Server, `header not found: block ${newest} is above the latest block ${latest()}`)
    const p = await params()
    const n = Math.min(count, limits.maxFeeHistory, Math.max(0, newest - earliest() + 1))
    if (n === 0) return { oldestBlock: qty(newest), baseFeePerGas: [], gasUsedRatio: [], ...(percentiles ? { reward: [] } : {}) }
    const oldest = newest - n + 1
    const baseFeePerGas: string[] = []
    const gasUsedRatio: number[] = []
    const reward: string[][] = []
    for (let h = oldest; h <= newest; h++) {
      const b = await ethBlock(h)
      baseFeePerGas.push(qty(p.baseFee))
      const used = b?.gasUsed ?? 0n
      gasUsedRatio.push(p.blockGasLimit === 0n ? 0 : Number(used) / Number(p.blockGasLimit)) // determinism-ok: RPC service, node plane
      if (percentiles !== undefined) {
        const tips = (b?.txs ?? []).map((t) => {
          const price = /^[0-9]+$/.test(t.attrs.effective_gas_price ?? "") ? BigInt(t.attrs.effective_gas_price!) : p.baseFee
          return { tip: price > p.baseFee ? price - p.baseFee : 0n, gas: t.gasUsed }
        }).sort((a, c) => (a.tip < c.tip ? -1 : a.tip > c.tip ? 1 : 0))
        if (tips.length === 0 || used === 0n) reward.push(percentiles.map(() => "0x0"))
        else {
          reward.push(percentiles.map((pct) => {
            const threshold = (used * BigInt(Math.round(pct * 1000))) / 100_000n
            let sum = 0n
            for (const t of tips) {
              sum += t.gas
              if (sum >= threshold) return qty(t.tip)
            }
            return qty(tips[tips.length - 1]!.tip)
          }))
        }
      }
    }
    baseFeePerGas.push(qty(p.baseFee))
    return { oldestBlock: qty(oldest), baseFeePerGas, gasUsedRatio, ...(percentiles ? { reward } : {}) }
  }

  const txAt = async (b: EthBlock | undefined, v: unknown) => {
    const i = parseSmallQuantity(v, "index")
    const t = b?.txs[i]
    return b === undefined || t === undefined ? null : formatTx(b, t, (await params()).chainId)
  }

  const methods: Record<string, Method> = {
    web3_clientVersion: async () => CLIENT_VERSION,
    web3_sha3: async (ps) => {
      need(ps, 1, ["data"])
      return hex(keccak_256(parseData(ps[0], "data")))
    },
    net_version: async () => (await params()).chainId.toString(),
    net_listening: async () => true,
    net_peerCount: async () => "0x0",
    eth_chainId: async () => qty((await params()).chainId),
    eth_syncing: async () => false,
    eth_accounts: async () => [],
    eth_mining: async () => false,
    eth_hashrate: async () => "0x0",
    eth_blockNumber: async () => qty(latest()),
    eth_gasPrice: async () => {
      const p = await params()
      return qty(p.baseFee + p.minTip)
    },
    eth_maxPriorityFeePerGas: async () => qty((await params()).minTip),
    eth_feeHistory: feeHistory,
    eth_getBalance: async (ps) => qty(decimal((await account(ps)).balance, "balance")),
    eth_getTransactionCount: async (ps) => {
      const a = await account(ps)
      const nonce = decimal(a.nonce, "nonce")
      return qty(ps[1] === "pending" ? pendingNonce(parseAddress(ps[0], "address"), nonce) : nonce)
    },
    eth_getCode: async (ps) => {
      need(ps, 1, ["address", "block"])
      const address = parseAddress(ps[0], "address")
      const r = await query("Code", { address }, await stateHeight(ps[1], "block"))
      return typeof r.code === "string" ? r.code.toLowerCase() : "0x"
    },
    eth_getStorageAt: async (ps) => {
      need(ps, 2, ["address", "slot", "block"])
      const address = parseAddress(ps[0], "address")
      const slotN = parseQuantity(ps[1], "slot")
      const slot = hex32(Buffer.from(slotN.toString(16).padStart(64, "0"), "hex"))
      const r = await query("Storage", { address, slot }, await stateHeight(ps[2], "block"))
      return typeof r.value === "string" ? hex32(Buffer.from(r.value.replace(/^0x/, "").padStart(64, "0"), "hex")) : hex32(new Uint8Array(32))
    },
    eth_call: async (ps) => {
      need(ps, 1, ["transaction", "block", "stateOverrides", "blockOverrides"])
      const req = callRequest(ps[0])
      const height = await stateHeight(ps[1], "block")
      noOverrides(ps, 2)
      const r = await query("Call", await atBlock(req, height), height)
      if (Number(r.status) !== 1) throw reverted(r)
      return typeof r.return_data === "string" ? r.return_data.toLowerCase() : "0x"
    },
    eth_estimateGas: async (ps) => {
      need(ps, 1, ["transaction", "block", "stateOverrides"])
      const req = callRequest(ps[0])
      const height = await stateHeight(ps[1], "block")
      noOverrides(ps, 2)
      const r = await query("EstimateGas", await atBlock(req, height), height)
      if (r.status !== undefined && Number(r.status) !== 1) throw reverted(r)
      return qty(decimal(r.gas, "gas"))
    },
    eth_sendRawTransaction: async (ps) => {
      need(ps, 1, ["transaction"])
      const raw = parseData(ps[0], "transaction")
      if (raw.length === 0) throw invalidParam("transaction", "empty")
      const p = await params()
      let from: string
      let nonce: bigint
      try {
        const tx = decodeTx(raw, p.chainId)
        if (!tx.isSigned()) throw new Error("transaction is not signed")
        from = tx.getSenderAddress().toString()
        nonce = tx.nonce
      } catch (e) {
        throw invalidParam("transaction", `not a valid signed Ethereum transaction: ${(e as Error).message}`)
      }
      const hash = hex(keccak_256(raw))
      let res: CheckTxAnswer
      try {
        res = await backend.broadcastTx(raw)
      } catch (e) {
        throw new EthRpcError(RpcCode.Server, (e as Error).message)
      }
      if (res.code !== 0) throw new EthRpcError(RpcCode.Server, res.log !== "" ? res.log : `transaction refused with code ${res.code}`)
      prunePending()
      pendingTxs.set(hash, { raw, from, nonce, at: Date.now() }) // determinism-ok: RPC service, node plane
      return hash
    },
    eth_getTransactionByHash: async (ps) => {
      need(ps, 1, ["hash"])
      const hash = parseHash(ps[0], "hash")
      const f = await findTx(hash)
      const chainId = (await params()).chainId
      if (f !== undefined) {
        pendingTxs.delete(hash)
        return formatTx(f.b, f.t, chainId)
      }
      prunePending()
      const p = pendingTxs.get(hash)
      return p === undefined ? null : formatTx(undefined, { hash, raw: p.raw, index: 0, attrs: { from: p.from } }, chainId)
    },
    eth_getTransactionReceipt: async (ps) => {
      need(ps, 1, ["hash"])
      const f = await findTx(parseHash(ps[0], "hash"))
      return f === undefined ? null : formatReceipt(f.b, f.t, (await params()).chainId)
    },
    eth_getBlockByNumber: async (ps) => {
      need(ps, 1, ["block", "fullTransactions"])
      return blockByNumberOrHash(await blockAt(ps[0], "block"), ps[1])
    },
    eth_getBlockByHash: async (ps) => {
      need(ps, 1, ["hash", "fullTransactions"])
      return blockByNumberOrHash(await blockByHash(ps[0], "hash"), ps[1])
    },
    eth_getBlockTransactionCountByNumber: async (ps) => {
      need(ps, 1, ["block"])
      const b = await blockAt(ps[0], "block")
      return b === undefined ? null : qty(b.txs.length)
    },
    eth_getBlockTransactionCountByHash: async (ps) => {
      need(ps, 1, ["hash"])
      const b = await blockByHash(ps[0], "hash")
      return b === undefined ? null : qty(b.txs.length)
    },
    eth_getTransactionByBlockNumberAndIndex: async (ps) => {
      need(ps, 2, ["block", "index"])
      return txAt(await blockAt(ps[0], "block"), ps[1])
    },
    eth_getTransactionByBlockHashAndIndex: async (ps) => {
      need(ps, 2, ["hash", "index"])
      return txAt(await blockByHash(ps[0], "hash"), ps[1])
    },
    eth_getBlockReceipts: async (ps) => {
      need(ps, 1, ["block"])
      const b = typeof ps[0] === "string" && /^0x[0-9a-fA-F]{64}$/.test(ps[0]) ? await blockByHash(ps[0], "block") : await blockAt(ps[0], "block")
      if (b === undefined) return null
      const chainId = (await params()).chainId
      return b.txs.map((t) => formatReceipt(b, t, chainId))
    },
    eth_getUncleCountByBlockNumber: async () => "0x0",
    eth_getUncleCountByBlockHash: async () => "0x0",
    eth_getLogs: getLogs
  }
  return new Map(Object.entries(methods)) // determinism-ok: RPC service, node plane
}
