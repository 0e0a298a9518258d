/**
 * `/ibc.applications.transfer.v1.Query/*` of ibc-go v8 (DenomTrace, DenomTraces, DenomHash,
 * EscrowAddress, TotalEscrowForDenom, Params) plus v10's Denom and Denoms over the same traces;
 * EscrowAddress validates its identifiers as later ibc-go does (v8 hashed any text).
 * cosmjs-types 0.11 carries v10's query.proto, which dropped the v8 DenomTrace(s) messages: those
 * two are encoded here by field number (QueryDenomTraceRequest {1: hash}, QueryDenomTraceResponse
 * {1: DenomTrace}, QueryDenomTracesRequest {1: PageRequest}, QueryDenomTracesResponse {1: repeated
 * DenomTrace, 2: PageResponse}). gRPC InvalidArgument answers as sdk 18, NotFound as sdk 22
 * (baseapp gRPCErrorToSDKError).
 *
 * Source: ibc-go v8 modules/apps/transfer/keeper/grpc_query.go, proto/ibc/applications/transfer/v1/query.proto.
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination"
import { DenomTrace as DenomTraceProto } from "cosmjs-types/ibc/applications/transfer/v1/denomtrace"
import {
  QueryDenomHashRequest, QueryDenomHashResponse, QueryDenomRequest, QueryDenomResponse, QueryDenomsRequest, QueryDenomsResponse,
  QueryEscrowAddressRequest, QueryEscrowAddressResponse, QueryParamsResponse, QueryTotalEscrowForDenomRequest,
  QueryTotalEscrowForDenomResponse
} from "cosmjs-types/ibc/applications/transfer/v1/query"
import type { Denom } from "cosmjs-types/ibc/applications/transfer/v1/token"
import { InvalidRequest, UnknownRequest } from "../../../../../chain/ChainError.ts"
import type { KVStore } from "../../../../../store/KVStore.ts"
import { formatAddress } from "../../../../auth/Address.ts"
import { isValidDenom } from "../../../../bank/Coin.ts"
import { paginate } from "../../../../bank/Pagination.ts"
import { denomTraceHash, escrowAddressBytes, fullDenomPath, hexUpper, parseDenomTrace, parseHexHash, validateDenomTrace, type DenomTrace } from "../Denom.ts"
import { validateChannelId, validatePortId } from "../../../core/Host.ts"
import { KeyNotFound } from "../TransferError.ts"
import { decodeTrace, DENOM_TRACES_PREFIX, getDenomTrace, getParams, getTotalEscrow, hasDenomTrace } from "./State.ts"

/** The gRPC service prefix. */
export const TRANSFER_QUERY = "/ibc.applications.transfer.v1.Query/"

const decode = <T>(what: string, f: () => T): T => {
  try {
    return f()
  } catch (e) {
    throw new InvalidRequest({ log: `invalid ${what}: ${(e as Error).message}: invalid request` })
  }
}

const hashOf = (text: string): Uint8Array => {
  const hex = text.startsWith("ibc/") ? text.slice(4) : text
  try {
    return parseHexHash(hex)
  } catch (e) {
    throw new InvalidRequest({ log: `invalid denom trace hash: ${hex.slice(0, 80)}, error: ${(e as Error).message}: invalid request` })
  }
}

const traceOrNotFound = (store: KVStore, text: string): DenomTrace => {
  const t = getDenomTrace(store, hashOf(text))
  if (!t) throw new KeyNotFound({ log: `${text.slice(0, 140)}: denomination trace not found` })
  return t
}

/** v10 Denom: base plus hops (port, channel) from the trace path. */
const toDenom = (t: DenomTrace): Denom => {
  const ids = t.path === "" ? [] : t.path.split("/")
  const trace = []
  for (let i = 0; i + 1 < ids.length; i += 2) trace.push({ portId: ids[i]!, channelId: ids[i + 1]! })
  return { base: t.baseDenom, trace }
}

const encodeTraceResponse = (t: DenomTrace): Uint8Array => {
  const w = BinaryWriter.create()
  DenomTraceProto.encode({ path: t.path, baseDenom: t.baseDenom }, w.uint32(10).fork()).ldelim()
  return w.finish()
}

const decodeTraceRequestHash = (data: Uint8Array): string => {
  const r = new BinaryReader(data)
  let hash = ""
  while (r.pos < r.len) {
    const tag = r.uint32()
    if (tag >>> 3 === 1 && (tag & 7) === 2) hash = r.string()
    else r.skipType(tag & 7)
  }
  return hash
}

const decodeTracesRequestPage = (data: Uint8Array): PageRequest | undefined => {
  const r = new BinaryReader(data)
  let page: PageRequest | undefined
  while (r.pos < r.len) {
    const tag = r.uint32()
    if (tag >>> 3 === 1 && (tag & 7) === 2) page = PageRequest.decode(r, r.uint32())
    else r.skipType(tag & 7)
  }
  return page
}

const sortByPath = (ts: DenomTrace[]): DenomTrace[] => ts.sort((a, b) => (fullDenomPath(a) < fullDenomPath(b) ? -1 : fullDenomPath(a) > fullDenomPath(b) ? 1 : 0))

/** Answer one transfer query; `bech32Prefix` formats escrow addresses. Throws UnknownRequest for another method. */
export const transferQuery = (store: KVStore, path: string, data: Uint8Array, bech32Prefix: string): Uint8Array => {
  switch (path.slice(TRANSFER_QUERY.length)) {
    case "DenomTrace": {
      const hash = decode("QueryDenomTraceRequest", () => decodeTraceRequestHash(data))
      return encodeTraceResponse(traceOrNotFound(store, hash))
    }
    case "DenomTraces": {
      const req = decode("QueryDenomTracesRequest", () => decodeTracesRequestPage(data))
      const { items, page } = paginate(store, DENOM_TRACES_PREFIX, req, ([, v]) => decodeTrace(v))
      const w = BinaryWriter.create()
      for (const t of sortByPath(items)) DenomTraceProto.encode({ path: t.path, baseDenom: t.baseDenom }, w.uint32(10).fork()).ldelim()
      PageResponse.encode(page, w.uint32(18).fork()).ldelim()
      return w.finish()
    }
    case "Denom": {
      const req = decode("QueryDenomRequest", () => QueryDenomRequest.decode(data))
      return QueryDenomResponse.encode({ denom: toDenom(traceOrNotFound(store, req.hash)) }).finish()
    }
    case "Denoms": {
      const req = decode("QueryDenomsRequest", () => QueryDenomsRequest.decode(data))
      const { items, page } = paginate(store, DENOM_TRACES_PREFIX, req.pagination, ([, v]) => decodeTrace(v))
      return QueryDenomsResponse.encode({ denoms: sortByPath(items).map(toDenom), pagination: page }).finish()
    }
    case "DenomHash": {
      const req = decode("QueryDenomHashRequest", () => QueryDenomHashRequest.decode(data))
      const trace = parseDenomTrace(req.trace)
      try {
        validateDenomTrace(trace)
      } catch (e) {
        throw new InvalidRequest({ log: `${(e as Error).message}: invalid request` })
      }
      const hash = denomTraceHash(trace)
      if (!hasDenomTrace(store, hash)) throw new KeyNotFound({ log: `${req.trace.slice(0, 140)}: denomination trace not found` })
      return QueryDenomHashResponse.encode({ hash: hexUpper(hash) }).finish()
    }
    case "EscrowAddress": {
      const req = decode("QueryEscrowAddressRequest", () => QueryEscrowAddressRequest.decode(data))
      // identifiers checked as later ibc-go (validate.GRPCRequest); the channel need not exist yet (v8)
      try {
        validatePortId(req.portId)
        validateChannelId(req.channelId)
      } catch (e) {
        throw new InvalidRequest({ log: `${(e as Error).message}: invalid request` })
      }
      return QueryEscrowAddressResponse.encode({ escrowAddress: formatAddress(escrowAddressBytes(req.portId, req.channelId), bech32Prefix) }).finish()
    }
    case "TotalEscrowForDenom": {
      const req = decode("QueryTotalEscrowForDenomRequest", () => QueryTotalEscrowForDenomRequest.decode(data))
      if (!isValidDenom(req.denom)) throw new InvalidRequest({ log: `invalid denom: ${req.denom.slice(0, 140)}: invalid request` })
      return QueryTotalEscrowForDenomResponse.encode({ amount: { denom: req.denom, amount: getTotalEscrow(store, req.denom).toString() } }).finish()
    }
    case "Params":
      return QueryParamsResponse.encode({ params: getParams(store) }).finish()
    default:
      throw new UnknownRequest({ log: `unknown query path ${path.slice(0, 200)}` })
  }
}
