/**
 * Dashboard test harness: a node started by the real CLI (test/e2e/harness.ts) with the graph and
 * CyberWasm machines on, a few real transactions sent with CosmJS (bank sends, a cyberlink, a
 * CyberWasm program stored, instantiated and called), and Debian's Chromium driven by
 * playwright-core with a fresh profile. Console messages of level error and page errors are
 * collected; `shot(name)` writes `test-output/ui/<name>.png`.
 *
 * Page checks (test/ui/pages/<name>.ts) get the {@link UiContext}; a check module may export
 * `setup(ctx)` to send more before the browser opens (docs/dashboard.md, "Tests").
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createHash } from "node:crypto"
import { DirectSecp256k1HdWallet, Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, GasPrice, SigningStargateClient } from "@cosmjs/stargate"
import { chromium, type BrowserContext, type Page } from "playwright-core"
import { cyberwasmRegistryTypes } from "../../modules/cyberwasm/Client.ts"
import { programAddress } from "../../modules/cyberwasm/internal/Address.ts"
import * as W from "../../modules/cyberwasm/Messages.ts"
import { MSG_CYBERLINK_URL, MsgCyberlink } from "../../modules/graph/Messages.ts"
import { packageCid } from "../../scripts/debian-graph.ts"
import { ensureChromium } from "../../scripts/ensure-chromium.ts"
import { buildExamples } from "../../sdk/assemblyscript/build.ts"
import { buildUi } from "../../ui/build.ts"
import { makeHome, rpc, startNode, type NodeProcess, type TestHome } from "../e2e/harness.ts"

const root = new URL("../..", import.meta.url).pathname
/** Where screenshots go (gitignored). */
export const OUTPUT_DIR = join(root, "test-output", "ui")

/** What the set-up sent, for checks to look for on the pages. */
export interface Sent {
  /** The dev account (sender of everything below). */
  readonly sender: string
  /** A fresh account that received two bank sends. */
  readonly recipient: string
  readonly sendTxHashes: ReadonlyArray<string>
  readonly cyberlinkTxHash: string
  /** The cyberlinks made (particle CIDs). */
  readonly links: ReadonlyArray<{ readonly from: string; readonly to: string }>
  /** The counter program's address, and the tx that called it. */
  readonly program: string
  readonly programCallTxHash: string
}

/** Everything a page check gets. */
export interface UiContext {
  readonly home: TestHome
  readonly node: NodeProcess
  /** `http://127.0.0.1:<port>` of the node's RPC (the dashboard is at `${base}/ui`). */
  readonly base: string
  readonly browser: BrowserContext
  /** The browser's fresh profile folder (removed by teardownUi). */
  readonly profileDir: string
  readonly page: Page
  readonly sent: Sent
  /** A signing client of the dev account (registry with cyberlink and CyberWasm types). */
  readonly client: SigningStargateClient
  /** Console errors and page errors seen so far (text with the page URL). */
  readonly errors: string[]
  /** CometBFT RPC GET (result, throws on error). */
  rpc<T = any>(method: string, params?: Record<string, string>): Promise<T>
  /** Dashboard API GET (parsed JSON body, any status). */
  api<T = any>(name: string, params?: Record<string, string>): Promise<{ status: number; body: T }>
  /** Load the dashboard afresh at `#/<route>` and wait until the page's heading is shown. */
  open(route: string): Promise<void>
  /** Screenshot the page to test-output/ui/<name>.png; returns the path. */
  shot(name: string): Promise<string>
  /** Wait until the chain passes height `h`. */
  waitHeight(h: number): Promise<void>
}

/** What a check module's `setup` gets: the node and client, before the browser opens. */
export type SetupContext = Omit<UiContext, "browser" | "page" | "profileDir" | "open" | "shot">

/** Chromium flags for a quiet, sandbox-free, offline headless run. */
export const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"
]

const newest = (dir: string): number =>
  readdirSync(dir).reduce((m, n) => {
    const p = join(dir, n)
    const s = statSync(p)
    return Math.max(m, s.isDirectory() ? newest(p) : s.mtimeMs)
  }, 0)

/** Build ui/dist when it is missing or older than ui/src or ui/index.html. */
export const ensureUiBuilt = async (): Promise<void> => {
  const app = join(root, "ui/dist/app.js")
  const src = Math.max(newest(join(root, "ui/src")), statSync(join(root, "ui/index.html")).mtimeMs)
  if (!existsSync(join(root, "ui/dist/index.html")) || !existsSync(app) || statSync(app).mtimeMs < src) await buildUi()
}

const sendAll = async (h: TestHome): Promise<{ sent: Sent; client: SigningStargateClient }> => {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber" })
  const sender = (await wallet.getAccounts())[0]!.address
  const other = await DirectSecp256k1HdWallet.generate(12, { prefix: "cyber" })
  const recipient = (await other.getAccounts())[0]!.address
  const client = await SigningStargateClient.connectWithSigner(h.rpcUrl, wallet, {
    registry: new Registry([...defaultRegistryTypes, ...cyberwasmRegistryTypes, [MSG_CYBERLINK_URL, MsgCyberlink as never]]),
    gasPrice: GasPrice.fromString("0.01boot"),
    broadcastPollIntervalMs: 100,
    broadcastTimeoutMs: 30_000
  })
  const ok = async (what: string, send: Promise<{ code: number; rawLog?: string; transactionHash: string }>) => {
    let r
    try {
      r = await send
    } catch (e) {
      throw new Error(`set-up ${what} failed: ${e instanceof Error ? `${e.message} ${String((e as { cause?: unknown }).cause ?? "")}` : String(e)}`)
    }
    if (r.code !== 0) throw new Error(`set-up ${what} failed (code ${r.code}): ${r.rawLog}`)
    return r.transactionHash
  }
  const sendTxHashes = [
    await ok("send 1", client.sendTokens(sender, recipient, [{ denom: "boot", amount: "12345" }], "auto", "dashboard test 1")),
    await ok("send 2", client.sendTokens(sender, recipient, [{ denom: "boot", amount: "678" }], "auto", "dashboard test 2"))
  ]
  const [a, b, c] = ["libc6", "python3", "perl"].map(packageCid) as [string, string, string]
  const links = [{ from: b, to: a }, { from: c, to: a }]
  const cyberlinkTxHash = await ok("cyberlink", client.signAndBroadcast(sender, [{ typeUrl: MSG_CYBERLINK_URL, value: { neuron: sender, links } }], 1.5))
  const wasm = await buildExamples(["counter"])
  const codeHash = createHash("sha256").update(wasm.counter!).digest()
  await ok("store program", client.signAndBroadcast(sender, [{ typeUrl: W.TypeUrl.storeCode, value: { sender, wasmByteCode: wasm.counter! } }], 1.5))
  await ok("instantiate program", client.signAndBroadcast(sender, [{ typeUrl: W.TypeUrl.instantiate, value: { sender, codeHash, admin: sender, input: new Uint8Array(), reserve: 1_000_000n, label: "counter" } }], 1.5))
  const program = programAddress("cyber", 0n)
  const programCallTxHash = await ok("call program", client.signAndBroadcast(sender, [{ typeUrl: W.TypeUrl.execute, value: { sender, program, input: new TextEncoder().encode("inc") } }], 1.5))
  return { sent: { sender, recipient, sendTxHashes, cyberlinkTxHash, links, program, programCallTxHash }, client }
}

/**
 * Start everything. `extraSetup` functions (from page check modules) run after the standard
 * transactions and before the browser opens. Throws (failing the suite) when Chromium is missing
 * and cannot be installed.
 */
export const setupUi = async (extraSetup: ReadonlyArray<(ctx: SetupContext) => Promise<void>> = []): Promise<UiContext> => {
  const executablePath = ensureChromium()
  await ensureUiBuilt()
  const home = await makeHome(400, { modules: ["graph", "cyberwasm"] })
  const node = await startNode(home)
  const errors: string[] = []
  let profile: string | undefined
  try {
    const { sent, client } = await sendAll(home)
    const base = home.rpcUrl
    const rpcGet = <T>(method: string, params: Record<string, string> = {}) => rpc<T>(base, method, params)
    const apiGet = async <T>(name: string, params: Record<string, string> = {}) => {
      const q = new URLSearchParams(params).toString()
      const r = await fetch(`${base}/ui/api/${name}${q ? "?" + q : ""}`)
      return { status: r.status, body: (await r.json()) as T }
    }
    const waitHeight = async (h: number) => {
      const deadline = performance.now() + 30_000
      while (Number((await rpcGet<any>("status")).sync_info.latest_block_height) <= h) {
        if (performance.now() > deadline) throw new Error(`chain did not pass height ${h} within 30 s`)
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    const partial = { home, node, base, sent, client, errors, rpc: rpcGet, api: apiGet, waitHeight }
    for (const f of extraSetup) await f(partial)
    profile = mkdtempSync(join(tmpdir(), "ck-ui-chromium-"))
    const browser = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 900 } })
    const page = browser.pages()[0] ?? (await browser.newPage())
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console error on ${page.url()}: ${m.text()}`)
    })
    page.on("pageerror", (e) => errors.push(`page error on ${page.url()}: ${e.message}`))
    mkdirSync(OUTPUT_DIR, { recursive: true })
    const ctx: UiContext = {
      ...partial, browser, page, profileDir: profile,
      open: async (route) => {
        // A fresh document each time: a hash-only change would keep the previous page's heading
        // (and data) on screen, and a check could read it before the new route renders.
        await page.goto("about:blank")
        await page.goto(`${base}/ui/#/${route}`)
        await page.locator("main h1").first().waitFor({ timeout: 10_000 })
      },
      shot: async (name) => {
        const path = join(OUTPUT_DIR, `${name}.png`)
        await page.screenshot({ path, fullPage: true })
        return path
      }
    }
    return ctx
  } catch (e) {
    await node.kill("SIGTERM")
    if (profile) rmSync(profile, { recursive: true, force: true })
    throw e
  }
}

/** Stop the browser, the client and the node. */
export const teardownUi = async (ctx: UiContext | undefined): Promise<void> => {
  if (!ctx) return
  await ctx.browser.close().catch(() => undefined)
  rmSync(ctx.profileDir, { recursive: true, force: true })
  ctx.client.disconnect()
  await ctx.node.kill("SIGTERM")
  rmSync(ctx.home.home, { recursive: true, force: true })
}
