/**
 * The contract of a dashboard page check, one module per page: test/ui/pages/<page id>.ts
 * exporting `check(page, ctx)` (throws an assertion error when the page shows something other
 * than what the RPC returns) and, optionally, `setup(ctx)` to send more transactions before the
 * browser opens. test/ui/dashboard.test.ts finds every module here by file name.
 */
import type { Page } from "playwright-core"
import type { SetupContext, UiContext } from "../harness.ts"

/** A page check module. */
export interface CheckModule {
  readonly check: (page: Page, ctx: UiContext) => Promise<void>
  readonly setup?: (ctx: SetupContext) => Promise<void>
}

/** The text content of the first element matching `selector`, trimmed (waits up to 10 s for it). */
export const textOf = async (page: Page, selector: string): Promise<string> => {
  const el = page.locator(selector).first()
  await el.waitFor({ timeout: 10_000 })
  return ((await el.textContent()) ?? "").trim()
}

/** Poll `f` until it returns without throwing (or rethrow its last error after `ms`). */
export const eventually = async <T>(f: () => Promise<T>, ms = 10_000): Promise<T> => {
  const deadline = performance.now() + ms
  for (;;) {
    try {
      return await f()
    } catch (e) {
      if (performance.now() > deadline) throw e
      await new Promise((r) => setTimeout(r, 200))
    }
  }
}

/**
 * Wait until the page expression `expression` is truthy, polling from here with `page.evaluate`.
 * Use it instead of `page.waitForFunction`: that one re-evaluates its predicate with `eval` inside
 * the page, which the dashboard's Content-Security-Policy (no 'unsafe-eval') refuses once it has
 * to poll.
 */
export const until = async (page: Page, expression: string, ms = 10_000): Promise<void> => {
  const deadline = performance.now() + ms
  while (!(await page.evaluate(expression))) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${expression}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
