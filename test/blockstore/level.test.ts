import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as assert from "uvu/assert"
import { Effect } from "effect"
import { levelBlockStore, openLevelBlockStore } from "../../node/blockstore/index.ts"
import { openLevelKv } from "../../node/blockstore/internal/LevelKv.ts"
import { conformance, fill } from "./conformance.ts"
import { makeBlock, makeResults, sha256, transferResult, utf8 } from "./fixtures/chain.ts"

const root = mkdtempSync(join(tmpdir(), "blockstore-"))
let n = 0
const t = conformance("level", () => openLevelBlockStore(join(root, `db${n++}`)))

t("reopen resumes at the saved heights with everything readable", async () => {
  const path = join(root, "reopen")
  const s = await openLevelBlockStore(path)
  const blocks = await fill(s)
  // Block 6 saved, its results not (a crash between the two).
  await s.saveBlock(makeBlock(6, [utf8("late")], blocks[4]))
  await s.close()
  const r = await openLevelBlockStore(path)
  assert.is(r.height(), 6)
  assert.is(r.base(), 1)
  assert.is(r.resultsHeight(), 5)
  assert.is((await r.tx(sha256(utf8("tx-5-3"))))!.index, 3)
  assert.is((await r.searchTxs("tx.height=5", 1, 30, "asc")).totalCount, 4)
  await r.saveResults(makeResults(6, [transferResult("a", "b", 1)]))
  await r.whenIndexed(6)
  assert.is((await r.tx(sha256(utf8("late"))))!.height, 6)
  await r.close()
})

t("a store saved before the block event index is indexed on open (block_search works after an upgrade)", async () => {
  const path = join(root, "upgrade")
  const s = await openLevelBlockStore(path)
  await fill(s)
  await s.close()
  // Remove the block index as an older version left the store: no BE: keys, no index height.
  const kv = await openLevelKv(path)
  const old = await kv.scan("BE:", "BF")
  assert.ok(old.length > 0)
  await kv.batch([...old.map(([key]) => ({ type: "del" as const, key })), { type: "del", key: "M:blockindex" }])
  await kv.close()
  const r = await openLevelBlockStore(path)
  const found = await r.searchBlocks("reward.parity='even'", 1, 30, "asc")
  assert.equal(found.heights, [2, 4])
  await r.close()
})

t("levelBlockStore: scoped open and close", async () => {
  const path = join(root, "scoped")
  const h = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    const s = yield* levelBlockStore(path)
    yield* Effect.promise(() => s.saveBlock(makeBlock(1, [])))
    return s.height()
  })))
  assert.is(h, 1)
  // Closed by the scope: the LevelDB lock is free again.
  const again = await openLevelBlockStore(path)
  assert.is(again.height(), 1)
  await again.close()
})

t.after(() => rmSync(root, { recursive: true, force: true }))
t.run()
