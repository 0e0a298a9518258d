/**
 * Graph page check: the stats and top ranks equal GraphStats and Top; a particle searched by CID
 * (typed and submitted with the keyboard) shows the Rank query's value, cytoscape draws exactly
 * its Search and Backlinks neighbours (read from `window.__cy`), the neighbour tables equal those
 * queries, the rank history ends at the shown rank; a neuron's bandwidth equals NeuronBandwidth
 * at the shown height. The set-up linked python3 -> libc6 and perl -> libc6 (test/ui/harness.ts).
 */
import * as assert from "uvu/assert"
import type { Page } from "playwright-core"
import {
  MSG_CYBERLINK_URL, QueryGraphStatsResponse, QueryNeuronBandwidthResponse, QueryRankResponse, QuerySearchRequest, QuerySearchResponse, QueryTopRequest, StringRequest
} from "../../../modules/graph/Messages.ts"
import { packageCid } from "../../../scripts/debian-graph.ts"
import type { UiContext } from "../harness.ts"
import { eventually, textOf, until } from "./Check.ts"

const abci = async (ui: UiContext, path: string, data: Uint8Array, height?: number): Promise<Uint8Array> => {
  const r = await ui.rpc("abci_query", { path: JSON.stringify(path), data: "0x" + Buffer.from(data).toString("hex"), ...(height ? { height: String(height) } : {}) })
  if (r.response.code !== 0) throw new Error(`${path}: code ${r.response.code}: ${r.response.log}`)
  return new Uint8Array(Buffer.from(r.response.value ?? "", "base64"))
}
const rankOf = async (ui: UiContext, particle: string) =>
  QueryRankResponse.decode(await abci(ui, "/cyber.rank.v1beta1.Query/Rank", StringRequest.encode({ value: particle }).finish())).rank.toString()
const neighbours = async (ui: UiContext, path: string, particle: string) =>
  QuerySearchResponse.decode(await abci(ui, path, QuerySearchRequest.encode({ particle, pagination: { page: 0, perPage: 50 } }).finish()))
const tableRows = (page: Page, name: string) =>
  page.locator(`[data-table=${name}] tbody tr`).evaluateAll((rows) => rows.map((r) => [r.getAttribute("data-particle"), r.querySelector("[data-field=rank]")?.textContent?.trim()]))

/** See the module doc. */
export const check = async (page: Page, ui: UiContext): Promise<void> => {
  // Overview: stats and top ranks as the queries answer them (ranks move only at a new calculation).
  const stats = QueryGraphStatsResponse.decode(await abci(ui, "/cyber.graph.v1beta1.Query/GraphStats", new Uint8Array()))
  assert.ok(stats.cyberlinks >= 2n, "the set-up's links are in the graph")
  await eventually(async () => {
    assert.is(await textOf(page, "[data-field=cyberlinks]"), stats.cyberlinks.toString())
    assert.is(await textOf(page, "[data-field=particles]"), stats.particles.toString())
  })
  await eventually(async () => {
    const top = QuerySearchResponse.decode(await abci(ui, "/cyber.rank.v1beta1.Query/Top", QueryTopRequest.encode({ pagination: { page: 0, perPage: 20 } }).finish()))
    assert.ok(top.result.length > 0, "a rank has been published")
    assert.is(await textOf(page, "[data-field=ranked]"), String(top.total))
    assert.equal(await tableRows(page, "top"), top.result.map((p) => [p.particle, p.rank.toString()]))
  }, 20_000)
  await ui.shot("graph-overview")

  // A neuron's bandwidth, compared with the query at the height the page read it at.
  await page.getByLabel("Neuron", { exact: true }).fill(ui.sent.sender)
  await page.getByLabel("Neuron", { exact: true }).press("Enter")
  await page.locator("[data-field=bandwidth-max]").waitFor({ timeout: 10_000 })
  assert.is(await textOf(page, "[data-field=neuron]"), ui.sent.sender)
  const at = Number(await textOf(page, "[data-field=bandwidth-height]"))
  const bw = QueryNeuronBandwidthResponse.decode(await abci(ui, "/cyber.bandwidth.v1beta1.Query/NeuronBandwidth", StringRequest.encode({ value: ui.sent.sender }).finish(), at)).neuronBandwidth
  assert.ok(bw.maxValue > 0n, "the dev account has bandwidth")
  await eventually(async () => {
    const shownAt = Number(await textOf(page, "[data-field=bandwidth-height]"))
    const b = shownAt === at ? bw : QueryNeuronBandwidthResponse.decode(await abci(ui, "/cyber.bandwidth.v1beta1.Query/NeuronBandwidth", StringRequest.encode({ value: ui.sent.sender }).finish(), shownAt)).neuronBandwidth
    assert.is(await textOf(page, "[data-field=bandwidth-remained]"), b.remainedValue.toString())
    assert.is(await textOf(page, "[data-field=bandwidth-max]"), b.maxValue.toString())
    assert.is(await textOf(page, "[data-field=bandwidth-updated]"), b.lastUpdatedBlock.toString())
  })

  // Search the particle every set-up link points to, from the keyboard.
  const target = ui.sent.links[0]!.to
  await ui.open("graph")
  const input = page.getByLabel("Particle", { exact: true })
  await input.focus()
  await page.keyboard.type(target)
  await page.keyboard.press("Enter")
  await until(page, `location.hash === "#/graph/particle/${target}"`)
  assert.is(await textOf(page, "[data-field=particle]"), target)

  const out = await neighbours(ui, "/cyber.rank.v1beta1.Query/Search", target)
  const back = await neighbours(ui, "/cyber.rank.v1beta1.Query/Backlinks", target)
  const expected = new Set([...out.result, ...back.result].map((p) => p.particle))
  const linkedFrom = new Set(ui.sent.links.filter((l) => l.to === target).map((l) => l.from))
  for (const f of linkedFrom) assert.ok(expected.has(f), `Backlinks answers the set-up's link from ${f}`)
  await eventually(async () => {
    assert.is(await textOf(page, "[data-field=particle-rank]"), await rankOf(ui, target))
    assert.equal(await tableRows(page, "backlinks"), back.result.map((p) => [p.particle, p.rank.toString()]))
    assert.is(await textOf(page, "[data-field=backlinks-total]"), String(back.total))
    assert.is(await textOf(page, "[data-field=outlinks-total]"), String(out.total))
  }, 15_000)

  // Cytoscape draws the particle and exactly its neighbours, with one edge per link direction.
  const drawn = await eventually(async () => {
    const d = (await page.evaluate(`(() => {
      const cy = window.__cy
      if (!cy) return undefined
      return {
        nodes: cy.nodes().map((n) => n.id()),
        center: cy.nodes("[role = 'center']").map((n) => n.id()),
        edges: cy.edges().map((e) => e.source().id() + ">" + e.target().id()),
        rendered: cy.nodes().every((n) => n.renderedBoundingBox().w > 0)
      }
    })()`)) as { nodes: string[]; center: string[]; edges: string[]; rendered: boolean } | undefined
    assert.ok(d, "window.__cy is set once the neighbourhood is drawn")
    return d!
  })
  assert.equal(drawn.center, [target])
  assert.equal(new Set(drawn.nodes.filter((n) => n !== target)), expected, "drawn neighbours = Search ∪ Backlinks")
  assert.is(drawn.nodes.length, expected.size + 1)
  assert.equal(new Set(drawn.edges), new Set([...out.result.map((p) => `${target}>${p.particle}`), ...back.result.map((p) => `${p.particle}>${target}`)]))
  assert.ok(drawn.rendered, "every node has a rendered box")
  assert.is(await page.locator("[data-field=neighbourhood]").getAttribute("data-neighbours"), String(expected.size))

  // Rank history: recorded points, the last one the rank shown now.
  await eventually(async () => {
    const hist = await page.locator("[data-table=history] tbody tr [data-field=history-rank]").allTextContents()
    assert.ok(hist.length >= 1, "at least one history point")
    assert.is(hist[hist.length - 1]!.trim(), await textOf(page, "[data-field=particle-rank]"))
  })

  // A neighbour's link leads to its own view (keyboard: focus the link and press Enter).
  const neighbour = back.result[0]!.particle
  await page.locator(`[data-table=backlinks] tr[data-particle="${neighbour}"] a`).focus()
  await page.keyboard.press("Enter")
  await until(page, `location.hash === "#/graph/particle/${neighbour}"`)
  await eventually(async () => assert.is(await textOf(page, "[data-field=particle-rank]"), await rankOf(ui, neighbour)))
  await page.goBack()
  await until(page, `location.hash === "#/graph/particle/${target}"`)
  await page.locator("[data-field=neighbourhood]").waitFor()
  await eventually(async () => assert.is(await page.evaluate("window.__cy?.nodes().length"), expected.size + 1))

  await ui.shot("graph-particle")

  // Live: a new link to the particle shows up in the same document, drawn and listed, and the
  // next rank calculation adds a rank history point.
  await page.evaluate("window.__sameDoc = 1")
  const historyBefore = await page.locator("[data-table=history] tbody tr").count()
  const fresh = packageCid("dashboard-live-link")
  const sent = await ui.client.signAndBroadcast(ui.sent.sender, [{ typeUrl: MSG_CYBERLINK_URL, value: { neuron: ui.sent.sender, links: [{ from: fresh, to: target }] } }], 1.5)
  assert.is(sent.code, 0, sent.rawLog)
  await eventually(async () => {
    assert.ok(await page.evaluate(`!!window.__cy?.getElementById(${JSON.stringify(fresh)}).nonempty()`), "the new neighbour is drawn")
    assert.is(await page.locator(`[data-table=backlinks] tr[data-particle="${fresh}"]`).count(), 1)
    assert.is(await textOf(page, "[data-field=backlinks-total]"), String(back.total + 1))
  }, 15_000)
  await eventually(async () => {
    const hist = await page.locator("[data-table=history] tbody tr [data-field=history-rank]").allTextContents()
    assert.ok(hist.length > historyBefore, `a rank history point after the new link (had ${historyBefore})`)
    assert.is(hist[hist.length - 1]!.trim(), await textOf(page, "[data-field=particle-rank]"))
  }, 30_000)
  assert.is(await page.evaluate("window.__sameDoc"), 1, "no reload")
}
