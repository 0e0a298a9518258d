/**
 * Chain page check: the tip (height, block time, app hash, chain id), validators, recent blocks
 * and recent txs as the RPC returns them; a new block appears without reload; a bank send, a
 * cyberlink and a program call decoded on the tx view (messages and events as `tx` returns them);
 * the recipient's balances (CosmJS) and history (`tx_search`) on the account view, reached by
 * typing its address in the search box.
 */
import * as assert from "uvu/assert"
import type { Page } from "playwright-core"
import type { UiContext } from "../harness.ts"
import { eventually, textOf, until } from "./Check.ts"

/** See the module doc. */
export const check = async (page: Page, ui: UiContext): Promise<void> => {
  // Tip: the shown height's block time and app hash are the RPC's for that height.
  // One read of the cards: they update live, so height, time and hash must come from the same render.
  await page.locator("[data-field=height]").waitFor({ timeout: 10_000 })
  const tip = await page.evaluate(`(() => {
    const q = (f) => document.querySelector("[data-field=" + f + "]")
    return { height: Number(q("height").textContent), time: q("block-time").getAttribute("data-raw"), appHash: q("app-hash").getAttribute("title") }
  })()`) as { height: number; time: string; appHash: string }
  const { height, time, appHash } = tip
  assert.ok(height >= 1, `height shown: ${height}`)
  const block = await ui.rpc("block", { height: String(height) })
  assert.is(time, block.block.header.time, "block time of the shown height")
  await ui.waitHeight(height)
  const next = await ui.rpc("block", { height: String(height + 1) })
  assert.is(appHash, next.block.header.app_hash, "app hash after the shown height (in the next header)")
  assert.is(await textOf(page, "[data-field=network]"), ui.home.chainId)

  // Validators: same addresses and powers as `validators`.
  const vals = await ui.rpc("validators", { height: String(height) })
  const shown = await page.locator("[data-table=validators] tbody tr").evaluateAll((rows) =>
    rows.map((r) => [r.querySelector("[data-field=validator-address]")?.textContent?.trim(), r.querySelector("[data-field=validator-power]")?.textContent?.trim()]))
  assert.equal(shown, vals.validators.map((v: any) => [v.address, v.voting_power]))

  // Recent blocks: each row's tx count is the block's.
  const rows = await page.locator("[data-table=blocks] tbody tr").evaluateAll((rs) =>
    rs.map((r) => [Number(r.getAttribute("data-height")), Number(r.querySelector("[data-field=block-txs]")?.textContent)]))
  assert.ok(rows.length > 0, "recent blocks listed")
  for (const [h, n] of rows.slice(0, 3)) {
    const b = await ui.rpc("block", { height: String(h) })
    assert.is(n, b.block.data.txs.length, `tx count of block ${h}`)
  }

  // Live: a newer block shows up in the same document (no reload).
  await page.evaluate("window.__sameDoc = 1")
  const top = rows[0]![0]!
  await eventually(async () => {
    const now = Number(await page.locator("[data-table=blocks] tbody tr").first().getAttribute("data-height"))
    assert.ok(now > top, `a block newer than ${top} appears (shown: ${now})`)
  }, 15_000)
  assert.is(await page.evaluate("window.__sameDoc"), 1, "no reload")

  // Recent transactions: the newest txs of tx_search, same hashes and gas, linked to the tx view.
  const recent = await ui.rpc("tx_search", { query: "tx.height>0", order_by: "\"desc\"", per_page: "10", page: "1" })
  await eventually(async () => {
    const shown = await page.locator("[data-table=txs] tbody tr").evaluateAll((rs) =>
      rs.map((r) => [r.getAttribute("data-hash"), r.querySelector("[data-field=tx-gas]")?.textContent?.trim()]))
    assert.equal(shown, recent.txs.map((t: any) => [t.hash, t.tx_result.gas_used]))
  })

  process.stdout.write(`screenshot: ${await ui.shot("chain-home")}\n`)

  await checkTx(page, ui, ui.sent.sendTxHashes[0]!, "/cosmos.bank.v1beta1.MsgSend", [ui.sent.recipient, "12345"])
  await checkTx(page, ui, ui.sent.cyberlinkTxHash, "/cyber.graph.v1beta1.MsgCyberlink", [ui.sent.links[0]!.from, ui.sent.links[0]!.to])
  await checkTx(page, ui, ui.sent.programCallTxHash, "/cyber.cyberwasm.v1.MsgExecute", [ui.sent.program])
  process.stdout.write(`screenshot: ${await ui.shot("chain-tx")}\n`)

  // Account: typed into the search box, submitted with Enter.
  await ui.open("chain")
  await page.locator("#chain-search").fill(ui.sent.recipient)
  await page.locator("#chain-search").press("Enter")
  await until(page, `location.hash.startsWith("#/chain/account/")`)
  assert.is(await textOf(page, "[data-field=account-address]"), ui.sent.recipient)
  await eventually(async () => {
    const balances = await ui.client.getAllBalances(ui.sent.recipient)
    const shown = await page.locator("[data-table=balances] tbody tr").evaluateAll((rs) =>
      rs.map((r) => ({ denom: r.querySelector("[data-field=denom]")?.textContent, amount: r.querySelector("[data-field=amount]")?.textContent })))
    assert.equal(shown, balances.map((c) => ({ denom: c.denom, amount: c.amount })))
    const received = await ui.rpc("tx_search", { query: `"transfer.recipient='${ui.sent.recipient}'"`, order_by: "\"desc\"", per_page: "20", page: "1" })
    const history = await page.locator("[data-table=history] tbody tr").evaluateAll((rs) => rs.map((r) => r.getAttribute("data-hash")))
    assert.equal(history, received.txs.map((t: any) => t.hash))
    for (const h of ui.sent.sendTxHashes) assert.ok(history.includes(h), `history lists ${h}`)
  })
  process.stdout.write(`screenshot: ${await ui.shot("chain-account")}\n`)
}

/** Open the tx view of `hash`: height, result, gas, message type and fields, events as the RPC's `tx`. */
const checkTx = async (page: Page, ui: UiContext, hash: string, type: string, fieldValues: ReadonlyArray<string>) => {
  await ui.open(`chain/tx/${hash}`)
  const t = await ui.rpc("tx", { hash: `0x${hash}` })
  assert.is(await textOf(page, "[data-field=tx-hash]"), hash)
  assert.is(await textOf(page, "[data-field=tx-height]"), t.height)
  assert.is(await textOf(page, "[data-field=tx-gas-used]"), t.tx_result.gas_used)
  assert.is(await textOf(page, "[data-field=tx-gas-wanted]"), t.tx_result.gas_wanted)
  assert.is(await textOf(page, "[data-field=tx-code]"), "ok (code 0)")
  assert.is(await textOf(page, "[data-message='0'] [data-field=message-type]"), type)
  const body = await textOf(page, "[data-message='0'] pre")
  for (const v of fieldValues) assert.ok(body.includes(v), `${type} shows ${v}: ${body}`)
  const events = await page.locator("[data-table=events] tbody tr").evaluateAll((rs) =>
    rs.map((r) => [r.querySelector("[data-field=event-type]")?.textContent, [...r.querySelectorAll("[data-field=event-value]")].map((v) => v.textContent)]))
  assert.equal(events, t.tx_result.events.map((e: any) => [e.type, e.attributes.map((a: any) => a.value)]))
}
