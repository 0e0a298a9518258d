/**
 * The machine catalog: every chain machine this node build can run, as one entry each (name, the
 * config switch that says whether this node has it, and an async loader), in begin/end block order.
 * A module switched off in the config is never imported (its loader runs only when enabled).
 *
 * What a node HAS is node config; what the chain RUNS is the machine registry in chain state
 * (chain/Registry.ts): the Application routes only the machines the registry marks active and
 * keeps the others inert, and at `init` the enabled machines become the genesis registry
 * ({@link genesisRegistrySection}). A new machine (or a plugin) is one more {@link CatalogEntry}:
 * pass `[...MACHINE_CATALOG, entry]` to {@link loadMachines} (docs/registry.md).
 *
 * Consensus parameters are chain state, not operator config: graph's rank and bandwidth params and
 * cyberwasm's code size and call gas limits are written by each machine's initGenesis from its
 * genesis `params` section (which `init` fills from the config of the node that created the chain)
 * and changed only by governance (MsgUpdateParams). The config's values below are only the
 * defaults for a state without stored params; node-local settings (rank threads, instance cache)
 * stay in the config.
 *
 * Source: ARCHITECTURE.md "The machine registry is chain state"; Cosmos SDK app.go module wiring.
 */
import { Data } from "effect"
import type { Machine } from "../chain/Machine.ts"
import { machineCodeHash } from "../chain/Registry.ts"
import { toHex } from "../lib/Bytes.ts"
import type { TxPipeline } from "../chain/TxPipeline.ts"
import { minGasPricesText, type NodeConfig } from "./config/NodeConfig.ts"
import type { GraphParams } from "../modules/graph/GraphParams.ts"

/** A module named in the config cannot be loaded (not built, or its constructor refused the config). */
export class MachineLoadError extends Data.TaggedError("MachineLoadError")<{ readonly module: string; readonly reason: string }> {
  override get message(): string {
    return `module "${this.module}" cannot be loaded: ${this.reason}`
  }
}

/** A loaded machine. */
export interface LoadedMachine {
  readonly machine: Machine
}

/** The loaded machine set: in begin/end block order, plus the tx pipeline (auth). */
export interface MachineSet {
  readonly machines: ReadonlyArray<LoadedMachine>
  readonly pipeline: TxPipeline
}

/** What a loader sees: the operator config and the chain's genesis app_state (consensus params). */
export interface LoadContext {
  readonly config: NodeConfig
  /** genesis.json app_state, when the node has one (absent in `init` before genesis exists). */
  readonly appState?: Readonly<Record<string, unknown>> | undefined
}

/** One machine module this node build can run. */
export interface CatalogEntry {
  /** Machine (and namespace) name; must equal the loaded machine's `name`. */
  readonly name: string
  /** Whether this node has the machine (its config switch). */
  readonly enabled: (config: NodeConfig) => boolean
  /** Import and construct the machine. */
  readonly load: (ctx: LoadContext) => Promise<Machine>
}

const section = (ctx: LoadContext, name: string): Record<string, unknown> => {
  const s = ctx.appState?.[name]
  return typeof s === "object" && s !== null ? (s as Record<string, unknown>) : {}
}

/** Cyberwasm consensus limits as they appear in its genesis section (`cyberwasm.params`, integers as strings). */
export interface CyberWasmGenesisParams {
  readonly max_code_bytes: string
  readonly max_call_gas: string
}

/** The graph genesis params a new chain gets from this config (written at init; GraphParams.ts paramsToGenesis shape). */
export const graphGenesisParams = async (config: NodeConfig): Promise<unknown> => {
  const { defaultGraphParams, paramsToGenesis } = await import("../modules/graph/GraphParams.ts")
  return (paramsToGenesis(graphConfigParams(config, defaultGraphParams)) as { params: unknown }).params
}

/** Graph params from this config over `base` (stake denom = fee denom, rank settings). */
const graphConfigParams = (config: NodeConfig, base: GraphParams): GraphParams => {
  const g = config.modules.graph
  return {
    ...base,
    stakeDenom: config.chain.feeDenom,
    rank: { calculationPeriod: BigInt(g.rankPeriodBlocks), mode: g.rankMode, damping: g.damping, tolerance: g.tolerance, maxIterations: g.maxIterations }
  }
}

/** The cyberwasm genesis params a new chain gets from this config (written at init). */
export const cyberwasmGenesisParams = (config: NodeConfig): CyberWasmGenesisParams => ({
  max_code_bytes: String(config.modules.cyberwasm.maxCodeBytes),
  max_call_gas: String(config.modules.cyberwasm.maxCallGas)
})

const positive = (v: unknown, what: string, fallback: number): number => {
  if (v === undefined) return fallback
  if ((typeof v !== "string" && typeof v !== "number") || !/^[1-9][0-9]{0,15}$/.test(String(v))) {
    throw new MachineLoadError({ module: "cyberwasm", reason: `genesis cyberwasm.params.${what} must be a positive integer, got ${JSON.stringify(v)}` })
  }
  return Number(v)
}

/** The machines of this build, in begin/end block order. */
export const MACHINE_CATALOG: ReadonlyArray<CatalogEntry> = [
  {
    name: "auth",
    enabled: () => true,
    load: async ({ config }) => {
      const { AuthMachine } = await import("../modules/auth/Auth.ts")
      return new AuthMachine({ bech32Prefix: config.chain.bech32Prefix, minGasPrices: minGasPricesText(config), maxTxBytes: config.mempool.maxTxBytes })
    }
  },
  {
    name: "bank",
    enabled: () => true,
    load: async ({ config }) => {
      const { BankMachine } = await import("../modules/bank/Bank.ts")
      return new BankMachine({ bech32Prefix: config.chain.bech32Prefix })
    }
  },
  // Begin/end block order as the SDK's: distribution allocates before staking's beginBlock; gov
  // ends before staking, so a passed proposal's changes reach this block's validator updates.
  {
    name: "distribution",
    enabled: (config) => config.modules.distribution.enabled,
    load: async ({ config }) => {
      const { DistributionMachine } = await import("../modules/distribution/Distribution.ts")
      return new DistributionMachine({ bech32Prefix: config.chain.bech32Prefix, bondDenom: config.chain.feeDenom })
    }
  },
  {
    name: "gov",
    enabled: (config) => config.modules.gov.enabled,
    load: async ({ config }) => {
      const { GovMachine } = await import("../modules/gov/Gov.ts")
      return new GovMachine({ bech32Prefix: config.chain.bech32Prefix, bondDenom: config.chain.feeDenom })
    }
  },
  {
    name: "staking",
    enabled: (config) => config.modules.staking.enabled,
    load: async ({ config }) => {
      const { StakingMachine } = await import("../modules/staking/Staking.ts")
      return new StakingMachine({ bech32Prefix: config.chain.bech32Prefix, bondDenom: config.chain.feeDenom })
    }
  },
  {
    name: "graph",
    enabled: (config) => config.modules.graph.enabled,
    load: async ({ config }) => {
      const { GraphMachine } = await import("../modules/graph/Graph.ts")
      const { defaultGraphParams } = await import("../modules/graph/GraphParams.ts")
      const { makeRankRunner } = await import("../modules/graph/RankRunner.ts")
      // params are chain state (genesis `graph.params`, then governance); the config's only fill
      // what a genesis section leaves out
      return new GraphMachine({
        bech32Prefix: config.chain.bech32Prefix,
        runner: makeRankRunner({ threads: config.modules.graph.rankThreads }),
        params: graphConfigParams(config, defaultGraphParams)
      })
    }
  },
  {
    name: "cyberwasm",
    enabled: (config) => config.modules.cyberwasm.enabled,
    load: async (ctx) => {
      const { CyberWasmMachine } = await import("../modules/cyberwasm/CyberWasmMachine.ts")
      // CosmWasm contracts (wasmd's messages and queries, docs/cosmwasm.md) run in the same machine
      const { makeCosmWasmVm } = await import("../modules/cyberwasm/cosmwasm/vm/CosmWasmVmLive.ts")
      const c = ctx.config.modules.cyberwasm
      // Consensus limits are chain state (initGenesis writes genesis `cyberwasm.params`, governance
      // changes them). These defaults serve a state that stores none: a chain created before the
      // params were state, whose genesis section (else this config) named them.
      const p = (section(ctx, "cyberwasm").params ?? {}) as Partial<Record<keyof CyberWasmGenesisParams, unknown>>
      return new CyberWasmMachine({
        params: { addressPrefix: ctx.config.chain.bech32Prefix, feeDenom: ctx.config.chain.feeDenom, maxLiveInstances: c.instanceCacheSize },
        chainParams: {
          maxCodeBytes: positive(p.max_code_bytes, "max_code_bytes", c.maxCodeBytes),
          maxCallGas: BigInt(positive(p.max_call_gas, "max_call_gas", c.maxCallGas))
        },
        cosmwasm: { vm: makeCosmWasmVm() }
      })
    }
  },
  {
    name: "ibc",
    enabled: (config) => config.modules.ibc.enabled,
    load: async ({ config }) => {
      const { IbcMachine } = await import("../modules/ibc/Ibc.ts")
      const { tendermintClient } = await import("../modules/ibc/lightclients/tendermint/TendermintClient.ts")
      const { TypeUrl } = await import("../modules/ibc/lightclients/tendermint/ClientState.ts")
      const { TransferModule, TRANSFER_GRANTS } = await import("../modules/ibc/apps/transfer/Transfer.ts")
      const { ProgramPorts, PROGRAM_PORT_GRANTS } = await import("../modules/ibc/apps/programs/ProgramPorts.ts")
      const { ContractPorts, CONTRACT_PORT_GRANTS } = await import("../modules/ibc/apps/contracts/ContractPorts.ts")
      const programs = new ProgramPorts()
      const contracts = new ContractPorts()
      return new IbcMachine({
        bech32Prefix: config.chain.bech32Prefix,
        lightClients: [{ clientStateTypeUrl: TypeUrl.clientState, module: tendermintClient }],
        apps: (core) => [new TransferModule({ bech32Prefix: config.chain.bech32Prefix, packetSender: core })],
        // CyberWasm programs own the ports `cyberwasm.<address>`, CosmWasm contracts `wasm.<address>` (docs/ibc.md)
        ports: { route: (port) => programs.route(port) ?? contracts.route(port) },
        grants: [...TRANSFER_GRANTS, ...PROGRAM_PORT_GRANTS, ...CONTRACT_PORT_GRANTS]
      })
    }
  },
  {
    name: "names",
    enabled: (config) => config.modules.names.enabled,
    load: async ({ config }) => {
      const { NamesMachine } = await import("../modules/names/Names.ts")
      return new NamesMachine({ bech32Prefix: config.chain.bech32Prefix })
    }
  }
]

/** Names of the catalog machines this config enables, in catalog order. */
export const enabledMachineNames = (config: NodeConfig, catalog: ReadonlyArray<CatalogEntry> = MACHINE_CATALOG): string[] =>
  catalog.filter((e) => e.enabled(config)).map((e) => e.name)

/**
 * Load the machines the config enables, in catalog order. `appState` (genesis.json app_state)
 * carries consensus params. Fails with MachineLoadError naming the module.
 */
export const loadMachines = async (
  config: NodeConfig, appState?: Readonly<Record<string, unknown>>, catalog: ReadonlyArray<CatalogEntry> = MACHINE_CATALOG
): Promise<MachineSet> => {
  const machines: LoadedMachine[] = []
  const seen = new Set<string>()
  for (const entry of catalog) {
    if (!entry.enabled(config)) continue
    if (seen.has(entry.name)) throw new MachineLoadError({ module: entry.name, reason: "listed twice in the machine catalog" })
    seen.add(entry.name)
    try {
      const machine = await entry.load({ config, appState })
      if (machine.name !== entry.name) throw new MachineLoadError({ module: entry.name, reason: `its loader returned machine "${machine.name}"` })
      machines.push({ machine })
    } catch (e) {
      throw e instanceof MachineLoadError ? e : new MachineLoadError({ module: entry.name, reason: e instanceof Error ? e.message : String(e) })
    }
  }
  const auth = machines.find((m) => m.machine.name === "auth")?.machine
  if (!auth || !("decode" in auth && "ante" in auth)) throw new MachineLoadError({ module: "auth", reason: "the auth machine must be loaded: it is the tx pipeline" })
  return { machines, pipeline: auth as unknown as TxPipeline }
}

/**
 * The genesis `registry` section for a new chain: every loaded machine active from height 1 with
 * its version and code hash. Grants are not listed: the Application grants each machine's own
 * `grants` when genesis has no `capabilities` section (chain/Registry.ts).
 */
export const genesisRegistrySection = (set: MachineSet): { machines: unknown[] } => ({
  machines: set.machines.map(({ machine }) => ({
    name: machine.name,
    version: machine.version,
    code_hash: toHex(machineCodeHash(machine)),
    activation_height: "1",
    status: "active"
  }))
})
