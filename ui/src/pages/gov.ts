/**
 * Governance page (`#/gov`): proposals, newest first, with status and tally (the live tally in
 * the voting period); `#/gov/<id>` shows one proposal: tally, messages, votes, deposits and the
 * tally params. Live: reloads on every block. Data: `/ui/api/gov`, `/ui/api/gov-proposal`
 * (node/ui/api/gov.ts, over cosmos.gov.v1 queries). Amounts are base units.
 */
import { html, useState } from "../lib/html.ts"
import { useLoad } from "../lib/live.ts"
import { href, type Page, type PageProps } from "../lib/page.ts"
import { api } from "../lib/rpc.ts"
import { short, when } from "../lib/format.ts"

interface Tally { readonly yes: string; readonly no: string; readonly abstain: string; readonly noWithVeto: string }
interface Proposal {
  readonly id: string
  readonly title: string
  readonly summary: string
  readonly status: string
  readonly proposer: string
  readonly submitTime: string | null
  readonly votingEndTime: string | null
  readonly totalDeposit: ReadonlyArray<{ denom: string; amount: string }>
  readonly tally: Tally
  readonly failedReason: string
}
interface List { readonly height: number; readonly total: string | null; readonly nextKey: string; readonly proposals: ReadonlyArray<Proposal> }
interface Detail {
  readonly height: number
  readonly proposal: Proposal
  readonly messages: ReadonlyArray<string>
  readonly votesTotal: string
  readonly votes: ReadonlyArray<{ voter: string; options: ReadonlyArray<{ option: string; weight: string }> }>
  readonly deposits: ReadonlyArray<{ depositor: string; amount: ReadonlyArray<{ denom: string; amount: string }> }>
  readonly params: { quorum: string; threshold: string; vetoThreshold: string; votingPeriodSeconds: string | null }
}

/** `PROPOSAL_STATUS_VOTING_PERIOD` -> "voting period". */
const statusText = (s: string) => s.replace(/^PROPOSAL_STATUS_/, "").replace(/_/g, " ").toLowerCase()
const optionText = (s: string) => s.replace(/^VOTE_OPTION_/, "").replace(/_/g, " ").toLowerCase()
const coins = (cs: ReadonlyArray<{ denom: string; amount: string }>) => (cs.length === 0 ? "none" : cs.map((c) => `${c.amount}${c.denom}`).join(", "))

const TallyCells = (props: { t: Tally }) => html`
  <td data-field="tally-yes">${props.t.yes}</td><td data-field="tally-no">${props.t.no}</td>
  <td data-field="tally-abstain">${props.t.abstain}</td><td data-field="tally-veto">${props.t.noWithVeto}</td>`

const ProposalList = () => {
  const [keys, setKeys] = useState<string[]>([""])
  const key = keys[keys.length - 1]!
  const r = useLoad(() => api<List | { unavailable: string }>("gov", key ? { key } : {}), [key], true)
  if (!r.value) return html`<p class=${r.error ? "error" : "muted"}>${r.error ?? "Loading…"}</p>`
  if ("unavailable" in r.value) return html`<p class="muted" data-field="unavailable">${r.value.unavailable}</p>`
  const v = r.value
  return html`
    ${v.total !== null ? html`<p data-field="proposals-total">${v.total} proposal${v.total === "1" ? "" : "s"} at height ${v.height}</p>` : null}
    ${v.proposals.length === 0 ? html`<p class="muted" data-empty="proposals">No proposals.</p>` : html`
    <table data-table="proposals" data-height=${v.height}>
      <thead><tr><th>Id</th><th>Title</th><th>Status</th><th>Yes</th><th>No</th><th>Abstain</th><th>No with veto</th><th>Voting ends</th></tr></thead>
      <tbody>${v.proposals.map((p) => html`
        <tr data-proposal=${p.id}>
          <td><a href=${href("gov", p.id)}>#${p.id}</a></td>
          <td>${p.title}</td>
          <td data-field="status" data-raw=${p.status}>${statusText(p.status)}</td>
          <${TallyCells} t=${p.tally} />
          <td>${p.votingEndTime ? when(p.votingEndTime) : "—"}</td>
        </tr>`)}
      </tbody>
    </table>`}
    <p>
      ${keys.length > 1 ? html`<button type="button" onClick=${() => setKeys(keys.slice(0, -1))}>Newer</button> ` : null}
      ${v.nextKey ? html`<button type="button" onClick=${() => setKeys([...keys, v.nextKey])}>Older</button>` : null}
    </p>`
}

const ProposalView = (props: { id: string }) => {
  const r = useLoad(() => api<Detail>("gov-proposal", { id: props.id }), [props.id], true)
  const head = html`<h1 tabindex="-1">Proposal #${props.id}</h1><p><a href=${href("gov")}>← Governance</a></p>`
  if (!r.value) return html`${head}<p class=${r.error ? "error" : "muted"} data-field="error">${r.error ?? "Loading…"}</p>`
  const { proposal: p, messages, votes, votesTotal, deposits, params } = r.value
  return html`
    ${head}
    <dl class="kv" aria-live="polite" data-height=${r.value.height}>
      <dt>Title</dt><dd data-field="title">${p.title}</dd>
      <dt>Summary</dt><dd>${p.summary}</dd>
      <dt>Status</dt><dd data-field="status" data-raw=${p.status}>${statusText(p.status)}</dd>
      ${p.failedReason ? html`<dt>Failed</dt><dd class="error">${p.failedReason}</dd>` : null}
      <dt>Proposer</dt><dd class="mono">${p.proposer}</dd>
      <dt>Submitted</dt><dd>${p.submitTime ? when(p.submitTime) : "—"}</dd>
      <dt>Voting ends</dt><dd>${p.votingEndTime ? when(p.votingEndTime) : "—"}</dd>
      <dt>Deposit</dt><dd data-field="deposit">${coins(p.totalDeposit)}</dd>
      <dt>Quorum / threshold / veto</dt><dd>${params.quorum} / ${params.threshold} / ${params.vetoThreshold}</dd>
    </dl>
    <h2>Tally</h2>
    <table data-table="tally">
      <thead><tr><th>Yes</th><th>No</th><th>Abstain</th><th>No with veto</th></tr></thead>
      <tbody><tr><${TallyCells} t=${p.tally} /></tr></tbody>
    </table>
    <h2>Messages</h2>
    ${messages.length === 0 ? html`<p class="muted">None (a text proposal).</p>` : html`<ul data-list="messages">${messages.map((m) => html`<li class="mono" data-field="message">${m}</li>`)}</ul>`}
    <h2>Votes (${votesTotal})</h2>
    ${votes.length === 0 ? html`<p class="muted" data-empty="votes">No votes.</p>` : html`
    <table data-table="votes">
      <thead><tr><th>Voter</th><th>Option</th></tr></thead>
      <tbody>${votes.map((v) => html`
        <tr data-voter=${v.voter}><td class="mono" title=${v.voter}>${short(v.voter, 12, 6)}</td>
          <td data-field="vote-option" data-raw=${v.options.map((o) => o.option).join(",")}>${v.options.map((o) => `${optionText(o.option)}${v.options.length > 1 ? ` (${o.weight})` : ""}`).join(", ")}</td></tr>`)}
      </tbody>
    </table>`}
    <h2>Deposits</h2>
    ${deposits.length === 0 ? html`<p class="muted">No deposits.</p>` : html`
    <table data-table="deposits">
      <thead><tr><th>Depositor</th><th>Amount</th></tr></thead>
      <tbody>${deposits.map((d) => html`<tr><td class="mono" title=${d.depositor}>${short(d.depositor, 12, 6)}</td><td>${coins(d.amount)}</td></tr>`)}</tbody>
    </table>`}`
}

const GovView = (props: PageProps) => {
  const id = props.args[0]
  if (id) return html`<${ProposalView} id=${id} />`
  return html`<h1 tabindex="-1">Governance</h1><${ProposalList} />`
}

/** The Governance page. */
export const govPage: Page = { id: "gov", title: "Governance", component: (props) => html`<${GovView} ...${props} />` }
