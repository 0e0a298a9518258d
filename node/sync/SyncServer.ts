/**
 * The serving side of `/cyberkernel/sync/1` (SyncProtocol.ts): registered on a libp2p node, it
 * answers status, genesis and block-range requests from the block store. Every node that has
 * blocks serves them, producer or full node. A malformed or oversized request gets an error
 * answer and the stream is closed; the node goes on.
 *
 * Source: cometbft v0.38 blocksync/reactor.go (respondToPeer, status responses).
 */
import type { Commit } from "cosmjs-types/tendermint/types/types"
import type { Libp2p } from "libp2p"
import type { BlockStore } from "../../chain/BlockStore.ts"
import { sha256 } from "../../lib/Bytes.ts"
import { FrameReader, writeFrame } from "./internal/Frames.ts"
import {
  canonicalJson, decodeRequest, encodeResponse, MAX_BLOCKS_PER_RESPONSE, MAX_REQUEST_BYTES, SOFT_RESPONSE_BYTES, SYNC_PROTOCOL,
  SyncErrorCode, SyncProtocolError, type SyncBlock, type SyncRequest, type SyncResponse
} from "./SyncProtocol.ts"

/** What a sync server reads. */
export interface SyncSource {
  readonly chainId: string
  /** The genesis document (parsed genesis.json). */
  readonly genesis: unknown
  readonly blockStore: BlockStore
  /** Height and app hash of the last committed block (the app hash after it). */
  readonly tip: () => { readonly height: number; readonly appHash: Uint8Array }
  /** The commit of the tip block when this node has it (the producer's seen commit). */
  readonly latestCommit?: (() => Commit | undefined) | undefined
}

/** Most concurrent inbound sync streams per connection. */
export const MAX_INBOUND_STREAMS = 4

/** The answer to one request (exported for tests and for in-process use). */
export const answer = async (src: SyncSource, genesisJson: Uint8Array, genesisHash: Uint8Array, req: SyncRequest): Promise<SyncResponse> => {
  const tip = src.tip()
  // only committed blocks are served: the store may hold a block being executed
  const height = Math.min(src.blockStore.height(), tip.height)
  switch (req._tag) {
    case "Status":
      return { _tag: "Status", status: { chainId: src.chainId, height, appHash: tip.appHash, base: src.blockStore.base(), genesisHash } }
    case "Genesis":
      return { _tag: "Genesis", json: genesisJson }
    case "Blocks": {
      if (req.from < 1 || req.to < req.from) {
        return { _tag: "Error", code: SyncErrorCode.BadRequest, message: `bad block range ${req.from}..${req.to}` }
      }
      if (req.from < src.blockStore.base() || req.from > height) {
        return { _tag: "Error", code: SyncErrorCode.Unavailable, message: `block ${req.from} is not available (have ${src.blockStore.base()}..${height})` }
      }
      const to = Math.min(req.to, height, req.from + MAX_BLOCKS_PER_RESPONSE - 1)
      const blocks: SyncBlock[] = []
      let bytes = 0
      let block = await src.blockStore.block(req.from)
      for (let h = req.from; h <= to && block !== undefined; h++) {
        const next = h < height ? await src.blockStore.block(h + 1) : undefined
        const seen = h === tip.height ? src.latestCommit?.() : undefined
        const commit = next?.lastCommit ?? (seen !== undefined && seen.height === BigInt(h) ? seen : undefined)
        blocks.push({ block, commit })
        for (const t of block.txs) bytes += t.length
        bytes += 1024
        if (bytes >= SOFT_RESPONSE_BYTES) break
        block = next
      }
      return { _tag: "Blocks", blocks }
    }
  }
}

/**
 * Register the sync protocol handler on `libp2p`; resolves once registered. Returns a function
 * that unregisters it.
 */
export const serveSync = async (libp2p: Libp2p, src: SyncSource): Promise<() => Promise<void>> => {
  const genesisJson = new TextEncoder().encode(canonicalJson(src.genesis))
  const genesisHash = sha256(genesisJson)
  await libp2p.handle(SYNC_PROTOCOL, async (stream) => {
    const reader = new FrameReader(stream)
    try {
      for (;;) {
        let res: SyncResponse
        let fatal = false
        try {
          const frame = await reader.next(MAX_REQUEST_BYTES)
          if (frame === undefined) break
          res = await answer(src, genesisJson, genesisHash, decodeRequest(frame))
        } catch (e) {
          if (!(e instanceof SyncProtocolError)) throw e
          res = { _tag: "Error", code: e.reason.includes("over the limit") ? SyncErrorCode.TooLarge : SyncErrorCode.BadRequest, message: e.reason }
          fatal = true
        }
        await writeFrame(stream, encodeResponse(res))
        if (fatal) break
      }
      await stream.close()
    } catch (e) {
      stream.abort(e instanceof Error ? e : new Error(String(e)))
    }
  }, { maxInboundStreams: MAX_INBOUND_STREAMS })
  return () => libp2p.unhandle(SYNC_PROTOCOL)
}
