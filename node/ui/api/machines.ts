/**
 * `GET /ui/api/machines`: the machine registry as the chain holds it at the last commit (name,
 * version, code hash, activation height, status), joined with what this node has code for
 * (message type URLs, query prefixes, WIT interface) and each machine's current capabilities
 * from the capability table (chain/Capabilities.ts). Sources: chain/Registry.ts listRecords,
 * chain/Capabilities.ts listGrants; docs/registry.md, docs/capabilities.md.
 */
import { CAPABILITIES_NAMESPACE, listGrants } from "../../../chain/Capabilities.ts"
import { formatCapability } from "../../../chain/ChainCapability.ts"
import { listRecords, REGISTRY_NAMESPACE } from "../../../chain/Registry.ts"
import { toHex } from "../../../lib/Bytes.ts"
import type { ApiRoute } from "./Route.ts"

/** One row of the `machines` answer. */
export interface MachineRow {
  readonly name: string
  /** Registry version (or this node's code version for an inert machine). */
  readonly version: string
  /** "active" | "halted" | "scheduled" | "removed" from the registry; "inert" when only this node has the code. */
  readonly status: string
  /** Height of activation; null for an inert machine. */
  readonly activationHeight: number | null
  /** Registry code hash, hex; null for an inert machine. */
  readonly codeHash: string | null
  /** Whether this node has the machine's code. */
  readonly local: boolean
  readonly msgTypeUrls: ReadonlyArray<string>
  readonly queryPrefixes: ReadonlyArray<string>
  /** Capabilities the machine holds now, formatted as `interface.method {constraints}`. */
  readonly capabilities: ReadonlyArray<string>
}

/** The route. Answer: `{height, machines: MachineRow[]}` (name order). */
export const machines: ApiRoute = {
  name: "machines",
  description: "machine registry at the last commit, with each machine's capabilities",
  params: {},
  handle: async (ctx) => {
    const height = ctx.store.lastCommit().version
    const snap = await ctx.store.snapshot()
    const records = listRecords(snap.store(REGISTRY_NAMESPACE))
    const grants = listGrants(snap.store(CAPABILITIES_NAMESPACE))
    const capsOf = (name: string) => grants.filter((g) => g.principal === name || g.principal === `machine:${name}`).map((g) => formatCapability(g.capability))
    const local = new Map(ctx.machines.map((m) => [m.name, m]))
    const rows: MachineRow[] = records.map((r) => {
      const m = local.get(r.name)
      return {
        name: r.name, version: r.version, status: r.status, activationHeight: r.activationHeight, codeHash: toHex(r.codeHash),
        local: m !== undefined, msgTypeUrls: m?.msgTypeUrls ?? [], queryPrefixes: m?.queryPrefixes ?? [], capabilities: capsOf(r.name)
      }
    })
    for (const m of ctx.machines) {
      if (records.some((r) => r.name === m.name)) continue
      rows.push({ name: m.name, version: m.version, status: records.length === 0 ? "active" : "inert", activationHeight: null, codeHash: null, local: true, msgTypeUrls: m.msgTypeUrls, queryPrefixes: m.queryPrefixes, capabilities: capsOf(m.name) })
    }
    rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    return { height, machines: rows }
  }
}
