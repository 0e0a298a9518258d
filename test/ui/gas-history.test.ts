/**
 * node/ui/GasHistory.ts: a bounded ring (oldest dropped), a height seen again replaces the newer
 * entries (a block re-run after a crash), `recent` stops at the committed height.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { GasHistory } from "../../node/ui/GasHistory.ts"

test("bounded, re-run heights replace, recent(n, maxHeight)", () => {
  const h = new GasHistory(3)
  for (let i = 1; i <= 5; i++) h.blockGas(i, new Map([["bank", i * 10]]))
  assert.equal(h.recent(10).map((b) => b.height), [3, 4, 5], "only the last 3 kept")
  h.blockGas(5, new Map([["auth", 1]]))
  assert.equal(h.recent(10).map((b) => [b.height, b.gas]), [[3, { bank: 30 }], [4, { bank: 40 }], [5, { auth: 1 }]])
  h.blockGas(4, new Map())
  assert.equal(h.recent(10).map((b) => b.height), [3, 4])
  assert.equal(h.recent(1).map((b) => b.height), [4])
  assert.equal(h.recent(10, 3).map((b) => b.height), [3], "nothing past the committed height")
})

test.run()
