/**
 * `GET /ui/api/gas?blocks=N`: gas used per machine in each of the last N committed blocks
 * (1..256, default 60), from the node's gas observation (node/ui/GasHistory.ts; kept since this
 * node started, not stored). Only txs' gas is attributed (ante, messages and the calls they make);
 * begin/end-block hooks run unmetered.
 */
import { GAS_HISTORY_BLOCKS } from "../GasHistory.ts"
import { ApiError, intParam, type ApiRoute } from "./Route.ts"

/** The route. Answer: `{machines: string[], blocks: [{height, gas: {machine: units}}]}`, oldest first. */
export const gas: ApiRoute = {
  name: "gas",
  description: `gas used per machine in each of the last N blocks (blocks=1..${GAS_HISTORY_BLOCKS}, default 60)`,
  params: { blocks: intParam(`a block count from 1 to ${GAS_HISTORY_BLOCKS}`) },
  handle: (ctx, p) => {
    const n = p.blocks === undefined ? 60 : Number(p.blocks)
    if (n < 1 || n > GAS_HISTORY_BLOCKS) throw new ApiError({ code: "BadParam", status: 400, param: "blocks", message: `parameter blocks must be from 1 to ${GAS_HISTORY_BLOCKS}, got ${n}` })
    if (ctx.gasHistory === undefined) throw new ApiError({ code: "NotAvailable", status: 503, message: "this node records no gas per machine (dashboard off when the node started)" })
    const blocks = ctx.gasHistory.recent(n, ctx.engine.tip().height)
    const machines = [...new Set(blocks.flatMap((b) => Object.keys(b.gas)))].sort()
    return { machines, blocks }
  }
}
