/**
 * Plugin services (plugins/Host.ts PluginServiceFactory): node-side work a plugin brings, such as the
 * EVM plugin's Ethereum JSON-RPC endpoint. The node starts a plugin's service once its machine is
 * active on the chain (at boot, or at the block governance activates it: checked after each block
 * the node sees, by polling the router) and stops every started service when the node stops. A
 * service that fails to start is logged and left off; the chain goes on (node plane).
 *
 * Source: docs/plugins.md "Services".
 */
import type { ResponseQuery } from "cosmjs-types/tendermint/abci/types"
import type { AbciApplication } from "../chain/Abci.ts"
import type { Application } from "../chain/Application.ts"
import type { BlockStore } from "../chain/BlockStore.ts"
import type { Machine } from "../chain/Machine.ts"
import type { ConsensusEngine } from "../modules/consensus/Consensus.ts"
import { pluginHost, type PluginService } from "../plugins/Host.ts"
import { camelToSnake } from "./config/ConfigFile.ts"
import type { NodeConfig } from "./config/NodeConfig.ts"
import { pluginServiceOf } from "./PluginPackage.ts"

/** What {@link startPluginServices} needs from the running node. */
export interface PluginServiceDeps {
  readonly machines: ReadonlyArray<Machine>
  readonly app: Application
  readonly engine: ConsensusEngine
  readonly blockStore: BlockStore
  readonly config: NodeConfig
  readonly chainId: string
  readonly bondDenom: string
  readonly log: (line: string) => void
  /** How often to look for newly activated machines, in ms (default 250). */
  readonly pollMs?: number
}

/** Started plugin services; `close` stops them (and the activation watch). */
export interface PluginServices {
  /** Names of the machines whose service runs now. */
  running(): ReadonlyArray<string>
  close(): Promise<void>
}

const snakeKeys = (t: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(t).map(([k, v]) => [camelToSnake(k), v]))

/** Start (now or at activation) the services of the plugin machines in `deps.machines`. */
export const startPluginServices = (deps: PluginServiceDeps): PluginServices => {
  const pending = deps.machines.filter((m) => pluginServiceOf(m) !== undefined)
  const started = new Map<string, PluginService>()
  let closed = false
  let busy = false
  const app: AbciApplication = deps.app
  const tick = async (): Promise<void> => {
    if (busy || closed) return
    busy = true
    try {
      for (const m of [...pending]) {
        if (deps.app.router.machine(m.name) === undefined) continue
        pending.splice(pending.indexOf(m), 1)
        const service = pluginServiceOf(m)!({
          host: pluginHost,
          bech32Prefix: deps.config.chain.bech32Prefix,
          bondDenom: deps.bondDenom,
          chainId: deps.chainId,
          config: snakeKeys(deps.config.plugins[m.name] ?? {}),
          blockStore: deps.blockStore,
          broadcastTx: (tx) => deps.engine.broadcastTx(tx),
          abciQuery: (req): Promise<ResponseQuery> => app.query({ path: req.path, data: req.data, height: req.height ?? 0n, prove: false }),
          log: (line) => deps.log(`plugin ${m.name}: ${line}`)
        })
        try {
          await service.start()
          if (closed) await service.stop()
          else started.set(m.name, service)
        } catch (e) {
          deps.log(`plugin ${m.name}: its service failed to start: ${e instanceof Error ? e.message : String(e)}`)
        }
      }
    } finally {
      busy = false
    }
  }
  const timer = pending.length > 0 ? setInterval(() => void tick(), deps.pollMs ?? 250) : undefined
  void tick()
  return {
    running: () => [...started.keys()],
    close: async () => {
      closed = true
      if (timer) clearInterval(timer)
      for (const s of started.values()) await s.stop().catch(() => undefined)
      started.clear()
    }
  }
}
