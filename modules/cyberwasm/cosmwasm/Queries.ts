/**
 * The gRPC queries of wasmd under `/cosmwasm.wasm.v1.Query/`, with wasmd's request and response
 * messages (cosmjs-types cosmwasm.wasm.v1 query.proto): ContractInfo, ContractHistory,
 * ContractsByCode, ContractsByCreator, AllContractState, RawContractState, SmartContractState,
 * Code, CodeInfo, Codes, PinnedCodes, Params, BuildAddress.
 *
 * Pagination is the SDK's (query.Paginate): `key` or `offset` (both is an error), `limit`
 * default 100 and at most {@link MAX_PAGE_LIMIT}, `count_total`, `reverse`; `next_key` is the
 * key after the page inside the listed prefix. SmartContractState runs the contract read-only with
 * wasmd's smart query gas limit (3,000,000 SDK gas; QueryFailed when it runs out).
 *
 * Source: wasmd x/wasm/keeper/querier.go; cosmos-sdk types/query/pagination.go.
 */
import { fromHex } from "@cosmjs/encoding"
import type { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination"
import {
  QueryAllContractStateRequest, QueryAllContractStateResponse, QueryBuildAddressRequest, QueryBuildAddressResponse, QueryCodeInfoRequest,
  QueryCodeInfoResponse, QueryCodeRequest, QueryCodeResponse, QueryCodesRequest, QueryCodesResponse, QueryContractHistoryRequest,
  QueryContractHistoryResponse, QueryContractInfoRequest, QueryContractInfoResponse, QueryContractsByCodeRequest, QueryContractsByCodeResponse,
  QueryContractsByCreatorRequest, QueryContractsByCreatorResponse, QueryParamsResponse, QueryPinnedCodesRequest, QueryPinnedCodesResponse,
  QueryRawContractStateRequest, QueryRawContractStateResponse, QuerySmartContractStateRequest, QuerySmartContractStateResponse
} from "cosmjs-types/cosmwasm/wasm/v1/query"
import { CodeInfo, ContractCodeHistoryEntry } from "cosmjs-types/cosmwasm/wasm/v1/types"
import { InvalidRequest, isChainError, TxDecodeError, UnknownRequest } from "../../../chain/ChainError.ts"
import type { QueryContext } from "../../../chain/Machine.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import { prefixEnd } from "../State.ts"
import { bech32, predictableAddress } from "./Address.ts"
import { type Contracts, contractPrincipal, QUERY_GAS_LIMIT } from "./Contracts.ts"
import { POSITION_LEN, WasmKeys } from "./Keys.ts"
import { readCode, readContract, readParams, readWasm } from "./Records.ts"
import { Invalid, NoSuchCode, NoSuchContract, QueryFailed } from "./WasmdError.ts"

/** The gRPC prefix served. */
export const QUERY_PREFIX = "/cosmwasm.wasm.v1.Query/"
/** SDK query.DefaultLimit. */
export const DEFAULT_PAGE_LIMIT = 100n
/** Upper bound of a page (the SDK has none; a node must bound what one query reads). */
export const MAX_PAGE_LIMIT = 1000n

/**
 * SDK Paginate over the keys under `prefix` of `store`: `map` turns one entry (key without the
 * prefix) into an item. InvalidRequest when both key and offset are set.
 */
export const paginate = <A>(store: KVStore, prefix: Uint8Array, req: PageRequest | undefined, map: (key: Uint8Array, value: Uint8Array) => A): { items: A[]; page: PageResponse } => {
  const key = req?.key ?? new Uint8Array()
  const offset = req?.offset ?? 0n
  if (key.length > 0 && offset > 0n) throw new InvalidRequest({ log: "either offset or key is expected, got both" })
  let limit = req?.limit ?? 0n
  if (limit === 0n) limit = DEFAULT_PAGE_LIMIT
  if (limit > MAX_PAGE_LIMIT) limit = MAX_PAGE_LIMIT
  const reverse = req?.reverse ?? false
  const end = prefixEnd(prefix)
  const full = (k: Uint8Array) => new Uint8Array([...prefix, ...k])
  const [start, stop] = key.length === 0 ? [prefix, end] : reverse ? [prefix, new Uint8Array([...full(key), 0])] : [full(key), end]
  const items: A[] = []
  let nextKey = new Uint8Array()
  let skipped = 0n
  let count = 0n
  for (const [k, v] of store.iterate(start, stop.length > 0 ? stop : undefined, reverse)) {
    const rel = k.subarray(prefix.length)
    if (skipped < offset) {
      skipped++
      count++
      continue
    }
    if (BigInt(items.length) === limit) {
      if (nextKey.length === 0) nextKey = rel.slice()
      if (!(req?.countTotal && key.length === 0)) break
      count++
      continue
    }
    items.push(map(rel, v))
    count++
  }
  return { items, page: { nextKey, total: req?.countTotal && key.length === 0 ? count : 0n } }
}

const decode = <A>(codec: { decode(b: Uint8Array): A }, data: Uint8Array, what: string): A => {
  try {
    return codec.decode(data)
  } catch (e) {
    throw new TxDecodeError({ log: `cannot decode ${what}: ${(e as Error).message}` })
  }
}

/** Answer one wasmd gRPC query (path under {@link QUERY_PREFIX}). */
export const wasmQuery = (k: Contracts, ctx: QueryContext, path: string, data: Uint8Array): Uint8Array => {
  const store = ctx.store
  const method = path.slice(QUERY_PREFIX.length)
  const contractOf = (address: string) => {
    const raw = k.raw(address, "address")
    const info = readContract(store, raw)
    if (!info) throw new NoSuchContract({ log: `address ${address}: no such contract` })
    return { raw, info }
  }
  switch (method) {
    case "ContractInfo": {
      const q = decode(QueryContractInfoRequest, data, "QueryContractInfoRequest")
      const { info } = contractOf(q.address)
      return QueryContractInfoResponse.encode({ address: q.address, contractInfo: info }).finish()
    }
    case "ContractHistory": {
      const q = decode(QueryContractHistoryRequest, data, "QueryContractHistoryRequest")
      const { raw } = contractOf(q.address)
      const r = paginate(store, WasmKeys.historyPrefix(raw), q.pagination, (_k, v) => ContractCodeHistoryEntry.decode(v))
      return QueryContractHistoryResponse.encode({ entries: r.items, pagination: r.page }).finish()
    }
    case "ContractsByCode": {
      const q = decode(QueryContractsByCodeRequest, data, "QueryContractsByCodeRequest")
      if (q.codeId === 0n) throw new InvalidRequest({ log: "code id: empty" })
      const r = paginate(store, WasmKeys.byCodePrefix(q.codeId), q.pagination, (key) => bech32(k.prefix, key.subarray(POSITION_LEN)))
      return QueryContractsByCodeResponse.encode({ contracts: r.items, pagination: r.page }).finish()
    }
    case "ContractsByCreator": {
      const q = decode(QueryContractsByCreatorRequest, data, "QueryContractsByCreatorRequest")
      const creator = k.raw(q.creatorAddress, "creator address")
      const r = paginate(store, WasmKeys.byCreatorPrefix(creator), q.pagination, (key) => bech32(k.prefix, key.subarray(POSITION_LEN)))
      return QueryContractsByCreatorResponse.encode({ contractAddresses: r.items, pagination: r.page }).finish()
    }
    case "AllContractState": {
      const q = decode(QueryAllContractStateRequest, data, "QueryAllContractStateRequest")
      const { raw } = contractOf(q.address)
      const r = paginate(store, WasmKeys.contractStore(raw), q.pagination, (key, value) => ({ key: key.slice(), value }))
      return QueryAllContractStateResponse.encode({ models: r.items, pagination: r.page }).finish()
    }
    case "RawContractState": {
      const q = decode(QueryRawContractStateRequest, data, "QueryRawContractStateRequest")
      contractOf(q.address)
      return QueryRawContractStateResponse.encode({ data: k.queryRaw(store, q.address, q.queryData) ?? new Uint8Array() }).finish()
    }
    case "SmartContractState": {
      const q = decode(QuerySmartContractStateRequest, data, "QuerySmartContractStateRequest")
      try {
        JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(q.queryData))
      } catch {
        throw new Invalid({ log: "query data: invalid query data: invalid" })
      }
      contractOf(q.address)
      try {
        const r = k.querySmart(
          { store, block: { height: ctx.height, timeNanos: ctx.time ? ctx.time.seconds * 1_000_000_000n + BigInt(ctx.time.nanos) : 0n, chainId: ctx.chainId }, depth: 0, portAs: (c) => ({ call: (x) => ctx.callAs(contractPrincipal(c), x), query: (x) => ctx.callAs(contractPrincipal(c), x) }) },
          q.address, q.queryData, QUERY_GAS_LIMIT
        )
        if (r.error !== undefined) throw new QueryFailed({ log: `${r.error}: query wasm contract failed` })
        return QuerySmartContractStateResponse.encode({ data: r.data }).finish()
      } catch (e) {
        if (isChainError(e) && (e as { _tag: string })._tag === "OutOfGas") throw new QueryFailed({ log: `out of gas (smart query gas limit ${QUERY_GAS_LIMIT}): query wasm contract failed` })
        throw e
      }
    }
    case "Code": {
      const q = decode(QueryCodeRequest, data, "QueryCodeRequest")
      const code = readCode(store, q.codeId)
      if (!code) throw new NoSuchCode({ log: `code id ${q.codeId}: no such code` })
      return QueryCodeResponse.encode({
        codeInfo: { codeId: q.codeId, creator: code.creator, dataHash: code.codeHash, instantiatePermission: code.instantiateConfig },
        data: readWasm(store, code.codeHash) ?? new Uint8Array()
      }).finish()
    }
    case "CodeInfo": {
      const q = decode(QueryCodeInfoRequest, data, "QueryCodeInfoRequest")
      const code = readCode(store, q.codeId)
      if (!code) throw new NoSuchCode({ log: `code id ${q.codeId}: no such code` })
      return QueryCodeInfoResponse.encode({ codeId: q.codeId, creator: code.creator, checksum: code.codeHash, instantiatePermission: code.instantiateConfig }).finish()
    }
    case "Codes": {
      const q = decode(QueryCodesRequest, data, "QueryCodesRequest")
      const r = paginate(store, WasmKeys.codePrefix, q.pagination, (key, v) => {
        const c = CodeInfo.decode(v)
        return { codeId: new DataView(key.buffer, key.byteOffset).getBigUint64(0), creator: c.creator, dataHash: c.codeHash, instantiatePermission: c.instantiateConfig }
      })
      return QueryCodesResponse.encode({ codeInfos: r.items, pagination: r.page }).finish()
    }
    case "PinnedCodes": {
      const q = decode(QueryPinnedCodesRequest, data, "QueryPinnedCodesRequest")
      const r = paginate(store, WasmKeys.pinnedPrefix, q.pagination, (key) => new DataView(key.buffer, key.byteOffset).getBigUint64(0))
      return QueryPinnedCodesResponse.encode({ codeIds: r.items, pagination: r.page }).finish()
    }
    case "Params":
      return QueryParamsResponse.encode({ params: readParams(store) }).finish()
    case "BuildAddress": {
      const q = decode(QueryBuildAddressRequest, data, "QueryBuildAddressRequest")
      let checksum: Uint8Array
      let salt: Uint8Array
      try {
        checksum = fromHex(q.codeHash)
        salt = fromHex(q.salt)
      } catch {
        throw new InvalidRequest({ log: "code hash and salt must be hex" })
      }
      if (checksum.length !== 32) throw new InvalidRequest({ log: "code hash: expected 32 bytes" })
      const addr = predictableAddress(checksum, k.raw(q.creatorAddress, "creator address"), salt, q.initArgs)
      return QueryBuildAddressResponse.encode({ address: bech32(k.prefix, addr) }).finish()
    }
    default:
      throw new UnknownRequest({ log: `unknown wasm query path ${path.slice(0, 120)}` })
  }
}
