/**
 * Parameters of the graph machine: the stake denom, go-cyber's bandwidth params (integer fixed
 * point, scale 1e18 as sdk.Dec) and go-cyber's rank params. Chain state, stored under one key in
 * canonical binary: written at genesis (the machine's genesis section; `init` writes it from the
 * creating node's config), changed only by governance (ParamsMessages.ts MsgUpdateParams), and
 * exported with the namespace.
 *
 * Source: go-cyber x/bandwidth/types/params.go (DefaultParams: RecoveryPeriod 100,
 * AdjustPricePeriod 5, BasePrice 0.25, BaseLoad 0.10, MaxBlockBandwidth 10000),
 * x/rank/types/params.go (CalculationPeriod 5, DampingFactor 0.85, Tolerance 0.001).
 */
import { InvalidRequest } from "../../chain/ChainError.ts"

/** Fixed-point scale of prices and loads: 1e18 (cosmos-sdk LegacyDec precision). */
export const DEC = 1_000_000_000_000_000_000n

/** go-cyber's bandwidth params; decimals as integers × 1e18. */
export interface BandwidthParams {
  /** Blocks to recover a neuron's full bandwidth, and the length of the load window. */
  readonly recoveryPeriod: bigint
  /** Price is recomputed at heights divisible by this. */
  readonly adjustPricePeriod: bigint
  /** Lowest price (× 1e18), default 0.25. */
  readonly basePrice: bigint
  /** Load at which the price reaches 1 (× 1e18), default 0.10. */
  readonly baseLoad: bigint
  /** Bandwidth all txs of one block may spend together. */
  readonly maxBlockBandwidth: bigint
  /**
   * go-cyber's "desirable bandwidth" (total bandwidth the network aims to serve per recovery
   * period; go-cyber: the total volt supply). 0 = the total supply of the stake denom.
   */
  readonly desirableBandwidth: bigint
}

/** Rank params (go-cyber x/rank Params plus our mode and iteration cap). Decimals as strings. */
export interface GraphRankParams {
  readonly calculationPeriod: bigint
  readonly mode: "cyber" | "pagerank"
  readonly damping: string
  readonly tolerance: string
  readonly maxIterations: number
}

/** All graph params. */
export interface GraphParams {
  /** Denom whose bank balance is a neuron's stake (default "boot"). */
  readonly stakeDenom: string
  readonly bandwidth: BandwidthParams
  readonly rank: GraphRankParams
}

/** go-cyber's defaults. */
export const defaultGraphParams: GraphParams = {
  stakeDenom: "boot",
  bandwidth: { recoveryPeriod: 100n, adjustPricePeriod: 5n, basePrice: DEC / 4n, baseLoad: DEC / 10n, maxBlockBandwidth: 10_000n, desirableBandwidth: 0n },
  rank: { calculationPeriod: 5n, mode: "cyber", damping: "0.85", tolerance: "0.001", maxIterations: 1000 }
}

const bad = (log: string): never => {
  throw new InvalidRequest({ log: `graph params: ${log}` })
}

/** "0.25" → 250000000000000000n (at most 18 decimals). Throws InvalidRequest. */
export const parseDec = (text: string, what: string): bigint => {
  const m = /^(\d+)(?:\.(\d{1,18}))?$/.exec(text)
  if (!m) return bad(`${what} must be a decimal string such as "0.25", got "${text}"`)
  return BigInt(m[1]!) * DEC + BigInt((m[2] ?? "").padEnd(18, "0"))
}

/** 250000000000000000n → "0.250000000000000000" (sdk.Dec text). */
export const formatDec = (v: bigint): string => `${v / DEC}.${(v % DEC).toString().padStart(18, "0")}`

/** Check params; throws InvalidRequest naming the field. */
export const validateParams = (p: GraphParams): GraphParams => {
  const b = p.bandwidth
  if (!/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(p.stakeDenom)) bad(`stake_denom "${p.stakeDenom}" is not a denom`)
  if (b.recoveryPeriod < 1n) bad("recovery_period must be at least 1")
  if (b.adjustPricePeriod < 1n) bad("adjust_price_period must be at least 1")
  if (b.basePrice <= 0n || b.basePrice > DEC) bad("base_price must be in (0, 1]")
  if (b.baseLoad <= 0n || b.baseLoad > DEC) bad("base_load must be in (0, 1]")
  if (b.maxBlockBandwidth < 1n) bad("max_block_bandwidth must be at least 1")
  if (b.desirableBandwidth < 0n) bad("desirable_bandwidth must not be negative")
  const r = p.rank
  if (r.calculationPeriod < 1n) bad("calculation_period must be at least 1")
  if (r.mode !== "cyber" && r.mode !== "pagerank") bad(`rank mode must be "cyber" or "pagerank"`)
  const d = parseDec(r.damping, "damping")
  if (d <= 0n || d >= DEC) bad("damping must be in (0, 1)")
  const t = parseDec(r.tolerance, "tolerance")
  if (t <= 0n || t >= DEC) bad("tolerance must be in (0, 1)")
  if (!Number.isInteger(r.maxIterations) || r.maxIterations < 1 || r.maxIterations > 0xffffffff) bad("max_iterations must be a positive integer")
  return p
}

const te = new TextEncoder()
const td = new TextDecoder()

/** Canonical binary: 6 × u64 bandwidth, u64 period, u32 maxIterations, u8 mode, then 3 length-prefixed (u8) strings: denom, damping, tolerance. */
export const encodeParams = (p: GraphParams): Uint8Array => {
  const strs = [p.stakeDenom, p.rank.damping, p.rank.tolerance].map((s) => te.encode(s))
  const out = new Uint8Array(48 + 8 + 4 + 1 + strs.reduce((a, s) => a + 1 + s.length, 0))
  const dv = new DataView(out.buffer)
  const b = p.bandwidth
  ;[b.recoveryPeriod, b.adjustPricePeriod, b.basePrice, b.baseLoad, b.maxBlockBandwidth, b.desirableBandwidth].forEach((v, i) => dv.setBigUint64(8 * i, v))
  dv.setBigUint64(48, p.rank.calculationPeriod)
  dv.setUint32(56, p.rank.maxIterations)
  out[60] = p.rank.mode === "cyber" ? 0 : 1
  let o = 61
  for (const s of strs) {
    out[o++] = s.length
    out.set(s, o)
    o += s.length
  }
  return out
}

/** Inverse of {@link encodeParams}. */
export const decodeParams = (bytes: Uint8Array): GraphParams => {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const g = (i: number) => dv.getBigUint64(8 * i)
  let o = 61
  const str = (): string => {
    const n = bytes[o++]!
    const s = td.decode(bytes.subarray(o, o + n))
    o += n
    return s
  }
  const stakeDenom = str(), damping = str(), tolerance = str()
  return {
    stakeDenom,
    bandwidth: { recoveryPeriod: g(0), adjustPricePeriod: g(1), basePrice: g(2), baseLoad: g(3), maxBlockBandwidth: g(4), desirableBandwidth: g(5) },
    rank: { calculationPeriod: dv.getBigUint64(48), maxIterations: dv.getUint32(56), mode: bytes[60] === 0 ? "cyber" : "pagerank", damping, tolerance }
  }
}

/** Canonical binary of rank params alone: u64 period, u32 maxIterations, u8 mode, then u8-length-prefixed damping and tolerance. */
export const encodeRankParams = (r: GraphRankParams): Uint8Array => {
  const d = te.encode(r.damping), t = te.encode(r.tolerance)
  const out = new Uint8Array(13 + 2 + d.length + t.length)
  const dv = new DataView(out.buffer)
  dv.setBigUint64(0, r.calculationPeriod)
  dv.setUint32(8, r.maxIterations)
  out[12] = r.mode === "cyber" ? 0 : 1
  out[13] = d.length
  out.set(d, 14)
  out[14 + d.length] = t.length
  out.set(t, 15 + d.length)
  return out
}

/** Inverse of {@link encodeRankParams}. */
export const decodeRankParams = (b: Uint8Array): GraphRankParams => {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const dl = b[13]!
  const tl = b[14 + dl]!
  return {
    calculationPeriod: dv.getBigUint64(0),
    maxIterations: dv.getUint32(8),
    mode: b[12] === 0 ? "cyber" : "pagerank",
    damping: td.decode(b.subarray(14, 14 + dl)),
    tolerance: td.decode(b.subarray(15 + dl, 15 + dl + tl))
  }
}

/**
 * Rank params from genesis JSON `{calculation_period, mode, damping, tolerance, max_iterations}`
 * (a rank context's `rank_params`); missing fields from `base`. Throws InvalidRequest.
 */
export const rankParamsFromJson = (v: unknown, base: GraphParams): GraphRankParams =>
  paramsFromGenesis({ params: { rank: v } }, base).rank

/** Genesis JSON of rank params (inverse of {@link rankParamsFromJson}). */
export const rankParamsToJson = (r: GraphRankParams): unknown => (paramsToGenesis({ ...defaultGraphParams, rank: r }) as { params: { rank: unknown } }).params.rank

/**
 * Genesis section of the graph machine (JSON, snake_case, decimals as strings):
 * `{ "params": { "stake_denom": "boot", "bandwidth": { "recovery_period": "100", ... },
 * "rank": { "calculation_period": "5", "mode": "cyber", "damping": "0.85", "tolerance": "0.001",
 * "max_iterations": 1000 } } }`. Missing fields take `base`. Throws InvalidRequest.
 */
export const paramsFromGenesis = (genesis: unknown, base: GraphParams): GraphParams => {
  if (genesis === undefined || genesis === null) return validateParams(base)
  if (typeof genesis !== "object") return bad("genesis section must be an object")
  const p = ((genesis as { params?: unknown }).params ?? {}) as Record<string, unknown>
  const b = (p["bandwidth"] ?? {}) as Record<string, unknown>
  const r = (p["rank"] ?? {}) as Record<string, unknown>
  const int = (v: unknown, d: bigint, what: string): bigint => {
    if (v === undefined) return d
    if ((typeof v === "string" && /^\d+$/.test(v)) || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0)) return BigInt(v)
    return bad(`${what} must be a non-negative integer`)
  }
  const dec = (v: unknown, d: bigint, what: string): bigint => (v === undefined ? d : typeof v === "string" ? parseDec(v, what) : bad(`${what} must be a decimal string`))
  const str = (v: unknown, d: string, what: string): string => (v === undefined ? d : typeof v === "string" ? v : bad(`${what} must be a string`))
  return validateParams({
    stakeDenom: str(p["stake_denom"], base.stakeDenom, "stake_denom"),
    bandwidth: {
      recoveryPeriod: int(b["recovery_period"], base.bandwidth.recoveryPeriod, "recovery_period"),
      adjustPricePeriod: int(b["adjust_price_period"], base.bandwidth.adjustPricePeriod, "adjust_price_period"),
      basePrice: dec(b["base_price"], base.bandwidth.basePrice, "base_price"),
      baseLoad: dec(b["base_load"], base.bandwidth.baseLoad, "base_load"),
      maxBlockBandwidth: int(b["max_block_bandwidth"], base.bandwidth.maxBlockBandwidth, "max_block_bandwidth"),
      desirableBandwidth: int(b["desirable_bandwidth"], base.bandwidth.desirableBandwidth, "desirable_bandwidth")
    },
    rank: {
      calculationPeriod: int(r["calculation_period"], base.rank.calculationPeriod, "calculation_period"),
      mode: str(r["mode"], base.rank.mode, "mode") as "cyber" | "pagerank",
      damping: str(r["damping"], base.rank.damping, "damping"),
      tolerance: str(r["tolerance"], base.rank.tolerance, "tolerance"),
      maxIterations: Number(int(r["max_iterations"], BigInt(base.rank.maxIterations), "max_iterations"))
    }
  })
}

/** The genesis JSON of `p` (inverse of {@link paramsFromGenesis}). */
export const paramsToGenesis = (p: GraphParams): unknown => ({
  params: {
    stake_denom: p.stakeDenom,
    bandwidth: {
      recovery_period: p.bandwidth.recoveryPeriod.toString(),
      adjust_price_period: p.bandwidth.adjustPricePeriod.toString(),
      base_price: formatDec(p.bandwidth.basePrice),
      base_load: formatDec(p.bandwidth.baseLoad),
      max_block_bandwidth: p.bandwidth.maxBlockBandwidth.toString(),
      desirable_bandwidth: p.bandwidth.desirableBandwidth.toString()
    },
    rank: { calculation_period: p.rank.calculationPeriod.toString(), mode: p.rank.mode, damping: p.rank.damping, tolerance: p.rank.tolerance, max_iterations: p.rank.maxIterations }
  }
})
