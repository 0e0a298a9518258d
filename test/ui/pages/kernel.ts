/**
 * Kernel page check: one row per kernel process as the `kernel` route lists them, a
 * `<machine>:chain:sys` process for every machine active in the genesis registry the RPC serves,
 * the dashboard's own process (it queries machines by message, so messages were delivered), the
 * processes counter equal to the rows, and the node's CPU and memory shown.
 */
import * as assert from "uvu/assert"
import type { Page } from "playwright-core"
import type { UiContext } from "../harness.ts"
import { textOf } from "./Check.ts"

/** See the module doc. */
export const check = async (page: Page, ui: UiContext): Promise<void> => {
  await page.locator("[data-table=processes] tbody tr").first().waitFor({ timeout: 10_000 })
  const rows = await page.locator("[data-table=processes] tbody tr").evaluateAll((rs) => rs.map((r) => ({
    id: r.getAttribute("data-process"),
    kind: r.querySelector("[data-field=kind]")?.textContent?.trim(),
    capabilities: Number(r.querySelector("[data-field=capabilities]")?.textContent)
  })))
  const api = (await ui.api("kernel")).body
  assert.equal(rows, api.processes.map((p: any) => ({ id: p.id, kind: p.kind, capabilities: p.capabilities })))
  const genesis = await ui.rpc("genesis")
  for (const m of genesis.genesis.app_state.registry.machines as Array<{ name: string; status: string }>) {
    if (m.status !== "active") continue
    assert.ok(rows.some((r) => r.id === `${m.name}:chain:sys` && r.kind === "machine"), `kernel process of machine ${m.name}`)
  }
  assert.is(Number(await textOf(page, "[data-stat=processes]")), rows.length, "processes counter")
  // The dashboard is a kernel process and reads machines by message (the account view asked bank).
  assert.ok(rows.some((r) => r.id === "dashboard:distro:sys" && r.kind === "runtime"), "the dashboard's own process")
  assert.ok(Number(await textOf(page, "[data-stat=delivered]")) > 0, "messages were delivered")
  assert.is(await textOf(page, "[data-field=kernel-node]"), api.node)
  assert.match(await textOf(page, "[data-field=cpu]"), /^\d+\.\d s$/)
  assert.match(await textOf(page, "[data-field=memory]"), /^\d+\.\d MiB \/ \d+\.\d MiB$/)
}
