/**
 * Chain page:
 * - `#/chain`: the tip (height, block time, app hash, chain id), validators, recent blocks and
 *   recent transactions, live; a search box for a tx hash or an account address.
 * - `#/chain/tx/<hash>`: one transaction: result, fee, memo, decoded messages, events.
 * - `#/chain/account/<address>`: balances and the account's newest transactions.
 * Data: CometBFT RPC `status`, `validators`, `blockchain`; dashboard API `txs`, `tx`, `account`.
 */
import { html, useState } from "../lib/html.ts"
import { useLoad } from "../lib/live.ts"
import { href, type Page } from "../lib/page.ts"
import { api, rpc } from "../lib/rpc.ts"
import { short, when } from "../lib/format.ts"

const RECENT_BLOCKS = 10
const RECENT_TXS = 10

const Loading = ({ error }: { error: string | undefined }) =>
  html`<p class=${error ? "error" : "muted"} role=${error ? "alert" : undefined}>${error ?? "Loading…"}</p>`

const Overview = () => {
  const st = useLoad(() => rpc("status"), [], true)
  const s = st.value
  if (!s) return html`<${Loading} error=${st.error} />`
  const si = s.sync_info
  return html`
    <div class="cards">
      <div class="card"><div class="label">Height</div><div class="value" data-field="height">${si.latest_block_height}</div></div>
      <div class="card"><div class="label">Block time</div><div class="value" data-field="block-time" data-raw=${si.latest_block_time}>${when(si.latest_block_time)}</div></div>
      <div class="card"><div class="label">App hash</div><div class="value mono" data-field="app-hash" title=${si.latest_app_hash}>${short(si.latest_app_hash)}</div></div>
      <div class="card"><div class="label">Chain</div><div class="value" data-field="network">${s.node_info.network}</div></div>
    </div>`
}

const Validators = () => {
  const v = useLoad(() => rpc("validators", { per_page: "100" }), [], true)
  if (!v.value) return html`<${Loading} error=${v.error} />`
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
  if (!b.value) return html`<${Loading} error=${b.error} />`
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

const RecentTxs = () => {
  const t = useLoad(() => api("txs", { limit: RECENT_TXS }), [], true)
  if (!t.value) return html`<${Loading} error=${t.error} />`
  if (t.value.txs.length === 0) return html`<p class="muted">No transactions in the last blocks.</p>`
  return html`
    <table data-table="txs">
      <thead><tr><th>Height</th><th>Hash</th><th>Result</th><th>Gas used</th><th>Messages</th></tr></thead>
      <tbody>${t.value.txs.map((x: any) => html`
        <tr data-hash=${x.hash}>
          <td>${x.height}</td>
          <td class="mono"><a href=${href("chain", "tx", x.hash)} data-field="tx-link">${short(x.hash)}</a></td>
          <td data-field="tx-code" class=${x.code === 0 ? "" : "error"}>${x.code === 0 ? "ok" : `code ${x.code}`}</td>
          <td data-field="tx-gas">${x.gasUsed}</td>
          <td class="mono">${x.messages.join(", ")}</td>
        </tr>`)}
      </tbody>
    </table>`
}

const Search = () => {
  const [text, setText] = useState("")
  const [error, setError] = useState<string | undefined>(undefined)
  const go = (e: Event) => {
    e.preventDefault()
    const v = text.trim()
    if (/^[0-9A-Fa-f]{64}$/.test(v)) location.hash = href("chain", "tx", v.toUpperCase())
    else if (/^[a-z]{1,20}1[02-9ac-hj-np-z]{6,80}$/.test(v)) location.hash = href("chain", "account", v)
    else setError("Enter a tx hash (64 hex digits) or an account address (bech32).")
  }
  return html`
    <form class="inline" role="search" onSubmit=${go}>
      <label for="chain-search" class="muted">Find</label>
      <input id="chain-search" name="q" placeholder="tx hash or account address" value=${text}
             onInput=${(e: Event) => { setText((e.target as HTMLInputElement).value); setError(undefined) }} />
      <button type="submit">Go</button>
    </form>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}`
}

const ChainHome = () => html`
  <h1 tabindex="-1">Chain</h1>
  <${Search} />
  <${Overview} />
  <h2>Validators</h2>
  <${Validators} />
  <h2>Recent blocks</h2>
  <${RecentBlocks} />
  <h2>Recent transactions</h2>
  <${RecentTxs} />`

const Json = ({ value }: { value: unknown }) => html`<pre class="mono">${JSON.stringify(value, null, 2)}</pre>`

const TxView = ({ hash }: { hash: string }) => {
  const t = useLoad(() => api("tx", { hash }), [hash])
  const back = html`<p><a href=${href("chain")}>← Chain</a></p>`
  if (!t.value) return html`<h1 tabindex="-1">Transaction</h1>${back}<${Loading} error=${t.error} />`
  const x = t.value
  return html`
    <h1 tabindex="-1">Transaction</h1>
    ${back}
    <dl class="kv">
      <dt>Hash</dt><dd class="mono" data-field="tx-hash">${x.hash}</dd>
      <dt>Height</dt><dd data-field="tx-height">${x.height}</dd>
      <dt>Index</dt><dd>${x.index}</dd>
      <dt>Result</dt><dd data-field="tx-code" class=${x.code === 0 ? "" : "error"}>${x.code === 0 ? "ok (code 0)" : `code ${x.code} (${x.codespace})`}</dd>
      ${x.log ? html`<dt>Log</dt><dd class="mono">${x.log}</dd>` : null}
      <dt>Gas</dt><dd><span data-field="tx-gas-used">${x.gasUsed}</span> used of <span data-field="tx-gas-wanted">${x.gasWanted}</span></dd>
      ${x.tx.fee ? html`<dt>Fee</dt><dd data-field="tx-fee">${x.tx.fee.amount.map((c: any) => `${c.amount}${c.denom}`).join(", ") || "none"}</dd>` : null}
      ${x.tx.memo ? html`<dt>Memo</dt><dd data-field="tx-memo">${x.tx.memo}</dd>` : null}
    </dl>
    <h2>Messages (${x.tx.messages.length})</h2>
    ${x.tx.format === "other" ? html`<p class="muted">Not a Cosmos TxRaw: ${x.tx.bytes} bytes in a machine's own encoding.</p>` : null}
    ${x.tx.messages.map((m: any, i: number) => html`
      <section data-message=${i}>
        <h3 class="mono" data-field="message-type">${m["@type"]}</h3>
        <${Json} value=${Object.fromEntries(Object.entries(m).filter(([k]) => k !== "@type"))} />
      </section>`)}
    <h2>Events (${x.events.length})</h2>
    <table data-table="events">
      <thead><tr><th>Type</th><th>Attributes</th></tr></thead>
      <tbody>${x.events.map((e: any) => html`
        <tr><td data-field="event-type">${e.type}</td>
          <td class="mono">${e.attributes.map((a: any) => html`<div><span class="muted">${a.key}</span> = <span data-field="event-value">${a.value}</span></div>`)}</td></tr>`)}
      </tbody>
    </table>`
}

const AccountView = ({ address }: { address: string }) => {
  const a = useLoad(() => api("account", { address }), [address], true)
  const back = html`<p><a href=${href("chain")}>← Chain</a></p>`
  if (!a.value) return html`<h1 tabindex="-1">Account</h1>${back}<${Loading} error=${a.error} />`
  const x = a.value
  return html`
    <h1 tabindex="-1">Account</h1>
    ${back}
    <p class="mono" data-field="account-address">${x.address}</p>
    <h2>Balances <span class="muted">at height ${x.height}</span></h2>
    ${x.balances.length === 0 ? html`<p class="muted">No balances.</p>` : html`
      <table data-table="balances">
        <thead><tr><th>Denom</th><th>Amount</th></tr></thead>
        <tbody>${x.balances.map((c: any) => html`<tr><td data-field="denom">${c.denom}</td><td data-field="amount">${c.amount}</td></tr>`)}</tbody>
      </table>`}
    <h2>History</h2>
    ${x.history.length === 0 ? html`<p class="muted">No transactions.</p>` : html`
      <table data-table="history">
        <thead><tr><th>Height</th><th>Hash</th><th>Role</th><th>Result</th><th>Messages</th></tr></thead>
        <tbody>${x.history.map((t: any) => html`
          <tr data-hash=${t.hash}>
            <td>${t.height}</td>
            <td class="mono"><a href=${href("chain", "tx", t.hash)}>${short(t.hash)}</a></td>
            <td>${t.roles.join(", ")}</td>
            <td class=${t.code === 0 ? "" : "error"}>${t.code === 0 ? "ok" : `code ${t.code}`}</td>
            <td class="mono">${t.messages.join(", ")}</td>
          </tr>`)}
        </tbody>
      </table>`}`
}

const ChainView = ({ args }: { args: ReadonlyArray<string> }) =>
  args[0] === "tx" && args[1] ? html`<${TxView} hash=${args[1]} />`
    : args[0] === "account" && args[1] ? html`<${AccountView} address=${args[1]} />`
    : html`<${ChainHome} />`

/** The Chain page. */
export const chainPage: Page = { id: "chain", title: "Chain", component: ({ args }) => html`<${ChainView} args=${args} />` }
