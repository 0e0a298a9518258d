/**
 * Chain page (`#/chain`): the tip (height, block time, app hash, chain id), the validator set,
 * the most recent blocks, live. Data: CometBFT RPC `status`, `validators`, `blockchain`.
 */
import { html } from "../lib/html.ts"
import { useLoad } from "../lib/live.ts"
import type { Page } from "../lib/page.ts"
import { rpc } from "../lib/rpc.ts"
import { short, when } from "../lib/format.ts"

const RECENT_BLOCKS = 10

const Overview = () => {
  const st = useLoad(() => rpc("status"), [], true)
  if (st.error && !st.value) return html`<p class="error">${st.error}</p>`
  const s = st.value
  if (!s) return html`<p class="muted">Loading…</p>`
  const si = s.sync_info
  return html`
    <div class="cards" aria-live="polite">
      <div class="card"><div class="label">Height</div><div class="value" data-field="height">${si.latest_block_height}</div></div>
      <div class="card"><div class="label">Block time</div><div class="value" data-field="block-time" data-raw=${si.latest_block_time}>${when(si.latest_block_time)}</div></div>
      <div class="card"><div class="label">App hash</div><div class="value mono" data-field="app-hash" title=${si.latest_app_hash}>${short(si.latest_app_hash)}</div></div>
      <div class="card"><div class="label">Chain</div><div class="value" data-field="network">${s.node_info.network}</div></div>
    </div>`
}

const Validators = () => {
  const v = useLoad(() => rpc("validators", { per_page: "100" }), [], true)
  if (!v.value) return html`<p class=${v.error ? "error" : "muted"}>${v.error ?? "Loading…"}</p>`
  return html`
    <table data-table="validators">
      <thead><tr><th>Address</th><th>Voting power</th><th>Proposer priority</th></tr></thead>
      <tbody>${v.value.validators.map((x: any) => html`
        <tr><td class="mono" data-field="validator-address">${x.address}</td><td data-field="validator-power">${x.voting_power}</td><td>${x.proposer_priority}</td></tr>`)}
      </tbody>
    </table>`
}

const RecentBlocks = () => {
  const b = useLoad(async () => {
    const st = await rpc("status")
    const tip = Number(st.sync_info.latest_block_height)
    return rpc("blockchain", { minHeight: String(Math.max(1, tip - RECENT_BLOCKS + 1)), maxHeight: String(tip) })
  }, [], true)
  if (!b.value) return html`<p class=${b.error ? "error" : "muted"}>${b.error ?? "Loading…"}</p>`
  return html`
    <table data-table="blocks">
      <thead><tr><th>Height</th><th>Time</th><th>Txs</th><th>Hash</th><th>Proposer</th></tr></thead>
      <tbody>${b.value.block_metas.map((m: any) => html`
        <tr data-height=${m.header.height}>
          <td data-field="block-height">${m.header.height}</td>
          <td>${when(m.header.time)}</td>
          <td data-field="block-txs">${m.num_txs}</td>
          <td class="mono" title=${m.block_id.hash}>${short(m.block_id.hash)}</td>
          <td class="mono" title=${m.header.proposer_address}>${short(m.header.proposer_address)}</td>
        </tr>`)}
      </tbody>
    </table>`
}

const ChainView = () => html`
  <h1 tabindex="-1">Chain</h1>
  <${Overview} />
  <h2>Validators</h2>
  <${Validators} />
  <h2>Recent blocks</h2>
  <${RecentBlocks} />`

/** The Chain page. */
export const chainPage: Page = { id: "chain", title: "Chain", component: () => html`<${ChainView} />` }
