/**
 * The browser code (ui/src) type-checks under its own tsconfig (DOM types, bundler resolution):
 * the root `npm run typecheck` covers node-side code only, so this keeps the dashboard honest.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { spawnSync } from "node:child_process"
import { join } from "node:path"

const root = new URL("../..", import.meta.url).pathname

test("tsc -p ui/tsconfig.json passes", () => {
  const r = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "ui/tsconfig.json")], { cwd: root, encoding: "utf8" })
  assert.is(r.status, 0, `ui type errors:\n${r.stdout}${r.stderr}`)
})

test.run()
