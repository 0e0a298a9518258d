/**
 * The dashboard in a real browser: one node started by the CLI (graph and CyberWasm on, after
 * sends, cyberlinks and a program call: test/ui/harness.ts) and one Chromium for all pages. For
 * each page check in test/ui/pages/<id>.ts: open `#/<id>`, compare what the page shows with what
 * the RPC returns, require no console or page error, screenshot to test-output/ui/<id>.png.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { readdirSync } from "node:fs"
import { setupUi, teardownUi, type UiContext } from "./harness.ts"
import { until, type CheckModule } from "./pages/Check.ts"

const dir = new URL("./pages/", import.meta.url)
const ids = readdirSync(dir).filter((f) => /^[a-z]+\.ts$/.test(f)).map((f) => f.slice(0, -3)).sort()
const checks = new Map<string, CheckModule>()
for (const id of ids) checks.set(id, (await import(new URL(`${id}.ts`, dir).href)) as CheckModule)

const test = suite<{ ui: UiContext }>("dashboard")

test.before(async (ctx) => {
  try {
    ctx.ui = await setupUi([...checks.values()].flatMap((c) => (c.setup ? [c.setup] : [])))
  } catch (e) {
    // uvu does not print a failing before hook: say why, then fail the suite.
    process.stderr.write(`dashboard set-up failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`)
    throw e
  }
})

test.after(async (ctx) => {
  await teardownUi(ctx.ui)
})

test("the shell loads at /ui and every page in its navigation has a check; start's banner lists the dashboard", async ({ ui }) => {
  assert.ok(ui.node.output().includes(`dashboard: ${ui.base}/ui`), `start banner names the dashboard:\n${ui.node.output().slice(0, 800)}`)
  await ui.open("")
  const nav = await ui.page.locator("nav a").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""))
  const navIds = nav.map((h) => h.replace(/^#\//, ""))
  assert.ok(navIds.includes("chain"), `navigation lists the chain page: ${navIds.join(", ")}`)
  const missing = navIds.filter((id) => !checks.has(id))
  assert.equal(missing, [], `pages without a check in test/ui/pages: ${missing.join(", ")}`)
  assert.equal(ui.errors, [])
})

for (const [id, mod] of checks) {
  test(`page ${id}: shows what the RPC returns, no console error`, async ({ ui }) => {
    const before = ui.errors.length
    await ui.open(id)
    try {
      await mod.check(ui.page, ui)
    } finally {
      const path = await ui.shot(id)
      process.stdout.write(`screenshot: ${path}\n`)
    }
    assert.equal(ui.errors.slice(before), [], `console errors on #/${id}`)
  })
}

test("live updates come over the websocket; without it the pages poll and still update", async ({ ui }) => {
  await ui.open("chain")
  const node = (await ui.api("node")).body
  assert.is(node.websocket, true, "the node serves /websocket")
  await ui.page.locator(".live", { hasText: "websocket" }).waitFor({ timeout: 10_000 })
  // A second tab told by the node route that there is no websocket: it falls back to polling.
  const tab = await ui.browser.newPage()
  const errors: string[] = []
  tab.on("console", (m) => { if (m.type() === "error") errors.push(m.text()) })
  await tab.route("**/ui/api/node", async (route) => {
    const res = await route.fetch()
    await route.fulfill({ response: res, json: { ...(await res.json()), websocket: false } })
  })
  let wsOpened = false
  tab.on("websocket", () => { wsOpened = true })
  try {
    await tab.goto(`${ui.base}/ui/#/chain`)
    await tab.locator(".live", { hasText: "polling" }).waitFor({ timeout: 10_000 })
    const first = Number(await tab.locator("[data-field=height]").textContent())
    await until(tab, `Number(document.querySelector("[data-field=height]")?.textContent) > ${first}`, 15_000)
    assert.is(wsOpened, false, "no websocket opened")
    assert.equal(errors, [])
  } finally {
    await tab.close()
  }
})

test("API routes on the node: bad params are typed 400s, unknown things 404, hostile paths read nothing, the node keeps running", async ({ ui }) => {
  const height = Number((await ui.rpc("status")).sync_info.latest_block_height)
  const cases: Array<[string, Record<string, string>, number, string]> = [
    ["tx", {}, 400, "MissingParam"],
    ["tx", { hash: "zz" }, 400, "BadParam"],
    ["tx", { hash: "0".repeat(65) }, 400, "BadParam"],
    ["tx", { hash: "0".repeat(64) }, 404, "NotFound"],
    ["account", { address: "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq" }, 400, "BadParam"],
    ["account", { address: ui.sent.recipient, limit: "51" }, 400, "BadParam"],
    ["account", { address: ui.sent.recipient, limit: "0" }, 400, "BadParam"],
    ["account", { address: "x".repeat(5000) }, 414, "QueryTooLong"],
    ["txs", { limit: "0" }, 400, "BadParam"],
    ["txs", { limit: "51" }, 400, "BadParam"],
    ["gas", { blocks: "0" }, 400, "BadParam"],
    ["gas", { blocks: "257" }, 400, "BadParam"],
    ["gas", { blocks: "9".repeat(13) }, 400, "BadParam"],
    ["machines", { x: "1" }, 400, "UnknownParam"],
    ["no-such-route", {}, 404, "UnknownRoute"]
  ]
  for (const [name, params, status, code] of cases) {
    const r = await ui.api(name, params)
    assert.is(r.status, status, `${name} ${JSON.stringify(params).slice(0, 80)}`)
    assert.is(r.body.error.code, code, `${name}: ${r.body.error.message}`)
  }
  const ok = await ui.api("account", { address: ui.sent.recipient, limit: "2" })
  assert.is(ok.status, 200)
  assert.is(ok.body.history.length, 2)
  for (const path of ["/ui/../config/node_key.json", "/ui/%2e%2e/config/genesis.json", "/ui/..%2f..%2fpackage.json", "/ui/%2e%2e%2f%2e%2e%2fnode%2fNode.ts"]) {
    const r = await fetch(`${ui.base}${path}`)
    const text = await r.text()
    assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`)
    assert.not.match(text, /priv_key|"chain_id"|"name": "cyberkernel"|startNode/, `${path} leaked a file`)
  }
  await ui.waitHeight(height + 1)
})

test("keyboard: digit keys switch pages and links take focus", async ({ ui }) => {
  await ui.open("chain")
  await ui.page.keyboard.press("2")
  // Wait for the second page's heading, not only the hash: location.hash changes at once but
  // hashchange is a later task, and if "1" lands before it, the app reads "#/chain" both times
  // and never leaves the page (the focus check below then times out; seen once in CI).
  await until(ui.page, 'location.hash !== "#/chain" && document.activeElement?.tagName === "H1" && document.activeElement.textContent !== "Chain"')
  const second = await ui.page.locator("nav a").nth(1).getAttribute("href")
  assert.is(await ui.page.evaluate("location.hash"), second)
  await ui.page.keyboard.press("1")
  await until(ui.page, 'location.hash === "#/chain"')
  // navigation moves focus to the new page's heading
  await until(ui.page, 'document.activeElement?.tagName === "H1" && document.activeElement.textContent === "Chain"')
  await ui.page.keyboard.press("g")
  assert.is(await ui.page.evaluate('document.activeElement?.getAttribute("href")'), "#/chain")
  await ui.page.keyboard.press("Tab")
  const focused = await ui.page.evaluate("document.activeElement?.tagName")
  assert.ok(focused === "A" || focused === "BUTTON" || focused === "INPUT", `Tab moves focus to a control, got ${focused}`)
})

test.run()
