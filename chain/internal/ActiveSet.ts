/**
 * Which of the machines a node has code for take part in the chain: the registry's active set
 * (chain/Registry.ts), as routing tables, plus the store mounts that go with it. Machines with code
 * here but no active record are inert: no namespace mounted (so none in the app hash), no routes.
 *
 * Order: active machines run begin/end block in the order the Application was given them (the
 * node's machine catalog order, fixed by the release), never in registry order.
 */
import type { CommitMultiStore } from "../../store/KVStore.ts"
import { CAPABILITIES_NAMESPACE } from "../Capabilities.ts"
import type { Machine } from "../Machine.ts"
import {
  checkMachineCode, genesisRecords, listRecords, parseRegistryGenesis, recordOf, REGISTRY_NAMESPACE, type MachineRecord
} from "../Registry.ts"
import { Router } from "../Router.ts"

/** Namespaces every chain mounts besides its machines'. */
export const SYSTEM_NAMESPACES: ReadonlyArray<string> = [CAPABILITIES_NAMESPACE, REGISTRY_NAMESPACE]

/** The node's machine code and the chain's active subset of it. */
export class ActiveSet {
  /** Every machine this node has code for (conflicts among them are refused here). */
  readonly all: Router
  /** The active machines' routes (all machines until genesis or the registry says otherwise). */
  router: Router
  private readonly store: CommitMultiStore

  /** Throws RouterConflict on conflicting code, MachineCodeMismatch when the committed registry needs code this node lacks. */
  constructor(machines: ReadonlyArray<Machine>, store: CommitMultiStore) {
    this.all = new Router(machines)
    this.router = this.all
    this.store = store
    for (const ns of SYSTEM_NAMESPACES) store.mount(ns)
    if (store.lastCommit().version === 0) return
    const records = listRecords(store.store(REGISTRY_NAMESPACE))
    // A chain committed before the registry existed: every machine it was opened with is active.
    if (records.length === 0) {
      this.apply(machines.map((m) => recordOf(m)))
      return
    }
    const mismatch = checkMachineCode(records, machines)
    if (mismatch) throw mismatch
    this.apply(records)
  }

  /**
   * The genesis registry: the `registry` section checked against this node's code, or (absent)
   * every machine here active from height 1. A scheduled entry keeps its genesis section: the
   * entry's own `genesis`, else the machine's app_state section.
   */
  genesis(appState: Record<string, unknown>): MachineRecord[] {
    const section = appState[REGISTRY_NAMESPACE]
    if (section === undefined) return this.all.machines.map((m) => recordOf(m))
    return genesisRecords(parseRegistryGenesis(section), this.all.machines).map((r) =>
      r.status === "scheduled" && r.genesis === undefined && appState[r.name] !== undefined ? { ...r, genesis: appState[r.name] } : r
    )
  }

  /** Mount the namespaces of active and halted records and route the active ones. */
  apply(records: ReadonlyArray<MachineRecord>): void {
    const active = new Set<string>()
    for (const r of records) {
      if (r.status === "scheduled") continue
      this.store.mount(r.name)
      if (r.status === "active") active.add(r.name)
    }
    this.router = new Router(this.all.machines.filter((m) => active.has(m.name)))
  }

  /** Add machine `name` to the active routes (its namespace mounted). */
  activate(name: string): void {
    this.store.mount(name)
    const active = new Set(this.router.machines.map((m) => m.name)).add(name)
    this.router = new Router(this.all.machines.filter((m) => active.has(m.name)))
  }

  /** Machines this node has code for that the chain does not run (loaded inert). */
  inert(): Machine[] {
    return this.all.machines.filter((m) => this.router.machine(m.name) === undefined)
  }
}
