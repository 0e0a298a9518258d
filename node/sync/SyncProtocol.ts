/**
 * The full-node sync protocol `/cyberkernel/sync/1`: request/response over one libp2p stream,
 * each message an unsigned-varint length prefix + a protobuf-style binary body (field numbers
 * below, written with cosmjs-types' BinaryWriter; blocks and commits are CometBFT's own
 * `tendermint.types.Block` / `Commit` protobufs). A stream carries any number of requests, one
 * at a time, each answered before the next is read.
 *
 * Request (exactly one field set):
 *   1 status  {}                         -> Response.status
 *   2 blocks  {1 from: uint64, 2 to: uint64} -> Response.blocks (heights from..to, clamped)
 *   3 genesis {}                         -> Response.genesis
 * Response (exactly one field set):
 *   1 status  {1 chain_id, 2 height, 3 app_hash, 4 base, 5 genesis_hash}
 *   2 blocks  {repeated 1 SyncBlock {1 block: tendermint.types.Block, 2 commit: tendermint.types.Commit}}
 *   3 genesis {1 json: bytes}            canonical JSON (sorted keys) of genesis.json
 *   4 error   {1 code: uint32, 2 message: string}
 *
 * Bounds (an attacker's view): a request frame is at most {@link MAX_REQUEST_BYTES}; a blocks
 * answer holds at most {@link MAX_BLOCKS_PER_RESPONSE} blocks and stops adding blocks once past
 * {@link SOFT_RESPONSE_BYTES} (always at least one); any frame is at most
 * {@link MAX_RESPONSE_BYTES}. Source: cometbft v0.38 blocksync/reactor.go (bcBlockRequest /
 * bcBlockResponse / bcStatusResponse, one block per message there; ranges here).
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { Block } from "cosmjs-types/tendermint/types/block"
import { Commit } from "cosmjs-types/tendermint/types/types"
import { Data } from "effect"
import type { StoredBlock } from "../../chain/BlockStore.ts"

/** libp2p protocol id of block sync. */
export const SYNC_PROTOCOL = "/cyberkernel/sync/1"

/** Gossipsub topic on which committed blocks are announced (one {@link SyncBlock} per message). */
export const blocksTopic = (chainId: string): string => `/cyberkernel/blocks/${chainId}`

/** Largest request frame, bytes. */
export const MAX_REQUEST_BYTES = 1024
/** Largest response frame, bytes (above CometBFT's 21 MiB max block plus its commit). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024
/** Most blocks in one blocks answer. */
export const MAX_BLOCKS_PER_RESPONSE = 100
/** A blocks answer stops adding blocks once this many bytes are in it. */
export const SOFT_RESPONSE_BYTES = 4 * 1024 * 1024

/** A wire message was malformed, too large or unexpected. */
export class SyncProtocolError extends Data.TaggedError("SyncProtocolError")<{ readonly reason: string }> {
  override get message(): string { return `sync protocol: ${this.reason}` }
}

/** Error codes of an error response. */
export const SyncErrorCode = { BadRequest: 1, Unavailable: 2, TooLarge: 3 } as const

/** A sync request. */
export type SyncRequest =
  | { readonly _tag: "Status" }
  | { readonly _tag: "Blocks"; readonly from: number; readonly to: number }
  | { readonly _tag: "Genesis" }

/** The server's chain facts. `height` is its highest stored block, `base` its lowest. */
export interface SyncStatus {
  readonly chainId: string
  readonly height: number
  readonly appHash: Uint8Array
  readonly base: number
  /** sha256 of the canonical genesis JSON ({@link canonicalJson}). */
  readonly genesisHash: Uint8Array
}

/** A block with the commit that signs it when the server has one (the next block's last commit, or the seen commit at the tip). */
export interface SyncBlock {
  readonly block: StoredBlock
  readonly commit?: Commit | undefined
}

/** A sync response. */
export type SyncResponse =
  | { readonly _tag: "Status"; readonly status: SyncStatus }
  | { readonly _tag: "Blocks"; readonly blocks: ReadonlyArray<SyncBlock> }
  | { readonly _tag: "Genesis"; readonly json: Uint8Array }
  | { readonly _tag: "Error"; readonly code: number; readonly message: string }

const u64 = (r: BinaryReader, what: string): number => {
  const v = r.uint64()
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new SyncProtocolError({ reason: `${what} ${v} is out of range` })
  return Number(v)
}

const decodeWith = <A>(bytes: Uint8Array, what: string, f: (r: BinaryReader) => A): A => {
  try {
    return f(new BinaryReader(bytes))
  } catch (e) {
    if (e instanceof SyncProtocolError) throw e
    throw new SyncProtocolError({ reason: `malformed ${what}: ${e instanceof Error ? e.message : String(e)}` })
  }
}

/** Encode a request. */
export const encodeRequest = (req: SyncRequest): Uint8Array => {
  const w = BinaryWriter.create()
  switch (req._tag) {
    case "Status": w.uint32(10).fork().ldelim(); break
    case "Genesis": w.uint32(26).fork().ldelim(); break
    case "Blocks": w.uint32(18).fork().uint32(8).uint64(BigInt(req.from)).uint32(16).uint64(BigInt(req.to)).ldelim(); break
  }
  return w.finish()
}

/** Decode a request; throws SyncProtocolError on anything but exactly one known field. */
export const decodeRequest = (bytes: Uint8Array): SyncRequest =>
  decodeWith(bytes, "request", (r) => {
    let out: SyncRequest | undefined
    while (r.pos < r.len) {
      const tag = r.uint32()
      if (out !== undefined) throw new SyncProtocolError({ reason: "request has more than one field" })
      if (tag === 10 || tag === 26) {
        r.bytes()
        out = { _tag: tag === 10 ? "Status" : "Genesis" }
      } else if (tag === 18) {
        const body = r.bytes()
        out = decodeWith(body, "blocks request", (b) => {
          let from = 0, to = 0
          while (b.pos < b.len) {
            const t = b.uint32()
            if (t === 8) from = u64(b, "from")
            else if (t === 16) to = u64(b, "to")
            else b.skipType(t & 7)
          }
          return { _tag: "Blocks" as const, from, to }
        })
      } else {
        throw new SyncProtocolError({ reason: `unknown request field ${tag >>> 3}` })
      }
    }
    if (out === undefined) throw new SyncProtocolError({ reason: "empty request" })
    return out
  })

/** The protobuf Block of a stored block (no evidence: the producer never includes any). */
export const protoBlock = (b: StoredBlock): Block => ({ header: b.header, data: { txs: [...b.txs] }, evidence: { evidence: [] }, lastCommit: b.lastCommit })

/** Encode one SyncBlock into `w` as a length-delimited field `field`. */
export const writeSyncBlock = (w: BinaryWriter, field: number, sb: SyncBlock): void => {
  w.uint32((field << 3) | 2).fork()
  w.uint32(10).fork()
  Block.encode(protoBlock(sb.block), w)
  w.ldelim()
  if (sb.commit !== undefined) {
    w.uint32(18).fork()
    Commit.encode(sb.commit, w)
    w.ldelim()
  }
  w.ldelim()
}

/**
 * Decode one SyncBlock (the gossip message body, or an element of a blocks answer). The block's
 * hash is NOT trusted from the wire: it is recomputed by the verifier; here it is left empty.
 */
export const decodeSyncBlock = (bytes: Uint8Array): SyncBlock =>
  decodeWith(bytes, "block", (r) => {
    let block: Block | undefined
    let commit: Commit | undefined
    while (r.pos < r.len) {
      const t = r.uint32()
      if (t === 10) block = Block.decode(r.bytes())
      else if (t === 18) commit = Commit.decode(r.bytes())
      else r.skipType(t & 7)
    }
    if (block?.header === undefined || block.lastCommit === undefined) throw new SyncProtocolError({ reason: "block without header or last commit" })
    if ((block.evidence?.evidence.length ?? 0) > 0) throw new SyncProtocolError({ reason: "block carries evidence (not supported)" })
    return { block: { header: block.header, hash: new Uint8Array(0), txs: block.data?.txs ?? [], lastCommit: block.lastCommit }, commit }
  })

/** Encode a gossip message: one SyncBlock's body. */
export const encodeSyncBlock = (sb: SyncBlock): Uint8Array => {
  const w = BinaryWriter.create()
  writeSyncBlock(w, 1, sb)
  // strip the outer field tag and length: the message is the SyncBlock body itself
  const r = new BinaryReader(w.finish())
  r.uint32()
  return r.bytes()
}

/** Encode a response. */
export const encodeResponse = (res: SyncResponse): Uint8Array => {
  const w = BinaryWriter.create()
  switch (res._tag) {
    case "Status": {
      const s = res.status
      w.uint32(10).fork().uint32(10).string(s.chainId).uint32(16).uint64(BigInt(s.height)).uint32(26).bytes(s.appHash)
        .uint32(32).uint64(BigInt(s.base)).uint32(42).bytes(s.genesisHash).ldelim()
      break
    }
    case "Blocks":
      w.uint32(18).fork()
      for (const b of res.blocks) writeSyncBlock(w, 1, b)
      w.ldelim()
      break
    case "Genesis": w.uint32(26).fork().uint32(10).bytes(res.json).ldelim(); break
    case "Error": w.uint32(34).fork().uint32(8).uint32(res.code).uint32(18).string(res.message).ldelim(); break
  }
  return w.finish()
}

/** Decode a response; throws SyncProtocolError when malformed. */
export const decodeResponse = (bytes: Uint8Array): SyncResponse =>
  decodeWith(bytes, "response", (r) => {
    if (r.pos >= r.len) throw new SyncProtocolError({ reason: "empty response" })
    const tag = r.uint32()
    const body = r.bytes()
    if (r.pos < r.len) throw new SyncProtocolError({ reason: "response has more than one field" })
    const b = new BinaryReader(body)
    switch (tag) {
      case 10: {
        let chainId = "", height = 0, base = 0
        let appHash: Uint8Array = new Uint8Array(0), genesisHash: Uint8Array = new Uint8Array(0)
        while (b.pos < b.len) {
          const t = b.uint32()
          if (t === 10) chainId = b.string()
          else if (t === 16) height = u64(b, "height")
          else if (t === 26) appHash = b.bytes()
          else if (t === 32) base = u64(b, "base")
          else if (t === 42) genesisHash = b.bytes()
          else b.skipType(t & 7)
        }
        return { _tag: "Status", status: { chainId, height, appHash, base, genesisHash } }
      }
      case 18: {
        const blocks: SyncBlock[] = []
        while (b.pos < b.len) {
          const t = b.uint32()
          if (t !== 10) { b.skipType(t & 7); continue }
          if (blocks.length >= MAX_BLOCKS_PER_RESPONSE) throw new SyncProtocolError({ reason: `more than ${MAX_BLOCKS_PER_RESPONSE} blocks in one answer` })
          blocks.push(decodeSyncBlock(b.bytes()))
        }
        return { _tag: "Blocks", blocks }
      }
      case 26: {
        let json: Uint8Array = new Uint8Array(0)
        while (b.pos < b.len) {
          const t = b.uint32()
          if (t === 10) json = b.bytes()
          else b.skipType(t & 7)
        }
        return { _tag: "Genesis", json }
      }
      case 34: {
        let code = 0, message = ""
        while (b.pos < b.len) {
          const t = b.uint32()
          if (t === 8) code = b.uint32()
          else if (t === 18) message = b.string()
          else b.skipType(t & 7)
        }
        return { _tag: "Error", code, message }
      }
      default:
        throw new SyncProtocolError({ reason: `unknown response field ${tag >>> 3}` })
    }
  })

/** JSON with object keys sorted at every level: the bytes the genesis hash is taken over. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v)
