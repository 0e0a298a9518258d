/**
 * Protobuf codecs of the graph machine's messages and queries, with go-cyber's field numbers,
 * written with cosmjs-types' BinaryWriter / BinaryReader (no generated code for go-cyber's protos
 * exists in cosmjs-types).
 *
 * Each codec has the `encode(msg, writer?) → BinaryWriter` / `decode(bytes)` / `fromPartial`
 * shape of a cosmjs-types message, so `new Registry([[MSG_CYBERLINK_URL, MsgCyberlink]])` lets
 * a CosmJS client sign it.
 *
 * Source: go-cyber proto/cyber/graph/v1beta1/{tx,types,query}.proto,
 * proto/cyber/rank/v1beta1/{query,types,pagination}.proto,
 * proto/cyber/bandwidth/v1beta1/{query,types}.proto.
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"

/** Type URL of the cyberlink message. */
export const MSG_CYBERLINK_URL = "/cyber.graph.v1beta1.MsgCyberlink"
/** Type URL of its (empty) response. */
export const MSG_CYBERLINK_RESPONSE_URL = "/cyber.graph.v1beta1.MsgCyberlinkResponse"

/** A message codec in cosmjs-types' shape (what a CosmJS Registry accepts). */
export interface Codec<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter
  decode(input: BinaryReader | Uint8Array, length?: number): T
  fromPartial(object: Partial<T>): T
}

const reader = (input: BinaryReader | Uint8Array): BinaryReader => (input instanceof BinaryReader ? input : new BinaryReader(input))

/**
 * Build a codec from field readers/writers. `fields` maps field number to a reader that folds the
 * value into the message; unknown fields are skipped (proto3). Shared by ParamsMessages.ts.
 */
export const codec = <T>(empty: () => T, write: (m: T, w: BinaryWriter) => void, read: (m: T, r: BinaryReader, field: number, wire: number) => boolean): Codec<T> => ({
  encode(message: T, writer = BinaryWriter.create()): BinaryWriter {
    write(message, writer)
    return writer
  },
  decode(input: BinaryReader | Uint8Array, length?: number): T {
    const r = reader(input)
    const end = length === undefined ? r.len : r.pos + length
    const m = empty()
    while (r.pos < end) {
      const tag = r.uint32()
      if (!read(m, r, tag >>> 3, tag & 7)) r.skipType(tag & 7)
    }
    return m
  },
  fromPartial(object: Partial<T>): T {
    return { ...empty(), ...object }
  }
})

/** go-cyber cyber.graph.v1beta1.Link: from = 1, to = 2 (CID strings). */
export interface Link {
  readonly from: string
  readonly to: string
}
/** Link codec. */
export const Link: Codec<Link> = codec<Link>(
  () => ({ from: "", to: "" }),
  (m, w) => {
    if (m.from !== "") w.uint32(10).string(m.from)
    if (m.to !== "") w.uint32(18).string(m.to)
  },
  (m, r, f) => {
    if (f === 1) (m as { from: string }).from = r.string()
    else if (f === 2) (m as { to: string }).to = r.string()
    else return false
    return true
  }
)

/** go-cyber cyber.graph.v1beta1.MsgCyberlink: neuron = 1 (bech32), links = 2 (repeated Link). */
export interface MsgCyberlink {
  readonly neuron: string
  readonly links: ReadonlyArray<Link>
}
/** MsgCyberlink codec (register it with CosmJS under {@link MSG_CYBERLINK_URL}). */
export const MsgCyberlink: Codec<MsgCyberlink> = codec<MsgCyberlink>(
  () => ({ neuron: "", links: [] }),
  (m, w) => {
    if (m.neuron !== "") w.uint32(10).string(m.neuron)
    for (const l of m.links) Link.encode(l, w.uint32(18).fork()).ldelim()
  },
  (m, r, f) => {
    if (f === 1) (m as { neuron: string }).neuron = r.string()
    else if (f === 2) (m.links as Link[]).push(Link.decode(r, r.uint32()))
    else return false
    return true
  }
)

/** Empty MsgCyberlinkResponse. */
export const MsgCyberlinkResponse: Codec<Record<string, never>> = codec(() => ({}), () => {}, () => false)

/** cyber.rank.v1beta1.PageRequest: page = 1, per_page = 2 (uint32). */
export interface PageRequest {
  readonly page: number
  readonly perPage: number
}
const PageRequest: Codec<PageRequest> = codec<PageRequest>(
  () => ({ page: 0, perPage: 0 }),
  (m, w) => {
    if (m.page !== 0) w.uint32(8).uint32(m.page)
    if (m.perPage !== 0) w.uint32(16).uint32(m.perPage)
  },
  (m, r, f) => {
    if (f === 1) (m as { page: number }).page = r.uint32()
    else if (f === 2) (m as { perPage: number }).perPage = r.uint32()
    else return false
    return true
  }
)

/** Request with one string field 1 (QueryRankRequest.particle, QueryNeuronBandwidthRequest.neuron). */
export interface StringRequest {
  readonly value: string
}
/** Codec of a one-string request (field 1). */
export const StringRequest: Codec<StringRequest> = codec<StringRequest>(
  () => ({ value: "" }),
  (m, w) => {
    if (m.value !== "") w.uint32(10).string(m.value)
  },
  (m, r, f) => {
    if (f !== 1) return false
    ;(m as { value: string }).value = r.string()
    return true
  }
)

/** QueryRankResponse { rank = 1 (uint64, rank × 1e15) }. */
export interface QueryRankResponse {
  readonly rank: bigint
}
/** QueryRankResponse codec. */
export const QueryRankResponse: Codec<QueryRankResponse> = codec<QueryRankResponse>(
  () => ({ rank: 0n }),
  (m, w) => {
    if (m.rank !== 0n) w.uint32(8).uint64(m.rank)
  },
  (m, r, f) => {
    if (f !== 1) return false
    ;(m as { rank: bigint }).rank = r.uint64()
    return true
  }
)

/** QuerySearchRequest { particle = 1, pagination = 2 } (Search and Backlinks). */
export interface QuerySearchRequest {
  readonly particle: string
  readonly pagination?: PageRequest | undefined
}
/** QuerySearchRequest codec. */
export const QuerySearchRequest: Codec<QuerySearchRequest> = codec<QuerySearchRequest>(
  () => ({ particle: "", pagination: undefined }),
  (m, w) => {
    if (m.particle !== "") w.uint32(10).string(m.particle)
    if (m.pagination) PageRequest.encode(m.pagination, w.uint32(18).fork()).ldelim()
  },
  (m, r, f) => {
    if (f === 1) (m as { particle: string }).particle = r.string()
    else if (f === 2) (m as { pagination: PageRequest }).pagination = PageRequest.decode(r, r.uint32())
    else return false
    return true
  }
)

/** QueryTopRequest { pagination = 1 }. */
export interface QueryTopRequest {
  readonly pagination?: PageRequest | undefined
}
/** QueryTopRequest codec. */
export const QueryTopRequest: Codec<QueryTopRequest> = codec<QueryTopRequest>(
  () => ({ pagination: undefined }),
  (m, w) => {
    if (m.pagination) PageRequest.encode(m.pagination, w.uint32(10).fork()).ldelim()
  },
  (m, r, f) => {
    if (f !== 1) return false
    ;(m as { pagination: PageRequest }).pagination = PageRequest.decode(r, r.uint32())
    return true
  }
)

/** RankedParticle { particle = 1, rank = 2 }. */
export interface RankedParticle {
  readonly particle: string
  readonly rank: bigint
}
const RankedParticle: Codec<RankedParticle> = codec<RankedParticle>(
  () => ({ particle: "", rank: 0n }),
  (m, w) => {
    if (m.particle !== "") w.uint32(10).string(m.particle)
    if (m.rank !== 0n) w.uint32(16).uint64(m.rank)
  },
  (m, r, f) => {
    if (f === 1) (m as { particle: string }).particle = r.string()
    else if (f === 2) (m as { rank: bigint }).rank = r.uint64()
    else return false
    return true
  }
)

/** QuerySearchResponse { result = 1 (repeated RankedParticle), pagination = 2 (PageResponse { total = 1 }) }. */
export interface QuerySearchResponse {
  readonly result: ReadonlyArray<RankedParticle>
  readonly total: number
}
/** QuerySearchResponse codec. */
export const QuerySearchResponse: Codec<QuerySearchResponse> = codec<QuerySearchResponse>(
  () => ({ result: [], total: 0 }),
  (m, w) => {
    for (const p of m.result) RankedParticle.encode(p, w.uint32(10).fork()).ldelim()
    w.uint32(18).fork()
    if (m.total !== 0) w.uint32(8).uint32(m.total)
    w.ldelim()
  },
  (m, r, f) => {
    if (f === 1) (m.result as RankedParticle[]).push(RankedParticle.decode(r, r.uint32()))
    else if (f === 2) {
      const len = r.uint32()
      const end = r.pos + len
      while (r.pos < end) {
        const tag = r.uint32()
        if (tag >>> 3 === 1) (m as { total: number }).total = r.uint32()
        else r.skipType(tag & 7)
      }
    } else return false
    return true
  }
)

/** QueryGraphStatsResponse { cyberlinks = 1, particles = 2 }. */
export interface QueryGraphStatsResponse {
  readonly cyberlinks: bigint
  readonly particles: bigint
}
/** QueryGraphStatsResponse codec. */
export const QueryGraphStatsResponse: Codec<QueryGraphStatsResponse> = codec<QueryGraphStatsResponse>(
  () => ({ cyberlinks: 0n, particles: 0n }),
  (m, w) => {
    if (m.cyberlinks !== 0n) w.uint32(8).uint64(m.cyberlinks)
    if (m.particles !== 0n) w.uint32(16).uint64(m.particles)
  },
  (m, r, f) => {
    if (f === 1) (m as { cyberlinks: bigint }).cyberlinks = r.uint64()
    else if (f === 2) (m as { particles: bigint }).particles = r.uint64()
    else return false
    return true
  }
)

/** cyber.bandwidth.v1beta1.NeuronBandwidth { neuron = 1, remained_value = 2, last_updated_block = 3, max_value = 4 }. */
export interface NeuronBandwidth {
  readonly neuron: string
  readonly remainedValue: bigint
  readonly lastUpdatedBlock: bigint
  readonly maxValue: bigint
}
const NeuronBandwidthCodec: Codec<NeuronBandwidth> = codec<NeuronBandwidth>(
  () => ({ neuron: "", remainedValue: 0n, lastUpdatedBlock: 0n, maxValue: 0n }),
  (m, w) => {
    if (m.neuron !== "") w.uint32(10).string(m.neuron)
    if (m.remainedValue !== 0n) w.uint32(16).uint64(m.remainedValue)
    if (m.lastUpdatedBlock !== 0n) w.uint32(24).uint64(m.lastUpdatedBlock)
    if (m.maxValue !== 0n) w.uint32(32).uint64(m.maxValue)
  },
  (m, r, f) => {
    const o = m as { neuron: string; remainedValue: bigint; lastUpdatedBlock: bigint; maxValue: bigint }
    if (f === 1) o.neuron = r.string()
    else if (f === 2) o.remainedValue = r.uint64()
    else if (f === 3) o.lastUpdatedBlock = r.uint64()
    else if (f === 4) o.maxValue = r.uint64()
    else return false
    return true
  }
)

/** QueryNeuronBandwidthResponse { neuron_bandwidth = 1 }. */
export const QueryNeuronBandwidthResponse: Codec<{ readonly neuronBandwidth: NeuronBandwidth }> = codec(
  () => ({ neuronBandwidth: NeuronBandwidthCodec.fromPartial({}) }),
  (m, w) => {
    NeuronBandwidthCodec.encode(m.neuronBandwidth, w.uint32(10).fork()).ldelim()
  },
  (m, r, f) => {
    if (f !== 1) return false
    ;(m as { neuronBandwidth: NeuronBandwidth }).neuronBandwidth = NeuronBandwidthCodec.decode(r, r.uint32())
    return true
  }
)

/** QueryPriceResponse / QueryLoadResponse { price|load = 1 (sdk.Dec string, 18 decimals) }: the same wire shape as StringRequest. */
export const DecResponse: Codec<{ readonly value: string }> = StringRequest

/** One step of a rank proof: left_side = 1, hash = 2. */
export interface RankProofStepMsg {
  readonly leftSide: boolean
  readonly hash: Uint8Array
}
const ProofStep: Codec<RankProofStepMsg> = codec<RankProofStepMsg>(
  () => ({ leftSide: false, hash: new Uint8Array() }),
  (m, w) => {
    if (m.leftSide) w.uint32(8).bool(true)
    if (m.hash.length > 0) w.uint32(18).bytes(m.hash)
  },
  (m, r, f) => {
    if (f === 1) (m as { leftSide: boolean }).leftSide = r.bool()
    else if (f === 2) (m as { hash: Uint8Array }).hash = r.bytes()
    else return false
    return true
  }
)

/**
 * Ours (go-cyber has no gRPC rank proof): `/cyber.rank.v1beta1.Query/RankProof` response
 * { rank = 1, index = 2 (particle number), proof = 3 (repeated step), root = 4 (the published
 * rank Merkle root), snapshot_height = 5 }.
 */
export interface QueryRankProofResponse {
  readonly rank: bigint
  readonly index: bigint
  readonly proof: ReadonlyArray<RankProofStepMsg>
  readonly root: Uint8Array
  readonly snapshotHeight: bigint
}
/** QueryRankProofResponse codec. */
export const QueryRankProofResponse: Codec<QueryRankProofResponse> = codec<QueryRankProofResponse>(
  () => ({ rank: 0n, index: 0n, proof: [], root: new Uint8Array(), snapshotHeight: 0n }),
  (m, w) => {
    if (m.rank !== 0n) w.uint32(8).uint64(m.rank)
    if (m.index !== 0n) w.uint32(16).uint64(m.index)
    for (const s of m.proof) ProofStep.encode(s, w.uint32(26).fork()).ldelim()
    if (m.root.length > 0) w.uint32(34).bytes(m.root)
    if (m.snapshotHeight !== 0n) w.uint32(40).uint64(m.snapshotHeight)
  },
  (m, r, f) => {
    const o = m as { rank: bigint; index: bigint; proof: RankProofStepMsg[]; root: Uint8Array; snapshotHeight: bigint }
    if (f === 1) o.rank = r.uint64()
    else if (f === 2) o.index = r.uint64()
    else if (f === 3) o.proof.push(ProofStep.decode(r, r.uint32()))
    else if (f === 4) o.root = r.bytes()
    else if (f === 5) o.snapshotHeight = r.uint64()
    else return false
    return true
  }
)
