/**
 * `GET /ui/api/txs?limit=N`: the newest N committed transactions (1..50, default 10), newest
 * first, found by walking back from the tip block by block (block store `block` and `results`),
 * at most {@link MAX_BLOCKS_WALKED} blocks, so the cost does not grow with the chain (a
 * `tx_search "tx.height>0"` reads the whole tx index). Each with height, index, hash, code, gas
 * used and its messages' type URLs.
 */
import { createHash } from "node:crypto"
import { txView } from "../internal/TxView.ts"
import { ApiError, intParam, type ApiRoute } from "./Route.ts"

/** Most blocks one request looks at. */
export const MAX_BLOCKS_WALKED = 500
const MAX_LIMIT = 50

/** The route. Answer: `{height, scannedFrom, txs: [{hash, height, index, code, gasUsed, messages}]}`. */
export const txs: ApiRoute = {
  name: "txs",
  description: `the newest committed txs (limit=1..${MAX_LIMIT}, default 10), from the last ${MAX_BLOCKS_WALKED} blocks`,
  params: { limit: intParam(`a tx count from 1 to ${MAX_LIMIT}`) },
  handle: async (ctx, p) => {
    const limit = p.limit === undefined ? 10 : Number(p.limit)
    if (limit < 1 || limit > MAX_LIMIT) throw new ApiError({ code: "BadParam", status: 400, param: "limit", message: `parameter limit must be from 1 to ${MAX_LIMIT}, got ${limit}` })
    const tip = Math.min(ctx.engine.tip().height, ctx.blockStore.resultsHeight())
    const floor = Math.max(ctx.blockStore.base(), 1, tip - MAX_BLOCKS_WALKED + 1)
    const out: Array<{ hash: string; height: number; index: number; code: number; gasUsed: string; messages: string[] }> = []
    let h = tip
    for (; h >= floor && out.length < limit; h--) {
      const block = await ctx.blockStore.block(h)
      if (!block || block.txs.length === 0) continue
      const results = await ctx.blockStore.results(h)
      for (let i = block.txs.length - 1; i >= 0 && out.length < limit; i--) {
        const tx = block.txs[i]!
        const r = results?.txResults[i]
        out.push({
          hash: createHash("sha256").update(tx).digest("hex").toUpperCase(),
          height: h,
          index: i,
          code: r?.code ?? 0,
          gasUsed: String(r?.gasUsed ?? 0n),
          messages: txView(tx).messages.map((m) => String((m as { "@type"?: string })["@type"] ?? ""))
        })
      }
    }
    return { height: tip, scannedFrom: h + 1, txs: out }
  }
}
