import { test } from "uvu"
import * as assert from "uvu/assert"
import { lintFiles, scopeFiles } from "../../scripts/lint-determinism.ts"

test("lint reports each determinism rule broken in a fixture, and nothing in the good function", () => {
  const findings = lintFiles(["test/fixtures/lint/bad-machine.ts"])
  const rules = findings.map((f) => f.rule)
  for (const expected of [
    'host I/O module "node:fs"', "host randomness (randomBytes)", "host clock (Date)", "host randomness (Math.random)",
    "timer (setTimeout)", "floating point (non-integer literal)", "floating point (Math.sqrt)",
    "unordered source (for...in: key order)", "unordered source (Object.keys: key order)",
    "non-canonical encoding (JSON.stringify)"
  ]) assert.ok(rules.includes(expected), `missing ${expected} in ${JSON.stringify(rules)}`)
  assert.ok(rules.some((r) => r.startsWith("floating point (number division")))
  // Lines 19..25 hold the good function: integer division forms, bigint, Map, escape hatch.
  const inGood = findings.filter((f) => f.line >= 19)
  assert.equal(inGood, [], JSON.stringify(inGood))
})

test("machine code in the tree passes the lint", () => {
  const files = scopeFiles()
  assert.ok(files.some((f) => f.startsWith("chain/")), "scope includes chain/")
  assert.equal(lintFiles(files).map((f) => `${f.file}:${f.line} ${f.rule}`), [])
})

test.run()
