/**
 * The machine registry: which machine each operator-config module loads, and the cross-machine
 * calls each machine is granted as kernel capabilities. A module switched off in the config is
 * never imported (its code is loaded with a dynamic import only when enabled).
 *
 * Source: ARCHITECTURE.md "Machines"; Cosmos SDK app.go module wiring (maccPerms, keepers'
 * expected keepers) — here expressed as capabilities instead of keeper references.
 */
import { Data } from "effect"
import type { Machine } from "../chain/Machine.ts"
import type { TxPipeline } from "../chain/TxPipeline.ts"
import { enabledModules, minGasPricesText, type ModuleName, type NodeConfig } from "./config/NodeConfig.ts"

/** A module named in the config cannot be loaded (not built, or its constructor refused the config). */
export class MachineLoadError extends Data.TaggedError("MachineLoadError")<{ readonly module: string; readonly reason: string }> {
  override get message(): string {
    return `module "${this.module}" cannot be loaded: ${this.reason}`
  }
}

/** A cross-machine call a machine is allowed to make (granted as a kernel capability). */
export interface CallGrant {
  readonly target: string
  readonly method: string
}

/** A loaded machine with the calls it is granted. */
export interface LoadedMachine {
  readonly machine: Machine
  readonly calls: ReadonlyArray<CallGrant>
}

/** The loaded machine set: in begin/end block order, plus the tx pipeline (auth). */
export interface MachineSet {
  readonly machines: ReadonlyArray<LoadedMachine>
  readonly pipeline: TxPipeline
}

type Loader = (config: NodeConfig) => Promise<LoadedMachine>

const LOADERS: Record<ModuleName, Loader> = {
  auth: async (config) => {
    const { AuthMachine } = await import("../modules/auth/Auth.ts")
    const machine = new AuthMachine({
      bech32Prefix: config.chain.bech32Prefix,
      minGasPrices: minGasPricesText(config),
      maxTxBytes: config.mempool.maxTxBytes
    })
    return { machine, calls: [{ target: "bank", method: "send" }] }
  },
  bank: async (config) => {
    const { BankMachine } = await import("../modules/bank/Bank.ts")
    return { machine: new BankMachine({ bech32Prefix: config.chain.bech32Prefix }), calls: [{ target: "auth", method: "ensureAccount" }] }
  },
  graph: async (config) => {
    const { GraphMachine } = await import("../modules/graph/Graph.ts")
    const { defaultGraphParams } = await import("../modules/graph/GraphParams.ts")
    const { makeRankRunner } = await import("../modules/graph/RankRunner.ts")
    const g = config.modules.graph
    const machine = new GraphMachine({
      bech32Prefix: config.chain.bech32Prefix,
      runner: makeRankRunner({ threads: g.rankThreads }),
      params: {
        ...defaultGraphParams,
        stakeDenom: config.chain.feeDenom,
        rank: { calculationPeriod: BigInt(g.rankPeriodBlocks), mode: g.rankMode, damping: g.damping, tolerance: g.tolerance, maxIterations: g.maxIterations }
      }
    })
    return { machine, calls: [{ target: "bank", method: "balance" }, { target: "bank", method: "supply" }] }
  },
  cyberwasm: async (config) => {
    const { CyberWasmMachine } = await import("../modules/cyberwasm/CyberWasmMachine.ts")
    const { defaultParams } = await import("../modules/cyberwasm/Params.ts")
    const c = config.modules.cyberwasm
    const machine = new CyberWasmMachine({
      params: {
        addressPrefix: config.chain.bech32Prefix,
        feeDenom: config.chain.feeDenom,
        limits: { ...defaultParams.limits, maxCodeBytes: c.maxCodeBytes },
        maxRunGas: BigInt(c.maxCallGas),
        maxLiveInstances: c.instanceCacheSize
      }
    })
    return {
      machine,
      calls: [
        { target: "cyberwasm", method: "deliver" },
        { target: "bank", method: "send" },
        { target: "bank", method: "balance" },
        { target: "bank", method: "supply" },
        // the graph host functions (GraphAdapter); without the graph module they fail with UnknownRequest
        { target: "graph", method: "link" },
        { target: "graph", method: "rank" },
        { target: "graph", method: "outlinks" },
        { target: "graph", method: "backlinks" }
      ]
    }
  }
}

/** Load the machines the config enables, in the fixed order auth, bank, graph, cyberwasm. */
export const loadMachines = async (config: NodeConfig): Promise<MachineSet> => {
  const machines: LoadedMachine[] = []
  for (const name of enabledModules(config)) {
    try {
      machines.push(await LOADERS[name](config))
    } catch (e) {
      throw e instanceof MachineLoadError ? e : new MachineLoadError({ module: name, reason: e instanceof Error ? e.message : String(e) })
    }
  }
  const auth = machines.find((m) => m.machine.name === "auth")?.machine
  if (!auth || !("decode" in auth && "ante" in auth)) throw new MachineLoadError({ module: "auth", reason: "the auth machine must be loaded: it is the tx pipeline" })
  return { machines, pipeline: auth as unknown as TxPipeline }
}
