/**
 * The dashboard's JSON API route table: `GET /ui/api/<name>` for each route listed here (one
 * route per file in this folder; the contract is ./Route.ts). Read-only: routes read the node's
 * committed state, block store, engine and kernel; nothing here changes state. docs/dashboard.md
 * says how to add one.
 */
import { account } from "./account.ts"
import { gas } from "./gas.ts"
import { gov, govProposal } from "./gov.ts"
import { graph, graphNeuron, graphParticle } from "./graph.ts"
import { kernel } from "./kernel.ts"
import { machines } from "./machines.ts"
import { node } from "./node.ts"
import { program, programs } from "./programs.ts"
import type { ApiRoute } from "./Route.ts"
import { tx } from "./tx.ts"
import { txs } from "./txs.ts"

export type { ApiContext, ApiRoute, ParamSpec } from "./Route.ts"
export { ApiError, intParam } from "./Route.ts"

/** Every API route, by name. Add a route: write node/ui/api/<name>.ts and list it here. */
export const apiRoutes: ReadonlyArray<ApiRoute> = [
  node,
  machines, gas,
  tx, txs, account,
  kernel,
  graph, graphParticle, graphNeuron,
  programs, program,
  gov, govProposal
]
