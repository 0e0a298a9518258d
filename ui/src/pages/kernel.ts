/**
 * Kernel page (`#/kernel`): the node's kernel processes (chain machines, runtime modules,
 * userspace package processes) with mailbox depth and capability counts, the kernel's counters,
 * installed packages, and the node process's CPU time and memory, live. Data: dashboard API
 * `kernel` (kernel/KernelApi.ts processes(), mailbox(), stats(); packages/Installer.ts).
 */
import { html } from "../lib/html.ts"
import { useLoad } from "../lib/live.ts"
import type { Page } from "../lib/page.ts"
import { api } from "../lib/rpc.ts"

const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`

const STAT_LABELS: ReadonlyArray<readonly [string, string]> = [
  ["processes", "Processes"], ["delivered", "Messages delivered"], ["outstanding", "Awaiting response"],
  ["timeouts", "Timeouts"], ["crashes", "Crashes"], ["droppedResponses", "Dropped responses"]
]

const KernelView = () => {
  const k = useLoad(() => api("kernel"), [], true)
  if (!k.value) return html`<h1 tabindex="-1">Kernel</h1><p class=${k.error ? "error" : "muted"}>${k.error ?? "Loading…"}</p>`
  const x = k.value
  return html`
    <h1 tabindex="-1">Kernel</h1>
    <p class="muted">Node <span class="mono" data-field="kernel-node">${x.node}</span></p>
    <div class="cards">
      ${STAT_LABELS.map(([key, label]) => html`<div class="card"><div class="label">${label}</div><div class="value" data-stat=${key}>${x.stats[key]}</div></div>`)}
      <div class="card"><div class="label">Node CPU (user + system)</div><div class="value" data-field="cpu">${((x.host.cpuUserMs + x.host.cpuSystemMs) / 1000).toFixed(1)} s</div></div>
      <div class="card"><div class="label">Node memory (RSS / heap)</div><div class="value" data-field="memory">${mib(x.host.rssBytes)} / ${mib(x.host.heapUsedBytes)}</div></div>
    </div>
    <h2>Processes (${x.processes.length})</h2>
    <table data-table="processes">
      <thead><tr><th>Process</th><th>Kind</th><th>Package</th><th>Mailbox (queued / capacity)</th><th>Blocked senders</th><th>Capabilities</th></tr></thead>
      <tbody>${x.processes.map((p: any) => html`
        <tr data-process=${p.id}>
          <td class="mono" data-field="process-id">${p.id}</td>
          <td data-field="kind">${p.kind}</td>
          <td>${p.package ?? html`<span class="muted">–</span>`}</td>
          <td><span data-field="queued">${p.mailbox.queued}</span> / ${p.mailbox.capacity}</td>
          <td>${p.mailbox.blocked}</td>
          <td data-field="capabilities">${p.capabilities}</td>
        </tr>`)}
      </tbody>
    </table>
    <h2>Packages (${x.packages.length})</h2>
    ${x.packages.length === 0 ? html`<p class="muted" data-field="no-packages">No userspace packages installed (cyberkernel package install).</p>` : html`
      <table data-table="packages">
        <thead><tr><th>Package</th><th>Publisher</th><th>Installed</th><th>Processes</th></tr></thead>
        <tbody>${x.packages.map((p: any) => html`
          <tr data-package=${p.id}><td>${p.name}</td><td class="mono">${p.publisher}</td><td>${p.installedAt}</td>
            <td>${p.processes.map((q: any) => html`<div class="mono">${q.id} <span class="muted">(${q.public ? "public" : "private"}, on exit: ${q.onExit})</span></div>`)}</td></tr>`)}
        </tbody>
      </table>`}`
}

/** The Kernel page. */
export const kernelPage: Page = { id: "kernel", title: "Kernel", component: () => html`<${KernelView} />` }
