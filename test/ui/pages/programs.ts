/**
 * Programs page check: the list shows every program of Query/Programs, and the set-up's counter
 * program's status, reserve and burn rate equal Query/Reserve at the height the page read them
 * at; its page (opened from the keyboard) shows the record of Query/Program (pages, memory root,
 * code hash), the schedule of Query/Schedule and the set-up's call among its recent calls at the
 * height tx_search gives.
 */
import * as assert from "uvu/assert"
import type { Page } from "playwright-core"
import * as M from "../../../modules/cyberwasm/Messages.ts"
import { decodeProgramsResponse, encodeProgramsRequest } from "../../../modules/cyberwasm/Programs.ts"
import { decodeInfo } from "../../../modules/cyberwasm/State.ts"
import type { UiContext } from "../harness.ts"
import { eventually, textOf, until } from "./Check.ts"

const abci = async (ui: UiContext, path: string, data: Uint8Array, height?: number): Promise<Uint8Array> => {
  const r = await ui.rpc("abci_query", { path: JSON.stringify(path), data: "0x" + Buffer.from(data).toString("hex"), ...(height ? { height: String(height) } : {}) })
  if (r.response.code !== 0) throw new Error(`${path}: code ${r.response.code}: ${r.response.log}`)
  return new Uint8Array(Buffer.from(r.response.value ?? "", "base64"))
}
const reserveAt = async (ui: UiContext, address: string, height: number) =>
  M.QueryReserveResponse.decode(await abci(ui, M.QueryPath.reserve, M.QueryAddress.encode({ address }), height))

/** See the module doc. */
export const check = async (page: Page, ui: UiContext): Promise<void> => {
  const program = ui.sent.program
  const all = decodeProgramsResponse(await abci(ui, M.QueryPath.programs, encodeProgramsRequest({ pagination: { key: new Uint8Array(), offset: 0n, limit: 100n, countTotal: true, reverse: false } })))
  assert.ok(all.programs.some((p) => p.address === program), "Query/Programs lists the set-up's program")

  // The list: the same programs, and the counter's reserve as Query/Reserve answers at the page's height.
  await eventually(async () => {
    const shown = await page.locator("[data-table=programs]").evaluate((t) => ({
      height: Number(t.getAttribute("data-height")),
      rows: [...t.querySelectorAll("tbody tr")].map((r) => ({
        address: r.getAttribute("data-program"),
        status: r.querySelector("[data-field=status]")?.textContent?.trim(),
        reserve: r.querySelector("[data-field=reserve]")?.textContent?.trim(),
        burnRate: r.querySelector("[data-field=burn-rate]")?.textContent?.trim()
      }))
    }))
    assert.equal(shown.rows.map((r) => r.address), all.programs.map((p) => p.address))
    const row = shown.rows.find((r) => r.address === program)!
    const q = await reserveAt(ui, program, shown.height)
    assert.equal({ status: row.status, reserve: row.reserve, burnRate: row.burnRate }, { status: q.status, reserve: q.reserve.toString(), burnRate: q.burnRate.toString() })
  })
  assert.match(await textOf(page, "[data-field=programs-total]"), new RegExp(`^${all.pagination.total} program`))
  await ui.shot("programs-list")

  // The program's own page, from the keyboard.
  await page.locator(`[data-table=programs] tr[data-program="${program}"] a`).focus()
  await page.keyboard.press("Enter")
  await until(page, `location.hash === "#/programs/${program}"`)
  await page.locator("[data-field=address]").waitFor({ timeout: 10_000 })
  assert.is(await textOf(page, "[data-field=address]"), program)
  await eventually(async () => {
    const shown = await page.locator("dl.kv").evaluate((d) => {
      const f = (n: string) => d.querySelector(`[data-field=${n}]`)?.textContent?.trim()
      return { height: Number(d.getAttribute("data-height")), status: f("status"), reserve: f("reserve"), burnRate: f("burn-rate"), pages: f("pages"), root: f("memory-root"), code: f("code-hash") }
    })
    const q = await reserveAt(ui, program, shown.height)
    const info = decodeInfo(await abci(ui, M.QueryPath.program, M.QueryAddress.encode({ address: program }), shown.height))
    assert.equal(shown, {
      height: shown.height, status: q.status, reserve: q.reserve.toString(), burnRate: q.burnRate.toString(), pages: String(info.pages),
      root: Buffer.from(info.memoryRoot).toString("hex"), code: Buffer.from(info.codeHash).toString("hex")
    })
  })
  const schedule = M.decodeScheduleList(await abci(ui, M.QueryPath.schedule, M.QueryAddress.encode({ address: program })))
  if (schedule.length === 0) await page.locator("[data-empty=schedule]").waitFor()
  else assert.is(await page.locator("[data-table=schedule] tbody tr").count(), schedule.length)

  // The set-up's call is listed with its block height.
  const tx = await ui.rpc("tx", { hash: "0x" + ui.sent.programCallTxHash })
  await eventually(async () => {
    const row = page.locator(`[data-table=calls] tr[data-tx="${ui.sent.programCallTxHash.toUpperCase()}"]`)
    assert.is(await row.locator("[data-field=call-height]").textContent(), String(tx.height))
    assert.is((await row.locator("[data-field=call-code]").textContent())?.trim(), "ok")
  })

  // Live: a new call appears in the same document.
  await page.evaluate("window.__sameDoc = 1")
  const again = await ui.client.signAndBroadcast(ui.sent.sender, [{ typeUrl: M.TypeUrl.execute, value: { sender: ui.sent.sender, program, input: new TextEncoder().encode("inc") } }], 1.5)
  assert.is(again.code, 0, again.rawLog)
  await eventually(async () => {
    const row = page.locator(`[data-table=calls] tr[data-tx="${again.transactionHash.toUpperCase()}"]`)
    assert.is(await row.locator("[data-field=call-height]").textContent(), String(again.height))
  }, 15_000)
  assert.is(await page.evaluate("window.__sameDoc"), 1, "no reload")

  // An unknown program: a typed error from the route, not a crash.
  const unknown = "cyber1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqsz3ueh"
  const res = await ui.api("program", { address: unknown })
  assert.ok(res.status === 404 || res.status === 400, `unknown program answers an error status, got ${res.status}`)
  await ui.open(`programs/${program}`)
  await page.locator("[data-field=address]").waitFor({ timeout: 10_000 })
}
