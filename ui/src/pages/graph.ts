/**
 * Graph page (`#/graph`): graph stats, search by CID, the top particles by rank, a neuron's
 * bandwidth (`#/graph/neuron/<address>`), and a particle (`#/graph/particle/<cid>`): its rank,
 * its neighbourhood drawn with cytoscape (outlinks and backlinks; the instance is `window.__cy`
 * for tests), both neighbour lists and its rank history (recorded by the node from the first
 * time a particle is asked about: node/ui/api/graphHistory.ts). Live: reloads on every block.
 * Data: `/ui/api/graph`, `/ui/api/graph-particle`, `/ui/api/graph-neuron` (node/ui/api/graph.ts).
 * Ranks are shown as go-cyber gives them: integers, rank × 10^15.
 */
import cytoscape from "cytoscape"
import { html, useEffect, useRef, useState } from "../lib/html.ts"
import { useLoad } from "../lib/live.ts"
import { href, type Page, type PageProps } from "../lib/page.ts"
import { api } from "../lib/rpc.ts"
import { short } from "../lib/format.ts"

interface Ranked { readonly particle: string; readonly rank: string }
interface RankedList { readonly total: number; readonly items: ReadonlyArray<Ranked> }
interface Overview { readonly height: number; readonly stats: { cyberlinks: string; particles: string }; readonly top: RankedList }
interface Particle {
  readonly height: number
  readonly particle: string
  readonly rank: string
  readonly outlinks: RankedList
  readonly backlinks: RankedList
  readonly history: ReadonlyArray<{ height: number; rank: string }>
}
/** What an overview route answers when its machine is not active on the node. */
interface Unavailable { readonly unavailable: string }
interface Bandwidth { readonly height: number; readonly neuron: string; readonly remained: string; readonly max: string; readonly lastUpdatedBlock: string }

declare global {
  interface Window { __cy?: cytoscape.Core }
}

const particleLink = (cid: string) => html`<a class="mono" href=${href("graph", "particle", cid)} title=${cid}>${short(cid, 10, 8)}</a>`

const RankTable = (props: { list: RankedList; name: string; empty: string }) =>
  props.list.items.length === 0
    ? html`<p class="muted" data-empty=${props.name}>${props.empty}</p>`
    : html`
    <table data-table=${props.name}>
      <thead><tr><th>#</th><th>Particle</th><th>Rank (×10⁻¹⁵)</th></tr></thead>
      <tbody>${props.list.items.map((p, i) => html`
        <tr data-particle=${p.particle}><td>${i + 1}</td><td>${particleLink(p.particle)}</td><td class="mono" data-field="rank">${p.rank}</td></tr>`)}
      </tbody>
    </table>
    ${props.list.total > props.list.items.length ? html`<p class="muted">${props.list.items.length} of ${props.list.total} shown</p>` : null}`

const Search = () => {
  const [cid, setCid] = useState("")
  const [neuron, setNeuron] = useState("")
  return html`
    <form class="inline" role="search" aria-label="Find a particle" onSubmit=${(e: Event) => {
      e.preventDefault()
      if (cid.trim()) location.hash = href("graph", "particle", cid.trim())
    }}>
      <label for="graph-cid">Particle</label>
      <input id="graph-cid" name="cid" placeholder="CID (Qm… or bafy…)" value=${cid} onInput=${(e: Event) => setCid((e.target as HTMLInputElement).value)} />
      <button type="submit">Search</button>
    </form>
    <form class="inline" aria-label="Neuron bandwidth" onSubmit=${(e: Event) => {
      e.preventDefault()
      if (neuron.trim()) location.hash = href("graph", "neuron", neuron.trim())
    }}>
      <label for="graph-neuron">Neuron</label>
      <input id="graph-neuron" name="neuron" placeholder="address (bostrom1… / cyber1…)" value=${neuron} onInput=${(e: Event) => setNeuron((e.target as HTMLInputElement).value)} />
      <button type="submit">Bandwidth</button>
    </form>`
}

const Stats = () => {
  const o = useLoad(() => api<Overview | Unavailable>("graph", { top: 20 }), [], true)
  if (!o.value) return html`<p class=${o.error ? "error" : "muted"}>${o.error ?? "Loading…"}</p>`
  if ("unavailable" in o.value) return html`<p class="muted" data-field="unavailable">${o.value.unavailable}</p>`
  const v = o.value
  return html`
    <div class="cards" aria-live="polite">
      <div class="card"><div class="label">Cyberlinks</div><div class="value" data-field="cyberlinks">${v.stats.cyberlinks}</div></div>
      <div class="card"><div class="label">Particles</div><div class="value" data-field="particles">${v.stats.particles}</div></div>
      <div class="card"><div class="label">Ranked particles</div><div class="value" data-field="ranked">${v.top.total}</div></div>
      <div class="card"><div class="label">Height</div><div class="value" data-field="graph-height">${v.height}</div></div>
    </div>
    <h2>Top particles</h2>
    <${RankTable} list=${v.top} name="top" empty="No rank published yet (ranks are computed every calculation period)." />`
}

/** Draw the particle and its neighbours; one node per distinct particle, one edge per direction. */
const Neighbourhood = (props: { p: Particle }) => {
  const box = useRef<HTMLDivElement>(null)
  const { p } = props
  const key = [p.particle, ...p.outlinks.items.map((x) => ">" + x.particle), ...p.backlinks.items.map((x) => "<" + x.particle)].join(",")
  useEffect(() => {
    if (!box.current) return
    const nodes = new Map<string, { id: string; role: string; rank: string }>([[p.particle, { id: p.particle, role: "center", rank: p.rank }]])
    for (const x of [...p.outlinks.items, ...p.backlinks.items]) if (!nodes.has(x.particle)) nodes.set(x.particle, { id: x.particle, role: "neighbour", rank: x.rank })
    const edges = [
      ...p.outlinks.items.map((x) => ({ id: `out:${x.particle}`, source: p.particle, target: x.particle, dir: "out" })),
      ...p.backlinks.items.map((x) => ({ id: `in:${x.particle}`, source: x.particle, target: p.particle, dir: "in" }))
    ]
    const cy = cytoscape({
      container: box.current,
      elements: [...[...nodes.values()].map((data) => ({ data: { ...data, label: short(data.id, 6, 4) } })), ...edges.map((data) => ({ data }))],
      layout: { name: "concentric", concentric: (n: cytoscape.NodeSingular) => (n.data("role") === "center" ? 2 : 1), levelWidth: () => 1, minNodeSpacing: 30 },
      style: [
        { selector: "node", style: { "background-color": "#6cb6ff", label: "data(label)", color: "#e6e8ee", "font-size": 10, width: 14, height: 14 } },
        { selector: "node[role = 'center']", style: { "background-color": "#4ec27a", width: 22, height: 22 } },
        { selector: "edge", style: { width: 1.5, "line-color": "#9aa3b2", "target-arrow-color": "#9aa3b2", "target-arrow-shape": "triangle", "curve-style": "bezier" } },
        { selector: "edge[dir = 'in']", style: { "line-color": "#c792ea", "target-arrow-color": "#c792ea" } }
      ],
      userZoomingEnabled: true,
      boxSelectionEnabled: false
    })
    cy.on("tap", "node", (e) => {
      const id = e.target.id() as string
      if (id !== p.particle) location.hash = href("graph", "particle", id)
    })
    window.__cy = cy
    return () => {
      if (window.__cy === cy) delete window.__cy
      cy.destroy()
    }
  }, [key])
  const n = new Set([...p.outlinks.items, ...p.backlinks.items].map((x) => x.particle)).size
  return html`<div ref=${box} class="graph-canvas" data-field="neighbourhood" data-neighbours=${n} role="img"
    aria-label=${`Neighbourhood of ${p.particle}: ${n} particles (listed in the tables below)`}
    style="height: 360px; border: 1px solid var(--line); border-radius: 6px; background: var(--panel);"></div>`
}

/** Rank history as a step line (SVG) and a table of the recorded points. */
const History = (props: { points: ReadonlyArray<{ height: number; rank: string }>; height: number }) => {
  const pts = props.points
  if (pts.length === 0) return html`<p class="muted">No points recorded yet.</p>`
  const w = 600, h = 120
  const h0 = pts[0]!.height, h1 = Math.max(props.height, pts[pts.length - 1]!.height, h0 + 1)
  // ranks are integers up to 1e15 × rank: Number keeps the shape of the line (display only)
  const ranks = pts.map((p) => Number(p.rank))
  const lo = Math.min(...ranks), hi = Math.max(...ranks)
  const x = (height: number) => ((height - h0) / (h1 - h0)) * (w - 10) + 5
  const y = (r: number) => (hi === lo ? h / 2 : h - 10 - ((r - lo) / (hi - lo)) * (h - 20))
  let d = ""
  pts.forEach((p, i) => {
    d += i === 0 ? `M${x(p.height)},${y(ranks[i]!)}` : `H${x(p.height)}V${y(ranks[i]!)}`
  })
  d += `H${x(h1)}`
  return html`
    <p class="muted">Heights ${h0}–${h1}; rank ${pts.length > 1 ? `from ${lo} to ${hi}` : String(lo)}.</p>
    <svg viewBox=${`0 0 ${w} ${h}`} preserveAspectRatio="none" width="100%" height=${h} role="img" aria-label=${`rank history: ${pts.length} points from height ${h0}`}
      style="background: var(--panel); border: 1px solid var(--line); border-radius: 6px;">
      <path d=${d} fill="none" stroke="#4ec27a" stroke-width="2" vector-effect="non-scaling-stroke" />
    </svg>
    <table data-table="history">
      <thead><tr><th>From height</th><th>Rank (×10⁻¹⁵)</th></tr></thead>
      <tbody>${pts.map((p) => html`<tr><td data-field="history-height">${p.height}</td><td class="mono" data-field="history-rank">${p.rank}</td></tr>`)}</tbody>
    </table>`
}

const ParticleView = (props: { cid: string }) => {
  const r = useLoad(() => api<Particle>("graph-particle", { cid: props.cid, limit: 50 }), [props.cid], true)
  const head = html`<h1 tabindex="-1">Particle <span class="mono">${short(props.cid, 12, 8)}</span></h1><p><a href=${href("graph")}>← Graph</a></p>`
  if (!r.value) return html`${head}<p class=${r.error ? "error" : "muted"} data-field="error">${r.error ?? "Loading…"}</p>`
  const p = r.value
  return html`
    ${head}
    ${r.error ? html`<p class="error">${r.error}</p>` : null}
    <div class="cards" aria-live="polite">
      <div class="card"><div class="label">CID</div><div class="value mono" data-field="particle">${p.particle}</div></div>
      <div class="card"><div class="label">Rank (×10⁻¹⁵)</div><div class="value mono" data-field="particle-rank">${p.rank}</div></div>
      <div class="card"><div class="label">Outlinks</div><div class="value" data-field="outlinks-total">${p.outlinks.total}</div></div>
      <div class="card"><div class="label">Backlinks</div><div class="value" data-field="backlinks-total">${p.backlinks.total}</div></div>
    </div>
    <h2>Neighbourhood</h2>
    <${Neighbourhood} p=${p} />
    <h2>Outlinks</h2>
    <${RankTable} list=${p.outlinks} name="outlinks" empty="No outlinks." />
    <h2>Backlinks</h2>
    <${RankTable} list=${p.backlinks} name="backlinks" empty="No backlinks." />
    <h2>Rank history</h2>
    <p class="muted">Recorded by this node since the particle was first looked at (one point per change).</p>
    <${History} points=${p.history} height=${p.height} />`
}

const NeuronView = (props: { address: string }) => {
  const r = useLoad(() => api<Bandwidth>("graph-neuron", { address: props.address }), [props.address], true)
  const head = html`<h1 tabindex="-1">Neuron <span class="mono">${short(props.address, 12, 8)}</span></h1><p><a href=${href("graph")}>← Graph</a></p>`
  if (!r.value) return html`${head}<p class=${r.error ? "error" : "muted"} data-field="error">${r.error ?? "Loading…"}</p>`
  const b = r.value
  return html`
    ${head}
    <dl class="kv" aria-live="polite">
      <dt>Neuron</dt><dd class="mono" data-field="neuron">${b.neuron}</dd>
      <dt>Bandwidth remained</dt><dd data-field="bandwidth-remained">${b.remained}</dd>
      <dt>Bandwidth max</dt><dd data-field="bandwidth-max">${b.max}</dd>
      <dt>Last updated block</dt><dd data-field="bandwidth-updated">${b.lastUpdatedBlock}</dd>
      <dt>At height</dt><dd data-field="bandwidth-height">${b.height}</dd>
    </dl>`
}

const GraphView = (props: PageProps) => {
  const [kind, arg] = props.args
  if (kind === "particle" && arg) return html`<${ParticleView} cid=${arg} />`
  if (kind === "neuron" && arg) return html`<${NeuronView} address=${arg} />`
  return html`
    <h1 tabindex="-1">Graph</h1>
    <${Search} />
    <${Stats} />`
}

/** The Graph page. */
export const graphPage: Page = { id: "graph", title: "Graph", component: (props) => html`<${GraphView} ...${props} />` }
