/**
 * Params are chain state from `init` on: the genesis sections `init` writes carry graph and
 * cyberwasm params from the creating node's config; a node restarted with other config values
 * keeps the chain's params (the config only fills a genesis that leaves them out).
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { Application } from "../../chain/Application.ts"
import * as CW from "../../modules/cyberwasm/Messages.ts"
import { GRAPH_PARAMS_QUERY, QueryParamsResponse } from "../../modules/graph/ParamsMessages.ts"
import { defaultConfig } from "../../node/config/ConfigFile.ts"
import type { NodeConfig } from "../../node/config/NodeConfig.ts"
import { makeGenesis } from "../../node/home/Genesis.ts"
import { genesisMachineSections } from "../../node/home/Home.ts"
import { ed25519FromSeed } from "../../node/home/ValidatorKey.ts"
import { loadMachines } from "../../node/Machines.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import { block, CHAIN_ID, initChain } from "../registry/registryChain.ts"

const configWith = (period: number, maxCodeBytes: number): NodeConfig => ({
  ...defaultConfig,
  modules: {
    ...defaultConfig.modules,
    graph: { ...defaultConfig.modules.graph, enabled: true, rankPeriodBlocks: period, damping: "0.8" },
    cyberwasm: { ...defaultConfig.modules.cyberwasm, enabled: true, maxCodeBytes }
  }
})

const open = async (config: NodeConfig, appState: Record<string, unknown>, memory: MemoryStorage) => {
  const set = await loadMachines(config, appState)
  const store = await openCommitMultiStore({ memory, namespaces: Application.namespaces() })
  const app = new Application({ chainId: CHAIN_ID, store, machines: set.machines.map((m) => m.machine), pipeline: set.pipeline })
  const query = async (path: string) => (await app.query({ path, data: new Uint8Array(), height: 0n, prove: false })).value
  return {
    app, store,
    graph: async () => QueryParamsResponse.decode(await query(GRAPH_PARAMS_QUERY)).params!,
    cyberwasm: async () => CW.ChainParamsProto.decode(CW.QueryParamsResponse.decode(await query(CW.QueryPath.params)).params)
  }
}

test("init writes the config's graph and cyberwasm params into genesis; a restart with another config keeps them", async () => {
  const sections = await genesisMachineSections(configWith(7, 50_000))
  const graph = sections.graph as { params: { stake_denom: string; rank: { calculation_period: string; damping: string } } }
  assert.is(graph.params.rank.calculation_period, "7")
  assert.is(graph.params.rank.damping, "0.8")
  assert.is(graph.params.stake_denom, defaultConfig.chain.feeDenom)
  assert.equal(sections.cyberwasm, { params: { max_code_bytes: "50000", max_call_gas: String(defaultConfig.modules.cyberwasm.maxCallGas) } })

  const g = makeGenesis({ chainId: CHAIN_ID, genesisTime: "2026-01-01T00:00:00Z", validator: ed25519FromSeed(new Uint8Array(32).fill(7)), validatorName: "v", accounts: [] })
  const appState = { ...g.app_state, graph: sections.graph, cyberwasm: sections.cyberwasm }
  const memory = new MemoryStorage()
  const a = await open(configWith(7, 50_000), appState, memory)
  await initChain(a.app, appState)
  await block(a.app, 1)
  assert.is((await a.graph()).rank!.calculationPeriod, 7n)
  assert.is((await a.graph()).rank!.dampingFactor, "800000000000000000")
  assert.is((await a.cyberwasm()).maxCodeBytes, 50_000n)
  await a.store.close()

  // the operator edits the config: the chain's params stay
  const b = await open(configWith(3, 60_000), { ...appState, cyberwasm: {} }, memory)
  await block(b.app, 2)
  assert.is((await b.graph()).rank!.calculationPeriod, 7n)
  assert.is((await b.cyberwasm()).maxCodeBytes, 50_000n)
  await b.store.close()
})

test.run()
