/**
 * Machines page check: the registry table is the chain's registry (names and statuses as in the
 * genesis the RPC serves, version, status, activation height and code hash as the records
 * `abci_query store/registry/key` returns, every field as the `machines` route answers), and the gas per machine
 * of the shown blocks sums, over machines, to the gas_used of those blocks' txs in `block_results`.
 */
import * as assert from "uvu/assert"
import type { Page } from "playwright-core"
import { decodeRecord } from "../../../chain/Registry.ts"
import type { UiContext } from "../harness.ts"
import { eventually } from "./Check.ts"

/** See the module doc. */
export const check = async (page: Page, ui: UiContext): Promise<void> => {
  await page.locator("[data-table=machines] tbody tr").first().waitFor({ timeout: 10_000 })
  const rows = await page.locator("[data-table=machines] tbody tr").evaluateAll((rs) => rs.map((r) => {
    const f = (k: string) => r.querySelector(`[data-field=${k}]`)?.textContent?.trim() ?? ""
    return {
      name: r.getAttribute("data-machine"), version: f("version"), status: f("status"), activation: f("activation-height"),
      codeHash: r.querySelector("[data-field=code-hash]")?.getAttribute("title") ?? "",
      capabilities: [...r.querySelectorAll("[data-field=capability]")].map((c) => c.textContent?.trim() ?? "")
    }
  }))
  const genesis = await ui.rpc("genesis")
  const registry = genesis.genesis.app_state.registry.machines as Array<{ name: string; status: string }>
  for (const g of registry) {
    const row = rows.find((r) => r.name === g.name)
    assert.ok(row, `genesis machine ${g.name} is listed`)
    assert.is(row!.status, g.status, `${g.name} status`)
  }
  for (const name of ["graph", "cyberwasm"]) assert.is(rows.find((r) => r.name === name)?.status, "active", `${name} is active`)
  // Each record as the chain stores it, read over the RPC (abci_query store/registry/key).
  for (const row of rows) {
    const q = await ui.rpc("abci_query", { path: '"store/registry/key"', data: `0x${Buffer.from(`m/${row.name}`).toString("hex")}` })
    assert.ok(q.response.value, `registry record of ${row.name} over abci_query`)
    const rec = decodeRecord(new Uint8Array(Buffer.from(q.response.value, "base64")))
    assert.equal([row.version, row.status, row.activation, row.codeHash], [rec.version, rec.status, String(rec.activationHeight), Buffer.from(rec.codeHash).toString("hex")], `${row.name} as stored`)
  }
  const api = (await ui.api("machines")).body
  assert.equal(rows, api.machines.map((m: any) => ({
    name: m.name, version: m.version, status: m.status, activation: m.activationHeight === null ? "–" : String(m.activationHeight),
    codeHash: m.codeHash ?? "", capabilities: m.capabilities
  })))

  // Gas: a tx now, so the window has gas; then per machine as the route says, and summed over
  // machines, the txs' gas_used of those blocks.
  const sent = await ui.client.sendTokens(ui.sent.sender, ui.sent.recipient, [{ denom: "boot", amount: "1" }], "auto", "machines page gas")
  assert.is(sent.code, 0, sent.rawLog)
  const table = page.locator("[data-table=gas]")
  const read = () => table.evaluate((t) => ({
    first: Number(t.getAttribute("data-first")), last: Number(t.getAttribute("data-last")),
    shown: Object.fromEntries([...t.querySelectorAll("tbody tr")].map((r) => [r.getAttribute("data-machine") ?? "", Number(r.querySelector("[data-field=gas-total]")?.textContent)]))
  }))
  const { first, last, shown } = await eventually(async (): Promise<{ first: number; last: number; shown: Record<string, number> }> => {
    const v = await read()
    assert.ok(v.last >= sent.height, `the gas window reaches height ${sent.height} (at ${v.last})`)
    return v
  }, 15_000)
  const gas = (await ui.api("gas", { blocks: "256" })).body as { blocks: Array<{ height: number; gas: Record<string, number> }> }
  const inWindow = gas.blocks.filter((b) => b.height >= first && b.height <= last)
  const expected: Record<string, number> = {}
  for (const b of inWindow) for (const [m, g] of Object.entries(b.gas)) expected[m] = (expected[m] ?? 0) + g
  assert.equal(shown, expected, `gas per machine in blocks ${first}-${last}`)
  assert.ok((shown.bank ?? 0) > 0 && (shown.auth ?? 0) > 0, `bank and auth used gas: ${JSON.stringify(shown)}`)
  let txGas = 0
  for (let h = first; h <= last; h++) {
    const r = await ui.rpc("block_results", { height: String(h) })
    txGas += (r.txs_results ?? []).reduce((a: number, t: any) => a + Number(t.gas_used), 0)
  }
  assert.is(Object.values(shown as Record<string, number>).reduce((a, b) => a + b, 0), txGas, "machines' gas sums to the txs' gas_used")
  assert.ok(await page.locator(".chart canvas").count() > 0, "the chart is drawn")

  // Live: the gas window moves on without reload.
  await eventually(async () => {
    assert.ok(Number(await table.getAttribute("data-last")) > last, "a newer block enters the gas window")
  }, 15_000)
}
