/**
 * Programs page (`#/programs`): the CyberWasm programs (Query/Programs, 50 a page) with status,
 * reserve, burn rate, memory pages and schedules; `#/programs/<address>` shows one program: its
 * record, reserve, schedule entries and recent calls (MsgExecute txs to it). Live: reloads on
 * every block. Data: `/ui/api/programs`, `/ui/api/program` (node/ui/api/programs.ts).
 * Reserve and burn rate are gas units (burn rate per block).
 */
import { html, useState } from "../lib/html.ts"
import { useLoad } from "../lib/live.ts"
import { href, type Page, type PageProps } from "../lib/page.ts"
import { api } from "../lib/rpc.ts"
import { short } from "../lib/format.ts"

interface Row {
  readonly address: string
  readonly label: string
  readonly creator: string
  readonly admin: string
  readonly codeHash: string
  readonly status: string
  readonly reserve: string
  readonly burnRate: string
  readonly pages: number
  readonly stablePages: number
  readonly memoryRoot: string
  readonly createdHeight: number
  readonly frozenHeight: number
  readonly schedules: number
}
interface List { readonly height: number; readonly total: string; readonly nextKey: string; readonly programs: ReadonlyArray<Row> }
interface Call {
  readonly height: number
  readonly hash: string
  readonly sender: string
  readonly inputBytes: number
  readonly inputHex: string
  readonly inputText: string | null
  readonly code: number
  readonly gasUsed: string
  readonly log: string
}
interface Detail {
  readonly height: number
  readonly program: Row
  readonly schedule: ReadonlyArray<{ id: string; height: string; every: string; inputHex: string; inputText: string | null }>
  readonly recent: { scanned: number; calls: ReadonlyArray<Call> }
}

const input = (text: string | null, hex: string, bytes?: number) =>
  html`<span class="mono" title=${hex}>${text !== null ? JSON.stringify(text) : `0x${short(hex, 16, 8)}`}</span>${bytes !== undefined && bytes * 2 > hex.length ? html` <span class="muted">(${bytes} bytes)</span>` : null}`

const ProgramList = () => {
  // keys of the pages before this one, to go back; "" is the first page
  const [keys, setKeys] = useState<string[]>([""])
  const key = keys[keys.length - 1]!
  const r = useLoad(() => api<List | { unavailable: string }>("programs", key ? { key } : {}), [key], true)
  if (!r.value) return html`<p class=${r.error ? "error" : "muted"}>${r.error ?? "Loading…"}</p>`
  if ("unavailable" in r.value) return html`<p class="muted" data-field="unavailable">${r.value.unavailable}</p>`
  const v = r.value
  return html`
    ${keys.length === 1 ? html`<p data-field="programs-total">${v.total} program${v.total === "1" ? "" : "s"} at height ${v.height}</p>` : null}
    ${v.programs.length === 0 ? html`<p class="muted" data-empty="programs">No programs deployed.</p>` : html`
    <table data-table="programs" data-height=${v.height}>
      <thead><tr><th>Program</th><th>Label</th><th>Status</th><th>Reserve (gas)</th><th>Burn rate (gas/block)</th><th>Pages</th><th>Schedules</th><th>Created</th></tr></thead>
      <tbody>${v.programs.map((p) => html`
        <tr data-program=${p.address}>
          <td><a class="mono" href=${href("programs", p.address)} title=${p.address}>${short(p.address, 12, 6)}</a></td>
          <td>${p.label}</td>
          <td data-field="status">${p.status}</td>
          <td data-field="reserve">${p.reserve}</td>
          <td data-field="burn-rate">${p.burnRate}</td>
          <td data-field="pages">${p.pages}${p.stablePages ? ` + ${p.stablePages} stable` : ""}</td>
          <td data-field="schedules">${p.schedules}</td>
          <td>${p.createdHeight}</td>
        </tr>`)}
      </tbody>
    </table>`}
    <p>
      ${keys.length > 1 ? html`<button type="button" onClick=${() => setKeys(keys.slice(0, -1))}>Previous page</button> ` : null}
      ${v.nextKey ? html`<button type="button" onClick=${() => setKeys([...keys, v.nextKey])}>Next page</button>` : null}
    </p>`
}

const ProgramView = (props: { address: string }) => {
  const r = useLoad(() => api<Detail>("program", { address: props.address }), [props.address], true)
  const head = html`<h1 tabindex="-1">Program <span class="mono">${short(props.address, 12, 6)}</span></h1><p><a href=${href("programs")}>← Programs</a></p>`
  if (!r.value) return html`${head}<p class=${r.error ? "error" : "muted"} data-field="error">${r.error ?? "Loading…"}</p>`
  const { program: p, schedule, recent } = r.value
  return html`
    ${head}
    <dl class="kv" aria-live="polite" data-height=${r.value.height}>
      <dt>Address</dt><dd class="mono" data-field="address">${p.address}</dd>
      <dt>Label</dt><dd data-field="label">${p.label || html`<span class="muted">none</span>`}</dd>
      <dt>Status</dt><dd data-field="status">${p.status}</dd>
      <dt>Reserve (gas)</dt><dd data-field="reserve">${p.reserve}</dd>
      <dt>Burn rate (gas/block)</dt><dd data-field="burn-rate">${p.burnRate}</dd>
      <dt>Memory pages (64 KiB)</dt><dd data-field="pages">${p.pages}</dd>
      <dt>Stable pages</dt><dd data-field="stable-pages">${p.stablePages}</dd>
      <dt>Memory root</dt><dd class="mono" data-field="memory-root">${p.memoryRoot}</dd>
      <dt>Code hash</dt><dd class="mono" data-field="code-hash">${p.codeHash}</dd>
      <dt>Creator</dt><dd class="mono">${p.creator}</dd>
      <dt>Admin</dt><dd class="mono">${p.admin || html`<span class="muted">none</span>`}</dd>
      <dt>Created at height</dt><dd>${p.createdHeight}</dd>
      ${p.frozenHeight ? html`<dt>Frozen at height</dt><dd>${p.frozenHeight}</dd>` : null}
    </dl>
    <h2>Schedule</h2>
    ${schedule.length === 0 ? html`<p class="muted" data-empty="schedule">Nothing scheduled.</p>` : html`
    <table data-table="schedule">
      <thead><tr><th>Id</th><th>Next height</th><th>Every (blocks)</th><th>Input</th></tr></thead>
      <tbody>${schedule.map((e) => html`<tr><td>${e.id}</td><td data-field="schedule-height">${e.height}</td><td>${e.every === "0" ? "once" : e.every}</td><td>${input(e.inputText, e.inputHex)}</td></tr>`)}</tbody>
    </table>`}
    <h2>Recent calls</h2>
    <p class="muted">MsgExecute calls to this program among the ${recent.scanned} newest program calls on this node.</p>
    ${recent.calls.length === 0 ? html`<p class="muted" data-empty="calls">No recent calls.</p>` : html`
    <table data-table="calls">
      <thead><tr><th>Height</th><th>Tx</th><th>Sender</th><th>Input</th><th>Result</th><th>Gas used</th></tr></thead>
      <tbody>${recent.calls.map((c) => html`
        <tr data-tx=${c.hash}>
          <td data-field="call-height">${c.height}</td>
          <td class="mono" title=${c.hash}>${short(c.hash)}</td>
          <td class="mono" title=${c.sender}>${short(c.sender, 10, 6)}</td>
          <td>${input(c.inputText, c.inputHex, c.inputBytes)}</td>
          <td data-field="call-code" class=${c.code === 0 ? "" : "error"} title=${c.log}>${c.code === 0 ? "ok" : `code ${c.code}`}</td>
          <td>${c.gasUsed}</td>
        </tr>`)}
      </tbody>
    </table>`}`
}

const ProgramsView = (props: PageProps) => {
  const address = props.args[0]
  if (address) return html`<${ProgramView} address=${address} />`
  return html`<h1 tabindex="-1">Programs</h1><${ProgramList} />`
}

/** The Programs page. */
export const programsPage: Page = { id: "programs", title: "Programs", component: (props) => html`<${ProgramsView} ...${props} />` }
