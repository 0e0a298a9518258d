/**
 * Graph genesis export/import (modules/graph/GraphGenesis.ts): random links by three neurons over
 * several blocks, with price adjustments and rank calculations (both rank contexts stored), then
 * export -> import -> export: the imported graph namespace equals the original entry for entry,
 * re-exports equal, two imports have equal namespace roots, and the imported chain keeps running
 * (its first block recomputes the imported published rank and checks its root). Malformed sections
 * are refused with InvalidRequest naming the entry, and nothing is written.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import type { ExecContext, QueryContext } from "../../chain/Machine.ts"
import { QueryRankResponse, StringRequest } from "../../modules/graph/Messages.ts"
import { block, cidOf, dump, genesisBytes, initChain, makeGKeys, openGraphApp, Seqs, signLinks, type GraphApp } from "./machineFixture.ts"

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const graphOf = (g: GraphApp) => g.app.router.machine("graph")!
const exportGraph = (g: GraphApp): unknown =>
  JSON.parse(JSON.stringify(graphOf(g).exportGenesis({ store: g.store.store("graph"), height: 0 } as unknown as QueryContext)))
const rootOf = (g: GraphApp): string => hex(g.store.storeRoots().find((r) => r.name === "graph")!.hash)
const rankOf = async (g: GraphApp, particle: string): Promise<bigint> => {
  const r = await g.app.query({ path: "/cyber.rank.v1beta1.Query/Rank", data: StringRequest.encode({ value: particle }).finish(), height: 0n, prove: false })
  assert.is(r.code, 0, r.log)
  return QueryRankResponse.decode(r.value).rank
}

const keys = await makeGKeys(3, "genesis key")
const accounts = keys.map((k, i) => ({ address: k.address, coins: [{ denom: "boot", amount: "1000000000" }, { denom: "volt", amount: String(1000 * (i + 1) ** 2) }] }))
const params = {
  stake_denom: "volt",
  rank: { calculation_period: "3" },
  bandwidth: { recovery_period: "6", adjust_price_period: "2", max_block_bandwidth: "1000000", desirable_bandwidth: "40000" }
}
const P = Array.from({ length: 12 }, (_, i) => cidOf(`genesis particle ${i}`))

test("export after random links, price adjustments and rank calculations imports to the same namespace", async () => {
  const a = await openGraphApp()
  await initChain(a.app, genesisBytes(accounts, { params }))
  const seqs = new Seqs(a.app)
  let seed = 12345
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n
  }
  let ok = 0
  for (let h = 1; h <= 10; h++) {
    const txs: Uint8Array[] = []
    if (h !== 4 && h <= 8) {
      for (const key of keys) {
        const links: Array<[string, string]> = []
        for (let j = 0; j < 1 + rnd(2); j++) {
          const f = rnd(P.length)
          const t = (f + 1 + rnd(P.length - 1)) % P.length
          if (!links.some(([x, y]) => x === P[f] && y === P[t])) links.push([P[f]!, P[t]!])
        }
        txs.push(await signLinks(key, links, await seqs.next(key.address)))
      }
    }
    const r = await block(a.app, h, txs)
    ok += r.txResults.filter((x) => x.code === 0).length
  }
  assert.ok(ok >= 6, `at least 6 link txs succeeded (${ok})`)
  const keysOf = new Set(dump(a.store, "graph").map((e) => e.slice(0, 2)))
  for (const p of ["01", "02", "03", "04", "05", "06", "07", "08", "10", "11", "20", "21", "22", "23", "30", "31", "32", "33"]) {
    assert.ok(keysOf.has(p), `the original namespace holds keys with prefix 0x${p}`)
  }

  const exported = exportGraph(a)
  const section = exported as { cyberlinks: unknown[]; rank: { current?: unknown; next?: unknown }; bandwidth: { price?: string } }
  assert.ok(section.cyberlinks.length >= 6 && section.rank.current && section.rank.next && section.bandwidth.price, "links, both rank contexts and the price exported")

  const b = await openGraphApp()
  await initChain(b.app, genesisBytes(accounts, exported))
  await block(b.app, 1)
  assert.equal(dump(b.store, "graph").filter((e) => !e.startsWith("2")), dump(a.store, "graph").filter((e) => !e.startsWith("2")), "links, particles, neurons, params, rank contexts equal")
  const c = await openGraphApp()
  await initChain(c.app, genesisBytes(accounts, exported))
  assert.equal(dump(c.store, "graph"), dump(a.store, "graph"), "imported namespace equals the original entry for entry")
  assert.equal(exportGraph(c), exported, "export of the imported chain equals the export")
  const d = await openGraphApp()
  await initChain(d.app, genesisBytes(accounts, exportGraph(c)))
  await block(c.app, 1)
  await block(d.app, 1)
  assert.is(rootOf(d), rootOf(c), "graph namespace roots of two imports")
  // the imported chain runs on: its first block recomputed the published rank and checked the root
  for (const p of (section as unknown as { particles: string[] }).particles.slice(0, 4)) assert.is(await rankOf(c, p), await rankOf(a, p), `rank of ${p} after import`)
  for (let h = 2; h <= 7; h++) await block(c.app, h)
  // an imported published root that is not the rank of its snapshot stops the node at its first block
  const cur = (exported as { rank: { current: { merkle_root: string } } }).rank.current
  const forged = { ...section, rank: { ...section.rank, current: { ...cur, merkle_root: (cur.merkle_root[0] === "0" ? "1" : "0") + cur.merkle_root.slice(1) } } }
  const f = await openGraphApp()
  await initChain(f.app, genesisBytes(accounts, forged))
  let stopped: unknown
  await block(f.app, 1).catch((e: unknown) => (stopped = e))
  assert.match(String((stopped as Error | undefined)?.message), /differs from the stored/, "forged rank root refused at the first block")
  for (const g of [a, b, c, d, f]) await g.close()
})

test("malformed sections are InvalidRequest naming the entry, and write nothing", async () => {
  const g = await openGraphApp()
  await initChain(g.app, genesisBytes(accounts))
  const store = g.store.store("graph")
  const before = dump(g.store, "graph")
  const link = (from: string, to: string, neuron = keys[0]!.address) => ({ from, to, neuron })
  const cases: Array<[unknown, string]> = [
    [{ cyberlinks: [link(P[0]!, P[1]!), link(P[1]!, "QmNotACid")] }, "cyberlinks[1].to"],
    [{ cyberlinks: [link(P[0]!, P[0]!)] }, "cyberlinks[0]"],
    [{ cyberlinks: [link(P[0]!, P[1]!, "cyber1bad")] }, "cyberlinks[0].neuron"],
    [{ cyberlinks: [link(P[0]!, P[1]!), link(P[0]!, P[1]!)] }, "cyberlinks[1]"],
    [{ cyberlinks: [{ ...link(P[0]!, P[1]!), height: "3" }] }, "cyberlinks[0].height"],
    [{ cyberlinks: [link(P[0]!, P[1]!)], particles: [P[1], P[0]] }, "particles[0]"],
    [{ cyberlinks: [link(P[0]!, P[1]!)], neurons: [keys[1]!.address] }, "neurons[0]"],
    [{ bandwidth: { neurons_bandwidth: [{ neuron: keys[0]!.address, remained_value: "x", max_value: "1", last_updated_block: "1" }] } }, "bandwidth.neurons_bandwidth[0].remained_value"],
    [{ bandwidth: { price: "2.5" } }, "bandwidth.price"],
    [{ bandwidth: { block_bandwidth: [{ height: "3", value: "10" }], window_spent: "11" } }, "bandwidth.window_spent"],
    [{ cyberlinks: [link(P[0]!, P[1]!)], rank: { next: { snapshot_height: "3", links: "2", particles: "2", neurons: "1" } } }, "rank.next.links"],
    [{ cyberlinks: [link(P[0]!, P[1]!)], rank: { next: { snapshot_height: "3", links: "1", particles: "2", neurons: "1", stakes: [] } } }, "rank.next.stakes"],
    [{ cyberlinks: [link(P[0]!, P[1]!)], rank: { current: { snapshot_height: "3", links: "1", particles: "2", neurons: "1", merkle_root: "00", published_height: "6" } } }, "rank.current.merkle_root"],
    [{ cyberlinks: {} }, "cyberlinks"],
    [{ extra: 1 }, "section.extra"]
  ]
  for (const [section, where] of cases) {
    let err: unknown
    try {
      graphOf(g).initGenesis({ store } as unknown as ExecContext, section)
    } catch (e) {
      err = e
    }
    const e = err as { _tag?: string; log?: string } | undefined
    assert.is(e?._tag, "InvalidRequest", `${where}: ${e?.log ?? String(err)}`)
    assert.ok(e?.log?.includes(`graph genesis: ${where}:`), `log names ${where}: ${e?.log}`)
    assert.equal(dump(g.store, "graph"), before, `${where}: nothing written`)
  }
  await g.close()
})

test("a params-only section (the earlier genesis shape) still imports and exports empty sections", async () => {
  const g = await openGraphApp()
  await initChain(g.app, genesisBytes(accounts, { params }))
  await block(g.app, 1)
  const e = exportGraph(g) as Record<string, unknown>
  assert.equal(e["cyberlinks"], [])
  assert.equal(e["rank"], {})
  assert.is((e["params"] as { stake_denom: string }).stake_denom, "volt")
  await g.close()
})

test.run()
