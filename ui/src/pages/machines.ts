/**
 * Machines page (`#/machines`): the machine registry as the chain holds it (name, version,
 * status, activation height, code hash), what this node has for each (message types, query
 * paths), each machine's capabilities, and gas used per machine per block as a chart, live.
 * Data: dashboard API `machines` (chain/Registry.ts, chain/Capabilities.ts) and `gas`
 * (chain/GasAttribution.ts via node/ui/GasHistory.ts).
 */
import { LineChart } from "../lib/chart.ts"
import { short } from "../lib/format.ts"
import { html } from "../lib/html.ts"
import { useLoad } from "../lib/live.ts"
import type { Page } from "../lib/page.ts"
import { api } from "../lib/rpc.ts"

const GAS_BLOCKS = 60

const Registry = () => {
  const m = useLoad(() => api("machines"), [], true)
  if (!m.value) return html`<p class=${m.error ? "error" : "muted"}>${m.error ?? "Loading…"}</p>`
  return html`
    <p class="muted">Registry at height <span data-field="registry-height">${m.value.height}</span>.</p>
    <table data-table="machines">
      <thead><tr><th>Machine</th><th>Version</th><th>Status</th><th>Active since</th><th>Code hash</th><th>Messages</th><th>Capabilities</th></tr></thead>
      <tbody>${m.value.machines.map((r: any) => html`
        <tr data-machine=${r.name}>
          <td data-field="name">${r.name}${r.local ? null : html` <span class="error" title="this node has no code for it">(no code here)</span>`}</td>
          <td data-field="version">${r.version}</td>
          <td data-field="status">${r.status}</td>
          <td data-field="activation-height">${r.activationHeight ?? "–"}</td>
          <td class="mono" data-field="code-hash" title=${r.codeHash ?? ""}>${r.codeHash ? short(r.codeHash) : "–"}</td>
          <td class="mono"><details><summary>${r.msgTypeUrls.length} types, ${r.queryPrefixes.length} query paths</summary>
            ${r.msgTypeUrls.map((t: string) => html`<div>${t}</div>`)}${r.queryPrefixes.map((t: string) => html`<div class="muted">${t}</div>`)}</details></td>
          <td class="mono" data-field="capabilities">${r.capabilities.length === 0 ? html`<span class="muted">none</span>` : r.capabilities.map((c: string) => html`<div data-field="capability">${c}</div>`)}</td>
        </tr>`)}
      </tbody>
    </table>`
}

const Gas = () => {
  const g = useLoad(() => api("gas", { blocks: GAS_BLOCKS }), [], true)
  if (!g.value) return html`<p class=${g.error ? "error" : "muted"}>${g.error ?? "Loading…"}</p>`
  const { machines, blocks } = g.value as { machines: string[]; blocks: Array<{ height: number; gas: Record<string, number> }> }
  const x = blocks.map((b) => b.height)
  const series = machines.map((name) => ({ label: name, values: blocks.map((b) => b.gas[name] ?? 0) }))
  const totals = machines.map((name) => [name, blocks.reduce((a, b) => a + (b.gas[name] ?? 0), 0)] as const)
  return html`
    <p class="muted">Gas used by each machine in the last ${blocks.length} blocks${blocks.length ? html` (heights ${x[0]}–${x[x.length - 1]})` : null}: ante, messages and the calls they make; recorded by this node since it started.</p>
    ${machines.length === 0 ? html`<p class="muted" data-field="gas-empty">No gas used in these blocks.</p>` : html`<${LineChart} x=${x} series=${series} title="Gas used per machine per block" />`}
    <table data-table="gas" data-first=${x[0] ?? ""} data-last=${x[x.length - 1] ?? ""}>
      <thead><tr><th>Machine</th><th>Gas in these blocks</th></tr></thead>
      <tbody>${totals.map(([name, total]) => html`<tr data-machine=${name}><td>${name}</td><td data-field="gas-total">${total}</td></tr>`)}</tbody>
    </table>`
}

const MachinesView = () => html`
  <h1 tabindex="-1">Machines</h1>
  <h2>Registry</h2>
  <${Registry} />
  <h2>Gas per machine per block</h2>
  <${Gas} />`

/** The Machines page. */
export const machinesPage: Page = { id: "machines", title: "Machines", component: () => html`<${MachinesView} />` }
