import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { staleFiles, targets } from "../../wit/generate.ts"

const root = new URL("../..", import.meta.url).pathname

test("committed generated WIT types are current (npm run wit:check)", () => {
  for (const t of targets) assert.equal(staleFiles(t), [], `${t.out} is stale: run npm run wit:gen`)
})

test("the check fails when the WIT changes without regenerating", () => {
  const dir = mkdtempSync(join(tmpdir(), "wit-test-"))
  try {
    const t = targets[0]!
    const wit = join(dir, "process.wit")
    const out = join(dir, "generated")
    cpSync(join(root, t.out), out, { recursive: true })
    writeFileSync(wit, readFileSync(join(root, t.wit), "utf8").replace("mime: option<string>,", "mime: option<string>,\n        size: u64,"))
    const stale = staleFiles({ wit, world: t.world, out })
    assert.ok(stale.includes("interfaces/cyberkernel-process-standard.d.ts"), `stale: ${stale.join(", ")}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
