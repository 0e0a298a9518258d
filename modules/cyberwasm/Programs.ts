/**
 * `/cyber.cyberwasm.v1.Query/Programs`: every program record, a page at a time, for explorers and
 * the dashboard (there is no other way to learn which programs exist).
 *
 *   QueryProgramsRequest  { 1 pagination: cosmos.base.query.v1beta1.PageRequest }
 *   QueryProgramsResponse { repeated 1 programs: ProgramInfo (State.ts encoding), 2 pagination: PageResponse }
 *
 * Paging is the Cosmos SDK's (types/query/pagination.go Paginate, as modules/bank/Pagination.ts):
 * a `key` to resume from (the relative key, i.e. the 32 raw address bytes, of `next_key`) or an
 * `offset`, `reverse`, and a `limit` that defaults to {@link MAX_PROGRAMS_PAGE} and may not exceed
 * it (InvalidRequest naming the limit): one answer holds at most 100 records, whatever is asked.
 * Order: ascending raw address bytes (the `0x02 addr` record keys), the same on every node.
 * `count_total` (offset mode only, as in the SDK) answers the program sequence counter (`0x07`),
 * which equals the number of records (every program ever created keeps its record, evicted
 * ones too; a redeploy reuses its record), so counting never walks the whole table.
 *
 * Source: wasmd x/wasm/keeper/querier.go (ContractsByCode / ListContracts paging), cosmos-sdk
 * types/query/pagination.go.
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination"
import { InvalidRequest, TxDecodeError } from "../../chain/ChainError.ts"
import type { KVStore } from "../../store/KVStore.ts"
import { paginate } from "../bank/Pagination.ts"
import { decodeInfo, encodeInfo, Keys, type ProgramInfo, readCounter } from "./State.ts"

/** Largest page of Query/Programs (also the default when `limit` is 0). */
export const MAX_PROGRAMS_PAGE = 100n

/** Query/Programs request. */
export interface QueryProgramsRequest {
  readonly pagination?: PageRequest | undefined
}

/** Query/Programs response: the page's records and the SDK page response. */
export interface QueryProgramsResponse {
  readonly programs: ReadonlyArray<ProgramInfo>
  readonly pagination: PageResponse
}

/** Encode a request (field 1: PageRequest, omitted when absent). */
export const encodeProgramsRequest = (r: QueryProgramsRequest): Uint8Array => {
  const w = BinaryWriter.create()
  if (r.pagination) PageRequest.encode(r.pagination, w.uint32(10).fork()).ldelim()
  return w.finish()
}

/** Decode a request; TxDecodeError naming the message on malformed bytes. */
export const decodeProgramsRequest = (b: Uint8Array): QueryProgramsRequest => {
  try {
    const r = new BinaryReader(b)
    let pagination: PageRequest | undefined
    while (r.pos < r.len) {
      const tag = r.uint32()
      if (tag === 10) pagination = PageRequest.decode(r.bytes())
      else r.skipType(tag & 7)
    }
    return { pagination }
  } catch (e) {
    throw new TxDecodeError({ log: `cannot decode QueryProgramsRequest: ${(e as Error).message}` })
  }
}

/** Encode a response. */
export const encodeProgramsResponse = (r: QueryProgramsResponse): Uint8Array => {
  const w = BinaryWriter.create()
  for (const p of r.programs) w.uint32(10).bytes(encodeInfo(p))
  PageResponse.encode(r.pagination, w.uint32(18).fork()).ldelim()
  return w.finish()
}

/** Decode a response (clients, tests, the dashboard). */
export const decodeProgramsResponse = (b: Uint8Array): QueryProgramsResponse => {
  const r = new BinaryReader(b)
  const programs: ProgramInfo[] = []
  let pagination: PageResponse = { nextKey: new Uint8Array(), total: 0n }
  while (r.pos < r.len) {
    const tag = r.uint32()
    if (tag === 10) programs.push(decodeInfo(r.bytes()))
    else if (tag === 18) pagination = PageResponse.decode(r.bytes())
    else r.skipType(tag & 7)
  }
  return { programs, pagination }
}

/**
 * One page of program records from the cyberwasm namespace `store` (see the module header).
 * InvalidRequest when `limit` exceeds {@link MAX_PROGRAMS_PAGE} or both `key` and `offset` are set.
 */
export const listPrograms = (store: KVStore, req: QueryProgramsRequest): QueryProgramsResponse => {
  const p = req.pagination
  const limit = p && p.limit > 0n ? p.limit : MAX_PROGRAMS_PAGE
  if (limit > MAX_PROGRAMS_PAGE) throw new InvalidRequest({ log: `pagination limit ${limit} exceeds the maximum of ${MAX_PROGRAMS_PAGE} programs per page` })
  const counting = (p?.countTotal ?? false) && (p?.key.length ?? 0) === 0
  const { items, page } = paginate(store, Keys.infoPrefix, { key: p?.key ?? new Uint8Array(), offset: p?.offset ?? 0n, limit, countTotal: false, reverse: p?.reverse ?? false }, ([, v]) => decodeInfo(v))
  return { programs: items, pagination: { nextKey: page.nextKey, total: counting ? readCounter(store.get(Keys.programSeq)) : 0n } }
}
