/**
 * Planted-bug check: the framing round-trip fuzzer must find the off-by-one planted in a test-only
 * copy of the ABCI frame reader (test/fuzz/fixtures/BuggyFraming.ts) within its CI case budget, and
 * find nothing in the real reader with the same budget and seed. This shows the fuzzer's generators
 * reach the chunk-boundary cases that matter, not just that it runs.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import fc from "fast-check"
import { FrameDecoder } from "../../modules/consensus/abci/Framing.ts"
import { BuggyFrameDecoder } from "./fixtures/BuggyFraming.ts"
import { printTotals, runProperty, runsFor } from "./support/Fuzz.ts"
import { roundTripProperty } from "./support/FramingProperty.ts"

const FILE = "test/fuzz/planted-bug.test.ts"
/** CI budget: the same as the real framing fuzzer's round-trip property. */
const BUDGET = 1500
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() ^ (Math.random() * 0x100000000)

test("the framing fuzzer finds the planted off-by-one in the buggy copy", async () => {
  const details = await runProperty("planted bug (buggy copy)", roundTripProperty((max) => new BuggyFrameDecoder(max)), BUDGET, { seed, path: undefined })
  assert.ok(details.failed, `no counterexample within ${details.numRuns} cases (seed ${seed}): the fuzzer missed the planted bug`)
  const report = fc.defaultReportMessage(details) ?? ""
  assert.match(report, /seed/, "fast-check's report names the seed")
  assert.match(report, /path/, "fast-check's report names the path")
  // The shrunk counterexample is a raw exception from running off the chunk list, not a FrameError.
  assert.ok(!(details.errorInstance as { _tag?: string } | null)?._tag, "the planted bug shows as an untyped exception")
  process.stdout.write(`  planted bug found after ${details.numRuns} of ${runsFor(BUDGET)} cases, seed ${details.seed}, path ${details.counterexamplePath}\n`)
})

test("the same property and seed find nothing in the real reader", async () => {
  const details = await runProperty("planted bug (real reader)", roundTripProperty((max) => new FrameDecoder(max)), BUDGET, { seed, path: undefined })
  assert.not.ok(details.failed, fc.defaultReportMessage(details) ?? "")
})

test.after(() => printTotals(FILE))
test.run()
