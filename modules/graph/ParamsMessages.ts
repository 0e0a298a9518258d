/**
 * Governance messages and the Params queries of the graph machine, as protobuf codecs in
 * cosmjs-types' shape (Messages.ts `codec`), and their conversion to and from {@link GraphParams}.
 *
 * - `/cyber.graph.v1beta1.MsgUpdateParams {authority = 1, params = 2: Params}`: all params at once
 *   (SDK convention: every field supplied). Params: stake_denom = 1, bandwidth = 2
 *   {recovery_period = 1, adjust_price_period = 2, base_price = 3 (Dec), base_load = 4 (Dec),
 *   max_block_bandwidth = 5, desirable_bandwidth = 6}, rank = 3 (RankParams).
 * - `/cyber.rank.v1beta1.MsgUpdateParams {authority = 1, params = 2: RankParams}`: go-cyber's rank
 *   message. RankParams fields 1..3 are go-cyber's rank Params (calculation_period int64,
 *   damping_factor Dec, tolerance Dec); 4 mode and 5 max_iterations are ours and keep their
 *   current values when absent (go-cyber clients never send them).
 * - Queries `/cyber.graph.v1beta1.Query/Params` -> {params = 1: Params} and
 *   `/cyber.rank.v1beta1.Query/Params` -> {params = 1: RankParams} (go-cyber's shape).
 *
 * Dec fields carry cosmos LegacyDec wire text: the value × 10^18 as decimal digits
 * ("850000000000000000" = 0.85). The machine keeps rank decimals as plain decimal text ("0.85").
 *
 * Source: go-cyber proto/cyber/rank/v1beta1/{tx,types,query}.proto (MsgUpdateParams, Params,
 * QueryParamsResponse); cosmos-sdk x/bank MsgUpdateParams for the all-fields convention.
 */
import type { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { InvalidRequest } from "../../chain/ChainError.ts"
import { DEC, defaultGraphParams, paramsFromGenesis, parseDec, type GraphParams, type GraphRankParams } from "./GraphParams.ts"
import { codec, type Codec } from "./Messages.ts"

/** The all-params message. */
export const MSG_UPDATE_PARAMS_URL = "/cyber.graph.v1beta1.MsgUpdateParams"
/** go-cyber's rank params message. */
export const MSG_UPDATE_RANK_PARAMS_URL = "/cyber.rank.v1beta1.MsgUpdateParams"
/** Query paths. */
export const GRAPH_PARAMS_QUERY = "/cyber.graph.v1beta1.Query/Params"
export const RANK_PARAMS_QUERY = "/cyber.rank.v1beta1.Query/Params"

/** Rank params on the wire (Dec fields as LegacyDec wire text). */
export interface RankParamsProto {
  readonly calculationPeriod: bigint
  readonly dampingFactor: string
  readonly tolerance: string
  readonly mode: string
  readonly maxIterations: number
}
/** RankParams codec. */
export const RankParamsProto: Codec<RankParamsProto> = codec<RankParamsProto>(
  () => ({ calculationPeriod: 0n, dampingFactor: "", tolerance: "", mode: "", maxIterations: 0 }),
  (m, w) => {
    if (m.calculationPeriod !== 0n) w.uint32(8).int64(m.calculationPeriod)
    if (m.dampingFactor !== "") w.uint32(18).string(m.dampingFactor)
    if (m.tolerance !== "") w.uint32(26).string(m.tolerance)
    if (m.mode !== "") w.uint32(34).string(m.mode)
    if (m.maxIterations !== 0) w.uint32(40).uint32(m.maxIterations)
  },
  (m, r, f) => {
    const o = m as { -readonly [K in keyof RankParamsProto]: RankParamsProto[K] }
    if (f === 1) o.calculationPeriod = r.int64()
    else if (f === 2) o.dampingFactor = r.string()
    else if (f === 3) o.tolerance = r.string()
    else if (f === 4) o.mode = r.string()
    else if (f === 5) o.maxIterations = r.uint32()
    else return false
    return true
  }
)

/** Bandwidth params on the wire. */
export interface BandwidthParamsProto {
  readonly recoveryPeriod: bigint
  readonly adjustPricePeriod: bigint
  readonly basePrice: string
  readonly baseLoad: string
  readonly maxBlockBandwidth: bigint
  readonly desirableBandwidth: bigint
}
/** BandwidthParams codec. */
export const BandwidthParamsProto: Codec<BandwidthParamsProto> = codec<BandwidthParamsProto>(
  () => ({ recoveryPeriod: 0n, adjustPricePeriod: 0n, basePrice: "", baseLoad: "", maxBlockBandwidth: 0n, desirableBandwidth: 0n }),
  (m, w) => {
    if (m.recoveryPeriod !== 0n) w.uint32(8).uint64(m.recoveryPeriod)
    if (m.adjustPricePeriod !== 0n) w.uint32(16).uint64(m.adjustPricePeriod)
    if (m.basePrice !== "") w.uint32(26).string(m.basePrice)
    if (m.baseLoad !== "") w.uint32(34).string(m.baseLoad)
    if (m.maxBlockBandwidth !== 0n) w.uint32(40).uint64(m.maxBlockBandwidth)
    if (m.desirableBandwidth !== 0n) w.uint32(48).uint64(m.desirableBandwidth)
  },
  (m, r, f) => {
    const o = m as { -readonly [K in keyof BandwidthParamsProto]: BandwidthParamsProto[K] }
    if (f === 1) o.recoveryPeriod = r.uint64()
    else if (f === 2) o.adjustPricePeriod = r.uint64()
    else if (f === 3) o.basePrice = r.string()
    else if (f === 4) o.baseLoad = r.string()
    else if (f === 5) o.maxBlockBandwidth = r.uint64()
    else if (f === 6) o.desirableBandwidth = r.uint64()
    else return false
    return true
  }
)

/** All graph params on the wire. */
export interface ParamsProto {
  readonly stakeDenom: string
  readonly bandwidth?: BandwidthParamsProto | undefined
  readonly rank?: RankParamsProto | undefined
}
/** Params codec. */
export const ParamsProto: Codec<ParamsProto> = codec<ParamsProto>(
  () => ({ stakeDenom: "" }),
  (m, w) => {
    if (m.stakeDenom !== "") w.uint32(10).string(m.stakeDenom)
    if (m.bandwidth) BandwidthParamsProto.encode(m.bandwidth, w.uint32(18).fork()).ldelim()
    if (m.rank) RankParamsProto.encode(m.rank, w.uint32(26).fork()).ldelim()
  },
  (m, r, f) => {
    const o = m as { -readonly [K in keyof ParamsProto]: ParamsProto[K] }
    if (f === 1) o.stakeDenom = r.string()
    else if (f === 2) o.bandwidth = BandwidthParamsProto.decode(r, r.uint32())
    else if (f === 3) o.rank = RankParamsProto.decode(r, r.uint32())
    else return false
    return true
  }
)

/** `{authority = 1, params = 2}` with a nested params codec. */
const updateCodec = <P>(inner: Codec<P>): Codec<{ readonly authority: string; readonly params?: P | undefined }> =>
  codec<{ readonly authority: string; readonly params?: P | undefined }>(
    () => ({ authority: "" }),
    (m, w) => {
      if (m.authority !== "") w.uint32(10).string(m.authority)
      if (m.params !== undefined) inner.encode(m.params, w.uint32(18).fork()).ldelim()
    },
    (m, r: BinaryReader, f) => {
      const o = m as { authority: string; params?: P }
      if (f === 1) o.authority = r.string()
      else if (f === 2) o.params = inner.decode(r, r.uint32())
      else return false
      return true
    }
  )

/** cyber.graph.v1beta1.MsgUpdateParams. */
export interface MsgUpdateParams {
  readonly authority: string
  readonly params?: ParamsProto | undefined
}
/** MsgUpdateParams codec (register with CosmJS under {@link MSG_UPDATE_PARAMS_URL}). */
export const MsgUpdateParams: Codec<MsgUpdateParams> = updateCodec(ParamsProto)

/** cyber.rank.v1beta1.MsgUpdateParams. */
export interface MsgUpdateRankParams {
  readonly authority: string
  readonly params?: RankParamsProto | undefined
}
/** go-cyber's rank MsgUpdateParams codec (under {@link MSG_UPDATE_RANK_PARAMS_URL}). */
export const MsgUpdateRankParams: Codec<MsgUpdateRankParams> = updateCodec(RankParamsProto)

/** Empty MsgUpdateParamsResponse (both messages). */
export const MsgUpdateParamsResponse: Codec<Record<string, never>> = codec(() => ({}), () => {}, () => false)

/** `{params = 1}` query response with a nested params codec. */
const responseCodec = <P>(inner: Codec<P>): Codec<{ readonly params?: P | undefined }> =>
  codec<{ readonly params?: P | undefined }>(
    () => ({}),
    (m, w: BinaryWriter) => {
      if (m.params !== undefined) inner.encode(m.params, w.uint32(10).fork()).ldelim()
    },
    (m, r, f) => {
      if (f !== 1) return false
      ;(m as { params?: P }).params = inner.decode(r, r.uint32())
      return true
    }
  )

/** cyber.graph.v1beta1.QueryParamsResponse. */
export const QueryParamsResponse: Codec<{ readonly params?: ParamsProto | undefined }> = responseCodec(ParamsProto)
/** cyber.rank.v1beta1.QueryParamsResponse. */
export const QueryRankParamsResponse: Codec<{ readonly params?: RankParamsProto | undefined }> = responseCodec(RankParamsProto)

const bad = (log: string): never => {
  throw new InvalidRequest({ log: `graph params: ${log}` })
}

/** LegacyDec wire text ("850000000000000000") -> the value × 1e18. InvalidRequest naming `what`. */
export const decFromWire = (text: string, what: string): bigint =>
  /^[0-9]{1,60}$/.test(text) ? BigInt(text) : bad(`${what} must be LegacyDec wire text (the value × 10^18 in decimal digits), got "${text.slice(0, 80)}"`)

/** The value × 1e18 -> LegacyDec wire text. */
export const decToWire = (v: bigint): string => v.toString()

/** The value × 1e18 -> plain decimal text without trailing zeros ("0.85"). */
export const decText = (v: bigint): string => {
  const frac = (v % DEC).toString().padStart(18, "0").replace(/0+$/, "")
  return frac === "" ? `${v / DEC}` : `${v / DEC}.${frac}`
}

/** Rank params as the machine keeps them -> wire. */
export const rankToProto = (r: GraphRankParams): RankParamsProto => ({
  calculationPeriod: r.calculationPeriod,
  dampingFactor: decToWire(parseDec(r.damping, "damping")),
  tolerance: decToWire(parseDec(r.tolerance, "tolerance")),
  mode: r.mode,
  maxIterations: r.maxIterations
})

/** Wire rank params -> the machine's; mode and max_iterations from `current` when absent (go-cyber's message). Unvalidated. */
export const rankFromProto = (p: RankParamsProto, current: GraphRankParams): GraphRankParams => ({
  calculationPeriod: p.calculationPeriod,
  damping: decText(decFromWire(p.dampingFactor, "damping_factor")),
  tolerance: decText(decFromWire(p.tolerance, "tolerance")),
  mode: (p.mode === "" ? current.mode : p.mode) as GraphRankParams["mode"],
  maxIterations: p.maxIterations === 0 ? current.maxIterations : p.maxIterations
})

/** All params -> wire. */
export const paramsToProto = (p: GraphParams): ParamsProto => ({
  stakeDenom: p.stakeDenom,
  bandwidth: {
    recoveryPeriod: p.bandwidth.recoveryPeriod,
    adjustPricePeriod: p.bandwidth.adjustPricePeriod,
    basePrice: decToWire(p.bandwidth.basePrice),
    baseLoad: decToWire(p.bandwidth.baseLoad),
    maxBlockBandwidth: p.bandwidth.maxBlockBandwidth,
    desirableBandwidth: p.bandwidth.desirableBandwidth
  },
  rank: rankToProto(p.rank)
})

/**
 * Wire params -> the machine's (unvalidated: GraphParams.validateParams checks ranges). Every
 * section must be present (InvalidRequest naming the missing one); mode and max_iterations are
 * required here too.
 */
export const paramsFromProto = (p: ParamsProto): GraphParams => {
  const b = p.bandwidth ?? bad("params.bandwidth is missing: MsgUpdateParams sets all params")
  const r = p.rank ?? bad("params.rank is missing: MsgUpdateParams sets all params")
  if (r.mode === "") bad("params.rank.mode is missing")
  if (r.maxIterations === 0) bad("params.rank.max_iterations is missing")
  return {
    stakeDenom: p.stakeDenom,
    bandwidth: {
      recoveryPeriod: b.recoveryPeriod,
      adjustPricePeriod: b.adjustPricePeriod,
      basePrice: decFromWire(b.basePrice, "base_price"),
      baseLoad: decFromWire(b.baseLoad, "base_load"),
      maxBlockBandwidth: b.maxBlockBandwidth,
      desirableBandwidth: b.desirableBandwidth
    },
    rank: rankFromProto(r, { calculationPeriod: 0n, mode: "cyber", damping: "", tolerance: "", maxIterations: 0 })
  }
}

type Json = Record<string, unknown>

const requireKeys = (o: unknown, keys: ReadonlyArray<string>, where: string): Json => {
  if (typeof o !== "object" || o === null || Array.isArray(o)) return bad(`${where} must be an object`)
  for (const k of keys) if ((o as Json)[k] === undefined) bad(`${where}.${k} is missing: MsgUpdateParams sets all params`)
  return o as Json
}

/**
 * SDK-style JSON of a graph MsgUpdateParams (proposal files): `{"@type", "authority", "params"}`
 * with `params` in the genesis shape (GraphParams.ts paramsToGenesis: decimals as human text,
 * "0.85"), every field required. For `/cyber.rank.v1beta1.MsgUpdateParams`, params are go-cyber's
 * `{calculation_period, damping_factor, tolerance}` (mode, max_iterations optional). Returns the
 * message bytes; InvalidRequest naming the field.
 */
export const updateParamsFromJSON = (typeUrl: string, json: Json): Uint8Array => {
  if (typeof json.authority !== "string") bad(`${typeUrl}: field "authority" must be a string`)
  const authority = json.authority as string
  if (typeUrl === MSG_UPDATE_RANK_PARAMS_URL) {
    const r = requireKeys(json.params, ["calculation_period", "damping_factor", "tolerance"], "params")
    const { damping_factor, tolerance, ...rest } = r
    const rank = paramsFromGenesis({ params: { rank: { ...rest, damping: damping_factor, tolerance } } }, defaultGraphParams).rank
    return MsgUpdateRankParams.encode({ authority, params: { ...rankToProto(rank), mode: r.mode === undefined ? "" : rank.mode, maxIterations: r.max_iterations === undefined ? 0 : rank.maxIterations } }).finish()
  }
  const p = requireKeys(json.params, ["stake_denom", "bandwidth", "rank"], "params")
  requireKeys(p.bandwidth, ["recovery_period", "adjust_price_period", "base_price", "base_load", "max_block_bandwidth", "desirable_bandwidth"], "params.bandwidth")
  requireKeys(p.rank, ["calculation_period", "mode", "damping", "tolerance", "max_iterations"], "params.rank")
  return MsgUpdateParams.encode({ authority, params: paramsToProto(paramsFromGenesis({ params: p }, defaultGraphParams)) }).finish()
}

/** Inverse of {@link updateParamsFromJSON} (values as stored in a proposal, checked or not). */
export const updateParamsToJSON = (typeUrl: string, value: Uint8Array): Json => {
  if (typeUrl === MSG_UPDATE_RANK_PARAMS_URL) {
    const m = MsgUpdateRankParams.decode(value)
    const r = m.params
    return {
      "@type": typeUrl, authority: m.authority,
      params: r ? {
        calculation_period: r.calculationPeriod.toString(), damping_factor: wireText(r.dampingFactor), tolerance: wireText(r.tolerance),
        ...(r.mode !== "" ? { mode: r.mode } : {}), ...(r.maxIterations !== 0 ? { max_iterations: r.maxIterations } : {})
      } : null
    }
  }
  const m = MsgUpdateParams.decode(value)
  const p = m.params
  return {
    "@type": typeUrl, authority: m.authority,
    params: p ? {
      stake_denom: p.stakeDenom,
      bandwidth: p.bandwidth ? {
        recovery_period: p.bandwidth.recoveryPeriod.toString(), adjust_price_period: p.bandwidth.adjustPricePeriod.toString(),
        base_price: wireText(p.bandwidth.basePrice), base_load: wireText(p.bandwidth.baseLoad),
        max_block_bandwidth: p.bandwidth.maxBlockBandwidth.toString(), desirable_bandwidth: p.bandwidth.desirableBandwidth.toString()
      } : null,
      rank: p.rank ? {
        calculation_period: p.rank.calculationPeriod.toString(), mode: p.rank.mode, damping: wireText(p.rank.dampingFactor),
        tolerance: wireText(p.rank.tolerance), max_iterations: p.rank.maxIterations
      } : null
    } : null
  }
}

/** LegacyDec wire text -> human decimal text; text that is not wire digits is kept as it is. */
const wireText = (s: string): string => (/^[0-9]{1,60}$/.test(s) ? decText(BigInt(s)) : s)
