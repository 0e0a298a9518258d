/**
 * Chain page check: the tip (height, block time, app hash, chain id), validators and recent
 * blocks as the RPC returns them; a new block appears without reload.
 */
import * as assert from "uvu/assert"
import type { Page } from "playwright-core"
import type { UiContext } from "../harness.ts"
import { eventually, textOf } from "./Check.ts"

/** See the module doc. */
export const check = async (page: Page, ui: UiContext): Promise<void> => {
  // Tip: the shown height's block time and app hash are the RPC's for that height.
  const height = Number(await textOf(page, "[data-field=height]"))
  assert.ok(height >= 1, `height shown: ${height}`)
  const time = await page.locator("[data-field=block-time]").getAttribute("data-raw")
  const appHash = await page.locator("[data-field=app-hash]").getAttribute("title")
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
}
