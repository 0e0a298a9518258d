/**
 * `GET /ui/api/node`: what the dashboard shell needs to know about this node before it starts:
 * chain id, moniker, whether `/websocket` is served (else the browser polls), consensus mode and
 * block time, and the machines this node has code for. No parameters.
 */
import type { ApiRoute } from "./Route.ts"

/** The route. Answer: `{chainId, moniker, websocket, consensusMode, blockTimeMs, machines: string[]}`. */
export const node: ApiRoute = {
  name: "node",
  description: "node facts for the dashboard shell (websocket served, chain id, moniker)",
  params: {},
  handle: (ctx) => ({
    chainId: ctx.engine.chainId,
    moniker: ctx.config.moniker,
    websocket: ctx.websocket,
    consensusMode: ctx.config.consensus.mode,
    blockTimeMs: ctx.config.consensus.blockTimeMs,
    machines: ctx.machines.map((m) => m.name)
  })
}
