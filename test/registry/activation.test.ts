/**
 * The registry decides which machines run: a node with graph code on a chain that never activated
 * graph computes the same app hashes as a node without graph; graph activated at height H by a
 * registry transition (genesis `activation_height`, or scheduleActivation written by governance)
 * refuses graph messages as unknown (code 6) before H and runs them from H, and independent
 * Applications (one of them restarted) agree on every app hash.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { exportRegistryGenesis, listRecords, REGISTRY_NAMESPACE, scheduleActivation } from "../../chain/Registry.ts"
import { CAPABILITIES_NAMESPACE, exportCapabilitiesGenesis, listGrants } from "../../chain/Capabilities.ts"
import { appState, block, GRAPH_GENESIS, hex, initChain, makeKeys, openApp, prng, randomTxs } from "./registryChain.ts"

const REGISTRY_WITHOUT_GRAPH = { machines: [{ name: "auth" }, { name: "bank" }] }
/** What the old node loader granted graph (its calls into bank). */
const GRAPH_GRANTS = ["balance", "supply"].map((method) => ({ principal: "machine:graph", capability: { interface: "bank", method, constraints: [] } }))

test("graph code present but never activated: same app hashes as a node without graph; graph txs unknown (6)", async () => {
  const rnd = prng(11)
  const keys = await makeKeys(5)
  const state = appState(keys, { registry: REGISTRY_WITHOUT_GRAPH, graph: GRAPH_GENESIS })
  const withGraph = await openApp(true)
  const without = await openApp(false)
  const g0 = await initChain(withGraph.app, state)
  const w0 = await initChain(without.app, state)
  assert.is(hex(g0.appHash), hex(w0.appHash), "genesis app hash")
  assert.equal(withGraph.app.inertMachines().map((m) => m.name), ["graph"])
  let linkTxs = 0
  for (let h = 1; h <= 12; h++) {
    const { txs, kinds } = await randomTxs(rnd, keys, without.app)
    const a = await block(withGraph.app, h, txs)
    const b = await block(without.app, h, txs)
    assert.is(hex(a.appHash), hex(b.appHash), `app hash at ${h}`)
    assert.equal(a.txResults.map((r) => r.code), b.txResults.map((r) => r.code), `codes at ${h}`)
    kinds.forEach((k, i) => {
      if (k === "link") {
        linkTxs++
        assert.is(a.txResults[i]!.code, 6, `cyberlink refused as unknown at ${h}`)
        assert.match(a.txResults[i]!.log, /unrecognized message type/)
      }
    })
  }
  assert.ok(linkTxs > 3, `cyberlink txs tried: ${linkTxs}`)
  assert.equal(withGraph.store.storeRoots().map((r) => r.name), without.store.storeRoots().map((r) => r.name))
  // queries of an inert machine are unknown, as on a node without it
  const q = await withGraph.app.query({ path: "/cyber.graph.v1beta1.Query/GraphStats", data: new Uint8Array(), height: 0n, prove: false })
  assert.is(q.code, 6)
})

const runActivation = async (seed: number, schedule: "genesis" | "transition") => {
  const H = 6
  const rnd = prng(seed)
  const keys = await makeKeys(5)
  const registry = schedule === "genesis"
    ? { machines: [...REGISTRY_WITHOUT_GRAPH.machines, { name: "graph", activation_height: String(H), grants: GRAPH_GRANTS }] }
    : REGISTRY_WITHOUT_GRAPH
  const state = appState(keys, { registry, graph: GRAPH_GENESIS })
  const a = await openApp(true)
  let b = await openApp(true)
  await initChain(a.app, state)
  await initChain(b.app, state)
  const codes = { before: new Map<number, number>(), after: new Map<number, number>() }
  for (let h = 1; h <= 16; h++) {
    if (schedule === "transition" && h === 3) {
      // what a passed governance proposal writes: the same transition on every node, between blocks
      for (const x of [a, b]) scheduleActivation(x.store, { name: "graph", version: "0.1.0", height: H, grants: GRAPH_GRANTS, genesis: GRAPH_GENESIS })
    }
    const { txs, kinds } = await randomTxs(rnd, keys, a.app)
    const ra = await block(a.app, h, txs)
    const rb = await block(b.app, h, txs)
    assert.is(hex(rb.appHash), hex(ra.appHash), `app hash at ${h}`)
    assert.equal(rb.txResults.map((r) => r.code), ra.txResults.map((r) => r.code), `codes at ${h}`)
    kinds.forEach((k, i) => {
      if (k !== "link") return
      const m = h < H ? codes.before : codes.after
      const c = ra.txResults[i]!.code
      m.set(c, (m.get(c) ?? 0) + 1)
      if (h < H) assert.is(c, 6, `cyberlink before activation at ${h}: ${ra.txResults[i]!.log}`)
    })
    if (h === H - 2 || h === H + 3) {
      // restart b from its store: the committed registry decides what it mounts and routes
      b = await openApp(true, b.memory)
    }
    const names = a.store.storeRoots().map((r) => r.name)
    assert.is(names.includes("graph"), h >= H, `graph in the app hash at ${h}: ${names}`)
  }
  const rec = listRecords(a.store.store(REGISTRY_NAMESPACE)).find((r) => r.name === "graph")!
  assert.is(rec.status, "active")
  assert.is(rec.activationHeight, H)
  assert.is(rec.genesis, undefined)
  assert.ok(listGrants(a.store.store(CAPABILITIES_NAMESPACE), "machine:graph").length === 2)
  assert.ok((codes.before.get(6) ?? 0) > 0, `refused before: ${[...codes.before]}`)
  assert.ok((codes.after.get(0) ?? 0) > 3, `cyberlinks succeeded from H: ${[...codes.after]}`)

  // export then import: a new chain from the exported registry and capability sections holds the
  // same registry and capability tables, graph active from its genesis
  const exported = {
    ...state,
    registry: JSON.parse(JSON.stringify(exportRegistryGenesis(a.store.store(REGISTRY_NAMESPACE)))),
    capabilities: JSON.parse(JSON.stringify(exportCapabilitiesGenesis(a.store.store(CAPABILITIES_NAMESPACE))))
  }
  const c = await openApp(true)
  await initChain(c.app, exported)
  for (const ns of [REGISTRY_NAMESPACE, CAPABILITIES_NAMESPACE]) assert.equal(dump(c.store, ns), dump(a.store, ns), `${ns} after export/import`)
  assert.equal(c.app.router.machines.map((m) => m.name), ["auth", "bank", "graph"])
}

const dump = (store: { store(name: string): { iterate(): IterableIterator<readonly [Uint8Array, Uint8Array]> } }, ns: string): string[] =>
  [...store.store(ns).iterate()].map(([k, v]) => `${hex(k)}=${hex(v)}`)

test("graph activated at H by the genesis registry (activation_height): 6 before, 0 from H, same hashes", () => runActivation(21, "genesis"))
test("graph activated at H by scheduleActivation (the governance transition): same", () => runActivation(33, "transition"))

test.run()
